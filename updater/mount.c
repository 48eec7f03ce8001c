/* mount, is_mounted, unmount: mount(2) on block devices, the kernel's
 * mount table read from /proc/self/mounts (a kernel interface, so not
 * moved under RECOVERY_ROOT). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/octal_escape.h"
#include "otautil/root.h"
#include "updater/builtins.h"

#define MOUNTS_FILE "/proc/self/mounts"
/* What Android's updater mounts with, whatever the options say. */
#define BASE_FLAGS (MS_NOATIME | MS_NODEV | MS_NODIRATIME)

/* The generic mount(2) flags that may appear among a mount's options; the
 * filesystem would refuse them as data. */
static const struct {
    const char *name;
    unsigned long set, clear;
} FLAG_WORDS[] = {
    {"ro", MS_RDONLY, 0},        {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},      {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0}, {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},  {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME}, {"relatime", MS_RELATIME, 0},
    {"defaults", 0, 0},
};

int upd_mount_options(const char *options, unsigned long *flags, char *data, size_t datasz)
{
    *flags = BASE_FLAGS;
    size_t used = 0;
    data[0] = '\0';
    const char *p = options;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int is_flag = 0;
        for (size_t i = 0; n && i < sizeof FLAG_WORDS / sizeof *FLAG_WORDS; i++) {
            if (strlen(FLAG_WORDS[i].name) == n && memcmp(FLAG_WORDS[i].name, p, n) == 0) {
                *flags = (*flags | FLAG_WORDS[i].set) & ~FLAG_WORDS[i].clear;
                is_flag = 1;
                break;
            }
        }
        if (n && !is_flag) {
            if (used + (used ? 1 : 0) + n + 1 > datasz)
                return -1;
            if (used)
                data[used++] = ',';
            memcpy(data + used, p, n);
            used += n;
            data[used] = '\0';
        }
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

/* The canonical form of a mount point path (symlinks in RECOVERY_ROOT such
 * as /tmp -> /private/tmp resolved), as the kernel reports it. */
static void canonical(const char *path, char *out, size_t outsz)
{
    char real[PATH_MAX];
    snprintf(out, outsz, "%s", realpath(path, real) ? real : path);
}

/* Calls visit(arg, source, dir) for each line of the mount table until it
 * returns non-zero; returns that value, 0 at the end, -1 on failure. */
static int scan_mounts(int (*visit)(void *arg, const char *source, const char *dir), void *arg,
                       ota_error *err)
{
    FILE *f = fopen(MOUNTS_FILE, "re");
    if (!f)
        return ota_error_errno(err, "cannot read %s", MOUNTS_FILE);
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        char *save = NULL;
        char *source = strtok_r(line, " ", &save);
        char *dir = strtok_r(NULL, " ", &save);
        if (!source || !dir)
            continue;
        ota_octal_unescape(source);
        ota_octal_unescape(dir);
        rc = visit(arg, source, dir);
    }
    free(line);
    fclose(f);
    return rc;
}

static int is_dir(void *want, const char *source, const char *dir)
{
    (void)source;
    return strcmp(dir, want) == 0;
}

/* 1 when something is mounted at the resolved path, 0 when not, -1 when the
 * mount table cannot be read. */
static int mounted_at(const char *resolved, ota_error *err)
{
    char want[PATH_MAX];
    canonical(resolved, want, sizeof want);
    return scan_mounts(is_dir, want, err);
}

/* Whether the block device dev is what is mounted at the resolved path. */
typedef struct device_at {
    dev_t rdev;
    const char *dir;
} device_at;

static int is_device_at(void *arg, const char *source, const char *dir)
{
    device_at *want = arg;
    struct stat sb;
    return strcmp(dir, want->dir) == 0 && source[0] == '/' && stat(source, &sb) == 0 &&
           S_ISBLK(sb.st_mode) && sb.st_rdev == want->rdev;
}

static int device_mounted_at(const char *dev, const char *resolved, ota_error *err)
{
    struct stat sb;
    if (stat(dev, &sb) < 0 || !S_ISBLK(sb.st_mode))
        return 0;
    char canon[PATH_MAX];
    canonical(resolved, canon, sizeof canon);
    device_at want = {.rdev = sb.st_rdev, .dir = canon};
    return scan_mounts(is_device_at, &want, err);
}

/* Mount points of one block device, in mount order. */
typedef struct device_mounts {
    dev_t rdev;
    char **dirs;
    size_t count;
    int nomem;
} device_mounts;

static int collect_device(void *arg, const char *source, const char *dir)
{
    device_mounts *m = arg;
    struct stat sb;
    if (source[0] != '/' || stat(source, &sb) < 0 || !S_ISBLK(sb.st_mode) || sb.st_rdev != m->rdev)
        return 0;
    char **grown = realloc(m->dirs, (m->count + 1) * sizeof *grown);
    char *copy = strdup(dir);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            m->dirs = grown;
        m->nomem = 1;
        return 1;
    }
    m->dirs = grown;
    m->dirs[m->count++] = copy;
    return 0;
}

int upd_unmount_device(updater_ctx *ctx, const char *dev, const char *shown, ota_error *err)
{
    struct stat sb;
    if (stat(dev, &sb) < 0)
        return ota_error_errno(err, "cannot stat %s", shown);
    if (!S_ISBLK(sb.st_mode))
        return 0; /* an image file cannot be mounted directly */
    device_mounts m = {.rdev = sb.st_rdev};
    int rc = scan_mounts(collect_device, &m, err);
    if (rc >= 0 && m.nomem)
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading the mount table");
    for (size_t i = m.count; i-- > 0 && rc >= 0;) {
        if (umount(m.dirs[i]) < 0)
            rc = ota_error_errno(err, "%s is mounted at %s and cannot be unmounted", shown,
                                 ota_path_unroot_at(ctx->root, m.dirs[i]));
        else
            updater_ui_printf(ctx, "unmounted %s from %s before formatting it", shown,
                              ota_path_unroot_at(ctx->root, m.dirs[i]));
    }
    for (size_t i = 0; i < m.count; i++)
        free(m.dirs[i]);
    free(m.dirs);
    return rc < 0 ? -1 : 0;
}

/* The mounts this run made, so that a failed script does not leave them
 * behind for the next attempt. */
static void remember_mount(updater_ctx *ctx, const char *dir)
{
    char canon[PATH_MAX];
    canonical(dir, canon, sizeof canon);
    char **grown = realloc(ctx->mounted, (ctx->nmounted + 1) * sizeof *grown);
    if (!grown)
        return; /* only a cleanup aid */
    ctx->mounted = grown;
    if ((ctx->mounted[ctx->nmounted] = strdup(canon)))
        ctx->nmounted++;
}

static void forget_mount(updater_ctx *ctx, const char *canon)
{
    for (size_t i = ctx->nmounted; i-- > 0;) {
        if (strcmp(ctx->mounted[i], canon) == 0) {
            free(ctx->mounted[i]);
            memmove(ctx->mounted + i, ctx->mounted + i + 1,
                    (ctx->nmounted - i - 1) * sizeof *ctx->mounted);
            ctx->nmounted--;
            return;
        }
    }
}

void updater_unmount_leftovers(updater_ctx *ctx)
{
    for (size_t i = ctx->nmounted; i-- > 0;) {
        ota_error err;
        if (mounted_at(ctx->mounted[i], &err) == 1) {
            if (umount(ctx->mounted[i]) == 0)
                updater_log(ctx, "updater: unmounted %s after the failure",
                            ota_path_unroot_at(ctx->root, ctx->mounted[i]));
            else
                updater_log(ctx, "updater: cannot unmount %s after the failure: %s",
                            ota_path_unroot_at(ctx->root, ctx->mounted[i]), strerror(errno));
        }
        free(ctx->mounted[i]);
    }
    free(ctx->mounted);
    ctx->mounted = NULL;
    ctx->nmounted = 0;
}

/* mount() in each form some Android version had (otautil/fs_forms.h). */
static edify_value *fn_mount(edify_state *st, const edify_call *call)
{
    char *args[5] = {0};
    if (edify_eval_strings(st, call->argc, call->argv, args) < 0)
        return NULL;
    ota_fs_call c;
    ota_mount_form(call->argc, (const char *const *)args, &c);
    const char *fs_type = c.fs_type, *location = c.location, *mount_point = c.mount_point,
               *options = c.options;
    edify_value *result = NULL;
    char *dev = NULL, *dir = NULL;
    ota_error err;
    if (!*fs_type || !*c.part_type || !*location || !*mount_point) {
        edify_fail_code(st, OTA_ERR_ARGS, "fs_type, partition_type, location and mount_point "
                        "must not be empty");
        goto out;
    }
    if (c.mtd) {
        upd_fail_mtd(st, call, args, &c);
        goto out;
    }
    if (strcmp(c.part_type, "EMMC") != 0) {
        edify_fail_code(st, OTA_ERR_UNSUPPORTED, "partition type \"%s\" is not supported "
                        "(only \"EMMC\": block devices)", c.part_type);
        goto out;
    }
    if (!(dev = upd_path(st, location)) || !(dir = upd_path(st, mount_point)))
        goto out;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        edify_fail_errno(st, "cannot create mount point %s", mount_point);
        goto out;
    }
    unsigned long flags;
    char data[1024];
    if (upd_mount_options(options, &flags, data, sizeof data) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "mount options \"%s\" are too long", options);
        goto out;
    }
    if (mount(dev, dir, fs_type, flags, data) < 0) {
        int saved = errno;
        /* Mounting what is already there (the same script run again after
         * an interruption) is not an error. */
        if (saved == EBUSY && device_mounted_at(dev, dir, &err) == 1) {
            updater_ui_printf(upd_ctx(st), "%s is already mounted at %s", location, mount_point);
            result = edify_string(mount_point);
            goto out;
        }
        struct stat sb;
        if (saved == ENOENT && stat(dev, &sb) < 0 && errno == ENOENT) {
            char what[PATH_MAX + 16];
            snprintf(what, sizeof what, "mount %s", mount_point);
            upd_fail_missing_device(st, what, location, mount_point);
            goto out;
        }
        errno = saved;
        edify_fail_errno(st, "cannot mount %s (%s) at %s", location, fs_type, mount_point);
        goto out;
    }
    remember_mount(upd_ctx(st), dir);
    result = edify_string(mount_point);
out:
    free(dev);
    free(dir);
    edify_free_strings(args, call->argc);
    return result;
}

/* is_mounted(mount_point) and unmount(mount_point), one function told
 * apart by name: is_mounted gives mount_point when something is mounted
 * there, else ""; unmount unmounts it and gives mount_point, or "" (with a
 * note) when nothing is mounted there, as Android. */
static edify_value *fn_mount_point(edify_state *st, const edify_call *call)
{
    int unmount = strcmp(call->name, "unmount") == 0;
    char *mp;
    if (edify_eval_strings(st, 1, call->argv, &mp) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dir = upd_path(st, mp);
    if (!dir)
        goto out;
    ota_error err;
    int r = mounted_at(dir, &err);
    if (r < 0) {
        edify_fail_error(st, &err);
    } else if (!unmount || r == 0) {
        if (unmount)
            updater_ui_printf(upd_ctx(st), "unmount of %s: not mounted", mp);
        result = edify_string(r ? mp : "");
    } else {
        char canon[PATH_MAX];
        canonical(dir, canon, sizeof canon);
        if (umount(canon) < 0) {
            edify_fail_errno(st, "cannot unmount %s", mp);
        } else {
            forget_mount(upd_ctx(st), canon);
            result = edify_string(mp);
        }
    }
out:
    free(dir);
    free(mp);
    return result;
}

const edify_reg upd_mount_builtins[] = {
    {"mount", fn_mount, 3, 5},
    {"is_mounted", fn_mount_point, 1, 1},
    {"unmount", fn_mount_point, 1, 1},
    {NULL, NULL, 0, 0},
};
