/* Puff -> deflate (format in puff.h): takes the puffed bytes in pieces of
 * any size, as bspatch makes them, and writes the deflate bits they stand
 * for: the same block headers (the recorded code lengths, coded as they
 * were), the same symbols with the canonical codes of those lengths, the
 * same padding.  Malformed puffed data is an error, never a guess. */
#include "applypatch/puff.h"

#include <stdlib.h>
#include <string.h>

#define OUTBUF (64u * 1024)

enum { H_BLOCK, H_STORED_HDR, H_STORED_DATA, H_DYN_HDR, H_BODY, H_RUN, H_MATCH, H_END_PAD, H_DONE };


/* Codes ready to write: bit-reversed (deflate sends Huffman codes from
 * their top bit first), with their lengths (0: no code). */
typedef struct codes {
    uint16_t code[288];
    uint8_t len[288];
} codes;

struct huffer {
    ota_sink_fn sink;
    void *sink_ctx;
    uint64_t bitbuf;
    int bitcnt;
    uint8_t out[OUTBUF];
    size_t out_len;
    int state, final;
    uint8_t acc[1024]; /* a record being gathered */
    size_t acc_len;
    uint32_t left; /* literals of a run, or stored bytes, still to come */
    codes lit, dist;
};

static int flush_out(huffer *h, ota_error *err)
{
    if (h->out_len && h->sink(h->sink_ctx, h->out, h->out_len, err) < 0)
        return -1;
    h->out_len = 0;
    return 0;
}

static int put(huffer *h, uint32_t v, int n, ota_error *err)
{
    h->bitbuf |= (uint64_t)v << h->bitcnt;
    h->bitcnt += n;
    while (h->bitcnt >= 8) {
        h->out[h->out_len++] = (uint8_t)h->bitbuf;
        h->bitbuf >>= 8;
        h->bitcnt -= 8;
        if (h->out_len == OUTBUF && flush_out(h, err) < 0)
            return -1;
    }
    return 0;
}

static int bad(ota_error *err, const char *what)
{
    return ota_error_set(err, OTA_ERR_FORMAT, "puffed data is malformed: %s", what);
}

/* Canonical codes for lengths; -1 when the lengths over-subscribe. */
static int make_codes(codes *c, const uint8_t *lengths, int n)
{
    uint16_t count[16] = {0}, next[16];
    memset(c, 0, sizeof *c);
    for (int s = 0; s < n; s++)
        count[lengths[s]]++;
    count[0] = 0;
    int code = 0, left = 1;
    for (int len = 1; len < 16; len++) {
        left = (left << 1) - count[len];
        if (left < 0)
            return -1;
        code = (code + count[len - 1]) << 1;
        next[len] = (uint16_t)code;
    }
    for (int s = 0; s < n; s++) {
        int len = lengths[s];
        if (!len)
            continue;
        uint16_t v = next[len]++, r = 0;
        for (int b = 0; b < len; b++)
            r = (uint16_t)(r << 1 | ((v >> b) & 1));
        c->code[s] = r;
        c->len[s] = (uint8_t)len;
    }
    return 0;
}

static int put_sym(huffer *h, const codes *c, int sym, ota_error *err)
{
    if (!c->len[sym])
        return bad(err, "a symbol without a code");
    return put(h, c->code[sym], c->len[sym], err);
}

/* The dynamic header in acc: 1 when complete (and written), 0 when more
 * bytes are needed, -1 on error. */
static int dynamic_header(huffer *h, ota_error *err)
{
    if (h->acc_len < 3)
        return 0;
    uint32_t hlit = h->acc[0], hdist = h->acc[1], hclen = h->acc[2];
    if (hlit > 29 || hdist > 29 || hclen > 15)
        return bad(err, "dynamic header counts");
    size_t at = 3 + hclen + 4;
    if (h->acc_len < at)
        return 0;
    uint8_t cl[19] = {0};
    for (uint32_t i = 0; i < hclen + 4; i++) {
        if (h->acc[3 + i] > 7)
            return bad(err, "code length code length");
        cl[puff_cl_order[i]] = h->acc[3 + i];
    }
    /* walk the code length symbols: complete yet? */
    uint8_t lengths[320];
    int n = (int)(hlit + 257 + hdist + 1), have = 0;
    size_t pos = at;
    while (have < n) {
        if (pos >= h->acc_len)
            return 0;
        int sym = h->acc[pos++];
        if (sym < 16) {
            lengths[have++] = (uint8_t)sym;
            continue;
        }
        if (sym > 18)
            return bad(err, "code length symbol");
        if (pos >= h->acc_len)
            return 0;
        int extra = h->acc[pos++], rep;
        uint8_t fill = 0;
        if (sym == 16) {
            if (have == 0 || extra > 3)
                return bad(err, "length repeat");
            fill = lengths[have - 1];
            rep = 3 + extra;
        } else if (sym == 17) {
            if (extra > 7)
                return bad(err, "zero repeat");
            rep = 3 + extra;
        } else {
            if (extra > 127)
                return bad(err, "zero repeat");
            rep = 11 + extra;
        }
        if (have + rep > n)
            return bad(err, "too many lengths");
        while (rep--)
            lengths[have++] = fill;
    }
    if (pos != h->acc_len)
        return bad(err, "dynamic header length");
    codes clc;
    if (make_codes(&clc, cl, 19) < 0 || make_codes(&h->lit, lengths, (int)hlit + 257) < 0 ||
        make_codes(&h->dist, lengths + hlit + 257, (int)hdist + 1) < 0)
        return bad(err, "over-subscribed code");
    if (put(h, hlit, 5, err) < 0 || put(h, hdist, 5, err) < 0 || put(h, hclen, 4, err) < 0)
        return -1;
    for (uint32_t i = 0; i < hclen + 4; i++)
        if (put(h, h->acc[3 + i], 3, err) < 0)
            return -1;
    for (size_t p = at; p < h->acc_len;) {
        int sym = h->acc[p++];
        if (put_sym(h, &clc, sym, err) < 0)
            return -1;
        if (sym >= 16) {
            int nbits = sym == 16 ? 2 : sym == 17 ? 3 : 7;
            if (put(h, h->acc[p++], nbits, err) < 0)
                return -1;
        }
    }
    return 1;
}

static int fixed_codes(huffer *h)
{
    uint8_t l[288];
    memset(l, 8, 144);
    memset(l + 144, 9, 112);
    memset(l + 256, 7, 24);
    memset(l + 280, 8, 8);
    make_codes(&h->lit, l, 288);
    memset(l, 5, 30);
    return make_codes(&h->dist, l, 30);
}

/* A match record (0x80 and 3 bytes) in acc. */
static int put_match(huffer *h, ota_error *err)
{
    uint32_t length = h->acc[1] + 3u, distance = (h->acc[2] | (uint32_t)h->acc[3] << 8) + 1u;
    int ls = 28;
    while (puff_len_base[ls] > length)
        ls--;
    if (ls == 28 && length != 258)
        ls = 27;
    int ds = 29;
    while (puff_dist_base[ds] > distance)
        ds--;
    if (distance > 32768)
        return bad(err, "distance");
    if (put_sym(h, &h->lit, 257 + ls, err) < 0 ||
        (puff_len_extra[ls] && put(h, length - puff_len_base[ls], puff_len_extra[ls], err) < 0) ||
        put_sym(h, &h->dist, ds, err) < 0 ||
        (puff_dist_extra[ds] && put(h, distance - puff_dist_base[ds], puff_dist_extra[ds], err) < 0))
        return -1;
    return 0;
}

/* The padding up to the next byte boundary, as recorded. */
static int put_pad(huffer *h, uint32_t pad, ota_error *err)
{
    int n = (8 - h->bitcnt % 8) % 8;
    if (pad >> n)
        return bad(err, "padding bits");
    return put(h, pad, n, err);
}

static int take(huffer *h, uint8_t b, ota_error *err)
{
    switch (h->state) {
    case H_BLOCK: {
        int type = b & 3;
        if (b > 7 || type == 3)
            return bad(err, "block header");
        h->final = b >> 2;
        if (put(h, (uint32_t)h->final | (uint32_t)type << 1, 3, err) < 0)
            return -1;
        h->acc_len = 0;
        h->state = type == 0 ? H_STORED_HDR : type == 1 ? H_BODY : H_DYN_HDR;
        if (type == 1)
            fixed_codes(h);
        return 0;
    }
    case H_STORED_HDR:
        h->acc[h->acc_len++] = b;
        if (h->acc_len < 3)
            return 0;
        h->left = h->acc[1] | (uint32_t)h->acc[2] << 8;
        if (put_pad(h, h->acc[0], err) < 0 || put(h, h->left, 16, err) < 0 ||
            put(h, ~h->left & 0xffff, 16, err) < 0)
            return -1;
        h->state = h->left ? H_STORED_DATA : h->final ? H_END_PAD : H_BLOCK;
        return 0;
    case H_STORED_DATA:
        if (put(h, b, 8, err) < 0)
            return -1;
        if (--h->left == 0)
            h->state = h->final ? H_END_PAD : H_BLOCK;
        return 0;
    case H_DYN_HDR: {
        if (h->acc_len == sizeof h->acc)
            return bad(err, "dynamic header too long");
        h->acc[h->acc_len++] = b;
        int done = dynamic_header(h, err);
        if (done < 0)
            return -1;
        if (done)
            h->state = H_BODY;
        return 0;
    }
    case H_BODY:
        if (b < 0x80) {
            h->left = b + 1u;
            h->state = H_RUN;
        } else if (b == 0x80) {
            h->acc[0] = b;
            h->acc_len = 1;
            h->state = H_MATCH;
        } else if (b == 0xff) {
            if (put_sym(h, &h->lit, 256, err) < 0)
                return -1;
            h->state = h->final ? H_END_PAD : H_BLOCK;
        } else {
            return bad(err, "record tag");
        }
        return 0;
    case H_RUN:
        if (put_sym(h, &h->lit, b, err) < 0)
            return -1;
        if (--h->left == 0)
            h->state = H_BODY;
        return 0;
    case H_MATCH:
        h->acc[h->acc_len++] = b;
        if (h->acc_len < 4)
            return 0;
        h->state = H_BODY;
        return put_match(h, err);
    case H_END_PAD:
        if (put_pad(h, b, err) < 0)
            return -1;
        h->state = H_DONE;
        return 0;
    default:
        return bad(err, "data after the final block");
    }
}

int huffer_write(void *huffer_ptr, const void *data, size_t len, ota_error *err)
{
    huffer *h = huffer_ptr;
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        if (take(h, p[i], err) < 0)
            return -1;
    return 0;
}

int huffer_finish(huffer *h, ota_error *err)
{
    if (h->state != H_DONE)
        return bad(err, "it ends before its final block does");
    return flush_out(h, err);
}

huffer *huffer_new(ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    huffer *h = calloc(1, sizeof *h);
    if (!h) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a deflate re-encoder");
        return NULL;
    }
    h->sink = sink;
    h->sink_ctx = sink_ctx;
    return h;
}

void huffer_free(huffer *h)
{
    free(h);
}
