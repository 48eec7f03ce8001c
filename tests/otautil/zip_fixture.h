/* Shared by the zip layer's unit tests (test_zip*.c): a temporary directory
 * per test, Android's test data, Info-ZIP tools, a builder for hand-made
 * archives (each test writes the bytes it means, then breaks one thing),
 * and small read/write helpers.  Header-only: each test program is one
 * file plus this. */
#ifndef TESTS_OTAUTIL_ZIP_FIXTURE_H
#define TESTS_OTAUTIL_ZIP_FIXTURE_H

#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "otautil/sink.h"
#include "otautil/zip.h"
#include "tests/common/testdata.h"

static char tmpdir[256];

static inline void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/test_zip.XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static inline void remove_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static inline const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int turn;
    char *p = buf[turn++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* Android's test data (tests/common/testdata.h), under the names the zip
 * tests use. */
static inline const char *testdata(const char *rel)
{
    static char buf[1024];
    return test_data_path(rel, buf, sizeof buf);
}

static inline int have_testdata(void)
{
    return test_data_present("recovery/ziptest_valid.zip");
}

static inline void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ota_write_all(fd, data, len, NULL), 0);
    close(fd);
}

static inline uint8_t *read_whole(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    uint8_t *p = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(ota_read_all(fd, p, (size_t)st.st_size, NULL), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return p;
}

static inline char *entry_text(ota_zip *zip, const char *name)
{
    const ota_zip_entry *e = ota_zip_find(zip, name);
    ck_assert_msg(e != NULL, "entry %s missing", name);
    uint8_t *data;
    size_t len;
    ota_error err;
    ck_assert_msg(ota_zip_read(zip, e, &data, &len, 0, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(len, e->size);
    return (char *)data;
}

static inline int have_tool(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    if (system(cmd) == 0)
        return 1;
    fprintf(stderr, "SKIPPED: %s is not installed\n", tool);
    return 0;
}

static inline int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A hand-built archive: each test writes the bytes it means, then breaks
 * exactly one thing.  Little-endian fields, as in APPNOTE. */
struct raw {
    ota_buf b;
};

static inline void put(struct raw *r, const void *p, size_t n)
{
    ck_assert_int_eq(ota_buf_append(&r->b, p, n, NULL), 0);
}
static inline void put16(struct raw *r, unsigned v)
{
    unsigned char x[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
    put(r, x, 2);
}
static inline void put32(struct raw *r, uint32_t v)
{
    put16(r, v & 0xffff);
    put16(r, v >> 16);
}
static inline void put64(struct raw *r, uint64_t v)
{
    put32(r, (uint32_t)v);
    put32(r, (uint32_t)(v >> 32));
}

struct raw_entry {
    const char *name;
    const char *data; /* stored */
    uint32_t crc;     /* 0: computed */
    uint32_t mode;
    uint64_t offset;  /* filled in */
};

static inline void raw_local(struct raw *r, struct raw_entry *e)
{
    size_t n = strlen(e->data);
    if (!e->crc)
        e->crc = (uint32_t)crc32(0, (const Bytef *)e->data, (uInt)n);
    e->offset = r->b.len;
    put32(r, 0x04034b50);
    put16(r, 10);
    put16(r, 0);
    put16(r, 0);
    put32(r, 0);
    put32(r, e->crc);
    put32(r, (uint32_t)n);
    put32(r, (uint32_t)n);
    put16(r, (unsigned)strlen(e->name));
    put16(r, 0);
    put(r, e->name, strlen(e->name));
    put(r, e->data, n);
}

static inline void raw_central(struct raw *r, const struct raw_entry *e)
{
    size_t n = strlen(e->data);
    put32(r, 0x02014b50);
    put16(r, e->mode ? 0x0314 : 0x0014);
    put16(r, 10);
    put16(r, 0);
    put16(r, 0);
    put32(r, 0);
    put32(r, e->crc);
    put32(r, (uint32_t)n);
    put32(r, (uint32_t)n);
    put16(r, (unsigned)strlen(e->name));
    put16(r, 0);
    put16(r, 0);
    put16(r, 0);
    put16(r, 0);
    put32(r, e->mode << 16);
    put32(r, (uint32_t)e->offset);
    put(r, e->name, strlen(e->name));
}

static inline void raw_eocd(struct raw *r, size_t count, uint64_t cd_off, uint64_t cd_size,
                     const char *comment)
{
    put32(r, 0x06054b50);
    put16(r, 0);
    put16(r, 0);
    put16(r, (unsigned)count);
    put16(r, (unsigned)count);
    put32(r, (uint32_t)cd_size);
    put32(r, (uint32_t)cd_off);
    put16(r, comment ? (unsigned)strlen(comment) : 0);
    if (comment)
        put(r, comment, strlen(comment));
}

/* Builds a stored-only archive of `n` entries into r. */
static inline void raw_archive(struct raw *r, struct raw_entry *e, size_t n, const char *comment)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < n; i++)
        raw_local(r, &e[i]);
    size_t cd = r->b.len;
    for (size_t i = 0; i < n; i++)
        raw_central(r, &e[i]);
    raw_eocd(r, n, cd, r->b.len - cd, comment);
}

/* Opens bytes as an archive; returns NULL and fills err when refused. */
static inline ota_zip *open_bytes(const void *p, size_t n, const char *name, ota_error *err)
{
    const char *path = tmp_path(name);
    write_file(path, p, n);
    return ota_zip_open(path, err);
}

static inline void expect_refused(const void *p, size_t n, const char *needle)
{
    ota_error err;
    ota_zip *zip = open_bytes(p, n, "bad.zip", &err);
    ck_assert_msg(zip == NULL, "archive accepted, expected refusal with \"%s\"", needle);
    ck_assert_msg(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
    ck_assert_int_ne(err.code, OTA_OK);
}

static inline ota_zip *reopen(const char *path)
{
    ota_error err;
    ota_zip *zip = ota_zip_open(path, &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    return zip;
}

/* Where an entry's data starts, from its local header. */
static inline uint64_t data_offset(const char *path, const ota_zip_entry *e)
{
    size_t len;
    uint8_t *p = read_whole(path, &len);
    const uint8_t *h = p + e->local_header_offset;
    ck_assert_uint_eq(h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24, 0x04034b50);
    uint64_t off = e->local_header_offset + 30 + (h[26] | h[27] << 8) + (h[28] | h[29] << 8);
    free(p);
    return off;
}

static inline void write_sample(const char *path, const void *comment, size_t comment_len)
{
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts stored = { .method = OTA_ZIP_STORE };
    ota_zip_add_opts deflated = { .method = OTA_ZIP_DEFLATE, .level = 9, .unix_mode = 0755 };
    static char text[10000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "abcdefgh\n"[i % 9];
    ck_assert_msg(ota_zip_add_dir(w, "system/bin", 0750, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_data(w, "system/bin/app", text, sizeof text, &deflated, &err) == 0, "%s",
                  err.message);
    ck_assert_msg(ota_zip_add_data(w, "stored.txt", "stored bytes", 12, &stored, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_symlink(w, "system/bin/sh", "mksh", &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_add_data(w, "empty", "", 0, NULL, &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_writer_close(w, comment, comment_len, &err) == 0, "%s", err.message);
}

static inline int count_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)data, (void)err;
    *(uint64_t *)ctx += len;
    return 0;
}

/* CRC-32 of n zero bytes without reading them: doubling with crc32_combine. */
static inline uint32_t crc_of_zeros(uint64_t n)
{
    uLong crc = 0, piece = crc32(0, (const Bytef *)"", 1); /* one zero byte */
    uint64_t piece_len = 1;
    int have = 0;
    while (n) {
        if (n & 1) {
            crc = have ? crc32_combine(crc, piece, (z_off_t)piece_len) : piece;
            have = 1;
        }
        piece = crc32_combine(piece, piece, (z_off_t)piece_len);
        piece_len *= 2;
        n >>= 1;
    }
    return (uint32_t)crc;
}

/* Runs the suite.  Without Android's test data the run proves less, and
 * says so as a skip (77) rather than a pass. */
static inline int zip_test_run(Suite *s, int uses_testdata)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return test_data_exit(failed, !uses_testdata || have_testdata(),
                          "the cases on Android's zip files");
}

static inline TCase *zip_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    return tc;
}

#endif
