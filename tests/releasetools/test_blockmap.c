/* Block maps (releasetools/blockmap.h): Android's system.map text both
 * ways and what is refused, and the map of a real ext4 image made by
 * mke2fs: the blocks it names hold exactly each file's bytes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "releasetools/blockmap.h"
#include "tests/common/testutil.h"

static char *work;

static void setup(void)
{
    work = test_temp_dir("blockmap-test");
}

static void teardown(void)
{
    test_remove_tree(work);
    work = NULL;
}

static char *format(const rt_block_map *m)
{
    ota_buf out = {0};
    ck_assert_int_eq(rt_blockmap_format(m, &out, NULL), 0);
    ck_assert_int_eq(ota_buf_append(&out, "", 1, NULL), 0);
    return (char *)out.data;
}

START_TEST(text_form_round_trip)
{
    /* out of order, a single block, a range, an empty file's line, CRLF */
    static const char text[] = "/system/lib/b.so 2048 2050-2051 1024-1030\r\n"
                               "/system/empty\n"
                               "\n"
                               "/system/a 7\n";
    rt_block_map m;
    ota_error err;
    ck_assert_msg(rt_blockmap_parse(text, strlen(text), 0, &m, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(m.count, 2);
    ck_assert_str_eq(m.files[0].path, "/system/a"); /* sorted by path */
    ck_assert_uint_eq(m.files[1].blocks.blocks, 10);
    ck_assert_uint_eq(m.files[1].blocks.ranges[0].begin, 2048); /* the file's order kept */
    char *back = format(&m);
    ck_assert_str_eq(back, "/system/a 7\n/system/lib/b.so 2048 2050-2051 1024-1030\n");
    free(back);
    rt_blockmap_free(&m);
}
END_TEST

START_TEST(bad_maps_are_refused_naming_the_line)
{
    static const struct {
        const char *text, *reason;
        uint64_t total;
    } cases[] = {
        {"/a 1\n/b x\n", "line 2 (/b): a block number expected", 0},
        {"/a 5-3\n", "reversed range 5-3", 0},
        {"/a 1-\n", "expected after '-'", 0},
        {"/a 1,2\n", "unexpected ','", 0},
        {"/a 1-99\n", "block 99 is past the end of the image (50 blocks)", 50},
        {"/a 1\n/a 2\n", "/a is listed twice", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rt_block_map m;
        ota_error err;
        ck_assert_int_eq(rt_blockmap_parse(cases[i].text, strlen(cases[i].text), cases[i].total, &m,
                                           &err),
                         -1);
        ck_assert_msg(strstr(err.message, cases[i].reason), "%s: \"%s\" lacks \"%s\"",
                      cases[i].text, err.message, cases[i].reason);
    }
}
END_TEST

static void write_pattern(const char *path, size_t len, unsigned seed)
{
    uint8_t *p = malloc(len);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)((i * 31 + seed * 7 + i / 4096) & 0xff);
    test_write_file(path, p, len);
    free(p);
}

START_TEST(the_map_of_an_ext4_image_names_each_files_blocks)
{
    char tree[300], img[300], cmd[1024];
    snprintf(tree, sizeof tree, "%s/tree", work);
    snprintf(img, sizeof img, "%s/img", work);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/d/e' && : > '%s/empty'", tree, tree);
    ck_assert_int_eq(system(cmd), 0);
    static const struct {
        const char *name;
        size_t len;
    } files[] = {{"one", 100}, {"d/two", 50000}, {"d/e/three", 300000}};
    for (unsigned i = 0; i < 3; i++) {
        char p[400];
        snprintf(p, sizeof p, "%s/%s", tree, files[i].name);
        write_pattern(p, files[i].len, i);
    }
    snprintf(cmd, sizeof cmd, "mke2fs -q -F -t ext4 -b 4096 -d '%s' '%s' 8M >/dev/null 2>&1", tree,
             img);
    ck_assert_int_eq(system(cmd), 0);
    rt_block_map m;
    uint64_t total;
    ota_error err;
    ck_assert_msg(rt_blockmap_from_ext4(img, "/system", &m, &total, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(total, 2048);
    ck_assert_uint_eq(m.count, 3); /* the empty file has no blocks: not listed */
    ck_assert_str_eq(m.files[0].path, "/system/d/e/three");
    ck_assert_str_eq(m.files[1].path, "/system/d/two");
    ck_assert_str_eq(m.files[2].path, "/system/one");
    size_t img_len;
    uint8_t *image = test_read_file(img, &img_len);
    static const unsigned order[] = {2, 1, 0};
    for (unsigned k = 0; k < 3; k++) {
        const rt_block_file *f = &m.files[k];
        size_t len = files[order[k]].len;
        ck_assert_uint_eq(f->blocks.blocks, (len + 4095) / 4096);
        char p[400];
        snprintf(p, sizeof p, "%s/%s", tree, files[order[k]].name);
        size_t want_len;
        uint8_t *want = test_read_file(p, &want_len);
        size_t at = 0;
        for (size_t r = 0; r < f->blocks.count; r++)
            for (uint64_t b = f->blocks.ranges[r].begin; b < f->blocks.ranges[r].end; b++) {
                size_t n = want_len - at < 4096 ? want_len - at : 4096;
                ck_assert_msg(memcmp(image + b * 4096, want + at, n) == 0,
                              "%s: block %llu is not its data", f->path, (unsigned long long)b);
                at += n;
            }
        free(want);
    }
    free(image);
    rt_blockmap_free(&m);
    /* the care map: every block but the free ones dumpe2fs counts */
    bi_rangeset used;
    ck_assert_msg(rt_ext4_used_blocks(img, &used, &err) == 0, "%s", err.message);
    snprintf(cmd, sizeof cmd, "dumpe2fs -h '%s' 2>/dev/null | sed -n 's/^Free blocks: *//p'", img);
    FILE *p = popen(cmd, "r");
    unsigned long long free_blocks = 0;
    ck_assert(p && fscanf(p, "%llu", &free_blocks) == 1);
    pclose(p);
    ck_assert_uint_eq(used.blocks, 2048 - free_blocks);
    ck_assert_uint_eq(used.ranges[0].begin, 0); /* the superblock's block */
    rt_block_map m2;
    ck_assert(rt_blockmap_from_ext4(img, "/system", &m2, NULL, &err) == 0);
    bi_rangeset inside;
    for (size_t k = 0; k < m2.count; k++) {
        memset(&inside, 0, sizeof inside);
        ck_assert(bi_rangeset_intersect(&m2.files[k].blocks, &used, &inside, &err) == 0);
        ck_assert_uint_eq(inside.blocks, m2.files[k].blocks.blocks); /* file data is in use */
        bi_rangeset_free(&inside);
    }
    rt_blockmap_free(&m2);
    bi_rangeset_free(&used);
    /* 1024-byte blocks: a block OTA cannot be made of them */
    snprintf(cmd, sizeof cmd, "mke2fs -q -F -t ext4 -b 1024 -d '%s' '%s' 8M >/dev/null 2>&1", tree,
             img);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(rt_blockmap_from_ext4(img, "/system", &m, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "blocks of 1024 bytes"));
    /* not a filesystem */
    test_write_file(img, "junk", 4);
    ck_assert_int_eq(rt_blockmap_from_ext4(img, "/system", &m, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not an ext2/3/4 image"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blockmap");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_form_round_trip);
    tcase_add_test(tc, bad_maps_are_refused_naming_the_line);
    tcase_add_test(tc, the_map_of_an_ext4_image_names_each_files_blocks);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
