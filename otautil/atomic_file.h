/* Writing a small file so that readers, and the file system after a power
 * cut, see either the old contents or the new, never a mix: the data goes
 * to a temporary name in the same folder, is synced, renamed over the
 * file, and the folder is synced. */
#ifndef OTAUTIL_ATOMIC_FILE_H
#define OTAUTIL_ATOMIC_FILE_H

#include <stddef.h>

#include "otautil/error.h"

/* Replaces path (used as given) with len bytes of data, mode for a new file. */
int ota_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                     ota_error *err);

/* fsync of the folder holding path (after a rename or unlink in it). */
int ota_sync_parent(const char *path, ota_error *err);

#endif
