/* The whole-file signature's footer in the zip comment (Android's format):
 *   ... EOCD (22 bytes, its last 2 the comment length) | comment
 *   comment = ["signed by SignApk" NUL] PKCS#7 DER | footer
 *   footer  = signature start (LE16, counted back from the end of the file),
 *             0xFF 0xFF, comment length (LE16)
 * The signed data is the file up to, not including, the EOCD's comment
 * length field. */
#ifndef OTAUTIL_FOOTER_H
#define OTAUTIL_FOOTER_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

#define OTA_EOCD_SIZE 22
#define OTA_FOOTER_SIZE 6
/* The longest tail that can hold the EOCD and a comment. */
#define OTA_FOOTER_TAIL_MAX (OTA_EOCD_SIZE + 0xffff)
/* What Android's signapk writes before the signature in the comment. */
#define OTA_FOOTER_BANNER "signed by SignApk"

typedef struct ota_footer {
    uint64_t signed_len;  /* bytes [0, signed_len) of the file are signed */
    size_t sig_offset;    /* the PKCS#7 DER within the tail */
    size_t sig_len;
} ota_footer;

/* tail holds the last tail_len bytes of a file_size-byte file, with
 * tail_len = min(file_size, OTA_FOOTER_TAIL_MAX).  Checks the footer, the
 * EOCD it points at, that no other EOCD marker hides after it, and that
 * nothing but the banner precedes the signature. */
int ota_footer_parse(const uint8_t *tail, size_t tail_len, uint64_t file_size, ota_footer *out,
                     ota_error *err);

#endif
