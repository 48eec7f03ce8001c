/* bspatch OLD NEW PATCH: applies a patch (BSDIFF40, BSDF2, and also
 * IMGDIFF2 and IMGDIFFX, through applypatch/patch_stream.h).  The target is written
 * to a temporary file next to NEW, fsynced and renamed over NEW, so NEW is
 * either the old content or the complete new one (OLD and NEW may be the
 * same file). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applypatch/patch_stream.h"
#include "otautil/error.h"
#include "otautil/sink.h"

/* Below this much source + patch, the default reads both into memory. */
#define AUTO_MEMORY_LIMIT (64ull * 1024 * 1024)

static const char usage_text[] =
    "usage: bspatch [--in-memory | --bounded | --bounded-small] OLD NEW PATCH\n"
    "Applies PATCH (BSDIFF40 or BSDF2; IMGDIFF2 and IMGDIFFX too) to OLD and\n"
    "writes the result to NEW\n"
    "(through a temporary file, fsynced and renamed; OLD and NEW may be the same).\n"
    "  --in-memory      read OLD and PATCH into memory (default when together\n"
    "                   they are under 64 MiB)\n"
    "  --bounded        read OLD and PATCH where needed, in a fixed amount of\n"
    "                   memory whatever the file sizes (default from 64 MiB on)\n"
    "  --bounded-small  like --bounded with bzip2's low-memory decoder (less\n"
    "                   memory, slower)\n";

enum mode { MODE_AUTO, MODE_MEMORY, MODE_BOUNDED, MODE_BOUNDED_SMALL };

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

static int read_fd(int fd, const char *path, uint64_t size, uint8_t **data, ota_error *err)
{
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory for %llu bytes", path,
                             (unsigned long long)size);
    long long got = ota_read_all(fd, buf, (size_t)size, err);
    if (got < 0 || (uint64_t)got != size) {
        if (got >= 0)
            ota_error_set(err, OTA_ERR_IO, "%s: changed size while being read", path);
        else
            ota_error_prefix(err, "%s", path);
        free(buf);
        return -1;
    }
    *data = buf;
    return 0;
}

static int apply(enum mode mode, int old_fd, const char *old_path, uint64_t old_len,
                 int patch_fd, const char *patch_path, uint64_t patch_len, int out_fd,
                 ota_error *err)
{
    if (mode == MODE_AUTO)
        mode = old_len + patch_len < AUTO_MEMORY_LIMIT ? MODE_MEMORY : MODE_BOUNDED;
    if (mode != MODE_MEMORY) {
        patch_input old, patch;
        if (patch_input_fd(&old, old_fd, err) < 0 || patch_input_fd(&patch, patch_fd, err) < 0)
            return -1;
        old.size = old_len;
        patch.size = patch_len;
        patch_apply_opts o = {.flags = mode == MODE_BOUNDED_SMALL ? PATCH_SMALL_BZIP2 : 0};
        return patch_apply(&old, &patch, ota_fd_sink, &out_fd, &o, err);
    }
    if (old_len > SIZE_MAX || patch_len > SIZE_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "files too large for --in-memory");
    uint8_t *old = NULL, *patch = NULL;
    int rc = -1;
    if (read_fd(old_fd, old_path, old_len, &old, err) == 0 &&
        read_fd(patch_fd, patch_path, patch_len, &patch, err) == 0) {
        patch_input o, p;
        patch_input_memory(&o, old, (size_t)old_len);
        patch_input_memory(&p, patch, (size_t)patch_len);
        patch_apply_opts opts = {.expand_limit = UINT64_MAX};
        rc = patch_apply(&o, &p, ota_fd_sink, &out_fd, &opts, err);
    }
    free(old);
    free(patch);
    return rc;
}

static int open_sized(const char *path, uint64_t *len, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "%s: cannot open", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        ota_error_errno(err, "%s: cannot stat", path);
        close(fd);
        return -1;
    }
    *len = (uint64_t)st.st_size;
    return fd;
}

/* Syncs the directory holding path, so the rename itself is durable. */
static int sync_parent(const char *path, ota_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) < 0)
        rc = ota_error_errno(err, "%s: cannot sync its directory", path);
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

int main(int argc, char **argv)
{
    enum mode mode = MODE_AUTO;
    int argi = 1;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return usage(stdout, 0);
    for (; argi < argc && argv[argi][0] == '-' && argv[argi][1] == '-'; argi++) {
        if (strcmp(argv[argi], "--in-memory") == 0)
            mode = MODE_MEMORY;
        else if (strcmp(argv[argi], "--bounded") == 0)
            mode = MODE_BOUNDED;
        else if (strcmp(argv[argi], "--bounded-small") == 0)
            mode = MODE_BOUNDED_SMALL;
        else if (strcmp(argv[argi], "--help") == 0)
            return usage(stdout, 0);
        else
            return usage(stderr, 2);
    }
    if (argc - argi != 3)
        return usage(stderr, 2);
    const char *old_path = argv[argi], *new_path = argv[argi + 1], *patch_path = argv[argi + 2];

    ota_error err;
    ota_error_clear(&err);
    uint64_t old_len = 0, patch_len = 0;
    int old_fd = -1, patch_fd = -1, out_fd = -1;
    char *tmp = NULL;
    int ok = 0;
    if ((old_fd = open_sized(old_path, &old_len, &err)) < 0 ||
        (patch_fd = open_sized(patch_path, &patch_len, &err)) < 0)
        goto out;
    if (asprintf(&tmp, "%s.bspatch-XXXXXX", new_path) < 0) {
        tmp = NULL;
        ota_error_set(&err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    out_fd = mkstemp(tmp);
    if (out_fd < 0) {
        ota_error_errno(&err, "%s: cannot create a temporary file", tmp);
        free(tmp);
        tmp = NULL;
        goto out;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(out_fd, 0666 & ~mask) < 0) {
        ota_error_errno(&err, "%s: cannot set its mode", tmp);
        goto out;
    }
    if (apply(mode, old_fd, old_path, old_len, patch_fd, patch_path, patch_len, out_fd,
              &err) < 0) {
        ota_error_prefix(&err, "%s", patch_path);
        goto out;
    }
    if (fsync(out_fd) < 0) {
        ota_error_errno(&err, "%s: fsync failed", tmp);
        goto out;
    }
    if (close(out_fd) < 0) {
        out_fd = -1;
        ota_error_errno(&err, "%s: write failed", tmp);
        goto out;
    }
    out_fd = -1;
    if (rename(tmp, new_path) < 0) {
        ota_error_errno(&err, "%s: cannot rename %s over it", new_path, tmp);
        goto out;
    }
    free(tmp);
    tmp = NULL;
    ok = sync_parent(new_path, &err) == 0;
out:
    if (out_fd >= 0)
        close(out_fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    if (old_fd >= 0)
        close(old_fd);
    if (patch_fd >= 0)
        close(patch_fd);
    if (!ok)
        fprintf(stderr, "bspatch: %s\n", err.message);
    return ok ? 0 : 1;
}
