/* The ramdisk (releasetools/ramdisk.h): a newc cpio archive in gzip, the
 * same bytes every time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "releasetools/ramdisk.h"
#include "tests/common/testutil.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

int main(void)
{
    Suite *s = suite_create("ramdisk");
    TCase *tc = tcase_create("ramdisk");
    tcase_add_test(tc, ramdisk_is_newc_cpio_in_gzip);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
