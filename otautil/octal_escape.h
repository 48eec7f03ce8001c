/* Names with white space in space-separated text files: each byte that
 * would end or break the field (white space, control characters, DEL) and
 * the backslash itself is written as \NNN, three octal digits, as the
 * kernel writes /proc/self/mounts.  Used for /proc/self/mounts, and for
 * the paths of META/filesystem_config.txt and system.map, whose Android
 * forms cannot hold such names. */
#ifndef OTAUTIL_OCTAL_ESCAPE_H
#define OTAUTIL_OCTAL_ESCAPE_H

#include "otautil/error.h"
#include "otautil/sink.h"

/* Appends s to out with such bytes escaped. */
int ota_octal_escape_append(ota_buf *out, const char *s, ota_error *err);

/* Undoes the escapes in place; a backslash not followed by three octal
 * digits (the first 0-3) stays as it is. */
void ota_octal_unescape(char *s);

#endif
