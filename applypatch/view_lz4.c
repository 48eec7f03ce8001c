/* LZ4 as an expand_view decoder.  liblz4's block decoder wants a block's
 * whole output in memory (8 MiB for the kernel's legacy blocks); this one
 * is a state machine that makes any number of bytes at a time and keeps
 * only LZ4's 64 KiB window, so random access to a kernel costs the view's
 * history and no more.
 *
 * Output is made in a linear buffer that holds the window followed by
 * fresh bytes (slid back when full), so matches copy within one buffer as
 * in liblz4.  Sequences that lie wholly in the input buffer take a fast
 * path with fixed-size copies (the buffers keep slack for their
 * overshoot); the rest go through the state machine byte by byte.
 *
 * Checkpoints: block starts (legacy blocks and independent frame blocks
 * need nothing more), and any sequence start or the middle of a match
 * (with the 64 KiB window) -- so a kernel whose 8 MiB blocks are one long
 * stretch each can still be entered every couple of megabytes. */
#include "applypatch/view_codecs.h"

#include <stdlib.h>
#include <string.h>

#include "applypatch/lz4_stream.h"

#define WINDOW (64u * 1024)
#define INBUF (64u * 1024)
#define CHUNK (256u * 1024)
#define SLACK 64u /* fixed-size copies may write this far past their end */
#define LIN_DATA (WINDOW + CHUNK)

enum container_state { C_HEADER, C_BLOCK_HEADER, C_BLOCK, C_STORED, C_END };
enum block_state { B_TOKEN, B_LITLEN, B_LITERALS, B_OFFSET, B_MATCHLEN, B_MATCH };

/* frame flags kept across blocks (and in checkpoints) */
#define F_FRAME 1u
#define F_LINKED 2u
#define F_BLOCK_SUM 4u
#define F_CONTENT_SUM 8u

struct view_lz4 {
    const patch_input *in;
    uint64_t start, len, consumed; /* consumed: bytes of the range taken */
    uint8_t *inbuf;
    size_t in_pos, in_fill;
    int cstate, bstate;
    uint32_t flags;
    uint64_t block_left, block_out, block_max; /* compressed left; made; allowed */
    uint32_t lit_left, match_left, offset;
    int offset_bytes;
    uint8_t *lin;       /* history, then new output */
    size_t lin_pos;     /* where the next byte goes */
    uint64_t win_total; /* bytes made since the window was last reset */
    int stop;           /* the view wants a restart point soon */
};

static int more_input(view_lz4 *d, ota_error *err)
{
    uint64_t left = d->len - d->consumed;
    if (left == 0)
        return 0;
    size_t n = left < INBUF ? (size_t)left : INBUF;
    uint64_t at = d->start + d->consumed;
    if (d->in->data)
        memcpy(d->inbuf, d->in->data + at, n);
    else if (d->in->read(d->in->ctx, at, d->inbuf, n, err) < 0)
        return -1;
    d->in_pos = 0;
    d->in_fill = n;
    return 1;
}

/* Takes n bytes of input (the caller has seen them in the buffer). */
static void take(view_lz4 *d, size_t n)
{
    d->in_pos += n;
    d->consumed += n;
}

/* The next byte of the range: 1, 0 at its end, -1 on a read error. */
static int get_byte(view_lz4 *d, uint8_t *b, ota_error *err)
{
    if (d->in_pos == d->in_fill) {
        int r = more_input(d, err);
        if (r <= 0)
            return r;
    }
    *b = d->inbuf[d->in_pos];
    take(d, 1);
    return 1;
}

static int get_bytes(view_lz4 *d, uint8_t *out, size_t n, ota_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int r = get_byte(d, &out[i], err);
        if (r < 0)
            return -1;
        if (r == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 stream ends inside a header");
    }
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A stream header: the legacy magic, or a frame's magic and descriptor. */
static int read_stream_header(view_lz4 *d, ota_error *err)
{
    uint8_t h[4];
    if (get_bytes(d, h, 4, err) < 0)
        return -1;
    if (le32(h) == LZ4_LEGACY_MAGIC) {
        d->flags = 0;
        d->cstate = C_BLOCK_HEADER;
        return 0;
    }
    if (le32(h) != LZ4_FRAME_MAGIC)
        return ota_error_set(err, OTA_ERR_FORMAT, "not an LZ4 stream (magic %08x)", le32(h));
    uint8_t fd[2], skip[8];
    if (get_bytes(d, fd, 2, err) < 0)
        return -1;
    lz4_params p = {.kind = LZ4_KIND_FRAME, .frame = fd[0] | (uint32_t)fd[1] << 8};
    if (lz4_params_check(&p, err) < 0)
        return -1;
    d->flags = F_FRAME | ((fd[0] & 0x20) ? 0 : F_LINKED) | ((fd[0] & 0x10) ? F_BLOCK_SUM : 0) |
               ((fd[0] & 0x04) ? F_CONTENT_SUM : 0);
    d->block_max = (uint64_t)1 << (8 + 2 * ((fd[1] >> 4) & 7));
    if ((fd[0] & 0x08) && get_bytes(d, skip, 8, err) < 0) /* content size */
        return -1;
    if (get_bytes(d, skip, 1, err) < 0) /* header checksum */
        return -1;
    d->win_total = 0;
    d->cstate = C_BLOCK_HEADER;
    return 0;
}

/* A block's 4-byte size, or the end of a frame or legacy stream. */
static int read_block_header(view_lz4 *d, ota_error *err)
{
    if (d->consumed == d->len) {
        if (d->flags & F_FRAME)
            return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 frame ends without its end mark");
        d->cstate = C_END;
        return 0;
    }
    uint8_t h[4];
    if (get_bytes(d, h, 4, err) < 0)
        return -1;
    uint32_t size = le32(h);
    if (!(d->flags & F_FRAME)) {
        if (size == LZ4_LEGACY_MAGIC) /* another legacy stream follows */
            return 0;
        d->block_max = LZ4_LEGACY_BLOCK;
        d->win_total = 0; /* legacy blocks stand alone */
    } else if (size == 0) {
        uint8_t sum[4];
        if ((d->flags & F_CONTENT_SUM) && get_bytes(d, sum, 4, err) < 0)
            return -1;
        d->cstate = d->consumed == d->len ? C_END : C_HEADER; /* frames may follow */
        return 0;
    } else if (!(d->flags & F_LINKED)) {
        d->win_total = 0;
    }
    uint32_t csize = size & 0x7fffffffu;
    if (csize == 0 || csize > d->len - d->consumed)
        return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 block of %u bytes at %llu runs past the stream",
                             csize, (unsigned long long)(d->consumed - 4));
    d->block_left = csize;
    d->block_out = 0;
    d->bstate = B_TOKEN;
    d->cstate = (d->flags & F_FRAME) && (size & 0x80000000u) ? C_STORED : C_BLOCK;
    return 0;
}

static int end_block(view_lz4 *d, ota_error *err)
{
    uint8_t sum[4];
    if ((d->flags & F_BLOCK_SUM) && get_bytes(d, sum, 4, err) < 0)
        return -1;
    d->cstate = C_BLOCK_HEADER;
    return 0;
}

/* One byte of the current block's compressed data. */
static int block_byte(view_lz4 *d, uint8_t *b, ota_error *err)
{
    if (d->block_left == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 block ends inside a sequence");
    int r = get_byte(d, b, err);
    if (r < 0)
        return -1;
    if (r == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 stream ends inside a block");
    d->block_left--;
    return 0;
}

/* Counts n more bytes of output against the block's limit. */
static int block_room(view_lz4 *d, size_t n, ota_error *err)
{
    if (n > d->block_max - d->block_out)
        return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 block expands past %llu bytes",
                             (unsigned long long)d->block_max);
    d->block_out += n;
    return 0;
}

/* n bytes of a match `offset` back, at dst (the window is just before). */
static void copy_match(uint8_t *dst, size_t n, uint32_t offset, int may_overshoot)
{
    const uint8_t *ref = dst - offset;
    if (offset >= 16 && may_overshoot) {
        for (size_t i = 0; i < n; i += 16)
            memcpy(dst + i, ref + i, 16); /* each piece reads bytes already made */
    } else if (offset >= n) {
        memcpy(dst, ref, n);
    } else if (offset == 1) {
        memset(dst, ref[0], n);
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i] = ref[i];
    }
}

static void made(view_lz4 *d, size_t n)
{
    d->lin_pos += n;
    d->win_total += n;
}

/* Whole sequences at a time, while one lies wholly in the input buffer
 * and fits before lim: the fast path, taken for nearly all sequences. */
static int fast_sequences(view_lz4 *d, size_t lim, ota_error *err)
{
    while (d->cstate == C_BLOCK && d->bstate == B_TOKEN && d->block_left > 0) {
        size_t avail = d->in_fill - d->in_pos;
        if (avail > d->block_left)
            avail = (size_t)d->block_left;
        const uint8_t *start = d->inbuf + d->in_pos, *p = start, *end = start + avail;
        if (p == end)
            return 0;
        uint8_t token = *p++;
        size_t lit = token >> 4, mlen = (token & 15u) + 4;
        if (lit == 15) {
            uint8_t b;
            do {
                if (p == end)
                    return 0;
                b = *p++;
                lit += b;
            } while (b == 255 && lit < (1u << 30));
        }
        if ((size_t)(end - p) < lit)
            return 0;
        const uint8_t *lits = p;
        p += lit;
        int last = (size_t)(p - start) == d->block_left; /* the block's last sequence */
        uint32_t offset = 0;
        if (last) {
            mlen = 0;
        } else {
            if (end - p < 2)
                return 0;
            offset = p[0] | (uint32_t)p[1] << 8;
            p += 2;
            if (mlen == 19) {
                uint8_t b;
                do {
                    if (p == end)
                        return 0;
                    b = *p++;
                    mlen += b;
                } while (b == 255 && mlen < (1u << 30));
            }
            if (offset == 0 || offset > d->win_total + lit)
                return 0; /* the state machine reports it */
        }
        if (lit + mlen > lim - d->lin_pos || lit + mlen > d->block_max - d->block_out)
            return 0; /* the state machine goes on, or reports it */
        size_t used = (size_t)(p - start);
        take(d, used);
        d->block_left -= used;
        d->block_out += lit + mlen;
        uint8_t *dst = d->lin + d->lin_pos;
        if (lit <= 16)
            memcpy(dst, lits, 16); /* the buffers have slack for the rest */
        else
            memcpy(dst, lits, lit);
        made(d, lit);
        if (last)
            return end_block(d, err);
        copy_match(dst + lit, mlen, offset, 1);
        made(d, mlen);
        if (d->stop)
            return 0;
    }
    return 0;
}

/* Decodes the current block until lin_pos reaches lim or the block ends. */
static int decode_block(view_lz4 *d, size_t lim, ota_error *err)
{
    uint8_t b;
    if (fast_sequences(d, lim, err) < 0)
        return -1;
    while (d->lin_pos < lim && (d->cstate == C_BLOCK || d->cstate == C_STORED)) {
        if (d->cstate == C_STORED || d->bstate == B_LITERALS) {
            uint64_t want = d->cstate == C_STORED ? d->block_left : d->lit_left;
            if (want == 0) {
                if (d->cstate == C_STORED || d->block_left == 0)
                    return end_block(d, err); /* the last sequence has no match */
                d->offset = 0;
                d->offset_bytes = 0;
                d->bstate = B_OFFSET;
                continue;
            }
            if (d->in_pos == d->in_fill) {
                int r = more_input(d, err);
                if (r < 0)
                    return -1;
                if (r == 0)
                    return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 stream ends inside a block");
            }
            size_t n = d->in_fill - d->in_pos;
            if (n > want)
                n = (size_t)want;
            if (n > d->block_left)
                n = (size_t)d->block_left;
            if (n > lim - d->lin_pos)
                n = lim - d->lin_pos;
            if (n == 0)
                return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 block ends inside its literals");
            if (block_room(d, n, err) < 0)
                return -1;
            memcpy(d->lin + d->lin_pos, d->inbuf + d->in_pos, n);
            take(d, n);
            made(d, n);
            d->block_left -= n;
            if (d->cstate == C_BLOCK)
                d->lit_left -= (uint32_t)n;
            continue;
        }
        switch (d->bstate) {
        case B_TOKEN:
            if (block_byte(d, &b, err) < 0)
                return -1;
            d->lit_left = b >> 4;
            d->match_left = (b & 15u) + 4;
            d->bstate = d->lit_left == 15 ? B_LITLEN : B_LITERALS;
            break;
        case B_LITLEN:
            if (block_byte(d, &b, err) < 0)
                return -1;
            if (d->lit_left > (1u << 30))
                return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 literal run too long");
            d->lit_left += b;
            if (b != 255)
                d->bstate = B_LITERALS;
            break;
        case B_OFFSET:
            if (block_byte(d, &b, err) < 0)
                return -1;
            d->offset |= (uint32_t)b << (8 * d->offset_bytes++);
            if (d->offset_bytes == 2) {
                if (d->offset == 0 || d->offset > d->win_total)
                    return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 match offset %u reaches before the data",
                                         d->offset);
                d->bstate = d->match_left == 19 ? B_MATCHLEN : B_MATCH;
            }
            break;
        case B_MATCHLEN:
            if (block_byte(d, &b, err) < 0)
                return -1;
            if (d->match_left > (1u << 30))
                return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 match too long");
            d->match_left += b;
            if (b != 255)
                d->bstate = B_MATCH;
            break;
        case B_MATCH: {
            if (d->match_left == 0) {
                d->bstate = B_TOKEN;
                if (d->stop)
                    return 0;
                if (fast_sequences(d, lim, err) < 0)
                    return -1;
                break;
            }
            size_t n = lim - d->lin_pos < d->match_left ? lim - d->lin_pos : d->match_left;
            if (block_room(d, n, err) < 0)
                return -1;
            copy_match(d->lin + d->lin_pos, n, d->offset, 0);
            made(d, n);
            d->match_left -= (uint32_t)n;
            if (d->stop)
                return 0; /* a long match can be resumed from its middle */
            break;
        }
        default: break;
        }
    }
    return 0;
}

/* Makes room for fresh output after the window. */
static void slide(view_lz4 *d)
{
    if (d->lin_pos <= WINDOW)
        return;
    memmove(d->lin, d->lin + d->lin_pos - WINDOW, WINDOW);
    d->lin_pos = WINDOW;
}

static int lz4_decode(void *ctx, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err)
{
    view_lz4 *d = ctx;
    *got = 0;
    d->stop = stop; /* then return at the first restart point */
    while (*got < len && d->cstate != C_END) {
        if (d->stop && *got > 0 && d->cstate == C_BLOCK && (d->bstate == B_TOKEN || d->bstate == B_MATCH))
            return 0;
        int rc = 0;
        switch (d->cstate) {
        case C_HEADER: rc = read_stream_header(d, err); break;
        case C_BLOCK_HEADER:
            /* Stop at a block boundary, where the view may want a checkpoint. */
            if (*got > 0)
                return 0;
            rc = read_block_header(d, err);
            break;
        default: {
            if (LIN_DATA - d->lin_pos < CHUNK / 4)
                slide(d);
            size_t before = d->lin_pos, lim = LIN_DATA;
            if (lim - before > len - *got)
                lim = before + (len - *got);
            rc = decode_block(d, lim, err);
            memcpy(out + *got, d->lin + before, d->lin_pos - before);
            *got += d->lin_pos - before;
            break;
        }
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* A checkpoint's state word: the frame flags, the block size in 64 KiB
 * units, and where in a block it stands. */
#define CP_IN_BLOCK (1u << 31)
#define CP_IN_MATCH (1u << 30)

static int lz4_restart(void *ctx, const view_checkpoint *cp, ota_error *err)
{
    view_lz4 *d = ctx;
    (void)err;
    if (cp && cp->in_pos == 0)
        cp = NULL; /* the stream's start: its header comes first */
    d->in_pos = d->in_fill = 0;
    d->consumed = cp ? cp->in_pos : 0;
    d->cstate = !cp ? C_HEADER : (cp->state & CP_IN_BLOCK) ? C_BLOCK : C_BLOCK_HEADER;
    d->bstate = cp && (cp->state & CP_IN_MATCH) ? B_MATCH : B_TOKEN;
    d->flags = cp ? cp->state & 0xff : 0;
    d->block_max = cp ? (uint64_t)((cp->state >> 8) & 0x3fffff) << 16 : LZ4_LEGACY_BLOCK;
    d->block_left = cp ? cp->aux[0] : 0;
    d->block_out = cp ? cp->aux[1] & 0xffffffffu : 0;
    d->match_left = cp ? (uint32_t)(cp->aux[1] >> 32) : 0;
    d->offset = cp ? (uint32_t)cp->bits : 0;
    d->win_total = 0;
    d->lin_pos = 0;
    if (cp && cp->window_len) {
        memcpy(d->lin, cp->window, cp->window_len);
        d->lin_pos = cp->window_len;
        d->win_total = cp->window_len;
    }
    return 0;
}

static int lz4_checkpoint(void *ctx, view_checkpoint *cp, ota_error *err)
{
    view_lz4 *d = ctx;
    if (d->cstate == C_HEADER && d->consumed == 0) {
        cp->in_pos = 0;
        cp->state = 0;
        return 1;
    }
    int in_block = d->cstate == C_BLOCK && (d->bstate == B_TOKEN || d->bstate == B_MATCH);
    if (d->cstate != C_BLOCK_HEADER && !in_block)
        return 0;
    cp->in_pos = d->consumed;
    cp->state = d->flags | (uint32_t)(d->block_max >> 16) << 8 | (in_block ? CP_IN_BLOCK : 0) |
                (in_block && d->bstate == B_MATCH ? CP_IN_MATCH : 0);
    cp->aux[0] = d->block_left;
    cp->aux[1] = d->block_out | (uint64_t)d->match_left << 32;
    cp->bits = (int)d->offset;
    /* The window matters inside a block, and across linked frame blocks. */
    size_t n = d->win_total < WINDOW ? (size_t)d->win_total : WINDOW;
    if ((in_block || (d->flags & F_LINKED)) && n) {
        cp->window = malloc(n);
        if (!cp->window)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an LZ4 checkpoint");
        memcpy(cp->window, d->lin + d->lin_pos - n, n);
        cp->window_len = n;
    }
    return 1;
}

const view_decoder view_lz4_ops = {lz4_restart, lz4_decode, lz4_checkpoint, 0};

view_lz4 *view_lz4_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err)
{
    view_lz4 *d = calloc(1, sizeof *d);
    if (d) {
        /* zeroed: the fixed-size copies read (and ignore) bytes past the data */
        d->lin = calloc(1, LIN_DATA + SLACK);
        d->inbuf = calloc(1, INBUF + SLACK);
    }
    if (!d || !d->lin || !d->inbuf) {
        view_lz4_free(d);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an LZ4 decoder");
        return NULL;
    }
    d->in = in;
    d->start = start;
    d->len = len;
    return d;
}

void view_lz4_free(view_lz4 *d)
{
    if (!d)
        return;
    free(d->lin);
    free(d->inbuf);
    free(d);
}
