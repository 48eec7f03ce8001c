/* bsdiff OLD NEW PATCH: writes a BSDIFF40 patch that turns OLD into NEW,
 * readable by Debian's and Android's bspatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applypatch/bsdiff.h"
#include "otautil/error.h"
#include "otautil/sink.h"

static const char usage_text[] =
    "usage: bsdiff OLD NEW PATCH\n"
    "Writes to PATCH a BSDIFF40 patch that turns OLD into NEW (the format of\n"
    "Debian's bsdiff/bspatch and Android's applypatch).\n";

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

/* Reads a whole file into a malloc'd buffer (never NULL on success). */
static int slurp(const char *path, uint8_t **data, size_t *len, ota_error *err)
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
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory for %zu bytes", path, size);
    }
    long long got = ota_read_all(fd, buf, size, err);
    close(fd);
    if (got < 0 || (size_t)got != size) {
        if (got >= 0)
            ota_error_set(err, OTA_ERR_IO, "%s: changed size while being read", path);
        else
            ota_error_prefix(err, "%s", path);
        free(buf);
        return -1;
    }
    *data = buf;
    *len = size;
    return 0;
}

static int write_file(const char *path, const uint8_t *data, size_t len, ota_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return ota_error_errno(err, "%s: cannot create", path);
    if (ota_write_all(fd, data, len, err) < 0) {
        ota_error_prefix(err, "%s", path);
        close(fd);
        return -1;
    }
    if (close(fd) < 0)
        return ota_error_errno(err, "%s: write failed", path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return usage(stdout, 0);
    if (argc != 4 || argv[1][0] == '-')
        return usage(stderr, 2);
    ota_error err;
    ota_error_clear(&err);
    uint8_t *old = NULL, *new_data = NULL, *patch = NULL;
    size_t old_len = 0, new_len = 0, patch_len = 0;
    int ok = slurp(argv[1], &old, &old_len, &err) == 0 &&
             slurp(argv[2], &new_data, &new_len, &err) == 0 &&
             bsdiff_create(old, old_len, new_data, new_len, &patch, &patch_len, &err) == 0 &&
             write_file(argv[3], patch, patch_len, &err) == 0;
    if (!ok)
        fprintf(stderr, "bsdiff: %s\n", err.message);
    free(old);
    free(new_data);
    free(patch);
    return ok ? 0 : 1;
}
