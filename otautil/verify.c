/* ota_verify_package.  First, without hashing anything, the whole-file
 * signature is located (footer, strict PKCS#7) and matched to a trusted
 * key, so an unsigned or foreign package fails at once.  Then the signed
 * region's digest is streamed in a second thread while this one checks the
 * v1 JAR signature, which streams the entries: on a large package the two
 * passes over the data cost about one.  The whole-file verdict is reported
 * first: a package that fails it is "not signed", whatever its JAR says. */
#include "otautil/verifier.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/footer.h"
#include "otautil/jar.h"
#include "otautil/keys.h"
#include "otautil/safe_file.h"
#include "otautil/verify_pkcs7.h"
#include "otautil/zip.h"

#define HASH_CHUNK (1u << 20)
#define WHOLE_FILE "whole-file signature"

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

/* Streams bytes [0, len) of fd through the digest. */
typedef struct region_hash {
    int fd;
    uint64_t len;
    ota_hash_alg alg;
    uint8_t md[OTA_HASH_MAX_LEN];
    int rc;
    ota_error err;
} region_hash;

static void *hash_region(void *arg)
{
    region_hash *job = arg;
    job->rc = -1;
    uint8_t *buf = malloc(HASH_CHUNK);
    ota_hash h;
    if (!buf) {
        ota_error_set(&job->err, OTA_ERR_NOMEM, "out of memory for the hash buffer");
        return NULL;
    }
    if (ota_hash_init(&h, job->alg, &job->err) < 0) {
        free(buf);
        return NULL;
    }
    posix_fadvise(job->fd, 0, (off_t)job->len, POSIX_FADV_SEQUENTIAL);
    uint64_t off = 0;
    while (off < job->len) {
        size_t want = job->len - off < HASH_CHUNK ? (size_t)(job->len - off) : HASH_CHUNK;
        if (pread_all(job->fd, buf, want, off, &job->err) < 0)
            break;
        ota_hash_update(&h, buf, want);
        off += want;
    }
    if (off == job->len) {
        ota_hash_final(&h, job->md);
        job->rc = 0;
    } else {
        ota_hash_abort(&h);
    }
    free(buf);
    return NULL;
}

/* Footer, PKCS#7 and key: everything but the digest. */
static int locate_signature(int fd, uint64_t size, const ota_keyset *keys, ota_pkcs7 *sig,
                            uint64_t *signed_len, size_t *key_index, ota_error *err)
{
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? (size_t)size : OTA_FOOTER_TAIL_MAX;
    uint8_t *tail = malloc(tail_len ? tail_len : 1);
    if (!tail)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the file's tail");
    ota_footer footer;
    int rc = pread_all(fd, tail, tail_len, size - tail_len, err);
    if (rc == 0)
        rc = ota_footer_parse(tail, tail_len, size, &footer, err);
    if (rc == 0)
        rc = ota_pkcs7_parse(sig, tail + footer.sig_offset, footer.sig_len, WHOLE_FILE, err);
    free(tail);
    if (rc < 0)
        return -1;
    if (ota_pkcs7_find_key(sig, keys, key_index, err) < 0) {
        ota_pkcs7_free(sig);
        return -1;
    }
    *signed_len = footer.signed_len;
    return 0;
}

static int open_package(const char *path, uint64_t *size, ota_error *err)
{
    struct stat st;
    int fd = ota_open_regular(path, "package", &st, err);
    if (fd >= 0)
        *size = (uint64_t)st.st_size;
    return fd;
}

/* The v1 JAR check; *present says whether the package has one.  Messages
 * from the zip reader already start with the path; the JAR checks' don't. */
static int check_jar(const char *path, const ota_pkcs7 *sig, const ota_key *key, int *present,
                     ota_error *err)
{
    ota_zip *zip = ota_zip_open(path, err);
    if (!zip)
        return -1;
    int rc = ota_jar_verify(zip, sig, key, present, err);
    ota_zip_close(zip);
    if (rc < 0 && err && strncmp(err->message, path, strlen(path)) != 0)
        ota_error_prefix(err, "%s", path);
    return rc;
}

int ota_verify_package(const char *path, const ota_keyset *keys, ota_verify_info *info,
                       ota_error *err)
{
    ota_verify_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (ota_keyset_count(keys) == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: no trusted keys to verify against", path);
    uint64_t size = 0;
    int fd = open_package(path, &size, err);
    if (fd < 0)
        return -1;
    ota_pkcs7 sig;
    size_t key_index;
    region_hash job = {.fd = fd};
    if (locate_signature(fd, size, keys, &sig, &job.len, &key_index, err) < 0) {
        close(fd);
        ota_error_prefix(err, "%s", path);
        return -1;
    }
    const ota_key *key = ota_keyset_key(keys, key_index);
    job.alg = sig.hash;
    ota_error_clear(&job.err);
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, hash_region, &job) == 0;
    if (!threaded)
        hash_region(&job);

    ota_error jar_err;
    ota_error_clear(&jar_err);
    int jar_present = 0;
    int jar_rc = check_jar(path, &sig, key, &jar_present, &jar_err);

    if (threaded)
        pthread_join(thread, NULL);
    close(fd);
    int rc = job.rc;
    if (rc < 0)
        ota_error_set(err, job.err.code, "%s: %s: %s", path, WHOLE_FILE, job.err.message);
    else if ((rc = ota_pkcs7_verify_digest(&sig, key->pkey, job.md, WHOLE_FILE, err)) < 0)
        ota_error_prefix(err, "%s", path);
    if (rc == 0) {
        info->whole_file_ok = 1;
        info->key_index = key_index;
        snprintf(info->hash_name, sizeof info->hash_name, "%s", ota_hash_name(sig.hash));
        info->jar_present = jar_present;
        if (jar_rc < 0) {
            if (err)
                *err = jar_err;
            rc = -1;
        } else {
            info->jar_ok = jar_present;
        }
    }
    ota_pkcs7_free(&sig);
    return rc;
}
