/* A/B packages: every partition image of the build (system, boot, and
 * each IMAGES/NAME.img) as a block update that the device's ota_agent
 * applies to the inactive slot, reading the active one (incrementals), or
 * in place with a backup (single-copy partitions).  The block format is
 * the block OTA's (docs/blockimg.md): NAME.transfer.list, NAME.new.dat.br,
 * NAME.patch.dat, made by the block diff in its A/B mode (every block of
 * the image written, no stashes, `new` first).  What each partition is and
 * must become goes to the signed entry META-INF/com/android/ab_partitions
 * (otautil/ab_partitions.h); the metadata says ota-type=AB, which
 * recovery refuses by name, and the updater-script only aborts.  No
 * update-binary: nothing runs the script on an A/B device, and a streamed
 * install would have to download it for the whole-file signature. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/ab_partitions.h"
#include "otautil/safe_file.h"
#include "releasetools/blockdiff.h"
#include "releasetools/ota_build.h"

#define IMAGES_PREFIX "IMAGES/"
#define IMG_SUFFIX ".img"
#define ABORT_MESSAGE "A/B package: install it with ota_agent"

int rt_ota_wants_ab(const rt_build *target, const rt_ota_opts *opts)
{
    const char *v = ota_props_get(&target->tf.misc_info, "ab_update");
    return opts->ab || (v && strcmp(v, "true") == 0);
}

typedef struct ab_part {
    char name[OTA_AB_NAME_MAX];
    int slotted;
    rt_side tgt, src;     /* src.open only for a slotted partition of an incremental */
    uint64_t size;        /* the image's own size (before padding to whole blocks) */
    uint8_t sha256[OTA_SHA256_LEN];
    int skip;             /* single-copy and the same in both builds */
} ab_part;

typedef struct ab_parts {
    ab_part v[OTA_AB_MAX_PARTITIONS];
    size_t count;
} ab_parts;

/* ---- which partitions ------------------------------------------------------ */

static int has_part(const ab_parts *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (!strcmp(p->v[i].name, name))
            return 1;
    return 0;
}

static int add_name(ab_parts *p, const char *name, size_t len, const rt_build *b, ota_error *err)
{
    char n[OTA_AB_NAME_MAX];
    if (len >= sizeof n)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: partition name %.*s is too long",
                             b->tf.path, (int)len, name);
    memcpy(n, name, len);
    n[len] = '\0';
    if (!ota_ab_partition_name_ok(n))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s: partition names are made of a-z, 0-9, "
                             "_ and -", b->tf.path, n);
    if (has_part(p, n))
        return 0;
    if (p->count == OTA_AB_MAX_PARTITIONS)
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: more than %d partitions", b->tf.path,
                             OTA_AB_MAX_PARTITIONS);
    snprintf(p->v[p->count++].name, OTA_AB_NAME_MAX, "%s", n);
    return 0;
}

static int cmp_part(const void *a, const void *b)
{
    return strcmp(((const ab_part *)a)->name, ((const ab_part *)b)->name);
}

/* The names of the separated list s (spaces or commas). */
static int each_name(const char *s, int (*fn)(void *, const char *, size_t), void *ctx)
{
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        size_t n = strcspn(s, " ,");
        if (n && fn(ctx, s, n) < 0)
            return -1;
        s += n;
    }
    return 0;
}

typedef struct slotted_ctx {
    ab_parts *p;
    const rt_build *b;
    ota_error *err;
} slotted_ctx;

static int mark_slotted(void *ctx, const char *name, size_t len)
{
    slotted_ctx *c = ctx;
    for (size_t i = 0; i < c->p->count; i++)
        if (strlen(c->p->v[i].name) == len && !strncmp(c->p->v[i].name, name, len)) {
            c->p->v[i].slotted = 1;
            return 0;
        }
    return ota_error_set(c->err, OTA_ERR_NOTFOUND,
                         "%s: META/misc_info.txt: ab_partitions names %.*s, which the build has "
                         "no image of", c->b->tf.path, (int)len, name);
}

static int add_recovery(void *ctx, const char *name, size_t len)
{
    slotted_ctx *c = ctx;
    if (len == 8 && !strncmp(name, "recovery", 8) && c->b->recovery.present)
        return add_name(c->p, name, len, c->b, c->err);
    return 0;
}

/* system, boot when the build has one, each IMAGES/NAME.img (recovery
 * only when ab_partitions names it: A/B devices boot recovery from boot);
 * slotted are those ab_partitions names, every one when it is absent. */
static int list_partitions(const rt_build *b, ab_parts *p, ota_error *err)
{
    memset(p, 0, sizeof *p);
    if (add_name(p, "system", 6, b, err) < 0 || (b->boot.present && add_name(p, "boot", 4, b, err) < 0))
        return -1;
    for (size_t i = 0; i < ota_zip_count(b->tf.zip); i++) {
        const char *n = ota_zip_entry_at(b->tf.zip, i)->name;
        size_t len = strlen(n), pre = strlen(IMAGES_PREFIX), suf = strlen(IMG_SUFFIX);
        if (len <= pre + suf || strncmp(n, IMAGES_PREFIX, pre) != 0 ||
            strcmp(n + len - suf, IMG_SUFFIX) != 0 || strchr(n + pre, '/'))
            continue;
        const char *name = n + pre;
        size_t nlen = len - pre - suf;
        if (nlen == 8 && !strncmp(name, "recovery", 8))
            continue;
        if (add_name(p, name, nlen, b, err) < 0)
            return -1;
    }
    const char *slotted = ota_props_get(&b->tf.misc_info, "ab_partitions");
    slotted_ctx c = {p, b, err};
    if (each_name(slotted, add_recovery, &c) < 0)
        return -1;
    if (!slotted || !*slotted)
        for (size_t i = 0; i < p->count; i++)
            p->v[i].slotted = 1;
    else if (each_name(slotted, mark_slotted, &c) < 0)
        return -1;
    qsort(p->v, p->count, sizeof p->v[0], cmp_part);
    return 0;
}

/* ---- the images ----------------------------------------------------------- */

/* Pads the file at path with zeros to whole blocks, keeping its size and
 * SHA-256 before padding. */
static int pad_image(const char *path, uint64_t *size, uint8_t sha256[OTA_SHA256_LEN],
                     ota_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return ota_error_errno(err, "cannot stat %s", path);
    if (st.st_size == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: an empty image", path);
    *size = (uint64_t)st.st_size;
    if (ota_hash_file(path, OTA_HASH_SHA256, sha256, err) < 0)
        return -1;
    uint64_t padded = (*size + RT_BLOCK_SIZE - 1) / RT_BLOCK_SIZE * RT_BLOCK_SIZE;
    if (padded != *size && truncate(path, (off_t)padded) < 0)
        return ota_error_errno(err, "cannot pad %s to whole blocks", path);
    return 0;
}

/* A raw (not ext4) image as the block diff sees it: one domain holding
 * every block, so that an incremental diffs the image as a whole (in
 * pieces) rather than in groups of blocks. */
static int open_raw(rt_side *sd, const char *name, ota_error *err)
{
    struct stat st;
    if (stat(sd->image, &st) < 0)
        return ota_error_errno(err, "cannot stat %s", sd->image);
    rt_block_map map = {0};
    int rc = -1;
    map.files = calloc(1, sizeof *map.files);
    if (map.files && asprintf(&map.files[0].path, "/%s", name) >= 0) {
        map.count = map.cap = 1;
        rc = bi_rangeset_append(&map.files[0].blocks, 0, (uint64_t)st.st_size / RT_BLOCK_SIZE,
                                err);
    } else {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && (rc = rt_block_image_open(&sd->img, sd->image, &map, NULL, err)) == 0)
        sd->open = 1;
    rt_blockmap_free(&map);
    return rc;
}

/* The build's image of partition name into sd (role names the file);
 * *present = 0 when the build has none. */
static int open_image(rt_build *b, const char *work, const char *name, const char *role,
                      rt_side *sd, uint64_t *size, uint8_t sha256[OTA_SHA256_LEN], int *present,
                      ota_error *err)
{
    *present = 1;
    if (!strcmp(name, "system")) {
        char side_name[64];
        snprintf(side_name, sizeof side_name, "system-%s", role);
        if (rt_side_open_system(b, work, side_name, 1, sd, err) < 0)
            return -1;
        *size = sd->img.total_blocks * RT_BLOCK_SIZE;
        return ota_hash_file(sd->image, OTA_HASH_SHA256, sha256, err);
    }
    if (asprintf(&sd->image, "%s/%s-%s.img", work, name, role) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    char entry[OTA_AB_NAME_MAX + 16];
    snprintf(entry, sizeof entry, IMAGES_PREFIX "%s" IMG_SUFFIX, name);
    const ota_zip_entry *e = ota_zip_find(b->tf.zip, entry);
    int rc;
    if (e)
        rc = rt_extract_entry(b, e, sd->image, err);
    else if (!strcmp(name, "boot") && b->boot.present)
        rc = ota_replace_file(sd->image, b->boot.data.data, b->boot.data.len, 0600, err);
    else if (!strcmp(name, "recovery") && b->recovery.present)
        rc = ota_replace_file(sd->image, b->recovery.data.data, b->recovery.data.len, 0600, err);
    else {
        *present = 0;
        return 0;
    }
    if (rc < 0 || pad_image(sd->image, size, sha256, err) < 0)
        return -1;
    return open_raw(sd, name, err);
}

/* ---- the package ------------------------------------------------------------ */

static int add_outputs(rt_pkg *pkg, const char *prefix, const char *name, ota_error *err)
{
    static const struct {
        const char *suffix;
        int method;
    } outs[] = {
        /* the list is text; the data is brotli already, the patches are
           compressed patches */
        {OTA_AB_LIST_SUFFIX, OTA_ZIP_DEFLATE},
        {OTA_AB_NEW_BR_SUFFIX, OTA_ZIP_STORE},
        {OTA_AB_PATCH_SUFFIX, OTA_ZIP_STORE},
    };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char *path = NULL, *entry = NULL;
        int rc = asprintf(&path, "%s%s", prefix, outs[i].suffix) < 0 ||
                         asprintf(&entry, "%s%s", name, outs[i].suffix) < 0
                     ? ota_error_set(err, OTA_ERR_NOMEM, "out of memory")
                     : rt_pkg_add_file_as(pkg, entry, path, 0644, outs[i].method, err);
        free(path);
        free(entry);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The block diff of one partition into the package, and its record. */
static int diff_partition(ab_part *p, const char *work, const rt_blockdiff_opts *bo,
                          rt_pkg *pkg, ota_ab_partition *rec, ota_error *err)
{
    char *prefix = NULL;
    if (asprintf(&prefix, "%s/out-%s", work, p->name) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    rt_blockdiff_result r = {0};
    int rc = rt_blockdiff(&p->tgt.img, p->src.open ? &p->src.img : NULL, prefix, bo, &r, err);
    if (rc == 0)
        rc = add_outputs(pkg, prefix, p->name, err);
    snprintf(rec->name, sizeof rec->name, "%s", p->name);
    rec->slotted = p->slotted;
    rec->size = p->size;
    memcpy(rec->sha256, p->sha256, OTA_SHA256_LEN);
    if (rc == 0 && p->src.open && r.touched_src.blocks) {
        rec->source_ranges = bi_rangeset_to_string(&r.touched_src);
        rc = rec->source_ranges ? rt_block_image_hash(&p->src.img, &r.touched_src,
                                                      OTA_HASH_SHA256, rec->source_sha256, err)
                                : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    if (rc < 0)
        ota_error_prefix(err, "partition %s", p->name);
    rt_blockdiff_result_free(&r);
    free(prefix);
    return rc;
}

static int add_script(rt_pkg *pkg, ota_error *err)
{
    rt_script s = {0};
    rt_script_print(&s, "This is a package for A/B devices: the running system installs it "
                        "with ota_agent.");
    static const char line[] = "abort(\"" ABORT_MESSAGE "\");\n";
    rt_script_append(&s, line, strlen(line));
    int rc = rt_add_script(pkg, &s, err);
    rt_script_free(&s);
    return rc;
}

static int add_record(rt_pkg *pkg, const ota_ab_partitions *recs, ota_error *err)
{
    ota_buf text = {0};
    int rc = ota_ab_partitions_format(recs, &text, err);
    if (rc == 0)
        rc = rt_pkg_add_buf(pkg, OTA_AB_PARTITIONS_ENTRY, &text, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&text);
    return rc;
}

/* Opens every partition's images; a single-copy partition the same in
 * both builds is left out of an incremental. */
static int open_images(ab_parts *parts, rt_build *tgt, rt_build *src, const char *work,
                       ota_error *err)
{
    for (size_t i = 0; i < parts->count; i++) {
        ab_part *p = &parts->v[i];
        int present;
        if (open_image(tgt, work, p->name, "target", &p->tgt, &p->size, p->sha256, &present,
                       err) < 0)
            return -1;
        if (!src)
            continue;
        uint64_t src_size;
        uint8_t src_sha[OTA_SHA256_LEN];
        if (open_image(src, work, p->name, "source", &p->src, &src_size, src_sha, &present,
                       err) < 0)
            return -1;
        if (!p->slotted) {
            /* single-copy partitions are written whole, never patched */
            p->skip = present && src_size == p->size && !memcmp(src_sha, p->sha256, sizeof src_sha);
            rt_side_close(&p->src);
        }
    }
    return 0;
}

int rt_ota_ab(rt_build *tgt, rt_build *src, const char *output, const rt_ota_opts *opts,
              ota_error *err)
{
    if (src && strcmp(tgt->device, src->device) != 0)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "source %s is for device \"%s\" but target %s is for \"%s\"",
                             src->tf.path, src->device, tgt->tf.path, tgt->device);
    rt_blockdiff_opts bo = {.version = 4,
                            .cache_size = opts->cache_size,
                            .threads = opts->threads,
                            .patch_formats = opts->patch_formats,
                            .brotli = 1,
                            .ab = 1,
                            .progress = opts->progress};
    if (!bo.cache_size && rt_tf_misc_bytes(&tgt->tf, "cache_size", &bo.cache_size, err) < 0)
        return -1;
    ab_parts *parts = calloc(1, sizeof *parts);
    if (!parts)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    const char *tmp = getenv("TMPDIR");
    char *work = NULL;
    if (asprintf(&work, "%s/ota-ab.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 || !mkdtemp(work)) {
        int rc = work ? ota_error_errno(err, "cannot create %s", work)
                      : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        free(work);
        free(parts);
        return rc;
    }
    ota_ab_partitions recs = {0};
    rt_pkg pkg = {0};
    int rc = list_partitions(tgt, parts, err);
    if (rc == 0 && !(recs.v = calloc(parts->count, sizeof *recs.v)))
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = open_images(parts, tgt, src, work, err);
    for (size_t i = 0; rc == 0 && i < parts->count; i++) {
        ab_part *p = &parts->v[i];
        rt_progress_report(&opts->progress, "partitions", i, parts->count);
        if (!p->skip && (rc = diff_partition(p, work, &bo, &pkg, &recs.v[recs.count], err)) == 0)
            recs.count++;
    }
    if (rc == 0 && recs.count == 0)
        rc = ota_error_set(err, OTA_ERR_ARGS, "%s: no partition to update", tgt->tf.path);
    if (rc == 0)
        rc = add_record(&pkg, &recs, err) < 0 || add_script(&pkg, err) < 0 ||
                     rt_add_metadata(&pkg, tgt, src, 1, err) < 0
                 ? -1
                 : 0;
    if (rc == 0) {
        rt_progress_report(&opts->progress, "writing", 0, 1);
        rc = rt_pkg_write(&pkg, output, err);
        rt_progress_report(&opts->progress, "writing", 1, 1);
    }
    rt_pkg_free(&pkg);
    ota_ab_partitions_free(&recs);
    for (size_t i = 0; i < parts->count; i++) {
        rt_side_close(&parts->v[i].tgt);
        rt_side_close(&parts->v[i].src);
        static const char *const suffixes[] = {OTA_AB_LIST_SUFFIX, OTA_AB_NEW_BR_SUFFIX,
                                               OTA_AB_PATCH_SUFFIX};
        for (size_t k = 0; k < 3; k++) {
            char *path = NULL;
            if (asprintf(&path, "%s/out-%s%s", work, parts->v[i].name, suffixes[k]) >= 0)
                unlink(path);
            free(path);
        }
    }
    rmdir(work);
    free(work);
    free(parts);
    return rc;
}
