/* Choosing the patch's steps: Colin Percival's bsdiff heuristic.  Walk the
 * target; at each position find the longest match in the source; keep
 * going while the source at the current alignment explains the target about
 * as well as that match would (fewer than 8 extra bytes gained), and when a
 * clearly better match appears, close the current step: extend the previous
 * alignment forward and the new one backward as far as at least half the
 * bytes agree, split any overlap where the two explain it best, and emit
 * (diff length, extra length, source start).
 *
 * The walk is split into segments scanned on parallel threads, then joined
 * so that the steps are exactly those of one sequential walk (stitch()). */
#include "applypatch/bsdiff_internal.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A rejected match at least this long is skipped to SKIP_KEEP bytes before
 * its end (see scan_next). */
#define SKIP_MIN_MATCH 256
#define SKIP_KEEP 64

static int push_step(bsdiff_steps *out, int64_t diff_len, int64_t extra_len,
                     int64_t old_start, ota_error *err)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 1024;
        bsdiff_step *v = realloc(out->v, cap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %zu bsdiff steps", cap);
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = (bsdiff_step){diff_len, extra_len, old_start};
    return 0;
}

/* How far past last_scan the previous alignment keeps paying: the length
 * where (matches * 2 - length) peaks. */
static int64_t extend_forward(const uint8_t *old, int64_t old_len, const uint8_t *new_data,
                              int64_t last_scan, int64_t last_pos, int64_t scan)
{
    int64_t same = 0, best = 0, best_len = 0;
    for (int64_t i = 0; last_scan + i < scan && last_pos + i < old_len;) {
        if (old[last_pos + i] == new_data[last_scan + i])
            same++;
        i++;
        if (same * 2 - i > best * 2 - best_len) {
            best = same;
            best_len = i;
        }
    }
    return best_len;
}

/* The same, backwards from the new match at (scan, pos). */
static int64_t extend_backward(const uint8_t *old, const uint8_t *new_data, int64_t last_scan,
                               int64_t scan, int64_t pos)
{
    int64_t same = 0, best = 0, best_len = 0;
    for (int64_t i = 1; scan >= last_scan + i && pos >= i; i++) {
        if (old[pos - i] == new_data[scan - i])
            same++;
        if (same * 2 - i > best * 2 - best_len) {
            best = same;
            best_len = i;
        }
    }
    return best_len;
}

/* Runs the scan from *st to the next step it emits, stored in *step;
 * returns 0 when the target is already complete (nothing emitted). */
static int scan_next(const bsdiff_index *ix, const uint8_t *new_data, int64_t stop,
                     bsdiff_scan_state *st, bsdiff_step *step)
{
    const uint8_t *old = ix->old;
    const int64_t old_len = (int64_t)ix->old_len;
    int64_t scan = st->scan, len = st->len, pos = 0;
    const int64_t last_scan = st->last_scan, last_pos = st->last_pos,
                  last_offset = st->last_offset;

    while (scan < stop) {
        /* How many bytes of the current match the previous alignment
         * (last_offset) also explains. */
        int64_t old_score = 0;
        scan += len;
        int64_t scored_to = scan;
        while (scan < stop) {
            /* A match shorter than 8 bytes cannot start a step (that needs
             * old_score + 9); it only matters when the current alignment
             * explains it exactly (len == old_score), which needs this
             * byte to match there.  Otherwise, when the filter shows there
             * is no 8-byte match, count it as none and skip the search. */
            int aligned = scan + last_offset < old_len &&
                          old[scan + last_offset] == new_data[scan];
            bsdiff_match m = {0, SIZE_MAX};
            if (!aligned && stop - scan >= 8 && !bsdiff_index_may_match8(ix, new_data + scan))
                len = 0;
            else
                len = (int64_t)bsdiff_index_longest(ix, new_data + scan, (size_t)(stop - scan), &m);
            for (; scored_to < scan + len; scored_to++)
                if (scored_to + last_offset < old_len &&
                    old[scored_to + last_offset] == new_data[scored_to])
                    old_score++;
            if (len == old_score && len != 0)
                break;
            if (len > old_score + 8) {
                /* A new step starts here: only now does it matter which of
                 * several equally long matches is used. */
                pos = (int64_t)bsdiff_index_best_of_equals(ix, new_data + scan, (size_t)scan,
                                                           (size_t)(stop - scan), (size_t)len, &m);
                break;
            }
            /* The current alignment explains this match about as well.  The
             * matches at the next positions are mostly this one shifted, so
             * after a long one, resume the search near its end: a better
             * match starting inside it would reach past it and still be seen
             * there.  Searching each position instead is what makes classic
             * bsdiff quadratic on long runs (zero-filled images). */
            int64_t next = len >= SKIP_MIN_MATCH ? scan + len - SKIP_KEEP : scan + 1;
            for (; scan < next; scan++)
                if (scan + last_offset < old_len && old[scan + last_offset] == new_data[scan])
                    old_score--;
        }
        if (len == old_score && scan != stop)
            continue; /* the previous alignment still explains the target */

        int64_t lenf = extend_forward(old, old_len, new_data, last_scan, last_pos, scan);
        int64_t lenb = scan < stop ? extend_backward(old, new_data, last_scan, scan, pos) : 0;
        if (last_scan + lenf > scan - lenb) {
            /* Both extensions claim the same bytes: split where the
             * forward alignment stops explaining more than the other. */
            int64_t overlap = (last_scan + lenf) - (scan - lenb);
            int64_t score = 0, best = 0, split = 0;
            for (int64_t i = 0; i < overlap; i++) {
                if (new_data[last_scan + lenf - overlap + i] == old[last_pos + lenf - overlap + i])
                    score++;
                if (new_data[scan - lenb + i] == old[pos - lenb + i])
                    score--;
                if (score > best) {
                    best = score;
                    split = i + 1;
                }
            }
            lenf += split - overlap;
            lenb -= split;
        }
        *step = (bsdiff_step){lenf, (scan - lenb) - (last_scan + lenf), last_pos};
        *st = (bsdiff_scan_state){.scan = scan, .len = len, .last_scan = scan - lenb,
                                  .last_pos = pos - lenb, .last_offset = pos - scan};
        return 1;
    }
    st->scan = scan;
    return 0;
}

static int same_state(const bsdiff_scan_state *a, const bsdiff_scan_state *b)
{
    return a->scan == b->scan && a->len == b->len && a->last_scan == b->last_scan &&
           a->last_pos == b->last_pos && a->last_offset == b->last_offset;
}

/* One segment's provisional scan: started fresh at its first byte, it runs
 * (with the whole target in view) until it emits a step at or past the
 * segment's end, recording the state after every step. */
typedef struct segment {
    int64_t begin, end;
    bsdiff_steps steps;
    bsdiff_scan_state *states; /* states[i]: after steps.v[i] */
    size_t states_cap;
    bsdiff_scan_state final;
    ota_error err;
    int rc;
} segment;

static int record(segment *seg, const bsdiff_step *step, const bsdiff_scan_state *st,
                  ota_error *err)
{
    if (seg->steps.n == seg->states_cap) {
        size_t cap = seg->states_cap ? seg->states_cap * 2 : 1024;
        bsdiff_scan_state *v = realloc(seg->states, cap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %zu scan states", cap);
        seg->states = v;
        seg->states_cap = cap;
    }
    seg->states[seg->steps.n] = *st;
    return push_step(&seg->steps, step->diff_len, step->extra_len, step->old_start, err);
}

typedef struct scan_pool {
    const bsdiff_index *ix;
    const uint8_t *new_data;
    int64_t new_len;
    segment *segs;
    int n_segments, stride;
} scan_pool;

typedef struct scan_worker {
    scan_pool *pool;
    int first;
} scan_worker;

static void *scan_segments(void *arg)
{
    scan_worker *w = arg;
    scan_pool *pool = w->pool;
    for (int k = w->first; k < pool->n_segments; k += pool->stride) {
        segment *seg = &pool->segs[k];
        bsdiff_scan_state st = {.scan = seg->begin, .last_scan = seg->begin};
        bsdiff_step step;
        seg->rc = 0;
        while (scan_next(pool->ix, pool->new_data, pool->new_len, &st, &step)) {
            if (record(seg, &step, &st, &seg->err) < 0) {
                seg->rc = -1;
                break;
            }
            if (st.scan >= seg->end)
                break;
        }
        seg->final = st;
    }
    return NULL;
}

/* The step after which segment seg took exactly state st, or -1. */
static ptrdiff_t find_state(const segment *seg, const bsdiff_scan_state *st)
{
    size_t lo = 0, hi = seg->steps.n;
    while (lo < hi) { /* states are in increasing scan order */
        size_t mid = lo + (hi - lo) / 2;
        if (seg->states[mid].scan < st->scan)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < seg->steps.n && seg->states[lo].scan == st->scan; lo++)
        if (same_state(&seg->states[lo], st))
            return (ptrdiff_t)lo;
    return -1;
}

static int append_steps(bsdiff_steps *out, const bsdiff_step *v, size_t n, ota_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (push_step(out, v[i].diff_len, v[i].extra_len, v[i].old_start, err) < 0)
            return -1;
    return 0;
}

/* Joins the segments into exactly the steps one sequential scan makes:
 * from where segment k-1 stopped, the sequential scan is continued until
 * its state equals one segment k passed through; from there on it would
 * repeat segment k's steps, so those are taken instead. */
static int stitch(scan_pool *pool, bsdiff_steps *out, ota_error *err)
{
    segment *segs = pool->segs;
    if (append_steps(out, segs[0].steps.v, segs[0].steps.n, err) < 0)
        return -1;
    bsdiff_scan_state st = segs[0].final;
    int k = 1;
    bsdiff_step step;
    while (k < pool->n_segments) {
        if (!scan_next(pool->ix, pool->new_data, pool->new_len, &st, &step))
            return 0; /* the continuation reached the end by itself */
        if (push_step(out, step.diff_len, step.extra_len, step.old_start, err) < 0)
            return -1;
        /* Segments the continuation has run past entirely are not used. */
        while (k < pool->n_segments && segs[k].final.scan < st.scan)
            k++;
        if (k == pool->n_segments)
            break;
        ptrdiff_t at = find_state(&segs[k], &st);
        if (at < 0)
            continue;
        size_t from = (size_t)at + 1;
        if (append_steps(out, segs[k].steps.v + from, segs[k].steps.n - from, err) < 0)
            return -1;
        st = segs[k].final;
        k++;
    }
    while (scan_next(pool->ix, pool->new_data, pool->new_len, &st, &step))
        if (push_step(out, step.diff_len, step.extra_len, step.old_start, err) < 0)
            return -1;
    return 0;
}

int bsdiff_scan(const bsdiff_index *ix, const uint8_t *new_data, size_t new_len,
                int n_segments, int n_threads, bsdiff_steps *out, ota_error *err)
{
    if (new_len == 0)
        return 0;
    if (n_segments < 1)
        n_segments = 1;
    if ((size_t)n_segments > new_len)
        n_segments = (int)new_len;
    if (n_threads < 1)
        n_threads = 1;
    if (n_threads > n_segments)
        n_threads = n_segments;
    segment *segs = calloc((size_t)n_segments, sizeof *segs);
    scan_worker *workers = calloc((size_t)n_threads, sizeof *workers);
    pthread_t *tids = calloc((size_t)n_threads, sizeof *tids);
    char *started = calloc((size_t)n_threads, 1);
    int rc = -1;
    if (!segs || !workers || !tids || !started) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %d scan segments", n_segments);
        goto out;
    }
    scan_pool pool = {ix, new_data, (int64_t)new_len, segs, n_segments, n_threads};
    for (int k = 0; k < n_segments; k++) {
        segs[k].begin = (int64_t)(new_len / (size_t)n_segments * (size_t)k);
        segs[k].end = k + 1 == n_segments
                          ? (int64_t)new_len
                          : (int64_t)(new_len / (size_t)n_segments * (size_t)(k + 1));
    }
    for (int t = 0; t < n_threads; t++) {
        workers[t] = (scan_worker){&pool, t};
        if (t > 0) /* worker 0 is this thread; one that cannot start too */
            started[t] = pthread_create(&tids[t], NULL, scan_segments, &workers[t]) == 0;
    }
    for (int t = 0; t < n_threads; t++)
        if (!started[t])
            scan_segments(&workers[t]);
    for (int t = 0; t < n_threads; t++)
        if (started[t])
            pthread_join(tids[t], NULL);
    rc = 0;
    for (int k = 0; k < n_segments && rc == 0; k++)
        if (segs[k].rc < 0) {
            if (err)
                *err = segs[k].err;
            rc = -1;
        }
    if (rc == 0)
        rc = stitch(&pool, out, err);
out:
    for (int k = 0; segs && k < n_segments; k++) {
        free(segs[k].steps.v);
        free(segs[k].states);
    }
    free(segs);
    free(workers);
    free(tids);
    free(started);
    return rc;
}
