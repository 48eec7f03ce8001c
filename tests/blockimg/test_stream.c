/* Unit tests of the engine's data sources (blockimg/stream.h): zip entries
 * streamed through the zip layer into a pull reader (any chunk size, two
 * at once, corruption caught, closed early), brotli new data made by
 * Debian's brotli, and patch data read by offset. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockimg/stream.h"
#include "tests/common/testutil.h"

static char dir[256];
static uint8_t *RAND, *TEXT;
#define RAND_LEN (300 * 1024 + 17)
#define TEXT_LEN (1024 * 1024)

static void setup(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/bi-stream.XXXXXX", tmp);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    RAND = malloc(RAND_LEN);
    TEXT = malloc(TEXT_LEN);
    uint32_t x = 99;
    for (size_t i = 0; i < RAND_LEN; i++) {
        x = x * 1103515245u + 12345u;
        RAND[i] = (uint8_t)(x >> 16);
    }
    for (size_t i = 0, k = 0; i < TEXT_LEN; i++, k++)
        TEXT[i] = "block based updates stream their data\n"[k % 38];
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(RAND);
    free(TEXT);
}

static char *path(const char *name)
{
    static char p[4][300];
    static int k;
    char *out = p[k++ % 4];
    snprintf(out, 300, "%s/%s", dir, name);
    return out;
}

/* A package with a stored and a deflated entry, plus any extra files. */
static ota_zip *make_zip(const char *name, const char *extra_name, const char *extra_file)
{
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path(name), &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts stored = {.method = OTA_ZIP_STORE};
    ck_assert_int_eq(ota_zip_add_data(w, "system.patch.dat", RAND, RAND_LEN, &stored, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, "system.new.dat", TEXT, TEXT_LEN, NULL, &err), 0);
    if (extra_name)
        ck_assert_int_eq(ota_zip_add_file(w, extra_name, extra_file, &stored, &err), 0);
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
    ota_zip *z = ota_zip_open(path(name), &err);
    ck_assert_msg(z != NULL, "%s", err.message);
    return z;
}

static void read_all_in(bi_reader *r, size_t chunk, const uint8_t *want, size_t want_len)
{
    uint8_t *buf = malloc(want_len + chunk);
    size_t got = 0;
    ota_error err;
    for (;;) {
        long long n = bi_reader_read(r, buf + got, chunk, &err);
        ck_assert_msg(n >= 0, "%s", err.message);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    ck_assert_uint_eq(got, want_len);
    ck_assert(memcmp(buf, want, want_len) == 0);
    free(buf);
}

START_TEST(zip_entries_stream_in_any_chunk_size)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    static const size_t chunks[] = {1, 7, 4096, 65539, 1 << 20, 3 << 20};
    for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
        ota_error err;
        bi_reader *r = bi_reader_zip(z, ota_zip_find(z, "system.new.dat"), &err);
        ck_assert_ptr_nonnull(r);
        if (chunks[i] == 1) { /* a byte at a time is slow: the first 100 KiB */
            for (size_t k = 0; k < 100000; k++) {
                uint8_t b;
                ck_assert_int_eq(bi_reader_read(r, &b, 1, &err), 1);
                ck_assert_uint_eq(b, TEXT[k]);
            }
        } else {
            read_all_in(r, chunks[i], TEXT, TEXT_LEN);
        }
        bi_reader_close(r);
    }
    ota_zip_close(z);
}
END_TEST

START_TEST(two_entries_at_once)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    ota_error err;
    bi_reader *a = bi_reader_zip(z, ota_zip_find(z, "system.new.dat"), &err);
    bi_reader *b = bi_reader_zip(z, ota_zip_find(z, "system.patch.dat"), &err);
    uint8_t buf[5000];
    size_t at = 0, bt = 0;
    while (at < TEXT_LEN || bt < RAND_LEN) {
        long long n = bi_reader_read(a, buf, sizeof buf, &err);
        ck_assert(n >= 0 && memcmp(buf, TEXT + at, (size_t)n) == 0);
        at += (size_t)n;
        n = bi_reader_read(b, buf, 3000, &err);
        ck_assert(n >= 0 && memcmp(buf, RAND + bt, (size_t)n) == 0);
        bt += (size_t)n;
    }
    ck_assert_uint_eq(at, TEXT_LEN);
    ck_assert_uint_eq(bt, RAND_LEN);
    bi_reader_close(a);
    bi_reader_close(b);
    ota_zip_close(z);
}
END_TEST

START_TEST(closing_early_stops_the_producer)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    for (int i = 0; i < 50; i++) {
        ota_error err;
        bi_reader *r = bi_reader_zip(z, ota_zip_find(z, "system.new.dat"), &err);
        uint8_t buf[100];
        if (i % 2)
            ck_assert_int_eq(bi_reader_read(r, buf, sizeof buf, &err), 100);
        bi_reader_close(r);
    }
    ota_zip_close(z);
}
END_TEST

/* A changed byte in a stored entry: the zip layer's CRC check, run when
 * the entry is read to its end, fails the read. */
START_TEST(a_corrupt_entry_fails_when_read_to_the_end)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    uint64_t off;
    ota_error err;
    const ota_zip_entry *e = ota_zip_find(z, "system.patch.dat");
    ck_assert_int_eq(ota_zip_data_offset(z, e, &off, &err), 0);
    ota_zip_close(z);
    FILE *f = fopen(path("p.zip"), "r+b");
    fseek(f, (long)off + 1000, SEEK_SET);
    fputc(RAND[1000] ^ 0x40, f);
    fclose(f);
    z = ota_zip_open(path("p.zip"), &err);
    bi_reader *r = bi_reader_zip(z, ota_zip_find(z, "system.patch.dat"), &err);
    uint64_t left;
    ck_assert_int_eq(bi_reader_drain(r, &left, &err), -1);
    ck_assert_msg(strstr(err.message, "system.patch.dat") && strstr(err.message, "CRC"), "%s",
                  err.message);
    bi_reader_close(r);
    ota_zip_close(z);
}
END_TEST

static void brotli_file(const char *in, const char *out)
{
    char cmd[800];
    snprintf(cmd, sizeof cmd, "brotli -q 5 -f -o '%s' '%s'", out, in);
    ck_assert_msg(system(cmd) == 0, "brotli (Debian's) failed: is it installed?");
}

START_TEST(brotli_new_data_by_name)
{
    test_write_file(path("text"), TEXT, TEXT_LEN);
    brotli_file(path("text"), path("text.br"));
    ota_zip *z = make_zip("p.zip", "system.new.dat.br", path("text.br"));
    ota_error err;
    bi_reader *r = bi_reader_new_data(z, "system.new.dat.br", &err);
    ck_assert_ptr_nonnull(r);
    read_all_in(r, 70000, TEXT, TEXT_LEN);
    bi_reader_close(r);
    r = bi_reader_new_data(z, "system.new.dat", &err); /* no .br: as it is */
    read_all_in(r, 1 << 20, TEXT, TEXT_LEN);
    bi_reader_close(r);
    ck_assert_ptr_null(bi_reader_new_data(z, "vendor.new.dat.br", &err));
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "no entry \"vendor.new.dat.br\""));
    ota_zip_close(z);
}
END_TEST

static const char *brotli_error(const uint8_t *data, size_t len)
{
    static ota_error err;
    test_write_file(path("bad.br"), data, len);
    FILE *f = fopen(path("bad.br"), "rb");
    ck_assert_ptr_nonnull(f);
    int fd = fileno(f);
    bi_reader *r = bi_reader_brotli(bi_reader_fd(fd, "bad.br", &err), "bad.br", &err);
    uint64_t left;
    int rc = bi_reader_drain(r, &left, &err);
    bi_reader_close(r);
    fclose(f);
    return rc < 0 ? err.message : NULL;
}

START_TEST(broken_brotli_is_refused)
{
    test_write_file(path("text"), TEXT, 200000);
    brotli_file(path("text"), path("text.br"));
    size_t n;
    uint8_t *br = test_read_file(path("text.br"), &n);
    ck_assert_ptr_null(brotli_error(br, n));
    const char *m = brotli_error(br, n / 2);
    ck_assert_msg(m && strstr(m, "bad.br: the brotli stream is truncated"), "%s", m ? m : "accepted");
    uint8_t *more = malloc(n + 3);
    memcpy(more, br, n);
    memcpy(more + n, "xyz", 3);
    m = brotli_error(more, n + 3);
    ck_assert_msg(m && strstr(m, "3 bytes after the end of the brotli stream"), "%s", m ? m : "accepted");
    memcpy(more, br, n);
    /* Garbage after a valid start: the decoder says corrupt or truncated. */
    for (size_t i = 10; i < n; i++)
        more[i] ^= (uint8_t)(i * 37);
    m = brotli_error(more, n);
    ck_assert_msg(m && (strstr(m, "bad.br: brotli data is corrupt (") ||
                        strstr(m, "bad.br: the brotli stream is truncated")), "%s", m ? m : "accepted");
    m = brotli_error((const uint8_t *)"\xff\xff\xff\xff\xff\xff", 6);
    ck_assert_msg(m && strstr(m, "bad.br: brotli data is corrupt ("), "%s", m ? m : "accepted");
    free(more);
    free(br);
}
END_TEST

START_TEST(patch_data_by_offset)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    ota_error err;
    bi_patch_data *p = bi_patch_data_zip(z, ota_zip_find(z, "system.patch.dat"), &err);
    ck_assert_uint_eq(bi_patch_data_size(p), RAND_LEN);
    static const struct {
        uint64_t off;
        size_t len;
    } reads[] = {{0, 10}, {10, 5000}, {70000, 1}, {200000, 100000}, {50, 10}, {RAND_LEN - 1, 1}};
    uint8_t buf[100000];
    for (size_t i = 0; i < sizeof reads / sizeof *reads; i++) {
        ck_assert_msg(bi_patch_data_read(p, reads[i].off, buf, reads[i].len, &err) == 0, "%s",
                      err.message);
        ck_assert(memcmp(buf, RAND + reads[i].off, reads[i].len) == 0);
    }
    ck_assert_uint_eq(bi_patch_data_restarts(p), 1); /* the read at 50 went back */
    ck_assert_int_eq(bi_patch_data_read(p, RAND_LEN - 5, buf, 10, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "past the end of system.patch.dat"));
    bi_patch_data_close(p);

    test_write_file(path("patch.dat"), RAND, RAND_LEN);
    FILE *f = fopen(path("patch.dat"), "rb");
    p = bi_patch_data_fd(fileno(f), "patch.dat", &err);
    for (size_t i = 0; i < sizeof reads / sizeof *reads; i++) {
        ck_assert_int_eq(bi_patch_data_read(p, reads[i].off, buf, reads[i].len, &err), 0);
        ck_assert(memcmp(buf, RAND + reads[i].off, reads[i].len) == 0);
    }
    bi_patch_data_close(p);
    fclose(f);
    ota_zip_close(z);
}
END_TEST

/* Patches read from the front of a damaged entry are fine on their own;
 * finishing the entry runs the zip layer's CRC check and fails. */
START_TEST(finishing_the_patch_data_checks_the_whole_entry)
{
    ota_zip *z = make_zip("p.zip", NULL, NULL);
    uint64_t off;
    ota_error err;
    ck_assert_int_eq(ota_zip_data_offset(z, ota_zip_find(z, "system.patch.dat"), &off, &err), 0);
    ota_zip_close(z);
    FILE *f = fopen(path("p.zip"), "r+b");
    fseek(f, (long)(off + RAND_LEN - 1), SEEK_SET);
    fputc(RAND[RAND_LEN - 1] ^ 1, f);
    fclose(f);
    z = ota_zip_open(path("p.zip"), &err);
    bi_patch_data *p = bi_patch_data_zip(z, ota_zip_find(z, "system.patch.dat"), &err);
    uint8_t buf[100];
    ck_assert_int_eq(bi_patch_data_read(p, 1000, buf, sizeof buf, &err), 0);
    ck_assert(memcmp(buf, RAND + 1000, sizeof buf) == 0);
    ck_assert_int_eq(bi_patch_data_finish(p, &err), -1);
    ck_assert_msg(strstr(err.message, "CRC"), "%s", err.message);
    bi_patch_data_close(p);
    ota_zip_close(z);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, zip_entries_stream_in_any_chunk_size);
    tcase_add_test(tc, two_entries_at_once);
    tcase_add_test(tc, closing_early_stops_the_producer);
    tcase_add_test(tc, a_corrupt_entry_fails_when_read_to_the_end);
    tcase_add_test(tc, brotli_new_data_by_name);
    tcase_add_test(tc, broken_brotli_is_refused);
    tcase_add_test(tc, patch_data_by_offset);
    tcase_add_test(tc, finishing_the_patch_data_checks_the_whole_entry);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
