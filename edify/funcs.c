/* The name -> builtin table the parser resolves calls against: an
 * open-addressing hash table owned by the caller (no global registry). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"

/* A slot holds a copy of the registered row; row.name is owned (NULL:
 * empty slot). */
struct funcs_slot {
    edify_reg row;
};

struct edify_funcs {
    struct funcs_slot *slots;
    size_t cap;   /* a power of two */
    size_t count;
    int accept_unknown; /* see edify_funcs_accept_unknown */
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
    while (slots[i].row.name && strcmp(slots[i].row.name, name) != 0)
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
        free((char *)fns->slots[i].row.name);
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
        if (fns->slots[i].row.name)
            *find_slot(slots, cap, fns->slots[i].row.name) = fns->slots[i];
    free(fns->slots);
    fns->slots = slots;
    fns->cap = cap;
    return 0;
}

static int row_is_valid(const edify_reg *row)
{
    return row->name && row->fn && row->min_args >= 0 &&
           (row->max_args == EDIFY_VARARGS || row->max_args >= row->min_args);
}

/* Adds or replaces row; -1 only when memory runs out. */
static int add_row(edify_funcs *fns, const edify_reg *row)
{
    struct funcs_slot *slot = find_slot(fns->slots, fns->cap, row->name);
    if (slot->row.name) {
        slot->row.fn = row->fn;
        slot->row.min_args = row->min_args;
        slot->row.max_args = row->max_args;
        return 0;
    }
    /* Keep the table at most half full so probes stay short. */
    if (2 * (fns->count + 1) > fns->cap) {
        if (grow(fns) < 0)
            return -1;
        slot = find_slot(fns->slots, fns->cap, row->name);
    }
    char *name = strdup(row->name);
    if (!name)
        return -1;
    slot->row = *row;
    slot->row.name = name;
    fns->count++;
    return 0;
}

int edify_register(edify_funcs *fns, const char *name, edify_fn fn)
{
    edify_reg row = {name, fn, 0, EDIFY_VARARGS};
    if (!fns || !row_is_valid(&row))
        return -1;
    return add_row(fns, &row);
}

int edify_register_table(edify_funcs *fns, const edify_reg *table, ota_error *err)
{
    if (!fns || !table)
        return ota_error_set(err, OTA_ERR_ARGS, "no builtin table to register");
    for (const edify_reg *row = table; row->name; row++) {
        if (!row_is_valid(row))
            return ota_error_set(err, OTA_ERR_ARGS,
                                 "cannot register the builtin %s: no function, or a bad "
                                 "argument range (%d to %d)", row->name, row->min_args,
                                 row->max_args);
        if (add_row(fns, row) < 0)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory registering the builtin %s",
                                 row->name);
    }
    return 0;
}

const edify_reg *edify_lookup_reg(const edify_funcs *fns, const char *name)
{
    if (!fns || !name)
        return NULL;
    const struct funcs_slot *slot = find_slot(fns->slots, fns->cap, name);
    return slot->row.name ? &slot->row : NULL;
}

void edify_funcs_accept_unknown(edify_funcs *fns)
{
    if (fns)
        fns->accept_unknown = 1;
}

int edify_funcs_accepts_unknown(const edify_funcs *fns)
{
    return fns && fns->accept_unknown;
}

edify_fn edify_lookup(const edify_funcs *fns, const char *name)
{
    const edify_reg *row = edify_lookup_reg(fns, name);
    return row ? row->fn : NULL;
}
