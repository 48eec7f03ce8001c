/* Writing JSON for programs' machine-readable output (--json): strings
 * escaped as RFC 8259 requires, so any file name or message is safe. */
#ifndef OTAUTIL_JSON_H
#define OTAUTIL_JSON_H

#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

/* Appends s as a quoted JSON string (bytes >= 0x80 are copied as they are;
 * control characters become \u00XX). */
int ota_json_string(ota_buf *out, const char *s, ota_error *err);
/* Appends "key": to an object being written, with a comma before it
 * unless it is the first (*first is cleared). */
int ota_json_key(ota_buf *out, const char *key, int *first, ota_error *err);
/* "key": "value" and "key": number. */
int ota_json_str_member(ota_buf *out, const char *key, const char *value, int *first,
                        ota_error *err);
int ota_json_u64_member(ota_buf *out, const char *key, uint64_t value, int *first,
                        ota_error *err);

#endif
