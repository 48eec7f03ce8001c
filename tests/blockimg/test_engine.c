/* Unit tests of the engine (blockimg/engine.h) on image files.
 *
 * A 64-block source image and the target it must become are made first;
 * then four hand-written transfer lists, one per version, turn one into
 * the other using every command (erase zero new move bsdiff imgdiff stash
 * free) and every source form (ranges, "-" with stashes, ranges + locs +
 * stashes), with patches made by our bsdiff/imgdiff and hashes of the
 * images.  The lists are checked by result: the image must equal the
 * target byte for byte.  Then: verify mode, source and target on two
 * devices, a failure injected at every write followed by a re-run (which
 * must always reach the target), streaming of large moves, and bad
 * inputs. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "applypatch/bsdiff.h"
#include "applypatch/imgdiff.h"
#include "blockimg/engine.h"
#include "otautil/hash.h"
#include "tests/common/testutil.h"

#define NB 64
#define BS 4096

/* ---- the scene ----------------------------------------------------------- */

static uint8_t SRC[NB * BS], TGT[NB * BS];
static ota_buf NEWDATA, PATCHES;
static char *LIST[5];

static uint32_t rng = 12345;
static uint8_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (uint8_t)rng;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd();
}

/* Text that compresses, so gzip members have something to be about. */
static void fill_text(char *p, size_t n, int variant)
{
    size_t k = 0;
    for (int line = 0; k + 80 < n; line++)
        k += (size_t)snprintf(p + k, n - k, "line %d of the %s file, value %d\n", line,
                              variant ? "new" : "old", variant && line % 17 == 3 ? line * 7 : line);
    p[k] = '\0';
}

static size_t gzip_into(uint8_t *out, size_t cap, const char *text)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = cap - zs.avail_out;
    deflateEnd(&zs);
    return n;
}

static bi_rangeset rs(const char *text)
{
    bi_rangeset r;
    ota_error err;
    ck_assert_msg(bi_rangeset_parse(&r, text, strlen(text), 0, &err) == 0, "%s", err.message);
    return r;
}

/* The blocks of ranges (in order) of img. */
static void gather(const uint8_t *img, const char *ranges, ota_buf *out)
{
    bi_rangeset r = rs(ranges);
    out->len = 0;
    for (size_t i = 0; i < r.count; i++)
        ck_assert_int_eq(ota_buf_append(out, img + r.ranges[i].begin * BS,
                                        (r.ranges[i].end - r.ranges[i].begin) * BS, NULL), 0);
    bi_rangeset_free(&r);
}

/* SHA-1 hex of some blocks, from a small pool of result strings. */
static const char *H(const uint8_t *img, const char *ranges)
{
    static char pool[16][41];
    static int next;
    char *out = pool[next++ % 16];
    ota_buf b = {0};
    gather(img, ranges, &b);
    uint8_t sha[20];
    ota_sha1(b.data, b.len, sha);
    ota_hex_encode(sha, 20, out);
    ota_buf_free(&b);
    return out;
}

/* Appends a patch from the source blocks to the target blocks to the
 * patch data; "OFFSET LENGTH" for the command. */
static const char *P(int img, const char *src_ranges, const char *tgt_ranges)
{
    static char pool[8][48];
    static int next;
    ota_buf s = {0}, t = {0};
    gather(SRC, src_ranges, &s);
    gather(TGT, tgt_ranges, &t);
    uint8_t *patch;
    size_t len;
    ota_error err;
    if (img) {
        imgdiff_opts o = {0};
        ck_assert_msg(imgdiff_create(s.data, s.len, t.data, t.len, &o, &patch, &len, &err) == 0, "%s",
                      err.message);
        ck_assert_msg(memcmp(patch, "IMGDIFF2", 8) == 0, "not an imgdiff patch");
    } else {
        ck_assert_msg(bsdiff_create(s.data, s.len, t.data, t.len, &patch, &len, &err) == 0, "%s",
                      err.message);
    }
    char *out = pool[next++ % 8];
    snprintf(out, 48, "%zu %zu", PATCHES.len, len);
    ck_assert_int_eq(ota_buf_append(&PATCHES, patch, len, NULL), 0);
    free(patch);
    ota_buf_free(&s);
    ota_buf_free(&t);
    return out;
}

static void copy_blocks(uint8_t *to, int tb, const uint8_t *from, int fb, int n)
{
    memmove(to + (size_t)tb * BS, from + (size_t)fb * BS, (size_t)n * BS);
}

static void make_images(void)
{
    fill_random(SRC, sizeof SRC);
    /* Blocks 12-15 hold a gzip member (imgdiff's deflate chunks). */
    static char text[12000];
    fill_text(text, sizeof text, 0);
    memset(SRC + 12 * BS, 0, 4 * BS);
    gzip_into(SRC + 12 * BS, 4 * BS, text);
    /* The same two blocks in two places: one stash ID stashed twice. */
    copy_blocks(SRC, 50, SRC, 44, 2);

    memcpy(TGT, SRC, sizeof TGT);
    copy_blocks(TGT, 0, SRC, 20, 4);          /* move */
    copy_blocks(TGT, 4, SRC, 0, 4);           /* move from a stash */
    for (int i = 0; i < 4; i++)               /* bsdiff in place */
        TGT[(8 + i) * BS + 100 * (size_t)i] ^= 0x5a;
    fill_text(text, sizeof text, 1);          /* imgdiff */
    memset(TGT + 12 * BS, 0, 4 * BS);
    gzip_into(TGT + 12 * BS, 4 * BS, text);
    copy_blocks(TGT, 16, SRC, 30, 2);         /* bsdiff from blocks + a stash */
    copy_blocks(TGT, 18, SRC, 40, 2);
    TGT[17 * BS + 7] ^= 1;
    TGT[18 * BS + 9] ^= 2;
    fill_random(TGT + 20 * BS, 4 * BS);       /* new */
    memset(TGT + 24 * BS, 0, 4 * BS);         /* zero; 28-31: erase (a file keeps them) */
    copy_blocks(TGT, 32, SRC, 44, 2);         /* the stash stashed twice */
    copy_blocks(TGT, 34, SRC, 50, 2);
    copy_blocks(TGT, 36, SRC, 37, 4);         /* move onto its own source */
    memset(TGT + 50 * BS, 0, 2 * BS);
}

static char *list_v34(int v, const char *bs1, const char *img1, const char *bs2)
{
    char *l = malloc(8192);
    ck_assert_ptr_nonnull(l);
    const char *s1 = H(SRC, "2,0,4"), *s2 = H(SRC, "2,40,42"), *x = H(SRC, "2,44,46");
    snprintf(l, 8192,
             "%d\n38\n2\n4\n"
             "stash %s 2,0,4\n"
             "move %s 2,0,4 4 2,20,24\n"
             "move %s 2,4,8 4 - %s:2,0,4\n"
             "free %s\n"
             "bsdiff %s %s %s 2,8,12 4 2,8,12\n"
             "imgdiff %s %s %s 2,12,16 4 2,12,16\n"
             "stash %s 2,40,42\n"
             "bsdiff %s %s %s 2,16,20 4 2,30,32 2,0,2 %s:2,2,4\n"
             "free %s\n"
             "move %s 2,36,40 4 2,37,41\n"
             "stash %s 2,44,46\n"
             "move %s 2,32,34 2 - %s:2,0,2\n"
             "free %s\n"
             "stash %s 2,50,52\n"
             "zero 2,50,52\n"
             "move %s 2,34,36 2 - %s:2,0,2\n"
             "free %s\n"
             "new 2,20,24\n"
             "zero 2,24,28\n"
             "erase 2,28,32\n",
             v, s1, H(SRC, "2,20,24"), s1, s1, s1, bs1, H(SRC, "2,8,12"), H(TGT, "2,8,12"), img1,
             H(SRC, "2,12,16"), H(TGT, "2,12,16"), s2, bs2, H(SRC, "4,30,32,40,42"),
             H(TGT, "2,16,20"), s2, s2, H(SRC, "2,37,41"), x, x, x, x, x, x, x, x);
    return l;
}

static void make_scene(void)
{
    if (LIST[1])
        return;
    make_images();
    const char *bs1 = P(0, "2,8,12", "2,8,12");
    const char *img1 = P(1, "2,12,16", "2,12,16");
    const char *bs2 = P(0, "4,30,32,40,42", "2,16,20");
    LIST[1] = malloc(4096);
    snprintf(LIST[1], 4096,
             "1\n38\n"
             "move 2,0,4 2,4,8\n"
             "move 2,20,24 2,0,4\n"
             "bsdiff %s 2,8,12 2,8,12\n"
             "imgdiff %s 2,12,16 2,12,16\n"
             "bsdiff %s 4,30,32,40,42 2,16,20\n"
             "move 2,37,41 2,36,40\n"
             "move 2,44,46 2,32,34\n"
             "move 2,50,52 2,34,36\n"
             "zero 2,50,52\n"
             "new 2,20,24\n"
             "zero 2,24,28\n"
             "erase 2,28,32\n",
             bs1, img1, bs2);
    LIST[2] = malloc(4096);
    snprintf(LIST[2], 4096,
             "2\n38\n2\n4\n"
             "stash 0 2,0,4\n"
             "move 2,0,4 4 2,20,24\n"
             "move 2,4,8 4 - 0:2,0,4\n"
             "free 0\n"
             "bsdiff %s 2,8,12 4 2,8,12\n"
             "imgdiff %s 2,12,16 4 2,12,16\n"
             "stash 1 2,40,42\n"
             "bsdiff %s 2,16,20 4 2,30,32 2,0,2 1:2,2,4\n"
             "free 1\n"
             "move 2,36,40 4 2,37,41\n"
             "stash 2 2,44,46\n"
             "move 2,32,34 2 - 2:2,0,2\n"
             "free 2\n"
             "stash 2 2,50,52\n"
             "zero 2,50,52\n"
             "move 2,34,36 2 - 2:2,0,2\n"
             "free 2\n"
             "new 2,20,24\n"
             "zero 2,24,28\n"
             "erase 2,28,32\n",
             bs1, img1, bs2);
    LIST[3] = list_v34(3, bs1, img1, bs2);
    LIST[4] = list_v34(4, bs1, img1, bs2);
    ck_assert_int_eq(ota_buf_append(&NEWDATA, TGT + 20 * BS, 4 * BS, NULL), 0);
}

/* ---- running ---------------------------------------------------------------- */

typedef struct dirs {
    char root[200], img[256], src[256], cache[230], stash[300], last[256], newf[256], patchf[256];
} dirs;

static void make_dirs(dirs *d)
{
    make_scene();
    /* Thousands of runs, each syncing after every command: a memory
     * filesystem keeps that quick (the integration tests use loop devices). */
    const char *tmp = getenv("TMPDIR");
    if (!tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(d->root, sizeof d->root, "%s/bi-engine.XXXXXX", tmp);
    ck_assert_ptr_nonnull(mkdtemp(d->root));
    snprintf(d->img, sizeof d->img, "%s/system.img", d->root);
    snprintf(d->src, sizeof d->src, "%s/source.img", d->root);
    snprintf(d->cache, sizeof d->cache, "%s/recovery", d->root);
    ck_assert_int_eq(mkdir(d->cache, 0700), 0);
    ota_error err;
    ck_assert_int_eq(bi_stash_dir_name(d->cache, "/dev/block/by-name/system", d->stash,
                                       sizeof d->stash, &err), 0);
    snprintf(d->last, sizeof d->last, "%s/last_command", d->cache);
    snprintf(d->newf, sizeof d->newf, "%s/new.dat", d->root);
    snprintf(d->patchf, sizeof d->patchf, "%s/patch.dat", d->root);
    test_write_file(d->img, SRC, sizeof SRC);
    test_write_file(d->newf, NEWDATA.data, NEWDATA.len);
    test_write_file(d->patchf, PATCHES.data, PATCHES.len);
}

static void rm_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(dir);
    rmdir(path);
}

static int file_equals(const char *path, const uint8_t *data, size_t len)
{
    size_t n;
    uint8_t *got = test_read_file(path, &n);
    int same = n == len && memcmp(got, data, len) == 0;
    free(got);
    return same;
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

typedef struct run_opts {
    const bi_dev *source; /* NULL: in place */
    int verify;
    const char *last;     /* NULL: d->last */
} run_opts;

static char LOG[1 << 16];
static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    size_t n = strlen(LOG);
    if (n + strlen(line) + 2 < sizeof LOG) {
        strcat(LOG, line);
        strcat(LOG, "\n");
    }
}

static int run_list(const char *list, const bi_dev *dev, const dirs *d, const run_opts *ro,
                    bi_apply_stats *st, ota_error *err)
{
    bi_transfer_list tl;
    ck_assert_msg(bi_transfer_parse(&tl, list, strlen(list), err) == 0, "%s", err->message);
    int nfd = open(d->newf, O_RDONLY), pfd = open(d->patchf, O_RDONLY);
    ck_assert_int_ge(nfd, 0);
    ck_assert_int_ge(pfd, 0);
    bi_reader *nd = bi_reader_fd(nfd, "new.dat", err);
    bi_patch_data *pd = bi_patch_data_fd(pfd, "patch.dat", err);
    ck_assert_ptr_nonnull(nd);
    ck_assert_ptr_nonnull(pd);
    LOG[0] = '\0';
    bi_apply_opts o = {
        .target = dev, .source = ro ? ro->source : NULL, .new_data = nd, .patch_data = pd,
        .stash_dir = d->stash, .last_command = ro && ro->last ? ro->last : d->last,
        .verify_only = ro ? ro->verify : 0, .log = log_line,
    };
    int rc = bi_apply(&tl, &o, st, err);
    bi_reader_close(nd);
    bi_patch_data_close(pd);
    close(nfd);
    close(pfd);
    bi_transfer_free(&tl);
    return rc;
}

static int run_on_file(const char *list, const char *img, const dirs *d, const run_opts *ro,
                       bi_apply_stats *st, ota_error *err)
{
    bi_fd_dev dev;
    ck_assert_int_eq(bi_fd_dev_open(&dev, img, "system.img", !(ro && ro->verify), err), 0);
    int rc = run_list(list, &dev.dev, d, ro, st, err);
    bi_fd_dev_close(&dev);
    return rc;
}

/* ---- the tests --------------------------------------------------------------- */

START_TEST(every_version_reaches_the_target)
{
    int v = _i;
    dirs d;
    make_dirs(&d);
    bi_apply_stats st;
    ota_error err;
    ck_assert_msg(run_on_file(LIST[v], d.img, &d, NULL, &st, &err) == 0, "v%d: %s\nlog:\n%s", v,
                  err.message, LOG);
    ck_assert_msg(file_equals(d.img, TGT, sizeof TGT), "v%d: the image is not the target", v);
    ck_assert_msg(!exists(d.stash), "v%d: stash folder left behind", v);
    ck_assert_msg(!exists(d.last), "v%d: last_command left behind", v);
    ck_assert_uint_eq(st.blocks_written, 38);
    ck_assert_uint_eq(st.commands_resumed, 0);
    if (v >= 2)
        ck_assert_uint_gt(st.blocks_stashed, 0);
    ck_assert_ptr_nonnull(strstr(LOG, "skipping erase"));
    /* Small images: nothing but the chunk buffer and small sources. */
    ck_assert_uint_le(st.max_buffer, BI_CHUNK);
    /* Run again on the result: v3+ finds every target done. */
    if (v >= 3) {
        ck_assert_msg(run_on_file(LIST[v], d.img, &d, NULL, &st, &err) == 0, "rerun: %s", err.message);
        ck_assert(file_equals(d.img, TGT, sizeof TGT));
        ck_assert_uint_eq(st.commands_done_already, 8);
    }
    rm_tree(d.root);
}
END_TEST

START_TEST(verify_reads_and_writes_nothing)
{
    for (int v = 1; v <= 4; v++) {
        dirs d;
        make_dirs(&d);
        run_opts ro = {.verify = 1};
        ota_error err;
        ck_assert_msg(run_on_file(LIST[v], d.img, &d, &ro, NULL, &err) == 0, "v%d: %s", v, err.message);
        ck_assert(file_equals(d.img, SRC, sizeof SRC));
        ck_assert_msg(!exists(d.stash) && !exists(d.last), "v%d: verify created files", v);
        rm_tree(d.root);
    }
}
END_TEST

/* One changed block in the source: verify refuses and names the
 * command's source blocks; the image is untouched. */
START_TEST(verify_names_a_changed_block)
{
    static const struct {
        int block;
        const char *line, *says;
    } cases[] = {
        {9, "line 9 (bsdiff)", "source blocks 2,8,12 have SHA-1"},
        {13, "line 10 (imgdiff)", "source blocks 2,12,16 have SHA-1"},
        {31, "line 12 (bsdiff)", "source blocks 2,30,32 with its stashes"},
        {41, "line 12 (bsdiff)", "stash " /* the stash of 40-41 did not match */},
        {22, "line 6 (move)", "source blocks 2,20,24"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dirs d;
        make_dirs(&d);
        uint8_t changed[sizeof SRC];
        memcpy(changed, SRC, sizeof changed);
        changed[(size_t)cases[i].block * BS + 1234] ^= 0xff;
        test_write_file(d.img, changed, sizeof changed);
        run_opts ro = {.verify = 1};
        ota_error err;
        ck_assert_int_eq(run_on_file(LIST[4], d.img, &d, &ro, NULL, &err), -1);
        ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
        ck_assert_msg(strstr(err.message, cases[i].line) && strstr(err.message, cases[i].says),
                      "block %d: %s", cases[i].block, err.message);
        ck_assert(file_equals(d.img, changed, sizeof changed));
        ck_assert(!exists(d.stash));
        rm_tree(d.root);
    }
}
END_TEST

/* The update itself stops at the first command whose source is wrong, and
 * drops its stashes: nothing can finish that update any more. */
START_TEST(update_of_a_changed_source_fails_unresumable)
{
    dirs d;
    make_dirs(&d);
    uint8_t changed[sizeof SRC];
    memcpy(changed, SRC, sizeof changed);
    changed[13 * BS] ^= 1;
    test_write_file(d.img, changed, sizeof changed);
    bi_apply_stats st;
    ota_error err;
    ck_assert_int_eq(run_on_file(LIST[4], d.img, &d, NULL, &st, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 10 (imgdiff)"));
    ck_assert_int_eq(st.unresumable, 1);
    ck_assert(!exists(d.stash) && !exists(d.last));
    rm_tree(d.root);
}
END_TEST

START_TEST(verify_passes_on_an_updated_partition)
{
    for (int v = 3; v <= 4; v++) {
        dirs d;
        make_dirs(&d);
        test_write_file(d.img, TGT, sizeof TGT);
        run_opts ro = {.verify = 1};
        ota_error err;
        ck_assert_msg(run_on_file(LIST[v], d.img, &d, &ro, NULL, &err) == 0, "v%d: %s", v, err.message);
        rm_tree(d.root);
    }
}
END_TEST

/* A/B: read one device, write another; the source never changes and no
 * stash is written. */
START_TEST(source_and_target_on_two_devices)
{
    for (int v = 1; v <= 4; v++) {
        dirs d;
        make_dirs(&d);
        uint8_t junk[sizeof SRC];
        fill_random(junk, sizeof junk);
        test_write_file(d.img, junk, sizeof junk);
        test_write_file(d.src, SRC, sizeof SRC);
        bi_fd_dev src;
        ota_error err;
        ck_assert_int_eq(bi_fd_dev_open(&src, d.src, "source.img", 0, &err), 0);
        run_opts ro = {.source = &src.dev};
        bi_apply_stats st;
        ck_assert_msg(run_on_file(LIST[v], d.img, &d, &ro, &st, &err) == 0, "v%d: %s", v, err.message);
        bi_fd_dev_close(&src);
        /* The blocks the list writes come from the target; the rest (and
         * 28-31: erase is skipped on a file) keep what was there. */
        memcpy(junk, TGT, 28 * BS);
        memcpy(junk + 32 * BS, TGT + 32 * BS, 8 * BS);
        memcpy(junk + 50 * BS, TGT + 50 * BS, 2 * BS);
        ck_assert_msg(file_equals(d.img, junk, sizeof junk), "v%d: wrong target", v);
        ck_assert(file_equals(d.src, SRC, sizeof SRC));
        ck_assert_uint_eq(st.blocks_stashed, 0);
        ck_assert(!exists(d.stash));
        rm_tree(d.root);
    }
}
END_TEST

/* ---- failures at every write, then a re-run ------------------------------------ */

typedef struct faulty {
    bi_dev dev;
    const bi_dev *inner;
    long fail_at, count;
} faulty;

/* Writes go through a block at a time, each one counted, so that a
 * failure can land inside a command's range; the failing write is torn:
 * its first half reaches the device. */
static int f_write(void *ctx, uint64_t off, const void *buf, size_t len, ota_error *err)
{
    faulty *f = ctx;
    const uint8_t *p = buf;
    while (len > 0) {
        size_t n = len < BS ? len : BS;
        if (++f->count == f->fail_at) {
            f->inner->ops->write(f->inner->ctx, off, p, n / 2, err);
            return ota_error_set(err, OTA_ERR_IO, "injected failure at write %ld", f->count);
        }
        if (f->inner->ops->write(f->inner->ctx, off, p, n, err) < 0)
            return -1;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

static int f_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    faulty *f = ctx;
    return f->inner->ops->read(f->inner->ctx, off, buf, len, err);
}

static int f_discard(void *ctx, uint64_t off, uint64_t len, ota_error *err)
{
    faulty *f = ctx;
    if (++f->count == f->fail_at)
        return ota_error_set(err, OTA_ERR_IO, "injected failure at discard %ld", f->count);
    return f->inner->ops->discard(f->inner->ctx, off, len, err);
}

static int f_sync(void *ctx, ota_error *err)
{
    faulty *f = ctx;
    return f->inner->ops->sync(f->inner->ctx, err);
}

static const bi_dev_ops faulty_ops = {f_read, f_write, f_discard, f_sync};

/* Runs list on img failing at I/O number fail_at; returns bi_apply's
 * result and the I/O count in *count. */
static int run_faulty(const char *list, const char *img, const dirs *d, long fail_at, long *count,
                      ota_error *err)
{
    bi_fd_dev dev;
    ck_assert_int_eq(bi_fd_dev_open(&dev, img, "system.img", 1, err), 0);
    faulty f = {.inner = &dev.dev, .fail_at = fail_at};
    f.dev = (bi_dev){.ops = &faulty_ops, .ctx = &f, .size = dev.dev.size, .name = "system.img"};
    int rc = run_list(list, &f.dev, d, NULL, NULL, err);
    bi_fd_dev_close(&dev);
    if (count)
        *count = f.count;
    return rc;
}

enum { RERUN, RERUN_WITHOUT_PROGRESS, FAIL_TWICE };

/* For every N: fail the N-th write, then finish (as the variant says);
 * the image must be the target every time.  Returns how many N. */
static long fail_every_write(const char *list, const uint8_t *src, const uint8_t *tgt, size_t size,
                             int variant, long step)
{
    long n;
    for (n = 1;; n += step) {
        dirs d;
        make_dirs(&d);
        test_write_file(d.img, src, size);
        long count;
        ota_error err;
        int rc = run_faulty(list, d.img, &d, n, &count, &err);
        if (rc == 0) { /* N past the last write: nothing failed */
            ck_assert(file_equals(d.img, tgt, size));
            rm_tree(d.root);
            break;
        }
        ck_assert_msg(strstr(err.message, "injected failure"), "N=%ld: %s", n, err.message);
        if (variant == RERUN_WITHOUT_PROGRESS)
            unlink(d.last);
        if (variant == FAIL_TWICE) {
            rc = run_faulty(list, d.img, &d, 1 + n % 5, NULL, &err);
            ck_assert_msg(rc == 0 || strstr(err.message, "injected failure"), "N=%ld, second: %s", n,
                          err.message);
        }
        bi_apply_stats st;
        ck_assert_msg(run_on_file(list, d.img, &d, NULL, &st, &err) == 0,
                      "variant %d, failure at write %ld: the re-run failed: %s\nlog:\n%s", variant, n,
                      err.message, LOG);
        ck_assert_msg(file_equals(d.img, tgt, size), "variant %d, failure at write %ld: the re-run "
                      "did not reach the target", variant, n);
        ck_assert_msg(!exists(d.stash) && !exists(d.last), "N=%ld: left behind: stash %d, "
                      "last_command %d", n, exists(d.stash), exists(d.last));
        rm_tree(d.root);
    }
    return n;
}

START_TEST(a_failure_at_any_write_then_a_rerun_reaches_the_target)
{
    int v = 3 + _i % 2, variant = _i / 2;
    make_scene();
    long n = fail_every_write(LIST[v], SRC, TGT, sizeof TGT, variant, 1);
    ck_assert_uint_gt(n, 38); /* 38 blocks written, and an erase */
    printf("v%d variant %d: a failure at each of %ld writes, every re-run reached the target\n", v,
           variant, n - 1);
}
END_TEST

/* ---- large moves stream ----------------------------------------------------------- */

#define BIG 9000

START_TEST(large_moves_stream_through_a_small_buffer)
{
    size_t size = (size_t)BIG * BS;
    uint8_t *src = malloc(size), *tgt = malloc(size);
    ck_assert_ptr_nonnull(src);
    ck_assert_ptr_nonnull(tgt);
    fill_random(src, size);
    memcpy(tgt, src, size);
    memmove(tgt + 4600 * (size_t)BS, src, 4400 * (size_t)BS);          /* disjoint */
    memmove(tgt, src + 100 * (size_t)BS, 4500 * (size_t)BS);           /* onto itself */
    char list[1024];
    uint8_t sha_a[20], sha_b[20];
    char ha[41], hb[41];
    ota_sha1(src, 4400 * (size_t)BS, sha_a);
    ota_sha1(src + 100 * (size_t)BS, 4500 * (size_t)BS, sha_b);
    ota_hex_encode(sha_a, 20, ha);
    ota_hex_encode(sha_b, 20, hb);
    snprintf(list, sizeof list, "4\n8900\n0\n0\nmove %s 2,4600,9000 4400 2,0,4400\n"
             "move %s 2,0,4500 4500 2,100,4600\n", ha, hb);
    dirs d;
    make_dirs(&d);
    test_write_file(d.img, src, size);
    bi_apply_stats st;
    ota_error err;
    ck_assert_msg(run_on_file(list, d.img, &d, NULL, &st, &err) == 0, "%s", err.message);
    ck_assert(file_equals(d.img, tgt, size));
    ck_assert_uint_eq(st.max_buffer, BI_CHUNK);
    ck_assert_uint_eq(st.blocks_stashed, 4500); /* the move onto itself */
    rm_tree(d.root);
    long n = fail_every_write(list, src, tgt, size, RERUN, 613);
    printf("large moves: failures at %ld points, every re-run reached the target\n", (n - 1) / 613);
    free(src);
    free(tgt);
}
END_TEST

/* ---- bad inputs ---------------------------------------------------------------- */

START_TEST(a_list_past_the_device_touches_nothing)
{
    dirs d;
    make_dirs(&d);
    char list[256];
    snprintf(list, sizeof list, "4\n2\n0\n0\nzero 2,0,1\nnew 2,63,65\n");
    ota_error err;
    ck_assert_int_eq(run_on_file(list, d.img, &d, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line 6 (new): target ranges reach block 64, past "
                                 "the end of the target partition (64 blocks)"));
    ck_assert(file_equals(d.img, SRC, sizeof SRC));
    rm_tree(d.root);
}
END_TEST

START_TEST(short_new_data_and_bad_patch_offsets_name_the_line)
{
    dirs d;
    make_dirs(&d);
    ota_error err;
    ck_assert_int_eq(run_on_file("4\n8\n0\n0\nnew 2,0,4\nnew 2,4,8\n", d.img, &d, NULL, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "line 6 (new): the new data ends 16384 bytes short"), "%s",
                  err.message);
    char list[512];
    snprintf(list, sizeof list, "1\n4\nbsdiff %zu 10 2,8,12 2,8,12\n", PATCHES.len);
    ck_assert_int_eq(run_on_file(list, d.img, &d, NULL, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "line 3 (bsdiff): patch bytes") &&
                  strstr(err.message, "past the end of patch.dat"), "%s", err.message);
    rm_tree(d.root);
}
END_TEST

START_TEST(a_planted_symlink_is_never_written_through)
{
    dirs d;
    make_dirs(&d);
    char victim[300], tmp_victim[300];
    snprintf(victim, sizeof victim, "%s/victim", d.root);
    mkdir(victim, 0755);
    ck_assert_int_eq(symlink(victim, d.stash), 0);
    snprintf(tmp_victim, sizeof tmp_victim, "%s/victim-file", d.root);
    test_write_file(tmp_victim, "keep", 4);
    /* Symlinks at the progress file and at the temporary names its writer
     * (otautil/safe_file.h) tries first, all pointing at a victim. */
    char tmpname[400], folder[300];
    snprintf(folder, sizeof folder, "%s", d.last);
    *strrchr(folder, '/') = '\0';
    for (int i = 0; i < 4; i++) {
        snprintf(tmpname, sizeof tmpname, "%s/.%s.tmp-%ld.%d", folder, strrchr(d.last, '/') + 1,
                 (long)getpid(), i);
        ck_assert_int_eq(symlink(tmp_victim, tmpname), 0);
    }
    ck_assert_int_eq(symlink(tmp_victim, d.last), 0);
    ota_error err;
    ck_assert_msg(run_on_file(LIST[4], d.img, &d, NULL, NULL, &err) == 0, "%s", err.message);
    ck_assert(file_equals(d.img, TGT, sizeof TGT));
    ck_assert(file_equals(tmp_victim, (const uint8_t *)"keep", 4));
    DIR *vd = opendir(victim);
    int entries = 0;
    for (struct dirent *e; (e = readdir(vd));)
        entries += e->d_name[0] != '.';
    closedir(vd);
    ck_assert_int_eq(entries, 0);
    rm_tree(d.root);
}
END_TEST

START_TEST(progress_of_another_list_is_ignored)
{
    dirs d;
    make_dirs(&d);
    test_write_file(d.last, "3\nmove 0000 2,0,1 1 2,5,6", strlen("3\nmove 0000 2,0,1 1 2,5,6"));
    bi_apply_stats st;
    ota_error err;
    ck_assert_msg(run_on_file(LIST[4], d.img, &d, NULL, &st, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(st.commands_resumed, 0);
    ck_assert(file_equals(d.img, TGT, sizeof TGT));
    ck_assert_ptr_nonnull(strstr(LOG, "names a command that is not this list's"));
    rm_tree(d.root);
}
END_TEST

/* After a failure, last_command holds Android's two lines (the index of
 * the last finished command, its text), and the next run skips what
 * finished (but `new`, whose data comes in order). */
START_TEST(progress_is_recorded_in_androids_format)
{
    for (long fail_at = 2; fail_at <= 12; fail_at += 5) {
        dirs d;
        make_dirs(&d);
        ota_error err;
        ck_assert_int_eq(run_faulty(LIST[4], d.img, &d, fail_at, NULL, &err), -1);
        size_t n;
        char *text = test_read_file(d.last, &n);
        char *nl = strchr(text, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        size_t index = strtoul(text, NULL, 10);
        /* The recorded text is line index + 4 of the list (4 header lines). */
        const char *line = LIST[4];
        for (size_t i = 0; i < index + 4; i++)
            line = strchr(line, '\n') + 1;
        ck_assert_int_eq(strncmp(line, nl + 1, strlen(nl + 1)), 0);
        ck_assert_int_eq(line[strlen(nl + 1)], '\n');
        free(text);
        bi_apply_stats st;
        ck_assert_int_eq(run_on_file(LIST[4], d.img, &d, NULL, &st, &err), 0);
        ck_assert_uint_eq(st.commands_resumed, index + 1);
        ck_assert(file_equals(d.img, TGT, sizeof TGT));
        rm_tree(d.root);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, every_version_reaches_the_target, 1, 5);
    tcase_add_test(tc, verify_reads_and_writes_nothing);
    tcase_add_test(tc, verify_names_a_changed_block);
    tcase_add_test(tc, update_of_a_changed_source_fails_unresumable);
    tcase_add_test(tc, verify_passes_on_an_updated_partition);
    tcase_add_test(tc, source_and_target_on_two_devices);
    tcase_add_loop_test(tc, a_failure_at_any_write_then_a_rerun_reaches_the_target, 0, 6);
    tcase_add_test(tc, large_moves_stream_through_a_small_buffer);
    tcase_add_test(tc, a_list_past_the_device_touches_nothing);
    tcase_add_test(tc, short_new_data_and_bad_patch_offsets_name_the_line);
    tcase_add_test(tc, a_planted_symlink_is_never_written_through);
    tcase_add_test(tc, progress_of_another_list_is_ignored);
    tcase_add_test(tc, progress_is_recorded_in_androids_format);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
