/* Private to releasetools/package*.c: what writing a package and choosing
 * its payload compression (package_payload.c) share.  Other modules use
 * releasetools/package.h only. */
#ifndef RELEASETOOLS_PACKAGE_INTERNAL_H
#define RELEASETOOLS_PACKAGE_INTERNAL_H

#include "releasetools/package.h"

/* RT_PAYLOAD_AUTO: an entry's smallest encoding, waiting in a scratch
 * archive to be copied as it is. */
struct rt_pkg_pick {
    ota_zip *zip;
    const ota_zip_entry *entry;
};

/* The scratch archives of RT_PAYLOAD_AUTO, one per method tried. */
#define RT_PAYLOAD_TRIES 3
typedef struct rt_pkg_scratch {
    char *paths[RT_PAYLOAD_TRIES];
    ota_zip *zips[RT_PAYLOAD_TRIES];
    struct rt_pkg_pick *picks;
} rt_pkg_scratch;

/* 1 when the item is payload: outside META-INF/, and deflated (or, for
 * copies, deflated in the source archive). */
int rt_pkg_is_payload(const rt_pkg_item *it);
/* Writes one item with the given zip method (entries copied from another
 * archive are recompressed when it differs from theirs). */
int rt_pkg_write_item(ota_zip_writer *w, const rt_pkg_item *it, int method, ota_error *err);
/* Sets every item's write_method (and pick) for pkg->payload, trying each
 * method in scratch archives next to `path` for RT_PAYLOAD_AUTO, and
 * records the methods used in the package's metadata. */
int rt_pkg_plan_payload(rt_pkg *pkg, const char *path, rt_pkg_scratch *scratch, ota_error *err);
/* Closes and deletes the scratch archives. */
void rt_pkg_scratch_free(rt_pkg_scratch *scratch);

#endif
