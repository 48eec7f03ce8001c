#include "otautil/props.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"

/* init trims with isspace() in the C locale; '\n' ends the line first. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static uint32_t hash_key(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

/* The index slot for key: the one holding it, or the empty one where it
 * would go. */
static size_t *find_slot(const ota_props *props, const char *key, size_t len)
{
    size_t mask = props->index_cap - 1;
    for (size_t i = hash_key(key, len) & mask;; i = (i + 1) & mask) {
        size_t *slot = &props->index[i];
        if (*slot == 0)
            return slot;
        const char *k = props->items[*slot - 1].key;
        if (strncmp(k, key, len) == 0 && k[len] == '\0')
            return slot;
    }
}

/* Keeps the index at most half full. */
static int grow_index(ota_props *props, ota_error *err)
{
    if (2 * (props->count + 1) <= props->index_cap)
        return 0;
    size_t cap = props->index_cap ? props->index_cap * 2 : 64;
    size_t *index = calloc(cap, sizeof *index);
    if (!index)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    free(props->index);
    props->index = index;
    props->index_cap = cap;
    for (size_t i = 0; i < props->count; i++)
        *find_slot(props, props->items[i].key, strlen(props->items[i].key)) = i + 1;
    return 0;
}

static int set_n(ota_props *props, const char *key, size_t klen, const char *value, size_t vlen,
                 ota_error *err)
{
    if (grow_index(props, err) < 0)
        return -1;
    char *v = strndup(value, vlen);
    if (!v)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    size_t *slot = find_slot(props, key, klen);
    if (*slot) {
        free(props->items[*slot - 1].value);
        props->items[*slot - 1].value = v;
        return 0;
    }
    if (props->count == props->cap) {
        size_t cap = props->cap ? props->cap * 2 : 16;
        ota_prop *items = realloc(props->items, cap * sizeof *items);
        if (!items) {
            free(v);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        }
        props->items = items;
        props->cap = cap;
    }
    char *k = strndup(key, klen);
    if (!k) {
        free(v);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    props->items[props->count] = (ota_prop){k, v};
    *slot = ++props->count;
    return 0;
}

int ota_props_parse(ota_props *props, const char *text, size_t len, const char *what,
                    ota_error *err)
{
    if (memchr(text, '\0', len)) {
        size_t at = (size_t)((const char *)memchr(text, '\0', len) - text), line = 1;
        for (size_t i = 0; i < at; i++)
            line += text[i] == '\n';
        return ota_error_set(err, OTA_ERR_FORMAT, "%s:%zu: NUL byte in a property file", what,
                             line);
    }
    size_t pos = 0, line = 0, n;
    for (const char *start; (start = ota_next_line(text, len, &pos, &n)) != NULL;) {
        line++;
        while (n && is_space(*start)) {
            start++;
            n--;
        }
        if (n == 0 || *start == '#')
            continue;
        const char *eq = memchr(start, '=', n);
        if (!eq || eq == start) {
            /* A caller loading several files may reset first_skipped
             * between them to learn each file's first such line. */
            if (props->first_skipped == 0)
                props->first_skipped = line;
            props->skipped_lines++;
            continue;
        }
        size_t klen = (size_t)(eq - start);
        while (klen && is_space(start[klen - 1]))
            klen--;
        const char *value = eq + 1;
        size_t vlen = n - (size_t)(value - start);
        while (vlen && is_space(*value)) {
            value++;
            vlen--;
        }
        while (vlen && is_space(value[vlen - 1]))
            vlen--;
        if (set_n(props, start, klen, value, vlen, err) < 0)
            return -1;
    }
    return 0;
}

int ota_props_load(ota_props *props, const char *path, size_t max_size, ota_error *err)
{
    ota_buf text = {0};
    ota_error local;
    if (ota_read_file(path, NULL, max_size, OTA_READ_REGULAR, &text, &local) < 0) {
        ota_buf_free(&text);
        if (local.code == OTA_ERR_NOTFOUND)
            return 1;
        if (local.code == OTA_ERR_LIMIT)
            ota_error_prefix(&local, "not a property file");
        if (err)
            *err = local;
        return -1;
    }
    int rc = ota_props_parse(props, (const char *)text.data, text.len, path, err);
    ota_buf_free(&text);
    return rc;
}

int ota_props_load_device(ota_props *props, const char *root, ota_buf *notes, ota_error *err)
{
    static const char *const files[] = {"/prop.default", "/default.prop"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[PATH_MAX];
        if (ota_path_at(root, files[i], path, sizeof path, err) < 0)
            return -1;
        size_t skipped = props->skipped_lines;
        props->first_skipped = 0;
        if (ota_props_load(props, path, OTA_PROPS_DEVICE_MAX, err) < 0) {
            ota_error_prefix(err, "%s", files[i]);
            return -1;
        }
        size_t more = props->skipped_lines - skipped;
        if (more && notes) {
            char line[160];
            int n = snprintf(line, sizeof line, "%s:%zu: a line without '=' was skipped (%zu "
                             "such line%s)\n", files[i], props->first_skipped, more,
                             more == 1 ? "" : "s");
            if (ota_buf_append(notes, line, (size_t)n, err) < 0)
                return -1;
        }
    }
    return 0;
}

const char *ota_props_get(const ota_props *props, const char *key)
{
    if (!props->index_cap || !key)
        return NULL;
    size_t slot = *find_slot(props, key, strlen(key));
    return slot ? props->items[slot - 1].value : NULL;
}

int ota_props_set(ota_props *props, const char *key, const char *value, ota_error *err)
{
    size_t klen = strlen(key), vlen = strlen(value);
    if (klen == 0 || key[0] == '#' || is_space(key[0]) || is_space(key[klen - 1]) ||
        strpbrk(key, "=\n"))
        return ota_error_set(err, OTA_ERR_ARGS, "\"%.80s\" cannot be a property name", key);
    if (strchr(value, '\n') || (vlen && (is_space(value[0]) || is_space(value[vlen - 1]))))
        return ota_error_set(err, OTA_ERR_ARGS, "the value of %.80s has a newline or "
                             "surrounding whitespace, which a property file cannot hold", key);
    return set_n(props, key, klen, value, vlen, err);
}

int ota_props_format(const ota_props *props, ota_buf *out, ota_error *err)
{
    for (size_t i = 0; i < props->count; i++) {
        const ota_prop *p = &props->items[i];
        if (ota_buf_append(out, p->key, strlen(p->key), err) < 0 ||
            ota_buf_append(out, "=", 1, err) < 0 ||
            ota_buf_append(out, p->value, strlen(p->value), err) < 0 ||
            ota_buf_append(out, "\n", 1, err) < 0)
            return -1;
    }
    return 0;
}

void ota_props_free(ota_props *props)
{
    if (!props)
        return;
    for (size_t i = 0; i < props->count; i++) {
        free(props->items[i].key);
        free(props->items[i].value);
    }
    free(props->items);
    free(props->index);
    memset(props, 0, sizeof *props);
}
