/* ota_info [--json] [--key CERT] PACKAGE.zip: what an update package is and
 * what it would do, read without running it (releasetools/pkg_info.h).
 * Exit status: 0 described (and, with --key, verified); 1 the package
 * cannot be read, or it does not verify against --key; 2 usage error. */
#include <stdio.h>
#include <string.h>

#include "releasetools/pkg_info.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ota_info [--json] [--key CERT] PACKAGE.zip\n"
            "Describes an update package without running it: metadata (builds, device,\n"
            "timestamp, full or incremental), signer (certificate subject, key, digest),\n"
            "the update-binary's machine and size, and from its updater-script the\n"
            "partitions and files it writes and the bytes it writes in total.\n"
            "  --json      one JSON object instead of text\n"
            "  --key CERT  also verify as recovery does, against CERT (a PEM certificate,\n"
            "              several concatenated, an otacerts.zip or a /res/keys file)\n"
            "Exit status: 0 described (and verified, with --key), 1 unreadable package or\n"
            "not verified, 2 usage error.\n");
}

int main(int argc, char **argv)
{
    const char *key = NULL, *package = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--key") == 0 && i + 1 < argc && !key) {
            key = argv[++i];
        } else if (strncmp(a, "--key=", 6) == 0 && a[6] && !key) {
            key = a + 6;
        } else if (strcmp(a, "--") == 0 && i + 2 == argc && !package) {
            package = argv[++i];
        } else if (a[0] != '-' && !package) {
            package = a;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!package) {
        usage(stderr);
        return 2;
    }
    rt_pkg_info info;
    ota_error err;
    ota_error_clear(&err);
    if (rt_pkg_inspect(package, key, &info, &err) < 0) {
        fprintf(stderr, "ota_info: %s\n", err.message);
        return 1;
    }
    ota_buf out = {0};
    int rc = json ? rt_pkg_report_json(&info, &out, &err) : rt_pkg_report_text(&info, &out, &err);
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "ota_info: %s\n", err.message);
        status = 1;
    } else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        perror("ota_info: writing the report");
        status = 1;
    } else if (key && !info.verified) {
        fprintf(stderr, "ota_info: %s does NOT verify with %s: %s\n", package, key,
                info.verify_error);
        status = 1;
    }
    ota_buf_free(&out);
    rt_pkg_info_free(&info);
    return status;
}
