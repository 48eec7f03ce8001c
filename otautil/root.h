/* RECOVERY_ROOT: on a host, recovery and the updater see a device laid out
 * under a folder.  Every absolute path they open, create or mount on goes
 * through ota_path(), which puts $RECOVERY_ROOT in front; unset, paths are
 * used as they are.  This is the only place that knows about it. */
#ifndef OTAUTIL_ROOT_H
#define OTAUTIL_ROOT_H

#include <stddef.h>

#include "otautil/error.h"

/* The root folder without a trailing slash, "" when unset. */
const char *ota_root(void);

/* Resolves path into out (size outsz); a path already under the root is not
 * prefixed twice.  Without a root the path is copied unchanged.  Under a
 * root nothing may lead outside it: a relative path, or one whose ".."
 * components climb above the root (judged lexically), is refused with
 * OTA_ERR_ARGS naming the path.  Returns 0, or -1 (also when out is too
 * small: OTA_ERR_LIMIT).  out must not overlap path. */
int ota_path(const char *path, char *out, size_t outsz, ota_error *err);

/* Same, into a malloc'd string (NULL on failure). */
char *ota_path_dup(const char *path, ota_error *err);

/* The inverse for messages and scripts: strips the root prefix if present. */
const char *ota_path_unroot(const char *resolved);

/* The same three with the root given (NULL or "": none) instead of read
 * from the environment at every call: a program reads ota_root() once and
 * carries it in its context (updater_ctx.root, recovery_ctx.root). */
int ota_path_at(const char *root, const char *path, char *out, size_t outsz, ota_error *err);
char *ota_path_at_dup(const char *root, const char *path, ota_error *err);
const char *ota_path_unroot_at(const char *root, const char *resolved);

#endif
