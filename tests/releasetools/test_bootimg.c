/* Android boot images, version 0 (releasetools/bootimg.h): the layout,
 * a round trip, and what is refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "releasetools/bootimg.h"
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

int main(void)
{
    Suite *s = suite_create("boot images");
    TCase *tc = tcase_create("bootimg");
    tcase_add_test(tc, bootimg_layout_and_round_trip);
    tcase_add_test(tc, bootimg_refuses_bad_input);
    tcase_add_test(tc, bootimg_refuses_unterminated_fields);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
