/* key=value property files: build.prop, META/misc_info.txt, the package
 * metadata.  Blank lines and lines starting with '#' are ignored; spaces
 * around the key and the value are trimmed; a later line for the same key
 * replaces the earlier value (as Android's property loader does). */
#ifndef RELEASETOOLS_PROPS_H
#define RELEASETOOLS_PROPS_H

#include <stddef.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct rt_props {
    char **keys;
    char **values;
    size_t count;
} rt_props;

/* Parses text (len bytes) and adds its properties to *props (which may
 * already hold some).  `what` names the file in error messages. */
int rt_props_parse(rt_props *props, const char *text, size_t len, const char *what,
                   ota_error *err);
/* The value, or NULL when the key is absent. */
const char *rt_props_get(const rt_props *props, const char *key);
/* Adds or replaces. */
int rt_props_set(rt_props *props, const char *key, const char *value, ota_error *err);
/* Appends "key=value\n" lines, in the order the keys were first set. */
int rt_props_format(const rt_props *props, ota_buf *out, ota_error *err);
void rt_props_free(rt_props *props);

#endif
