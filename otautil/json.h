/* A JSON writer for the programs' --json output: values are appended to an
 * ota_buf in document order, with commas, indentation and string escaping
 * done here.  Strings are written as valid UTF-8: bytes that are not (a
 * file name in another encoding) become U+FFFD.  Errors (memory, a value
 * without a key inside an object, unbalanced nesting) are remembered and
 * reported once by ota_json_finish, so a caller emits a document and checks
 * once. */
#ifndef OTAUTIL_JSON_H
#define OTAUTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

#define OTA_JSON_MAX_DEPTH 32

typedef struct ota_json {
    ota_buf *out;
    int depth;
    unsigned char in_object[OTA_JSON_MAX_DEPTH]; /* per level: object (1) or array (0) */
    unsigned char has_items[OTA_JSON_MAX_DEPTH];
    int compact;  /* one line, no indentation (JSON Lines) */
    int failed;
    ota_error err;
} ota_json;

/* Starts a document in out (appended to), indented two spaces a level. */
void ota_json_init(ota_json *j, ota_buf *out);
/* The same on one line, for streams of events one JSON document a line. */
void ota_json_init_compact(ota_json *j, ota_buf *out);

/* key is the member name inside an object, NULL inside an array and for
 * the top-level value. */
void ota_json_object_begin(ota_json *j, const char *key);
void ota_json_object_end(ota_json *j);
void ota_json_array_begin(ota_json *j, const char *key);
void ota_json_array_end(ota_json *j);
void ota_json_string(ota_json *j, const char *key, const char *value); /* NULL: null */
void ota_json_string_n(ota_json *j, const char *key, const char *value, size_t len);
void ota_json_uint(ota_json *j, const char *key, uint64_t value);
void ota_json_bool(ota_json *j, const char *key, int value);
void ota_json_null(ota_json *j, const char *key);

/* Ends the document with a newline.  0, or -1 with err describing the first
 * failure. */
int ota_json_finish(ota_json *j, ota_error *err);

#endif
