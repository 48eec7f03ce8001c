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
} rt_pkg_item;

typedef struct rt_pkg {
    rt_pkg_item *items;
    size_t count, cap;
    rt_progress progress;   /* "writing": entries written of all (optional) */
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

/* Writes every entry, sorted by name, to path.  Two entries with one name
 * are an error.  On failure no file is left at path. */
int rt_pkg_write(rt_pkg *pkg, const char *path, ota_error *err);
void rt_pkg_free(rt_pkg *pkg);

#endif
