/* The release tools' small formats: boot images (v0), ramdisk cpio+gzip,
 * filesystem_config.txt. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "otautil/hash.h"
#include "releasetools/bootimg.h"
#include "releasetools/fs_config.h"
#include "releasetools/ramdisk.h"
#include "tests/common/testutil.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(bootimg_layout_and_round_trip)
{
    uint8_t kernel[5000], ramdisk[100];
    memset(kernel, 'K', sizeof kernel);
    memset(ramdisk, 'R', sizeof ramdisk);
    char cmdline[700];
    memset(cmdline, 'c', sizeof cmdline - 1);
    cmdline[sizeof cmdline - 1] = '\0';
    rt_bootimg img = {.kernel = kernel, .kernel_len = sizeof kernel, .ramdisk = ramdisk,
                      .ramdisk_len = sizeof ramdisk, .cmdline = cmdline, .name = "rt",
                      .base = RT_BOOT_DEFAULT_BASE, .pagesize = 2048};
    ota_buf out = {0};
    ck_assert_int_eq(rt_bootimg_build(&img, &out, NULL), 0);
    /* header page + 3 kernel pages + 1 ramdisk page */
    ck_assert_uint_eq(out.len, 2048 * 5);
    ck_assert_mem_eq(out.data, "ANDROID!", 8);
    ck_assert_uint_eq(le32(out.data + 8), sizeof kernel);
    ck_assert_uint_eq(le32(out.data + 12), 0x10008000);
    ck_assert_uint_eq(le32(out.data + 20), 0x11000000);
    ck_assert_uint_eq(le32(out.data + 28), 0); /* no second stage */
    ck_assert_uint_eq(le32(out.data + 32), 0x10000100);
    ck_assert_mem_eq(out.data + 2048, kernel, sizeof kernel);
    ck_assert_mem_eq(out.data + 4 * 2048, ramdisk, sizeof ramdisk);
    /* id: SHA-1 over each part and its size */
    uint8_t buf[sizeof kernel + 4 + sizeof ramdisk + 4 + 4], sha[20];
    size_t n = 0;
    memcpy(buf + n, kernel, sizeof kernel), n += sizeof kernel;
    memcpy(buf + n, (uint8_t[]){0x88, 0x13, 0, 0}, 4), n += 4;
    memcpy(buf + n, ramdisk, sizeof ramdisk), n += sizeof ramdisk;
    memcpy(buf + n, (uint8_t[]){100, 0, 0, 0}, 4), n += 4;
    memcpy(buf + n, (uint8_t[]){0, 0, 0, 0}, 4), n += 4;
    ota_sha1(buf, n, sha);
    ck_assert_mem_eq(out.data + 8 + 40 + 16 + 512, sha, 20);

    rt_bootimg back;
    rt_bootimg_strings strings;
    ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, NULL), 0);
    ck_assert_uint_eq(back.kernel_len, sizeof kernel);
    ck_assert_mem_eq(back.kernel, kernel, sizeof kernel);
    ck_assert_uint_eq(back.ramdisk_len, sizeof ramdisk);
    ck_assert_str_eq(back.cmdline, cmdline); /* split over the two fields */
    ck_assert_str_eq(back.name, "rt");
    ck_assert_uint_eq(back.base, RT_BOOT_DEFAULT_BASE);
    ota_buf_free(&out);
}
END_TEST

START_TEST(bootimg_refuses_bad_input)
{
    uint8_t k = 1;
    ota_error err;
    ota_buf out = {0};
    rt_bootimg img = {.kernel = &k, .kernel_len = 1, .pagesize = 1000};
    ck_assert_int_eq(rt_bootimg_build(&img, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "page size"));
    img.pagesize = 2048;
    img.kernel_len = 0;
    ck_assert_int_eq(rt_bootimg_build(&img, &out, &err), -1);
    img.kernel_len = 1;
    ck_assert_int_eq(rt_bootimg_build(&img, &out, NULL), 0);
    rt_bootimg back;
    rt_bootimg_strings strings;
    ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, NULL), 0);
    /* every truncation is refused (a part or its padding is missing), and
     * nothing past the given length is read (ASan checks the copies) */
    for (size_t len = 0; len < out.len; len += 97) {
        uint8_t *copy = malloc(len + 1);
        memcpy(copy, out.data, len);
        ck_assert_int_eq(rt_bootimg_parse(copy, len, &back, &strings, &err), -1);
        free(copy);
    }
    /* a size field that points past the end */
    out.data[8] = 0xff, out.data[9] = 0xff, out.data[10] = 0xff;
    ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "kernel"));
    ota_buf_free(&out);
}
END_TEST

/* Found by fuzz/bootimg_parse: text fields filled to their last byte were
 * accepted; a 16-character name came back that rt_bootimg_build refuses,
 * and the last byte of a full cmdline slot was silently dropped. */
START_TEST(bootimg_refuses_unterminated_fields)
{
    uint8_t k = 1;
    ota_error err;
    ota_buf out = {0};
    rt_bootimg img = {.kernel = &k, .kernel_len = 1, .pagesize = 2048, .name = "n"};
    ck_assert_int_eq(rt_bootimg_build(&img, &out, NULL), 0);
    rt_bootimg back;
    rt_bootimg_strings strings;
    const size_t name_at = 8 + 40, args_at = name_at + RT_BOOT_NAME_SIZE,
                 extra_at = args_at + RT_BOOT_ARGS_SIZE + 32;
    const struct {
        size_t at, size;
        const char *field;
    } fields[] = {
        {name_at, RT_BOOT_NAME_SIZE, "name"},
        {args_at, RT_BOOT_ARGS_SIZE, "cmdline"},
        {extra_at, RT_BOOT_EXTRA_ARGS_SIZE, "extra_cmdline"},
    };
    for (size_t i = 0; i < 3; i++) {
        memset(out.data + fields[i].at, 'a', fields[i].size);
        ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.message, fields[i].field));
        /* one byte shorter is the longest that fits, and is read whole */
        out.data[fields[i].at + fields[i].size - 1] = '\0';
        ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, &err), 0);
        memset(out.data + fields[i].at, 0, fields[i].size);
    }
    memset(out.data + name_at, 'a', RT_BOOT_NAME_SIZE - 1);
    ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, &err), 0);
    ck_assert_uint_eq(strlen(back.name), RT_BOOT_NAME_SIZE - 1);
    ota_buf again = {0};
    ck_assert_int_eq(rt_bootimg_build(&back, &again, &err), 0);
    ota_buf_free(&again);
    memset(out.data + args_at, 'b', RT_BOOT_ARGS_SIZE - 1);
    memset(out.data + extra_at, 'c', RT_BOOT_EXTRA_ARGS_SIZE - 1);
    ck_assert_int_eq(rt_bootimg_parse(out.data, out.len, &back, &strings, &err), 0);
    ck_assert_uint_eq(strlen(back.cmdline), RT_BOOT_ARGS_SIZE - 1 + RT_BOOT_EXTRA_ARGS_SIZE - 1);
    ota_buf_free(&out);
}
END_TEST

START_TEST(ramdisk_is_newc_cpio_in_gzip)
{
    rt_cpio_entry e[2] = {{"etc", 040755, NULL, 0}, {"etc/fstab", 0100640, (const uint8_t *)"abc", 3}};
    ota_buf cpio = {0}, gz = {0};
    ck_assert_int_eq(rt_cpio_write(e, 2, &cpio, NULL), 0);
    ck_assert_mem_eq(cpio.data, "070701", 6);
    ck_assert_uint_eq(cpio.len % 4, 0);
    ck_assert_ptr_nonnull(memmem(cpio.data, cpio.len, "TRAILER!!!", 10));
    /* second header: mode 0100640, size 3, then name and the data */
    const char *h2 = memmem(cpio.data, cpio.len, "etc/fstab", 9);
    ck_assert_ptr_nonnull(h2);
    ck_assert_mem_eq(h2 - 110 + 14, "000081A0", 8);
    ck_assert_mem_eq(h2 - 110 + 54, "00000003", 8);
    ck_assert_int_eq(rt_gzip(cpio.data, cpio.len, &gz, NULL), 0);
    ck_assert_uint_eq(gz.data[0], 0x1f);
    ck_assert_uint_eq(gz.data[1], 0x8b);
    ck_assert_uint_eq(le32(gz.data + 4), 0); /* mtime 0: same bytes every time */
    uint8_t back[4096];
    z_stream zs = {0};
    inflateInit2(&zs, 31);
    zs.next_in = gz.data;
    zs.avail_in = (uInt)gz.len;
    zs.next_out = back;
    zs.avail_out = sizeof back;
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END);
    ck_assert_uint_eq(zs.total_out, cpio.len);
    ck_assert_mem_eq(back, cpio.data, cpio.len);
    inflateEnd(&zs);
    rt_cpio_entry bad = {"/abs", 0100644, NULL, 0};
    ota_buf junk = {0};
    ck_assert_int_eq(rt_cpio_write(&bad, 1, &junk, NULL), -1);
    ota_buf_free(&junk);
    ota_buf_free(&cpio);
    ota_buf_free(&gz);
}
END_TEST

START_TEST(fs_config_round_trip_and_errors)
{
    const char *text = "system/bin 0 2000 755\n"
                       "system 0 0 755 selabel=u:object_r:system_file:s0\n"
                       "system/bin/ping 0 0 755 capabilities=0x2000\n"
                       "system/xbin/su 0 2000 6755 selabel=u:object_r:su:s0 capabilities=0x0\n";
    rt_fs_config c = {0};
    ck_assert_int_eq(rt_fs_config_parse(&c, text, strlen(text), NULL), 0);
    ck_assert_uint_eq(c.count, 4);
    const rt_meta *m = rt_fs_config_find(&c, "system/xbin/su");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->mode, 06755);
    ck_assert_uint_eq(m->gid, 2000);
    ck_assert_str_eq(m->selabel, "u:object_r:su:s0");
    ck_assert_uint_eq(rt_fs_config_find(&c, "system/bin/ping")->capabilities, 0x2000);
    ck_assert_ptr_null(rt_fs_config_find(&c, "system/nope"));
    ota_buf out = {0};
    ck_assert_int_eq(rt_fs_config_format(&c, &out, NULL), 0);
    ck_assert_str_eq((char *)out.data,
                     "system 0 0 755 selabel=u:object_r:system_file:s0\n"
                     "system/bin 0 2000 755\n"
                     "system/bin/ping 0 0 755 capabilities=0x2000\n"
                     "system/xbin/su 0 2000 6755 selabel=u:object_r:su:s0\n");
    ota_buf_free(&out);
    rt_fs_config_free(&c);

    static const char *const bad[] = {
        "system/a 0 0\n", "system/a x 0 644\n", "system/a 0 0 999\n", "system/a 0 0 644 foo=1\n",
        "system/a 0 0 644 capabilities=zz\n", "system/a 0 0 644\nsystem/a 0 0 644\n",
        "system/a -1 0 644\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error err;
        rt_fs_config b = {0};
        ck_assert_msg(rt_fs_config_parse(&b, bad[i], strlen(bad[i]), &err) == -1, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, "filesystem_config.txt"));
        rt_fs_config_free(&b);
    }
}
END_TEST

/* \v and \f do not separate fields, and strtoull skips them as white space
 * and then takes a sign: "capabilities=\v-1" was read as all 64
 * capabilities, "\v-0" as uid 0. */
START_TEST(fs_config_refuses_signs_behind_white_space)
{
    static const char *const bad[] = {
        "system/a 0 0 755 capabilities=\v-1\n", "system/a 0 0 755 capabilities=\f+1\n",
        "system/a \v-0 0 755\n", "system/a 0 \f1 755\n", "system/a 0 0 \v755\n",
        "system/a 0 0 755 capabilities=+1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error err;
        rt_fs_config c = {0};
        ck_assert_msg(rt_fs_config_parse(&c, bad[i], strlen(bad[i]), &err) == -1, "accepted: %s",
                      bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, "system/a"));
        rt_fs_config_free(&c);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("releasetools-formats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, bootimg_layout_and_round_trip);
    tcase_add_test(tc, bootimg_refuses_bad_input);
    tcase_add_test(tc, bootimg_refuses_unterminated_fields);
    tcase_add_test(tc, ramdisk_is_newc_cpio_in_gzip);
    tcase_add_test(tc, fs_config_round_trip_and_errors);
    tcase_add_test(tc, fs_config_refuses_signs_behind_white_space);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}
