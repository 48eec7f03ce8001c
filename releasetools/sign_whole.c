/* The whole-file signature, as Android's signapk -w writes it: the archive
 * is written with an empty comment; everything but the EOCD's 2-byte
 * comment length is signed; then the comment length and the comment
 * ("signed by SignApk" NUL, the PKCS#7 DER, the 6-byte footer) are written
 * in their place. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/footer.h"
#include "releasetools/sign_internal.h"

#define CHUNK (1u << 20)
/* ECDSA signatures are random: a retry gives other bytes. */
#define EC_ATTEMPTS 16

static const uint8_t eocd_magic[4] = {'P', 'K', 5, 6};

static int pread_all(int fd, uint8_t *buf, size_t len, uint64_t off)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static int hash_prefix(int fd, uint64_t len, ota_hash_alg alg, uint8_t *out, const char *path,
                       ota_error *err)
{
    uint8_t *buf = malloc(CHUNK);
    ota_hash h;
    if (!buf || ota_hash_init(&h, alg, err) < 0) {
        free(buf);
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory hashing", path);
    }
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
        if (pread_all(fd, buf, n, off) < 0) {
            ota_hash_abort(&h);
            free(buf);
            return ota_error_errno(err, "%s: read failed", path);
        }
        ota_hash_update(&h, buf, n);
        off += n;
    }
    ota_hash_final(&h, out);
    free(buf);
    return 0;
}

/* Builds the 2-byte comment length and the comment into out; 1 when an
 * EOCD marker turned up after the real one (the verifier would refuse
 * that), 0 when fine, -1 on error.  eocd: the archive's last 22 bytes. */
static int build_tail(const sign_signer *s, const uint8_t *digest, const uint8_t *eocd,
                      ota_buf *out, ota_error *err)
{
    ota_buf der = {0};
    if (sign_pkcs7(s, digest, &der, err) < 0)
        return -1;
    static const char banner[] = OTA_FOOTER_BANNER; /* and its NUL */
    size_t total = sizeof banner + der.len + OTA_FOOTER_SIZE;
    if (total > 0xffff) {
        ota_buf_free(&der);
        return ota_error_set(err, OTA_ERR_LIMIT, "signature of %zu bytes does not fit a zip comment",
                             der.len);
    }
    size_t start = der.len + OTA_FOOTER_SIZE;
    uint8_t len16[2] = {(uint8_t)total, (uint8_t)(total >> 8)};
    uint8_t footer[OTA_FOOTER_SIZE] = {(uint8_t)start, (uint8_t)(start >> 8), 0xff, 0xff,
                                       (uint8_t)total, (uint8_t)(total >> 8)};
    int ok = ota_buf_append(out, len16, 2, err) == 0 &&
             ota_buf_append(out, banner, sizeof banner, err) == 0 &&
             ota_buf_append(out, der.data, der.len, err) == 0 &&
             ota_buf_append(out, footer, sizeof footer, err) == 0;
    ota_buf_free(&der);
    if (!ok)
        return -1;
    /* Scan as the verifier does: from just after the real marker. */
    ota_buf all = {0};
    if (ota_buf_append(&all, eocd, OTA_EOCD_SIZE - 2, err) < 0 ||
        ota_buf_append(&all, out->data, out->len, err) < 0) {
        ota_buf_free(&all);
        return -1;
    }
    int spurious = 0;
    for (size_t i = 4; i + 4 <= all.len; i++)
        if (memcmp(all.data + i, eocd_magic, 4) == 0)
            spurious = 1;
    ota_buf_free(&all);
    return spurious;
}

int sign_whole_file(const sign_signer *s, const char *path, ota_error *err)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    struct stat st = {0};
    uint8_t eocd[OTA_EOCD_SIZE];
    int rc = 0;
    if (fstat(fd, &st) < 0 || st.st_size < OTA_EOCD_SIZE ||
        pread_all(fd, eocd, sizeof eocd, (uint64_t)st.st_size - OTA_EOCD_SIZE) < 0)
        rc = ota_error_errno(err, "%s: cannot read the end of the archive", path);
    else if (memcmp(eocd, eocd_magic, 4) != 0 || eocd[20] || eocd[21])
        rc = ota_error_set(err, OTA_ERR_FORMAT,
                           "%s: does not end in an end-of-central-directory record without a "
                           "comment",
                           path);
    uint8_t md[OTA_HASH_MAX_LEN];
    uint64_t signed_len = rc == 0 ? (uint64_t)st.st_size - 2 : 0;
    if (rc == 0)
        rc = hash_prefix(fd, signed_len, s->hash, md, path, err);
    ota_buf tail = {0};
    int attempts = EVP_PKEY_is_a(s->key, "EC") ? EC_ATTEMPTS : 1;
    for (int i = 0; rc == 0 && i < attempts; i++) {
        tail.len = 0;
        rc = build_tail(s, md, eocd, &tail, err);
        if (rc == 1)
            rc = i + 1 < attempts ? 0 : ota_error_set(err, OTA_ERR_VERIFY,
                                                      "%s: the signature happens to contain an "
                                                      "end-of-central-directory marker, which "
                                                      "verifiers refuse; change the package",
                                                      path);
        else if (rc == 0)
            break;
    }
    if (rc == 0 && (pwrite(fd, tail.data, tail.len, (off_t)signed_len) != (ssize_t)tail.len ||
                    fsync(fd) < 0))
        rc = ota_error_errno(err, "%s: cannot write the signature", path);
    ota_buf_free(&tail);
    close(fd);
    return rc;
}
