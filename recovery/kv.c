#include "recovery/kv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/sink.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trims [*s, *e) in place. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

static char *dup_range(const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

int recovery_kv_set(recovery_kv *kv, const char *key, const char *value, ota_error *err)
{
    for (size_t i = 0; i < kv->count; i++) {
        if (strcmp(kv->pairs[i].key, key) == 0) {
            char *v = strdup(value);
            if (!v)
                return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for '%s'", key);
            free(kv->pairs[i].value);
            kv->pairs[i].value = v;
            return 0;
        }
    }
    if (kv->count == kv->cap) {
        size_t cap = kv->cap ? kv->cap * 2 : 16;
        recovery_kv_pair *p = realloc(kv->pairs, cap * sizeof *p);
        if (!p)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for '%s'", key);
        kv->pairs = p;
        kv->cap = cap;
    }
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for '%s'", key);
    }
    kv->pairs[kv->count].key = k;
    kv->pairs[kv->count].value = v;
    kv->count++;
    return 0;
}

int recovery_kv_parse(recovery_kv *kv, const char *text, size_t len, const char *what,
                      ota_error *err)
{
    if (memchr(text, '\0', len))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: contains a NUL byte", what);
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *s = p, *e = eol;
        trim(&s, &e);
        p = nl ? nl + 1 : end;
        if (s == e || *s == '#')
            continue;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s:%d: expected key=value", what, line);
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ks == ke)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s:%d: empty key", what, line);
        char *key = dup_range(ks, ke), *value = dup_range(vs, ve);
        int rc = (key && value) ? recovery_kv_set(kv, key, value, err)
                                : ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
        free(key);
        free(value);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int recovery_kv_load(recovery_kv *kv, const char *path, size_t max_size, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return ota_error_errno(err, "cannot open %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        ota_error_errno(err, "cannot stat %s", path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max_size) {
        close(fd);
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: not a regular file of at most %zu bytes",
                             path, max_size);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s", path);
    }
    long long n = ota_read_all(fd, buf, (size_t)st.st_size, err);
    close(fd);
    int rc = n < 0 ? -1 : recovery_kv_parse(kv, buf, (size_t)n, path, err);
    free(buf);
    return rc;
}

const char *recovery_kv_get(const recovery_kv *kv, const char *key)
{
    for (size_t i = 0; i < kv->count; i++)
        if (strcmp(kv->pairs[i].key, key) == 0)
            return kv->pairs[i].value;
    return NULL;
}

void recovery_kv_free(recovery_kv *kv)
{
    for (size_t i = 0; i < kv->count; i++) {
        free(kv->pairs[i].key);
        free(kv->pairs[i].value);
    }
    free(kv->pairs);
    memset(kv, 0, sizeof *kv);
}
