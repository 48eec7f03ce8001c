/* The v1 JAR signature of a package (META-INF/MANIFEST.MF, one signature
 * file X.SF and its block X.RSA or X.EC), checked against the signer of the
 * whole-file signature. */
#ifndef OTAUTIL_JAR_H
#define OTAUTIL_JAR_H

#include "otautil/error.h"
#include "otautil/keys.h"
#include "otautil/verify_pkcs7.h"
#include "otautil/zip.h"

/* Limits on the text files read whole: far beyond any real package. */
#define OTA_JAR_TEXT_MAX (64u << 20)
#define OTA_JAR_BLOCK_MAX (1u << 20)

/* 1 when name is one of the signature's own files (MANIFEST.MF, or
 * META-INF/X.SF, .RSA, .DSA, .EC directly under META-INF), which the
 * manifest does not list. */
int ota_jar_is_signature_file(const char *name);

/* *present = 0 and returns 0 when the package has no v1 signature files.
 * Otherwise verifies: the block signs the .SF by the certificate
 * `whole_file` was signed by, using key; the .SF's digests of the whole
 * manifest and of each section; each listed entry's digests against its
 * streamed contents; every entry listed and every listed entry present. */
int ota_jar_verify(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key, int *present,
                   ota_error *err);

/* Feeds a byte stream to each of n (at most 4) initialised hashes, which
 * stay the caller's.  With threaded, the hashing runs in a helper thread
 * (falling back to inline hashing when none can be started), so that the
 * producer -- the zip reader's reading, inflating and CRC check -- and the
 * hashing use two cores.  ota_hash_pipe_sink is an ota_sink_fn;
 * ota_hash_pipe_end returns once every byte fed has been hashed. */
typedef struct ota_hash_pipe ota_hash_pipe;
ota_hash_pipe *ota_hash_pipe_start(ota_hash *const *hashes, size_t n, int threaded,
                                   ota_error *err);
int ota_hash_pipe_sink(void *pipe, const void *data, size_t len, ota_error *err);
void ota_hash_pipe_end(ota_hash_pipe *p);

#endif
