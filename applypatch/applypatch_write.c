/* The durable writes applypatch relies on for resuming: a file is complete
 * on disk (data and directory entry fsynced) before the next step starts,
 * and a partition is read back from the device before it counts as
 * written. */
#include "applypatch/applypatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "otautil/safe_file.h"

#define PARTITION_PIECE (1u << 20)

/* dirname() without touching the argument; malloc'd. */
static char *parent_of(const char *path, ota_error *err)
{
    char *copy = strdup(path);
    if (!copy) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char *dir = strdup(dirname(copy));
    free(copy);
    if (!dir)
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return dir;
}

int ap_sync_parent(const char *path, ota_error *err)
{
    char *dir = parent_of(path, err);
    if (!dir)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync folder %s", dir);
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int ap_save_file(const char *path, const uint8_t *data, size_t len, mode_t mode, ota_error *err)
{
    /* /cache is the main system's to write: the copy goes to a fresh
     * temporary renamed over path, so a symlink planted there is replaced,
     * never written through (otautil/safe_file.h). */
    char *dir = parent_of(path, err);
    if (!dir)
        return -1;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = dir_fd < 0 ? ota_error_errno(err, "cannot open folder %s", dir) : 0;
    free(dir);
    if (rc < 0)
        return -1;
    const char *slash = strrchr(path, '/');
    rc = ota_write_data_at(dir_fd, slash ? slash + 1 : path, mode, data, len, path, err);
    close(dir_fd);
    return rc;
}

int ap_free_bytes(const char *path, uint64_t *bytes, ota_error *err)
{
    char *dir = parent_of(path, err);
    if (!dir)
        return -1;
    struct statvfs sv;
    int rc = statvfs(dir, &sv);
    if (rc < 0)
        ota_error_errno(err, "cannot check free space in %s", dir);
    else
        *bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
    free(dir);
    return rc < 0 ? -1 : 0;
}

int ap_device_size(const char *path, uint64_t *bytes, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0 && S_ISBLK(st.st_mode))
        rc = ioctl(fd, BLKGETSIZE64, bytes);
    else if (rc == 0)
        *bytes = (uint64_t)st.st_size;
    if (rc < 0)
        ota_error_errno(err, "cannot get the size of %s", path);
    close(fd);
    return rc < 0 ? -1 : 0;
}

/* Reads the first len bytes back, bypassing the page cache where the
 * kernel lets us drop it, and compares. */
static int verify_partition(const char *device, const uint8_t *data, size_t len, ota_error *err)
{
    int fd = open(device, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot reopen %s to verify it", device);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    uint8_t buf[65536];
    size_t done = 0;
    int rc = 0;
    while (done < len && rc == 0) {
        size_t want = len - done < sizeof buf ? len - done : sizeof buf;
        long long got = ota_read_all(fd, buf, want, err);
        if (got < 0)
            rc = -1;
        else if ((size_t)got != want)
            rc = ota_error_set(err, OTA_ERR_IO, "%s: ends after %zu bytes while verifying", device, done + (size_t)got);
        else if (memcmp(buf, data + done, want) != 0)
            rc = ota_error_set(err, OTA_ERR_IO, "%s: data read back differs at offset %zu", device, done);
        done += want;
    }
    close(fd);
    return rc;
}

int ap_write_partition(const char *device, const uint8_t *data, size_t len, ota_error *err)
{
    /* A second attempt covers a transient write or read-back failure, as
     * Android does; anything persistent fails twice and is reported. */
    for (int attempt = 0;; attempt++) {
        /* O_SYNC, as Android: each piece is on the device when write()
         * returns, so what a crash leaves is exactly what was written. */
        int fd = open(device, O_WRONLY | O_SYNC | O_CLOEXEC);
        if (fd < 0)
            return ota_error_errno(err, "cannot open %s for writing", device);
        int rc = 0;
        for (size_t done = 0; done < len && rc == 0; done += PARTITION_PIECE)
            rc = ota_write_all(fd, data + done, len - done < PARTITION_PIECE ? len - done : PARTITION_PIECE, err);
        if (rc < 0)
            ota_error_prefix(err, "%s", device);
        else if (fsync(fd) < 0)
            rc = ota_error_errno(err, "cannot sync %s", device);
        close(fd);
        if (rc == 0)
            rc = verify_partition(device, data, len, err);
        if (rc == 0 || attempt == 1)
            return rc;
    }
}
