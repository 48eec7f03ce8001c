/* ota_verify_fd, in the order otautil/verify.h gives: the signature is
 * located and its key found without hashing anything (an unsigned or
 * foreign package fails at once); the central directory is indexed; the
 * whole signed region is hashed and the signature checked before any JAR
 * text is looked at -- in place, or on a sealed copy made in the same
 * pass.  Everything is read from the one open file. */
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
#include "otautil/sink.h"
#include "otautil/snapshot.h"
#include "otautil/verify_internal.h"
#include "otautil/verify_pkcs7.h"

#define HASH_CHUNK (1u << 20)
#define MIB (1024.0 * 1024.0)
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

/* The whole-file signature as located: the PKCS#7, the trusted key it
 * names, and how much of the file it signs. */
typedef struct whole_file {
    ota_pkcs7 sig;
    size_t key_index;
    uint64_t signed_len;
} whole_file;

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
static int locate_signature(int fd, uint64_t size, const ota_keyset *keys, whole_file *wf,
                            ota_error *err)
{
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? (size_t)size : OTA_FOOTER_TAIL_MAX;
    uint8_t *tail = malloc(tail_len ? tail_len : 1);
    if (!tail)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the file's tail");
    int rc = pread_all(fd, tail, tail_len, size - tail_len, err);
    if (rc == 0)
        rc = ota_verify_locate(tail, tail_len, size, keys, &wf->sig, &wf->signed_len,
                               &wf->key_index, err);
    free(tail);
    return rc;
}

/* One pass over the package's bytes, in order: the signature's digest of
 * [0, signed_len), and SHA-256 of the central directory's range among
 * them; with copy_fd >= 0 every byte is also written there. */
typedef struct signed_pass {
    ota_hash h, cd;
    uint64_t pos, signed_len, cd_off, cd_end;
    int copy_fd;
} signed_pass;

static int pass_start(signed_pass *p, const whole_file *wf, const ota_zip *zip, int copy_fd,
                      ota_error *err)
{
    memset(p, 0, sizeof *p);
    p->signed_len = wf->signed_len;
    p->copy_fd = copy_fd;
    if (zip) {
        uint64_t len;
        ota_zip_index_extent(zip, &p->cd_off, &len);
        p->cd_end = p->cd_off + len;
    }
    if (ota_hash_init(&p->h, wf->sig.hash, err) < 0)
        return -1;
    if (ota_hash_init(&p->cd, OTA_HASH_SHA256, err) < 0) {
        ota_hash_abort(&p->h);
        return -1;
    }
    return 0;
}

/* An ota_sink_fn for the bytes of the pass, in order. */
static int pass_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    signed_pass *p = ctx;
    const uint8_t *b = data;
    uint64_t start = p->pos, end = p->pos + len;
    if (start < p->signed_len)
        ota_hash_update(&p->h, b, (size_t)((end < p->signed_len ? end : p->signed_len) - start));
    uint64_t from = start > p->cd_off ? start : p->cd_off;
    uint64_t to = end < p->cd_end ? end : p->cd_end;
    if (from < to)
        ota_hash_update(&p->cd, b + (from - start), (size_t)(to - from));
    p->pos = end;
    if (p->copy_fd >= 0 && ota_write_all(p->copy_fd, data, len, err) < 0) {
        ota_error_prefix(err, "cannot copy the package into memory");
        return -1;
    }
    return 0;
}

/* Ends the pass: md gets the signature's digest, cd_md the directory's. */
static void pass_end(signed_pass *p, uint8_t *md, uint8_t cd_md[OTA_SHA256_LEN])
{
    ota_hash_final(&p->h, md);
    ota_hash_final(&p->cd, cd_md);
}

static void pass_abort(signed_pass *p)
{
    ota_hash_abort(&p->h);
    ota_hash_abort(&p->cd);
}

/* Streams bytes [0, len) of fd through sink, in 1 MiB reads. */
static int stream_fd(int fd, uint64_t len, ota_sink_fn sink, void *ctx, ota_error *err)
{
    uint8_t *buf = malloc(HASH_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the hash buffer");
    posix_fadvise(fd, 0, (off_t)len, POSIX_FADV_SEQUENTIAL);
    int rc = 0;
    for (uint64_t off = 0; rc == 0 && off < len;) {
        size_t want = len - off < HASH_CHUNK ? (size_t)(len - off) : HASH_CHUNK;
        rc = pread_all(fd, buf, want, off, err);
        if (rc == 0)
            rc = sink(ctx, buf, want, err);
        off += want;
    }
    free(buf);
    return rc;
}

static int changed(ota_error *err, const char *what)
{
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "the package changed while it was being verified: %s", what);
}

/* Step 3 on what a pass digested: the signature, and the index of zip
 * built from the directory whose bytes the pass hashed, in the signed
 * region.  Without an index (the archive could not be indexed) only the
 * signature: its failure is the reason to give. */
static int check_pass(const ota_zip *zip, const signed_pass *p, const whole_file *wf,
                      const ota_key *key, const uint8_t *md, const uint8_t *cd_md, ota_error *err)
{
    if (ota_pkcs7_verify_digest(&wf->sig, key->pkey, md, WHOLE_FILE, err) < 0)
        return -1;
    if (!zip)
        return 0;
    /* The signature holds for the bytes just hashed; the index was built
     * from the bytes read before.  A package changed in between shows
     * here. */
    uint64_t cd_off, cd_len;
    ota_zip_index_extent(zip, &cd_off, &cd_len);
    if (cd_off != p->cd_off || cd_len != p->cd_end - p->cd_off || cd_off > wf->signed_len ||
        cd_len > wf->signed_len - cd_off ||
        memcmp(cd_md, ota_zip_index_sha256(zip), OTA_SHA256_LEN) != 0)
        return changed(err, "its central directory is not the signed one");
    return 0;
}

/* Step 3 in place: the signed region hashed from fd. */
static int check_in_place(int fd, const ota_zip *zip, const whole_file *wf, const ota_key *key,
                          ota_error *err)
{
    signed_pass p;
    uint8_t md[OTA_HASH_MAX_LEN], cd_md[OTA_SHA256_LEN];
    if (pass_start(&p, wf, zip, -1, err) < 0)
        return -1;
    if (stream_fd(fd, wf->signed_len, pass_sink, &p, err) < 0) {
        pass_abort(&p);
        ota_error_prefix(err, "%s", WHOLE_FILE);
        return -1;
    }
    pass_end(&p, md, cd_md);
    return check_pass(zip, &p, wf, key, md, cd_md, err);
}

static int too_large(uint64_t size, const ota_verify_opts *opts, ota_error *err)
{
    return ota_error_set(
        err, OTA_ERR_LIMIT,
        "no v1 JAR signature, so it can only be verified and installed from a copy in memory, "
        "and its %.1f MiB exceed the %.1f MiB that may be used for one (%s): free memory, or "
        "sign the package with a v1 JAR signature as well (this project's signapk -w writes "
        "both)",
        (double)size / MIB, (double)opts->snapshot_limit / MIB,
        opts->snapshot_limit_why ? opts->snapshot_limit_why : "the caller's limit");
}

/* Step 3 as a snapshot: fd is copied into a sealed memory file as the
 * pass streams, and everything after is judged on the copy alone -- its
 * own signature (located again: the comment is not signed), its own
 * index, held to the digests the pass took of exactly these bytes.  On
 * success *wf and *zip are the copy's and *snap_fd is the copy. */
static int check_snapshot(int fd, uint64_t size, const char *name, const ota_keyset *keys,
                          const ota_verify_opts *opts, whole_file *wf, ota_zip **zip,
                          int *snap_fd, ota_error *err)
{
    if (size > opts->snapshot_limit)
        return too_large(size, opts, err);
    int snap = ota_snapshot_create(name, err);
    if (snap < 0)
        return -1;
    signed_pass p;
    uint8_t md[OTA_HASH_MAX_LEN], cd_md[OTA_SHA256_LEN];
    if (pass_start(&p, wf, *zip, snap, err) < 0) {
        close(snap);
        return -1;
    }
    if (stream_fd(fd, size, pass_sink, &p, err) < 0) {
        pass_abort(&p);
        close(snap);
        ota_error_prefix(err, "%s", WHOLE_FILE);
        return -1;
    }
    pass_end(&p, md, cd_md);
    whole_file copy;
    ota_zip *copy_zip = NULL;
    int rc = ota_snapshot_seal(snap, name, err);
    if (rc == 0)
        rc = locate_signature(snap, size, keys, &copy, err);
    if (rc < 0) {
        close(snap);
        return -1;
    }
    if (copy.signed_len != wf->signed_len || copy.sig.hash != wf->sig.hash)
        rc = changed(err, "its signature is not the one first read");
    if (rc == 0 && !(copy_zip = ota_zip_open_fd(snap, name, err)))
        rc = -1;
    if (rc == 0)
        rc = check_pass(copy_zip, &p, &copy, ota_keyset_key(keys, copy.key_index), md, cd_md, err);
    if (rc < 0) {
        ota_zip_close(copy_zip);
        ota_pkcs7_free(&copy.sig);
        close(snap);
        return -1;
    }
    ota_pkcs7_free(&wf->sig);
    *wf = copy;
    ota_zip_close(*zip);
    *zip = copy_zip;
    *snap_fd = snap;
    return 0;
}

int ota_verify_fd(int fd, const char *name, const ota_keyset *keys, const ota_verify_opts *opts,
                  ota_verify_info *info, ota_zip **zip_out, ota_error *err)
{
    ota_verify_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    info->snapshot_fd = -1;
    if (zip_out)
        *zip_out = NULL;
    unsigned flags = opts ? opts->flags : 0;
    if (ota_keyset_count(keys) == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "%s: no trusted keys to verify against", name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ota_error_errno(err, "cannot stat package %s", name);
    if (!S_ISREG(st.st_mode))
        return ota_error_set(err, OTA_ERR_FORMAT, "package %s is a %s, not a regular file", name,
                             ota_file_kind(st.st_mode));
    info->size = (uint64_t)st.st_size;
    whole_file wf;
    if (locate_signature(fd, info->size, keys, &wf, err) < 0) {
        ota_error_prefix(err, "%s", name);
        return -1;
    }
    int rc = -1, jar_present = 0, snap = -1;
    ota_error zip_err;
    ota_zip *zip = ota_zip_open_fd(fd, name, &zip_err);
    /* Whether the package has a v1 JAR signature is judged by the index
     * before anything is verified; either way is safe, since each path
     * holds every byte used to the signature on its own. */
    if ((flags & OTA_VERIFY_SNAPSHOT) && zip && !ota_jar_present(zip))
        rc = check_snapshot(fd, info->size, name, keys, opts, &wf, &zip, &snap, err);
    else
        rc = check_in_place(fd, zip, &wf, ota_keyset_key(keys, wf.key_index), err);
    if (rc < 0) {
        ota_error_prefix(err, "%s", name);
    } else if (!zip) {
        rc = -1;
        if (err)
            *err = zip_err; /* signed, yet no archive we can read */
    } else {
        info->whole_file_ok = 1;
        info->key_index = wf.key_index;
        snprintf(info->hash_name, sizeof info->hash_name, "%s", ota_hash_name(wf.sig.hash));
        memcpy(info->index_sha256, ota_zip_index_sha256(zip), OTA_SHA256_LEN);
        rc = ota_jar_verify(zip, &wf.sig, ota_keyset_key(keys, wf.key_index), &jar_present, err);
        if (rc < 0 && err && strncmp(err->message, name, strlen(name)) != 0)
            ota_error_prefix(err, "%s", name);
    }
    ota_pkcs7_free(&wf.sig);
    info->jar_present = jar_present;
    if (rc == 0 && jar_present) {
        info->jar_ok = 1;
        memcpy(info->manifest_sha256,
               ota_signed_entries_manifest_sha256(ota_zip_signed_entries(zip)), OTA_SHA256_LEN);
    }
    if (rc == 0 && (jar_present || snap >= 0) && zip_out) {
        *zip_out = zip;
        zip = NULL;
    }
    if (rc == 0 && snap >= 0 && info != &local)
        info->snapshot_fd = snap;
    else if (snap >= 0)
        close(snap);
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
    int rc = ota_verify_fd(fd, path, keys, NULL, info, NULL, err);
    close(fd);
    return rc;
}
