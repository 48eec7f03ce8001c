/* Deflate -> puff (format in puff.h): a deflate decoder that keeps every
 * symbol as it was coded instead of resolving matches, so it needs no
 * window: it can start again at any block boundary from the bit position
 * alone.  Huffman codes are decoded canonically, bit by bit (simple, and
 * fast enough next to the patching around it). */
#include "applypatch/puff.h"

#include <stdlib.h>
#include <string.h>

#define INBUF (64u * 1024)
#define MAXBITS 15
#define REC_MAX 1024 /* a dynamic header is at most 3 + 19 + 2 * 316 bytes */

enum { S_HEADER, S_BODY, S_STORED, S_END, S_DONE };

typedef struct huff {
    uint16_t count[MAXBITS + 1];
    uint16_t symbol[320];
} huff;

struct puffer {
    const patch_input *in;
    uint64_t start, len;
    uint64_t bytes_in; /* bytes of the range moved into the bit buffer */
    uint8_t *inbuf;
    uint64_t inbuf_off; /* range offset of inbuf[0] */
    size_t inbuf_len;
    uint64_t bitbuf;
    int bitcnt;
    int state, final;
    uint64_t block_bit; /* where the current block's header starts */
    uint32_t stored_left;
    int pending; /* a symbol decoded ahead (after a literal run), or -1 */
    huff lit, dist, fixed_lit, fixed_dist;
    uint8_t rec[REC_MAX];
    size_t rec_len, rec_pos;
};


/* Canonical code from lengths: 0 ok (possibly incomplete), -1 over-subscribed. */
static int build(huff *h, const uint8_t *lengths, int n)
{
    memset(h->count, 0, sizeof h->count);
    for (int s = 0; s < n; s++)
        h->count[lengths[s]]++;
    int left = 1;
    for (int len = 1; len <= MAXBITS; len++) {
        left <<= 1;
        left -= h->count[len];
        if (left < 0)
            return -1;
    }
    uint16_t offs[MAXBITS + 2];
    offs[1] = 0;
    for (int len = 1; len < MAXBITS; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (int s = 0; s < n; s++)
        if (lengths[s])
            h->symbol[offs[lengths[s]]++] = (uint16_t)s;
    return 0;
}

static int next_byte(puffer *p, uint8_t *b, ota_error *err)
{
    if (p->bytes_in >= p->len)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate data ends early");
    if (p->in->data) {
        *b = p->in->data[p->start + p->bytes_in++];
        return 0;
    }
    if (p->bytes_in < p->inbuf_off || p->bytes_in >= p->inbuf_off + p->inbuf_len) {
        uint64_t left = p->len - p->bytes_in;
        size_t n = left < INBUF ? (size_t)left : INBUF;
        if (p->in->read(p->in->ctx, p->start + p->bytes_in, p->inbuf, n, err) < 0)
            return -1;
        p->inbuf_off = p->bytes_in;
        p->inbuf_len = n;
    }
    *b = p->inbuf[p->bytes_in++ - p->inbuf_off];
    return 0;
}

static int bits(puffer *p, int n, uint32_t *v, ota_error *err)
{
    while (p->bitcnt < n) {
        uint8_t b = 0;
        if (next_byte(p, &b, err) < 0)
            return -1;
        p->bitbuf |= (uint64_t)b << p->bitcnt;
        p->bitcnt += 8;
    }
    *v = (uint32_t)(p->bitbuf & ((1ull << n) - 1));
    p->bitbuf >>= n;
    p->bitcnt -= n;
    return 0;
}

static int decode(puffer *p, const huff *h, int *sym, ota_error *err)
{
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= MAXBITS; len++) {
        uint32_t b;
        if (bits(p, 1, &b, err) < 0)
            return -1;
        code |= (int)b;
        int count = h->count[len];
        if (code - count < first) {
            *sym = h->symbol[index + (code - first)];
            return 0;
        }
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return ota_error_set(err, OTA_ERR_FORMAT, "deflate data has a code no table holds");
}

static int rec_put(puffer *p, uint32_t v)
{
    if (p->rec_len >= REC_MAX)
        return -1;
    p->rec[p->rec_len++] = (uint8_t)v;
    return 0;
}

/* A dynamic block's header: read, recorded as coded, tables built. */
static int dynamic_header(puffer *p, ota_error *err)
{
    uint32_t hlit, hdist, hclen, v;
    if (bits(p, 5, &hlit, err) < 0 || bits(p, 5, &hdist, err) < 0 || bits(p, 4, &hclen, err) < 0)
        return -1;
    if (hlit > 29 || hdist > 29)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate header has too many codes");
    rec_put(p, hlit);
    rec_put(p, hdist);
    rec_put(p, hclen);
    uint8_t cl[19] = {0};
    for (uint32_t i = 0; i < hclen + 4; i++) {
        if (bits(p, 3, &v, err) < 0)
            return -1;
        cl[puff_cl_order[i]] = (uint8_t)v;
        rec_put(p, v);
    }
    huff clh;
    if (build(&clh, cl, 19) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate code length code is over-subscribed");
    uint8_t lengths[320];
    int n = (int)(hlit + 257 + hdist + 1), have = 0;
    while (have < n) {
        int sym;
        if (decode(p, &clh, &sym, err) < 0)
            return -1;
        if (rec_put(p, (uint32_t)sym) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "deflate header too long");
        if (sym < 16) {
            lengths[have++] = (uint8_t)sym;
            continue;
        }
        uint8_t fill = 0;
        uint32_t extra;
        int rep;
        if (sym == 16) {
            if (have == 0)
                return ota_error_set(err, OTA_ERR_FORMAT, "deflate header repeats a length before the first");
            fill = lengths[have - 1];
            if (bits(p, 2, &extra, err) < 0)
                return -1;
            rep = 3 + (int)extra;
        } else if (sym == 17) {
            if (bits(p, 3, &extra, err) < 0)
                return -1;
            rep = 3 + (int)extra;
        } else {
            if (bits(p, 7, &extra, err) < 0)
                return -1;
            rep = 11 + (int)extra;
        }
        if (rec_put(p, extra) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "deflate header too long");
        if (have + rep > n)
            return ota_error_set(err, OTA_ERR_FORMAT, "deflate header has too many lengths");
        while (rep--)
            lengths[have++] = fill;
    }
    if (lengths[256] == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate block has no end-of-block code");
    if (build(&p->lit, lengths, (int)hlit + 257) < 0 || build(&p->dist, lengths + hlit + 257, (int)hdist + 1) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate code is over-subscribed");
    return 0;
}

static int block_header(puffer *p, ota_error *err)
{
    uint32_t final, type;
    p->block_bit = p->bytes_in * 8 - (uint64_t)p->bitcnt;
    if (bits(p, 1, &final, err) < 0 || bits(p, 2, &type, err) < 0)
        return -1;
    p->final = (int)final;
    rec_put(p, type | final << 2);
    if (type == 0) {
        uint32_t pad, len, nlen;
        if (bits(p, p->bitcnt % 8, &pad, err) < 0 || bits(p, 16, &len, err) < 0 || bits(p, 16, &nlen, err) < 0)
            return -1;
        if (len != (~nlen & 0xffff))
            return ota_error_set(err, OTA_ERR_FORMAT, "deflate stored block length does not match its complement");
        rec_put(p, pad);
        rec_put(p, len & 0xff);
        rec_put(p, len >> 8);
        p->stored_left = len;
        p->state = S_STORED;
        return 0;
    }
    if (type == 1) {
        p->lit = p->fixed_lit;
        p->dist = p->fixed_dist;
    } else if (type == 2) {
        if (dynamic_header(p, err) < 0)
            return -1;
    } else {
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate block of the reserved type 3");
    }
    p->state = S_BODY;
    return 0;
}

/* One body record: a literal run, a match, or the end of the block. */
static int body_record(puffer *p, ota_error *err)
{
    int sym = p->pending;
    p->pending = -1;
    if (sym < 0 && decode(p, &p->lit, &sym, err) < 0)
        return -1;
    if (sym < 256) {
        p->rec[p->rec_len++] = 0;
        p->rec[p->rec_len++] = (uint8_t)sym;
        while (p->rec_len < 129) {
            if (decode(p, &p->lit, &sym, err) < 0)
                return -1;
            if (sym >= 256) {
                p->pending = sym;
                break;
            }
            p->rec[p->rec_len++] = (uint8_t)sym;
        }
        p->rec[0] = (uint8_t)(p->rec_len - 2);
        return 0;
    }
    if (sym == 256) {
        p->rec[p->rec_len++] = 0xff;
        p->state = p->final ? S_END : S_HEADER;
        return 0;
    }
    sym -= 257;
    if (sym >= 29)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate data has an invalid length code");
    uint32_t extra = 0, dextra = 0;
    if (puff_len_extra[sym] && bits(p, puff_len_extra[sym], &extra, err) < 0)
        return -1;
    if (sym == 27 && extra == 31)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate length 258 coded as 284+31: kept only as coded");
    int dsym;
    if (decode(p, &p->dist, &dsym, err) < 0)
        return -1;
    if (dsym >= 30)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate data has an invalid distance code");
    if (puff_dist_extra[dsym] && bits(p, puff_dist_extra[dsym], &dextra, err) < 0)
        return -1;
    uint32_t length = puff_len_base[sym] + extra, distance = puff_dist_base[dsym] + dextra;
    p->rec[p->rec_len++] = 0x80;
    p->rec[p->rec_len++] = (uint8_t)(length - 3);
    p->rec[p->rec_len++] = (uint8_t)(distance - 1);
    p->rec[p->rec_len++] = (uint8_t)((distance - 1) >> 8);
    return 0;
}

int puffer_read(puffer *p, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err)
{
    *got = 0;
    while (*got < len) {
        if (p->rec_pos < p->rec_len) {
            size_t n = p->rec_len - p->rec_pos < len - *got ? p->rec_len - p->rec_pos : len - *got;
            memcpy(out + *got, p->rec + p->rec_pos, n);
            p->rec_pos += n;
            *got += n;
            continue;
        }
        p->rec_len = p->rec_pos = 0;
        if (p->state == S_DONE)
            break;
        if (p->state == S_STORED) {
            if (p->stored_left == 0) {
                p->state = p->final ? S_END : S_HEADER;
                continue;
            }
            uint32_t b;
            if (bits(p, 8, &b, err) < 0) /* aligned: a byte at a time */
                return -1;
            out[(*got)++] = (uint8_t)b;
            p->stored_left--;
            continue;
        }
        if (stop && *got > 0 && (p->state == S_HEADER || (p->state == S_BODY && p->pending < 0)))
            break; /* a restart point */
        int rc;
        if (p->state == S_HEADER) {
            rc = block_header(p, err);
        } else if (p->state == S_BODY) {
            rc = body_record(p, err);
        } else { /* S_END: the final padding */
            uint32_t pad;
            rc = bits(p, p->bitcnt % 8, &pad, err);
            rec_put(p, pad);
            p->state = S_DONE;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int puffer_at_block(const puffer *p, uint64_t *bit_pos)
{
    if (p->state != S_HEADER || p->rec_pos < p->rec_len || p->pending >= 0)
        return 0;
    *bit_pos = p->bytes_in * 8 - (uint64_t)p->bitcnt;
    return 1;
}

int puffer_in_block(const puffer *p, uint64_t *header_bit, uint64_t *body_bit)
{
    if (p->state != S_BODY || p->rec_pos < p->rec_len || p->pending >= 0)
        return 0;
    *header_bit = p->block_bit;
    *body_bit = p->bytes_in * 8 - (uint64_t)p->bitcnt;
    return 1;
}

int puffer_restart_in_block(puffer *p, uint64_t header_bit, uint64_t body_bit, ota_error *err)
{
    puffer_restart(p, header_bit);
    if (block_header(p, err) < 0)
        return -1;
    if (p->state != S_BODY)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate restart point is not in a Huffman block");
    p->rec_len = p->rec_pos = 0; /* the header was output before */
    uint64_t at = p->bytes_in * 8 - (uint64_t)p->bitcnt;
    if (body_bit < at)
        return ota_error_set(err, OTA_ERR_FORMAT, "deflate restart point is inside a block header");
    int final = p->final;
    huff lit = p->lit, dist = p->dist;
    puffer_restart(p, body_bit);
    p->lit = lit;
    p->dist = dist;
    p->final = final;
    p->block_bit = header_bit;
    p->state = S_BODY;
    return 0;
}

uint64_t puffer_consumed(const puffer *p)
{
    return p->bytes_in;
}

void puffer_restart(puffer *p, uint64_t bit_pos)
{
    p->bytes_in = bit_pos / 8;
    p->bitbuf = 0;
    p->bitcnt = 0;
    p->state = S_HEADER;
    p->final = 0;
    p->pending = -1;
    p->rec_len = p->rec_pos = 0;
    p->inbuf_len = 0;
    uint32_t skip;
    if (bit_pos % 8)
        bits(p, (int)(bit_pos % 8), &skip, NULL); /* the byte exists: it was read before */
}

puffer *puffer_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err)
{
    puffer *p = calloc(1, sizeof *p);
    if (p && !in->data && !(p->inbuf = malloc(INBUF))) {
        free(p);
        p = NULL;
    }
    if (!p) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a deflate re-encoder");
        return NULL;
    }
    p->in = in;
    p->start = start;
    p->len = len;
    uint8_t l[320];
    memset(l, 8, 144);
    memset(l + 144, 9, 112);
    memset(l + 256, 7, 24);
    memset(l + 280, 8, 8);
    build(&p->fixed_lit, l, 288);
    memset(l, 5, 30);
    build(&p->fixed_dist, l, 30);
    puffer_restart(p, 0);
    return p;
}

void puffer_free(puffer *p)
{
    if (!p)
        return;
    free(p->inbuf);
    free(p);
}

int puff_buffer(const uint8_t *deflated, size_t len, uint8_t **out, size_t *out_len, size_t *consumed,
                ota_error *err)
{
    patch_input in;
    patch_input_memory(&in, deflated, len);
    puffer *p = puffer_new(&in, 0, len, err);
    if (!p)
        return -1;
    ota_buf buf = {0};
    uint8_t chunk[64 * 1024];
    int rc = 1;
    for (;;) {
        size_t got;
        ota_error why;
        if (puffer_read(p, chunk, sizeof chunk, 0, &got, &why) < 0) {
            rc = 0; /* not a stream puffing keeps */
            break;
        }
        if (got == 0)
            break;
        if (ota_buf_append(&buf, chunk, got, err) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 1) {
        *out = buf.data ? buf.data : malloc(1);
        *out_len = buf.len;
        *consumed = (size_t)puffer_consumed(p);
        if (!*out)
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    } else {
        ota_buf_free(&buf);
    }
    puffer_free(p);
    return rc;
}
