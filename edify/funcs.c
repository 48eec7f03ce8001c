/* The name -> builtin table the parser resolves calls against: an
 * open-addressing hash table owned by the caller (no global registry). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"

struct funcs_slot {
    char *name; /* NULL: empty slot */
    edify_fn fn;
};

struct edify_funcs {
    struct funcs_slot *slots;
    size_t cap;   /* a power of two */
    size_t count;
};

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static struct funcs_slot *find_slot(struct funcs_slot *slots, size_t cap, const char *name)
{
    size_t i = name_hash(name) & (cap - 1);
    while (slots[i].name && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

edify_funcs *edify_funcs_new(void)
{
    edify_funcs *fns = calloc(1, sizeof *fns);
    if (!fns)
        return NULL;
    fns->cap = 64;
    fns->slots = calloc(fns->cap, sizeof *fns->slots);
    if (!fns->slots) {
        free(fns);
        return NULL;
    }
    return fns;
}

void edify_funcs_free(edify_funcs *fns)
{
    if (!fns)
        return;
    for (size_t i = 0; i < fns->cap; i++)
        free(fns->slots[i].name);
    free(fns->slots);
    free(fns);
}

static int grow(edify_funcs *fns)
{
    size_t cap = fns->cap * 2;
    struct funcs_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < fns->cap; i++)
        if (fns->slots[i].name)
            *find_slot(slots, cap, fns->slots[i].name) = fns->slots[i];
    free(fns->slots);
    fns->slots = slots;
    fns->cap = cap;
    return 0;
}

int edify_register(edify_funcs *fns, const char *name, edify_fn fn)
{
    if (!fns || !name || !fn)
        return -1;
    struct funcs_slot *slot = find_slot(fns->slots, fns->cap, name);
    if (slot->name) {
        slot->fn = fn;
        return 0;
    }
    /* Keep the table at most half full so probes stay short. */
    if (2 * (fns->count + 1) > fns->cap) {
        if (grow(fns) < 0)
            return -1;
        slot = find_slot(fns->slots, fns->cap, name);
    }
    slot->name = strdup(name);
    if (!slot->name)
        return -1;
    slot->fn = fn;
    fns->count++;
    return 0;
}

edify_fn edify_lookup(const edify_funcs *fns, const char *name)
{
    if (!fns || !name)
        return NULL;
    return find_slot(fns->slots, fns->cap, name)->fn;
}
