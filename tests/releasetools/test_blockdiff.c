/* Unit tests of the block diff (releasetools/blockdiff.h) on real ext4
 * images made by mke2fs from trees of real files: files changed in place,
 * grown, renamed (same name in another directory, with and without
 * changes), deleted, new, gzip data, and one file larger than a piece.
 * Every update is applied by a small applier (blockapply.h) that checks
 * every SHA-1 and count the list claims; the result must be the target
 * image bit for bit.  Also: full updates from garbage, a cycle of files
 * that swap places (needs stashes), a cache so small that pieces are cut
 * and transfers become new data, and byte-identical output whatever the
 * number of threads. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "releasetools/block_image.h"
#include "releasetools/blockdiff.h"
#include "releasetools/blockmap.h"
#include "tests/common/testutil.h"
#include "tests/releasetools/blockapply.h"

static char *work;

/* ---- inputs ---------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Text-like data (words from a small vocabulary): what diffs find
 * structure in, like code and libraries. */
static uint8_t *text(uint64_t seed, size_t len)
{
    static const char *const words[] = {"alpha ", "beta ", "gamma ", "delta\n", "epsilon ",
                                        "zeta ", "eta ", "theta ", "iota\n", "kappa "};
    rng_state = seed * 2654435761u + 1;
    uint8_t *p = malloc(len);
    size_t n = 0;
    while (n < len) {
        const char *w = words[rng() % 10];
        for (; *w && n < len; w++)
            p[n++] = (uint8_t)*w;
        if (rng() % 7 == 0 && n + 8 < len) {
            uint64_t v = rng();
            memcpy(p + n, &v, 8);
            n += 8;
        }
    }
    return p;
}

static void put(const char *root, const char *rel, const uint8_t *data, size_t len)
{
    char path[512], dir[1100];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", path);
    ck_assert_int_eq(system(dir), 0);
    test_write_file(path, data, len);
}

static void put_text(const char *root, const char *rel, uint64_t seed, size_t len)
{
    uint8_t *p = text(seed, len);
    put(root, rel, p, len);
    free(p);
}

/* A gzip member of data. */
static void put_gzip(const char *root, const char *rel, const uint8_t *data, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, len) + 64;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    put(root, rel, out, cap - z.avail_out);
    deflateEnd(&z);
    free(out);
}

/* Build 1 and build 2 of a small system partition. */
static void make_tree(const char *root, int v)
{
    uint8_t *liba = text(1, 300000);
    if (v == 2)
        memcpy(liba + 123456, "CHANGED!", 8);
    put(root, "lib/liba.so", liba, 300000);
    free(liba);
    uint8_t *libb = text(2, 180000);
    put(root, "lib/libb.so", libb, v == 1 ? 120000 : 180000); /* grows */
    free(libb);
    put_text(root, "bin/tool", 3, 50000);                    /* the same */
    put_text(root, "etc/conf", v == 1 ? 4 : 5, 1000);         /* all new bytes */
    uint8_t *k = text(6, 80000);
    if (v == 2)
        memcpy(k + 100, "v2", 2);
    put(root, v == 1 ? "mod/1.0/k.ko" : "mod/2.0/k.ko", k, 80000); /* renamed, changed */
    free(k);
    put_text(root, v == 1 ? "share/same.txt" : "share2/same.txt", 7, 40000); /* moved */
    uint8_t *g = text(8, 200000);
    if (v == 2)
        memcpy(g + 5000, "gzipped change", 14);
    put_gzip(root, "data/blob.gz", g, 200000);
    free(g);
    uint8_t *big = text(9, 1500000);
    if (v == 2) {
        memcpy(big + 10, "big change 1", 12);
        memcpy(big + 1400000, "big change 2", 12);
    }
    put(root, "big.bin", big, 1500000);
    free(big);
    if (v == 1)
        put_text(root, "old/gone.bin", 10, 40000);
    else
        put_text(root, "new/fresh.bin", 11, 30000);
}

static void make_image(const char *tree, const char *image)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -b 4096 -I 256 "
             "-U 0b1e4f8e-2a7c-4d3b-9f10-6f2e3d4c5b6a -E root_owner=0:0,hash_seed="
             "0b1e4f8e-2a7c-4d3b-9f10-6f2e3d4c5b6a -d '%s' '%s' 16M >/dev/null 2>&1",
             tree, image);
    ck_assert_msg(system(cmd) == 0, "mke2fs failed: %s", cmd);
}

static void open_image(const char *path, rt_block_image *img)
{
    rt_block_map map;
    ota_error err;
    ck_assert_msg(rt_blockmap_from_ext4(path, "/system", &map, NULL, &err) == 0, "%s", err.message);
    bi_rangeset used;
    ck_assert_msg(rt_ext4_used_blocks(path, &used, &err) == 0, "%s", err.message);
    ck_assert_msg(rt_block_image_open(img, path, &map, &used, &err) == 0, "%s", err.message);
    rt_blockmap_free(&map);
    bi_rangeset_free(&used);
}

static void setup(void)
{
    work = test_temp_dir("blockdiff-test");
}

static void teardown(void)
{
    test_remove_tree(work);
    work = NULL;
}

static char *wpath(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", work, name);
    return p;
}

/* Makes images of build 1 and 2 (once per test). */
static void make_builds(void)
{
    make_tree(wpath("t1"), 1);
    make_tree(wpath("t2"), 2);
    make_image(wpath("t1"), wpath("v1.img"));
    make_image(wpath("t2"), wpath("v2.img"));
}

/* ---- running and checking ------------------------------------------------------ */

static void diff(const rt_block_image *tgt, const rt_block_image *src, const char *prefix,
                 const rt_blockdiff_opts *o, rt_blockdiff_result *res)
{
    ota_error err;
    ck_assert_msg(rt_blockdiff(tgt, src, prefix, o, res, &err) == 0, "rt_blockdiff: %s",
                  err.message);
}

static char *read_suffix(const char *prefix, const char *suffix, size_t *len)
{
    char path[600];
    snprintf(path, sizeof path, "%s%s", prefix, suffix);
    return test_read_file(path, len);
}

/* Applies PREFIX.* to a copy of start (a file, or NULL for garbage) and
 * compares with the target image; no block of care (the target's care
 * map, or NULL) may be left erased.  Returns the transfer list text. */
static char *apply_and_compare_care(const char *prefix, const char *start, const char *target,
                                    const bi_rangeset *care)
{
    size_t list_len, new_len, patch_len, tgt_len;
    char *list = read_suffix(prefix, ".transfer.list", &list_len);
    char *copy = strdup(list);
    /* brotli-compressed new data (full updates) or plain (incrementals) */
    char br_path[600];
    snprintf(br_path, sizeof br_path, "%s.new.dat.br", prefix);
    int compressed = access(br_path, F_OK) == 0;
    uint8_t *br = (uint8_t *)read_suffix(prefix, compressed ? ".new.dat.br" : ".new.dat", &new_len);
    uint8_t *patches = (uint8_t *)read_suffix(prefix, ".patch.dat", &patch_len);
    uint8_t *want = test_read_file(target, &tgt_len);
    ota_buf newdata = {0};
    if (compressed)
        ck_assert_msg(ba_unbrotli(br, new_len, &newdata) == 0, "new data is not brotli");
    else
        ck_assert(ota_buf_append(&newdata, br, new_len, NULL) == 0);
    size_t start_len = 0;
    uint8_t *start_img = start ? test_read_file(start, &start_len) : NULL;
    size_t size = tgt_len > start_len ? tgt_len : start_len;
    uint8_t *img = malloc(size);
    memset(img, 0xAB, size);
    if (start_img)
        memcpy(img, start_img, start_len);
    ba_state *s = calloc(1, sizeof *s);
    s->img = img;
    s->blocks = size / BA_BLOCK;
    s->newdata = newdata.data;
    s->new_len = newdata.len;
    s->patches = patches;
    s->patches_len = patch_len;
    s->erased = calloc(s->blocks + 1, 1);
    ck_assert_msg(ba_apply(s, list) == 0, "applying: %s", s->error ? s->error : "?");
    ck_assert_msg(memcmp(img, want, tgt_len) == 0, "the result differs from the target image");
    for (size_t i = 0; care && i < care->count; i++)
        for (uint64_t b = care->ranges[i].begin; b < care->ranges[i].end; b++)
            ck_assert_msg(!s->erased[b], "block %llu of the care map is only erased",
                          (unsigned long long)b);
    free(s->erased);
    free(s->error);
    free(s);
    free(img);
    free(start_img);
    free(want);
    free(br);
    free(patches);
    ota_buf_free(&newdata);
    free(list);
    return copy;
}

static char *apply_and_compare(const char *prefix, const char *start, const char *target)
{
    return apply_and_compare_care(prefix, start, target, NULL);
}

static int count_lines(const char *list, const char *cmd)
{
    int n = 0;
    size_t len = strlen(cmd);
    for (const char *p = list; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, cmd, len) == 0 && p[len] == ' ')
            n++;
    return n;
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(full_update_rebuilds_the_target_from_garbage)
{
    make_builds();
    rt_block_image tgt;
    open_image(wpath("v2.img"), &tgt);
    rt_blockdiff_opts o = {.brotli = 1};
    rt_blockdiff_result res;
    diff(&tgt, NULL, wpath("full"), &o, &res);
    char *list = apply_and_compare_care(wpath("full"), NULL, wpath("v2.img"), &tgt.care);
    /* the free blocks are erased first, the used ones written */
    ck_assert_int_eq(count_lines(list, "erase"), 1);
    ck_assert_ptr_nonnull(strstr(list, "\n0\n0\nerase "));
    ck_assert_int_eq(count_lines(list, "bsdiff") + count_lines(list, "move") +
                         count_lines(list, "stash"), 0);
    ck_assert_uint_lt(tgt.care.blocks, tgt.total_blocks);
    ck_assert_uint_eq(res.blocks_new + res.blocks_zero, tgt.care.blocks);
    ck_assert_uint_eq(res.touched_src.blocks, 0);
    free(list);
    rt_blockdiff_result_free(&res);
    rt_block_image_close(&tgt);
}
END_TEST

START_TEST(incremental_update_rebuilds_the_target)
{
    make_builds();
    rt_block_image src, tgt;
    open_image(wpath("v1.img"), &src);
    open_image(wpath("v2.img"), &tgt);
    rt_blockdiff_opts o = {0};
    rt_blockdiff_result res;
    diff(&tgt, &src, wpath("incr"), &o, &res);
    char *list = apply_and_compare_care(wpath("incr"), wpath("v1.img"), wpath("v2.img"), &tgt.care);
    ck_assert_msg(count_lines(list, "bsdiff") + count_lines(list, "imgdiff") >= 4,
                  "too few patches:\n%s", list);
    ck_assert_msg(res.moves >= 1, "the moved file is not a move:\n%s", list);
    /* far smaller than the changed files, which are most of the image */
    uint64_t sent = res.patch_bytes + res.new_data_bytes;
    ck_assert_msg(sent < 400000, "%llu bytes sent", (unsigned long long)sent);
    /* what the script checks first: the SHA-1 of the blocks the update reads */
    char sha[41];
    ota_error err;
    ck_assert(rt_block_image_sha1_hex(&src, &res.touched_src, sha, &err) == 0);
    ck_assert_str_eq(sha, res.touched_src_sha1);
    ck_assert_uint_gt(res.touched_src.blocks, 0);
    ck_assert(bi_rangeset_equal(&res.target_blocks, &tgt.care));
    free(list);
    rt_blockdiff_result_free(&res);
    rt_block_image_close(&src);
    rt_block_image_close(&tgt);
}
END_TEST

/* The largest target of any patch command, in blocks. */
static uint64_t largest_patch_target(const char *list)
{
    uint64_t most = 0;
    for (const char *p = list; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "bsdiff ", 7) && strncmp(p, "imgdiff ", 8))
            continue;
        const char *q = p;
        for (int w = 0; w < 5; w++)
            q = strchr(q, ' ') + 1;
        const char *end = strchr(q, ' ');
        bi_rangeset r;
        ck_assert(bi_rangeset_parse(&r, q, (size_t)(end - q), 0, NULL) == 0);
        if (r.blocks > most)
            most = r.blocks;
        bi_rangeset_free(&r);
    }
    return most;
}

START_TEST(a_small_cache_cuts_pieces_and_bounds_the_stash)
{
    make_builds();
    rt_block_image src, tgt;
    open_image(wpath("v1.img"), &src);
    open_image(wpath("v2.img"), &tgt);
    /* 1 MiB of cache: pieces of 32 blocks, at most 204 blocks stashed */
    rt_blockdiff_opts o = {.cache_size = 1 << 20};
    rt_blockdiff_result res;
    diff(&tgt, &src, wpath("small"), &o, &res);
    char *list = apply_and_compare(wpath("small"), wpath("v1.img"), wpath("v2.img"));
    ck_assert_uint_le(largest_patch_target(list), 32);
    uint64_t header_stash = 0;
    sscanf(list, "%*d\n%*u\n%*u\n%llu", (unsigned long long *)&header_stash);
    ck_assert_uint_le(header_stash, 204);
    ck_assert_uint_le(res.max_stash_bytes, 204 * 4096);
    free(list);
    rt_blockdiff_result_free(&res);
    rt_block_image_close(&src);
    rt_block_image_close(&tgt);
}
END_TEST

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = test_read_file(a, &la), *y = test_read_file(b, &lb);
    int same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

START_TEST(same_inputs_give_the_same_bytes_whatever_the_threads)
{
    make_builds();
    rt_block_image src, tgt;
    open_image(wpath("v1.img"), &src);
    open_image(wpath("v2.img"), &tgt);
    rt_blockdiff_opts one = {.threads = 1}, four = {.threads = 4};
    rt_blockdiff_result r1, r4;
    diff(&tgt, &src, wpath("one"), &one, &r1);
    diff(&tgt, &src, wpath("four"), &four, &r4);
    static const char *const suffixes[] = {".transfer.list", ".new.dat", ".patch.dat"};
    for (int i = 0; i < 3; i++) {
        char a[600], b[600];
        snprintf(a, sizeof a, "%s%s", wpath("one"), suffixes[i]);
        snprintf(b, sizeof b, "%s%s", wpath("four"), suffixes[i]);
        ck_assert_msg(same_file(a, b), "%s differs between 1 and 4 threads", suffixes[i]);
    }
    rt_blockdiff_result_free(&r1);
    rt_blockdiff_result_free(&r4);
    rt_block_image_close(&src);
    rt_block_image_close(&tgt);
}
END_TEST

/* Raw images with hand-made maps: files a, b and c trade places in a
 * cycle (a's blocks go to b's place, b's to c's, c's to a's), each a
 * little changed, so no order avoids overwriting a source before it is
 * read: the list must stash. */
START_TEST(files_that_trade_places_are_stashed)
{
    const uint64_t blocks = 64;
    uint8_t *v1 = calloc(blocks, 4096), *v2 = calloc(blocks, 4096);
    static const char *const names[] = {"/system/a", "/system/b", "/system/c"};
    uint8_t *content[3];
    for (int f = 0; f < 3; f++) {
        content[f] = text(20 + (uint64_t)f, 8 * 4096);
        memcpy(v1 + (10 + 10 * f) * 4096, content[f], 8 * 4096);
        memcpy(content[f] + 777, "edit", 4);
        memcpy(v2 + (10 + 10 * ((f + 1) % 3)) * 4096, content[f], 8 * 4096);
    }
    memset(v1 + 50 * 4096, 0x55, 4096); /* metadata that goes away */
    test_write_file(wpath("c1.img"), v1, blocks * 4096);
    test_write_file(wpath("c2.img"), v2, blocks * 4096);
    rt_block_map m1 = {0}, m2 = {0};
    ota_buf t1 = {0}, t2 = {0};
    char line[128];
    for (int f = 0; f < 3; f++) {
        snprintf(line, sizeof line, "%s %d-%d\n", names[f], 10 + 10 * f, 17 + 10 * f);
        ota_buf_append(&t1, line, strlen(line), NULL);
        int at = 10 + 10 * ((f + 1) % 3);
        snprintf(line, sizeof line, "%s %d-%d\n", names[f], at, at + 7);
        ota_buf_append(&t2, line, strlen(line), NULL);
    }
    ota_error err;
    ck_assert_msg(rt_blockmap_parse((char *)t1.data, t1.len, blocks, &m1, &err) == 0, "%s",
                  err.message);
    ck_assert_msg(rt_blockmap_parse((char *)t2.data, t2.len, blocks, &m2, &err) == 0, "%s",
                  err.message);
    rt_block_image src, tgt;
    ck_assert(rt_block_image_open(&src, wpath("c1.img"), &m1, NULL, &err) == 0);
    ck_assert(rt_block_image_open(&tgt, wpath("c2.img"), &m2, NULL, &err) == 0);
    rt_blockdiff_opts o = {0};
    rt_blockdiff_result res;
    diff(&tgt, &src, wpath("cyc"), &o, &res);
    char *list = apply_and_compare(wpath("cyc"), wpath("c1.img"), wpath("c2.img"));
    ck_assert_msg(count_lines(list, "stash") >= 1 && count_lines(list, "free") >= 1,
                  "no stash in:\n%s", list);
    ck_assert_int_eq(count_lines(list, "bsdiff"), 3);
    /* room for no stash: the cycle is broken with new data */
    rt_blockdiff_opts tiny = {.cache_size = 1 << 20, .stash_threshold = 0.005};
    rt_blockdiff_result r2;
    diff(&tgt, &src, wpath("cyc2"), &tiny, &r2);
    char *list2 = apply_and_compare(wpath("cyc2"), wpath("c1.img"), wpath("c2.img"));
    ck_assert_int_eq(count_lines(list2, "stash"), 0);
    ck_assert_uint_gt(r2.new_blocks_for_stash, 0);
    free(list);
    free(list2);
    rt_blockdiff_result_free(&res);
    rt_blockdiff_result_free(&r2);
    rt_block_image_close(&src);
    rt_block_image_close(&tgt);
    rt_blockmap_free(&m1);
    rt_blockmap_free(&m2);
    ota_buf_free(&t1);
    ota_buf_free(&t2);
    for (int f = 0; f < 3; f++)
        free(content[f]);
    free(v1);
    free(v2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blockdiff");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, full_update_rebuilds_the_target_from_garbage);
    tcase_add_test(tc, incremental_update_rebuilds_the_target);
    tcase_add_test(tc, a_small_cache_cuts_pieces_and_bounds_the_stash);
    tcase_add_test(tc, same_inputs_give_the_same_bytes_whatever_the_threads);
    tcase_add_test(tc, files_that_trade_places_are_stashed);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
