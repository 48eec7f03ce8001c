#include "releasetools/blockmap.h"

#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/octal_escape.h"

void rt_blockmap_free(rt_block_map *map)
{
    for (size_t i = 0; i < map->count; i++) {
        free(map->files[i].path);
        bi_rangeset_free(&map->files[i].blocks);
    }
    free(map->files);
    memset(map, 0, sizeof *map);
}

static rt_block_file *add_file(rt_block_map *map, const char *path, size_t path_len,
                               ota_error *err)
{
    if (map->count == map->cap) {
        size_t ncap = map->cap ? map->cap * 2 : 64;
        rt_block_file *f = realloc(map->files, ncap * sizeof *f);
        if (!f)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
        map->files = f;
        map->cap = ncap;
    }
    rt_block_file *f = &map->files[map->count];
    memset(f, 0, sizeof *f);
    if (!(f->path = strndup(path, path_len)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
    map->count++;
    return f;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const rt_block_file *)a)->path, ((const rt_block_file *)b)->path);
}

/* ---- from an image ------------------------------------------------------ */

typedef struct walk {
    ext2_filsys fs;
    rt_block_map *map;
    const char *dir_path;
    /* subdirectories found while iterating one directory: walked after it */
    struct child {
        ext2_ino_t ino;
        char *path;
    } *dirs;
    size_t ndirs, cap;
    ota_error *err;
    int failed;
    rt_block_file *file;   /* the file whose blocks are being collected */
} walk;

static int add_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk,
                     int ref_offset, void *priv)
{
    (void)fs;
    (void)ref_blk;
    (void)ref_offset;
    walk *w = priv;
    if (blockcnt < 0) /* metadata: not the file's data */
        return 0;
    if (bi_rangeset_append(&w->file->blocks, *blocknr, *blocknr + 1, w->err) < 0) {
        w->failed = 1;
        return BLOCK_ABORT;
    }
    return 0;
}

static int fs_error(ota_error *err, errcode_t rc, const char *what, const char *path)
{
    return ota_error_set(err, OTA_ERR_IO, "%s %s: %s", what, path, error_message(rc));
}

static int file_blocks(walk *w, ext2_ino_t ino, const struct ext2_inode *inode, const char *path,
                       size_t path_len)
{
    if (inode->i_flags & EXT4_INLINE_DATA_FL)
        return 0; /* data in the inode: no blocks of its own */
    rt_block_file *f = add_file(w->map, path, path_len, w->err);
    if (!f)
        return -1;
    w->file = f;
    errcode_t rc = ext2fs_block_iterate3(w->fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY,
                                         NULL, add_block, w);
    if (w->failed)
        return -1;
    if (rc)
        return fs_error(w->err, rc, "cannot list the blocks of", f->path);
    if (f->blocks.count == 0) { /* an empty file: not listed */
        free(f->path);
        w->map->count--;
    }
    return 0;
}

static int visit(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset,
                 int blocksize, char *buf, void *priv)
{
    (void)dir;
    (void)entry;
    (void)offset;
    (void)blocksize;
    (void)buf;
    walk *w = priv;
    int len = ext2fs_dirent_name_len(dirent);
    const char *name = dirent->name;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    char *path = NULL;
    int n = asprintf(&path, "%s/%.*s", w->dir_path, len, name);
    if (n < 0) {
        ota_error_set(w->err, OTA_ERR_NOMEM, "out of memory");
        w->failed = 1;
        return DIRENT_ABORT;
    }
    struct ext2_inode inode;
    errcode_t rc = ext2fs_read_inode(w->fs, dirent->inode, &inode);
    int ok = 1;
    if (rc) {
        fs_error(w->err, rc, "cannot read the inode of", path);
        ok = 0;
    } else if (LINUX_S_ISDIR(inode.i_mode)) {
        if (w->ndirs == w->cap) {
            size_t ncap = w->cap ? w->cap * 2 : 16;
            struct child *c = realloc(w->dirs, ncap * sizeof *c);
            if (!c) {
                ota_error_set(w->err, OTA_ERR_NOMEM, "out of memory");
                ok = 0;
            } else {
                w->dirs = c;
                w->cap = ncap;
            }
        }
        if (ok) {
            w->dirs[w->ndirs++] = (struct child){dirent->inode, path};
            path = NULL;
        }
    } else if (LINUX_S_ISREG(inode.i_mode)) {
        ok = file_blocks(w, dirent->inode, &inode, path, (size_t)n) == 0;
    }
    free(path);
    if (!ok) {
        w->failed = 1;
        return DIRENT_ABORT;
    }
    return 0;
}

static int walk_dir(walk *w, ext2_ino_t ino, const char *path)
{
    size_t first = w->ndirs;
    w->dir_path = path;
    errcode_t rc = ext2fs_dir_iterate2(w->fs, ino, 0, NULL, visit, w);
    if (w->failed)
        return -1;
    if (rc)
        return fs_error(w->err, rc, "cannot read the directory", *path ? path : "/");
    size_t last = w->ndirs;
    for (size_t i = first; i < last; i++)
        if (walk_dir(w, w->dirs[i].ino, w->dirs[i].path) < 0)
            return -1;
    return 0;
}

static int open_fs(const char *image, ext2_filsys *fs, ota_error *err)
{
    errcode_t rc = ext2fs_open2(image, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, fs);
    if (rc)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: not an ext2/3/4 image: %s", image,
                             error_message(rc));
    return 0;
}

int rt_blockmap_from_ext4(const char *image, const char *mount_point, rt_block_map *map,
                          uint64_t *total_blocks, ota_error *err)
{
    memset(map, 0, sizeof *map);
    ext2_filsys fs;
    if (open_fs(image, &fs, err) < 0)
        return -1;
    if (fs->blocksize != RT_BLOCK_SIZE) {
        unsigned bs = fs->blocksize;
        ext2fs_close_free(&fs);
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s: blocks of %u bytes; block-based OTAs need %u-byte blocks", image,
                             bs, RT_BLOCK_SIZE);
    }
    if (total_blocks)
        *total_blocks = ext2fs_blocks_count(fs->super);
    /* "/" gives paths "/x"; "/system" gives "/system/x" */
    const char *root = strcmp(mount_point, "/") == 0 ? "" : mount_point;
    walk w = {.fs = fs, .map = map, .err = err};
    int res = walk_dir(&w, EXT2_ROOT_INO, root);
    for (size_t i = 0; i < w.ndirs; i++)
        free(w.dirs[i].path);
    free(w.dirs);
    ext2fs_close_free(&fs);
    if (res < 0) {
        ota_error_prefix(err, "%s", image);
        rt_blockmap_free(map);
        return -1;
    }
    if (map->count > 1)
        qsort(map->files, map->count, sizeof *map->files, cmp_file);
    return 0;
}

/* Blocks before the first data block (the boot block of 1 KiB-block
 * filesystems) count as in use. */
static int block_in_use(ext2_filsys fs, uint64_t b)
{
    return b < fs->super->s_first_data_block || ext2fs_test_block_bitmap2(fs->block_map, b) != 0;
}

int rt_ext4_used_blocks(const char *image, bi_rangeset *used, ota_error *err)
{
    memset(used, 0, sizeof *used);
    ext2_filsys fs;
    if (open_fs(image, &fs, err) < 0)
        return -1;
    errcode_t rc = ext2fs_read_block_bitmap(fs);
    if (rc) {
        ext2fs_close_free(&fs);
        return fs_error(err, rc, "cannot read the block bitmap of", image);
    }
    uint64_t total = ext2fs_blocks_count(fs->super);
    int res = 0;
    for (uint64_t b = 0; b < total && res == 0;) {
        int in_use = block_in_use(fs, b);
        uint64_t e = b + 1;
        while (e < total && block_in_use(fs, e) == in_use)
            e++;
        if (in_use)
            res = bi_rangeset_append(used, b, e, err);
        b = e;
    }
    ext2fs_close_free(&fs);
    if (res < 0)
        bi_rangeset_free(used);
    return res;
}

/* ---- text form ---------------------------------------------------------- */

int rt_blockmap_format(const rt_block_map *map, ota_buf *out, ota_error *err)
{
    for (size_t i = 0; i < map->count; i++) {
        const rt_block_file *f = &map->files[i];
        if (ota_octal_escape_append(out, f->path, err) < 0)
            return -1;
        for (size_t k = 0; k < f->blocks.count; k++) {
            char num[48];
            const bi_range *r = &f->blocks.ranges[k];
            int n = r->end - r->begin == 1
                        ? snprintf(num, sizeof num, " %llu", (unsigned long long)r->begin)
                        : snprintf(num, sizeof num, " %llu-%llu", (unsigned long long)r->begin,
                                   (unsigned long long)r->end - 1);
            if (ota_buf_append(out, num, (size_t)n, err) < 0)
                return -1;
        }
        if (ota_buf_append(out, "\n", 1, err) < 0)
            return -1;
    }
    return 0;
}

static int number(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (*p - s >= 19)
            return -1;
        v = v * 10 + (uint64_t)(**p - '0');
        (*p)++;
    }
    if (*p == s)
        return -1;
    *out = v;
    return 0;
}

static int parse_line(const char *line, const char *end, size_t lineno, uint64_t total_blocks,
                      rt_block_map *map, ota_error *err)
{
    const char *p = line;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    size_t path_len = (size_t)(p - line);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end)
        return 0; /* a file without blocks */
    rt_block_file *f = add_file(map, line, path_len, err);
    if (!f)
        return -1;
    ota_octal_unescape(f->path); /* names with spaces (otautil/octal_escape.h) */
    while (p < end) {
        uint64_t a, b;
        if (number(&p, end, &a) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "line %zu (%s): a block number expected",
                                 lineno, f->path);
        b = a;
        if (p < end && *p == '-') {
            p++;
            if (number(&p, end, &b) < 0)
                return ota_error_set(err, OTA_ERR_FORMAT,
                                     "line %zu (%s): a block number expected after '-'", lineno,
                                     f->path);
        }
        if (b < a)
            return ota_error_set(err, OTA_ERR_FORMAT, "line %zu (%s): reversed range %llu-%llu",
                                 lineno, f->path, (unsigned long long)a, (unsigned long long)b);
        if (total_blocks && b >= total_blocks)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "line %zu (%s): block %llu is past the end of the image "
                                 "(%llu blocks)",
                                 lineno, f->path, (unsigned long long)b,
                                 (unsigned long long)total_blocks);
        if (bi_rangeset_append(&f->blocks, a, b + 1, err) < 0)
            return -1;
        if (p < end && *p != ' ' && *p != '\t')
            return ota_error_set(err, OTA_ERR_FORMAT, "line %zu (%s): unexpected '%c'", lineno,
                                 f->path, *p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
    }
    return 0;
}

int rt_blockmap_parse(const char *text, size_t len, uint64_t total_blocks, rt_block_map *map,
                      ota_error *err)
{
    memset(map, 0, sizeof *map);
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        lineno++;
        const char *e = line_end;
        while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > p && parse_line(p, e, lineno, total_blocks, map, err) < 0) {
            rt_blockmap_free(map);
            return -1;
        }
        p = nl ? nl + 1 : end;
    }
    if (map->count > 1)
        qsort(map->files, map->count, sizeof *map->files, cmp_file);
    for (size_t i = 1; i < map->count; i++)
        if (strcmp(map->files[i - 1].path, map->files[i].path) == 0) {
            ota_error_set(err, OTA_ERR_FORMAT, "%s is listed twice", map->files[i].path);
            rt_blockmap_free(map);
            return -1;
        }
    return 0;
}
