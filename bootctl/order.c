#include "bootctl/order.h"

#include <stdio.h>
#include <string.h>

/* Calls fn for each word of order; stops when it returns non-zero. */
static int each_word(const char *order, int (*fn)(void *ctx, const char *word, size_t len),
                     void *ctx)
{
    const char *p = order;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, " \t");
        if (len && fn(ctx, p, len))
            return 1;
        p += len;
    }
    return 0;
}

typedef struct builder {
    char *out;
    size_t size, used;
    const char *skip; /* a word left out */
    int overflow;
} builder;

static int add_word(void *ctx, const char *word, size_t len)
{
    builder *b = ctx;
    if (b->skip && strlen(b->skip) == len && !memcmp(b->skip, word, len))
        return 0;
    int n = snprintf(b->out + b->used, b->size - b->used, "%s%.*s", b->used ? " " : "", (int)len,
                     word);
    if (n < 0 || (size_t)n >= b->size - b->used) {
        b->overflow = 1;
        return 1;
    }
    b->used += (size_t)n;
    return 0;
}

static int finish(const builder *b, ota_error *err)
{
    if (b->overflow)
        return ota_error_set(err, OTA_ERR_LIMIT, "boot order longer than %zu bytes", b->size - 1);
    return 0;
}

typedef struct finder {
    const char *name;
    int found;
} finder;

static int match(void *ctx, const char *word, size_t len)
{
    finder *f = ctx;
    f->found = strlen(f->name) == len && !memcmp(f->name, word, len);
    return f->found;
}

int boot_order_contains(const char *order, const char *name)
{
    finder f = {name, 0};
    each_word(order, match, &f);
    return f.found;
}

/* order with first in front, skip left out and last at the end. */
static int rebuild(const char *order, const char *first, const char *skip, const char *last,
                   char *out, size_t outsz, ota_error *err)
{
    builder b = {out, outsz, 0, NULL, 0};
    out[0] = '\0';
    if (first)
        add_word(&b, first, strlen(first));
    b.skip = skip;
    each_word(order, add_word, &b);
    b.skip = NULL;
    if (last && !b.overflow)
        add_word(&b, last, strlen(last));
    return finish(&b, err);
}

int boot_order_to_front(const char *order, const char *name, char *out, size_t outsz,
                        ota_error *err)
{
    return rebuild(order, name, name, NULL, out, outsz, err);
}

int boot_order_remove(const char *order, const char *name, char *out, size_t outsz,
                      ota_error *err)
{
    return rebuild(order, NULL, name, NULL, out, outsz, err);
}

int boot_order_append(const char *order, const char *name, char *out, size_t outsz,
                      ota_error *err)
{
    return rebuild(order, NULL, name, name, out, outsz, err);
}

int boot_order_join(char names[][BOOTCTL_NAME_MAX], unsigned count, char *out, size_t outsz,
                    ota_error *err)
{
    builder b = {out, outsz, 0, NULL, 0};
    out[0] = '\0';
    for (unsigned i = 0; i < count && !b.overflow; i++)
        add_word(&b, names[i], strlen(names[i]));
    return finish(&b, err);
}

typedef struct first_finder {
    char (*names)[BOOTCTL_NAME_MAX];
    unsigned count;
    int found;
} first_finder;

static int match_any(void *ctx, const char *word, size_t len)
{
    first_finder *f = ctx;
    for (unsigned i = 0; i < f->count; i++)
        if (strlen(f->names[i]) == len && !memcmp(f->names[i], word, len)) {
            f->found = (int)i;
            return 1;
        }
    return 0;
}

int boot_order_first_of(const char *order, char names[][BOOTCTL_NAME_MAX], unsigned count)
{
    first_finder f = {names, count, -1};
    each_word(order, match_any, &f);
    return f.found;
}
