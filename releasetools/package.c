#include "releasetools/package_internal.h"

#include <stdio.h>
#include <unistd.h>

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

int rt_pkg_is_payload(const rt_pkg_item *it)
{
    if (strncmp(it->name, "META-INF/", 9) == 0)
        return 0;
    if (it->kind == RT_PKG_DATA || it->kind == RT_PKG_FILE)
        return it->method == OTA_ZIP_DEFLATE;
    return it->kind == RT_PKG_COPY && it->entry->method == OTA_ZIP_DEFLATE && !it->entry->is_dir &&
           !it->entry->is_symlink;
}

/* An entry of another archive in a new method: decoded into an unnamed
 * temporary file (a large image is never held in memory), then added. */
static int recompress_copy(ota_zip_writer *w, const rt_pkg_item *it, int method, ota_error *err)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return ota_error_errno(err, "%s: cannot make a temporary file", it->name);
    int fd = fileno(tmp);
    ota_zip_add_opts o = {.method = method, .unix_mode = it->entry->unix_mode};
    int rc = ota_zip_extract_fd(it->zip, it->entry, fd, err);
    if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
        rc = ota_error_errno(err, "%s: cannot rewind the scratch file", it->name);
    if (rc == 0)
        rc = ota_zip_add_fd(w, it->name, fd, &o, err);
    fclose(tmp);
    return rc;
}

int rt_pkg_write_item(ota_zip_writer *w, const rt_pkg_item *it, int method, ota_error *err)
{
    /* deflate at its best; xz and zstd at their defaults (see otautil/zip.h) */
    ota_zip_add_opts o = {.method = method, .level = method == OTA_ZIP_DEFLATE ? 9 : 0, .unix_mode = it->mode};
    switch (it->kind) {
    case RT_PKG_DATA:
        return ota_zip_add_data(w, it->name, it->data.data, it->data.len, &o, err);
    case RT_PKG_COPY:
        if (method == it->entry->method)
            return ota_zip_copy_entry(w, it->zip, it->entry, it->name, err);
        return recompress_copy(w, it, method, err);
    case RT_PKG_DIR:
        return ota_zip_add_dir(w, it->name, it->mode, err);
    case RT_PKG_SYMLINK:
        return ota_zip_add_symlink(w, it->name, it->path, err);
    default:
        return ota_zip_add_file(w, it->name, it->path, &o, err);
    }
}

int rt_pkg_write(rt_pkg *pkg, const char *path, ota_error *err)
{
    if (pkg->count > 1)
        qsort(pkg->items, pkg->count, sizeof *pkg->items, cmp_item);
    for (size_t i = 1; i < pkg->count; i++)
        if (strcmp(pkg->items[i - 1].name, pkg->items[i].name) == 0)
            return ota_error_set(err, OTA_ERR_ARGS, "package entry %s would be written twice",
                                 pkg->items[i].name);
    rt_pkg_scratch scratch;
    if (rt_pkg_plan_payload(pkg, path, &scratch, err) < 0)
        return -1;
    ota_zip_writer *w = ota_zip_writer_open(path, err);
    if (!w) {
        rt_pkg_scratch_free(&scratch);
        return -1;
    }
    for (size_t i = 0; i < pkg->count; i++) {
        rt_progress_report(&pkg->progress, "writing", i, pkg->count);
        rt_pkg_item *it = &pkg->items[i];
        int rc = it->pick ? ota_zip_copy_entry(w, it->pick->zip, it->pick->entry, it->name, err)
                          : rt_pkg_write_item(w, it, it->write_method, err);
        if (rc < 0) {
            ota_error_prefix(err, "writing %s", path);
            ota_zip_writer_abort(w);
            rt_pkg_scratch_free(&scratch);
            return -1;
        }
    }
    rt_progress_report(&pkg->progress, "writing", pkg->count, pkg->count);
    rt_pkg_scratch_free(&scratch);
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
