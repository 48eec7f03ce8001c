/* The order of the transfers (Android's GenerateDigraph,
 * FindVertexSequence, ReverseBackwardEdges and ImproveVertexSequence).
 *
 * A transfer that reads source blocks another one overwrites must run
 * first: an edge before -> after, weighted by the blocks at stake.  The
 * graph usually has cycles (two files swapping places), so a sequence is
 * found that leaves as little weight as possible on backward edges (the
 * Eades-Lin-Smyth heuristic for the feedback arc set: sinks to the end,
 * sources to the front, otherwise the vertex whose outgoing weight exceeds
 * its incoming weight most).  Each backward edge becomes a stash: the
 * overwriting transfer first stashes the blocks the reader needs, and the
 * reader takes them from the stash.  With every edge now pointing forward,
 * a topological sort picks, among the transfers ready to run, the one that
 * leaves the least stashed data, to keep the peak small. */
#include <stdlib.h>
#include <string.h>

#include "releasetools/blockdiff_internal.h"

static int reads(const bd_xf *x)
{
    return x->style == BD_DIFF || x->style == BD_MOVE;
}

static int add_edge(bd_state *st, size_t before, size_t after, uint64_t weight, ota_error *err)
{
    if (st->nedges == st->edges_cap) {
        size_t ncap = st->edges_cap ? st->edges_cap * 2 : 256;
        bd_edge *e = realloc(st->edges, ncap * sizeof *e);
        if (!e)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        st->edges = e;
        st->edges_cap = ncap;
    }
    st->edges[st->nedges++] = (bd_edge){before, after, weight};
    return 0;
}

/* For every source block, the transfers that read it (linked lists in two
 * arrays); then for every transfer, the readers of the blocks it writes. */
static int build_graph(bd_state *st, ota_error *err)
{
    uint64_t nsrc = st->src->total_blocks, nodes = 0;
    for (size_t i = 0; i < st->n; i++)
        if (reads(&st->xf[i]))
            nodes += st->xf[i].src.blocks;
    int64_t *head = malloc((nsrc + 1) * sizeof *head);
    int64_t *next = malloc((nodes + 1) * sizeof *next);
    size_t *owner = malloc((nodes + 1) * sizeof *owner);
    uint64_t *count = calloc(st->n + 1, sizeof *count);
    size_t *touched = malloc((st->n + 1) * sizeof *touched);
    int rc = head && next && owner && count && touched ? 0
                                                       : ota_error_set(err, OTA_ERR_NOMEM,
                                                                       "out of memory");
    if (rc == 0) {
        for (uint64_t b = 0; b < nsrc; b++)
            head[b] = -1;
        int64_t k = 0;
        for (size_t i = 0; i < st->n; i++) {
            const bd_xf *x = &st->xf[i];
            if (!reads(x))
                continue;
            for (size_t r = 0; r < x->src.count; r++)
                for (uint64_t b = x->src.ranges[r].begin; b < x->src.ranges[r].end; b++) {
                    owner[k] = i;
                    next[k] = head[b];
                    head[b] = k++;
                }
        }
    }
    for (size_t a = 0; a < st->n && rc == 0; a++) {
        const bd_xf *x = &st->xf[a];
        size_t nt = 0;
        for (size_t r = 0; r < x->tgt.count; r++)
            for (uint64_t b = x->tgt.ranges[r].begin; b < x->tgt.ranges[r].end && b < nsrc; b++)
                for (int64_t k = head[b]; k >= 0; k = next[k]) {
                    size_t reader = owner[k];
                    if (reader == a)
                        continue;
                    if (count[reader]++ == 0)
                        touched[nt++] = reader;
                }
        for (size_t t = 0; t < nt && rc == 0; t++) {
            rc = add_edge(st, touched[t], a, count[touched[t]], err);
            count[touched[t]] = 0;
        }
    }
    free(head);
    free(next);
    free(owner);
    free(count);
    free(touched);
    return rc;
}

/* ---- a binary heap of (key, tie, vertex): smallest key, then tie ------- */

typedef struct heap_item {
    int64_t key;
    uint64_t tie;
    size_t v;
    uint64_t stamp;     /* the vertex's stamp when pushed: stale if changed since */
} heap_item;

typedef struct heap {
    heap_item *a;
    size_t n, cap;
} heap;

static int item_less(const heap_item *x, const heap_item *y)
{
    return x->key != y->key ? x->key < y->key : x->tie < y->tie;
}

static int heap_push(heap *h, heap_item it, ota_error *err)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 256;
        heap_item *a = realloc(h->a, ncap * sizeof *a);
        if (!a)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        h->a = a;
        h->cap = ncap;
    }
    size_t i = h->n++;
    h->a[i] = it;
    while (i > 0 && item_less(&h->a[i], &h->a[(i - 1) / 2])) {
        heap_item t = h->a[i];
        h->a[i] = h->a[(i - 1) / 2];
        h->a[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static heap_item heap_pop(heap *h)
{
    heap_item top = h->a[0];
    h->a[0] = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && item_less(&h->a[l], &h->a[m]))
            m = l;
        if (r < h->n && item_less(&h->a[r], &h->a[m]))
            m = r;
        if (m == i)
            break;
        heap_item t = h->a[i];
        h->a[i] = h->a[m];
        h->a[m] = t;
        i = m;
    }
    return top;
}

/* ---- the sequence with few backward edges -------------------------------- */

typedef struct csr {
    size_t *start;  /* n + 1 */
    size_t *list;   /* edge indices */
} csr;

static int make_csr(const bd_state *st, int by_before, csr *c, ota_error *err)
{
    c->start = calloc(st->n + 2, sizeof *c->start);
    c->list = malloc((st->nedges + 1) * sizeof *c->list);
    if (!c->start || !c->list)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t e = 0; e < st->nedges; e++)
        c->start[(by_before ? st->edges[e].before : st->edges[e].after) + 1]++;
    for (size_t v = 0; v < st->n; v++)
        c->start[v + 1] += c->start[v];
    size_t *fill = malloc((st->n + 1) * sizeof *fill);
    if (!fill)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    memcpy(fill, c->start, st->n * sizeof *fill);
    for (size_t e = 0; e < st->nedges; e++)
        c->list[fill[by_before ? st->edges[e].before : st->edges[e].after]++] = e;
    free(fill);
    return 0;
}

static void free_csr(csr *c)
{
    free(c->start);
    free(c->list);
}

typedef struct els {
    bd_state *st;
    csr out, in;          /* edges by their `before`, by their `after` */
    char *alive;
    size_t *outdeg, *indeg;
    int64_t *score;
    uint64_t *stamp;
    size_t *sinks, nsinks, sinks_head;
    size_t *sources, nsources, sources_head;
    heap best;
    size_t *front, nfront; /* s1 */
    size_t *back, nback;   /* s2, built from the right (stored reversed) */
} els;

static int rescore(els *g, size_t v, int64_t delta, ota_error *err)
{
    g->score[v] += delta;
    g->stamp[v]++;
    /* the heap pops the smallest key: the largest score */
    return heap_push(&g->best, (heap_item){-g->score[v], v, v, g->stamp[v]}, err);
}

/* Removes v; its neighbours lose the edges to it. */
static int take(els *g, size_t v, ota_error *err)
{
    const bd_edge *E = g->st->edges;
    g->alive[v] = 0;
    for (size_t k = g->out.start[v]; k < g->out.start[v + 1]; k++) {
        const bd_edge *e = &E[g->out.list[k]];
        if (!g->alive[e->after])
            continue;
        if (rescore(g, e->after, (int64_t)e->weight, err) < 0)
            return -1;
        if (--g->indeg[e->after] == 0)
            g->sources[g->nsources++] = e->after;
    }
    for (size_t k = g->in.start[v]; k < g->in.start[v + 1]; k++) {
        const bd_edge *e = &E[g->in.list[k]];
        if (!g->alive[e->before])
            continue;
        if (rescore(g, e->before, -(int64_t)e->weight, err) < 0)
            return -1;
        if (--g->outdeg[e->before] == 0)
            g->sinks[g->nsinks++] = e->before;
    }
    return 0;
}

static int find_sequence(bd_state *st, ota_error *err)
{
    size_t n = st->n;
    els g = {.st = st};
    int rc = make_csr(st, 1, &g.out, err);
    if (rc == 0)
        rc = make_csr(st, 0, &g.in, err);
    g.alive = malloc(n + 1);
    g.outdeg = calloc(n + 1, sizeof *g.outdeg);
    g.indeg = calloc(n + 1, sizeof *g.indeg);
    g.score = calloc(n + 1, sizeof *g.score);
    g.stamp = calloc(n + 1, sizeof *g.stamp);
    /* a vertex enters each FIFO at most twice: at the start, and when its
     * last edge on that side goes */
    g.sinks = malloc((2 * n + 1) * sizeof *g.sinks);
    g.sources = malloc((2 * n + 1) * sizeof *g.sources);
    g.front = malloc((n + 1) * sizeof *g.front);
    g.back = malloc((n + 1) * sizeof *g.back);
    if (rc == 0 && (!g.alive || !g.outdeg || !g.indeg || !g.score || !g.stamp || !g.sinks ||
                    !g.sources || !g.front || !g.back))
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        memset(g.alive, 1, n);
        for (size_t e = 0; e < st->nedges; e++) {
            g.outdeg[st->edges[e].before]++;
            g.indeg[st->edges[e].after]++;
            g.score[st->edges[e].before] += (int64_t)st->edges[e].weight;
            g.score[st->edges[e].after] -= (int64_t)st->edges[e].weight;
        }
        for (size_t v = 0; v < n && rc == 0; v++) {
            if (g.outdeg[v] == 0)
                g.sinks[g.nsinks++] = v;
            if (g.indeg[v] == 0)
                g.sources[g.nsources++] = v;
            rc = heap_push(&g.best, (heap_item){-g.score[v], v, v, 0}, err);
        }
    }
    size_t left = n;
    while (rc == 0 && left > 0) {
        while (rc == 0 && g.sinks_head < g.nsinks) {
            size_t u = g.sinks[g.sinks_head++];
            if (!g.alive[u])
                continue;
            g.back[g.nback++] = u;
            left--;
            rc = take(&g, u, err);
        }
        while (rc == 0 && g.sources_head < g.nsources) {
            size_t u = g.sources[g.sources_head++];
            if (!g.alive[u])
                continue;
            g.front[g.nfront++] = u;
            left--;
            rc = take(&g, u, err);
        }
        if (rc < 0 || left == 0)
            break;
        heap_item it;
        do
            it = heap_pop(&g.best);
        while (!g.alive[it.v] || it.stamp != g.stamp[it.v]);
        g.front[g.nfront++] = it.v;
        left--;
        rc = take(&g, it.v, err);
    }
    if (rc == 0) {
        size_t k = 0;
        for (size_t i = 0; i < g.nfront; i++)
            st->seq[k++] = g.front[i];
        for (size_t i = g.nback; i-- > 0;)
            st->seq[k++] = g.back[i];
        for (size_t i = 0; i < n; i++)
            st->xf[st->seq[i]].order = i;
    }
    free_csr(&g.out);
    free_csr(&g.in);
    free(g.alive);
    free(g.outdeg);
    free(g.indeg);
    free(g.score);
    free(g.stamp);
    free(g.sinks);
    free(g.sources);
    free(g.front);
    free(g.back);
    free(g.best.a);
    return rc;
}

/* Backward edges become stashes, then point forward. */
static int reverse_backward_edges(bd_state *st, ota_error *err)
{
    /* in sequence order of the reader, so that stash ids follow the list */
    csr out = {0};
    int rc = make_csr(st, 1, &out, err);
    bi_rangeset overlap = {0};
    for (size_t i = 0; i < st->n && rc == 0; i++) {
        size_t v = st->seq[i];
        for (size_t k = out.start[v]; k < out.start[v + 1] && rc == 0; k++) {
            bd_edge *e = &st->edges[out.list[k]];
            bd_xf *reader = &st->xf[e->before], *writer = &st->xf[e->after];
            if (reader->order < writer->order)
                continue;
            if ((rc = bi_rangeset_intersect(&reader->src, &writer->tgt, &overlap, err)) < 0)
                break;
            size_t id = st->next_stash_id++;
            if ((rc = bd_stash_push(&writer->stash_before, id, &overlap, err)) < 0 ||
                (rc = bd_stash_push(&reader->use_stash, id, &overlap, err)) < 0)
                break;
            size_t t = e->before;
            e->before = e->after;
            e->after = t;
        }
    }
    bi_rangeset_free(&overlap);
    free_csr(&out);
    return rc;
}

static int64_t net_stash_change(const bd_xf *x)
{
    int64_t d = 0;
    for (size_t i = 0; i < x->stash_before.n; i++)
        d += (int64_t)x->stash_before.v[i].blocks.blocks;
    for (size_t i = 0; i < x->use_stash.n; i++)
        d -= (int64_t)x->use_stash.v[i].blocks.blocks;
    return d;
}

/* A topological sort that runs first, of the transfers ready, the one
 * leaving the least stashed (then the one earlier in the old sequence). */
static int improve_sequence(bd_state *st, ota_error *err)
{
    csr out = {0};
    size_t *indeg = calloc(st->n + 1, sizeof *indeg);
    heap ready = {0};
    int rc = indeg ? make_csr(st, 1, &out, err) : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t e = 0; e < st->nedges && rc == 0; e++)
        indeg[st->edges[e].after]++;
    for (size_t v = 0; v < st->n && rc == 0; v++)
        if (indeg[v] == 0)
            rc = heap_push(&ready, (heap_item){net_stash_change(&st->xf[v]), st->xf[v].order, v, 0},
                           err);
    size_t k = 0;
    while (rc == 0 && ready.n > 0) {
        size_t v = heap_pop(&ready).v;
        st->seq[k++] = v;
        for (size_t j = out.start[v]; j < out.start[v + 1] && rc == 0; j++) {
            size_t a = st->edges[out.list[j]].after;
            if (--indeg[a] == 0)
                rc = heap_push(&ready,
                               (heap_item){net_stash_change(&st->xf[a]), st->xf[a].order, a, 0},
                               err);
        }
    }
    if (rc == 0 && k != st->n)
        rc = ota_error_set(err, OTA_ERR_ARGS, "internal error: the transfer graph has a cycle");
    for (size_t i = 0; rc == 0 && i < st->n; i++)
        st->xf[st->seq[i]].order = i;
    free_csr(&out);
    free(indeg);
    free(ready.a);
    return rc;
}

int bd_order(bd_state *st, ota_error *err)
{
    st->seq = malloc((st->n + 1) * sizeof *st->seq);
    if (!st->seq)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    rt_progress_report(&st->opts->progress, "ordering", 0, 1);
    if (build_graph(st, err) < 0 || find_sequence(st, err) < 0 ||
        reverse_backward_edges(st, err) < 0 || improve_sequence(st, err) < 0)
        return -1;
    rt_progress_report(&st->opts->progress, "ordering", 1, 1);
    return 0;
}

static int ab_group(const bd_xf *x)
{
    switch (x->style) {
    case BD_NEW:
        return 0;
    case BD_ZERO:
        return 1;
    case BD_MOVE:
        return 2;
    default:
        return 3;
    }
}

static int cmp_ab(const void *a, const void *b, void *ctx)
{
    const bd_state *st = ctx;
    const bd_xf *x = &st->xf[*(const size_t *)a], *y = &st->xf[*(const size_t *)b];
    int gx = ab_group(x), gy = ab_group(y);
    if (gx != gy)
        return gx - gy;
    uint64_t bx = x->tgt.count ? x->tgt.ranges[0].begin : 0;
    uint64_t by = y->tgt.count ? y->tgt.ranges[0].begin : 0;
    return (bx > by) - (bx < by);
}

int bd_order_ab(bd_state *st, ota_error *err)
{
    st->seq = malloc((st->n + 1) * sizeof *st->seq);
    if (!st->seq)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < st->n; i++)
        st->seq[i] = i;
    qsort_r(st->seq, st->n, sizeof *st->seq, cmp_ab, st);
    for (size_t i = 0; i < st->n; i++)
        st->xf[st->seq[i]].order = i;
    return 0;
}
