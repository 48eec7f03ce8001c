#include "releasetools/fs_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/octal_escape.h"

int rt_meta_copy(rt_meta *dst, const rt_meta *src, ota_error *err)
{
    *dst = *src;
    if (src->selabel && !(dst->selabel = strdup(src->selabel)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return 0;
}

void rt_meta_free(rt_meta *meta)
{
    free(meta->selabel);
    meta->selabel = NULL;
}

int rt_meta_equal(const rt_meta *a, const rt_meta *b)
{
    if (a->uid != b->uid || a->gid != b->gid || a->mode != b->mode ||
        a->capabilities != b->capabilities)
        return 0;
    if (!a->selabel || !b->selabel)
        return a->selabel == b->selabel;
    return strcmp(a->selabel, b->selabel) == 0;
}

int rt_fs_config_add(rt_fs_config *cfg, const char *path, const rt_meta *meta, ota_error *err)
{
    rt_fs_config_entry *n = realloc(cfg->entries, (cfg->count + 1) * sizeof *n);
    if (!n)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    cfg->entries = n;
    rt_fs_config_entry *e = &n[cfg->count];
    if (!(e->path = strdup(path)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rt_meta_copy(&e->meta, meta, err) < 0) {
        free(e->path);
        return -1;
    }
    cfg->count++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const rt_fs_config_entry *)a)->path, ((const rt_fs_config_entry *)b)->path);
}

void rt_fs_config_sort(rt_fs_config *cfg)
{
    if (cfg->count > 1)
        qsort(cfg->entries, cfg->count, sizeof *cfg->entries, cmp_entry);
}

const rt_meta *rt_fs_config_find(const rt_fs_config *cfg, const char *path)
{
    rt_fs_config_entry key = {.path = (char *)path};
    const rt_fs_config_entry *e =
        cfg->count ? bsearch(&key, cfg->entries, cfg->count, sizeof key, cmp_entry) : NULL;
    return e ? &e->meta : NULL;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_u32(const char *s, int base, uint32_t *out)
{
    char *end;
    errno = 0;
    /* Digits only: strtoull would also take leading white space (\v, \f are
     * not field separators here) and a sign, and negate what follows. */
    if (!is_digit(*s))
        return -1;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || end == s || *end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Paths with white space, control characters or backslashes are written
 * with octal escapes (otautil/octal_escape.h), so any name the rootfs can
 * hold round-trips; Android's own files never need them. */

/* One line split in place into whitespace-separated fields. */
static int parse_line(rt_fs_config *cfg, char *line, int lineno, ota_error *err)
{
    char *fields[8];
    int n = 0;
    for (char *save = NULL, *f = strtok_r(line, " \t\r", &save); f;
         f = strtok_r(NULL, " \t\r", &save)) {
        if (n == 8)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "filesystem_config.txt:%d: too many fields", lineno);
        fields[n++] = f;
    }
    if (n == 0)
        return 0;
    if (n < 4)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "filesystem_config.txt:%d: expected PATH UID GID MODE, got %d field%s",
                             lineno, n, n == 1 ? "" : "s");
    rt_meta meta = {0};
    if (parse_u32(fields[1], 10, &meta.uid) < 0 || parse_u32(fields[2], 10, &meta.gid) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "filesystem_config.txt:%d: %s: bad uid \"%s\" or gid \"%s\"", lineno,
                             fields[0], fields[1], fields[2]);
    if (parse_u32(fields[3], 8, &meta.mode) < 0 || meta.mode > 07777)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "filesystem_config.txt:%d: %s: bad octal mode \"%s\"", lineno,
                             fields[0], fields[3]);
    for (int i = 4; i < n; i++) {
        if (strncmp(fields[i], "selabel=", 8) == 0 && fields[i][8]) {
            meta.selabel = fields[i] + 8;
        } else if (strncmp(fields[i], "capabilities=", 13) == 0) {
            char *end;
            errno = 0;
            meta.capabilities = strtoull(fields[i] + 13, &end, 0);
            if (errno || end == fields[i] + 13 || *end || !is_digit(fields[i][13]))
                return ota_error_set(err, OTA_ERR_FORMAT,
                                     "filesystem_config.txt:%d: %s: bad capabilities \"%s\"",
                                     lineno, fields[0], fields[i] + 13);
        } else {
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "filesystem_config.txt:%d: %s: unknown field \"%s\"", lineno,
                                 fields[0], fields[i]);
        }
    }
    ota_octal_unescape(fields[0]);
    if (!fields[0][0])
        return ota_error_set(err, OTA_ERR_FORMAT, "filesystem_config.txt:%d: empty path", lineno);
    return rt_fs_config_add(cfg, fields[0], &meta, err);
}

int rt_fs_config_parse(rt_fs_config *cfg, const char *text, size_t len, ota_error *err)
{
    size_t pos = 0, n;
    int lineno = 0;
    for (const char *start; (start = ota_next_line(text, len, &pos, &n)) != NULL;) {
        lineno++;
        if (memchr(start, '\0', n))
            return ota_error_set(err, OTA_ERR_FORMAT, "filesystem_config.txt:%d: NUL byte",
                                 lineno);
        char *line = strndup(start, n);
        if (!line)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        int rc = parse_line(cfg, line, lineno, err);
        free(line);
        if (rc < 0)
            return -1;
    }
    rt_fs_config_sort(cfg);
    for (size_t i = 1; i < cfg->count; i++)
        if (strcmp(cfg->entries[i - 1].path, cfg->entries[i].path) == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "filesystem_config.txt: %s listed twice",
                                 cfg->entries[i].path);
    return 0;
}

int rt_fs_config_format(const rt_fs_config *cfg, ota_buf *out, ota_error *err)
{
    for (size_t i = 0; i < cfg->count; i++) {
        const rt_fs_config_entry *e = &cfg->entries[i];
        char line[256];
        int n = snprintf(line, sizeof line, " %u %u %o", e->meta.uid, e->meta.gid, e->meta.mode);
        if (ota_octal_escape_append(out, e->path, err) < 0 || ota_buf_append(out, line, (size_t)n, err) < 0)
            return -1;
        if (e->meta.selabel && (ota_buf_append(out, " selabel=", 9, err) < 0 ||
                                ota_buf_append(out, e->meta.selabel, strlen(e->meta.selabel),
                                               err) < 0))
            return -1;
        if (e->meta.capabilities) {
            n = snprintf(line, sizeof line, " capabilities=0x%llx",
                         (unsigned long long)e->meta.capabilities);
            if (ota_buf_append(out, line, (size_t)n, err) < 0)
                return -1;
        }
        if (ota_buf_append(out, "\n", 1, err) < 0)
            return -1;
    }
    return 0;
}

void rt_fs_config_free(rt_fs_config *cfg)
{
    for (size_t i = 0; i < cfg->count; i++) {
        free(cfg->entries[i].path);
        rt_meta_free(&cfg->entries[i].meta);
    }
    free(cfg->entries);
    memset(cfg, 0, sizeof *cfg);
}
