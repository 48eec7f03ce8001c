/* Files in places someone else can write (/cache, /tmp, a package path
 * taken from the command file): opened without blocking and without
 * following what may have been planted there.
 *
 * Reading: ota_open_regular opens with O_NONBLOCK (a FIFO with no writer
 * would otherwise hang the open forever) and accepts only a regular file,
 * so a FIFO, a socket or a device is refused at once, named as such.
 *
 * Writing: ota_dir_open_private opens a directory recovery keeps its files
 * in, refusing to follow a symlink put in its place; ota_write_file_at
 * replaces a file in such a directory atomically, through a temporary name
 * (".NAME.tmp-PID.N") created with O_EXCL|O_NOFOLLOW, so a symlink planted
 * under either name is replaced, never written through.  ota_replace_file is the same for a
 * path; it is the one way any program here replaces a file (logs, the
 * agent's status and download state, release tools' outputs). */
#ifndef OTAUTIL_SAFE_FILE_H
#define OTAUTIL_SAFE_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "otautil/error.h"

/* Opens path read-only (close-on-exec, blocking mode restored after the
 * check) when it is a regular file; st, when not NULL, gets its fstat.
 * what names the file in messages ("package", "keys file"):
 * "cannot open package P: ...", "package P is a FIFO, not a regular file".
 * Returns the fd, or -1. */
int ota_open_regular(const char *path, const char *what, struct stat *st, ota_error *err);

/* "FIFO", "socket", "character device", "block device", "directory",
 * "symlink", "regular file" or "special file", for messages. */
const char *ota_file_kind(mode_t mode);

/* Opens (creating it with mode when missing; its parent must exist) the
 * directory path without following a symlink at its last component: a
 * symlink or other non-directory found there is removed and a directory
 * made in its place.  Returns an O_DIRECTORY fd, or -1. */
int ota_dir_open_private(const char *path, mode_t mode, ota_error *err);

/* A producer for ota_write_file_at: writes the contents to fd; 0 or -1
 * with err set. */
typedef int (*ota_file_writer)(void *ctx, int fd, ota_error *err);

/* Replaces dir_fd/name with what write_fn writes: a fresh temporary file
 * in dir_fd (O_CREAT|O_EXCL|O_NOFOLLOW, mode), fsync'd, renamed over name
 * (which replaces a symlink there rather than following it), then the
 * directory fsync'd.  shown names the file in messages.  On failure the
 * temporary is removed and name is left as it was. */
int ota_write_file_at(int dir_fd, const char *name, mode_t mode, ota_file_writer write_fn,
                      void *ctx, const char *shown, ota_error *err);

/* Removes what an ota_write_file_at of dir_fd/name that was killed left
 * behind: its temporaries (".NAME.tmp-..."; unlinked, never followed). */
int ota_write_file_leftovers(int dir_fd, const char *name, ota_error *err);

/* An ota_file_writer that copies the rest of an open file: ctx points to
 * its descriptor (an int). */
int ota_copy_fd(void *fd_ptr, int fd, ota_error *err);

/* ota_write_file_at for a buffer. */
int ota_write_data_at(int dir_fd, const char *name, mode_t mode, const void *data, size_t len,
                      const char *shown, ota_error *err);

/* Replaces the file at path (used as given) with len bytes of data, as
 * ota_write_data_at in the folder holding path: a reader or a power loss
 * finds the old file or the new one, never a part of it, and a symlink at
 * path is replaced, not followed.  The new file has exactly mode's
 * permission bits. */
int ota_replace_file(const char *path, const void *data, size_t len, mode_t mode,
                     ota_error *err);

/* fsync of the folder holding path (after a rename or unlink in it). */
int ota_sync_parent(const char *path, ota_error *err);

#endif
