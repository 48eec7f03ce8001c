/* ota_package_signer: the footer and PKCS#7 block parsed as the verifier
 * parses them (otautil/footer.h, verify_pkcs7.h), then described. */
#include "otautil/signer.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/footer.h"
#include "otautil/hash.h"
#include "otautil/keys.h"
#include "otautil/sink.h"
#include "otautil/verify_pkcs7.h"

/* The last tail_len bytes of fd (size bytes long). */
static int read_tail(int fd, uint64_t size, uint8_t *tail, size_t tail_len, ota_error *err)
{
    if (lseek(fd, (off_t)(size - tail_len), SEEK_SET) < 0)
        return ota_error_errno(err, "seek failed");
    long long got = ota_read_all(fd, tail, tail_len, err);
    if (got < 0)
        return -1;
    if ((size_t)got != tail_len)
        return ota_error_set(err, OTA_ERR_IO, "file shrank while being read");
    return 0;
}

static void describe_time(const ASN1_TIME *t, char *out, size_t outsz)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int n = bio && ASN1_TIME_print(bio, t) ? BIO_read(bio, out, (int)outsz - 1) : -1;
    out[n > 0 ? n : 0] = '\0';
    BIO_free(bio);
}

static void describe(const ota_pkcs7 *sig, ota_signer_info *out)
{
    ota_pkcs7_signer_name(sig, out->subject, sizeof out->subject);
    if (!X509_NAME_oneline(X509_get_issuer_name(sig->signer), out->issuer, sizeof out->issuer))
        snprintf(out->issuer, sizeof out->issuer, "(unknown)");
    EVP_PKEY *pub = X509_get0_pubkey(sig->signer);
    if (pub)
        ota_key_describe(pub, out->key, sizeof out->key);
    else
        snprintf(out->key, sizeof out->key, "(unreadable key)");
    snprintf(out->digest, sizeof out->digest, "%s", ota_hash_name(sig->hash));
    unsigned char *der = NULL;
    int len = i2d_X509(sig->signer, &der);
    if (len > 0) {
        uint8_t md[OTA_SHA256_LEN];
        ota_sha256(der, (size_t)len, md);
        ota_hex_encode(md, sizeof md, out->cert_sha256);
    }
    OPENSSL_free(der);
    describe_time(X509_get0_notBefore(sig->signer), out->not_before, sizeof out->not_before);
    describe_time(X509_get0_notAfter(sig->signer), out->not_after, sizeof out->not_after);
}

int ota_package_signer(const char *path, ota_signer_info *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0)
        rc = ota_error_errno(err, "cannot stat %s", path);
    else if (!S_ISREG(st.st_mode))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: not a regular file", path);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    uint64_t size = (uint64_t)st.st_size;
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? (size_t)size : OTA_FOOTER_TAIL_MAX;
    uint8_t *tail = malloc(tail_len ? tail_len : 1);
    ota_footer footer;
    ota_pkcs7 sig;
    if (!tail)
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the file's tail");
    if (rc == 0)
        rc = read_tail(fd, size, tail, tail_len, err);
    if (rc == 0)
        rc = ota_footer_parse(tail, tail_len, size, &footer, err);
    if (rc == 0)
        rc = ota_pkcs7_parse(&sig, tail + footer.sig_offset, footer.sig_len,
                             "whole-file signature", err);
    if (rc == 0) {
        describe(&sig, out);
        ota_pkcs7_free(&sig);
    } else {
        ota_error_prefix(err, "%s", path);
    }
    free(tail);
    close(fd);
    return rc;
}
