#include "releasetools/package.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static rt_pkg_item *new_item(rt_pkg *pkg, const char *name, rt_pkg_kind kind, ota_error *err)
{
    if (pkg->count == pkg->cap) {
        size_t cap = pkg->cap ? pkg->cap * 2 : 64;
        rt_pkg_item *n = realloc(pkg->items, cap * sizeof *n);
        if (!n) {
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            return NULL;
        }
        pkg->items = n;
        pkg->cap = cap;
    }
    rt_pkg_item *it = &pkg->items[pkg->count];
    memset(it, 0, sizeof *it);
    if (!(it->name = strdup(name))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->kind = kind;
    pkg->count++;
    return it;
}

int rt_pkg_add_buf(rt_pkg *pkg, const char *name, ota_buf *buf, int method, uint32_t mode,
                   ota_error *err)
{
    rt_pkg_item *it = new_item(pkg, name, RT_PKG_DATA, err);
    if (!it)
        return -1;
    it->data = *buf;
    memset(buf, 0, sizeof *buf);
    it->method = method;
    it->mode = mode;
    return 0;
}

int rt_pkg_add_data(rt_pkg *pkg, const char *name, const void *data, size_t len, int method,
                    uint32_t mode, ota_error *err)
{
    ota_buf b = {0};
    if (ota_buf_append(&b, len ? data : "", len, err) < 0)
        return -1;
    if (rt_pkg_add_buf(pkg, name, &b, method, mode, err) < 0) {
        ota_buf_free(&b);
        return -1;
    }
    return 0;
}

int rt_pkg_add_copy(rt_pkg *pkg, const char *name, ota_zip *zip, const ota_zip_entry *entry,
                    ota_error *err)
{
    rt_pkg_item *it = new_item(pkg, name, RT_PKG_COPY, err);
    if (!it)
        return -1;
    it->zip = zip;
    it->entry = entry;
    return 0;
}

int rt_pkg_add_dir(rt_pkg *pkg, const char *name, uint32_t mode, ota_error *err)
{
    rt_pkg_item *it = new_item(pkg, name, RT_PKG_DIR, err);
    if (!it)
        return -1;
    it->mode = mode;
    return 0;
}

int rt_pkg_add_file(rt_pkg *pkg, const char *name, const char *path, uint32_t mode, ota_error *err)
{
    return rt_pkg_add_file_as(pkg, name, path, mode, OTA_ZIP_DEFLATE, err);
}

int rt_pkg_add_file_as(rt_pkg *pkg, const char *name, const char *path, uint32_t mode, int method,
                       ota_error *err)
{
    rt_pkg_item *it = new_item(pkg, name, RT_PKG_FILE, err);
    if (!it)
        return -1;
    if (!(it->path = strdup(path)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    it->mode = mode;
    it->method = method;
    return 0;
}

int rt_pkg_add_symlink(rt_pkg *pkg, const char *name, const char *target, ota_error *err)
{
    rt_pkg_item *it = new_item(pkg, name, RT_PKG_SYMLINK, err);
    if (!it)
        return -1;
    if (!(it->path = strdup(target)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const rt_pkg_item *)a)->name, ((const rt_pkg_item *)b)->name);
}

int rt_pkg_write(rt_pkg *pkg, const char *path, ota_error *err)
{
    if (pkg->count > 1)
        qsort(pkg->items, pkg->count, sizeof *pkg->items, cmp_item);
    for (size_t i = 1; i < pkg->count; i++)
        if (strcmp(pkg->items[i - 1].name, pkg->items[i].name) == 0)
            return ota_error_set(err, OTA_ERR_ARGS, "package entry %s would be written twice",
                                 pkg->items[i].name);
    ota_zip_writer *w = ota_zip_writer_open(path, err);
    if (!w)
        return -1;
    for (size_t i = 0; i < pkg->count; i++) {
        rt_progress_report(&pkg->progress, "writing", i, pkg->count);
        rt_pkg_item *it = &pkg->items[i];
        ota_zip_add_opts o = {.method = it->method, .level = 9, .unix_mode = it->mode};
        int rc;
        switch (it->kind) {
        case RT_PKG_DATA:
            rc = ota_zip_add_data(w, it->name, it->data.data, it->data.len, &o, err);
            break;
        case RT_PKG_COPY:
            rc = ota_zip_copy_entry(w, it->zip, it->entry, it->name, err);
            break;
        case RT_PKG_DIR:
            rc = ota_zip_add_dir(w, it->name, it->mode, err);
            break;
        case RT_PKG_SYMLINK:
            rc = ota_zip_add_symlink(w, it->name, it->path, err);
            break;
        default:
            rc = ota_zip_add_file(w, it->name, it->path, &o, err);
            break;
        }
        if (rc < 0) {
            ota_error_prefix(err, "writing %s", path);
            ota_zip_writer_abort(w);
            return -1;
        }
    }
    rt_progress_report(&pkg->progress, "writing", pkg->count, pkg->count);
    return ota_zip_writer_close(w, NULL, 0, err);
}

void rt_pkg_free(rt_pkg *pkg)
{
    for (size_t i = 0; i < pkg->count; i++) {
        free(pkg->items[i].name);
        ota_buf_free(&pkg->items[i].data);
        free(pkg->items[i].path);
    }
    free(pkg->items);
    memset(pkg, 0, sizeof *pkg);
}
