/* Sealed snapshots: a private copy of a file in memory (a memfd) that,
 * once sealed, nobody can change -- not its maker, not a process it hands
 * the copy to, not whoever can write the original.
 *
 * Recovery verifies and installs a package that has no v1 JAR signature
 * from one (otautil/verify.h, OTA_VERIFY_SNAPSHOT): such a package's
 * entries cannot be checked one by one when they are used, so the bytes
 * used must be the bytes whose whole-file signature verified.  The
 * update-binary gets the copy as /proc/self/fd/N and needs to trust nobody
 * about it: it checks the seals on the file it opened (ota_snapshot_check).
 *
 *     int fd = ota_snapshot_create("update.zip", &err);
 *     ... write the bytes (ota_write_all) ...
 *     ota_snapshot_seal(fd, "update.zip", &err);   // immutable from here on
 */
#ifndef OTAUTIL_SNAPSHOT_H
#define OTAUTIL_SNAPSHOT_H

#include "otautil/error.h"

/* An empty, sealable memfd, close-on-exec; name shows in /proc/PID/fd and
 * in messages.  Returns the fd, or -1. */
int ota_snapshot_create(const char *name, ota_error *err);

/* Seals fd against writing, shrinking and growing, and against changes of
 * its seals.  Fails (EBUSY) while someone holds a writable shared mapping
 * of it. */
int ota_snapshot_seal(int fd, const char *name, ota_error *err);

/* 0 when the seals of the file open on fd forbid writing, shrinking and
 * growing it, so its bytes can never change again; otherwise -1
 * (OTA_ERR_VERIFY) saying which are missing, or that the file cannot be
 * sealed at all (a file on disk, a memfd made without sealing). */
int ota_snapshot_check(int fd, const char *name, ota_error *err);

#endif
