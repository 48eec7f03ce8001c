/* An OTA package being assembled: entries are collected first and written
 * in name order at the end, so the zip does not depend on the order the
 * generator found things in (with the zip writer's fixed timestamps, the
 * same inputs give the same bytes). */
#ifndef RELEASETOOLS_PACKAGE_H
#define RELEASETOOLS_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"
#include "otautil/zip.h"
#include "releasetools/progress.h"

typedef enum rt_pkg_kind { RT_PKG_DATA, RT_PKG_COPY, RT_PKG_DIR, RT_PKG_FILE, RT_PKG_SYMLINK } rt_pkg_kind;

typedef struct rt_pkg_item {
    char *name;
    rt_pkg_kind kind;
    ota_buf data;                 /* RT_PKG_DATA (owned) */
    ota_zip *zip;                 /* RT_PKG_COPY: entry of an open archive */
    const ota_zip_entry *entry;
    char *path;                   /* RT_PKG_FILE; RT_PKG_SYMLINK: the link's target */
    int method;                   /* OTA_ZIP_STORE / OTA_ZIP_DEFLATE */
    uint32_t mode;                /* st_mode for DATA/FILE/DIR */
    /* set by rt_pkg_write (package_payload.c): */
    int write_method;             /* what the entry is written with */
    struct rt_pkg_pick *pick;     /* RT_PAYLOAD_AUTO: where the smallest encoding waits */
} rt_pkg_item;

/* How the payload -- every entry outside META-INF/ that would be
 * deflated: new files, images, uncompressed new data -- is compressed.
 * Stored entries (patches, brotli new data) stay stored; META-INF/
 * (update-binary, updater-script, metadata, signatures) stays as it is, so
 * any recovery can start the package and read its metadata. */
typedef enum rt_payload {
    RT_PAYLOAD_DEFLATE, /* Android's recovery reads it: the default */
    RT_PAYLOAD_XZ,      /* zip method 95, xz preset 6, dictionary <= 8 MiB */
    RT_PAYLOAD_ZSTD,    /* zip method 93, zstd 19, window <= 8 MiB */
    RT_PAYLOAD_AUTO,    /* the smallest of the three, per entry */
} rt_payload;

/* "deflate", "xz", "zstd", "auto" -> the value; -1 for anything else. */
int rt_payload_parse(const char *text);
const char *rt_payload_name(rt_payload p);
/* The metadata key naming the methods other than deflate a package's
 * payload uses ("xz", "zstd" or "xz,zstd"); absent when there are none. */
#define RT_PAYLOAD_METADATA_KEY "ota-payload-compression"

typedef struct rt_pkg {
    rt_pkg_item *items;
    size_t count, cap;
    rt_progress progress;   /* "writing": entries written of all (optional) */
    rt_payload payload;     /* zero-initialised: deflate */
} rt_pkg;

/* Takes ownership of *buf (left empty). */
int rt_pkg_add_buf(rt_pkg *pkg, const char *name, ota_buf *buf, int method, uint32_t mode,
                   ota_error *err);
int rt_pkg_add_data(rt_pkg *pkg, const char *name, const void *data, size_t len, int method,
                    uint32_t mode, ota_error *err);
/* Copies an entry's compressed bytes as they are (zip must stay open until
 * rt_pkg_write). */
int rt_pkg_add_copy(rt_pkg *pkg, const char *name, ota_zip *zip, const ota_zip_entry *entry,
                    ota_error *err);
int rt_pkg_add_dir(rt_pkg *pkg, const char *name, uint32_t mode, ota_error *err);
int rt_pkg_add_file(rt_pkg *pkg, const char *name, const char *path, uint32_t mode, ota_error *err);
/* The same with the zip method given (OTA_ZIP_STORE for data that is
 * compressed already). */
int rt_pkg_add_file_as(rt_pkg *pkg, const char *name, const char *path, uint32_t mode, int method,
                       ota_error *err);
int rt_pkg_add_symlink(rt_pkg *pkg, const char *name, const char *target, ota_error *err);

/* Writes every entry, sorted by name, to path, the payload compressed as
 * pkg->payload says; when it uses xz or zstd, META-INF/com/android/metadata
 * (if the package has it) gains RT_PAYLOAD_METADATA_KEY.  Two entries with
 * one name are an error.  On failure no file is left at path. */
int rt_pkg_write(rt_pkg *pkg, const char *path, ota_error *err);
void rt_pkg_free(rt_pkg *pkg);

#endif
