/* Image domains (releasetools/block_image.h): every block in exactly one
 * domain; files from the map, block 0 as __COPY, the rest split into
 * __ZERO and __NONZERO-N groups by content; a block two files claim goes to
 * the first path; reads and SHA-1s in a set's order; bad input refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/hash.h"
#include "releasetools/block_image.h"
#include "tests/common/testutil.h"

static char path[256];

static void setup(void)
{
    snprintf(path, sizeof path, "%s/block-image-test.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void teardown(void)
{
    unlink(path);
}

/* 3000 blocks: blocks 0-9 data, 100-199 a file, 200-209 a file sharing
 * 205-209 with another, 1000-2999 data (more than a group), the rest zero. */
static void make_image(void)
{
    const size_t blocks = 3000;
    uint8_t *img = calloc(blocks, 4096);
    for (size_t b = 0; b < blocks; b++) {
        int data = b < 10 || (b >= 100 && b < 210) || b >= 1000;
        if (data)
            memset(img + b * 4096 + 17, (int)(b % 250) + 1, 100);
    }
    test_write_file(path, img, blocks * 4096);
    free(img);
}

static rt_block_map map_of(const char *text)
{
    rt_block_map m;
    ota_error err;
    ck_assert_msg(rt_blockmap_parse(text, strlen(text), 0, &m, &err) == 0, "%s", err.message);
    return m;
}

START_TEST(every_block_in_exactly_one_domain)
{
    make_image();
    rt_block_map m = map_of("/system/f 100-199\n/system/g 200-209\n/system/h 205-209 3\n");
    rt_block_image img;
    ota_error err;
    ck_assert_msg(rt_block_image_open(&img, path, &m, NULL, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(img.total_blocks, 3000);
    uint8_t *owner = calloc(3000, 1);
    for (size_t i = 0; i < img.count; i++) {
        const rt_block_domain *d = &img.domains[i];
        if (i)
            ck_assert_int_lt(strcmp(img.domains[i - 1].name, d->name), 0);
        for (size_t r = 0; r < d->blocks.count; r++) {
            if (r)
                ck_assert_uint_gt(d->blocks.ranges[r].begin, d->blocks.ranges[r - 1].end);
            for (uint64_t b = d->blocks.ranges[r].begin; b < d->blocks.ranges[r].end; b++) {
                ck_assert_msg(!owner[b], "block %llu in two domains", (unsigned long long)b);
                owner[b] = 1;
            }
        }
    }
    for (size_t b = 0; b < 3000; b++)
        ck_assert_msg(owner[b], "block %zu in no domain", b);
    free(owner);
    const rt_block_domain *copy = rt_block_image_find(&img, "__COPY");
    ck_assert(copy && copy->blocks.blocks == 1 && copy->blocks.ranges[0].begin == 0);
    ck_assert_uint_eq(rt_block_image_find(&img, "/system/f")->blocks.blocks, 100);
    ck_assert_uint_eq(rt_block_image_find(&img, "/system/g")->blocks.blocks, 10);
    /* h lost 205-209 to g (first path); keeps block 3 */
    const rt_block_domain *h = rt_block_image_find(&img, "/system/h");
    ck_assert(h && h->blocks.blocks == 1 && h->blocks.ranges[0].begin == 3);
    /* data blocks outside files: 1-2, 4-9 and 1000-2999 = 2008 in two groups */
    const rt_block_domain *n0 = rt_block_image_find(&img, "__NONZERO-0"),
                          *n1 = rt_block_image_find(&img, "__NONZERO-1");
    ck_assert(n0 && n1 && !rt_block_image_find(&img, "__NONZERO-2"));
    ck_assert_uint_eq(n0->blocks.blocks, RT_NONZERO_GROUP);
    ck_assert_uint_eq(n0->blocks.blocks + n1->blocks.blocks, 2008);
    const rt_block_domain *z = rt_block_image_find(&img, "__ZERO");
    ck_assert_uint_eq(z->blocks.blocks, 3000 - 1 - 100 - 10 - 1 - 2008);
    rt_block_image_close(&img);
    rt_blockmap_free(&m);
}
END_TEST

START_TEST(a_care_map_leaves_the_other_blocks_out)
{
    make_image();
    rt_block_map m = map_of("/system/f 100-199\n");
    bi_rangeset care;
    ota_error err;
    /* blocks 0-149 and 1000-1099 matter; the rest is free space */
    ck_assert(bi_rangeset_parse(&care, "4,0,150,1000,1100", 17, 0, &err) == 0);
    rt_block_image img;
    ck_assert_msg(rt_block_image_open(&img, path, &m, &care, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(img.care.blocks, 250);
    uint64_t total = 0;
    for (size_t i = 0; i < img.count; i++)
        total += img.domains[i].blocks.blocks;
    ck_assert_uint_eq(total, 250);
    /* the file keeps only its blocks inside the care map */
    ck_assert_uint_eq(rt_block_image_find(&img, "/system/f")->blocks.blocks, 50);
    ck_assert_uint_eq(rt_block_image_find(&img, "__ZERO")->blocks.blocks, 90);
    ck_assert_uint_eq(rt_block_image_find(&img, "__NONZERO-0")->blocks.blocks, 9 + 100);
    rt_block_image_close(&img);
    rt_blockmap_free(&m);
    bi_rangeset_free(&care);
}
END_TEST

START_TEST(reads_and_hashes_follow_the_sets_order)
{
    make_image();
    rt_block_map empty = {0};
    rt_block_image img;
    ota_error err;
    ck_assert(rt_block_image_open(&img, path, &empty, NULL, &err) == 0);
    bi_rangeset r;
    ck_assert(bi_rangeset_parse(&r, "4,150,152,5,6", 13, 0, &err) == 0);
    uint8_t buf[3 * 4096], want[3 * 4096];
    ck_assert(rt_block_image_read(&img, &r, buf, &err) == 0);
    size_t len;
    uint8_t *all = test_read_file(path, &len);
    memcpy(want, all + 150 * 4096, 2 * 4096);
    memcpy(want + 2 * 4096, all + 5 * 4096, 4096);
    ck_assert(memcmp(buf, want, sizeof buf) == 0);
    uint8_t h1[20], h2[20];
    ota_sha1(want, sizeof want, h1);
    ck_assert(rt_block_image_sha1(&img, &r, h2, &err) == 0);
    ck_assert(memcmp(h1, h2, 20) == 0);
    bi_rangeset past;
    ck_assert(bi_rangeset_parse(&past, "2,2999,3001", 11, 0, &err) == 0);
    ck_assert_int_eq(rt_block_image_read(&img, &past, buf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "past its end"));
    bi_rangeset_free(&r);
    bi_rangeset_free(&past);
    free(all);
    rt_block_image_close(&img);
}
END_TEST

START_TEST(bad_images_and_maps_are_refused)
{
    ota_error err;
    rt_block_image img;
    test_write_file(path, "not whole blocks", 16);
    ck_assert_int_eq(rt_block_image_open(&img, path, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not a whole number of 4096-byte blocks"));
    make_image();
    rt_block_map m = map_of("/system/big 2990-3005\n");
    ck_assert_int_eq(rt_block_image_open(&img, path, &m, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "/system/big has block 3005, past the end"));
    rt_blockmap_free(&m);
    ck_assert_int_eq(rt_block_image_open(&img, "/nonexistent/image", NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/image"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block_image");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_block_in_exactly_one_domain);
    tcase_add_test(tc, a_care_map_leaves_the_other_blocks_out);
    tcase_add_test(tc, reads_and_hashes_follow_the_sets_order);
    tcase_add_test(tc, bad_images_and_maps_are_refused);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
