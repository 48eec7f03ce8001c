/* check_ota_package_signature CERT.x509.pem PACKAGE.zip: the verification
 * recovery runs before installing, from a host.  Exit 0 verified, 1 not
 * (the reason on stderr), 2 usage. */
#include <stdio.h>
#include <string.h>

#include "otautil/verify.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: check_ota_package_signature KEYS PACKAGE.zip\n"
            "Verifies PACKAGE.zip as recovery does: the whole-file signature in the zip\n"
            "comment and, when present, the v1 JAR signature (without one, recovery\n"
            "installs the package from a sealed copy in memory).  KEYS is a PEM X.509\n"
            "certificate (several may be concatenated), an otacerts.zip or a /res/keys\n"
            "file in the old text format.\n"
            "Exit status: 0 verified, 1 not verified, 2 usage error.\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        usage(stderr);
        return 2;
    }
    ota_error err;
    ota_error_clear(&err);
    ota_keyset *keys = ota_keyset_load(argv[1], &err);
    if (!keys) {
        fprintf(stderr, "check_ota_package_signature: %s\n", err.message);
        return 1;
    }
    ota_verify_info info;
    int rc = ota_verify_package(argv[2], keys, &info, &err);
    ota_keyset_free(keys);
    if (rc < 0) {
        fprintf(stderr, "check_ota_package_signature: NOT verified: %s\n", err.message);
        return 1;
    }
    printf("%s: verified: whole-file %s signature by trusted key %zu; %s\n", argv[2],
           info.hash_name, info.key_index + 1,
           info.jar_present ? "v1 JAR signature verified, every entry's digest matches"
                            : "no v1 JAR signature (recovery installs it from a sealed copy "
                              "in memory, as large as the package)");
    return 0;
}
