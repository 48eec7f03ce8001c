/* imgdiff [-z] [-b BONUS] [--compress=LIST] [--extended | --best] SOURCE
 * TARGET PATCH: writes an IMGDIFF2 patch that turns SOURCE into TARGET
 * (Android's imgdiff command line), or with --extended an IMGDIFFX patch
 * when LZ4 streams gain from it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/applypatch.h"
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "otautil/error.h"
#include "otautil/sink.h"

static const char usage_text[] =
    "usage: imgdiff [-z] [-b BONUS] [--compress=LIST] [--extended | --best] SOURCE TARGET PATCH\n"
    "Writes an IMGDIFF2 patch (Android's applypatch format) from SOURCE to TARGET.\n"
    "gzip members inside the images (a boot image's ramdisk) are patched in\n"
    "expanded form and recompressed on the device.\n"
    "  -z               SOURCE and TARGET are zip archives: patch deflated entries\n"
    "                   expanded, matched by name\n"
    "  -b BONUS         data the device appends to the expanded source of the\n"
    "                   second chunk (give the same file to applypatch -b)\n"
    "  --compress=LIST  codecs of the chunks' bsdiff streams, as bsdiff's (bz2:\n"
    "                   the default; android: readable by Android P and later)\n"
    "  --extended       also patch LZ4 streams (a bzImage's kernel) expanded: an\n"
    "                   IMGDIFFX patch, which only this project's applypatch reads\n"
    "                   (IMGDIFF2 when no such chunk is used)\n"
    "  --best           --extended --compress=all: the smallest patch\n";

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

static int write_patch(const char *path, const uint8_t *data, size_t len, ota_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", path);
    int rc = ota_write_all(fd, data, len, err);
    if (rc == 0 && fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot sync %s", path);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot close %s", path);
    if (rc < 0)
        ota_error_prefix(err, "%s", path);
    return rc;
}

int main(int argc, char **argv)
{
    imgdiff_opts opts = {0};
    const char *bonus_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--help") == 0)
            return usage(stdout, 0);
        if (strcmp(argv[i], "-z") == 0)
            opts.zip_mode = 1;
        else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
            bonus_path = argv[++i];
        else if (strncmp(argv[i], "--compress=", 11) == 0 && (opts.codecs = codec_set_parse(argv[i] + 11)))
            ;
        else if (strcmp(argv[i], "--extended") == 0)
            opts.extended = 1;
        else if (strcmp(argv[i], "--best") == 0)
            opts.extended = 1, opts.codecs = CODEC_SET_ALL;
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else
            return usage(stderr, 2);
    }
    if (argc - i != 3)
        return usage(stderr, 2);
    const char *src_path = argv[i], *tgt_path = argv[i + 1], *patch_path = argv[i + 2];

    ota_error err;
    ota_error_clear(&err);
    uint8_t *src = NULL, *tgt = NULL, *bonus = NULL, *patch = NULL;
    size_t src_len = 0, tgt_len = 0, bonus_len = 0, patch_len = 0;
    int rc = 1;
    if (applypatch_read_file(src_path, &src, &src_len, &err) < 0 ||
        applypatch_read_file(tgt_path, &tgt, &tgt_len, &err) < 0 ||
        (bonus_path && applypatch_read_file(bonus_path, &bonus, &bonus_len, &err) < 0))
        goto out;
    opts.bonus = bonus;
    opts.bonus_len = bonus_len;
    if (imgdiff_create(src, src_len, tgt, tgt_len, &opts, &patch, &patch_len, &err) < 0) {
        ota_error_prefix(&err, "%s -> %s", src_path, tgt_path);
        goto out;
    }
    if (write_patch(patch_path, patch, patch_len, &err) < 0)
        goto out;
    if (bonus_path && !imgpatch_uses_bonus(patch, patch_len))
        fprintf(stderr, "imgdiff: note: %s's second chunk is not a deflate chunk, so the patch does not use %s\n",
                tgt_path, bonus_path);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "imgdiff: %s\n", err.message);
    free(src);
    free(tgt);
    free(bonus);
    free(patch);
    return rc;
}
