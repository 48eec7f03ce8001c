/* Unit tests of the zip reader (otautil/zip.h): Android's own test archives,
 * hand-built archives with one defect each, zip64 (also a sparse archive
 * over 4 GiB), and concurrent streaming. */
#include <pthread.h>

#include "tests/otautil/zip_fixture.h"

/* ---- reading Android's archives ----------------------------------------- */

START_TEST(reads_aosp_ziptest_valid)
{
    if (!have_testdata())
        return;
    ota_error err;
    ota_zip *zip = ota_zip_open(testdata("recovery/ziptest_valid.zip"), &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_zip_count(zip), 5);
    const char *names[] = { "a.txt", "b/", "b.txt", "b/d.txt", "b/c.txt" };
    for (size_t i = 0; i < 5; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        ck_assert_str_eq(e->name, names[i]);
        ck_assert_uint_eq(e->index, i);
        ck_assert_ptr_eq(ota_zip_find(zip, names[i]), e);
    }
    ck_assert_ptr_null(ota_zip_entry_at(zip, 5));
    ck_assert_ptr_null(ota_zip_find(zip, "missing"));
    ck_assert_ptr_null(ota_zip_find(zip, "b"));
    const ota_zip_entry *a = ota_zip_find(zip, "a.txt");
    ck_assert_uint_eq(a->method, OTA_ZIP_DEFLATE);
    ck_assert_uint_eq(a->size, 17);
    ck_assert_uint_eq(a->crc32, 0x950821c5);
    ck_assert(ota_zip_find(zip, "b/")->is_dir);
    ck_assert(!a->is_dir && !a->is_symlink);
    char *text = entry_text(zip, "a.txt");
    ck_assert_uint_eq(crc32(0, (const Bytef *)text, 17), 0x950821c5);
    free(text);
    text = entry_text(zip, "b/d.txt");
    ck_assert_uint_eq(crc32(0, (const Bytef *)text, 9), 0x5912b84d);
    free(text);
    ota_zip_close(zip);
}
END_TEST

START_TEST(reads_aosp_signed_and_deflate_archives)
{
    if (!have_testdata())
        return;
    const char *files[] = { "recovery/otasigned_v1.zip", "recovery/otasigned_v2.zip",
                            "recovery/otasigned_v3.zip", "recovery/otasigned_v4.zip",
                            "recovery/otasigned_v5.zip", "recovery/otasigned_4096bits.zip",
                            "recovery/deflate_src.zip",  "recovery/deflate_tgt.zip" };
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        ota_error err;
        ota_zip *zip = ota_zip_open(testdata(files[f]), &err);
        ck_assert_msg(zip != NULL, "%s: %s", files[f], err.message);
        ck_assert_uint_gt(ota_zip_count(zip), 0);
        for (size_t i = 0; i < ota_zip_count(zip); i++) {
            ota_buf out = { 0 };
            const ota_zip_entry *e = ota_zip_entry_at(zip, i);
            ck_assert_msg(ota_zip_stream(zip, e, ota_buf_sink, &out, &err) == 0, "%s: %s", files[f], err.message);
            ck_assert_uint_eq(out.len, e->size);
            ota_buf_free(&out);
        }
        size_t clen;
        const uint8_t *c = ota_zip_comment(zip, &clen);
        if (strstr(files[f], "otasigned")) {
            /* whole-file signature footer: 0xFF 0xFF, then the comment length */
            ck_assert_uint_ge(clen, 6);
            ck_assert_uint_eq(c[clen - 4], 0xff);
            ck_assert_uint_eq(c[clen - 3], 0xff);
            ck_assert_uint_eq(c[clen - 2] | c[clen - 1] << 8, clen);
        }
        ota_zip_close(zip);
    }
}
END_TEST

START_TEST(refuses_aosp_random_and_fake_eocd)
{
    if (!have_testdata())
        return;
    ota_error err;
    ck_assert_ptr_null(ota_zip_open(testdata("recovery/random.zip"), &err));
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "random.zip"));
    ck_assert_ptr_null(ota_zip_open(testdata("recovery/fake-eocd.zip"), &err));
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "end-of-central-directory"));
}
END_TEST

START_TEST(missing_file_is_an_error_naming_it)
{
    ota_error err;
    ck_assert_ptr_null(ota_zip_open("/nonexistent/x.zip", &err));
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.zip"));
    /* neither a directory nor a FIFO (which must not hang the open) */
    ck_assert_ptr_null(ota_zip_open(tmpdir, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    const char *fifo = tmp_path("fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_ptr_null(ota_zip_open(fifo, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
}
END_TEST

/* ---- hand-built archives ------------------------------------------------- */

START_TEST(reads_hand_built_archive_with_modes)
{
    struct raw_entry e[] = {
        { .name = "bin/sh", .data = "#!/bin/sh\n", .mode = 0100755 },
        { .name = "lib", .data = "bin", .mode = 0120777 },
        { .name = "etc/", .data = "", .mode = 040750 },
        { .name = "plain", .data = "x" },
    };
    struct raw r;
    raw_archive(&r, e, 4, "hello");
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "modes.zip", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    const ota_zip_entry *sh = ota_zip_find(zip, "bin/sh");
    ck_assert_uint_eq(sh->unix_mode, 0100755);
    ck_assert_uint_eq(sh->local_header_offset, 0);
    ck_assert(!sh->is_symlink && !sh->is_dir);
    const ota_zip_entry *lib = ota_zip_find(zip, "lib");
    ck_assert(lib->is_symlink);
    char *target = entry_text(zip, "lib");
    ck_assert_str_eq(target, "bin");
    free(target);
    ck_assert(ota_zip_find(zip, "etc/")->is_dir);
    ck_assert_uint_eq(ota_zip_find(zip, "plain")->unix_mode, 0);
    size_t clen;
    const uint8_t *c = ota_zip_comment(zip, &clen);
    ck_assert_uint_eq(clen, 5);
    ck_assert_mem_eq(c, "hello", 5);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(refuses_duplicate_names_naming_them)
{
    struct raw_entry e[] = { { .name = "a", .data = "1" }, { .name = "dup/x", .data = "2" },
                             { .name = "dup/x", .data = "3" } };
    struct raw r;
    raw_archive(&r, e, 3, NULL);
    expect_refused(r.b.data, r.b.len, "duplicate entry name dup/x");
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(refuses_offsets_outside_the_file)
{
    struct raw_entry e[] = { { .name = "a", .data = "hello" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    /* local header offset of the one central entry (at cd + 42) */
    size_t cd = r.b.len - 22 - 46 - 1;
    r.b.data[cd + 42] = 0x40;
    expect_refused(r.b.data, r.b.len, "lies outside the file");
    r.b.data[cd + 42] = 0;
    /* a compressed size reaching into the central directory */
    r.b.data[cd + 20] = 200;
    r.b.data[cd + 24] = 200;
    expect_refused(r.b.data, r.b.len, "lies outside the file");
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(refuses_lying_end_record)
{
    struct raw_entry e[] = { { .name = "a", .data = "hello" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    size_t eocd = r.b.len - 22;
    /* more entries than the directory can hold */
    r.b.data[eocd + 8] = r.b.data[eocd + 10] = 9;
    expect_refused(r.b.data, r.b.len, "cannot fit");
    r.b.data[eocd + 8] = r.b.data[eocd + 10] = 1;
    /* a directory size that leaves a gap before the end record */
    r.b.data[eocd + 12] -= 1;
    expect_refused(r.b.data, r.b.len, "does not end where the end record starts");
    r.b.data[eocd + 12] += 1;
    /* a comment length that overruns the file */
    r.b.data[eocd + 20] = 4;
    expect_refused(r.b.data, r.b.len, "comment");
    r.b.data[eocd + 20] = 0;
    /* truncated anywhere before the end: never a crash, always refused */
    for (size_t cut = 0; cut < r.b.len; cut++) {
        ota_error err;
        ota_zip *zip = open_bytes(r.b.data, cut, "cut.zip", &err);
        ck_assert_msg(zip == NULL, "truncated to %zu bytes but accepted", cut);
    }
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(refuses_second_end_record_in_comment)
{
    struct raw_entry e[] = { { .name = "a", .data = "hello" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    /* Append a comment that is itself a complete end record with an empty
     * comment: both records now reach exactly to the end of the file. */
    size_t eocd = r.b.len - 22;
    unsigned char fake[22];
    memcpy(fake, r.b.data + eocd, 22);
    r.b.data[eocd + 20] = 22;
    put(&r, fake, 22);
    expect_refused(r.b.data, r.b.len, "two end-of-central-directory records");
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(stream_catches_bad_crc_and_local_header)
{
    struct raw_entry e[] = { { .name = "a", .data = "hello", .crc = 0x12345678 },
                             { .name = "b", .data = "world" } };
    struct raw r;
    raw_archive(&r, e, 2, NULL);
    /* the local header of b names another file */
    r.b.data[e[1].offset + 30] = 'c';
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "crc.zip", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    ota_buf out = { 0 };
    ck_assert_int_eq(ota_zip_stream(zip, ota_zip_find(zip, "a"), ota_buf_sink, &out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "CRC") && strstr(err.message, "entry a"), "%s", err.message);
    ck_assert_int_eq(ota_zip_stream(zip, ota_zip_find(zip, "b"), ota_buf_sink, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "local header"), "%s", err.message);
    ota_buf_free(&out);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(read_respects_max_size_before_allocating)
{
    struct raw_entry e[] = { { .name = "big", .data = "0123456789" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "max.zip", &err);
    ck_assert_ptr_nonnull(zip);
    const ota_zip_entry *big = ota_zip_find(zip, "big");
    uint8_t *data = (uint8_t *)"untouched";
    size_t len = 99;
    ck_assert_int_eq(ota_zip_read(zip, big, &data, &len, 9, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_ptr_null(data);
    ck_assert_ptr_nonnull(strstr(err.message, "big"));
    ck_assert_int_eq(ota_zip_read(zip, big, &data, &len, 10, &err), 0);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq((char *)data, "0123456789");
    free(data);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

/* A deflated entry that claims 4 GiB from 20 compressed bytes is refused
 * before anything is allocated for it. */
START_TEST(read_refuses_impossible_declared_size)
{
    unsigned char comp[64];
    uLongf clen = sizeof comp;
    z_stream zs = { 0 };
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)"aaaaaaaaaaaaaaaaaaaa";
    zs.avail_in = 20;
    zs.next_out = comp;
    zs.avail_out = sizeof comp;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    clen = zs.total_out;
    deflateEnd(&zs);
    struct raw r = { 0 };
    put32(&r, 0x04034b50);
    put16(&r, 20), put16(&r, 0), put16(&r, 8), put32(&r, 0);
    put32(&r, 0), put32(&r, (uint32_t)clen), put32(&r, 0xfffffff0u);
    put16(&r, 1), put16(&r, 0), put(&r, "z", 1), put(&r, comp, clen);
    size_t cd = r.b.len;
    put32(&r, 0x02014b50);
    put16(&r, 20), put16(&r, 20), put16(&r, 0), put16(&r, 8), put32(&r, 0);
    put32(&r, 0), put32(&r, (uint32_t)clen), put32(&r, 0xfffffff0u);
    put16(&r, 1), put16(&r, 0), put16(&r, 0), put16(&r, 0), put16(&r, 0), put32(&r, 0), put32(&r, 0);
    put(&r, "z", 1);
    raw_eocd(&r, 1, cd, r.b.len - cd, NULL);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "bomb.zip", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(ota_zip_read(zip, ota_zip_find(zip, "z"), &data, &len, 0, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "compressed bytes can hold"), "%s", err.message);
    /* streaming notices the short output instead */
    ota_buf out = { 0 };
    ck_assert_int_eq(ota_zip_stream(zip, ota_zip_find(zip, "z"), ota_buf_sink, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "truncated"), "%s", err.message);
    ota_buf_free(&out);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(extract_fd_writes_the_entry)
{
    struct raw_entry e[] = { { .name = "f", .data = "file contents\n" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "x.zip", &err);
    ck_assert_ptr_nonnull(zip);
    const char *out = tmp_path("out");
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_eq(ota_zip_extract_fd(zip, ota_zip_find(zip, "f"), fd, &err), 0);
    close(fd);
    size_t len;
    uint8_t *got = read_whole(out, &len);
    ck_assert_uint_eq(len, 14);
    ck_assert_mem_eq(got, "file contents\n", 14);
    free(got);
    /* an entry of another archive is refused, not followed */
    ota_zip *other = open_bytes(r.b.data, r.b.len, "y.zip", &err);
    ck_assert_int_eq(ota_zip_extract_fd(zip, ota_zip_entry_at(other, 0), 1, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ota_zip_close(other);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

static int failing_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)ctx, (void)data, (void)len;
    return ota_error_set(err, OTA_ERR_NOSPACE, "sink is full");
}

START_TEST(sink_failure_stops_the_stream)
{
    struct raw_entry e[] = { { .name = "f", .data = "data" } };
    struct raw r;
    raw_archive(&r, e, 1, NULL);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "s.zip", &err);
    ck_assert_int_eq(ota_zip_stream(zip, ota_zip_entry_at(zip, 0), failing_sink, NULL, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOSPACE);
    ck_assert_str_eq(err.message, "sink is full");
    /* and the archive is still usable afterwards */
    char *t = entry_text(zip, "f");
    ck_assert_str_eq(t, "data");
    free(t);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

/* The zip64 end records and extra field, written by hand: the 64-bit
 * values must replace the 0xFFFF/0xFFFFFFFF placeholders. */
START_TEST(reads_hand_built_zip64)
{
    struct raw r = { 0 };
    const char *data = "zip64 data";
    uint32_t crc = (uint32_t)crc32(0, (const Bytef *)data, 10);
    put32(&r, 0x04034b50);
    put16(&r, 45), put16(&r, 0), put16(&r, 0), put32(&r, 0);
    put32(&r, crc), put32(&r, 0xffffffffu), put32(&r, 0xffffffffu);
    put16(&r, 1), put16(&r, 20), put(&r, "q", 1);
    put16(&r, 1), put16(&r, 16), put64(&r, 10), put64(&r, 10);
    put(&r, data, 10);
    size_t cd = r.b.len;
    put32(&r, 0x02014b50);
    put16(&r, 0x0300 | 45), put16(&r, 45), put16(&r, 0), put16(&r, 0), put32(&r, 0);
    put32(&r, crc), put32(&r, 0xffffffffu), put32(&r, 0xffffffffu);
    put16(&r, 1), put16(&r, 28), put16(&r, 0), put16(&r, 0), put16(&r, 0);
    put32(&r, 0100600u << 16), put32(&r, 0xffffffffu);
    put(&r, "q", 1);
    put16(&r, 1), put16(&r, 24), put64(&r, 10), put64(&r, 10), put64(&r, 0);
    size_t cd_size = r.b.len - cd, rec = r.b.len;
    put32(&r, 0x06064b50), put64(&r, 44), put16(&r, 45), put16(&r, 45), put32(&r, 0), put32(&r, 0);
    put64(&r, 1), put64(&r, 1), put64(&r, cd_size), put64(&r, cd);
    put32(&r, 0x07064b50), put32(&r, 0), put64(&r, rec), put32(&r, 1);
    put32(&r, 0x06054b50), put16(&r, 0xffff), put16(&r, 0xffff), put16(&r, 0xffff), put16(&r, 0xffff);
    put32(&r, 0xffffffffu), put32(&r, 0xffffffffu), put16(&r, 0);
    ota_error err;
    ota_zip *zip = open_bytes(r.b.data, r.b.len, "z64.zip", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    ck_assert_uint_eq(ota_zip_count(zip), 1);
    const ota_zip_entry *q = ota_zip_find(zip, "q");
    ck_assert_uint_eq(q->size, 10);
    ck_assert_uint_eq(q->compressed_size, 10);
    ck_assert_uint_eq(q->local_header_offset, 0);
    ck_assert_uint_eq(q->unix_mode, 0100600);
    char *t = entry_text(zip, "q");
    ck_assert_str_eq(t, data);
    free(t);
    ota_zip_close(zip);
    /* a zip64 extra field too short for the values it must carry */
    r.b.data[cd + 30] = 12;
    size_t extra = cd + 46 + 1;
    r.b.data[extra + 2] = 8;
    ck_assert_ptr_null(open_bytes(r.b.data, r.b.len, "z64bad.zip", &err));
    ota_buf_free(&r.b);
}
END_TEST

struct stream_job {
    ota_zip *zip;
    int failures;
};

static void *stream_all(void *arg)
{
    struct stream_job *job = arg;
    for (int round = 0; round < 40; round++) {
        for (size_t i = 0; i < ota_zip_count(job->zip); i++) {
            const ota_zip_entry *e = ota_zip_entry_at(job->zip, i);
            ota_buf out = { 0 };
            ota_error err;
            if (ota_zip_stream(job->zip, e, ota_buf_sink, &out, &err) < 0 || out.len != e->size ||
                crc32(0, out.data, (uInt)out.len) != e->crc32)
                job->failures++;
            ota_buf_free(&out);
        }
    }
    return NULL;
}

/* zip.h promises that threads may stream from one ota_zip at once. */
START_TEST(threads_stream_one_archive_at_once)
{
    const char *path = tmp_path("threads.zip");
    write_sample(path, NULL, 0);
    ota_zip *zip = reopen(path);
    pthread_t t[4];
    struct stream_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct stream_job){ zip, 0 };
        ck_assert_int_eq(pthread_create(&t[i], NULL, stream_all, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(jobs[i].failures, 0);
    }
    ota_zip_close(zip);
}
END_TEST

/* A sparse hand-built archive over 4 GiB (a few KB on disk): a stored
 * entry of 4 GiB + 1 MiB of zeros (a hole), then an entry whose local
 * header lies past 4 GiB, zip64 fields and end records throughout. */
START_TEST(reads_sparse_archive_over_4gib)
{
    static const Bytef zeros[100000];
    ck_assert_uint_eq(crc_of_zeros(sizeof zeros), crc32(0, zeros, sizeof zeros));
    const uint64_t big = (4ull << 30) + (1u << 20);
    const uint32_t zcrc = crc_of_zeros(big);
    const char *path = tmp_path("sparse.zip");
    struct raw head = { 0 }, tail = { 0 };
    put32(&head, 0x04034b50);
    put16(&head, 45), put16(&head, 0), put16(&head, 0), put32(&head, 0);
    put32(&head, zcrc), put32(&head, 0xffffffffu), put32(&head, 0xffffffffu);
    put16(&head, 3), put16(&head, 20), put(&head, "big", 3);
    put16(&head, 1), put16(&head, 16), put64(&head, big), put64(&head, big);
    const uint64_t small_at = head.b.len + big;
    uint32_t tcrc = (uint32_t)crc32(0, (const Bytef *)"tail", 4);
    put32(&tail, 0x04034b50);
    put16(&tail, 20), put16(&tail, 0), put16(&tail, 0), put32(&tail, 0);
    put32(&tail, tcrc), put32(&tail, 4), put32(&tail, 4);
    put16(&tail, 5), put16(&tail, 0), put(&tail, "small", 5), put(&tail, "tail", 4);
    const uint64_t cd = small_at + tail.b.len;
    put32(&tail, 0x02014b50);
    put16(&tail, 0x0300 | 45), put16(&tail, 45), put16(&tail, 0), put16(&tail, 0), put32(&tail, 0);
    put32(&tail, zcrc), put32(&tail, 0xffffffffu), put32(&tail, 0xffffffffu);
    put16(&tail, 3), put16(&tail, 20), put16(&tail, 0), put16(&tail, 0), put16(&tail, 0);
    put32(&tail, 0100400u << 16), put32(&tail, 0);
    put(&tail, "big", 3);
    put16(&tail, 1), put16(&tail, 16), put64(&tail, big), put64(&tail, big);
    put32(&tail, 0x02014b50);
    put16(&tail, 0x0300 | 45), put16(&tail, 45), put16(&tail, 0), put16(&tail, 0), put32(&tail, 0);
    put32(&tail, tcrc), put32(&tail, 4), put32(&tail, 4);
    put16(&tail, 5), put16(&tail, 12), put16(&tail, 0), put16(&tail, 0), put16(&tail, 0);
    put32(&tail, 0120777u << 16), put32(&tail, 0xffffffffu);
    put(&tail, "small", 5);
    put16(&tail, 1), put16(&tail, 8), put64(&tail, small_at);
    const uint64_t rec = small_at + tail.b.len, cd_size = rec - cd;
    put32(&tail, 0x06064b50), put64(&tail, 44), put16(&tail, 45), put16(&tail, 45), put32(&tail, 0);
    put32(&tail, 0), put64(&tail, 2), put64(&tail, 2), put64(&tail, cd_size), put64(&tail, cd);
    put32(&tail, 0x07064b50), put32(&tail, 0), put64(&tail, rec), put32(&tail, 1);
    put32(&tail, 0x06054b50), put16(&tail, 0), put16(&tail, 0), put16(&tail, 2), put16(&tail, 2);
    put32(&tail, (uint32_t)cd_size), put32(&tail, 0xffffffffu), put16(&tail, 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, head.b.data, head.b.len, 0), (ssize_t)head.b.len);
    ck_assert_int_eq(pwrite(fd, tail.b.data, tail.b.len, (off_t)small_at), (ssize_t)tail.b.len);
    close(fd);
    ota_zip *zip = reopen(path);
    const ota_zip_entry *b = ota_zip_find(zip, "big"), *sm = ota_zip_find(zip, "small");
    ck_assert_uint_eq(b->size, big);
    ck_assert_uint_eq(b->compressed_size, big);
    ck_assert_uint_eq(b->unix_mode, 0100400);
    ck_assert_uint_eq(sm->local_header_offset, small_at);
    ck_assert(sm->is_symlink);
    char *t = entry_text(zip, "small");
    ck_assert_str_eq(t, "tail");
    free(t);
    /* the 4 GiB entry would not fit a read under a 1 GiB limit */
    uint8_t *data;
    size_t len;
    ota_error err;
    ck_assert_int_eq(ota_zip_read(zip, b, &data, &len, 1u << 30, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    if (getenv("OTA_ZIP_LARGE_TESTS")) { /* reads 4 GiB of holes */
        uint64_t seen = 0;
        ck_assert_msg(ota_zip_stream(zip, b, count_sink, &seen, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(seen, big);
    }
    ota_zip_close(zip);
    ota_buf_free(&head.b);
    ota_buf_free(&tail.b);
}
END_TEST

START_TEST(memory_open_matches_file_open)
{
    struct raw_entry e[] = { { .name = "bin/sh", .data = "#!/bin/sh\n", .mode = 0100755 },
                             { .name = "etc/", .data = "", .mode = 040750 },
                             { .name = "plain", .data = "some text" } };
    struct raw r;
    raw_archive(&r, e, 3, "note");
    ota_error err;
    ota_zip *file = open_bytes(r.b.data, r.b.len, "mem.zip", &err);
    ck_assert_msg(file != NULL, "%s", err.message);
    ota_zip *mem = ota_zip_open_memory(r.b.data, r.b.len, "in memory", &err);
    ck_assert_msg(mem != NULL, "%s", err.message);
    ck_assert_str_eq(ota_zip_path(mem), "in memory");
    ck_assert_uint_eq(ota_zip_count(mem), ota_zip_count(file));
    for (size_t i = 0; i < ota_zip_count(mem); i++) {
        const ota_zip_entry *a = ota_zip_entry_at(file, i), *b = ota_zip_entry_at(mem, i);
        ck_assert_str_eq(a->name, b->name);
        ck_assert_uint_eq(a->size, b->size);
        ck_assert_uint_eq(a->unix_mode, b->unix_mode);
        ck_assert_uint_eq(a->local_header_offset, b->local_header_offset);
        ck_assert_ptr_eq(ota_zip_find(mem, b->name), b);
    }
    char *text = entry_text(mem, "plain");
    ck_assert_str_eq(text, "some text");
    free(text);
    size_t clen;
    const uint8_t *c = ota_zip_comment(mem, &clen);
    ck_assert_uint_eq(clen, 4);
    ck_assert_mem_eq(c, "note", 4);
    ota_zip_close(file);
    ota_zip_close(mem);
    /* no name: messages and the path say "zip" */
    mem = ota_zip_open_memory(r.b.data, r.b.len, NULL, &err);
    ck_assert_msg(mem != NULL, "%s", err.message);
    ck_assert_str_eq(ota_zip_path(mem), "zip");
    ota_zip_close(mem);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(memory_open_refuses_what_file_open_refuses)
{
    struct raw_entry e[] = { { .name = "a", .data = "1" }, { .name = "dup/x", .data = "2" },
                             { .name = "dup/x", .data = "3" } };
    struct raw r;
    raw_archive(&r, e, 3, NULL);
    ota_error err;
    ck_assert_ptr_null(ota_zip_open_memory(r.b.data, r.b.len, "dups", &err));
    ck_assert_msg(strstr(err.message, "dups: duplicate entry name dup/x"), "%s", err.message);
    ota_buf_free(&r.b);
    raw_archive(&r, e, 1, NULL);
    /* every truncation is refused without reading past the bytes given
     * (ASan watches the copy, exactly as long as the cut) */
    for (size_t cut = 0; cut < r.b.len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, r.b.data, cut);
        ota_zip *zip = ota_zip_open_memory(copy, cut, "cut", &err);
        ck_assert_msg(zip == NULL, "truncated to %zu bytes but accepted", cut);
        ck_assert_int_ne(err.code, OTA_OK);
        free(copy);
    }
    ck_assert_ptr_null(ota_zip_open_memory(NULL, 0, "empty", &err));
    ck_assert_msg(strstr(err.message, "not a zip archive"), "%s", err.message);
    ck_assert_ptr_null(ota_zip_open_memory(NULL, 10, "none", &err));
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(data_offset_points_at_the_data)
{
    struct raw_entry e[] = { { .name = "first", .data = "hello" }, { .name = "dir/second", .data = "world!" } };
    struct raw r;
    raw_archive(&r, e, 2, NULL);
    ota_error err;
    ota_zip *zip = ota_zip_open_memory(r.b.data, r.b.len, "raw", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    for (size_t i = 0; i < 2; i++) {
        const ota_zip_entry *en = ota_zip_find(zip, e[i].name);
        uint64_t off = 0;
        ck_assert_msg(ota_zip_data_offset(zip, en, &off, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(off, e[i].offset + 30 + strlen(e[i].name));
        ck_assert_mem_eq(r.b.data + off, e[i].data, strlen(e[i].data));
    }
    /* an entry of another archive, or no output, is a caller's error */
    ota_zip *other = open_bytes(r.b.data, r.b.len, "other.zip", &err);
    ck_assert_ptr_nonnull(other);
    uint64_t off;
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_entry_at(other, 0), &off, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ck_assert_int_eq(ota_zip_data_offset(other, ota_zip_entry_at(other, 0), NULL, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ota_zip_close(other);
    ota_zip_close(zip);
    /* the local header is checked: another name, another method */
    r.b.data[e[1].offset + 30] = 'D';
    zip = ota_zip_open_memory(r.b.data, r.b.len, "raw", &err);
    ck_assert_ptr_nonnull(zip);
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_find(zip, "dir/second"), &off, &err), -1);
    ck_assert_msg(strstr(err.message, "raw: entry dir/second: local header names another file"), "%s",
                  err.message);
    ota_zip_close(zip);
    r.b.data[e[1].offset + 30] = 'd';
    r.b.data[e[0].offset + 8] = 8;
    zip = ota_zip_open_memory(r.b.data, r.b.len, "raw", &err);
    ck_assert_ptr_nonnull(zip);
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_find(zip, "first"), &off, &err), -1);
    ck_assert_msg(strstr(err.message, "disagrees on the method"), "%s", err.message);
    ota_zip_close(zip);
    /* a method the reader does not handle, in both headers */
    size_t cd = r.b.len - 22 - 2 * 46 - strlen("first") - strlen("dir/second");
    r.b.data[e[0].offset + 8] = 12;
    r.b.data[cd + 10] = 12;
    zip = ota_zip_open_memory(r.b.data, r.b.len, "raw", &err);
    ck_assert_ptr_nonnull(zip);
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_find(zip, "first"), &off, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_UNSUPPORTED);
    ota_zip_close(zip);
    ota_buf_free(&r.b);
}
END_TEST

START_TEST(data_offset_of_written_entries)
{
    /* The writer's own archives: a deflated entry's raw bytes inflate to
     * its contents, an aligned stored entry's data starts on the boundary. */
    static char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + (i * 7 + i / 13) % 26);
    const char *path = tmp_path("w.zip");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts deflated = { .method = OTA_ZIP_DEFLATE, .level = 9 };
    ota_zip_add_opts aligned = { .method = OTA_ZIP_STORE, .align = 4096 };
    ck_assert_int_eq(ota_zip_add_data(w, "text", text, sizeof text, &deflated, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, "lib/x.so", text, 1000, &aligned, &err), 0);
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
    size_t len;
    uint8_t *bytes = read_whole(path, &len);
    ota_zip *zip = ota_zip_open_memory(bytes, len, "w.zip", &err);
    ck_assert_msg(zip != NULL, "%s", err.message);
    const ota_zip_entry *t = ota_zip_find(zip, "text");
    uint64_t off;
    ck_assert_msg(ota_zip_data_offset(zip, t, &off, &err) == 0, "%s", err.message);
    ck_assert_uint_le(off + t->compressed_size, len);
    static char plain[sizeof text];
    z_stream zs = { 0 };
    ck_assert_int_eq(inflateInit2(&zs, -MAX_WBITS), Z_OK);
    zs.next_in = bytes + off;
    zs.avail_in = (uInt)t->compressed_size;
    zs.next_out = (Bytef *)plain;
    zs.avail_out = sizeof plain;
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END);
    ck_assert_uint_eq(zs.total_in, t->compressed_size);
    ck_assert_uint_eq(zs.total_out, sizeof text);
    inflateEnd(&zs);
    ck_assert_mem_eq(plain, text, sizeof text);
    const ota_zip_entry *so = ota_zip_find(zip, "lib/x.so");
    ck_assert_msg(ota_zip_data_offset(zip, so, &off, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(off % 4096, 0);
    ck_assert_mem_eq(bytes + off, text, 1000);
    ota_zip_close(zip);
    /* the same offsets through a file */
    zip = reopen(path);
    uint64_t off2;
    ck_assert_int_eq(ota_zip_data_offset(zip, ota_zip_find(zip, "lib/x.so"), &off2, &err), 0);
    ck_assert_uint_eq(off2, off);
    ota_zip_close(zip);
    free(bytes);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-zip-read");
    TCase *aosp = zip_tcase("aosp");
    tcase_add_test(aosp, reads_aosp_ziptest_valid);
    tcase_add_test(aosp, reads_aosp_signed_and_deflate_archives);
    tcase_add_test(aosp, refuses_aosp_random_and_fake_eocd);
    tcase_add_test(aosp, missing_file_is_an_error_naming_it);
    suite_add_tcase(s, aosp);
    TCase *handmade = zip_tcase("handmade");
    tcase_add_test(handmade, reads_hand_built_archive_with_modes);
    tcase_add_test(handmade, refuses_duplicate_names_naming_them);
    tcase_add_test(handmade, refuses_offsets_outside_the_file);
    tcase_add_test(handmade, refuses_lying_end_record);
    tcase_add_test(handmade, refuses_second_end_record_in_comment);
    tcase_add_test(handmade, stream_catches_bad_crc_and_local_header);
    tcase_add_test(handmade, read_respects_max_size_before_allocating);
    tcase_add_test(handmade, read_refuses_impossible_declared_size);
    tcase_add_test(handmade, extract_fd_writes_the_entry);
    tcase_add_test(handmade, sink_failure_stops_the_stream);
    tcase_add_test(handmade, reads_hand_built_zip64);
    tcase_add_test(handmade, reads_sparse_archive_over_4gib);
    tcase_add_test(handmade, memory_open_matches_file_open);
    tcase_add_test(handmade, memory_open_refuses_what_file_open_refuses);
    tcase_add_test(handmade, data_offset_points_at_the_data);
    tcase_add_test(handmade, data_offset_of_written_entries);
    suite_add_tcase(s, handmade);
    TCase *threads = zip_tcase("threads");
    tcase_add_test(threads, threads_stream_one_archive_at_once);
    suite_add_tcase(s, threads);
    return zip_test_run(s, 1);
}
