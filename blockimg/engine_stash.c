/* The stash folder (/cache/recovery/<sha1 of the device name>): blocks a
 * list needs after it has overwritten them, one file per stash ID.
 *
 * /cache is writable by the main system, so nothing here follows what may
 * have been planted there: the folder is opened with O_NOFOLLOW (a symlink
 * or file in its place is removed and the folder made again), must belong
 * to us and is made 0700; every file is reached with *at() calls relative
 * to it, created with O_EXCL|O_NOFOLLOW under a temporary name and renamed
 * into place, and anything in it that is not a regular file is removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockimg/engine_internal.h"

#define PARTIAL ".partial"

static int open_dir(const char *path)
{
    return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Calls fn on every entry of the folder (not . and ..). */
static void each_entry(bi_engine *e, void (*fn)(bi_engine *, const char *, const struct stat *, void *),
                       void *ctx)
{
    int fd = dup(e->stash_fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    /* The copy shares the folder's read position: start from the top. */
    rewinddir(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat sb;
        if (fstatat(e->stash_fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
            fn(e, de->d_name, &sb, ctx);
    }
    closedir(d);
}

static void tidy(bi_engine *e, const char *name, const struct stat *sb, void *ctx)
{
    uint64_t *existing = ctx;
    size_t n = strlen(name);
    int partial = n > strlen(PARTIAL) && strcmp(name + n - strlen(PARTIAL), PARTIAL) == 0;
    if (S_ISREG(sb->st_mode) && !partial) {
        *existing += (uint64_t)sb->st_size;
        return;
    }
    if (!S_ISREG(sb->st_mode) && !partial)
        bi_log(e, "removing %s from the stash folder: not a regular file", name);
    unlinkat(e->stash_fd, name, S_ISDIR(sb->st_mode) ? AT_REMOVEDIR : 0);
}

static void remove_entry(bi_engine *e, const char *name, const struct stat *sb, void *ctx)
{
    (void)ctx;
    unlinkat(e->stash_fd, name, S_ISDIR(sb->st_mode) ? AT_REMOVEDIR : 0);
}

/* Opens the folder, making it when missing and replacing whatever else
 * stands under its name. */
static int make_dir(bi_engine *e, const char *path)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (mkdir(path, 0700) == 0)
            e->stash_made = 1;
        else if (errno != EEXIST)
            return bi_fail_errno(e, "cannot create the stash folder %s", path);
        int fd = open_dir(path);
        if (fd >= 0)
            return fd;
        if (errno != ELOOP && errno != ENOTDIR)
            break;
        bi_log(e, "%s is not a folder (a symlink or file was put there): replacing it", path);
        if (unlink(path) < 0)
            break;
    }
    return bi_fail_errno(e, "cannot open the stash folder %s", path);
}

int bi_stash_begin(bi_engine *e)
{
    const char *dir = e->o->stash_dir;
    e->stash_fd = -1;
    if (e->verify || !e->same) {
        /* Only existing stashes matter (a resumed update's): read-only. */
        if (dir && (e->stash_fd = open_dir(dir)) < 0 && errno != ENOENT)
            bi_log(e, "not using stash folder %s: %s", dir, strerror(errno));
        return 0;
    }
    if (e->tl->version < 2)
        return 0;
    if (!dir)
        return bi_fail(e, OTA_ERR_ARGS, "a version %d list updating a partition in place needs "
                       "a stash folder", e->tl->version);
    int fd = make_dir(e, dir);
    if (fd < 0)
        return -1;
    e->stash_fd = fd;
    struct stat sb;
    if (fstat(fd, &sb) < 0)
        return bi_fail_errno(e, "cannot stat %s", dir);
    if (sb.st_uid != geteuid())
        return bi_fail(e, OTA_ERR_VERIFY, "stash folder %s belongs to uid %u, not to us", dir,
                       (unsigned)sb.st_uid);
    if ((sb.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
        return bi_fail_errno(e, "cannot make %s private", dir);
    uint64_t existing = 0;
    each_entry(e, tidy, &existing);
    uint64_t need = e->tl->stash_max_blocks * BI_BLOCK_SIZE;
    if (e->stash_made)
        bi_log(e, "created stash %s", dir);
    else
        bi_log(e, "using existing stash %s (%llu bytes in it)", dir, (unsigned long long)existing);
    if (need > existing && bi_cache_space(e, need - existing) < 0)
        return -1;
    return 0;
}

void bi_stash_end(bi_engine *e, int remove)
{
    if (e->stash_fd < 0)
        return;
    if (remove && !e->verify) {
        each_entry(e, remove_entry, NULL);
        close(e->stash_fd);
        e->stash_fd = -1;
        if (rmdir(e->o->stash_dir) < 0 && errno != ENOENT)
            bi_log(e, "cannot remove %s: %s", e->o->stash_dir, strerror(errno));
        return;
    }
    close(e->stash_fd);
    e->stash_fd = -1;
}

int bi_stash_open_file(bi_engine *e, const char *id, uint64_t *blocks)
{
    if (e->stash_fd < 0)
        return -1;
    int fd = openat(e->stash_fd, id, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return -1;
        if (errno == ELOOP) {
            bi_log(e, "stash %s is a symlink: not used", id);
            return -1;
        }
        bi_fail_errno(e, "cannot open stash %s", id);
        return -2;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        bi_log(e, "stash %s is not a regular file: not used", id);
        return -1;
    }
    if (sb.st_size % BI_BLOCK_SIZE != 0) {
        close(fd);
        bi_fail(e, OTA_ERR_FORMAT, "stash %s is %lld bytes, not whole blocks", id,
                (long long)sb.st_size);
        return -2;
    }
    *blocks = (uint64_t)sb.st_size / BI_BLOCK_SIZE;
    return fd;
}

int bi_stash_file_good(bi_engine *e, const char *id, int *fd_out, uint64_t *blocks)
{
    if (fd_out)
        *fd_out = -1;
    uint64_t n;
    int fd = bi_stash_open_file(e, id, &n);
    if (fd == -2)
        return -1;
    if (fd == -1)
        return 0;
    bi_src s;
    memset(&s, 0, sizeof s);
    if (bi_src_set_file(e, &s, fd, n) < 0)
        return -1;
    uint8_t sha[OTA_SHA1_LEN], want[OTA_SHA1_LEN];
    if (bi_src_hash(e, &s, sha) < 0) {
        bi_src_free(&s);
        return -1;
    }
    if (ota_hex_decode(id, want, sizeof want, NULL) == 0 && memcmp(sha, want, sizeof sha) != 0) {
        char got[2 * OTA_SHA1_LEN + 1];
        ota_hex_encode(sha, sizeof sha, got);
        bi_log(e, "stash %s has other contents (SHA-1 %s): deleted", id, got);
        bi_src_free(&s);
        if (!e->verify)
            unlinkat(e->stash_fd, id, 0);
        return 0;
    }
    if (fd_out) {
        *fd_out = s.fds[0];
        s.nfds = 0; /* handed over */
    }
    if (blocks)
        *blocks = n;
    bi_src_free(&s);
    return 1;
}

int bi_stash_write(bi_engine *e, const char *id, bi_src *src, const uint8_t *want, int check_space)
{
    uint64_t bytes = src->blocks * BI_BLOCK_SIZE;
    if (check_space && bi_cache_space(e, bytes) < 0)
        return -1;
    char partial[BI_STASH_ID_MAX + sizeof PARTIAL];
    strcpy(partial, id);
    strcat(partial, PARTIAL);
    if (unlinkat(e->stash_fd, partial, 0) < 0 && errno != ENOENT)
        return bi_fail_errno(e, "cannot remove stash %s", partial);
    int fd = openat(e->stash_fd, partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return bi_fail_errno(e, "cannot create stash %s", partial);
    ota_hash h;
    if (ota_hash_init(&h, OTA_HASH_SHA1, e->err) < 0) {
        close(fd);
        unlinkat(e->stash_fd, partial, 0);
        return bi_fail_err(e);
    }
    bi_src_rewind(src);
    uint64_t left = bytes;
    int rc = 0;
    while (rc == 0 && left > 0) {
        size_t n = left < BI_CHUNK ? (size_t)left : BI_CHUNK;
        if (bi_src_read(e, src, e->chunk, n) < 0) {
            rc = -1;
            break;
        }
        ota_hash_update(&h, e->chunk, n);
        if (ota_write_all(fd, e->chunk, n, e->err) < 0) {
            ota_error_prefix(e->err, "writing stash %s", id);
            rc = bi_fail_err(e);
        }
        left -= n;
    }
    uint8_t sha[OTA_SHA1_LEN];
    ota_hash_final(&h, sha);
    bi_src_rewind(src);
    if (rc == 0 && want && memcmp(sha, want, sizeof sha) != 0)
        rc = 1;
    if (rc == 0 && fsync(fd) < 0)
        rc = bi_fail_errno(e, "fsync of stash %s failed", id);
    close(fd);
    if (rc == 0 && renameat(e->stash_fd, partial, e->stash_fd, id) < 0)
        rc = bi_fail_errno(e, "cannot rename stash %s", partial);
    if (rc != 0) {
        unlinkat(e->stash_fd, partial, 0);
        return rc;
    }
    if (fsync(e->stash_fd) < 0)
        return bi_fail_errno(e, "fsync of the stash folder failed");
    e->st->blocks_stashed += src->blocks;
    bi_log(e, "stashed %llu blocks as %s", (unsigned long long)src->blocks, id);
    return 0;
}

int bi_stash_remove(bi_engine *e, const char *id)
{
    if (e->stash_fd < 0 || e->verify)
        return 0;
    if (unlinkat(e->stash_fd, id, 0) < 0 && errno != ENOENT)
        return bi_fail_errno(e, "cannot delete stash %s", id);
    return 0;
}

int bi_stash_exists(bi_engine *e, const char *id)
{
    struct stat sb;
    return e->stash_fd >= 0 && fstatat(e->stash_fd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(sb.st_mode);
}

/* ---- virtual stashes and notes --------------------------------------------- */

static bi_vstash *vfind(const bi_engine *e, const char *id)
{
    for (size_t i = 0; i < e->nvirt; i++)
        if (strcmp(e->virt[i].id, id) == 0)
            return &e->virt[i];
    return NULL;
}

int bi_vstash_put(bi_engine *e, const char *id, const bi_rangeset *ranges)
{
    bi_vstash *v = vfind(e, id);
    if (!v) {
        bi_vstash *p = realloc(e->virt, (e->nvirt + 1) * sizeof *p);
        if (!p)
            return bi_fail(e, OTA_ERR_NOMEM, "out of memory");
        e->virt = p;
        v = &e->virt[e->nvirt++];
        memset(v, 0, sizeof *v);
        strcpy(v->id, id);
    }
    bi_rangeset copy = {0};
    if (bi_rangeset_copy(&copy, ranges, e->err) < 0)
        return bi_fail_err(e);
    bi_rangeset_free(&v->ranges);
    v->ranges = copy;
    return 0;
}

const bi_rangeset *bi_vstash_get(const bi_engine *e, const char *id)
{
    const bi_vstash *v = vfind(e, id);
    return v ? &v->ranges : NULL;
}

void bi_vstash_drop(bi_engine *e, const char *id)
{
    bi_vstash *v = vfind(e, id);
    if (!v)
        return;
    bi_rangeset_free(&v->ranges);
    *v = e->virt[--e->nvirt];
}

bi_stash_note *bi_stash_note_get(bi_engine *e, const char *id, int create)
{
    for (size_t i = 0; i < e->nnotes; i++)
        if (strcmp(e->notes[i].id, id) == 0)
            return &e->notes[i];
    if (!create)
        return NULL;
    bi_stash_note *p = realloc(e->notes, (e->nnotes + 1) * sizeof *p);
    if (!p) {
        bi_fail(e, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    e->notes = p;
    bi_stash_note *n = &e->notes[e->nnotes++];
    memset(n, 0, sizeof *n);
    strcpy(n->id, id);
    return n;
}
