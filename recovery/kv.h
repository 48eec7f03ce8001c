/* "key=value" line files: Android's property files (/default.prop) and the
 * package's META-INF/com/android/metadata.  Blank lines and lines starting
 * with '#' are skipped, space around keys and values is trimmed, and a later
 * line for the same key wins (as when Android's init loads property files
 * one after another). */
#ifndef RECOVERY_KV_H
#define RECOVERY_KV_H

#include <stddef.h>

#include "otautil/error.h"

typedef struct recovery_kv_pair {
    char *key;
    char *value;
} recovery_kv_pair;

typedef struct recovery_kv {
    recovery_kv_pair *pairs;
    size_t count, cap;
} recovery_kv;

/* Adds the lines of text (len bytes, may lack a final newline) to kv.  A
 * non-blank line without '=' is an error naming `what` and the line number;
 * so is a NUL byte in the text. */
int recovery_kv_parse(recovery_kv *kv, const char *text, size_t len, const char *what,
                      ota_error *err);
/* Adds the file at path (used as given).  Returns 1 when it does not exist,
 * 0 when read, -1 on other errors.  Files over max_size bytes are refused. */
int recovery_kv_load(recovery_kv *kv, const char *path, size_t max_size, ota_error *err);

int recovery_kv_set(recovery_kv *kv, const char *key, const char *value, ota_error *err);
/* The value of key, or NULL. */
const char *recovery_kv_get(const recovery_kv *kv, const char *key);
void recovery_kv_free(recovery_kv *kv);

#endif
