/* rt_pkg_inspect: everything ota_info says about a package, each part read
 * by the layer that owns it (the zip layer, otautil's signer and verifier,
 * the ELF reader, the property parser, the script scanner).  A part that
 * cannot be read is described by its reason; only a file that is not a
 * readable zip fails the whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/jar.h"
#include "otautil/signed_entries.h"
#include "otautil/verify.h"
#include "releasetools/pkg_info.h"

#define METADATA_ENTRY "META-INF/com/android/metadata"
#define OTACERT_ENTRY "META-INF/com/android/otacert"
#define BINARY_ENTRY "META-INF/com/google/android/update-binary"
#define SCRIPT_ENTRY "META-INF/com/google/android/updater-script"
/* Bounds on what is read whole: an update-binary is a few MB, the rest text. */
#define MAX_BINARY (256u << 20)
#define MAX_TEXT (64u << 20)

static void keep_reason(char *out, const ota_error *err)
{
    snprintf(out, OTA_ERROR_MAX, "%s", err->message);
}

static void read_metadata(rt_pkg_info *info, ota_zip *zip)
{
    const ota_zip_entry *e = ota_zip_find(zip, METADATA_ENTRY);
    if (!e)
        return;
    uint8_t *text;
    size_t len;
    ota_error err;
    if (ota_zip_read(zip, e, &text, &len, MAX_TEXT, &err) < 0) {
        keep_reason(info->metadata_error, &err);
        return;
    }
    int rc = ota_props_parse(&info->metadata, (const char *)text, len, METADATA_ENTRY, &err);
    free(text);
    if (rc < 0) {
        keep_reason(info->metadata_error, &err);
        return;
    }
    info->has_metadata = 1;
    /* Android's rule: an incremental package names the build it applies to. */
    info->incremental = ota_props_get(&info->metadata, "pre-build") != NULL;
}

static void read_signatures(rt_pkg_info *info, ota_zip *zip)
{
    ota_error err;
    if (ota_package_signer(info->path, &info->signer, &err) == 0)
        info->signed_whole_file = 1;
    else
        keep_reason(info->signer_error, &err);
    for (size_t i = 0; i < ota_zip_count(zip); i++)
        if (ota_is_signature_file(ota_zip_entry_at(zip, i)->name))
            info->has_jar_signature = 1;
    info->has_otacert = ota_zip_find(zip, OTACERT_ENTRY) != NULL;
    if (!info->key_path)
        return;
    ota_keyset *keys = ota_keyset_load(info->key_path, &err);
    ota_verify_info v;
    if (keys && ota_verify_package(info->path, keys, &v, &err) == 0) {
        info->verified = 1;
        info->jar_verified = v.jar_ok;
    } else {
        keep_reason(info->verify_error, &err);
    }
    ota_keyset_free(keys);
}

static void read_binary(rt_pkg_info *info, ota_zip *zip)
{
    const ota_zip_entry *e = ota_zip_find(zip, BINARY_ENTRY);
    if (!e)
        return;
    info->has_binary = 1;
    info->binary_size = e->size;
    uint8_t *data;
    size_t len;
    ota_error err;
    if (ota_zip_read(zip, e, &data, &len, MAX_BINARY, &err) < 0) {
        keep_reason(info->binary_error, &err);
        return;
    }
    if (ota_elf_parse(data, len, &info->binary, &err) == 0) {
        info->binary_is_elf = 1;
    } else if (len > 2 && data[0] == '#' && data[1] == '!') {
        /* Some packages ship a shell script as their update-binary. */
        size_t end = strcspn((const char *)data, "\n");
        snprintf(info->binary_error, OTA_ERROR_MAX, "a script, not a program (%.*s)",
                 (int)(end < 100 ? end : 100), (const char *)data);
    } else {
        keep_reason(info->binary_error, &err);
    }
    free(data);
}

static int read_script(rt_pkg_info *info, ota_zip *zip, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(zip, SCRIPT_ENTRY);
    if (!e)
        return 0;
    uint8_t *text;
    size_t len;
    if (ota_zip_read(zip, e, &text, &len, MAX_TEXT, err) < 0) {
        /* Described as a script problem: the rest of the package is still worth showing. */
        rt_pkg_script *s = &info->script;
        s->present = 1;
        s->errors = malloc(sizeof *s->errors);
        if (!s->errors || !(s->errors[0] = strdup(err->message))) {
            free(s->errors);
            s->errors = NULL;
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        }
        s->nerrors = 1;
        return 0;
    }
    int rc = rt_pkg_scan_script((const char *)text, len, SCRIPT_ENTRY, zip, &info->script, err);
    free(text);
    return rc;
}

int rt_pkg_inspect(const char *path, const char *key_path, rt_pkg_info *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->key_path = key_path;
    ota_zip *zip = ota_zip_open(path, err);
    if (!zip)
        return -1;
    struct stat st;
    if (stat(path, &st) == 0)
        out->size = (uint64_t)st.st_size;
    out->entries = ota_zip_count(zip);
    read_metadata(out, zip);
    read_signatures(out, zip);
    read_binary(out, zip);
    int rc = read_script(out, zip, err);
    ota_zip_close(zip);
    if (rc < 0)
        rt_pkg_info_free(out);
    return rc;
}

void rt_pkg_info_free(rt_pkg_info *info)
{
    ota_props_free(&info->metadata);
    rt_pkg_script_free(&info->script);
}
