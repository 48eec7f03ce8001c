/* ota_verify_fd, in the order otautil/verify.h gives: the signature is
 * located and its key found without hashing anything (an unsigned or
 * foreign package fails at once); the central directory is indexed; the
 * whole signed region is hashed and the signature checked before any JAR
 * text is looked at.  Everything is read from the one open file. */
#include "otautil/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/footer.h"
#include "otautil/jar.h"
#include "otautil/keys.h"
#include "otautil/safe_file.h"
#include "otautil/verify_internal.h"
#include "otautil/verify_pkcs7.h"

#define HASH_CHUNK (1u << 20)
#define WHOLE_FILE OTA_WHOLE_FILE

static int pread_all(int fd, uint8_t *buf, size_t len, uint64_t off, ota_error *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "read failed");
        if (n == 0)
            return ota_error_set(err, OTA_ERR_IO, "file shrank while being read");
        got += (size_t)n;
    }
    return 0;
}

int ota_verify_locate(const uint8_t *tail, size_t tail_len, uint64_t size,
                      const ota_keyset *keys, ota_pkcs7 *sig, uint64_t *signed_len,
                      size_t *key_index, ota_error *err)
{
    ota_footer footer;
    if (ota_footer_parse(tail, tail_len, size, &footer, err) < 0 ||
        ota_pkcs7_parse(sig, tail + footer.sig_offset, footer.sig_len, WHOLE_FILE, err) < 0)
        return -1;
    if (ota_pkcs7_find_key(sig, keys, key_index, err) < 0) {
        ota_pkcs7_free(sig);
        return -1;
    }
    *signed_len = footer.signed_len;
    return 0;
}

/* Footer, PKCS#7 and key: everything but the digest. */
static int locate_signature(int fd, uint64_t size, const ota_keyset *keys, ota_pkcs7 *sig,
                            uint64_t *signed_len, size_t *key_index, ota_error *err)
{
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? (size_t)size : OTA_FOOTER_TAIL_MAX;
    uint8_t *tail = malloc(tail_len ? tail_len : 1);
    if (!tail)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the file's tail");
    int rc = pread_all(fd, tail, tail_len, size - tail_len, err);
    if (rc == 0)
        rc = ota_verify_locate(tail, tail_len, size, keys, sig, signed_len, key_index, err);
    free(tail);
    return rc;
}

/* Streams bytes [0, len) of fd through the signature's digest, and the
 * bytes [cd_off, cd_off + cd_len) among them through SHA-256 as well. */
static int hash_signed(int fd, uint64_t len, ota_hash_alg alg, uint64_t cd_off, uint64_t cd_len,
                       uint8_t *md, uint8_t cd_md[OTA_SHA256_LEN], ota_error *err)
{
    uint8_t *buf = malloc(HASH_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the hash buffer");
    ota_hash h, cd;
    if (ota_hash_init(&h, alg, err) < 0) {
        free(buf);
        return -1;
    }
    if (ota_hash_init(&cd, OTA_HASH_SHA256, err) < 0) {
        ota_hash_abort(&h);
        free(buf);
        return -1;
    }
    posix_fadvise(fd, 0, (off_t)len, POSIX_FADV_SEQUENTIAL);
    uint64_t off = 0;
    while (off < len) {
        size_t want = len - off < HASH_CHUNK ? (size_t)(len - off) : HASH_CHUNK;
        if (pread_all(fd, buf, want, off, err) < 0)
            break;
        ota_hash_update(&h, buf, want);
        uint64_t from = off > cd_off ? off : cd_off;
        uint64_t to = off + want < cd_off + cd_len ? off + want : cd_off + cd_len;
        if (from < to)
            ota_hash_update(&cd, buf + (from - off), (size_t)(to - from));
        off += want;
    }
    free(buf);
    if (off != len) {
        ota_hash_abort(&h);
        ota_hash_abort(&cd);
        return -1;
    }
    ota_hash_final(&h, md);
    ota_hash_final(&cd, cd_md);
    return 0;
}

/* Step 3: the signature over the signed region, and the index built from
 * that region's central directory.  Without an index (the archive could
 * not be indexed) only the signature: its failure is the reason to give. */
static int check_whole_file(int fd, ota_zip *zip, const ota_pkcs7 *sig, const ota_key *key,
                            uint64_t signed_len, ota_error *err)
{
    uint64_t cd_off = 0, cd_len = 0;
    if (zip)
        ota_zip_index_extent(zip, &cd_off, &cd_len);
    uint8_t md[OTA_HASH_MAX_LEN], cd_md[OTA_SHA256_LEN];
    if (hash_signed(fd, signed_len, sig->hash, cd_off, cd_len, md, cd_md, err) < 0) {
        ota_error_prefix(err, "%s", WHOLE_FILE);
        return -1;
    }
    if (ota_pkcs7_verify_digest(sig, key->pkey, md, WHOLE_FILE, err) < 0)
        return -1;
    if (!zip)
        return 0;
    /* The signature holds for the bytes just hashed; the index was built
     * from the bytes read before.  A package changed in between shows
     * here. */
    if (cd_off > signed_len || cd_len > signed_len - cd_off ||
        memcmp(cd_md, ota_zip_index_sha256(zip), OTA_SHA256_LEN) != 0)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "the package changed while it was being verified: its central "
                             "directory is not the signed one");
    return 0;
}

static int missing_jar(ota_error *err)
{
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "no v1 JAR signature (META-INF/MANIFEST.MF, CERT.SF and CERT.RSA or "
                         "CERT.EC): only a package whose every entry is signed can be installed "
                         "(sign it with signapk -w)");
}

int ota_verify_fd(int fd, const char *name, const ota_keyset *keys, unsigned flags,
                  ota_verify_info *info, ota_zip **zip_out, ota_error *err)
{
    ota_verify_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (zip_out)
        *zip_out = NULL;
    if (ota_keyset_count(keys) == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: no trusted keys to verify against", name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ota_error_errno(err, "cannot stat package %s", name);
    if (!S_ISREG(st.st_mode))
        return ota_error_set(err, OTA_ERR_FORMAT, "package %s is a %s, not a regular file", name,
                             ota_file_kind(st.st_mode));
    ota_pkcs7 sig;
    size_t key_index;
    uint64_t signed_len = 0;
    if (locate_signature(fd, (uint64_t)st.st_size, keys, &sig, &signed_len, &key_index, err) < 0) {
        ota_error_prefix(err, "%s", name);
        return -1;
    }
    const ota_key *key = ota_keyset_key(keys, key_index);
    int rc = -1, jar_present = 0;
    ota_error zip_err;
    ota_zip *zip = ota_zip_open_fd(fd, name, &zip_err);
    if (check_whole_file(fd, zip, &sig, key, signed_len, err) < 0) {
        ota_error_prefix(err, "%s", name);
    } else if (!zip) {
        if (err)
            *err = zip_err; /* signed, yet no archive we can read */
    } else {
        info->whole_file_ok = 1;
        info->key_index = key_index;
        snprintf(info->hash_name, sizeof info->hash_name, "%s", ota_hash_name(sig.hash));
        memcpy(info->index_sha256, ota_zip_index_sha256(zip), OTA_SHA256_LEN);
        if (ota_jar_verify(zip, &sig, key, &jar_present, err) < 0) {
            if (err && strncmp(err->message, name, strlen(name)) != 0)
                ota_error_prefix(err, "%s", name);
        } else if (!jar_present && (flags & OTA_VERIFY_REQUIRE_JAR)) {
            missing_jar(err);
            ota_error_prefix(err, "%s", name);
        } else {
            rc = 0;
        }
    }
    ota_pkcs7_free(&sig);
    info->jar_present = jar_present;
    if (rc == 0 && jar_present) {
        info->jar_ok = 1;
        memcpy(info->manifest_sha256,
               ota_signed_entries_manifest_sha256(ota_zip_signed_entries(zip)), OTA_SHA256_LEN);
        if (zip_out) {
            *zip_out = zip;
            zip = NULL;
        }
    }
    ota_zip_close(zip);
    return rc;
}

int ota_verify_package(const char *path, const ota_keyset *keys, ota_verify_info *info,
                       ota_error *err)
{
    if (info)
        memset(info, 0, sizeof *info);
    int fd = ota_open_regular(path, "package", NULL, err);
    if (fd < 0)
        return -1;
    int rc = ota_verify_fd(fd, path, keys, 0, info, NULL, err);
    close(fd);
    return rc;
}
