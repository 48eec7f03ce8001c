/* set_perm, set_perm_recursive, set_metadata, set_metadata_recursive:
 * owner, mode (setuid/setgid included: the mode is applied after the chown
 * that would clear them), SELinux label (security.selinux) and file
 * capabilities (security.capability), in that order, since a chown also
 * drops the capability attribute. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "otautil/caps.h"
#include "otautil/root.h"
#include "updater/builtins.h"

#define XATTR_SELINUX "security.selinux"
typedef struct perm_spec {
    int has_uid, has_gid, has_mode, has_dmode, has_fmode, has_selabel, has_caps;
    uid_t uid;
    gid_t gid;
    mode_t mode, dmode, fmode;
    const char *selabel;
    uint64_t caps;
} perm_spec;

static int apply(const char *root, const char *path, const struct stat *sb, const perm_spec *p, ota_error *err)
{
    const char *shown = ota_path_unroot_at(root, path);
    if ((p->has_uid || p->has_gid) &&
        lchown(path, p->has_uid ? p->uid : (uid_t)-1, p->has_gid ? p->gid : (gid_t)-1) < 0)
        return ota_error_errno(err, "cannot change the owner of %s", shown);
    /* A symlink has no mode of its own; chmod would reach its target. */
    if (!S_ISLNK(sb->st_mode)) {
        int has = 0;
        mode_t mode = 0;
        if (p->has_mode)
            has = 1, mode = p->mode;
        if (p->has_dmode && S_ISDIR(sb->st_mode))
            has = 1, mode = p->dmode;
        if (p->has_fmode && S_ISREG(sb->st_mode))
            has = 1, mode = p->fmode;
        if (has && chmod(path, mode) < 0)
            return ota_error_errno(err, "cannot change the mode of %s", shown);
    }
    if (p->has_selabel &&
        lsetxattr(path, XATTR_SELINUX, p->selabel, strlen(p->selabel) + 1, 0) < 0)
        return ota_error_errno(err, "cannot set the SELinux label of %s to %s", shown,
                               p->selabel);
    if (p->has_caps && S_ISREG(sb->st_mode)) {
        if (p->caps == 0) {
            if (removexattr(path, OTA_CAPS_XATTR) < 0 && errno != ENODATA)
                return ota_error_errno(err, "cannot remove the capabilities of %s", shown);
        } else {
            uint8_t value[OTA_VFS_CAP_SIZE];
            ota_vfs_cap_encode(p->caps, value);
            if (setxattr(path, OTA_CAPS_XATTR, value, sizeof value, 0) < 0)
                return ota_error_errno(err, "cannot set the capabilities of %s", shown);
        }
    }
    return 0;
}


/* What set_perm* and set_metadata* apply, and under which root. */
typedef struct tree_perms {
    const char *root;
    const perm_spec *p;
} tree_perms;

/* Directories are set on the way down, so their contents can be reached. */
static int apply_node(void *arg, const upd_walk_node *n, ota_error *err)
{
    const tree_perms *t = arg;
    return n->post ? 0 : apply(t->root, n->path, n->st, t->p, err);
}

/* upd_path_fns for the path lists: the path itself, or its whole tree. */
static int apply_one(void *arg, const char *path, const char *shown, ota_error *err)
{
    (void)shown;
    const tree_perms *t = arg;
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return ota_error_errno(err, "cannot stat %s", ota_path_unroot_at(t->root, path));
    return apply(t->root, path, &sb, t->p, err);
}

static int apply_tree(void *arg, const char *path, const char *shown, ota_error *err)
{
    (void)shown;
    const tree_perms *t = arg;
    return upd_walk(t->root, path, 0, apply_node, (void *)t, err);
}

static int parse_id(const char *s, unsigned *out)
{
    uint64_t v;
    if (upd_parse_u64(s, 0, &v) < 0 || v > 0xfffffffeu)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_mode(const char *s, mode_t *out)
{
    uint64_t v;
    if (upd_parse_u64(s, 8, &v) < 0 || v > 07777)
        return -1;
    *out = (mode_t)v;
    return 0;
}

/* set_perm(uid, gid, mode, path...) and set_perm_recursive(uid, gid,
 * dirmode, filemode, path...): one function, told apart by name. */
static edify_value *fn_set_perm(edify_state *st, const edify_call *call)
{
    int recursive = strcmp(call->name, "set_perm_recursive") == 0;
    int nfixed = recursive ? 4 : 3;
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    perm_spec p = {.has_uid = 1, .has_gid = 1};
    unsigned id;
    if (parse_id(args[0], &id) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "bad uid \"%s\"", args[0]);
        goto out;
    }
    p.uid = id;
    if (parse_id(args[1], &id) < 0) {
        edify_fail_code(st, OTA_ERR_ARGS, "bad gid \"%s\"", args[1]);
        goto out;
    }
    p.gid = id;
    if (recursive) {
        p.has_dmode = p.has_fmode = 1;
        if (parse_mode(args[2], &p.dmode) < 0 || parse_mode(args[3], &p.fmode) < 0) {
            edify_fail_code(st, OTA_ERR_ARGS, "bad mode \"%s\" or \"%s\" (octal, at most 7777)",
                            args[2], args[3]);
            goto out;
        }
    } else {
        p.has_mode = 1;
        if (parse_mode(args[2], &p.mode) < 0) {
            edify_fail_code(st, OTA_ERR_ARGS, "bad mode \"%s\" (octal, at most 7777)", args[2]);
            goto out;
        }
    }
    tree_perms job = {upd_ctx(st)->root, &p};
    if (upd_each_path(st, args, nfixed, call->argc, recursive ? apply_tree : apply_one, &job) == 0)
        result = upd_true();
out:
    upd_strings_free(args, call->argc);
    return result;
}

/* key/value pairs of set_metadata*: uid gid mode dmode fmode selabel
 * capabilities. */
static int parse_pairs(edify_state *st, int n, char **kv, int recursive, perm_spec *p)
{
    for (int i = 0; i + 1 < n; i += 2) {
        const char *k = kv[i], *v = kv[i + 1];
        unsigned id = 0;
        int bad;
        if (strcmp(k, "uid") == 0) {
            bad = parse_id(v, &id) < 0;
            p->uid = id;
            p->has_uid = 1;
        } else if (strcmp(k, "gid") == 0) {
            bad = parse_id(v, &id) < 0;
            p->gid = id;
            p->has_gid = 1;
        } else if (strcmp(k, "mode") == 0) {
            bad = parse_mode(v, &p->mode) < 0;
            p->has_mode = 1;
        } else if (strcmp(k, "dmode") == 0 && recursive) {
            bad = parse_mode(v, &p->dmode) < 0;
            p->has_dmode = 1;
        } else if (strcmp(k, "fmode") == 0 && recursive) {
            bad = parse_mode(v, &p->fmode) < 0;
            p->has_fmode = 1;
        } else if (strcmp(k, "selabel") == 0) {
            bad = v[0] == '\0';
            p->selabel = v;
            p->has_selabel = 1;
        } else if (strcmp(k, "capabilities") == 0) {
            bad = upd_parse_u64(v, 0, &p->caps) < 0;
            p->has_caps = 1;
        } else {
            edify_fail_code(st, OTA_ERR_ARGS, "unknown key \"%s\" (expected uid, gid, %sselabel "
                            "or capabilities)", k, recursive ? "mode, dmode, fmode, " : "mode, ");
            return -1;
        }
        if (bad) {
            edify_fail_code(st, OTA_ERR_ARGS, "bad value \"%s\" for %s", v, k);
            return -1;
        }
    }
    return 0;
}

/* set_metadata(path, key, value ...) and set_metadata_recursive(...): one
 * function, told apart by name. */
static edify_value *fn_set_metadata(edify_state *st, const edify_call *call)
{
    int recursive = strcmp(call->name, "set_metadata_recursive") == 0;
    if (call->argc % 2 == 0)
        return edify_fail_code(st, OTA_ERR_ARGS, "expects a path and key/value pairs, got an "
                               "odd number of keys and values");
    char **args;
    if (upd_strings_alloc(st, call, &args) < 0)
        return NULL;
    edify_value *result = NULL;
    perm_spec p = {0};
    tree_perms job = {upd_ctx(st)->root, &p};
    if (parse_pairs(st, call->argc - 1, args + 1, recursive, &p) == 0 &&
        upd_each_path(st, args, 0, 1, recursive ? apply_tree : apply_one, &job) == 0)
        result = upd_true();
    upd_strings_free(args, call->argc);
    return result;
}

const edify_reg upd_perms_builtins[] = {
    {"set_perm", fn_set_perm, 4, EDIFY_VARARGS},
    {"set_perm_recursive", fn_set_perm, 5, EDIFY_VARARGS},
    {"set_metadata", fn_set_metadata, 3, EDIFY_VARARGS},
    {"set_metadata_recursive", fn_set_metadata, 3, EDIFY_VARARGS},
    {NULL, NULL, 0, 0},
};
