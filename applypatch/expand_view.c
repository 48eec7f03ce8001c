/* The expansion of a compressed range as a random-access input (see
 * expand_view.h).  Bounded mode holds VIEW_PAGES pages of decoded data and
 * a fixed number of restart points, whatever the expansion's size. */
#include "applypatch/expand_view.h"

#include <stdlib.h>
#include <string.h>

#define NO_PAGE UINT64_MAX

static void drop_checkpoints(expand_view *v)
{
    for (int i = 0; i < v->n_cps; i++)
        free(v->cps[i].window);
    v->n_cps = v->n_fixed = 0;
    free(v->cps);
    free(v->cp_used);
    v->cps = NULL;
    v->cp_used = NULL;
}

/* Decodes at most `want` bytes to out (stopping early at a restart point
 * when `stop`); the stream ending early is an error. */
static int decode(expand_view *v, uint8_t *out, size_t want, int stop, size_t *got, ota_error *err)
{
    if (v->ops->decode(v->dec, out, want, stop, got, err) < 0) {
        ota_error_prefix(err, "%s: expanding the source", v->what);
        return -1;
    }
    if (*got > v->size - v->pos)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: source expands to more than the %llu bytes the patch says",
                             v->what, (unsigned long long)v->size);
    v->pos += *got;
    return 0;
}

/* Saves a checkpoint here if the decoder stands at a restart point:
 * 1 saved, 0 not here.  A fixed one takes a new slot; a recent one a free
 * slot, else the least recently used recent one's. */
static int add_checkpoint(expand_view *v, int fixed, ota_error *err)
{
    view_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    int at = v->ops->checkpoint(v->dec, &cp, err);
    if (at <= 0)
        return at;
    cp.out_pos = v->pos;
    int slot = v->n_cps;
    if (!fixed && v->n_cps == v->max_cps) {
        slot = v->n_fixed;
        for (int i = v->n_fixed; i < v->n_cps; i++)
            if (v->cp_used[i] < v->cp_used[slot])
                slot = i;
        free(v->cps[slot].window);
    } else {
        v->n_cps++;
        v->n_fixed += fixed;
    }
    v->cps[slot] = cp;
    v->cp_used[slot] = ++v->tick;
    return 1;
}

/* The last checkpoint at or before off, or -1. */
static int checkpoint_before(const expand_view *v, uint64_t off)
{
    int best = -1;
    for (int i = 0; i < v->n_cps; i++)
        if (v->cps[i].out_pos <= off && (best < 0 || v->cps[i].out_pos > v->cps[best].out_pos))
            best = i;
    return best;
}

/* Decodes the whole stream once from the start into scratch: checks its
 * length and, in bounded mode, saves a checkpoint at the first restart
 * point past each spacing mark. */
static int first_pass(expand_view *v, uint8_t *scratch, size_t scratch_len, ota_error *err)
{
    if (v->ops->restart(v->dec, NULL, err) < 0)
        return -1;
    uint64_t spacing = v->whole ? 0 : v->size / (uint64_t)v->max_fixed + 1, next_mark = 0;
    for (;;) {
        int due = !v->whole && v->pos >= next_mark && v->n_cps < v->max_fixed;
        if (due) {
            int at = add_checkpoint(v, 1, err);
            if (at < 0)
                return -1;
            if (at) {
                next_mark = v->pos + spacing;
                due = 0;
            }
        }
        size_t got;
        uint8_t *out = v->whole ? scratch + v->pos : scratch;
        size_t room = v->whole ? (size_t)(v->size - v->pos) + 1 : scratch_len;
        /* no further than the next mark, where the next checkpoint goes */
        if (!v->whole && !due && v->n_cps < v->max_fixed && next_mark - v->pos < room)
            room = (size_t)(next_mark - v->pos);
        if (decode(v, out, room, due, &got, err) < 0)
            return -1;
        if (got == 0)
            break;
    }
    if (v->pos != v->size)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: source expands to %llu bytes, the patch says %llu", v->what,
                             (unsigned long long)v->pos, (unsigned long long)v->size);
    return 0;
}

/* Restarts the decoder from checkpoint i. */
static int restart_at(expand_view *v, int i, ota_error *err)
{
    if (v->ops->restart(v->dec, &v->cps[i], err) < 0) {
        ota_error_prefix(err, "%s: restarting the source expansion", v->what);
        return -1;
    }
    v->pos = v->cps[i].out_pos;
    v->cp_used[i] = ++v->tick;
    return 0;
}

/* Decodes until the decoder stands at `until`, writing into buf (at most
 * len bytes a time), leaving recent checkpoints on the way. */
static int decode_to(expand_view *v, uint64_t until, uint8_t *buf, size_t len, ota_error *err)
{
    while (v->pos < until) {
        int near = checkpoint_before(v, v->pos);
        int due = near < 0 || v->pos - v->cps[near].out_pos >= v->spacing;
        if (due) {
            int at = add_checkpoint(v, 0, err);
            if (at < 0)
                return -1;
            due = !at;
        }
        size_t got, want = until - v->pos < len ? (size_t)(until - v->pos) : len;
        if (decode(v, buf, want, due, &got, err) < 0)
            return -1;
        if (got == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: source expansion ends at %llu, before %llu", v->what,
                                 (unsigned long long)v->pos, (unsigned long long)until);
        buf += got;
        len -= got;
    }
    return 0;
}

/* Makes page p in slot s: from where the decoder stands when that is at
 * or before the page and no checkpoint is nearer, else from the nearest
 * checkpoint. */
static int fill_page(expand_view *v, uint64_t p, int s, ota_error *err)
{
    uint8_t *slot = v->pages + (size_t)s * VIEW_PAGE;
    uint64_t start = p * VIEW_PAGE, end = start + VIEW_PAGE < v->size ? start + VIEW_PAGE : v->size;
    v->page_of[s] = NO_PAGE;
    int cp = checkpoint_before(v, start);
    if (cp < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: no restart point before offset %llu", v->what,
                             (unsigned long long)start);
    if ((v->pos > start || v->cps[cp].out_pos > v->pos) && restart_at(v, cp, err) < 0)
        return -1;
    /* up to the page (the slot is scratch until then), then the page */
    while (v->pos < start)
        if (decode_to(v, start - v->pos > VIEW_PAGE ? v->pos + VIEW_PAGE : start, slot, VIEW_PAGE, err) < 0)
            return -1;
    if (decode_to(v, end, slot, VIEW_PAGE, err) < 0)
        return -1;
    v->page_of[s] = p;
    v->page_map[p % VIEW_PAGE_MAP] = (int16_t)s;
    return 0;
}

/* The slot holding page p, made when it is not cached. */
static int page_slot(expand_view *v, uint64_t p, ota_error *err)
{
    int s = v->page_map[p % VIEW_PAGE_MAP];
    if (s >= 0 && v->page_of[s] == p)
        return s;
    s = v->clock;
    v->clock = (v->clock + 1) % VIEW_PAGES;
    return fill_page(v, p, s, err) < 0 ? -1 : s;
}

static int view_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    expand_view *v = ctx;
    uint8_t *out = buf;
    /* The part in the tail (bonus data) comes from there. */
    if (off + len > v->size) {
        uint64_t start = off > v->size ? off : v->size;
        size_t n = (size_t)(off + len - start);
        if (patch_input_read(v->tail, start - v->size, out + (start - off), n, err) < 0)
            return -1;
        len -= n;
    }
    while (len > 0) {
        uint64_t p = off / VIEW_PAGE;
        int s = page_slot(v, p, err);
        if (s < 0)
            return -1;
        size_t at = (size_t)(off - p * VIEW_PAGE), n = VIEW_PAGE - at < len ? VIEW_PAGE - at : len;
        memcpy(out, v->pages + (size_t)s * VIEW_PAGE + at, n);
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}

int expand_view_open(expand_view *v, const view_decoder *ops, void *dec, uint64_t size,
                     const patch_input *tail, uint64_t expand_limit, const char *what,
                     ota_error *err)
{
    memset(v, 0, sizeof *v);
    v->ops = ops;
    v->dec = dec;
    v->what = what;
    v->size = size;
    v->tail = tail;
    uint64_t tail_len = tail ? tail->size : 0;
    if (size > UINT64_MAX - tail_len)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: expanded size overflows", what);
    v->whole = size + tail_len <= expand_limit && size + tail_len < SIZE_MAX / 2;
    if (v->whole) {
        v->whole_buf = malloc((size_t)(size + tail_len) + 1);
        if (!v->whole_buf)
            return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory for %llu bytes of expanded source", what,
                                 (unsigned long long)(size + tail_len));
        if (first_pass(v, v->whole_buf, 0, err) < 0 ||
            (tail_len && patch_input_read(tail, 0, v->whole_buf + size, (size_t)tail_len, err) < 0))
            goto fail;
        patch_input_memory(&v->input, v->whole_buf, (size_t)(size + tail_len));
        return 0;
    }
    v->max_cps = ops->windowless ? VIEW_CHEAP_CHECKPOINTS : VIEW_CHECKPOINTS;
    v->max_fixed = ops->windowless ? VIEW_CHEAP_FIXED : VIEW_FIXED_CHECKPOINTS;
    v->spacing = ops->windowless ? VIEW_CHEAP_SPACING : VIEW_RECENT_SPACING;
    v->pages = malloc((size_t)VIEW_PAGES * VIEW_PAGE);
    v->cps = calloc((size_t)v->max_cps, sizeof *v->cps);
    v->cp_used = calloc((size_t)v->max_cps, sizeof *v->cp_used);
    if (!v->pages || !v->cps || !v->cp_used) {
        ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory for the expanded source's pages", what);
        goto fail;
    }
    if (first_pass(v, v->pages, (size_t)VIEW_PAGES * VIEW_PAGE, err) < 0)
        goto fail;
    for (int i = 0; i < VIEW_PAGES; i++)
        v->page_of[i] = NO_PAGE; /* the first pass used them as scratch */
    memset(v->page_map, 0xff, sizeof v->page_map);
    v->input = (patch_input){.size = size + tail_len, .read = view_read, .ctx = v};
    return 0;
fail:
    expand_view_close(v);
    return -1;
}

void expand_view_close(expand_view *v)
{
    drop_checkpoints(v);
    free(v->whole_buf);
    free(v->pages);
    v->whole_buf = v->pages = NULL;
}
