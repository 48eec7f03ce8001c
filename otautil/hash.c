#include "otautil/hash.h"

/* OpenSSL's digest functions themselves, not EVP: EVP brings in the whole
 * provider machinery (about 2.4 MB of the static update-binary, 1 MB of
 * every package), for two fixed digests.  OpenSSL 3 marks these
 * deprecated but keeps them, and the code is the same. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <unistd.h>

typedef union digest_ctx {
    SHA_CTX sha1;
    SHA256_CTX sha256;
} digest_ctx;

size_t ota_hash_len(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? OTA_SHA1_LEN : OTA_SHA256_LEN;
}

const char *ota_hash_name(ota_hash_alg alg)
{
    return alg == OTA_HASH_SHA1 ? "SHA-1" : "SHA-256";
}

int ota_hash_init(ota_hash *h, ota_hash_alg alg, ota_error *err)
{
    digest_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx || (alg == OTA_HASH_SHA1 ? SHA1_Init(&ctx->sha1) : SHA256_Init(&ctx->sha256)) != 1) {
        free(ctx);
        h->ctx = NULL;
        return ota_error_set(err, OTA_ERR_NOMEM, "cannot start a %s digest", ota_hash_name(alg));
    }
    h->ctx = ctx;
    h->alg = alg;
    return 0;
}

void ota_hash_update(ota_hash *h, const void *data, size_t len)
{
    digest_ctx *ctx = h->ctx;
    if (!len)
        return;
    if (h->alg == OTA_HASH_SHA1)
        SHA1_Update(&ctx->sha1, data, len);
    else
        SHA256_Update(&ctx->sha256, data, len);
}

void ota_hash_final(ota_hash *h, uint8_t *out)
{
    digest_ctx *ctx = h->ctx;
    if (h->alg == OTA_HASH_SHA1)
        SHA1_Final(out, &ctx->sha1);
    else
        SHA256_Final(out, &ctx->sha256);
    free(ctx);
    h->ctx = NULL;
}

void ota_hash_abort(ota_hash *h)
{
    free(h->ctx);
    h->ctx = NULL;
}

/* (Not SHA1()/SHA256(): in OpenSSL 3 those go through EVP.) */
static void one_shot(ota_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    digest_ctx ctx;
    if (alg == OTA_HASH_SHA1) {
        SHA1_Init(&ctx.sha1);
        SHA1_Update(&ctx.sha1, data, len);
        SHA1_Final(out, &ctx.sha1);
    } else {
        SHA256_Init(&ctx.sha256);
        SHA256_Update(&ctx.sha256, data, len);
        SHA256_Final(out, &ctx.sha256);
    }
}

void ota_sha1(const void *data, size_t len, uint8_t out[OTA_SHA1_LEN])
{
    one_shot(OTA_HASH_SHA1, data, len, out);
}

void ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_LEN])
{
    one_shot(OTA_HASH_SHA256, data, len, out);
}

int ota_hash_fd(int fd, uint64_t len, ota_hash_alg alg, uint8_t *out, ota_error *err)
{
    enum { CHUNK = 1 << 20 };
    static _Thread_local unsigned char buf[CHUNK];
    ota_hash h;
    if (ota_hash_init(&h, alg, err) < 0)
        return -1;
    uint64_t left = len;
    while (left > 0) {
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        ssize_t n = read(fd, buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ota_hash_abort(&h);
            return ota_error_errno(err, "read failed while hashing");
        }
        if (n == 0) {
            if (len == UINT64_MAX)
                break;
            ota_hash_abort(&h);
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "short read while hashing: %llu of %llu bytes missing",
                                 (unsigned long long)left, (unsigned long long)len);
        }
        ota_hash_update(&h, buf, (size_t)n);
        if (len != UINT64_MAX)
            left -= (uint64_t)n;
    }
    ota_hash_final(&h, out);
    return 0;
}

int ota_hash_file(const char *path, ota_hash_alg alg, uint8_t *out, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    int rc = ota_hash_fd(fd, UINT64_MAX, alg, out, err);
    if (rc < 0)
        ota_error_prefix(err, "%s", path);
    close(fd);
    return rc;
}

void ota_hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int ota_hex_decode(const char *hex, uint8_t *out, size_t len, const char **end)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(hex[2 * i]);
        int lo = hi < 0 ? -1 : hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (end)
        *end = hex + 2 * len;
    else if (hex[2 * len] != '\0')
        return -1;
    return 0;
}
