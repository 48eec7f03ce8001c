/* Sealed snapshots (otautil/snapshot.h) on memfd_create and file seals. */
#include "otautil/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What makes a file's bytes immutable: F_SEAL_SEAL only freezes the seal
 * set, so a checker asks for these three. */
#define IMMUTABLE (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)

/* Linux 6.3's flag (a memfd that can never be executed); older headers
 * lack it and older kernels refuse it (EINVAL), which is handled. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

int ota_snapshot_create(const char *name, ota_error *err)
{
    /* Never executed: say so (newer kernels warn about a memfd that does
     * not). */
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return ota_error_errno(err, "cannot create a memory file for %s", name);
    return fd;
}

int ota_snapshot_seal(int fd, const char *name, ota_error *err)
{
    if (fcntl(fd, F_ADD_SEALS, IMMUTABLE | F_SEAL_SEAL) < 0)
        return ota_error_errno(err, "cannot seal the copy of %s", name);
    return 0;
}

int ota_snapshot_check(int fd, const char *name, ota_error *err)
{
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 && errno == EINVAL)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "%s is not a sealed snapshot: it is not a memory file that can be "
                             "sealed",
                             name);
    if (seals < 0)
        return ota_error_errno(err, "%s: cannot read its seals", name);
    if ((seals & IMMUTABLE) != IMMUTABLE) {
        char missing[64] = "";
        static const struct { int seal; const char *what; } kinds[] = {
            {F_SEAL_WRITE, "writing"}, {F_SEAL_SHRINK, "shrinking"}, {F_SEAL_GROW, "growing"}};
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
            if (!(seals & kinds[i].seal))
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                         missing[0] ? ", " : "", kinds[i].what);
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "%s is not a sealed snapshot: it is not sealed against %s", name,
                             missing);
    }
    return 0;
}
