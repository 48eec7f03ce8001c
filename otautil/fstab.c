#include "otautil/fstab.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "otautil/sink.h"

enum { MAX_FIELDS = 8, MAX_FSTAB_BYTES = 1 << 20 };

/* mount(2) flags that may appear among the mount options; the rest of the
 * options are passed to the filesystem as data. */
static const struct {
    const char *name;
    unsigned long flag;
} mount_flags[] = {
    {"ro", MS_RDONLY},     {"rw", 0},           {"nosuid", MS_NOSUID},
    {"nodev", MS_NODEV},   {"noexec", MS_NOEXEC}, {"sync", MS_SYNCHRONOUS},
    {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
    {"dirsync", MS_DIRSYNC}, {"defaults", 0},
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int parse_length(const char *value, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 0);
    if (errno || end == value || *end)
        return -1;
    *out = v;
    return 0;
}

/* Splits comma-separated options: mount flags into *flags, length= into
 * *length, everything else (the fs data options) appended to data. */
static int parse_options(const char *opts, unsigned long *flags, long long *length,
                         ota_buf *data, int line, ota_error *err)
{
    char *copy = strdup(opts);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt;
         opt = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++)
            if (strcmp(opt, mount_flags[i].name) == 0)
                break;
        if (i < sizeof mount_flags / sizeof mount_flags[0]) {
            *flags |= mount_flags[i].flag;
        } else if (strncmp(opt, "length=", 7) == 0) {
            if (parse_length(opt + 7, length) < 0) {
                rc = ota_error_set(err, OTA_ERR_FORMAT, "line %d: bad length '%s'", line, opt + 7);
                break;
            }
        } else if (strncmp(opt, "fsoptions=", 10) == 0) {
            if ((data->len && ota_buf_append(data, ",", 1, err) < 0) ||
                ota_buf_append(data, opt + 10, strlen(opt + 10), err) < 0) {
                rc = -1;
                break;
            }
        } else {
            /* fs data option (barrier=1, data=ordered, discard ...) */
            if ((data->len && ota_buf_append(data, ",", 1, err) < 0) ||
                ota_buf_append(data, opt, strlen(opt), err) < 0) {
                rc = -1;
                break;
            }
        }
    }
    free(copy);
    return rc;
}

static int add_entry(ota_fstab *fstab, char **f, int nf, int line, ota_error *err)
{
    /* Both forms have at least three fields; fewer must be refused before
     * f[1] and f[2] are looked at (they are not set). */
    if (nf < 3)
        return ota_error_set(err, OTA_ERR_FORMAT, "line %d: expected MOUNT_POINT TYPE DEVICE or DEVICE MOUNT_POINT TYPE, got %d field%s", line, nf, nf == 1 ? "" : "s");
    /* fs_mgr form has a mount point second; the legacy form a type. */
    int fs_mgr = f[1][0] == '/';
    const char *mount_point = fs_mgr ? f[1] : f[0];
    const char *type = fs_mgr ? f[2] : f[1];
    const char *device = fs_mgr ? f[0] : f[2];
    const char *device2 = NULL;
    const char *mnt_opts = NULL, *mgr_opts = NULL;
    if (fs_mgr) {
        mnt_opts = nf > 3 ? f[3] : NULL;
        mgr_opts = nf > 4 ? f[4] : NULL;
    } else {
        if (mount_point[0] != '/')
            return ota_error_set(err, OTA_ERR_FORMAT, "line %d: expected MOUNT_POINT TYPE DEVICE [DEVICE2] [OPTIONS]", line);
        int next = 3;
        if (nf > next && f[next][0] == '/')
            device2 = f[next++];
        if (nf > next)
            mnt_opts = f[next++];
        if (nf > next)
            return ota_error_set(err, OTA_ERR_FORMAT, "line %d: unexpected field '%s'", line, f[next]);
    }
    if (mount_point[0] != '/')
        return ota_error_set(err, OTA_ERR_FORMAT, "line %d: mount point '%s' is not absolute", line, mount_point);

    ota_fstab_entry e = {0};
    ota_buf data = {0};
    /* fs_mgr flags (wait, check, length=...) matter here only for length=. */
    ota_buf mgr_ignored = {0};
    unsigned long mgr_flags_ignored = 0;
    int rc = 0;
    if (mnt_opts)
        rc = parse_options(mnt_opts, &e.mnt_flags, &e.length, &data, line, err);
    if (rc == 0 && mgr_opts)
        rc = parse_options(mgr_opts, &mgr_flags_ignored, &e.length, &mgr_ignored, line, err);
    ota_buf_free(&mgr_ignored);
    if (rc < 0) {
        ota_buf_free(&data);
        return -1;
    }
    ota_fstab_entry *grown = realloc(fstab->entries, (fstab->count + 1) * sizeof *grown);
    if (!grown) {
        ota_buf_free(&data);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    fstab->entries = grown;
    e.mount_point = strdup(mount_point);
    e.fs_type = strdup(type);
    e.device = strdup(device);
    e.device2 = dup_or_null(device2);
    e.mnt_options = strdup(data.data ? (char *)data.data : "");
    ota_buf_free(&data);
    /* Trailing slashes are not part of a mount point ("/system/"). */
    if (e.mount_point)
        for (size_t n = strlen(e.mount_point); n > 1 && e.mount_point[n - 1] == '/'; n--)
            e.mount_point[n - 1] = '\0';
    fstab->entries[fstab->count++] = e;
    if (!e.mount_point || !e.fs_type || !e.device || !e.mnt_options || (device2 && !e.device2))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return 0;
}

int ota_fstab_parse(const char *text, ota_fstab *fstab, ota_error *err)
{
    fstab->entries = NULL;
    fstab->count = 0;
    int line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char *buf = strndup(p, n);
        if (!buf) {
            ota_fstab_free(fstab);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        }
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *f[MAX_FIELDS];
        int nf = 0;
        for (char *save = NULL, *tok = strtok_r(buf, " \t\r", &save); tok;
             tok = strtok_r(NULL, " \t\r", &save)) {
            if (nf == MAX_FIELDS) {
                free(buf);
                ota_fstab_free(fstab);
                return ota_error_set(err, OTA_ERR_FORMAT, "line %d: too many fields", line);
            }
            f[nf++] = tok;
        }
        int rc = nf ? add_entry(fstab, f, nf, line, err) : 0;
        free(buf);
        if (rc < 0) {
            ota_fstab_free(fstab);
            return -1;
        }
        p += n + (eol ? 1 : 0);
    }
    return 0;
}

int ota_fstab_load(const char *path, ota_fstab *fstab, ota_error *err)
{
    fstab->entries = NULL;
    fstab->count = 0;
    FILE *fp = fopen(path, "re");
    if (!fp)
        return ota_error_errno(err, "cannot open fstab %s", path);
    ota_buf text = {0};
    char chunk[4096];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (text.len + n > MAX_FSTAB_BYTES) {
            rc = ota_error_set(err, OTA_ERR_LIMIT, "fstab %s is larger than %d bytes", path, MAX_FSTAB_BYTES);
            break;
        }
        if ((rc = ota_buf_append(&text, chunk, n, err)) < 0)
            break;
    }
    if (rc == 0 && ferror(fp))
        rc = ota_error_errno(err, "cannot read fstab %s", path);
    fclose(fp);
    if (rc == 0 && memchr(text.data ? text.data : (unsigned char *)"", '\0', text.len))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "fstab %s contains a NUL byte", path);
    if (rc == 0) {
        rc = ota_fstab_parse(text.data ? (char *)text.data : "", fstab, err);
        if (rc < 0)
            ota_error_prefix(err, "fstab %s", path);
    }
    ota_buf_free(&text);
    return rc;
}

void ota_fstab_free(ota_fstab *fstab)
{
    for (size_t i = 0; i < fstab->count; i++) {
        ota_fstab_entry *e = &fstab->entries[i];
        free(e->mount_point);
        free(e->fs_type);
        free(e->device);
        free(e->device2);
        free(e->mnt_options);
    }
    free(fstab->entries);
    fstab->entries = NULL;
    fstab->count = 0;
}

const ota_fstab_entry *ota_fstab_find(const ota_fstab *fstab, const char *mount_point)
{
    const char *name = mount_point[0] == '/' ? mount_point + 1 : mount_point;
    size_t len = strlen(name);
    while (len > 0 && name[len - 1] == '/')
        len--;
    for (size_t i = 0; i < fstab->count; i++) {
        const char *mp = fstab->entries[i].mount_point + 1;
        if (strlen(mp) == len && strncmp(mp, name, len) == 0)
            return &fstab->entries[i];
    }
    return NULL;
}

const ota_fstab_entry *ota_fstab_for_path(const ota_fstab *fstab, const char *path)
{
    const ota_fstab_entry *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < fstab->count; i++) {
        const char *mp = fstab->entries[i].mount_point;
        size_t n = strlen(mp);
        if (strcmp(mp, "/") == 0)
            n = 0;
        if (strncmp(path, mp, n) == 0 && (path[n] == '/' || path[n] == '\0') &&
            (!best || n > best_len)) {
            best = &fstab->entries[i];
            best_len = n;
        }
    }
    return best;
}
