/* bsdiff [--compress=LIST] OLD NEW PATCH: writes a patch that turns OLD
 * into NEW: BSDIFF40 (Debian's and Android's format) by default, BSDF2 when
 * other codecs are allowed. */
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
    "usage: bsdiff [--compress=LIST] OLD NEW PATCH\n"
    "Writes to PATCH a patch that turns OLD into NEW.\n"
    "  --compress=LIST  codecs each of the three streams may use; each gets the\n"
    "                   one that makes it smallest.  LIST: bz2 (the default: a\n"
    "                   BSDIFF40 patch, as Debian's bsdiff and every Android read),\n"
    "                   android (bz2,brotli: BSDF2 as Android P and later read),\n"
    "                   all (also xz and zstd: BSDF2 that only this project's\n"
    "                   bspatch/applypatch read), or a list such as bz2,xz\n";

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
    bsdiff_opts opts = {.codecs = CODEC_SET_BZ2};
    int argi = 1;
    for (; argi < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
        if (strncmp(argv[argi], "--compress=", 11) == 0 &&
            (opts.codecs = codec_set_parse(argv[argi] + 11)) != 0)
            continue;
        if (strcmp(argv[argi], "--help") == 0)
            return usage(stdout, 0);
        return usage(stderr, 2);
    }
    argv += argi - 1;
    argc -= argi - 1;
    if (argc != 4 || argv[1][0] == '-')
        return usage(stderr, 2);
    ota_error err;
    ota_error_clear(&err);
    uint8_t *old = NULL, *new_data = NULL, *patch = NULL;
    size_t old_len = 0, new_len = 0, patch_len = 0;
    int ok = slurp(argv[1], &old, &old_len, &err) == 0 &&
             slurp(argv[2], &new_data, &new_len, &err) == 0 &&
             bsdiff_create_opts(old, old_len, new_data, new_len, &opts, &patch, &patch_len, &err) == 0 &&
             write_file(argv[3], patch, patch_len, &err) == 0;
    if (!ok)
        fprintf(stderr, "bsdiff: %s\n", err.message);
    free(old);
    free(new_data);
    free(patch);
    return ok ? 0 : 1;
}
