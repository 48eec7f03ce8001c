/* A detached PKCS#7 signature over a block of bytes held in memory (a
 * channel document), checked with the same strict parser, key matching and
 * signature check as packages' whole-file signatures (verify_pkcs7.h). */
#ifndef OTAUTIL_VERIFY_DETACHED_H
#define OTAUTIL_VERIFY_DETACHED_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/verify.h"

/* 0 when der (a DER PKCS#7 SignedData, detached) signs the len bytes at
 * data with one of keys; *key_index (may be NULL) then says which.  what
 * names the signature in messages.  -1 (OTA_ERR_VERIFY or OTA_ERR_FORMAT)
 * otherwise. */
int ota_verify_detached(const void *data, size_t len, const uint8_t *der, size_t der_len,
                        const ota_keyset *keys, const char *what, size_t *key_index,
                        ota_error *err);

#endif
