/* getprop and file_getprop: key=value property files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/sink.h"
#include "updater/builtins.h"

/* The recovery's properties, in lookup order: the first file defining a key
 * wins.  Android's build writes the build's properties (fingerprint, device)
 * into recovery's /default.prop; newer builds name that file /prop.default. */
static const char *const PROPERTY_FILES[] = {"/default.prop", "/prop.default"};
/* Property files are small; anything bigger is not one. */
#define MAX_PROP_FILE (1024 * 1024)

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

char *upd_prop_lookup(const char *text, size_t len, const char *key, int *found)
{
    size_t klen = strlen(key);
    const char *value = NULL;
    size_t vlen = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        size_t s = 0;
        while (s < n && is_space(line[s]))
            s++;
        if (s == n || line[s] == '#')
            continue;
        const char *eq = memchr(line + s, '=', n - s);
        if (!eq)
            continue;
        size_t ke = (size_t)(eq - line);
        while (ke > s && is_space(line[ke - 1]))
            ke--;
        if (ke - s != klen || memcmp(line + s, key, klen) != 0)
            continue;
        size_t vs = (size_t)(eq - line) + 1, ve = n;
        while (vs < ve && is_space(line[vs]))
            vs++;
        while (ve > vs && is_space(line[ve - 1]))
            ve--;
        value = line + vs; /* later definitions override earlier ones */
        vlen = ve - vs;
    }
    char *copy = value ? strndup(value, vlen) : NULL;
    *found = copy != NULL;
    return copy;
}

/* Reads a whole (small) file; -1 with errno-based message on failure. */
static int read_small(const char *path, const char *shown, ota_buf *buf, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", shown);
    char chunk[8192];
    for (;;) {
        long long n = ota_read_all(fd, chunk, sizeof chunk, err);
        if (n < 0 || (n > 0 && ota_buf_append(buf, chunk, (size_t)n, err) < 0)) {
            close(fd);
            return -1;
        }
        if (buf->len > MAX_PROP_FILE) {
            close(fd);
            return ota_error_set(err, OTA_ERR_LIMIT, "%s is larger than %d bytes; not a "
                                 "property file", shown, MAX_PROP_FILE);
        }
        if ((size_t)n < sizeof chunk)
            break;
    }
    close(fd);
    return 0;
}

static edify_value *fn_getprop(edify_state *st, const edify_call *call)
{
    char *key;
    if (edify_eval_strings(st, 1, call->argv, &key) < 0)
        return NULL;
    edify_value *result = NULL;
    for (size_t i = 0; i < sizeof PROPERTY_FILES / sizeof *PROPERTY_FILES && !result; i++) {
        char *path = upd_path(st, PROPERTY_FILES[i]);
        if (!path)
            goto out;
        ota_buf buf = {0};
        ota_error err;
        int found = 0;
        /* A missing property file just has no properties. */
        if (read_small(path, PROPERTY_FILES[i], &buf, &err) == 0 && buf.len) {
            char *value = upd_prop_lookup((char *)buf.data, buf.len, key, &found);
            /* The value passes to edify even when that fails. */
            if (found)
                result = edify_string_take(value, strlen(value));
        }
        ota_buf_free(&buf);
        free(path);
    }
    if (!result)
        result = edify_string("");
out:
    free(key);
    return result;
}

static edify_value *fn_file_getprop(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *path = upd_path(st, args[0]);
    if (path) {
        ota_buf buf = {0};
        ota_error err;
        if (read_small(path, args[0], &buf, &err) < 0) {
            edify_fail_error(st, &err);
        } else {
            int found;
            char *value = upd_prop_lookup(buf.len ? (char *)buf.data : "", buf.len, args[1],
                                          &found);
            result = found ? edify_string_take(value, strlen(value)) : edify_string("");
            if (!result)
                edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
        }
        ota_buf_free(&buf);
        free(path);
    }
    edify_free_strings(args, 2);
    return result;
}

const edify_reg upd_props_builtins[] = {
    {"getprop", fn_getprop, 1, 1},
    {"file_getprop", fn_file_getprop, 2, 2},
    {NULL, NULL, 0, 0},
};
