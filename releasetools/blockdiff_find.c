/* The transfers of an incremental: each target domain paired with a source
 * domain (Android's FindTransfers).  A target file is diffed against the
 * source file at the same path, else one with the same basename, else one
 * whose basename is the same once every run of digits is read as one
 * ("libfoo.so.12" ~ "libfoo.so.13"); when several qualify, the one whose
 * path ends most like the target's wins (Android takes whichever its
 * dictionary held last; this is deterministic and usually the better
 * source).  Large pairs are cut into pieces of at most piece_blocks. */
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "releasetools/blockdiff_internal.h"

static int special(const char *name)
{
    return strcmp(name, "__ZERO") == 0 || strcmp(name, "__COPY") == 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The basename with every run of digits replaced by '#'. */
static char *digits_pattern(const char *path)
{
    const char *b = base_name(path);
    char *out = malloc(strlen(b) + 1), *o = out;
    if (!out)
        return NULL;
    while (*b) {
        if (*b >= '0' && *b <= '9') {
            *o++ = '#';
            while (*b >= '0' && *b <= '9')
                b++;
        } else {
            *o++ = *b++;
        }
    }
    *o = '\0';
    return out;
}

typedef struct cand {
    char *key;
    size_t domain;   /* index into the source's domains */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->domain > y->domain) - (x->domain < y->domain);
}

static void free_cands(cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].key);
    free(c);
}

/* The source domains by basename (pattern 0) or digit pattern (1). */
static cand *index_sources(const rt_block_image *src, int pattern, size_t *n, ota_error *err)
{
    cand *c = calloc(src->count + 1, sizeof *c);
    if (!c)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
    *n = 0;
    for (size_t i = 0; i < src->count; i++) {
        const char *name = src->domains[i].name;
        if (special(name))
            continue;
        char *key = pattern ? digits_pattern(name) : strdup(base_name(name));
        if (!key) {
            free_cands(c, *n);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
        }
        c[(*n)++] = (cand){key, i};
    }
    qsort(c, *n, sizeof *c, cmp_cand);
    return c;
}

static size_t common_suffix(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = 0;
    while (n < la && n < lb && a[la - 1 - n] == b[lb - 1 - n])
        n++;
    return n;
}

/* The best source domain for key among the candidates, or SIZE_MAX. */
static size_t lookup(const rt_block_image *src, const cand *c, size_t n, const char *key,
                     const char *tgt_path)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(c[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t best = SIZE_MAX, best_len = 0;
    for (size_t i = lo; i < n && strcmp(c[i].key, key) == 0; i++) {
        size_t len = common_suffix(src->domains[c[i].domain].name, tgt_path);
        if (best == SIZE_MAX || len > best_len) {
            best = c[i].domain;
            best_len = len;
        }
    }
    return best;
}

static int add_pair(bd_state *st, const char *name, const bi_rangeset *tgt, const bi_rangeset *src,
                    ota_error *err)
{
    bd_xf *x = bd_add(st, name, BD_DIFF, err);
    if (!x || bi_rangeset_copy(&x->tgt, tgt, err) < 0 || bi_rangeset_copy(&x->src, src, err) < 0)
        return -1;
    return 0;
}

/* A pair, cut into pieces of at most piece_blocks on either side (Android's
 * AddSplitTransfers, which cuts while both sides are larger; here a target
 * much larger than its source is cut too, each piece reading what is left
 * of the source, so that no patch's input or output exceeds a piece). */
static int add_diff(bd_state *st, const char *name, const bi_rangeset *tgt, const bi_rangeset *src,
                    ota_error *err)
{
    uint64_t piece = st->piece_blocks;
    if (tgt->blocks <= piece && src->blocks <= piece)
        return add_pair(st, name, tgt, src, err);
    bi_rangeset t = {0}, s = {0}, tf = {0}, sf = {0}, tmp = {0};
    int rc = bi_rangeset_copy(&t, tgt, err) < 0 || bi_rangeset_copy(&s, src, err) < 0 ? -1 : 0;
    char *piece_name = malloc(strlen(name) + 24);
    if (!piece_name && rc == 0)
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (unsigned k = 0; rc == 0; k++) {
        sprintf(piece_name, "%s-%u", name, k);
        if (t.blocks <= piece && s.blocks <= piece) {
            rc = add_pair(st, piece_name, &t, &s, err);
            break;
        }
        uint64_t tn = t.blocks < piece ? t.blocks : piece;
        uint64_t sn = s.blocks < piece ? s.blocks : piece;
        /* the last piece of the target takes all the source left, up to a
         * piece; the source is used up only while the target lasts */
        int last_target = t.blocks <= piece;
        if (bi_rangeset_first(&t, tn, &tf, err) < 0 || bi_rangeset_first(&s, sn, &sf, err) < 0 ||
            add_pair(st, piece_name, &tf, &sf, err) < 0) {
            rc = -1;
            break;
        }
        if (last_target)
            break;
        if (bi_rangeset_subtract(&t, &tf, &tmp, err) < 0 || bi_rangeset_copy(&t, &tmp, err) < 0)
            rc = -1;
        /* keep the last piece of source for the rest of the target */
        if (rc == 0 && s.blocks > piece &&
            (bi_rangeset_subtract(&s, &sf, &tmp, err) < 0 || bi_rangeset_copy(&s, &tmp, err) < 0))
            rc = -1;
    }
    free(piece_name);
    bi_rangeset *all[] = {&t, &s, &tf, &sf, &tmp};
    for (size_t i = 0; i < 5; i++)
        bi_rangeset_free(all[i]);
    return rc;
}

static int add_target(bd_state *st, const rt_block_domain *d, const cand *bases, size_t nbases,
                      const cand *pats, size_t npats, ota_error *err)
{
    const rt_block_image *src = st->src;
    if (strcmp(d->name, "__ZERO") == 0) {
        /* Zeros already zero in the source stay as they are (A/B: the
         * target is another partition, whose blocks are all written). */
        const rt_block_domain *sz = st->opts->ab ? NULL : rt_block_image_find(src, "__ZERO");
        bi_rangeset none = {0}, todo = {0};
        if (bi_rangeset_subtract(&d->blocks, sz ? &sz->blocks : &none, &todo, err) < 0)
            return -1;
        st->res->blocks_kept += d->blocks.blocks - todo.blocks;
        bd_xf *x = todo.blocks ? bd_add(st, d->name, BD_ZERO, err) : NULL;
        if (todo.blocks && !x) {
            bi_rangeset_free(&todo);
            return -1;
        }
        if (x)
            x->tgt = todo;
        return 0;
    }
    if (strcmp(d->name, "__COPY") == 0) {
        bd_xf *x = bd_add(st, d->name, BD_NEW, err);
        return x ? bi_rangeset_copy(&x->tgt, &d->blocks, err) : -1;
    }
    const rt_block_domain *s = rt_block_image_find(src, d->name);
    if (!s) {
        size_t i = lookup(src, bases, nbases, base_name(d->name), d->name);
        if (i == SIZE_MAX) {
            char *pat = digits_pattern(d->name);
            if (!pat)
                return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            i = lookup(src, pats, npats, pat, d->name);
            free(pat);
        }
        s = i == SIZE_MAX ? NULL : &src->domains[i];
    }
    if (!s) {
        bd_xf *x = bd_add(st, d->name, BD_NEW, err);
        return x ? bi_rangeset_copy(&x->tgt, &d->blocks, err) : -1;
    }
    return add_diff(st, d->name, &d->blocks, &s->blocks, err);
}

/* Hashes every pair; same bytes in the same blocks need no transfer at
 * all (A/B: a move in place, the target being another partition), same
 * bytes elsewhere are a move. */
static int classify_pairs(bd_state *st, ota_error *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < st->n; i++) {
        bd_xf *x = &st->xf[i];
        if (x->style == BD_DIFF) {
            if (rt_block_image_sha1_hex(st->tgt, &x->tgt, x->tgt_sha1, err) < 0 ||
                rt_block_image_sha1_hex(st->src, &x->src, x->src_sha1, err) < 0)
                return -1;
            rt_progress_report(&st->opts->progress, "hashing", i + 1, st->n);
            if (strcmp(x->tgt_sha1, x->src_sha1) == 0) {
                if (!st->opts->ab && bi_rangeset_equal(&x->tgt, &x->src)) {
                    st->res->blocks_kept += x->tgt.blocks;
                    free(x->name);
                    bi_rangeset_free(&x->tgt);
                    bi_rangeset_free(&x->src);
                    continue;
                }
                x->style = BD_MOVE;
            }
        }
        st->xf[kept++] = *x;
    }
    st->n = kept;
    return 0;
}

int bd_find_transfers(bd_state *st, ota_error *err)
{
    size_t nbases = 0, npats = 0;
    cand *bases = index_sources(st->src, 0, &nbases, err);
    cand *pats = bases ? index_sources(st->src, 1, &npats, err) : NULL;
    int rc = pats ? 0 : -1;
    for (size_t i = 0; i < st->tgt->count && rc == 0; i++)
        rc = add_target(st, &st->tgt->domains[i], bases, nbases, pats, npats, err);
    if (bases)
        free_cands(bases, nbases);
    if (pats)
        free_cands(pats, npats);
    return rc < 0 ? -1 : classify_pairs(st, err);
}
