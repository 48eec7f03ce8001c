/* Walking a tree for delete_recursive and set_perm_recursive /
 * set_metadata_recursive: fts, never following a symlink, with the errors
 * of unreadable nodes named as the script knows them. */
#include <errno.h>
#include <fts.h>

#include "otautil/root.h"
#include "updater/builtins.h"

int upd_walk(const char *root, const char *path, int missing_ok, upd_walk_fn visit, void *arg,
             ota_error *err)
{
    char *roots[] = {(char *)path, NULL};
    FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
    if (!fts)
        return ota_error_errno(err, "cannot walk %s", ota_path_unroot_at(root, path));
    int rc = 0;
    while (rc == 0) {
        errno = 0;
        FTSENT *ent = fts_read(fts);
        if (!ent) {
            if (errno != 0)
                rc = ota_error_errno(err, "cannot walk %s", ota_path_unroot_at(root, path));
            break;
        }
        switch (ent->fts_info) {
        case FTS_DNR:
        case FTS_ERR:
        case FTS_NS:
            if (missing_ok && ent->fts_errno == ENOENT && ent->fts_level == 0)
                break;
            errno = ent->fts_errno;
            rc = ota_error_errno(err, "cannot walk %s", ota_path_unroot_at(root, ent->fts_path));
            break;
        default: {
            upd_walk_node node = {ent->fts_accpath, ent->fts_statp, ent->fts_info == FTS_DP};
            rc = visit(arg, &node, err);
        }
        }
    }
    fts_close(fts);
    return rc;
}
