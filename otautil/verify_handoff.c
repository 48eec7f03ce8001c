/* Handing a verified package from recovery to the update-binary
 * (otautil/verify.h): the token names the verified snapshot, and the
 * child holds the package it opened to it before reading anything else. */
#include "otautil/verify.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/jar.h"
#include "otautil/safe_file.h"
#include "otautil/signed_entries.h"
#include "otautil/snapshot.h"

#define SEALED_LEN (sizeof OTA_VERIFIED_SEALED - 1)

void ota_verified_token(const ota_verify_info *info, char *out)
{
    if (!info->jar_ok) {
        memcpy(out, OTA_VERIFIED_SEALED, SEALED_LEN);
        ota_hex_encode(info->index_sha256, OTA_SHA256_LEN, out + SEALED_LEN);
        return;
    }
    ota_hex_encode(info->manifest_sha256, OTA_SHA256_LEN, out);
    out[2 * OTA_SHA256_LEN] = ':';
    ota_hex_encode(info->index_sha256, OTA_SHA256_LEN, out + 2 * OTA_SHA256_LEN + 1);
}

static int is_sealed_token(const char *token)
{
    return strncmp(token, OTA_VERIFIED_SEALED, SEALED_LEN) == 0;
}

static int changed(const ota_zip *zip, const char *what, ota_error *err)
{
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "%s: the package changed after recovery verified it (%s)",
                         ota_zip_path(zip), what);
}

int ota_zip_adopt_verified(ota_zip *zip, const char *token, ota_error *err)
{
    uint8_t mf_want[OTA_SHA256_LEN], index_want[OTA_SHA256_LEN];
    const char *end;
    if (is_sealed_token(token))
        return ota_error_set(err, OTA_ERR_ARGS,
                             "%s names a sealed snapshot, which is checked on the open file",
                             OTA_VERIFIED_ENV);
    if (ota_hex_decode(token, mf_want, sizeof mf_want, &end) < 0 || *end != ':' ||
        ota_hex_decode(end + 1, index_want, sizeof index_want, NULL) < 0)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "%s is not MANIFEST_SHA256:INDEX_SHA256 in hex: '%.140s'",
                             OTA_VERIFIED_ENV, token);
    /* The index first: it says what every entry is and where it lies. */
    if (memcmp(ota_zip_index_sha256(zip), index_want, OTA_SHA256_LEN) != 0)
        return changed(zip, "its central directory is not the verified one", err);
    const ota_zip_entry *e = ota_zip_find(zip, OTA_MANIFEST_ENTRY);
    if (!e)
        return changed(zip, "it has no " OTA_MANIFEST_ENTRY, err);
    uint8_t *mf = NULL;
    size_t len = 0;
    if (ota_zip_read(zip, e, &mf, &len, OTA_JAR_TEXT_MAX, err) < 0)
        return -1;
    uint8_t got[OTA_SHA256_LEN];
    ota_sha256(mf, len, got);
    if (memcmp(got, mf_want, sizeof got) != 0) {
        free(mf);
        return changed(zip, OTA_MANIFEST_ENTRY " is not the verified one", err);
    }
    ota_signed_entries *s = ota_signed_entries_new(mf, len, err);
    free(mf);
    if (!s)
        return -1;
    return ota_zip_verify_entries(zip, s, err);
}

/* A sealed snapshot: the seals of the file the child opened itself, so
 * nobody needs to be trusted that its bytes cannot change, then the index
 * built from it, so it is the copy that verified. */
static ota_zip *open_sealed(int fd, const char *path, const char *token, ota_error *err)
{
    uint8_t index_want[OTA_SHA256_LEN];
    if (ota_hex_decode(token + SEALED_LEN, index_want, sizeof index_want, NULL) < 0)
        return ota_error_set(err, OTA_ERR_ARGS, "%s is not sealed:INDEX_SHA256 in hex: '%.140s'",
                             OTA_VERIFIED_ENV, token),
               NULL;
    if (ota_snapshot_check(fd, path, err) < 0) {
        ota_error_prefix(err, "%s names a sealed snapshot", OTA_VERIFIED_ENV);
        return NULL;
    }
    ota_zip *zip = ota_zip_open_fd(fd, path, err);
    if (zip && memcmp(ota_zip_index_sha256(zip), index_want, OTA_SHA256_LEN) != 0) {
        changed(zip, "its central directory is not the verified one", err);
        ota_zip_close(zip);
        return NULL;
    }
    return zip;
}

ota_zip *ota_zip_open_verified(const char *path, const char *token, ota_error *err)
{
    int fd = ota_open_regular(path, "package", NULL, err);
    if (fd < 0)
        return NULL;
    ota_zip *zip;
    if (is_sealed_token(token)) {
        zip = open_sealed(fd, path, token, err);
    } else if ((zip = ota_zip_open_fd(fd, path, err)) && ota_zip_adopt_verified(zip, token, err) < 0) {
        ota_zip_close(zip);
        zip = NULL;
    }
    close(fd);
    return zip;
}
