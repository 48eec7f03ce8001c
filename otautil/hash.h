/* The one hash helper: SHA-1 and SHA-256 (OpenSSL's digest functions), one-shot or
 * streaming, plus hex conversion.  SHA-1 names files in Android's OTA
 * scripts; SHA-256 is for signatures and new formats. */
#ifndef OTAUTIL_HASH_H
#define OTAUTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

#define OTA_SHA1_LEN 20
#define OTA_SHA256_LEN 32
#define OTA_HASH_MAX_LEN 64

typedef enum ota_hash_alg { OTA_HASH_SHA1, OTA_HASH_SHA256 } ota_hash_alg;

typedef struct ota_hash {
    void *ctx; /* EVP_MD_CTX */
    ota_hash_alg alg;
} ota_hash;

size_t ota_hash_len(ota_hash_alg alg);
const char *ota_hash_name(ota_hash_alg alg); /* "SHA-1", "SHA-256" */

int ota_hash_init(ota_hash *h, ota_hash_alg alg, ota_error *err);
void ota_hash_update(ota_hash *h, const void *data, size_t len);
/* Writes ota_hash_len() bytes to out and frees the context. */
void ota_hash_final(ota_hash *h, uint8_t *out);
/* Frees the context without a result (error paths). */
void ota_hash_abort(ota_hash *h);

void ota_sha1(const void *data, size_t len, uint8_t out[OTA_SHA1_LEN]);
void ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_LEN]);

/* Hashes `len` bytes of fd from its current offset (len == UINT64_MAX: to
 * EOF).  Reading fewer than len bytes is an error. */
int ota_hash_fd(int fd, uint64_t len, ota_hash_alg alg, uint8_t *out, ota_error *err);
int ota_hash_file(const char *path, ota_hash_alg alg, uint8_t *out, ota_error *err);

/* A hash pipe (hash_pipe.c) feeds a byte stream to each of n (at most 4)
 * initialised hashes, which stay the caller's.  With threaded, the hashing
 * runs in a helper thread (falling back to inline hashing when none can be
 * started), so that the producer -- the zip reader's reading, inflating and
 * CRC check -- and the hashing use two cores.  ota_hash_pipe_sink is an ota_sink_fn;
 * ota_hash_pipe_end returns once every byte fed has been hashed. */
typedef struct ota_hash_pipe ota_hash_pipe;
ota_hash_pipe *ota_hash_pipe_start(ota_hash *const *hashes, size_t n, int threaded,
                                   ota_error *err);
int ota_hash_pipe_sink(void *pipe, const void *data, size_t len, ota_error *err);
void ota_hash_pipe_end(ota_hash_pipe *p);

/* out receives 2*len hex digits (lower case) and a NUL. */
void ota_hex_encode(const uint8_t *data, size_t len, char *out);
/* Parses exactly 2*len hex digits (either case) followed by NUL or, when
 * `end` is not NULL, by any character (end then points past the digits).
 * Returns 0, or -1 when the text is not that. */
int ota_hex_decode(const char *hex, uint8_t *out, size_t len, const char **end);

#endif
