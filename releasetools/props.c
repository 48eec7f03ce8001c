#include "releasetools/props.h"

#include <stdlib.h>
#include <string.h>

static size_t find_key(const rt_props *props, const char *key, size_t key_len)
{
    for (size_t i = 0; i < props->count; i++)
        if (strlen(props->keys[i]) == key_len && memcmp(props->keys[i], key, key_len) == 0)
            return i;
    return props->count;
}

static int set_n(rt_props *props, const char *key, size_t key_len, const char *value,
                 size_t value_len, ota_error *err)
{
    char *v = strndup(value, value_len);
    if (!v)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    size_t i = find_key(props, key, key_len);
    if (i < props->count) {
        free(props->values[i]);
        props->values[i] = v;
        return 0;
    }
    char *k = strndup(key, key_len);
    char **nk = realloc(props->keys, (props->count + 1) * sizeof *nk);
    if (nk)
        props->keys = nk;
    char **nv = nk ? realloc(props->values, (props->count + 1) * sizeof *nv) : NULL;
    if (nv)
        props->values = nv;
    if (!k || !nk || !nv) {
        free(k);
        free(v);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    props->keys[props->count] = k;
    props->values[props->count] = v;
    props->count++;
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int rt_props_parse(rt_props *props, const char *text, size_t len, const char *what,
                   ota_error *err)
{
    size_t pos = 0;
    int line = 0;
    while (pos < len) {
        line++;
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        while (n && is_blank(*start)) {
            start++;
            n--;
        }
        while (n && is_blank(start[n - 1]))
            n--;
        if (n == 0 || *start == '#')
            continue;
        if (memchr(start, '\0', n))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s:%d: NUL byte in a property line",
                                 what, line);
        const char *eq = memchr(start, '=', n);
        if (!eq)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s:%d: expected key=value, got \"%.*s\"",
                                 what, line, (int)(n > 80 ? 80 : n), start);
        size_t klen = (size_t)(eq - start);
        while (klen && is_blank(start[klen - 1]))
            klen--;
        if (klen == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s:%d: empty property name", what, line);
        const char *value = eq + 1;
        size_t vlen = n - (size_t)(value - start);
        while (vlen && is_blank(*value)) {
            value++;
            vlen--;
        }
        if (set_n(props, start, klen, value, vlen, err) < 0)
            return -1;
    }
    return 0;
}

const char *rt_props_get(const rt_props *props, const char *key)
{
    size_t i = find_key(props, key, strlen(key));
    return i < props->count ? props->values[i] : NULL;
}

int rt_props_set(rt_props *props, const char *key, const char *value, ota_error *err)
{
    return set_n(props, key, strlen(key), value, strlen(value), err);
}

int rt_props_format(const rt_props *props, ota_buf *out, ota_error *err)
{
    for (size_t i = 0; i < props->count; i++) {
        if (ota_buf_append(out, props->keys[i], strlen(props->keys[i]), err) < 0 ||
            ota_buf_append(out, "=", 1, err) < 0 ||
            ota_buf_append(out, props->values[i], strlen(props->values[i]), err) < 0 ||
            ota_buf_append(out, "\n", 1, err) < 0)
            return -1;
    }
    return 0;
}

void rt_props_free(rt_props *props)
{
    for (size_t i = 0; i < props->count; i++) {
        free(props->keys[i]);
        free(props->values[i]);
    }
    free(props->keys);
    free(props->values);
    memset(props, 0, sizeof *props);
}
