/* Permissions with the fewest calls, Android's method: every directory
 * takes, for its whole subtree, the owner that most of the subtree has and,
 * among the nodes with that owner, the directory mode, file mode and
 * SELinux label that most have (one set_perm_recursive or
 * set_metadata_recursive); only nodes that still differ get their own call.
 * Capabilities are never set recursively (only cleared), because they
 * belong to individual executables.  Symlinks get owner and label only:
 * a symlink's mode cannot be set, and following it would change its
 * target. */
#ifndef RELEASETOOLS_PERMS_H
#define RELEASETOOLS_PERMS_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "releasetools/fs_tree.h"

typedef enum rt_perm_kind { RT_PERM_RECURSIVE, RT_PERM_ONE } rt_perm_kind;

typedef struct rt_perm_cmd {
    rt_perm_kind kind;
    const char *path;       /* borrowed from the tree ("system/bin") */
    uint32_t uid, gid;
    uint32_t dmode, fmode;  /* RT_PERM_RECURSIVE */
    uint32_t mode;          /* RT_PERM_ONE, when has_mode */
    int has_mode;           /* 0 for symlinks */
    const char *selabel;    /* NULL: leave the label alone */
    uint64_t capabilities;  /* RT_PERM_ONE; recursive calls clear them */
} rt_perm_cmd;

typedef struct rt_perm_plan {
    rt_perm_cmd *cmds;
    size_t count;
    /* Some node has a label or capabilities, or a symlink needs its own
     * call: the script must use set_metadata(_recursive). */
    int needs_metadata;
} rt_perm_plan;

/* Plans the calls for the subtree at node `top` of t (a finished tree). */
int rt_perms_plan(const rt_tree *t, size_t top, rt_perm_plan *plan, ota_error *err);
void rt_perms_free(rt_perm_plan *plan);

#endif
