/* Shared by the verifiers of a package file (verify.c) and of a package
 * read while it streams (verify_stream.c); not a public interface. */
#ifndef OTAUTIL_VERIFY_INTERNAL_H
#define OTAUTIL_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/verify.h"
#include "otautil/verify_pkcs7.h"

#define OTA_WHOLE_FILE "whole-file signature"

/* From the last tail_len bytes of a file of size bytes: the footer, the
 * whole-file signature and the trusted key that made it (everything but
 * the digest).  On success sig is to be freed with ota_pkcs7_free. */
int ota_verify_locate(const uint8_t *tail, size_t tail_len, uint64_t size,
                      const ota_keyset *keys, ota_pkcs7 *sig, uint64_t *signed_len,
                      size_t *key_index, ota_error *err);

#endif
