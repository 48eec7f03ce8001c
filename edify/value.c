/* edify values: strings and blobs, each in its own malloc'd buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edify/internal.h"

static edify_value *value_take(edify_type type, char *data, size_t len)
{
    if (!data)
        return NULL;
    edify_value *v = malloc(sizeof *v);
    if (!v) {
        free(data); /* ownership passed to us either way */
        return NULL;
    }
    v->type = type;
    v->len = len;
    v->data = data;
    return v;
}

static edify_value *value_copy(edify_type type, const void *data, size_t len)
{
    if (len == SIZE_MAX || (len && !data))
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return value_take(type, copy, len);
}

edify_value *edify_string(const char *s)
{
    return s ? value_copy(EDIFY_STRING, s, strlen(s)) : NULL;
}

edify_value *edify_string_n(const char *s, size_t len)
{
    return value_copy(EDIFY_STRING, s, len);
}

edify_value *edify_string_take(char *s, size_t len)
{
    return value_take(EDIFY_STRING, s, len);
}

edify_value *edify_blob(const void *data, size_t len)
{
    return value_copy(EDIFY_BLOB, data, len);
}

edify_value *edify_blob_take(void *data, size_t len)
{
    return value_take(EDIFY_BLOB, data, len);
}

void edify_value_free(edify_value *v)
{
    if (!v)
        return;
    free(v->data);
    free(v);
}

int edify_value_true(const edify_value *v)
{
    return v && v->len > 0;
}



edify_value *edify_concat_values(edify_value *const *vals, size_t n)
{
    size_t total = 0;
    edify_type type = EDIFY_STRING;
    for (size_t i = 0; i < n; i++) {
        if (vals[i]->len > SIZE_MAX - 1 - total)
            return NULL;
        total += vals[i]->len;
        if (vals[i]->type == EDIFY_BLOB)
            type = EDIFY_BLOB;
    }
    char *data = malloc(total + 1);
    if (!data)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (vals[i]->len)
            memcpy(data + at, vals[i]->data, vals[i]->len);
        at += vals[i]->len;
    }
    data[total] = '\0';
    return value_take(type, data, total);
}
