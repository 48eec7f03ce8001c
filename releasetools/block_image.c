#include "releasetools/block_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/hash.h"

/* Blocks read at a time while scanning or hashing. */
#define CHUNK_BLOCKS 256

static int add_domain(rt_block_image *img, size_t *cap, const char *name, bi_rangeset *blocks,
                      ota_error *err)
{
    if (blocks->blocks == 0) {
        bi_rangeset_free(blocks);
        return 0;
    }
    if (img->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        rt_block_domain *d = realloc(img->domains, ncap * sizeof *d);
        if (!d)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        img->domains = d;
        *cap = ncap;
    }
    char *copy = strdup(name);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    img->domains[img->count++] = (rt_block_domain){copy, *blocks};
    memset(blocks, 0, sizeof *blocks);
    return 0;
}

static int pread_blocks(const rt_block_image *img, uint64_t block, uint64_t n, uint8_t *buf,
                        ota_error *err)
{
    size_t len = (size_t)n * RT_BLOCK_SIZE;
    off_t off = (off_t)(block * RT_BLOCK_SIZE);
    while (len > 0) {
        ssize_t r = pread(img->fd, buf, len, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ota_error_errno(err, "cannot read %s at block %llu", img->path,
                                   (unsigned long long)(off / RT_BLOCK_SIZE));
        if (r == 0)
            return ota_error_set(err, OTA_ERR_IO, "%s ends before block %llu", img->path,
                                 (unsigned long long)(off / RT_BLOCK_SIZE));
        buf += r;
        len -= (size_t)r;
        off += r;
    }
    return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    /* 8 bytes at a time; blocks are aligned in the buffer */
    const uint64_t *w = (const uint64_t *)(const void *)p;
    for (size_t i = 0; i < n / 8; i++)
        if (w[i])
            return 0;
    return 1;
}

static int is_set(const uint8_t *bits, uint64_t b)
{
    return bits[b / 8] >> (b % 8) & 1;
}

static void set_bit(uint8_t *bits, uint64_t b)
{
    bits[b / 8] |= (uint8_t)(1u << (b % 8));
}

/* A file's domain: its blocks sorted, without blocks another file or the
 * clobbered set already holds. */
static int file_domain(rt_block_image *img, size_t *cap, const rt_block_file *f, uint8_t *claimed,
                       ota_error *err)
{
    bi_rangeset sorted = {0}, empty = {0}, mine = {0};
    if (bi_rangeset_union(&f->blocks, &empty, &sorted, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < sorted.count && rc == 0; i++) {
        if (sorted.ranges[i].end > img->total_blocks) {
            rc = ota_error_set(err, OTA_ERR_FORMAT,
                               "block map: %s has block %llu, past the end of %s (%llu blocks)",
                               f->path, (unsigned long long)sorted.ranges[i].end - 1, img->path,
                               (unsigned long long)img->total_blocks);
            break;
        }
        for (uint64_t b = sorted.ranges[i].begin; b < sorted.ranges[i].end && rc == 0; b++) {
            if (is_set(claimed, b))
                continue;
            set_bit(claimed, b);
            rc = bi_rangeset_append(&mine, b, b + 1, err);
        }
    }
    bi_rangeset_free(&sorted);
    if (rc == 0)
        rc = add_domain(img, cap, f->path, &mine, err);
    bi_rangeset_free(&mine);
    return rc;
}

/* The blocks no file holds: __ZERO and __NONZERO-N. */
static int scan_rest(rt_block_image *img, size_t *cap, const uint8_t *claimed, ota_error *err)
{
    uint8_t *buf = malloc((size_t)CHUNK_BLOCKS * RT_BLOCK_SIZE);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    bi_rangeset zero = {0}, group = {0};
    unsigned groups = 0;
    int rc = 0;
    for (uint64_t b = 0; b < img->total_blocks && rc == 0;) {
        if (is_set(claimed, b)) {
            b++;
            continue;
        }
        uint64_t n = 1;
        while (n < CHUNK_BLOCKS && b + n < img->total_blocks && !is_set(claimed, b + n))
            n++;
        if ((rc = pread_blocks(img, b, n, buf, err)) < 0)
            break;
        for (uint64_t k = 0; k < n && rc == 0; k++) {
            if (all_zero(buf + k * RT_BLOCK_SIZE, RT_BLOCK_SIZE)) {
                rc = bi_rangeset_append(&zero, b + k, b + k + 1, err);
                continue;
            }
            rc = bi_rangeset_append(&group, b + k, b + k + 1, err);
            if (rc == 0 && group.blocks == RT_NONZERO_GROUP) {
                char name[32];
                snprintf(name, sizeof name, "__NONZERO-%u", groups++);
                rc = add_domain(img, cap, name, &group, err);
            }
        }
        b += n;
    }
    if (rc == 0 && group.blocks) {
        char name[32];
        snprintf(name, sizeof name, "__NONZERO-%u", groups);
        rc = add_domain(img, cap, name, &group, err);
    }
    if (rc == 0)
        rc = add_domain(img, cap, "__ZERO", &zero, err);
    bi_rangeset_free(&zero);
    bi_rangeset_free(&group);
    free(buf);
    return rc;
}

/* img->care from care (NULL: all blocks); the blocks outside it set in
 * claimed. */
static int care_map(rt_block_image *img, const bi_rangeset *care, uint8_t *claimed, ota_error *err)
{
    bi_rangeset all = {0};
    if (bi_rangeset_append(&all, 0, img->total_blocks, err) < 0)
        return -1;
    int rc = care ? bi_rangeset_intersect(care, &all, &img->care, err)
                  : bi_rangeset_copy(&img->care, &all, err);
    bi_rangeset_free(&all);
    if (rc < 0)
        return -1;
    uint64_t b = 0;
    for (size_t i = 0; i <= img->care.count; i++) {
        uint64_t end = i < img->care.count ? img->care.ranges[i].begin : img->total_blocks;
        for (; b < end; b++)
            set_bit(claimed, b);
        if (i < img->care.count)
            b = img->care.ranges[i].end;
    }
    return 0;
}

static int cmp_domain(const void *a, const void *b)
{
    return strcmp(((const rt_block_domain *)a)->name, ((const rt_block_domain *)b)->name);
}

int rt_block_image_open(rt_block_image *img, const char *path, const rt_block_map *map,
                        const bi_rangeset *care, ota_error *err)
{
    memset(img, 0, sizeof *img);
    img->fd = -1;
    if (!(img->path = strdup(path)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    struct stat st;
    if ((img->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(img->fd, &st) < 0) {
        ota_error_errno(err, "cannot open %s", path);
        rt_block_image_close(img);
        return -1;
    }
    if (st.st_size <= 0 || st.st_size % RT_BLOCK_SIZE) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: %lld bytes is not a whole number of %u-byte blocks",
                      path, (long long)st.st_size, RT_BLOCK_SIZE);
        rt_block_image_close(img);
        return -1;
    }
    img->total_blocks = (uint64_t)st.st_size / RT_BLOCK_SIZE;
    uint8_t *claimed = calloc(img->total_blocks / 8 + 1, 1);
    size_t cap = 0;
    int rc = claimed ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    /* Blocks outside the care map belong to no domain: they count as
     * claimed from the start. */
    if (rc == 0)
        rc = care_map(img, care, claimed, err);
    /* Block 0 is clobbered: Android's generator always writes it (bug 20939131). */
    if (rc == 0 && !is_set(claimed, 0) && (rc = bi_rangeset_append(&img->clobbered, 0, 1, err)) == 0)
        set_bit(claimed, 0);
    for (size_t i = 0; rc == 0 && map && i < map->count; i++)
        rc = file_domain(img, &cap, &map->files[i], claimed, err);
    if (rc == 0)
        rc = scan_rest(img, &cap, claimed, err);
    if (rc == 0) {
        bi_rangeset copy = {0};
        rc = bi_rangeset_copy(&copy, &img->clobbered, err);
        if (rc == 0)
            rc = add_domain(img, &cap, "__COPY", &copy, err);
        bi_rangeset_free(&copy);
    }
    free(claimed);
    if (rc < 0) {
        rt_block_image_close(img);
        return -1;
    }
    qsort(img->domains, img->count, sizeof *img->domains, cmp_domain);
    return 0;
}

void rt_block_image_close(rt_block_image *img)
{
    if (img->fd >= 0)
        close(img->fd);
    for (size_t i = 0; i < img->count; i++) {
        free(img->domains[i].name);
        bi_rangeset_free(&img->domains[i].blocks);
    }
    free(img->domains);
    bi_rangeset_free(&img->clobbered);
    bi_rangeset_free(&img->care);
    free(img->path);
    memset(img, 0, sizeof *img);
    img->fd = -1;
}

const rt_block_domain *rt_block_image_find(const rt_block_image *img, const char *name)
{
    size_t lo = 0, hi = img->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(img->domains[mid].name, name);
        if (c == 0)
            return &img->domains[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int check_inside(const rt_block_image *img, const bi_rangeset *r, ota_error *err)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->ranges[i].end > img->total_blocks)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: block %llu is past its end (%llu blocks)",
                                 img->path, (unsigned long long)r->ranges[i].end - 1,
                                 (unsigned long long)img->total_blocks);
    return 0;
}

int rt_block_image_read(const rt_block_image *img, const bi_rangeset *r, uint8_t *buf,
                        ota_error *err)
{
    if (check_inside(img, r, err) < 0)
        return -1;
    for (size_t i = 0; i < r->count; i++) {
        uint64_t n = r->ranges[i].end - r->ranges[i].begin;
        if (pread_blocks(img, r->ranges[i].begin, n, buf, err) < 0)
            return -1;
        buf += n * RT_BLOCK_SIZE;
    }
    return 0;
}

int rt_block_image_sha1(const rt_block_image *img, const bi_rangeset *r, uint8_t out[20],
                        ota_error *err)
{
    return rt_block_image_hash(img, r, OTA_HASH_SHA1, out, err);
}

int rt_block_image_hash(const rt_block_image *img, const bi_rangeset *r, ota_hash_alg alg,
                        uint8_t *out, ota_error *err)
{
    if (check_inside(img, r, err) < 0)
        return -1;
    uint8_t *buf = malloc((size_t)CHUNK_BLOCKS * RT_BLOCK_SIZE);
    ota_hash h;
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (ota_hash_init(&h, alg, err) < 0) {
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < r->count; i++) {
        for (uint64_t b = r->ranges[i].begin; b < r->ranges[i].end;) {
            uint64_t n = r->ranges[i].end - b;
            if (n > CHUNK_BLOCKS)
                n = CHUNK_BLOCKS;
            if (pread_blocks(img, b, n, buf, err) < 0) {
                ota_hash_abort(&h);
                free(buf);
                return -1;
            }
            ota_hash_update(&h, buf, (size_t)n * RT_BLOCK_SIZE);
            b += n;
        }
    }
    ota_hash_final(&h, out);
    free(buf);
    return 0;
}

int rt_block_image_sha1_hex(const rt_block_image *img, const bi_rangeset *r, char out[41],
                            ota_error *err)
{
    uint8_t sha1[20];
    if (rt_block_image_sha1(img, r, sha1, err) < 0)
        return -1;
    ota_hex_encode(sha1, sizeof sha1, out);
    return 0;
}
