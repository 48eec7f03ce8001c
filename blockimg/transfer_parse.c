/* Parsing transfer lists (blockimg/transfer.h): the header, then each
 * command's fields by the list's version.  Fields are single-space
 * separated as Android writes them; the line is kept intact for
 * last_command, and fields are read as (pointer, length) views of it. */
#include "blockimg/transfer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 19
#define V2_ID_MAX_DIGITS 10

static const char *const cmd_names[] = {
    [BI_CMD_ERASE] = "erase", [BI_CMD_ZERO] = "zero",     [BI_CMD_NEW] = "new",
    [BI_CMD_MOVE] = "move",   [BI_CMD_BSDIFF] = "bsdiff", [BI_CMD_IMGDIFF] = "imgdiff",
    [BI_CMD_STASH] = "stash", [BI_CMD_FREE] = "free",
};

const char *bi_cmd_name(bi_cmd_type type)
{
    return (unsigned)type < sizeof cmd_names / sizeof *cmd_names ? cmd_names[type] : "?";
}

/* One line being parsed: its fields, read left to right. */
typedef struct fields {
    const char *line;
    size_t len, pos;
    size_t lineno;
    const char *cmd; /* for messages */
    int version;
    ota_error *err;
} fields;

typedef struct field {
    const char *p;
    size_t len;
} field;

__attribute__((format(printf, 2, 3))) static int fail(fields *f, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (f->cmd)
        return ota_error_set(f->err, OTA_ERR_FORMAT, "transfer list line %zu (%s): %s", f->lineno,
                             f->cmd, reason);
    return ota_error_set(f->err, OTA_ERR_FORMAT, "transfer list line %zu: %s", f->lineno, reason);
}

static int more(const fields *f)
{
    return f->pos < f->len;
}

/* The next field; "what" names it when it is missing. */
static int next(fields *f, field *out, const char *what)
{
    if (!more(f))
        return fail(f, "missing %s", what);
    const char *start = f->line + f->pos;
    const char *sp = memchr(start, ' ', f->len - f->pos);
    size_t n = sp ? (size_t)(sp - start) : f->len - f->pos;
    if (n == 0)
        return fail(f, "empty field where %s should be (two spaces in a row?)", what);
    f->pos += n;
    if (sp) {
        f->pos++;
        if (f->pos == f->len)
            return fail(f, "space at the end of the line");
    }
    *out = (field){start, n};
    return 0;
}

static int no_more(fields *f)
{
    if (more(f))
        return fail(f, "unexpected field \"%.*s\" at the end", (int)(f->len - f->pos > 60 ? 60 : f->len - f->pos),
                    f->line + f->pos);
    return 0;
}

static int is_digits(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

static int to_u64(const char *p, size_t n, uint64_t *out)
{
    if (!is_digits(p, n) || n > MAX_DIGITS)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(p[i] - '0');
    *out = v;
    return 0;
}

static int number(fields *f, const char *what, uint64_t *out)
{
    field v;
    if (next(f, &v, what) < 0)
        return -1;
    if (to_u64(v.p, v.len, out) < 0)
        return fail(f, "%s \"%.*s\" is not a decimal number", what, (int)(v.len > 40 ? 40 : v.len), v.p);
    return 0;
}

static int ranges_of(fields *f, field v, const char *what, bi_rangeset *rs)
{
    ota_error e;
    if (bi_rangeset_parse(rs, v.p, v.len, 0, &e) < 0)
        return fail(f, "%s: %s", what, e.message);
    return 0;
}

static int ranges(fields *f, const char *what, bi_rangeset *rs)
{
    field v;
    if (next(f, &v, what) < 0)
        return -1;
    return ranges_of(f, v, what, rs);
}

static int sha1_of(fields *f, const char *what, uint8_t out[OTA_SHA1_LEN])
{
    field v;
    if (next(f, &v, what) < 0)
        return -1;
    const char *end;
    if (v.len != 2 * OTA_SHA1_LEN || ota_hex_decode(v.p, out, OTA_SHA1_LEN, &end) < 0)
        return fail(f, "%s \"%.*s\" is not a SHA-1 (40 hex digits)", what,
                    (int)(v.len > 48 ? 48 : v.len), v.p);
    return 0;
}

/* A stash ID: a decimal slot in v2, a SHA-1 in v3+ (stored lower case). */
static int stash_id_of(fields *f, const char *p, size_t n, char out[BI_STASH_ID_MAX + 1])
{
    if (f->version >= 3) {
        uint8_t bin[OTA_SHA1_LEN];
        const char *end;
        if (n != 2 * OTA_SHA1_LEN || ota_hex_decode(p, bin, sizeof bin, &end) < 0)
            return fail(f, "stash id \"%.*s\" is not a SHA-1 (40 hex digits), as version %d "
                        "lists name stashes", (int)(n > 48 ? 48 : n), p, f->version);
        ota_hex_encode(bin, sizeof bin, out);
        return 0;
    }
    if (!is_digits(p, n) || n > V2_ID_MAX_DIGITS)
        return fail(f, "stash id \"%.*s\" is not a slot number, as version 2 lists name stashes",
                    (int)(n > 48 ? 48 : n), p);
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

typedef struct span {
    uint64_t begin, end;
} span;

static int by_begin(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Every block of [0, src->blocks) filled from exactly one place. */
static int check_cover(fields *f, const bi_source *src)
{
    size_t n = (src->locs.count ? src->locs.count : (src->ranges.count ? 1 : 0));
    for (size_t i = 0; i < src->nstashes; i++)
        n += src->stashes[i].locs.count;
    span *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return ota_error_set(f->err, OTA_ERR_NOMEM, "out of memory");
    size_t k = 0;
    if (src->locs.count) {
        for (size_t i = 0; i < src->locs.count; i++)
            s[k++] = (span){src->locs.ranges[i].begin, src->locs.ranges[i].end};
    } else if (src->ranges.count) {
        s[k++] = (span){0, src->ranges.blocks};
    }
    for (size_t i = 0; i < src->nstashes; i++)
        for (size_t j = 0; j < src->stashes[i].locs.count; j++)
            s[k++] = (span){src->stashes[i].locs.ranges[j].begin, src->stashes[i].locs.ranges[j].end};
    qsort(s, k, sizeof *s, by_begin);
    uint64_t at = 0;
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        if (s[i].begin > at)
            rc = fail(f, "source blocks %llu-%llu of %llu are filled from nowhere",
                      (unsigned long long)at, (unsigned long long)(s[i].begin - 1),
                      (unsigned long long)src->blocks);
        else if (s[i].begin < at)
            rc = fail(f, "source block %llu is filled twice", (unsigned long long)s[i].begin);
        else
            at = s[i].end;
    }
    if (rc == 0 && at != src->blocks)
        rc = at < src->blocks
                 ? fail(f, "source blocks %llu-%llu of %llu are filled from nowhere",
                        (unsigned long long)at, (unsigned long long)(src->blocks - 1),
                        (unsigned long long)src->blocks)
                 : fail(f, "the source places blocks up to %llu, past its count %llu",
                        (unsigned long long)(at - 1), (unsigned long long)src->blocks);
    free(s);
    return rc;
}

/* SRCSPEC (v2+): COUNT then RANGES | - ID:LOCS... | RANGES LOCS ID:LOCS... */
static int source_spec(fields *f, bi_source *src)
{
    if (number(f, "source block count", &src->blocks) < 0)
        return -1;
    if (src->blocks == 0)
        return fail(f, "source block count is 0");
    field v;
    if (next(f, &v, "source ranges or \"-\"") < 0)
        return -1;
    if (!(v.len == 1 && v.p[0] == '-')) {
        if (ranges_of(f, v, "source ranges", &src->ranges) < 0)
            return -1;
        if (!more(f)) {
            if (src->ranges.blocks != src->blocks)
                return fail(f, "source ranges hold %llu blocks, the count says %llu",
                            (unsigned long long)src->ranges.blocks, (unsigned long long)src->blocks);
            return 0;
        }
        if (ranges(f, "source locations", &src->locs) < 0)
            return -1;
        if (src->locs.blocks != src->ranges.blocks)
            return fail(f, "source locations hold %llu blocks, the source ranges %llu",
                        (unsigned long long)src->locs.blocks, (unsigned long long)src->ranges.blocks);
    } else if (!more(f)) {
        return fail(f, "\"-\" (source from stashes only) names no stash");
    }
    if (more(f)) {
        /* One allocation for every reference left on the line. */
        size_t left = 1;
        for (size_t i = f->pos; i < f->len; i++)
            left += f->line[i] == ' ';
        src->stashes = calloc(left, sizeof *src->stashes);
        if (!src->stashes)
            return ota_error_set(f->err, OTA_ERR_NOMEM, "out of memory");
    }
    while (more(f)) {
        if (next(f, &v, "stash reference") < 0)
            return -1;
        const char *colon = memchr(v.p, ':', v.len);
        if (!colon)
            return fail(f, "stash reference \"%.*s\" is not ID:RANGES", (int)(v.len > 60 ? 60 : v.len), v.p);
        bi_stash_ref *ref = &src->stashes[src->nstashes];
        memset(ref, 0, sizeof *ref);
        src->nstashes++;
        if (stash_id_of(f, v.p, (size_t)(colon - v.p), ref->id) < 0)
            return -1;
        field locs = {colon + 1, v.len - (size_t)(colon - v.p) - 1};
        if (ranges_of(f, locs, "stash locations", &ref->locs) < 0)
            return -1;
    }
    return check_cover(f, src);
}

static int v1_source(fields *f, bi_command *c)
{
    if (ranges(f, "source ranges", &c->src.ranges) < 0 || ranges(f, "target ranges", &c->target) < 0)
        return -1;
    c->src.blocks = c->src.ranges.blocks;
    return 0;
}

static int transfer(fields *f, bi_command *c)
{
    if (f->version == 1)
        return v1_source(f, c);
    if (f->version >= 3) {
        if (sha1_of(f, c->type == BI_CMD_MOVE ? "block hash" : "source hash", c->src_sha1) < 0)
            return -1;
        if (c->type == BI_CMD_MOVE)
            memcpy(c->tgt_sha1, c->src_sha1, OTA_SHA1_LEN);
        else if (sha1_of(f, "target hash", c->tgt_sha1) < 0)
            return -1;
        c->has_hashes = 1;
    }
    if (ranges(f, "target ranges", &c->target) < 0)
        return -1;
    return source_spec(f, &c->src);
}

static int command(fields *f, bi_command *c)
{
    field name;
    if (next(f, &name, "command") < 0)
        return -1;
    size_t t;
    for (t = 0; t < sizeof cmd_names / sizeof *cmd_names; t++)
        if (strlen(cmd_names[t]) == name.len && memcmp(cmd_names[t], name.p, name.len) == 0)
            break;
    if (t == sizeof cmd_names / sizeof *cmd_names)
        return fail(f, "unknown command \"%.*s\"", (int)(name.len > 40 ? 40 : name.len), name.p);
    c->type = (bi_cmd_type)t;
    f->cmd = cmd_names[t];
    switch (c->type) {
    case BI_CMD_ERASE:
    case BI_CMD_ZERO:
    case BI_CMD_NEW:
        if (ranges(f, "target ranges", &c->target) < 0)
            return -1;
        break;
    case BI_CMD_STASH:
    case BI_CMD_FREE: {
        if (f->version < 2)
            return fail(f, "stashes need a version 2 or later list (this is version 1)");
        field id;
        if (next(f, &id, "stash id") < 0 || stash_id_of(f, id.p, id.len, c->stash_id) < 0)
            return -1;
        if (c->type == BI_CMD_STASH) {
            if (ranges(f, "source ranges", &c->src.ranges) < 0)
                return -1;
            c->src.blocks = c->src.ranges.blocks;
        }
        break;
    }
    case BI_CMD_BSDIFF:
    case BI_CMD_IMGDIFF:
        if (number(f, "patch offset", &c->patch_offset) < 0 ||
            number(f, "patch length", &c->patch_len) < 0)
            return -1;
        if (c->patch_len == 0)
            return fail(f, "patch length is 0");
        if (c->patch_offset > UINT64_MAX - c->patch_len)
            return fail(f, "patch offset + length overflows");
        if (transfer(f, c) < 0)
            return -1;
        break;
    case BI_CMD_MOVE:
        if (transfer(f, c) < 0)
            return -1;
        break;
    }
    return no_more(f);
}

static void free_command(bi_command *c)
{
    bi_rangeset_free(&c->target);
    bi_rangeset_free(&c->src.ranges);
    bi_rangeset_free(&c->src.locs);
    for (size_t i = 0; i < c->src.nstashes; i++)
        bi_rangeset_free(&c->src.stashes[i].locs);
    free(c->src.stashes);
}

void bi_transfer_free(bi_transfer_list *tl)
{
    for (size_t i = 0; i < tl->ncmds; i++)
        free_command(&tl->cmds[i]);
    free(tl->cmds);
    free(tl->text);
    memset(tl, 0, sizeof *tl);
}

static int header_number(fields *f, const char *what, uint64_t *out)
{
    if (f->len == 0)
        return fail(f, "%s is missing (empty line)", what);
    if (to_u64(f->line, f->len, out) < 0)
        return fail(f, "%s \"%.*s\" is not a decimal number", what, (int)(f->len > 40 ? 40 : f->len),
                    f->line);
    return 0;
}

int bi_transfer_parse(bi_transfer_list *tl, const char *text, size_t len, ota_error *err)
{
    memset(tl, 0, sizeof *tl);
    if (memchr(text, '\0', len))
        return ota_error_set(err, OTA_ERR_FORMAT, "transfer list contains a NUL byte");
    /* A copy whose lines are NUL-terminated in place. */
    tl->text = malloc(len + 1);
    if (!tl->text)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the transfer list");
    memcpy(tl->text, text, len);
    tl->text[len] = '\0';
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += tl->text[i] == '\n';
    tl->cmds = calloc(nlines, sizeof *tl->cmds);
    if (!tl->cmds) {
        bi_transfer_free(tl);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the transfer list");
    }
    char *p = tl->text;
    size_t lineno = 0;
    int rc = 0;
    for (char *end = p; rc == 0 && p <= tl->text + len; p = end + 1) {
        end = strchr(p, '\n');
        if (!end)
            end = tl->text + len;
        *end = '\0';
        lineno++;
        fields f = {.line = p, .len = (size_t)(end - p), .lineno = lineno,
                    .version = tl->version, .err = err};
        if (memchr(p, '\r', f.len)) {
            rc = fail(&f, "carriage return in the line (the list must use \\n line ends)");
        } else if (lineno == 1) {
            uint64_t v;
            if (f.len == 0 || to_u64(p, f.len, &v) < 0 || v < BI_MIN_VERSION || v > BI_MAX_VERSION) {
                rc = fail(&f, "version \"%.*s\" is not a number from %d to %d",
                          (int)(f.len > 40 ? 40 : f.len), p, BI_MIN_VERSION, BI_MAX_VERSION);
            } else {
                tl->version = (int)v;
                tl->header_lines = tl->version >= 2 ? 4 : 2;
            }
        } else if (lineno == 2) {
            rc = header_number(&f, "total block count", &tl->total_blocks);
        } else if (lineno == 3 && tl->header_lines == 4) {
            rc = header_number(&f, "stash entry count", &tl->stash_entries);
        } else if (lineno == 4 && tl->header_lines == 4) {
            rc = header_number(&f, "maximum stashed blocks", &tl->stash_max_blocks);
        } else if (f.len > 0) {
            bi_command *c = &tl->cmds[tl->ncmds++];
            c->line = lineno;
            c->index = lineno - 1 - tl->header_lines;
            c->text = p;
            rc = command(&f, c);
        }
    }
    if (rc == 0 && lineno < tl->header_lines) {
        rc = ota_error_set(err, OTA_ERR_FORMAT, "transfer list has %zu line%s; a version %d list "
                           "starts with %zu header lines", lineno, lineno == 1 ? "" : "s",
                           tl->version, tl->header_lines);
    }
    if (rc < 0)
        bi_transfer_free(tl);
    return rc;
}
