/* Whole-file and v1 JAR verification against Android's own signed test
 * packages (../shared/testdata/aosp/recovery, see its README): each verifies
 * with its key only; every single altered byte, every truncation and every
 * lying footer is refused with a reason. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "otautil/error.h"
#include "otautil/jar.h"
#include "otautil/safe_file.h"
#include "otautil/snapshot.h"
#include "otautil/verify.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

static char tmpdir[] = "/tmp/ota-verifier-test.XXXXXX";

static const char *const names[] = {"v1", "v2", "v3", "v4", "v5", "4096bits"};
#define NKEYS (sizeof names / sizeof *names)
static const char *const hashes[NKEYS] = {"SHA-1", "SHA-1", "SHA-256", "SHA-256", "SHA-256",
                                          "SHA-256"};

static void data_path(char *out, size_t cap, const char *fmt, const char *name)
{
    char file[128], rel[160];
    snprintf(file, sizeof file, fmt, name);
    snprintf(rel, sizeof rel, "recovery/%s", file);
    test_data_path(rel, out, cap);
}

static ota_keyset *load_key(const char *name, const char *ext)
{
    char path[1024], fmt[64];
    snprintf(fmt, sizeof fmt, "testkey_%%s.%s", ext);
    data_path(path, sizeof path, fmt, name);
    ota_error err;
    ota_keyset *ks = ota_keyset_load(path, &err);
    ck_assert_msg(ks != NULL, "%s: %s", path, err.message);
    return ks;
}

/* Verifies; returns 0/-1 and leaves the message in err. */
static int verify(const char *path, const ota_keyset *ks, ota_verify_info *info, ota_error *err)
{
    ota_error_clear(err);
    int rc = ota_verify_package(path, ks, info, err);
    if (rc < 0) {
        ck_assert_msg(err->code != OTA_OK && err->message[0], "failure without a reason");
    }
    return rc;
}

static void expect_failure(const char *path, const ota_keyset *ks, const char *reason)
{
    ota_error err;
    ck_assert_int_eq(verify(path, ks, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, reason), "expected \"%s\" in: %s", reason, err.message);
}

START_TEST(each_package_verifies_with_its_key_only)
{
    size_t i = (size_t)_i;
    char pkg[1024];
    data_path(pkg, sizeof pkg, "otasigned_%s.zip", names[i]);
    for (size_t k = 0; k < NKEYS; k++) {
        ota_keyset *ks = load_key(names[k], "x509.pem");
        ota_verify_info info;
        ota_error err;
        int rc = verify(pkg, ks, &info, &err);
        if (k == i) {
            ck_assert_msg(rc == 0, "%s with key %s: %s", pkg, names[k], err.message);
            ck_assert_int_eq(info.whole_file_ok, 1);
            ck_assert_str_eq(info.hash_name, hashes[i]);
            ck_assert_uint_eq(info.key_index, 0);
            /* all but the 4096-bit package carry a v1 JAR signature */
            ck_assert_int_eq(info.jar_present, strcmp(names[i], "4096bits") != 0);
            ck_assert_int_eq(info.jar_ok, info.jar_present);
        } else {
            ck_assert_msg(rc == -1, "%s verified with the wrong key %s", pkg, names[k]);
            ck_assert_int_eq(info.whole_file_ok, 0);
            ck_assert_msg(strstr(err.message, "no matching key"), "%s", err.message);
        }
        ota_keyset_free(ks);
    }
}
END_TEST

START_TEST(all_keys_in_one_pem_file)
{
    char all[1024];
    snprintf(all, sizeof all, "%s/all.pem", tmpdir);
    FILE *out = fopen(all, "wb");
    ck_assert(out != NULL);
    for (size_t k = 0; k < NKEYS; k++) {
        char path[1024];
        data_path(path, sizeof path, "testkey_%s.x509.pem", names[k]);
        size_t len;
        unsigned char *pem = test_read_file(path, &len);
        fwrite(pem, 1, len, out);
        free(pem);
    }
    fclose(out);
    ota_error err;
    ota_keyset *ks = ota_keyset_load(all, &err);
    ck_assert_msg(ks != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_keyset_count(ks), NKEYS);
    for (size_t i = 0; i < NKEYS; i++) {
        char pkg[1024];
        ota_verify_info info;
        data_path(pkg, sizeof pkg, "otasigned_%s.zip", names[i]);
        ck_assert_msg(verify(pkg, ks, &info, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(info.key_index, i);
    }
    ota_keyset_free(ks);
}
END_TEST

/* The gingerbread text keys carry their hash: v1/v2 SHA-1, v3/v4 SHA-256. */
START_TEST(text_keys_verify_their_packages)
{
    for (size_t i = 0; i < 5; i++) {
        for (size_t k = 0; k < 5; k++) {
            char pkg[1024];
            data_path(pkg, sizeof pkg, "otasigned_%s.zip", names[i]);
            ota_keyset *ks = load_key(names[k], "txt");
            ota_error err;
            int rc = verify(pkg, ks, NULL, &err);
            ck_assert_msg((rc == 0) == (i == k), "package %s, text key %s: rc %d %s", names[i],
                          names[k], rc, err.message);
            ota_keyset_free(ks);
        }
    }
}
END_TEST

START_TEST(fake_eocd_and_random_are_rejected)
{
    char path[1024];
    for (size_t k = 0; k < NKEYS; k++) {
        ota_keyset *ks = load_key(names[k], "x509.pem");
        data_path(path, sizeof path, "%s.zip", "fake-eocd");
        expect_failure(path, ks, "end-of-central-directory marker hides in the comment");
        data_path(path, sizeof path, "%s.zip", "random");
        expect_failure(path, ks, "no whole-file signature");
        ota_keyset_free(ks);
    }
}
END_TEST

/* Only an EOCD whose footer claims a signature 0xFFFF bytes from the end
 * in a zero-length comment: refused without reading outside the file. */
START_TEST(lone_eocd_with_huge_signature_start)
{
    static const unsigned char eocd[22] = {'P', 'K', 5, 6, [16] = 0xff, 0xff, 0xff, 0xff, 0, 0};
    char path[1024];
    snprintf(path, sizeof path, "%s/eocd-only.zip", tmpdir);
    test_write_file(path, eocd, sizeof eocd);
    ota_keyset *ks = load_key("v1", "x509.pem");
    expect_failure(path, ks, "signature start 65535 lies outside the 0-byte comment");
    ota_keyset_free(ks);
}
END_TEST

/* Writes pkg with bytes [at, at+n) replaced, then expects reason. */
static void expect_patched_failure(const unsigned char *pkg, size_t len, size_t at,
                                   const unsigned char *bytes, size_t n, const ota_keyset *ks,
                                   const char *reason)
{
    unsigned char *copy = malloc(len);
    memcpy(copy, pkg, len);
    memcpy(copy + at, bytes, n);
    char path[1024];
    snprintf(path, sizeof path, "%s/patched.zip", tmpdir);
    test_write_file(path, copy, len);
    free(copy);
    expect_failure(path, ks, reason);
}

START_TEST(lying_footers_are_rejected)
{
    char pkgpath[1024];
    data_path(pkgpath, sizeof pkgpath, "otasigned_%s.zip", "v4");
    size_t len;
    unsigned char *pkg = test_read_file(pkgpath, &len);
    ota_keyset *ks = load_key("v4", "x509.pem");
    unsigned comment = pkg[len - 2] | pkg[len - 1] << 8;
    unsigned start = pkg[len - 6] | pkg[len - 5] << 8;
    unsigned char b[2];

    b[0] = (unsigned char)(comment + 1), b[1] = (unsigned char)((comment + 1) >> 8);
    expect_patched_failure(pkg, len, len - 6, b, 2, ks, "lies outside the");
    b[0] = 6, b[1] = 0;
    expect_patched_failure(pkg, len, len - 6, b, 2, ks, "leaves no room for a signature");
    b[0] = 0xff, b[1] = 0xff;
    expect_patched_failure(pkg, len, len - 2, b, 2, ks, "does not fit in the");
    b[0] = (unsigned char)(comment - 1), b[1] = (unsigned char)((comment - 1) >> 8);
    expect_patched_failure(pkg, len, len - 2, b, 2, ks, "no end-of-central-directory record");
    /* the EOCD's own comment length disagrees with the footer's */
    expect_patched_failure(pkg, len, len - comment - 2, b, 2, ks, "comment length");
    b[0] = 0x00;
    expect_patched_failure(pkg, len, len - 4, b, 1, ks, "no whole-file signature");
    /* the unsigned banner before the signature may not be altered */
    b[0] = 'S';
    expect_patched_failure(pkg, len, len - comment, b, 1, ks, "unexpected bytes before");
    /* a start that points into the middle of the DER */
    b[0] = (unsigned char)(start - 1), b[1] = (unsigned char)((start - 1) >> 8);
    expect_patched_failure(pkg, len, len - 6, b, 2, ks, "bytes before the signature");
    ota_keyset_free(ks);
    free(pkg);
}
END_TEST

/* Every byte of every signed package, altered, must fail.  Inside the
 * signed region any change breaks the digest, so one alteration per byte
 * proves coverage; the EOCD and the comment (footer, PKCS#7), which are
 * parsed, get a second, single-bit one. */
START_TEST(every_altered_byte_fails)
{
    size_t i = (size_t)_i;
    char pkgpath[1024], path[1024];
    data_path(pkgpath, sizeof pkgpath, "otasigned_%s.zip", names[i]);
    snprintf(path, sizeof path, "%s/flip-%s.zip", tmpdir, names[i]);
    size_t len;
    unsigned char *pkg = test_read_file(pkgpath, &len);
    test_write_file(path, pkg, len);
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ota_keyset *ks = load_key(names[i], "x509.pem");
    static const unsigned char masks[] = {0xff, 0x01};
    size_t comment = (size_t)(pkg[len - 2] | pkg[len - 1] << 8);
    size_t parsed_from = len - comment - 22;
    for (size_t off = 0; off < len; off++) {
        for (size_t m = 0; m < (off >= parsed_from ? sizeof masks : 1); m++) {
            unsigned char b = pkg[off] ^ masks[m];
            ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
            ota_error err;
            int rc = verify(path, ks, NULL, &err);
            ck_assert_msg(rc == -1, "%s: byte %zu ^ 0x%02x still verifies", names[i], off,
                          masks[m]);
        }
        ck_assert_int_eq(pwrite(fd, &pkg[off], 1, (off_t)off), 1);
    }
    ota_error err;
    ck_assert_msg(verify(path, ks, NULL, &err) == 0, "restored copy: %s", err.message);
    close(fd);
    ota_keyset_free(ks);
    free(pkg);
}
END_TEST

START_TEST(every_truncation_and_extension_fails)
{
    char pkgpath[1024], path[1024];
    data_path(pkgpath, sizeof pkgpath, "otasigned_%s.zip", "v5");
    snprintf(path, sizeof path, "%s/cut.zip", tmpdir);
    size_t len;
    unsigned char *pkg = test_read_file(pkgpath, &len);
    ota_keyset *ks = load_key("v5", "x509.pem");
    for (size_t n = 0; n < len; n++) {
        test_write_file(path, pkg, n);
        ota_error err;
        ck_assert_msg(verify(path, ks, NULL, &err) == -1, "truncated to %zu verifies", n);
    }
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, pkg, len);
    longer[len] = 0;
    test_write_file(path, longer, len + 1);
    expect_failure(path, ks, "no whole-file signature");
    free(longer);
    ota_keyset_free(ks);
    free(pkg);
}
END_TEST

START_TEST(unreadable_inputs_are_named)
{
    ota_keyset *ks = load_key("v1", "x509.pem");
    expect_failure("/nonexistent/pkg.zip", ks, "/nonexistent/pkg.zip");
    expect_failure(tmpdir, ks, "not a regular file");
    ota_keyset_free(ks);
}
END_TEST

/* A FIFO, a socket or a device given as the package or as the keys file is
 * refused at once, naming what it is: nothing waits for a writer that never
 * comes.  (The case has a short timeout: a blocking open shows as one.) */
START_TEST(special_files_are_refused_at_once)
{
    char fifo[1024], sock[1024];
    snprintf(fifo, sizeof fifo, "%s/special.fifo", tmpdir);
    snprintf(sock, sizeof sock, "%s/special.sock", tmpdir);
    unlink(fifo);
    unlink(sock);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(sfd, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    ck_assert_uint_lt(strlen(sock), sizeof addr.sun_path);
    strcpy(addr.sun_path, sock);
    ck_assert_int_eq(bind(sfd, (struct sockaddr *)&addr, sizeof addr), 0);
    ck_assert_int_eq(listen(sfd, 1), 0);

    static const struct {
        const char *kind;
        int which; /* 0 fifo, 1 socket, 2 /dev/null */
    } cases[] = {{"FIFO", 0}, {"socket", 1}, {"character device", 2}};
    ota_keyset *ks = load_key("v1", "x509.pem");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = cases[i].which == 0 ? fifo : cases[i].which == 1 ? sock : "/dev/null";
        expect_failure(path, ks, cases[i].kind);
        expect_failure(path, ks, path);
        ota_error err;
        ota_error_clear(&err);
        ck_assert_ptr_null(ota_keyset_load(path, &err));
        ck_assert_msg(strstr(err.message, cases[i].kind) && strstr(err.message, path),
                      "keys file %s: %s", path, err.message);
    }
    ota_keyset_free(ks);
    close(sfd);
    unlink(sock);
    unlink(fifo);
}
END_TEST

/* ota_verify_fd as recovery calls it (OTA_VERIFY_SNAPSHOT, limit bytes at
 * most copied); *zip and info->snapshot_fd are the caller's on success. */
static int verify_snapshot(const char *path, const ota_keyset *ks, uint64_t limit,
                           ota_verify_info *info, ota_zip **zip, ota_error *err)
{
    ota_error_clear(err);
    int fd = ota_open_regular(path, "package", NULL, err);
    ck_assert_msg(fd >= 0, "%s", err->message);
    ota_verify_opts opts = {.flags = OTA_VERIFY_SNAPSHOT, .snapshot_limit = limit,
                            .snapshot_limit_why = "the test's limit"};
    int rc = ota_verify_fd(fd, path, ks, &opts, info, zip, err);
    close(fd);
    return rc;
}

/* A package without a v1 JAR signature is verified as a sealed copy:
 * the copy holds the file's bytes, cannot be changed, is what the archive
 * reads, and is handed over with a sealed token the child can check. */
START_TEST(whole_file_only_package_verifies_as_a_sealed_snapshot)
{
    char pkg[1024];
    data_path(pkg, sizeof pkg, "otasigned_%s.zip", "4096bits");
    size_t len;
    unsigned char *bytes = test_read_file(pkg, &len);
    ota_keyset *ks = load_key("4096bits", "x509.pem");
    ota_verify_info info;
    ota_zip *zip;
    ota_error err;
    ck_assert_msg(verify_snapshot(pkg, ks, len, &info, &zip, &err) == 0, "%s", err.message);
    ck_assert_int_ge(info.snapshot_fd, 0);
    ck_assert_int_eq(info.whole_file_ok, 1);
    ck_assert_int_eq(info.jar_present, 0);
    ck_assert_uint_eq(info.size, len);
    ck_assert_ptr_nonnull(zip);
    ck_assert_ptr_null(ota_zip_signed_entries(zip)); /* nothing to check per entry */

    /* the copy: the file's bytes, sealed against every change */
    ck_assert_msg(ota_snapshot_check(info.snapshot_fd, "copy", &err) == 0, "%s", err.message);
    unsigned char *copy = malloc(len + 1);
    ck_assert_int_eq(pread(info.snapshot_fd, copy, len + 1, 0), (ssize_t)len);
    ck_assert_mem_eq(copy, bytes, len);
    ck_assert_int_eq(pwrite(info.snapshot_fd, "x", 1, 0), -1);
    ck_assert_int_eq(ftruncate(info.snapshot_fd, 0), -1);
    ck_assert_int_eq(pwrite(info.snapshot_fd, "x", 1, (off_t)len), -1);
    free(copy);

    /* the archive reads the copy */
    uint8_t *data;
    size_t n;
    const ota_zip_entry *e = ota_zip_find(zip, "META-INF/com/android/otacert");
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(ota_zip_read(zip, e, &data, &n, 0, &err) == 0, "%s", err.message);
    free(data);

    /* handed over: the child opens /proc/self/fd/N and checks the seals */
    char token[OTA_VERIFIED_TOKEN_LEN + 1], path[64];
    ota_verified_token(&info, token);
    ck_assert_msg(strncmp(token, OTA_VERIFIED_SEALED, strlen(OTA_VERIFIED_SEALED)) == 0, "%s",
                  token);
    snprintf(path, sizeof path, "/proc/self/fd/%d", info.snapshot_fd);
    ota_zip *child = ota_zip_open_verified(path, token, &err);
    ck_assert_msg(child != NULL, "%s", err.message);
    ota_zip_close(child);
    /* the same token on the file itself (not sealed): refused */
    ck_assert_ptr_null(ota_zip_open_verified(pkg, token, &err));
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
    ck_assert_msg(strstr(err.message, "not a sealed snapshot"), "%s", err.message);
    /* a sealed token is checked on the open file, never by adoption alone */
    ck_assert_int_eq(ota_zip_adopt_verified(zip, token, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    /* another index: refused */
    token[strlen(OTA_VERIFIED_SEALED)] ^= 1;
    ck_assert_ptr_null(ota_zip_open_verified(path, token, &err));
    ck_assert_msg(strstr(err.message, "changed after recovery verified it"), "%s", err.message);

    ota_zip_close(zip);
    close(info.snapshot_fd);
    ota_keyset_free(ks);
    free(bytes);
}
END_TEST

/* A package with a v1 JAR signature is verified in place, whatever the
 * limit: no copy, every entry checked when read. */
START_TEST(jar_signed_package_is_verified_in_place)
{
    char pkg[1024];
    data_path(pkg, sizeof pkg, "otasigned_%s.zip", "v3");
    ota_keyset *ks = load_key("v3", "x509.pem");
    ota_verify_info info;
    ota_zip *zip;
    ota_error err;
    ck_assert_msg(verify_snapshot(pkg, ks, 0, &info, &zip, &err) == 0, "%s", err.message);
    ck_assert_int_eq(info.snapshot_fd, -1);
    ck_assert_int_eq(info.jar_ok, 1);
    ck_assert_ptr_nonnull(ota_zip_signed_entries(zip));
    char token[OTA_VERIFIED_TOKEN_LEN + 1];
    ota_verified_token(&info, token);
    ck_assert_int_eq(token[2 * OTA_SHA256_LEN], ':');
    ota_zip *child = ota_zip_open_verified(pkg, token, &err);
    ck_assert_msg(child != NULL, "%s", err.message);
    ota_zip_close(child);
    ota_zip_close(zip);
    ota_keyset_free(ks);
}
END_TEST

/* Over the limit: refused, saying the sizes, the limit's reason and the
 * fix, before any copy -- but only once the signature was found by a
 * trusted key: a foreign package is refused for that. */
START_TEST(snapshot_limit)
{
    char pkg[1024];
    data_path(pkg, sizeof pkg, "otasigned_%s.zip", "4096bits");
    struct stat st;
    ck_assert_int_eq(stat(pkg, &st), 0);
    ota_keyset *ks = load_key("4096bits", "x509.pem");
    ota_verify_info info;
    ota_zip *zip;
    ota_error err;
    ck_assert_int_eq(verify_snapshot(pkg, ks, (uint64_t)st.st_size - 1, &info, &zip, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_int_eq(info.snapshot_fd, -1);
    ck_assert_ptr_null(zip);
    const char *const said[] = {pkg, "no v1 JAR signature", "0.0 MiB", "the test's limit",
                                       "free memory", "signapk -w"};
    for (size_t i = 0; i < sizeof said / sizeof *said; i++)
        ck_assert_msg(strstr(err.message, said[i]), "no '%s' in: %s", said[i], err.message);
    /* exactly the limit fits */
    ck_assert_msg(verify_snapshot(pkg, ks, (uint64_t)st.st_size, &info, &zip, &err) == 0, "%s",
                  err.message);
    ota_zip_close(zip);
    close(info.snapshot_fd);
    ota_keyset_free(ks);
    /* another key: the signature is the reason, not the size */
    ks = load_key("v3", "x509.pem");
    ck_assert_int_eq(verify_snapshot(pkg, ks, 0, &info, &zip, &err), -1);
    ck_assert_msg(strstr(err.message, "no matching key"), "%s", err.message);
    ota_keyset_free(ks);
}
END_TEST

/* The snapshot path checks the signature on the copy: every altered byte
 * of the file fails there too, and leaves nothing open. */
START_TEST(every_altered_byte_fails_as_a_snapshot)
{
    char pkgpath[1024], path[1024];
    data_path(pkgpath, sizeof pkgpath, "otasigned_%s.zip", "4096bits");
    snprintf(path, sizeof path, "%s/flip-snapshot.zip", tmpdir);
    size_t len;
    unsigned char *pkg = test_read_file(pkgpath, &len);
    test_write_file(path, pkg, len);
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ota_keyset *ks = load_key("4096bits", "x509.pem");
    int next_fd = dup(0);
    close(next_fd);
    for (size_t off = 0; off < len; off++) {
        unsigned char b = pkg[off] ^ 0xff;
        ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
        ota_verify_info info;
        ota_zip *zip;
        ota_error err;
        ck_assert_msg(verify_snapshot(path, ks, len, &info, &zip, &err) == -1,
                      "byte %zu ^ 0xff still verifies", off);
        ck_assert_int_eq(info.snapshot_fd, -1);
        ck_assert_int_eq(pwrite(fd, &pkg[off], 1, (off_t)off), 1);
    }
    int after = dup(0);
    ck_assert_int_eq(after, next_fd); /* no descriptor leaked */
    close(after);
    close(fd);
    ota_keyset_free(ks);
    free(pkg);
}
END_TEST

/* The helper-thread entry hashing gives the digests inline hashing gives,
 * whatever the sizes of the pieces fed (larger and smaller than its
 * buffers). */
START_TEST(hash_pipe_matches_inline_hashing)
{
    size_t len = 5u << 20;
    unsigned char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 131 + (i >> 11));
    uint8_t want1[OTA_SHA1_LEN], want256[OTA_SHA256_LEN];
    ota_sha1(data, len, want1);
    ota_sha256(data, len, want256);
    static const size_t pieces[] = {1, 4095, 65536, (1u << 20) + 17, 3u << 20};
    for (int threaded = 0; threaded < 2; threaded++) {
        ota_hash h1, h256;
        ota_error err;
        ck_assert_int_eq(ota_hash_init(&h1, OTA_HASH_SHA1, &err), 0);
        ck_assert_int_eq(ota_hash_init(&h256, OTA_HASH_SHA256, &err), 0);
        ota_hash *hs[] = {&h1, &h256};
        ota_hash_pipe *p = ota_hash_pipe_start(hs, 2, threaded, &err);
        ck_assert_ptr_nonnull(p);
        for (size_t off = 0, k = 0; off < len; k++) {
            size_t n = pieces[k % (sizeof pieces / sizeof *pieces)];
            if (n > len - off)
                n = len - off;
            ck_assert_int_eq(ota_hash_pipe_sink(p, data + off, n, &err), 0);
            off += n;
        }
        ota_hash_pipe_end(p);
        uint8_t got1[OTA_SHA1_LEN], got256[OTA_SHA256_LEN];
        ota_hash_final(&h1, got1);
        ota_hash_final(&h256, got256);
        ck_assert_mem_eq(got1, want1, sizeof got1);
        ck_assert_mem_eq(got256, want256, sizeof got256);
    }
    free(data);
}
END_TEST

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("otautil-verifier");
    TCase *own = tcase_create("own data");
    tcase_add_test(own, hash_pipe_matches_inline_hashing);
    suite_add_tcase(s, own);
    /* Android's signed packages and keys (a fresh clone has none of them). */
    int android = test_data_present("recovery/otasigned_v1.zip");
    TCase *tc = tcase_create("aosp");
    tcase_set_timeout(tc, 600); /* thousands of verifications under sanitizers */
    tcase_add_loop_test(tc, each_package_verifies_with_its_key_only, 0, NKEYS);
    tcase_add_test(tc, all_keys_in_one_pem_file);
    tcase_add_test(tc, text_keys_verify_their_packages);
    tcase_add_test(tc, fake_eocd_and_random_are_rejected);
    tcase_add_test(tc, lone_eocd_with_huge_signature_start);
    tcase_add_test(tc, lying_footers_are_rejected);
    tcase_add_loop_test(tc, every_altered_byte_fails, 0, NKEYS);
    tcase_add_test(tc, every_truncation_and_extension_fails);
    tcase_add_test(tc, unreadable_inputs_are_named);
    tcase_add_test(tc, whole_file_only_package_verifies_as_a_sealed_snapshot);
    tcase_add_test(tc, jar_signed_package_is_verified_in_place);
    tcase_add_test(tc, snapshot_limit);
    tcase_add_test(tc, every_altered_byte_fails_as_a_snapshot);
    TCase *special = tcase_create("special-files");
    tcase_set_timeout(special, 20);
    tcase_add_test(special, special_files_are_refused_at_once);
    if (android) {
        suite_add_tcase(s, tc);
        suite_add_tcase(s, special);
    }
    int failed = test_run(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_data_exit(failed, android, "the verifier cases on Android's signed packages");
}
