/* Property files: "key=value" lines, as Android's build.prop, default.prop,
 * META/misc_info.txt and a package's META-INF/com/android/metadata.  One
 * parser for recovery, the updater, the release tools and the agent, with
 * the rule of Android's property loader (init's load_properties):
 *   - leading whitespace is skipped; a blank line, or one whose first
 *     character is then '#', is a comment;
 *   - a line without '=' (or with nothing before it) is skipped, as init
 *     skips it; such lines are counted, and the first one's number kept,
 *     so a caller can warn about them;
 *   - the key is what precedes the first '=', the value all that follows;
 *     whitespace (space, \t, \r, \v, \f) around each is trimmed;
 *   - a later line for a key replaces the earlier value (init's order; the
 *     key keeps its first position for ota_props_format);
 *   - a NUL byte is an error: these are text files.
 * Lookups are hashed, so files with many keys parse in linear time. */
#ifndef OTAUTIL_PROPS_H
#define OTAUTIL_PROPS_H

#include <stddef.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct ota_prop {
    char *key;
    char *value;
} ota_prop;

typedef struct ota_props {
    ota_prop *items;        /* in the order keys were first defined */
    size_t count;
    size_t skipped_lines;   /* lines without '=' that parsing skipped */
    size_t first_skipped;   /* 1-based number of the first one (0: none; a
                               caller may reset it between files) */
    /* private: */
    size_t cap;
    size_t *index;          /* open-addressing hash of item positions + 1 */
    size_t index_cap;
} ota_props;

/* Adds the lines of text (len bytes; the last may lack a newline) to props,
 * which may already hold properties (zero-initialise it first).  `what`
 * names the file in error messages.  -1 only on a NUL byte or when memory
 * runs out. */
int ota_props_parse(ota_props *props, const char *text, size_t len, const char *what,
                    ota_error *err);
/* Adds the file at path (used as given; not a FIFO or device: opened
 * non-blocking and refused unless regular).  Returns 0 when read, 1 when it
 * does not exist (props unchanged), -1 on other errors; files larger than
 * max_size bytes are refused. */
int ota_props_load(ota_props *props, const char *path, size_t max_size, ota_error *err);

/* The recovery's own properties, from the property files of its ramdisk
 * (what getprop() in an updater-script and recovery's package checks
 * read): /prop.default (Android 9 and later), then /default.prop, in the
 * order init loads them, so /default.prop wins.  Files over
 * OTA_PROPS_DEVICE_MAX bytes are refused. */
#define OTA_PROPS_DEVICE_FILES "/prop.default, /default.prop"
#define OTA_PROPS_DEVICE_MAX (1024 * 1024)
/* Loads them from under root (RECOVERY_ROOT; NULL or "": none) into props;
 * a missing file is skipped.  Lines without '=' are skipped as everywhere;
 * notes (may be NULL) receives a line for each file that had some, naming
 * the file and the first such line, for the caller's log.  -1 when a file
 * exists but cannot be read; the files before it stay loaded. */
int ota_props_load_device(ota_props *props, const char *root, ota_buf *notes, ota_error *err);

/* The value of key, or NULL when absent. */
const char *ota_props_get(const ota_props *props, const char *key);
/* Adds or replaces.  Refuses (OTA_ERR_ARGS) what could not be written back
 * as one line: an empty key, a key with '=' or surrounding whitespace or a
 * leading '#', a value with surrounding whitespace, a newline anywhere. */
int ota_props_set(ota_props *props, const char *key, const char *value, ota_error *err);
/* Appends "key=value\n" lines to out, in the order keys were first set. */
int ota_props_format(const ota_props *props, ota_buf *out, ota_error *err);
void ota_props_free(ota_props *props);

#endif
