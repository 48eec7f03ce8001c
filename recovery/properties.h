/* Recovery's own build properties (ro.product.device, ro.build.date.utc,
 * ...), which the package metadata is checked against.  They come from the
 * recovery ramdisk's property files, under RECOVERY_ROOT:
 *   /prop.default   (Android 9 and later)
 *   /default.prop   (earlier releases; read second, so it wins)
 * A missing file is not an error: a property that is then unknown fails the
 * check that needs it, with a message naming the files. */
#ifndef RECOVERY_PROPERTIES_H
#define RECOVERY_PROPERTIES_H

#include "recovery/kv.h"

#define RECOVERY_PROPERTY_FILES "/prop.default, /default.prop"

/* Loads the property files into props.  -1 only when a file exists but
 * cannot be read or parsed. */
int recovery_properties_load(recovery_kv *props, const char *root, ota_error *err);

#endif
