/* sign_package: signapk's work.  The output is written under a temporary
 * name next to output_zip and renamed into place only once complete. */
#include "releasetools/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/signed_entries.h"
#include "otautil/zip.h"
#include "releasetools/sign_internal.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(((const sign_item *)a)->name, ((const sign_item *)b)->name);
}

/* The input's entries minus old signature files (and the old otacert when
 * a new one is added), plus the new otacert, sorted by name so that the
 * same input always gives the same archive. */
static sign_item *collect_items(ota_zip *in, int with_otacert, size_t *count, ota_error *err)
{
    size_t n = ota_zip_count(in), k = 0;
    sign_item *items = calloc(n + 1, sizeof *items);
    if (!items) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory listing %zu entries", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(in, i);
        if (ota_is_signature_file(e->name))
            continue;
        if (with_otacert && strcmp(e->name, SIGN_OTACERT_NAME) == 0)
            continue;
        items[k].name = e->name;
        items[k++].entry = e;
    }
    if (with_otacert)
        items[k++].name = SIGN_OTACERT_NAME;
    qsort(items, k, sizeof *items, by_name);
    *count = k;
    return items;
}

static int write_archive(const sign_signer *s, ota_zip *in, const sign_item *items, size_t count,
                         const sign_jar *jar, const char *path, ota_error *err)
{
    ota_zip_writer *w = ota_zip_writer_open(path, err);
    if (!w)
        return -1;
    ota_zip_add_opts deflate = {.method = OTA_ZIP_DEFLATE, .level = 9};
    int rc = 0;
    /* java.util.jar wants the manifest first, then the signature files. */
    if (ota_zip_add_data(w, "META-INF/MANIFEST.MF", jar->manifest.data, jar->manifest.len,
                         &deflate, err) < 0 ||
        ota_zip_add_data(w, "META-INF/CERT.SF", jar->sf.data, jar->sf.len, &deflate, err) < 0 ||
        ota_zip_add_data(w, s->block_name, jar->block.data, jar->block.len, &deflate, err) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        if (items[i].entry)
            rc = ota_zip_copy_entry(w, in, items[i].entry, NULL, err);
        else
            rc = ota_zip_add_data(w, items[i].name, s->cert_pem.data, s->cert_pem.len, &deflate,
                                  err);
    }
    if (rc < 0) {
        ota_zip_writer_abort(w);
        return -1;
    }
    return ota_zip_writer_close(w, NULL, 0, err);
}

int sign_package(const char *cert_pem, const char *key_pk8, const char *input_zip,
                 const char *output_zip, const sign_opts *opts, ota_error *err)
{
    int whole = opts && opts->whole_file;
    sign_signer s;
    if (sign_signer_load(&s, cert_pem, key_pk8, err) < 0)
        return -1;
    ota_zip *in = ota_zip_open(input_zip, err);
    if (!in) {
        sign_signer_free(&s);
        return -1;
    }
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.signing-%ld", output_zip, (long)getpid());
    size_t count = 0;
    sign_item *items = NULL;
    sign_jar jar;
    int rc = -1;
    if (n < 0 || (size_t)n >= sizeof tmp) {
        ota_error_set(err, OTA_ERR_ARGS, "output path too long: %s", output_zip);
    } else if ((items = collect_items(in, whole, &count, err)) != NULL &&
               sign_jar_build(&s, in, items, count, &jar, err) == 0) {
        rc = write_archive(&s, in, items, count, &jar, tmp, err);
        if (rc == 0 && whole)
            rc = sign_whole_file(&s, tmp, err);
        if (rc == 0 && rename(tmp, output_zip) < 0)
            rc = ota_error_errno(err, "cannot rename %s to %s", tmp, output_zip);
        if (rc < 0)
            unlink(tmp);
        sign_jar_free(&jar);
    }
    if (rc < 0)
        ota_error_prefix(err, "signing %s", input_zip);
    free(items);
    ota_zip_close(in);
    sign_signer_free(&s);
    return rc;
}
