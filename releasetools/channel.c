#include "releasetools/channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/safe_file.h"
#include "otautil/channel.h"
#include "otautil/hash.h"
#include "otautil/metadata.h"
#include "otautil/props.h"
#include "otautil/verify.h"
#include "releasetools/sign.h"


/* The URL a device fetches the package from. */
static char *package_url(const rt_channel_opts *opts, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *prefix = opts->url_prefix ? opts->url_prefix : "";
    size_t n = strlen(prefix) + strlen(base) + 2;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s%s%s", prefix,
                 prefix[0] && prefix[strlen(prefix) - 1] != '/' ? "/" : "", base);
    return url;
}

static int add_package(ota_channel *ch, const rt_channel_opts *opts, const ota_keyset *keys,
                       const char *path, ota_error *err)
{
    if (ota_verify_package(path, keys, NULL, err) < 0) {
        ota_error_prefix(err, "%s is not signed by %s.x509.pem", path, opts->key);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) < 0)
        return ota_error_errno(err, "cannot stat %s", path);
    uint8_t sha[OTA_SHA256_LEN];
    if (ota_hash_file(path, OTA_HASH_SHA256, sha, err) < 0)
        return -1;
    ota_props md = {0};
    char *url = package_url(opts, path);
    int rc = url ? ota_metadata_read(path, &md, err)
                 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = ota_channel_add(ch, url, (uint64_t)st.st_size, sha, &md, err);
    free(url);
    ota_props_free(&md);
    return rc;
}

/* One target build, at most one full package, one incremental per source. */
static int check_set(const ota_channel *ch, const char *const *paths, ota_error *err)
{
    const char *build = ota_props_get(&ch->packages[0].metadata, "post-build");
    int fulls = 0;
    for (size_t i = 0; i < ch->count; i++) {
        const ota_props *md = &ch->packages[i].metadata;
        if (strcmp(ota_props_get(md, "post-build"), build) != 0)
            return ota_error_set(err, OTA_ERR_ARGS,
                                 "%s builds '%s' but %s builds '%s': a channel offers one build",
                                 paths[i], ota_props_get(md, "post-build"), paths[0], build);
        const char *pre = ota_props_get(md, "pre-build");
        if (!pre && ++fulls > 1)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: more than one full package", paths[i]);
        for (size_t j = 0; pre && j < i; j++) {
            const char *other = ota_props_get(&ch->packages[j].metadata, "pre-build");
            if (other && strcmp(other, pre) == 0)
                return ota_error_set(err, OTA_ERR_ARGS,
                                     "%s and %s are both incrementals from '%s'", paths[j],
                                     paths[i], pre);
        }
    }
    return 0;
}

int rt_channel_make(const rt_channel_opts *opts, const char *const *packages, size_t count,
                    const char *out, ota_error *err)
{
    char cert[4096], pk8[4096];
    if ((size_t)snprintf(cert, sizeof cert, "%s.x509.pem", opts->key) >= sizeof cert ||
        (size_t)snprintf(pk8, sizeof pk8, "%s.pk8", opts->key) >= sizeof pk8)
        return ota_error_set(err, OTA_ERR_ARGS, "key name too long: %s", opts->key);
    if (count == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "no packages");
    ota_keyset *keys = ota_keyset_load(cert, err);
    if (!keys)
        return -1;
    ota_channel ch = {.date = opts->date};
    ch.name = strdup(opts->name ? opts->name : "");
    int rc = ch.name ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = add_package(&ch, opts, keys, packages[i], err);
    ota_keyset_free(keys);
    if (rc == 0)
        rc = check_set(&ch, packages, err);
    if (rc == 0 && !(ch.build = strdup(ota_props_get(&ch.packages[0].metadata, "post-build"))))
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    ota_buf doc = {0}, der = {0};
    if (rc == 0)
        rc = ota_channel_format(&ch, &doc, err);
    if (rc == 0)
        rc = sign_detached(cert, pk8, doc.data, doc.len, &der, err);
    if (rc == 0)
        rc = ota_channel_seal(&doc, der.data, der.len, err);
    if (rc == 0)
        rc = ota_replace_file(out, doc.data, doc.len, 0644, err);
    ota_buf_free(&doc);
    ota_buf_free(&der);
    ota_channel_free(&ch);
    return rc;
}
