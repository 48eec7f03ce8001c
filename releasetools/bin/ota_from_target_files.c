/* ota_from_target_files: a signed full or incremental OTA package from
 * target-files zips (Android's flags). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/cli.h"
#include "otautil/error.h"
#include "otautil/sink.h"
#include "releasetools/devkey.h"
#include "releasetools/diff_pool.h"
#include "releasetools/ota_from_target_files.h"
#include "releasetools/sign.h"
#include "releasetools/term_progress.h"

static const char usage_text[] =
    "usage: ota_from_target_files [-k KEY] [-i SOURCE_TARGET_FILES] [-w] [-n] [-e EXTRA_SCRIPT]\n"
    "                             [--block] [--cache-size BYTES] [--stash_threshold F] [--verify]\n"
    "                             [--ab] [--patch-formats F] [--payload-compression METHOD]\n"
    "                             [-t THREADS] TARGET_FILES.zip OUTPUT.zip\n"
    "Makes an OTA package that installs the build in TARGET_FILES.zip: a full\n"
    "package, or with -i an incremental one that updates SOURCE_TARGET_FILES's build.\n"
    "  -k, --package_key KEY         sign with KEY.x509.pem and KEY.pk8 (default: the\n"
    "                                development key in $OTA_DEVKEY_DIR, else\n"
    "                                ~/.config/ota/devkey.*, made on first use)\n"
    "  -i, --incremental_from SOURCE incremental from that build's target-files\n"
    "  -w, --wipe_user_data          wipe the user data partition during the install\n"
    "  -n, --no_prereq               no check that the device runs an older build (full)\n"
    "  -e, --extra_script FILE       append FILE's edify script to the updater-script\n"
    "  --block                       block-based: update the system partition as an image\n"
    "                                (the default when META/misc_info.txt has\n"
    "                                blockimgdiff_versions)\n"
    "  --cache-size BYTES            size of /cache, where block updates stash (default:\n"
    "                                misc_info's cache_size, else 256 MiB)\n"
    "  --stash_threshold F           share of /cache stashes may use (default 0.8)\n"
    "  --verify                      full block packages check the written partition\n"
    "                                with range_sha1 too (incrementals always do)\n"
    "  --ab                          an A/B package, which ota_agent writes into the\n"
    "                                inactive slot (the default when META/misc_info.txt\n"
    "                                has ab_update=true)\n"
    "  --payload-compression METHOD  deflate (default: Android's recovery can install it),\n"
    "                                xz, zstd, or auto (the smallest per entry): how new\n"
    "                                files and images are compressed; xz and zstd need\n"
    "                                this project's updater (the metadata says so)\n"
    "  -t, --worker_threads N        diff workers (default: one per core)\n"
    "  --patch-formats android|extended\n"
    "                                android: BSDIFF40 and IMGDIFF2 with bzip2, which every\n"
    "                                Android updater reads; extended: also BSDF2 with\n"
    "                                brotli/xz/zstd and IMGDIFFX (this project's updater).\n"
    "                                Default: extended when the update-binary is this\n"
    "                                project's (or for --ab), else android\n"
    "  --help                        this text\n";

static void usage_error(const char *msg)
{
    fprintf(stderr, "ota_from_target_files: %s\n%s", msg, usage_text);
    exit(2);
}

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ota_from_target_files: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    ota_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (ota_buf_append(&b, chunk, n, NULL) < 0)
            break;
    int bad = ferror(f) || ota_buf_append(&b, "", 1, NULL) < 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "ota_from_target_files: cannot read %s\n", path);
        exit(1);
    }
    if (memchr(b.data, '\0', b.len - 1)) {
        fprintf(stderr, "ota_from_target_files: %s: a script cannot contain NUL bytes\n", path);
        exit(1);
    }
    return (char *)b.data;
}

/* The updater next to this program (the same build of the project). */
static char *sibling_updater(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *path = NULL;
    if (asprintf(&path, "%s/updater", dirname(self)) < 0)
        return NULL;
    return path;
}

int main(int argc, char **argv)
{
    /* Android's long option names too. */
    enum { OPT_BLOCK = 256, OPT_CACHE_SIZE, OPT_STASH_THRESHOLD, OPT_VERIFY, OPT_AB, OPT_PATCH_FORMATS,
           OPT_PAYLOAD };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"package_key", required_argument, NULL, 'k'},
        {"incremental_from", required_argument, NULL, 'i'},
        {"wipe_user_data", no_argument, NULL, 'w'},
        {"no_prereq", no_argument, NULL, 'n'},
        {"extra_script", required_argument, NULL, 'e'},
        {"worker_threads", required_argument, NULL, 't'},
        {"block", no_argument, NULL, OPT_BLOCK},
        {"cache-size", required_argument, NULL, OPT_CACHE_SIZE},
        {"stash_threshold", required_argument, NULL, OPT_STASH_THRESHOLD},
        {"verify", no_argument, NULL, OPT_VERIFY},
        {"ab", no_argument, NULL, OPT_AB},
        {"patch-formats", required_argument, NULL, OPT_PATCH_FORMATS},
        {"payload-compression", required_argument, NULL, OPT_PAYLOAD},
        {0, 0, 0, 0}};
    const char *key = NULL, *extra_path = NULL;
    rt_ota_opts opts = {0};
    int c;
    char *end;
    char glued[256];
    if (ota_cli_glued_value(argc, argv, "k:i:wne:t:h", longopts, glued, sizeof glued))
        usage_error(glued);
    while ((c = getopt_long(argc, argv, "k:i:wne:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': key = optarg; break;
        case 'i': opts.source = optarg; break;
        case 'w': opts.wipe_data = 1; break;
        case 'n': opts.no_prereq = 1; break;
        case 'e': extra_path = optarg; break;
        case 't':
            opts.threads = (int)strtol(optarg, &end, 10);
            if (*end || opts.threads < 1 || opts.threads > 256)
                usage_error("-t: a number of threads from 1 to 256 expected");
            break;
        case OPT_BLOCK: opts.block = 1; break;
        case OPT_VERIFY: opts.verify = 1; break;
        case OPT_AB: opts.ab = 1; break;
        case OPT_PATCH_FORMATS:
            if (strcmp(optarg, "android") == 0)
                opts.patch_formats = RT_PATCH_ANDROID;
            else if (strcmp(optarg, "extended") == 0)
                opts.patch_formats = RT_PATCH_EXTENDED;
            else
                usage_error("--patch-formats: \"android\" or \"extended\" expected");
            break;
        case OPT_PAYLOAD: {
            int p = rt_payload_parse(optarg);
            if (p < 0)
                usage_error("--payload-compression: deflate, xz, zstd or auto expected");
            opts.payload = (rt_payload)p;
            break;
        }
        case OPT_CACHE_SIZE:
            errno = 0;
            opts.cache_size = strtoull(optarg, &end, 0);
            if (errno || *end || opts.cache_size < 65536)
                usage_error("--cache-size: a size in bytes (at least 65536) expected");
            break;
        case OPT_STASH_THRESHOLD:
            opts.stash_threshold = strtod(optarg, &end);
            if (*end || !(opts.stash_threshold > 0 && opts.stash_threshold <= 1))
                usage_error("--stash_threshold: a number above 0 and at most 1 expected");
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: usage_error("bad option");
        }
    }
    if (argc - optind != 2)
        usage_error("expected TARGET_FILES.zip and OUTPUT.zip");
    const char *target = argv[optind], *output = argv[optind + 1];

    char key_base[4096];
    if (!key) {
        int created = 0;
        ota_error err;
        ota_error_clear(&err);
        if (rt_devkey_ensure(key_base, sizeof key_base, &created, &err) < 0) {
            fprintf(stderr, "ota_from_target_files: %s\n", err.message);
            return 1;
        }
        fprintf(stderr,
                "ota_from_target_files: warning: no -k given; signing with the development key "
                "%s.x509.pem%s (for development devices only)\n",
                key_base, created ? ", created now" : "");
        key = key_base;
    }
    char *cert = NULL, *pk8 = NULL;
    if (asprintf(&cert, "%s.x509.pem", key) < 0 || asprintf(&pk8, "%s.pk8", key) < 0) {
        fprintf(stderr, "ota_from_target_files: out of memory\n");
        return 1;
    }
    if (access(cert, R_OK) < 0 || access(pk8, R_OK) < 0) {
        fprintf(stderr, "ota_from_target_files: key %s: cannot read %s: %s\n", key,
                access(cert, R_OK) < 0 ? cert : pk8, strerror(errno));
        return 1;
    }

    char *extra = extra_path ? read_text_file(extra_path) : NULL;
    opts.extra_script = extra;
    char *updater = sibling_updater();
    opts.updater = updater;
    rt_term_progress tp;
    rt_term_progress_init(&tp, "ota_from_target_files");
    opts.progress = rt_term_progress_sink(&tp);
    opts.warn = rt_term_warn_sink(&tp);

    /* The unsigned package goes next to the output, then is signed into
     * place (sign_package renames, so OUTPUT is never half-written). */
    char *unsigned_pkg = NULL;
    if (asprintf(&unsigned_pkg, "%s.unsigned.XXXXXX", output) < 0) {
        fprintf(stderr, "ota_from_target_files: out of memory\n");
        return 1;
    }
    int fd = mkstemp(unsigned_pkg);
    if (fd < 0) {
        fprintf(stderr, "ota_from_target_files: cannot create %s: %s\n", unsigned_pkg,
                strerror(errno));
        return 1;
    }
    close(fd);
    ota_error err;
    ota_error_clear(&err);
    int rc = rt_ota_write(target, unsigned_pkg, &opts, &err);
    if (rc == 0) {
        rt_term_progress_report(&tp, "signing", 0, 1);
        sign_opts so = {.whole_file = 1};
        rc = sign_package(cert, pk8, unsigned_pkg, output, &so, &err);
        rt_term_progress_report(&tp, "signing", 1, 1);
    }
    rt_term_progress_end(&tp);
    unlink(unsigned_pkg);
    if (rc < 0)
        fprintf(stderr, "ota_from_target_files: %s\n", err.message);
    free(unsigned_pkg);
    free(updater);
    free(extra);
    free(cert);
    free(pk8);
    return rc < 0 ? 1 : 0;
}
