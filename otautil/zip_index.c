/* Finds the end records and reads the central directory once into arrays
 * (entries, a name arena, the entries sorted by name for lookup).  Every
 * size and offset read from the file is checked against the file before it
 * is used or allocated for; anything ambiguous (two end records that both
 * fit, a central directory that does not end where the end record starts,
 * duplicate names) is refused, because the verifier and the updater must
 * see the same entries that any other zip reader would.  The archive may
 * be anyone's (it is indexed before its signature is checked), so the work
 * is bounded by fixed caps and never worse than sorting the names: no hash
 * table whose collisions a crafted archive could choose. */
#include "otautil/zip_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Far beyond any package or target-files archive. */
#define MAX_ENTRIES (1u << 20)
#define MAX_CD_SIZE (256ull << 20)

struct end_info {
    uint64_t eocd_pos;   /* where the end-of-central-directory record starts */
    uint64_t cd_end;     /* where the central directory must end */
    uint64_t count, cd_size, cd_offset;
    size_t comment_len;
};

static int format_error(ota_error *err, const char *path, const char *what)
{
    return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s", path, what);
}

/* A candidate record at `at` fits when its comment runs exactly to the end
 * of the file. */
static int eocd_fits(const unsigned char *tail, size_t tail_len, size_t at)
{
    return at + ZIP_EOCD_LEN + zip_le16(tail + at + 20) == tail_len;
}

static int find_end(const ota_zip *zip, struct end_info *end, unsigned char **comment_out, ota_error *err)
{
    uint64_t file_size = zip->size;
    const char *path = zip->path;
    if (file_size < ZIP_EOCD_LEN)
        return format_error(err, path, "not a zip archive (too short for an end-of-central-directory record)");
    size_t tail_len = file_size < ZIP_EOCD_LEN + ZIP_MAX_COMMENT ? (size_t)file_size
                                                                 : ZIP_EOCD_LEN + ZIP_MAX_COMMENT;
    uint64_t tail_off = file_size - tail_len;
    unsigned char *tail = malloc(tail_len);
    if (!tail)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", path);
    if (zip_read_at(zip, tail, tail_len, tail_off) < 0) {
        free(tail);
        return ota_error_errno(err, "%s: cannot read the end of the archive", path);
    }
    /* The last signature in the file is the record every reader (minizip,
     * Info-ZIP) picks; it must account for exactly the rest of the file. */
    size_t at = tail_len - ZIP_EOCD_LEN + 1;
    int found = 0;
    while (at-- > 0) {
        if (zip_le32(tail + at) == ZIP_EOCD_SIG) {
            found = 1;
            break;
        }
    }
    if (!found) {
        free(tail);
        return format_error(err, path, "not a zip archive (no end-of-central-directory record)");
    }
    if (!eocd_fits(tail, tail_len, at)) {
        ota_error_set(err, OTA_ERR_FORMAT,
                      "%s: end-of-central-directory record claims a %u-byte comment but %zu bytes follow it",
                      path, zip_le16(tail + at + 20), tail_len - at - ZIP_EOCD_LEN);
        free(tail);
        return -1;
    }
    /* An earlier record that also fits would be a second reading of the
     * same file: its comment hides the one we found. */
    for (size_t q = at; q-- > 0;) {
        if (zip_le32(tail + q) == ZIP_EOCD_SIG && eocd_fits(tail, tail_len, q)) {
            free(tail);
            return format_error(err, path,
                                "two end-of-central-directory records (one hidden in the archive comment)");
        }
    }
    const unsigned char *e = tail + at;
    end->eocd_pos = tail_off + at;
    end->comment_len = zip_le16(e + 20);
    uint16_t disk = zip_le16(e + 4), cd_disk = zip_le16(e + 6);
    uint16_t disk_entries = zip_le16(e + 8), entries = zip_le16(e + 10);
    end->count = entries;
    end->cd_size = zip_le32(e + 12);
    end->cd_offset = zip_le32(e + 16);
    end->cd_end = end->eocd_pos;

    unsigned char *comment = malloc(end->comment_len + 1);
    if (!comment) {
        free(tail);
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(comment, e + ZIP_EOCD_LEN, end->comment_len);
    comment[end->comment_len] = 0;
    free(tail);

    /* Zip64: a locator right before the end record points at the zip64 end
     * record, whose 64-bit fields replace the 16- and 32-bit ones. */
    unsigned char loc[ZIP64_LOCATOR_LEN];
    int zip64 = 0;
    if (end->eocd_pos >= ZIP64_LOCATOR_LEN) {
        uint64_t loc_pos = end->eocd_pos - ZIP64_LOCATOR_LEN;
        if (zip_read_at(zip, loc, sizeof loc, loc_pos) < 0) {
            free(comment);
            return ota_error_errno(err, "%s: cannot read the zip64 locator", path);
        }
        if (zip_le32(loc) == ZIP64_LOCATOR_SIG) {
            zip64 = 1;
            uint64_t rec_pos = zip_le64(loc + 8);
            unsigned char rec[ZIP64_EOCD_LEN];
            if (zip_le32(loc + 4) != 0 || zip_le32(loc + 16) > 1) {
                free(comment);
                return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: multi-disk zip64 archives are not supported", path);
            }
            if (rec_pos > loc_pos || loc_pos - rec_pos < ZIP64_EOCD_LEN) {
                free(comment);
                return format_error(err, path, "zip64 end record offset lies outside the file");
            }
            if (zip_read_at(zip, rec, sizeof rec, rec_pos) < 0) {
                free(comment);
                return ota_error_errno(err, "%s: cannot read the zip64 end record", path);
            }
            uint64_t rec_size = zip_le64(rec + 4);
            if (zip_le32(rec) != ZIP64_EOCD_SIG || rec_size < ZIP64_EOCD_LEN - 12 ||
                rec_size > loc_pos - rec_pos - 12) {
                free(comment);
                return format_error(err, path, "bad zip64 end-of-central-directory record");
            }
            if (zip_le32(rec + 16) != 0 || zip_le32(rec + 20) != 0) {
                free(comment);
                return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: multi-disk zip64 archives are not supported", path);
            }
            if (zip_le64(rec + 24) != zip_le64(rec + 32)) {
                free(comment);
                return format_error(err, path, "zip64 end record: entry counts disagree");
            }
            end->count = zip_le64(rec + 32);
            end->cd_size = zip_le64(rec + 40);
            end->cd_offset = zip_le64(rec + 48);
            end->cd_end = rec_pos;
        }
    }
    if (!zip64 && (disk != 0 || cd_disk != 0 || disk_entries != entries)) {
        free(comment);
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: multi-disk archives are not supported", path);
    }
    /* minizip reads every offset relative to where the central directory
     * actually ends; data in between would shift them all. */
    if (end->cd_offset > end->cd_end || end->cd_size != end->cd_end - end->cd_offset) {
        ota_error_set(err, OTA_ERR_FORMAT,
                      "%s: central directory (offset %llu, %llu bytes) does not end where the end record starts (%llu)",
                      path, (unsigned long long)end->cd_offset, (unsigned long long)end->cd_size,
                      (unsigned long long)end->cd_end);
        free(comment);
        return -1;
    }
    if (end->count > end->cd_size / ZIP_CENTRAL_LEN) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: %llu entries cannot fit in a %llu-byte central directory",
                      path, (unsigned long long)end->count, (unsigned long long)end->cd_size);
        free(comment);
        return -1;
    }
    *comment_out = comment;
    return 0;
}

uint64_t zip_name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int cmp_names(const void *a, const void *b, void *ctx)
{
    const struct zip_index *idx = ctx;
    return strcmp(idx->recs[*(const size_t *)a].pub.name, idx->recs[*(const size_t *)b].pub.name);
}

/* Sorts the entries by name; a name seen twice is refused. */
static int sort_names(struct zip_index *idx, const char *path, ota_error *err)
{
    for (size_t i = 0; i < idx->count; i++)
        idx->sorted[i] = i;
    qsort_r(idx->sorted, idx->count, sizeof *idx->sorted, cmp_names, idx);
    for (size_t i = 1; i < idx->count; i++) {
        size_t x = idx->sorted[i - 1], y = idx->sorted[i];
        if (strcmp(idx->recs[x].pub.name, idx->recs[y].pub.name) == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: duplicate entry name %s (entries %zu and %zu)",
                                 path, idx->recs[x].pub.name, x < y ? x : y, x < y ? y : x);
    }
    return 0;
}

const struct zip_rec *zip_index_find(const struct zip_index *idx, const char *name)
{
    if (!idx->sorted || !name)
        return NULL;
    size_t lo = 0, hi = idx->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct zip_rec *r = &idx->recs[idx->sorted[mid]];
        int c = strcmp(name, r->pub.name);
        if (c == 0)
            return r;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Applies the zip64 extended-information extra field: 64-bit values for
 * the fields that hold 0xFFFFFFFF, in the order APPNOTE gives. */
static int apply_zip64_extra(const unsigned char *x, size_t len, struct zip_rec *r,
                             uint32_t usize32, uint32_t csize32, uint32_t off32)
{
    while (len >= 4) {
        uint16_t id = zip_le16(x), n = zip_le16(x + 2);
        if ((size_t)n > len - 4)
            return -1;
        if (id == ZIP_EXTRA_ZIP64) {
            const unsigned char *v = x + 4;
            size_t left = n;
            if (usize32 == 0xffffffffu) {
                if (left < 8)
                    return -1;
                r->pub.size = zip_le64(v);
                v += 8, left -= 8;
            }
            if (csize32 == 0xffffffffu) {
                if (left < 8)
                    return -1;
                r->pub.compressed_size = zip_le64(v);
                v += 8, left -= 8;
            }
            if (off32 == 0xffffffffu) {
                if (left < 8)
                    return -1;
                r->pub.local_header_offset = zip_le64(v);
            }
            return 0;
        }
        x += 4 + n;
        len -= 4 + (size_t)n;
    }
    return 0; /* trailing bytes shorter than a header are padding */
}

static uint32_t mode_of(uint16_t made_by, uint32_t external_fa)
{
    unsigned host = made_by >> 8;
    return host == ZIP_HOST_UNIX || host == ZIP_HOST_OSX ? external_fa >> 16 : 0;
}

static int parse_entries(struct zip_index *idx, const unsigned char *cd, const struct end_info *end,
                         const char *path, ota_error *err)
{
    size_t pos = 0, cd_len = (size_t)end->cd_size;
    char *arena = idx->names;
    for (size_t i = 0; i < idx->count; i++) {
        if (cd_len - pos < ZIP_CENTRAL_LEN || zip_le32(cd + pos) != ZIP_CENTRAL_SIG)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: central directory entry %zu is corrupt", path, i);
        const unsigned char *h = cd + pos;
        size_t name_len = zip_le16(h + 28), extra_len = zip_le16(h + 30), comment_len = zip_le16(h + 32);
        size_t total = ZIP_CENTRAL_LEN + name_len + extra_len + comment_len;
        if (cd_len - pos < total)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: central directory entry %zu runs past the directory", path, i);
        if (name_len == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: central directory entry %zu has an empty name", path, i);
        if (memchr(h + ZIP_CENTRAL_LEN, 0, name_len))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: name of entry %zu contains a NUL byte", path, i);
        struct zip_rec *r = &idx->recs[i];
        memcpy(arena, h + ZIP_CENTRAL_LEN, name_len);
        arena[name_len] = 0;
        r->pub.name = arena;
        arena += name_len + 1;
        r->pub.index = i;
        r->cd_offset = end->cd_offset + pos;
        r->version_made_by = zip_le16(h + 4);
        r->flags = zip_le16(h + 8);
        r->pub.method = zip_le16(h + 10);
        r->pub.crc32 = zip_le32(h + 16);
        uint32_t csize32 = zip_le32(h + 20), usize32 = zip_le32(h + 24), off32 = zip_le32(h + 42);
        r->pub.compressed_size = csize32;
        r->pub.size = usize32;
        r->pub.local_header_offset = off32;
        r->internal_fa = zip_le16(h + 36);
        r->external_fa = zip_le32(h + 38);
        if (apply_zip64_extra(h + ZIP_CENTRAL_LEN + name_len, extra_len, r, usize32, csize32, off32) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: entry %s: malformed extra field", path, r->pub.name);
        r->pub.unix_mode = mode_of(r->version_made_by, r->external_fa);
        size_t nl = name_len;
        r->pub.is_dir = r->pub.name[nl - 1] == '/' || S_ISDIR(r->pub.unix_mode) ||
                        ((r->version_made_by >> 8) == ZIP_HOST_MSDOS && (r->external_fa & 0x10));
        r->pub.is_symlink = !r->pub.is_dir && S_ISLNK(r->pub.unix_mode);

        /* The local header and the data must lie before the directory. */
        uint64_t off = r->pub.local_header_offset;
        if (off > end->cd_offset || end->cd_offset - off < ZIP_LOCAL_LEN + name_len ||
            end->cd_offset - off - ZIP_LOCAL_LEN - name_len < r->pub.compressed_size)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s: entry %s: data (offset %llu, %llu bytes) lies outside the file",
                                 path, r->pub.name, (unsigned long long)off,
                                 (unsigned long long)r->pub.compressed_size);
        if (r->pub.method == OTA_ZIP_STORE && r->pub.size != r->pub.compressed_size)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s: stored entry %s: sizes differ (%llu and %llu bytes)", path,
                                 r->pub.name, (unsigned long long)r->pub.size,
                                 (unsigned long long)r->pub.compressed_size);
        pos += total;
    }
    if (pos != cd_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s: central directory holds %zu bytes after its %zu entries", path,
                             cd_len - pos, idx->count);
    return sort_names(idx, path, err);
}

int zip_index_build(struct zip_index *idx, const ota_zip *zip, ota_error *err)
{
    const char *path = zip->path;
    memset(idx, 0, sizeof *idx);
    struct end_info end = { 0 };
    unsigned char *comment = NULL;
    if (find_end(zip, &end, &comment, err) < 0)
        return -1;
    idx->comment = comment;
    idx->comment_len = end.comment_len;
    idx->cd_offset = end.cd_offset;
    idx->cd_size = end.cd_size;
    /* cd_size is at most the file size, and count at most cd_size / 46;
     * the caps bound what an archive can make us allocate. */
    if (end.cd_size > MAX_CD_SIZE || end.count > MAX_ENTRIES) {
        zip_index_free(idx);
        return ota_error_set(err, OTA_ERR_LIMIT,
                             "%s: central directory of %llu entries and %llu bytes (at most %u and "
                             "%llu MiB)", path, (unsigned long long)end.count,
                             (unsigned long long)end.cd_size, MAX_ENTRIES, MAX_CD_SIZE >> 20);
    }
    idx->count = (size_t)end.count;
    unsigned char *cd = malloc(end.cd_size ? (size_t)end.cd_size : 1);
    idx->recs = calloc(idx->count ? idx->count : 1, sizeof *idx->recs);
    idx->names = malloc((size_t)end.cd_size + 1); /* names + NULs fit: 46 bytes of header each */
    idx->sorted = calloc(idx->count ? idx->count : 1, sizeof *idx->sorted);
    if (!cd || !idx->recs || !idx->names || !idx->sorted) {
        free(cd);
        zip_index_free(idx);
        return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory for a %llu-byte central directory",
                             path, (unsigned long long)end.cd_size);
    }
    if (zip_read_at(zip, cd, (size_t)end.cd_size, end.cd_offset) < 0) {
        free(cd);
        zip_index_free(idx);
        return ota_error_errno(err, "%s: cannot read the central directory", path);
    }
    /* What the index is built from, so a verifier can tell it is the
     * directory that was signed. */
    ota_sha256(cd, (size_t)end.cd_size, idx->cd_sha256);
    int rc = parse_entries(idx, cd, &end, path, err);
    free(cd);
    if (rc < 0)
        zip_index_free(idx);
    return rc;
}

void zip_index_free(struct zip_index *idx)
{
    free(idx->recs);
    free(idx->names);
    free(idx->sorted);
    free(idx->comment);
    memset(idx, 0, sizeof *idx);
}
