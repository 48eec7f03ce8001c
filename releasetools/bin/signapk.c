/* signapk [-w] CERT.x509.pem KEY.pk8 INPUT.zip OUTPUT.zip — Android's
 * package signer: always a v1 JAR signature; -w also the whole-file
 * signature recovery checks, and META-INF/com/android/otacert. */
#include <stdio.h>
#include <string.h>

#include "releasetools/sign.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: signapk [-w] CERT.x509.pem KEY.pk8 INPUT.zip OUTPUT.zip\n"
            "Signs INPUT.zip into OUTPUT.zip with a v1 JAR signature (META-INF/MANIFEST.MF,\n"
            "CERT.SF, CERT.RSA or CERT.EC).  CERT is a PEM X.509 certificate, KEY its\n"
            "unencrypted DER PKCS#8 private key (RSA 2048/4096 with e=3 or 65537, or EC\n"
            "P-256).\n"
            "  -w   sign the whole file too, for recovery: adds META-INF/com/android/otacert\n"
            "       and the whole-file signature in the zip comment.\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    sign_opts opts = {0};
    int i = 1;
    if (i < argc && strcmp(argv[i], "-w") == 0) {
        opts.whole_file = 1;
        i++;
    }
    if (argc - i != 4) {
        usage(stderr);
        return 2;
    }
    for (int k = i; k < argc; k++) {
        if (argv[k][0] == '-') {
            fprintf(stderr, "signapk: unknown option %s\n", argv[k]);
            usage(stderr);
            return 2;
        }
    }
    ota_error err;
    ota_error_clear(&err);
    if (sign_package(argv[i], argv[i + 1], argv[i + 2], argv[i + 3], &opts, &err) < 0) {
        fprintf(stderr, "signapk: %s\n", err.message);
        return 1;
    }
    return 0;
}
