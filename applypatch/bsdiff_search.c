/* Longest-match search in the source for bsdiff: a suffix array built by
 * libdivsufsort, and a table of where each two-byte prefix starts in it, so
 * a search begins inside one bucket (about old_len / 65536 suffixes) instead
 * of the whole array -- most of the cost of a search is cache misses in the
 * first binary-search steps, which the table removes.
 *
 * In front of it, a one-bit-per-hash set of every 8-byte substring of old
 * answers "is there any match of 8 bytes or more here?" with one memory
 * access; on data unlike the source (compressed sections, new code) the
 * answer is mostly no and the search is not needed at all. */
#include "applypatch/bsdiff_internal.h"

#include <divsufsort.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 65536
/* Among equally long matches (of at most TIE_MAX_MATCH bytes: longer ones
 * are rarely tied in code, and are costly to compare, as in zero runs), up
 * to TIE_CANDIDATES on each side of the first one found are compared over
 * TIE_WINDOW bytes around the match. */
#define TIE_CANDIDATES 16
#define TIE_WINDOW 64
#define TIE_MAX_MATCH 4096

static unsigned prefix_key(const uint8_t *old, size_t old_len, size_t i)
{
    /* A one-byte suffix "c" sorts before every "c?" suffix: key c<<8|0
     * keeps the keys non-decreasing along the suffix array. */
    return ((unsigned)old[i] << 8) | (i + 1 < old_len ? old[i + 1] : 0u);
}

void bsdiff_index_free(bsdiff_index *ix)
{
    free(ix->sa);
    free(ix->bucket);
    free(ix->grams);
    ix->sa = NULL;
    ix->bucket = NULL;
    ix->grams = NULL;
}

static uint64_t gram_hash(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v * 0x9e3779b97f4a7c15ull; /* the top bits mix all eight bytes */
}

/* One bit per source byte, rounded up to a power of two (at least 512
 * bits): about one false "maybe" in eight. */
static int build_grams(bsdiff_index *ix, ota_error *err)
{
    unsigned log2_bits = 9;
    while (log2_bits < 40 && ((size_t)1 << log2_bits) < ix->old_len * 8)
        log2_bits++;
    ix->gram_shift = 64 - log2_bits;
    ix->grams = calloc((size_t)1 << (log2_bits - 6), sizeof *ix->grams);
    if (!ix->grams)
        return ota_error_set(err, OTA_ERR_NOMEM,
                             "out of memory for the match filter of a %zu-byte source",
                             ix->old_len);
    for (size_t i = 0; i + 8 <= ix->old_len; i++) {
        uint64_t h = gram_hash(ix->old + i) >> ix->gram_shift;
        ix->grams[h >> 6] |= 1ull << (h & 63);
    }
    return 0;
}

int bsdiff_index_may_match8(const bsdiff_index *ix, const uint8_t *needle)
{
    if (!ix->grams)
        return 0; /* empty source */
    uint64_t h = gram_hash(needle) >> ix->gram_shift;
    return (int)((ix->grams[h >> 6] >> (h & 63)) & 1);
}

/* The filter and the bucket table need only the source, not the suffix
 * array: they are built on a second thread while libdivsufsort (single
 * threaded) sorts. */
typedef struct side_tables {
    bsdiff_index *ix;
    ota_error err;
    int rc;
} side_tables;

static void *build_side_tables(void *arg)
{
    side_tables *t = arg;
    bsdiff_index *ix = t->ix;
    t->rc = build_grams(ix, &t->err);
    /* Count each key, then turn the counts into start offsets. */
    for (size_t i = 0; i < ix->old_len; i++)
        ix->bucket[prefix_key(ix->old, ix->old_len, i) + 1]++;
    for (size_t k = 1; k <= BUCKETS; k++)
        ix->bucket[k] += ix->bucket[k - 1];
    return NULL;
}

int bsdiff_index_build(bsdiff_index *ix, const uint8_t *old, size_t old_len, ota_error *err)
{
    memset(ix, 0, sizeof *ix);
    ix->old = old;
    ix->old_len = old_len;
    if (old_len >= (size_t)INT32_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT,
                             "source of %zu bytes is too large for bsdiff (limit 2 GiB)",
                             old_len);
    if (old_len == 0)
        return 0;
    ix->sa = malloc(old_len * sizeof *ix->sa);
    ix->bucket = calloc(BUCKETS + 1, sizeof *ix->bucket);
    if (!ix->sa || !ix->bucket) {
        bsdiff_index_free(ix);
        return ota_error_set(err, OTA_ERR_NOMEM,
                             "out of memory for the suffix array of a %zu-byte source",
                             old_len);
    }
    side_tables side = {ix, {0, ""}, 0};
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, build_side_tables, &side) == 0;
    if (!threaded)
        build_side_tables(&side);
    int sorted = divsufsort(old, ix->sa, (saidx_t)old_len) == 0;
    if (threaded)
        pthread_join(tid, NULL);
    if (!sorted || side.rc < 0) {
        bsdiff_index_free(ix);
        if (side.rc < 0 && err)
            *err = side.err;
        else
            ota_error_set(err, OTA_ERR_NOMEM, "libdivsufsort failed on a %zu-byte source",
                          old_len);
        return -1;
    }
    return 0;
}

/* Length of the common prefix of a and b, at most max, known to be at
 * least from. */
static size_t common_prefix(const uint8_t *a, const uint8_t *b, size_t from, size_t max)
{
    size_t i = from;
    while (i + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return i + (size_t)(__builtin_ctzll(x ^ y) >> 3); /* little endian */
        i += 8;
    }
    while (i < max && a[i] == b[i])
        i++;
    return i;
}

/* Whether suffix number j of the array also starts with needle[0..len). */
static int matches_at(const bsdiff_index *ix, size_t j, const uint8_t *needle, size_t len)
{
    size_t s = (size_t)ix->sa[j];
    return ix->old_len - s >= len && memcmp(ix->old + s, needle, len) == 0;
}

/* How many of the TIE_WINDOW bytes before a match, and after its first
 * difference, agree between old at p and the needle. */
static size_t surroundings_score(const bsdiff_index *ix, size_t p, const uint8_t *needle,
                                 size_t before, size_t match, size_t len)
{
    const uint8_t *old = ix->old;
    size_t score = 0;
    for (size_t i = 1; i <= TIE_WINDOW && i <= before && i <= p; i++)
        score += old[p - i] == needle[-(ptrdiff_t)i];
    for (size_t i = match + 1; i <= match + TIE_WINDOW && i < len && p + i < ix->old_len; i++)
        score += old[p + i] == needle[i];
    return score;
}

size_t bsdiff_index_longest(const bsdiff_index *ix, const uint8_t *needle, size_t len,
                            bsdiff_match *m)
{
    m->pos = 0;
    m->rank = SIZE_MAX;
    if (ix->old_len == 0 || len == 0)
        return 0;
    const uint8_t *old = ix->old;
    size_t n = ix->old_len;
    unsigned first = (unsigned)needle[0] << 8;
    size_t lo, hi;
    if (len >= 2 && ix->bucket[first | needle[1]] < ix->bucket[(first | needle[1]) + 1]) {
        lo = ix->bucket[first | needle[1]];
        hi = ix->bucket[(first | needle[1]) + 1];
    } else {
        /* No suffix starts with these two bytes: the best is one byte. */
        if (ix->bucket[first] == ix->bucket[first + 256])
            return 0;
        m->rank = ix->bucket[first];
        m->pos = (size_t)ix->sa[m->rank];
        return 1;
    }
    /* Binary search for the first suffix >= needle.  Every suffix between
     * two bounds shares with the needle at least the smaller of the bounds'
     * common prefixes, so comparisons start there. */
    size_t a = lo, b = hi, lcp_a = 1, lcp_b = 1;
    int moved_a = 0, moved_b = 0;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        size_t s = (size_t)ix->sa[mid];
        size_t max = n - s < len ? n - s : len;
        size_t from = lcp_a < lcp_b ? lcp_a : lcp_b;
        size_t l = common_prefix(old + s, needle, from < max ? from : max, max);
        if (l == len || (l < max && old[s + l] > needle[l])) {
            b = mid;
            lcp_b = l;
            moved_b = 1;
        } else {
            a = mid + 1;
            lcp_a = l;
            moved_a = 1;
        }
    }
    /* The longest match is next to the insertion point a; equally long
     * ones are its neighbours in the suffix array. */
    size_t best_len = lcp_a, best_at = a - 1;
    if (moved_b && (!moved_a || lcp_b >= lcp_a)) {
        best_len = lcp_b;
        best_at = a;
    }
    m->rank = best_at;
    m->pos = (size_t)ix->sa[best_at];
    return best_len;
}

size_t bsdiff_index_best_of_equals(const bsdiff_index *ix, const uint8_t *needle, size_t before,
                                   size_t len, size_t match_len, const bsdiff_match *m)
{
    if (match_len < 8 || match_len > TIE_MAX_MATCH || m->rank == SIZE_MAX)
        return m->pos;
    /* Equally long matches are the found one's neighbours in the array. */
    size_t at = m->rank, first = at, last = at;
    while (first > 0 && at - first < TIE_CANDIDATES &&
           matches_at(ix, first - 1, needle, match_len))
        first--;
    while (last + 1 < ix->old_len && last - at < TIE_CANDIDATES &&
           matches_at(ix, last + 1, needle, match_len))
        last++;
    size_t best_pos = m->pos, best_score = 0;
    for (size_t j = first; j <= last && first != last; j++) {
        size_t p = (size_t)ix->sa[j];
        size_t score = surroundings_score(ix, p, needle, before, match_len, len);
        if (j == first || score > best_score) {
            best_score = score;
            best_pos = p;
        }
    }
    return best_pos;
}
