/* symlink, delete, delete_recursive, rename, write_value. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/sink.h"
#include "updater/builtins.h"

/* Creates the missing parent directories of path (0755). */
static int make_parents(const char *root, const char *path, ota_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (char *s = strchr(copy + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
            ota_error_errno(err, "cannot create directory %s", ota_path_unroot_at(root, copy));
            free(copy);
            return -1;
        }
        *s = '/';
    }
    free(copy);
    return 0;
}

/* A link made under a temporary name and renamed over the old one, so the
 * name is never missing. */
static int replace_symlink(const char *root, const char *target, const char *path, ota_error *err)
{
    const char *shown = ota_path_unroot_at(root, path);
    if (make_parents(root, path, err) < 0)
        return -1;
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = -1;
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, len, "%s.updater-tmp.%u", path, attempt);
        if (symlink(target, tmp) == 0) {
            rc = 0;
            break;
        }
        if (errno != EEXIST) {
            ota_error_errno(err, "cannot create symlink %s -> %s", shown, target);
            free(tmp);
            return -1;
        }
    }
    if (rc < 0) {
        free(tmp);
        return ota_error_set(err, OTA_ERR_IO, "no free temporary name next to %s", shown);
    }
    if (rename(tmp, path) < 0) {
        rc = errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST
                 ? ota_error_set(err, OTA_ERR_IO, "cannot replace the directory %s with a "
                                 "symlink", shown)
                 : ota_error_errno(err, "cannot create symlink %s -> %s", shown, target);
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

typedef struct link_job {
    const char *root, *target;
} link_job;

static int link_one(void *arg, const char *path, const char *shown, ota_error *err)
{
    (void)shown;
    const link_job *j = arg;
    return replace_symlink(j->root, j->target, path, err);
}

/* symlink(target, link...) */
static edify_value *fn_symlink(edify_state *st, const edify_call *call)
{
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    link_job job = {upd_ctx(st)->root, args[0]};
    if (args[0][0] == '\0')
        edify_fail_code(st, OTA_ERR_ARGS, "empty symlink target");
    else if (upd_each_path(st, args, 1, call->argc, link_one, &job) == 0)
        result = upd_true();
    upd_strings_free(args, call->argc);
    return result;
}

/* Files go as they are met, directories on the way back up. */
static int remove_node(void *root, const upd_walk_node *n, ota_error *err)
{
    if (S_ISDIR(n->st->st_mode)) {
        if (n->post && rmdir(n->path) < 0)
            return ota_error_errno(err, "cannot remove directory %s",
                                   ota_path_unroot_at(root, n->path));
        return 0;
    }
    if (unlink(n->path) < 0)
        return ota_error_errno(err, "cannot delete %s", ota_path_unroot_at(root, n->path));
    return 0;
}

typedef struct delete_job {
    const char *root;
    int recursive;
    int removed;
} delete_job;

static int delete_one(void *arg, const char *path, const char *shown, ota_error *err)
{
    delete_job *j = arg;
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return 0; /* already gone */
    if (j->recursive && upd_walk(j->root, path, 1, remove_node, (void *)j->root, err) < 0)
        return -1;
    if (!j->recursive && unlink(path) < 0)
        return ota_error_errno(err, "cannot delete %s", shown);
    j->removed++;
    return 0;
}

/* delete(path...) and delete_recursive(path...), one function told apart
 * by name as in KitKat: the number of paths that existed and were removed.
 * A path that is already gone is fine (scripts delete what an older build
 * may have had); one that cannot be removed is a failure. */
static edify_value *fn_delete(edify_state *st, const edify_call *call)
{
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    delete_job job = {upd_ctx(st)->root, strcmp(call->name, "delete_recursive") == 0, 0};
    if (upd_each_path(st, args, 0, call->argc, delete_one, &job) == 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", job.removed);
        result = edify_string(count);
    }
    upd_strings_free(args, call->argc);
    return result;
}

/* rename(src, dst): dst's parents are created. */
static edify_value *fn_rename(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *src = upd_path(st, args[0]), *dst = src ? upd_path(st, args[1]) : NULL;
    ota_error err;
    if (!dst)
        goto out;
    if (make_parents(upd_ctx(st)->root, dst, &err) < 0)
        edify_fail_error(st, &err);
    else if (rename(src, dst) < 0)
        edify_fail_errno(st, "cannot rename %s to %s", args[0], args[1]);
    else
        result = edify_string(args[1]);
out:
    free(src);
    free(dst);
    edify_free_strings(args, 2);
    return result;
}

/* write_value(value, path): "t", or "" when the file cannot be written (as
 * Android: scripts use it for optional tuning knobs in /sys and /proc). */
static edify_value *fn_write_value(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    char *path = upd_path(st, args[1]);
    edify_value *result = NULL;
    if (path) {
        ota_error err;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int ok = fd >= 0 && ota_write_all(fd, args[0], strlen(args[0]), &err) == 0;
        struct stat sb;
        if (ok && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
            ok = fsync(fd) == 0;
        if (fd >= 0 && close(fd) < 0)
            ok = 0;
        if (!ok)
            updater_ui_printf(upd_ctx(st), "write_value: cannot write \"%s\" to %s: %s",
                              args[0], args[1], strerror(errno));
        result = edify_string(ok ? "t" : "");
        free(path);
    }
    edify_free_strings(args, 2);
    return result;
}

const edify_reg upd_files_builtins[] = {
    {"symlink", fn_symlink, 2, EDIFY_VARARGS},
    {"delete", fn_delete, 1, EDIFY_VARARGS},
    {"delete_recursive", fn_delete, 1, EDIFY_VARARGS},
    {"rename", fn_rename, 2, 2},
    {"write_value", fn_write_value, 2, 2},
    {NULL, NULL, 0, 0},
};
