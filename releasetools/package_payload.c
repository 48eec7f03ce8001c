/* Payload compression of a package (rt_pkg->payload): which entries are
 * payload (rt_pkg_is_payload), the method each is written with, the
 * smallest of deflate, xz and zstd per entry for RT_PAYLOAD_AUTO (each
 * method writes the payload to its own scratch archive, in parallel, and
 * the final package copies the smallest entry of the three as it is), and
 * the metadata key that tells an installer the package needs a reader of
 * xz or zstd entries. */
#include "releasetools/package_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/props.h"

static const char *const payload_names[] = {"deflate", "xz", "zstd", "auto"};
/* Tried in this order; a tie goes to the earlier (deflate: any recovery
 * reads it; zstd decodes faster than xz). */
static const int tries[RT_PAYLOAD_TRIES] = {OTA_ZIP_DEFLATE, OTA_ZIP_ZSTD, OTA_ZIP_XZ};

int rt_payload_parse(const char *text)
{
    for (int i = 0; text && i < 4; i++)
        if (strcmp(text, payload_names[i]) == 0)
            return i;
    return -1;
}

const char *rt_payload_name(rt_payload p)
{
    return (unsigned)p < 4 ? payload_names[p] : "?";
}

static int method_of(rt_payload p)
{
    return p == RT_PAYLOAD_XZ ? OTA_ZIP_XZ : p == RT_PAYLOAD_ZSTD ? OTA_ZIP_ZSTD : OTA_ZIP_DEFLATE;
}

/* ---- RT_PAYLOAD_AUTO: every method in its own scratch archive ------------- */

struct try_job {
    const rt_pkg *pkg;
    const char *path;
    int method;
    int rc;
    ota_error err;
};

static void *write_try(void *arg)
{
    struct try_job *j = arg;
    j->rc = -1;
    ota_zip_writer *w = ota_zip_writer_open(j->path, &j->err);
    if (!w)
        return NULL;
    for (size_t i = 0; i < j->pkg->count; i++) {
        const rt_pkg_item *it = &j->pkg->items[i];
        if (rt_pkg_is_payload(it) && rt_pkg_write_item(w, it, j->method, &j->err) < 0) {
            ota_zip_writer_abort(w);
            return NULL;
        }
    }
    j->rc = ota_zip_writer_close(w, NULL, 0, &j->err);
    return NULL;
}

static int try_all(rt_pkg *pkg, const char *path, rt_pkg_scratch *s, ota_error *err)
{
    struct try_job jobs[RT_PAYLOAD_TRIES];
    pthread_t threads[RT_PAYLOAD_TRIES];
    int started[RT_PAYLOAD_TRIES] = {0};
    for (int m = 0; m < RT_PAYLOAD_TRIES; m++) {
        size_t n = strlen(path) + 32;
        if (!(s->paths[m] = malloc(n)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        snprintf(s->paths[m], n, "%s.%s.tmp", path, ota_zip_method_name(tries[m]));
        jobs[m] = (struct try_job){.pkg = pkg, .path = s->paths[m], .method = tries[m]};
    }
    /* The three compressions are independent; where a thread cannot start,
     * its share runs here. */
    for (int m = 0; m < RT_PAYLOAD_TRIES; m++)
        started[m] = pthread_create(&threads[m], NULL, write_try, &jobs[m]) == 0;
    for (int m = 0; m < RT_PAYLOAD_TRIES; m++) {
        if (started[m])
            pthread_join(threads[m], NULL);
        else
            write_try(&jobs[m]);
    }
    for (int m = 0; m < RT_PAYLOAD_TRIES; m++) {
        if (jobs[m].rc < 0) {
            if (err)
                *err = jobs[m].err;
            ota_error_prefix(err, "trying %s for the payload", ota_zip_method_name(tries[m]));
            return -1;
        }
        if (!(s->zips[m] = ota_zip_open(s->paths[m], err)))
            return -1;
    }
    if (!(s->picks = calloc(pkg->count ? pkg->count : 1, sizeof *s->picks)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < pkg->count; i++) {
        rt_pkg_item *it = &pkg->items[i];
        if (!rt_pkg_is_payload(it))
            continue;
        struct rt_pkg_pick *p = &s->picks[i];
        for (int m = 0; m < RT_PAYLOAD_TRIES; m++) {
            const ota_zip_entry *e = ota_zip_find(s->zips[m], it->name);
            if (!e)
                return ota_error_set(err, OTA_ERR_IO, "%s: entry %s missing", s->paths[m], it->name);
            if (!p->entry || e->compressed_size < p->entry->compressed_size)
                *p = (struct rt_pkg_pick){s->zips[m], e};
        }
        it->pick = p;
        it->write_method = p->entry->method;
    }
    return 0;
}

void rt_pkg_scratch_free(rt_pkg_scratch *s)
{
    for (int m = 0; m < RT_PAYLOAD_TRIES; m++) {
        ota_zip_close(s->zips[m]);
        if (s->paths[m])
            unlink(s->paths[m]);
        free(s->paths[m]);
    }
    free(s->picks);
    memset(s, 0, sizeof *s);
}

/* ---- the metadata key ------------------------------------------------------ */

static int cmp_prop(const void *a, const void *b)
{
    return strcmp((*(const ota_prop *const *)a)->key, (*(const ota_prop *const *)b)->key);
}

/* Adds key=value to the metadata text, keys kept sorted as Android writes
 * them. */
static int add_metadata_key(rt_pkg_item *md, const char *value, ota_error *err)
{
    ota_props props = {0};
    ota_buf out = {0};
    const ota_prop **sorted = NULL;
    int rc = ota_props_parse(&props, (const char *)md->data.data, md->data.len, md->name, err);
    if (rc == 0)
        rc = ota_props_set(&props, RT_PAYLOAD_METADATA_KEY, value, err);
    if (rc == 0 && !(sorted = malloc(props.count * sizeof *sorted)))
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < props.count; i++)
            sorted[i] = &props.items[i];
        qsort(sorted, props.count, sizeof *sorted, cmp_prop);
        for (size_t i = 0; rc == 0 && i < props.count; i++) {
            const char *kv[4] = {sorted[i]->key, "=", sorted[i]->value, "\n"};
            for (int k = 0; rc == 0 && k < 4; k++)
                rc = ota_buf_append(&out, kv[k], strlen(kv[k]), err);
        }
    }
    if (rc == 0) {
        ota_buf_free(&md->data);
        md->data = out;
    } else {
        ota_buf_free(&out);
    }
    free(sorted);
    ota_props_free(&props);
    return rc;
}

static int record_methods(rt_pkg *pkg, ota_error *err)
{
    int xz = 0, zstd = 0;
    rt_pkg_item *md = NULL;
    for (size_t i = 0; i < pkg->count; i++) {
        rt_pkg_item *it = &pkg->items[i];
        if (it->kind == RT_PKG_DATA && strcmp(it->name, "META-INF/com/android/metadata") == 0)
            md = it;
        /* (an empty entry is stored whatever was asked: not counted) */
        int empty = it->kind == RT_PKG_DATA && it->data.len == 0;
        xz |= it->write_method == OTA_ZIP_XZ && !empty;
        zstd |= it->write_method == OTA_ZIP_ZSTD && !empty;
    }
    if (!md || !(xz || zstd))
        return 0;
    return add_metadata_key(md, xz && zstd ? "xz,zstd" : xz ? "xz" : "zstd", err);
}

int rt_pkg_plan_payload(rt_pkg *pkg, const char *path, rt_pkg_scratch *scratch, ota_error *err)
{
    memset(scratch, 0, sizeof *scratch);
    int payload = method_of(pkg->payload);
    for (size_t i = 0; i < pkg->count; i++) {
        rt_pkg_item *it = &pkg->items[i];
        it->pick = NULL;
        it->write_method = it->kind == RT_PKG_COPY ? it->entry->method : it->method;
        if (pkg->payload != RT_PAYLOAD_AUTO && rt_pkg_is_payload(it))
            it->write_method = payload;
    }
    if (pkg->payload == RT_PAYLOAD_AUTO && try_all(pkg, path, scratch, err) < 0) {
        rt_pkg_scratch_free(scratch);
        return -1;
    }
    if (record_methods(pkg, err) < 0) {
        rt_pkg_scratch_free(scratch);
        return -1;
    }
    return 0;
}
