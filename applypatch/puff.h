/* "Puff": any deflate stream rewritten as bytes that a patch can diff and
 * that turn back into exactly the same deflate bits.  zlib only remakes
 * streams that zlib made (and only with the right settings); GNU gzip's,
 * 7-Zip's and most zip tools' streams it cannot.  Puffing keeps every
 * choice the compressor made -- block boundaries and types, the Huffman
 * code lengths and how the header encodes them, every literal and match,
 * even the padding bits -- while laying literals out as plain bytes, so
 * two puffed streams of similar data differ about as little as the data.
 * (Android's update_engine does the same with its own format, "puffin".)
 *
 * The puff format (ours; every record in order, nothing else):
 *   block header: 1 byte: type (0 stored, 1 fixed Huffman, 2 dynamic) | 4
 *     when it is the final block; then for
 *     stored:  the padding bits up to the byte boundary (1 byte), LEN (2
 *              bytes, little endian; NLEN is its complement), LEN bytes;
 *     dynamic: HLIT - 257, HDIST - 1, HCLEN - 4 (1 byte each); HCLEN code
 *              length code lengths (1 byte each, the format's order);
 *              then the code length symbols as coded (1 byte each, 0-18,
 *              each 16, 17 or 18 followed by its repeat count's extra bits
 *              as 1 byte) until HLIT + HDIST lengths are defined.
 *   block body (Huffman blocks): records until the end of block:
 *     0x00-0x7f: a run of (value + 1) literals, the bytes follow;
 *     0x80, length - 3, distance - 1 (2 bytes, little endian): a match;
 *     0xff: end of block.
 *   after the final block: 1 byte, the padding bits up to the byte
 *     boundary.
 * Streams puffing cannot keep exactly (a length of 258 coded as 284 with
 * extra bits 31, which no compressor writes) are refused. */
#ifndef APPLYPATCH_PUFF_H
#define APPLYPATCH_PUFF_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/patch_stream.h"
#include "otautil/error.h"
#include "otautil/sink.h"

/* ---- deflate -> puff (puff_decode.c) ------------------------------------ */

typedef struct puffer puffer;

/* A puffer over the raw deflate stream at [start, start + len) of in. */
puffer *puffer_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err);
void puffer_free(puffer *p);
/* Starts over at the stream's beginning, or at a block boundary saved by
 * puffer_at_block (bit position, in bits from the range's start). */
void puffer_restart(puffer *p, uint64_t bit_pos);
/* Makes up to len puffed bytes (*got); 0 only at the stream's end.  With
 * `stop`, returns as soon as it stands at a block boundary after making
 * some. */
int puffer_read(puffer *p, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err);
/* 1 and the bit position when the puffer stands at the start of a block
 * (a point puffer_restart can return to), else 0. */
int puffer_at_block(const puffer *p, uint64_t *bit_pos);
/* 1 and the bit positions of the current block's header and of the next
 * record when the puffer stands between two records inside a Huffman
 * block (a point puffer_restart_in_block can return to), else 0. */
int puffer_in_block(const puffer *p, uint64_t *header_bit, uint64_t *body_bit);
/* Starts at body_bit inside the block whose header is at header_bit (the
 * header is read again for its codes, its record not output). */
int puffer_restart_in_block(puffer *p, uint64_t header_bit, uint64_t body_bit, ota_error *err);
/* Bytes of the range the stream took (valid once puffer_read returned 0
 * bytes): a deflate stream ends inside the range it is given. */
uint64_t puffer_consumed(const puffer *p);

/* The whole stream in memory, puffed (host side).  Returns 1 with *out
 * (malloc'd), 0 when the data is not a deflate stream puffing keeps
 * exactly, -1 on allocation failure. */
int puff_buffer(const uint8_t *deflated, size_t len, uint8_t **out, size_t *out_len, size_t *consumed,
                ota_error *err);

/* ---- puff -> deflate (puff_encode.c) ------------------------------------ */

typedef struct huffer huffer;

/* A sink taking puffed bytes in pieces of any size and passing the deflate
 * stream they stand for on to sink. */
huffer *huffer_new(ota_sink_fn sink, void *sink_ctx, ota_error *err);
int huffer_write(void *huffer, const void *data, size_t len, ota_error *err);
/* Checks the puffed stream is complete (its final block and padding). */
int huffer_finish(huffer *h, ota_error *err);
void huffer_free(huffer *h);

/* ---- deflate's tables, for puff_decode.c and puff_encode.c ------------- */

extern const uint16_t puff_len_base[29];  /* length codes 257..285 */
extern const uint8_t puff_len_extra[29];
extern const uint16_t puff_dist_base[30]; /* distance codes 0..29 */
extern const uint8_t puff_dist_extra[30];
extern const uint8_t puff_cl_order[19];   /* code length code lengths' order */

#endif
