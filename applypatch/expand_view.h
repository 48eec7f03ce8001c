/* Random access to the expansion of a compressed range, in bounded memory.
 * bspatch reads its source at the offsets the control triples say; when
 * that source is compressed data seen expanded (an IMGDIFF deflate chunk,
 * an LZ4 kernel, a re-encoded deflate stream), the view decodes it on
 * demand into a small cache of pages: a page not cached is made by the
 * decoder, continued when it stands before the page, else restarted from
 * the nearest checkpoint.  A first pass over the whole range checks its
 * length and spreads checkpoints over it, before any output; later reads
 * leave more checkpoints where they go, so the jumps a patch makes (mostly
 * short excursions) restart close by.
 *
 * When the expansion is small enough (expand_limit), it is simply decoded
 * whole into memory: the fast path for callers that hold everything in
 * memory anyway. */
#ifndef APPLYPATCH_EXPAND_VIEW_H
#define APPLYPATCH_EXPAND_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/patch_stream.h"
#include "otautil/error.h"

/* Where a decoder can start again: the expanded offset, the compressed
 * position (bytes, plus bits of the byte before that are still unused),
 * and the history the decoder needs (deflate: its 32 KiB window; LZ4: its
 * 64 KiB window). */
typedef struct view_checkpoint {
    uint64_t out_pos;
    uint64_t in_pos;
    int bits;        /* unused bits of the byte at in_pos - 1 (0..7) */
    uint32_t state;  /* the decoder's own (LZ4: the frame's flags) */
    uint64_t aux[2]; /* likewise (LZ4: where it stands in a block) */
    uint8_t *window; /* malloc'd, or NULL */
    size_t window_len;
} view_checkpoint;

/* One compressed format's decoder, as the view drives it. */
typedef struct view_decoder {
    /* (Re)starts at cp, or at the stream's beginning when cp is NULL. */
    int (*restart)(void *dec, const view_checkpoint *cp, ota_error *err);
    /* Makes up to len bytes (*got); *got == 0 only at the stream's end.
     * With `stop`, returns at the first point it could restart from once
     * it made some bytes, so the view can place a checkpoint there. */
    int (*decode)(void *dec, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err);
    /* When the decoder stands at a point it can restart from, fills cp
     * (out_pos is the view's) and returns 1; else 0; -1 on failure. */
    int (*checkpoint)(void *dec, view_checkpoint *cp, ota_error *err);
    /* Nonzero when checkpoints carry no window (a few bytes each): the
     * view then keeps many, closely spaced. */
    int windowless;
} view_decoder;

/* Bounded mode: a cache of VIEW_PAGES pages of VIEW_PAGE bytes (1 MiB),
 * and restart points: for decoders with windows, VIEW_CHECKPOINTS, of
 * which VIEW_FIXED_CHECKPOINTS are spread evenly by the first pass and the
 * rest placed every VIEW_RECENT_SPACING bytes along later decoding (the
 * least recently used go first); for windowless decoders, VIEW_CHEAP_*
 * likewise. */
#define VIEW_PAGE 4096u
#define VIEW_PAGES 256
#define VIEW_PAGE_MAP 1024 /* page number -> slot, a hint checked on use */
#define VIEW_CHECKPOINTS 48
#define VIEW_FIXED_CHECKPOINTS 32
#define VIEW_RECENT_SPACING (256u * 1024)
#define VIEW_CHEAP_CHECKPOINTS 4096
#define VIEW_CHEAP_FIXED 2048
#define VIEW_CHEAP_SPACING (4u * 1024)

typedef struct expand_view {
    patch_input input; /* what readers use: the expansion, then the tail */
    const view_decoder *ops;
    void *dec;
    const char *what;  /* "IMGDIFF2 chunk 3": for messages */
    uint64_t size;     /* the expansion's length, without the tail */
    const patch_input *tail;
    int whole;         /* everything is in `whole_buf` */
    uint8_t *whole_buf;
    uint64_t pos;      /* expanded bytes the decoder has made */
    uint8_t *pages;
    uint64_t page_of[VIEW_PAGES];
    int16_t page_map[VIEW_PAGE_MAP];
    int clock; /* the next slot to reuse */
    view_checkpoint *cps;
    uint64_t *cp_used;
    int n_cps, n_fixed, max_cps, max_fixed;
    uint64_t spacing; /* between recent checkpoints */
    uint64_t tick;
} expand_view;

/* Opens a view of `size` expanded bytes made by ops/dec, followed by the
 * bytes of `tail` (may be NULL).  Decodes everything once: into memory
 * when size + tail <= expand_limit, else placing checkpoints.  A stream
 * that expands to more or fewer than `size` bytes is an error. */
int expand_view_open(expand_view *v, const view_decoder *ops, void *dec, uint64_t size,
                     const patch_input *tail, uint64_t expand_limit, const char *what,
                     ota_error *err);
void expand_view_close(expand_view *v);

#endif
