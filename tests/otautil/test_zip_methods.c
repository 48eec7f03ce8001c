/* XZ (method 95) and Zstandard (93) entries in the zip layer: what the
 * writer makes reads back byte for byte through every read path (stream,
 * read, extract, raw copy, verified mode), the writer keeps to the window
 * budget, and the reader refuses streams over it, corrupt or truncated
 * data and lying sizes by name.  Streams the writer cannot make (a large
 * window, several frames) come from Debian's xz and zstd programs. */
#include <lzma.h>
#include <zstd.h>

#include "tests/otautil/zip_fixture.h"

static const int methods[] = { OTA_ZIP_XZ, OTA_ZIP_ZSTD };

/* Text-like data that compresses, with a stretch of noise that does not. */
static uint8_t *sample(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (i / 4096) % 3 == 2 ? (uint8_t)(x >> 24) : (uint8_t)("system/lib/modules "[i % 19] + (i / 8192) % 5);
    }
    return p;
}

static void expect_entry(ota_zip *zip, const char *name, int method, const uint8_t *data, size_t len)
{
    const ota_zip_entry *e = ota_zip_find(zip, name);
    ck_assert_msg(e != NULL, "%s missing", name);
    ck_assert_uint_eq(e->method, method);
    ck_assert_uint_eq(e->size, len);
    ck_assert_uint_eq(e->crc32, (uint32_t)crc32(crc32(0, Z_NULL, 0), data, (uInt)len));
    uint8_t *got;
    size_t got_len;
    ota_error err;
    ck_assert_msg(ota_zip_read(zip, e, &got, &got_len, 0, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(got_len, len);
    ck_assert(len == 0 || memcmp(got, data, len) == 0);
    free(got);
}

START_TEST(round_trip_through_data_file_and_pipe)
{
    const size_t sizes[] = { 0, 1, 5000, 200000, 3 << 20 };
    for (size_t m = 0; m < 2; m++) {
        const char *path = tmp_path("m.zip"), *in = tmp_path("in.bin");
        ota_error err;
        ota_zip_writer *w = ota_zip_writer_open(path, &err);
        ck_assert_ptr_nonnull(w);
        ota_zip_add_opts o = { .method = methods[m], .unix_mode = 0100755 };
        char name[64];
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            uint8_t *d = sample(sizes[i], (unsigned)i);
            snprintf(name, sizeof name, "data/%zu", i);
            ck_assert_msg(ota_zip_add_data(w, name, d, sizes[i], &o, &err) == 0, "%s", err.message);
            write_file(in, d, sizes[i]);
            snprintf(name, sizeof name, "file/%zu", i);
            ck_assert_msg(ota_zip_add_file(w, name, in, &o, &err) == 0, "%s", err.message);
            free(d);
        }
        /* a pipe: size unknown while compressing */
        uint8_t *d = sample(100000, 9);
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            _exit(ota_write_all(fds[1], d, 100000, NULL) == 0 ? 0 : 1);
        }
        close(fds[1]);
        ck_assert_msg(ota_zip_add_fd(w, "piped", fds[0], &o, &err) == 0, "%s", err.message);
        close(fds[0]);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        /* an empty pipe: the size was unknown, so a stream of nothing */
        ck_assert_int_eq(pipe(fds), 0);
        close(fds[1]);
        ck_assert_msg(ota_zip_add_fd(w, "piped-empty", fds[0], &o, &err) == 0, "%s", err.message);
        close(fds[0]);
        ck_assert_msg(ota_zip_writer_close(w, "c", 1, &err) == 0, "%s", err.message);

        ota_zip *zip = reopen(path);
        expect_entry(zip, "piped-empty", methods[m], (const uint8_t *)"", 0);
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            uint8_t *want = sample(sizes[i], (unsigned)i);
            int method = sizes[i] ? methods[m] : OTA_ZIP_STORE; /* empty entries are stored */
            snprintf(name, sizeof name, "data/%zu", i);
            expect_entry(zip, name, method, want, sizes[i]);
            snprintf(name, sizeof name, "file/%zu", i);
            expect_entry(zip, name, method, want, sizes[i]);
            const ota_zip_entry *e = ota_zip_find(zip, name);
            ck_assert_uint_eq(e->unix_mode, 0100755);
            if (sizes[i] >= 5000) /* it compressed */
                ck_assert_uint_lt(e->compressed_size, e->size);
            free(want);
        }
        expect_entry(zip, "piped", methods[m], d, 100000);
        free(d);
        ota_zip_close(zip);
    }
}
END_TEST

START_TEST(method_names_and_levels)
{
    ck_assert_str_eq(ota_zip_method_name(OTA_ZIP_XZ), "xz");
    ck_assert_str_eq(ota_zip_method_name(OTA_ZIP_ZSTD), "zstd");
    ck_assert_str_eq(ota_zip_method_name(OTA_ZIP_DEFLATE), "deflate");
    ck_assert_ptr_null(ota_zip_method_name(14));
    const char *path = tmp_path("lv.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ota_zip_add_opts bad_xz = { .method = OTA_ZIP_XZ, .level = 10 };
    ota_zip_add_opts bad_zstd = { .method = OTA_ZIP_ZSTD, .level = 20 };
    ota_zip_add_opts bad_method = { .method = 14 };
    ck_assert_int_eq(ota_zip_add_data(w, "a", "x", 1, &bad_xz, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "xz level 10"));
    ck_assert_int_eq(ota_zip_add_data(w, "a", "x", 1, &bad_zstd, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "zstd level 20"));
    ck_assert_int_eq(ota_zip_add_data(w, "a", "x", 1, &bad_method, &err), -1);
    /* the writer stays usable: every level of each method round-trips */
    uint8_t *d = sample(70000, 3);
    char name[32];
    for (int level = 1; level <= 19; level++) {
        ota_zip_add_opts z = { .method = OTA_ZIP_ZSTD, .level = level };
        snprintf(name, sizeof name, "z%d", level);
        ck_assert_msg(ota_zip_add_data(w, name, d, 70000, &z, &err) == 0, "%s", err.message);
        if (level <= 9) {
            ota_zip_add_opts x = { .method = OTA_ZIP_XZ, .level = level };
            snprintf(name, sizeof name, "x%d", level);
            ck_assert_msg(ota_zip_add_data(w, name, d, 70000, &x, &err) == 0, "%s", err.message);
        }
    }
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
    ota_zip *zip = reopen(path);
    for (int level = 1; level <= 19; level++) {
        snprintf(name, sizeof name, "z%d", level);
        expect_entry(zip, name, OTA_ZIP_ZSTD, d, 70000);
        if (level <= 9) {
            snprintf(name, sizeof name, "x%d", level);
            expect_entry(zip, name, OTA_ZIP_XZ, d, 70000);
        }
    }
    ota_zip_close(zip);
    free(d);
}
END_TEST

/* The local headers and central directory carry the method and version
 * 6.3, as APPNOTE asks; the local header agrees with the directory. */
START_TEST(headers_record_method_and_version)
{
    for (size_t m = 0; m < 2; m++) {
        const char *path = tmp_path("h.zip");
        ota_error err;
        ota_zip_writer *w = ota_zip_writer_open(path, &err);
        ota_zip_add_opts o = { .method = methods[m] };
        ck_assert_int_eq(ota_zip_add_data(w, "one", "hello hello hello", 17, &o, &err), 0);
        ck_assert_int_eq(ota_zip_add_data(w, "two", "plain", 5, NULL, &err), 0);
        ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
        size_t len;
        uint8_t *p = read_whole(path, &len);
        ck_assert_uint_eq(p[4] | p[5] << 8, 63);
        ck_assert_uint_eq(p[8] | p[9] << 8, (unsigned)methods[m]);
        ota_zip *zip = reopen(path);
        const ota_zip_entry *e = ota_zip_find(zip, "one");
        ck_assert_uint_eq(e->method, methods[m]);
        ck_assert_uint_eq(ota_zip_find(zip, "two")->method, OTA_ZIP_DEFLATE);
        ota_zip_close(zip);
        free(p);
    }
}
END_TEST

/* Raw copies keep the method; what the copy reads is what went in. */
START_TEST(copy_entry_keeps_xz_and_zstd)
{
    const char *src = tmp_path("src.zip"), *dst = tmp_path("dst.zip");
    ota_error err;
    uint8_t *d = sample(300000, 5);
    ota_zip_writer *w = ota_zip_writer_open(src, &err);
    for (size_t m = 0; m < 2; m++) {
        ota_zip_add_opts o = { .method = methods[m] };
        ck_assert_int_eq(ota_zip_add_data(w, m ? "z" : "x", d, 300000, &o, &err), 0);
    }
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ota_zip *in = reopen(src);
    w = ota_zip_writer_open(dst, &err);
    ck_assert_msg(ota_zip_copy_entry(w, in, ota_zip_find(in, "x"), "x2", &err) == 0, "%s", err.message);
    ck_assert_msg(ota_zip_copy_entry(w, in, ota_zip_find(in, "z"), NULL, &err) == 0, "%s", err.message);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ota_zip *out = reopen(dst);
    expect_entry(out, "x2", OTA_ZIP_XZ, d, 300000);
    expect_entry(out, "z", OTA_ZIP_ZSTD, d, 300000);
    ck_assert_uint_eq(ota_zip_find(out, "z")->compressed_size, ota_zip_find(in, "z")->compressed_size);
    ota_zip_close(in);
    ota_zip_close(out);
    free(d);
}
END_TEST

/* ---- archives made by hand around compressed bytes ------------------------ */

/* One entry of `method` holding comp (declared size and CRC of plain). */
static void method_archive(const char *path, int method, const void *comp, size_t comp_len, uint64_t size,
                           uint32_t crc)
{
    struct raw r;
    memset(&r, 0, sizeof r);
    const char *name = "payload";
    for (int central = 0; central < 2; central++) {
        put32(&r, central ? 0x02014b50 : 0x04034b50);
        if (central)
            put16(&r, 0x033f);
        put16(&r, 63);
        put16(&r, 0);
        put16(&r, (unsigned)method);
        put32(&r, 0);
        put32(&r, crc);
        put32(&r, (uint32_t)comp_len);
        put32(&r, (uint32_t)size);
        put16(&r, (unsigned)strlen(name));
        put16(&r, 0);
        if (central) {
            put16(&r, 0);
            put16(&r, 0);
            put16(&r, 0);
            put32(&r, 0100644u << 16);
            put32(&r, 0);
        }
        put(&r, name, strlen(name));
        if (!central)
            put(&r, comp, comp_len);
    }
    size_t cd = 30 + strlen(name) + comp_len;
    raw_eocd(&r, 1, cd, r.b.len - cd, NULL);
    write_file(path, r.b.data, r.b.len);
    ota_buf_free(&r.b);
}

/* Runs a shell command that writes `out` and returns its bytes. */
static uint8_t *made_by(const char *cmd, size_t *len)
{
    ck_assert_msg(run("%s", cmd) == 0, "%s failed", cmd);
    return read_whole(tmp_path("made"), len);
}

static int stream_err(const char *path, ota_error *err)
{
    ota_zip *zip = reopen(path);
    uint64_t n = 0;
    int rc = ota_zip_stream(zip, ota_zip_find(zip, "payload"), count_sink, &n, err);
    ota_zip_close(zip);
    return rc;
}

START_TEST(streams_over_the_window_budget_are_refused_by_name)
{
    if (!have_tool("xz") || !have_tool("zstd"))
        return;
    /* 40 MB of zeros from a pipe: the size is unknown, so each program
     * declares the window it was told. */
    const size_t size = 40u << 20;
    const uint32_t crc = crc_of_zeros(size);
    const char *path = tmp_path("big.zip");
    char cmd[600];
    size_t len;
    snprintf(cmd, sizeof cmd, "head -c %zu /dev/zero | xz -T1 --lzma2=preset=6,dict=32MiB -c >'%s'", size,
             tmp_path("made"));
    uint8_t *comp = made_by(cmd, &len);
    method_archive(path, OTA_ZIP_XZ, comp, len, size, crc);
    ota_error err;
    ck_assert_int_eq(stream_err(path, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_msg(strstr(err.message, "entry payload (41943040 bytes)") && strstr(err.message, "over the budget"),
                  "%s", err.message);
    free(comp);

    snprintf(cmd, sizeof cmd, "head -c %zu /dev/zero | zstd -q --long=26 -c >'%s'", size, tmp_path("made"));
    comp = made_by(cmd, &len);
    method_archive(path, OTA_ZIP_ZSTD, comp, len, size, crc);
    ck_assert_int_eq(stream_err(path, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_msg(strstr(err.message, "entry payload (41943040 bytes)") &&
                      strstr(err.message, "window of 65536 KiB, over the budget of 8192 KiB"),
                  "%s", err.message);
    free(comp);

    /* at the budget, the same data reads */
    snprintf(cmd, sizeof cmd, "head -c %zu /dev/zero | zstd -q --long=23 -c >'%s'", size, tmp_path("made"));
    comp = made_by(cmd, &len);
    method_archive(path, OTA_ZIP_ZSTD, comp, len, size, crc);
    ck_assert_msg(stream_err(path, &err) == 0, "%s", err.message);
    free(comp);
    snprintf(cmd, sizeof cmd, "head -c %zu /dev/zero | xz -T1 -6 -c >'%s'", size, tmp_path("made"));
    comp = made_by(cmd, &len);
    method_archive(path, OTA_ZIP_XZ, comp, len, size, crc);
    ck_assert_msg(stream_err(path, &err) == 0, "%s", err.message);
    free(comp);
}
END_TEST

/* Several xz streams or zstd frames in one entry read as one, as the xz
 * and zstd programs read concatenated files. */
START_TEST(concatenated_streams_read_as_one)
{
    if (!have_tool("xz") || !have_tool("zstd"))
        return;
    const char *tools[] = { "xz -c", "zstd -q -c" };
    for (size_t m = 0; m < 2; m++) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "(printf 'first half, ' | %s; printf 'second half' | %s) >'%s'", tools[m],
                 tools[m], tmp_path("made"));
        size_t len;
        uint8_t *comp = made_by(cmd, &len);
        const char *path = tmp_path("cat.zip");
        method_archive(path, methods[m], comp, len, 23, (uint32_t)crc32(0, (const Bytef *)"first half, second half", 23));
        ota_zip *zip = reopen(path);
        char *t = entry_text(zip, "payload");
        ck_assert_str_eq(t, "first half, second half");
        free(t);
        ota_zip_close(zip);
        free(comp);
    }
}
END_TEST

static void compress_with(int method, const uint8_t *d, size_t len, ota_buf *out)
{
    const char *path = tmp_path("one.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ota_zip_add_opts o = { .method = method };
    ck_assert_int_eq(ota_zip_add_data(w, "payload", d, len, &o, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ota_zip *zip = reopen(path);
    const ota_zip_entry *e = ota_zip_find(zip, "payload");
    uint64_t off;
    ck_assert_int_eq(ota_zip_data_offset(zip, e, &off, &err), 0);
    memset(out, 0, sizeof *out);
    uint8_t *raw = malloc((size_t)e->compressed_size);
    ck_assert_int_eq(ota_zip_read_raw(zip, raw, (size_t)e->compressed_size, off, &err), 0);
    ck_assert_int_eq(ota_buf_append(out, raw, (size_t)e->compressed_size, &err), 0);
    free(raw);
    ota_zip_close(zip);
}

START_TEST(corrupt_truncated_and_lying_entries_are_refused)
{
    uint8_t *d = sample(200000, 7);
    uint32_t crc = (uint32_t)crc32(0, d, 200000);
    const char *path = tmp_path("bad.zip");
    ota_error err;
    for (size_t m = 0; m < 2; m++) {
        ota_buf c;
        compress_with(methods[m], d, 200000, &c);
        /* truncated: the last quarter gone */
        method_archive(path, methods[m], c.data, c.len * 3 / 4, 200000, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_msg(strstr(err.message, "entry payload") && strstr(err.message, "truncated"), "%s", err.message);
        /* a flipped byte in the middle */
        c.data[c.len / 2] ^= 0x55;
        method_archive(path, methods[m], c.data, c.len, 200000, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "entry payload"));
        c.data[c.len / 2] ^= 0x55;
        /* sizes that lie either way, and a wrong CRC */
        method_archive(path, methods[m], c.data, c.len, 199999, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "more data than its declared 199999 bytes"));
        method_archive(path, methods[m], c.data, c.len, 200001, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "truncated"));
        method_archive(path, methods[m], c.data, c.len, 200000, crc ^ 1);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "CRC-32 mismatch"));
        /* trailing bytes after the stream */
        ck_assert_int_eq(ota_buf_append(&c, "junkjunk", 8, &err), 0);
        method_archive(path, methods[m], c.data, c.len, 200000, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "entry payload"));
        /* a size no stream of that length can hold is refused before
         * anything is allocated for it */
        method_archive(path, methods[m], c.data, 100, UINT32_MAX - 1, crc);
        ota_zip *zip = reopen(path);
        uint8_t *buf;
        size_t len;
        ck_assert_int_eq(ota_zip_read(zip, ota_zip_find(zip, "payload"), &buf, &len, 0, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "more than its 100 compressed bytes can hold"));
        ota_zip_close(zip);
        /* not this method's data at all */
        method_archive(path, methods[m], "plain text, not compressed", 26, 26, crc);
        ck_assert_int_eq(stream_err(path, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, "corrupt compressed data"));
        ota_buf_free(&c);
    }
    free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-zip-methods");
    TCase *tc = zip_tcase("methods");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, round_trip_through_data_file_and_pipe);
    tcase_add_test(tc, method_names_and_levels);
    tcase_add_test(tc, headers_record_method_and_version);
    tcase_add_test(tc, copy_entry_keeps_xz_and_zstd);
    tcase_add_test(tc, streams_over_the_window_budget_are_refused_by_name);
    tcase_add_test(tc, concatenated_streams_read_as_one);
    tcase_add_test(tc, corrupt_truncated_and_lying_entries_are_refused);
    suite_add_tcase(s, tc);
    return zip_test_run(s, 0);
}
