#include "otautil/channel.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/metadata.h"
#include "otautil/verify_detached.h"

#define PEM_LABEL "PKCS7"
#define PEM_BEGIN "-----BEGIN " PEM_LABEL "-----\n"
#define PKG_PREFIX "package."

static int append_str(ota_buf *out, const char *s, ota_error *err)
{
    return ota_buf_append(out, s, strlen(s), err);
}

static int append_line(ota_buf *out, const char *key, const char *value, ota_error *err)
{
    if (strchr(value, '\n'))
        return ota_error_set(err, OTA_ERR_ARGS, "channel: the value of %s has a newline", key);
    if (append_str(out, key, err) < 0 || append_str(out, "=", err) < 0 ||
        append_str(out, value, err) < 0 || append_str(out, "\n", err) < 0)
        return -1;
    return 0;
}

static int copy_props(ota_props *dst, const ota_props *src, ota_error *err)
{
    for (size_t i = 0; i < src->count; i++)
        if (ota_props_set(dst, src->items[i].key, src->items[i].value, err) < 0)
            return -1;
    return 0;
}

int ota_channel_add(ota_channel *ch, const char *url, uint64_t size,
                    const uint8_t sha256[OTA_SHA256_LEN], const ota_props *metadata,
                    ota_error *err)
{
    const char *device = ota_props_get(metadata, "pre-device");
    const char *post = ota_props_get(metadata, "post-build");
    if (!device || !device[0] || !post || !post[0])
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "channel: package %s: its metadata lacks pre-device or post-build",
                             url);
    if (ch->count >= OTA_CHANNEL_MAX_PACKAGES)
        return ota_error_set(err, OTA_ERR_LIMIT, "channel: more than %d packages",
                             OTA_CHANNEL_MAX_PACKAGES);
    ota_channel_package *p = realloc(ch->packages, (ch->count + 1) * sizeof *p);
    if (!p)
        return ota_error_set(err, OTA_ERR_NOMEM, "channel: out of memory");
    ch->packages = p;
    ota_channel_package *pkg = &p[ch->count];
    memset(pkg, 0, sizeof *pkg);
    pkg->url = strdup(url);
    pkg->size = size;
    memcpy(pkg->sha256, sha256, OTA_SHA256_LEN);
    ch->count++;
    if (!pkg->url)
        return ota_error_set(err, OTA_ERR_NOMEM, "channel: out of memory");
    return copy_props(&pkg->metadata, metadata, err);
}

int ota_channel_format(const ota_channel *ch, ota_buf *out, ota_error *err)
{
    char num[32], key[512], hex[2 * OTA_SHA256_LEN + 1];
    snprintf(num, sizeof num, "%lld", ch->date);
    if (append_str(out, "# OTA update channel (docs/agent.md); signed below\n", err) < 0 ||
        append_line(out, "ota-channel", OTA_CHANNEL_VERSION, err) < 0 ||
        append_line(out, "name", ch->name ? ch->name : "", err) < 0 ||
        append_line(out, "date", num, err) < 0 ||
        append_line(out, "build", ch->build ? ch->build : "", err) < 0)
        return -1;
    for (size_t i = 0; i < ch->count; i++) {
        const ota_channel_package *p = &ch->packages[i];
        ota_hex_encode(p->sha256, OTA_SHA256_LEN, hex);
        snprintf(num, sizeof num, "%llu", (unsigned long long)p->size);
        int rc = 0;
        snprintf(key, sizeof key, PKG_PREFIX "%zu.url", i + 1);
        rc = append_line(out, key, p->url, err);
        snprintf(key, sizeof key, PKG_PREFIX "%zu.size", i + 1);
        if (rc == 0)
            rc = append_line(out, key, num, err);
        snprintf(key, sizeof key, PKG_PREFIX "%zu.sha256", i + 1);
        if (rc == 0)
            rc = append_line(out, key, hex, err);
        for (size_t j = 0; rc == 0 && j < p->metadata.count; j++) {
            if ((size_t)snprintf(key, sizeof key, PKG_PREFIX "%zu.metadata.%s", i + 1,
                                 p->metadata.items[j].key) >= sizeof key)
                return ota_error_set(err, OTA_ERR_LIMIT, "channel: metadata key too long: %s",
                                     p->metadata.items[j].key);
            rc = append_line(out, key, p->metadata.items[j].value, err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int ota_channel_seal(ota_buf *doc, const uint8_t *der, size_t der_len, ota_error *err)
{
    if (doc->len && doc->data[doc->len - 1] != '\n')
        return ota_error_set(err, OTA_ERR_ARGS, "channel: text must end with a newline");
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = bio && PEM_write_bio(bio, PEM_LABEL, "", der, (long)der_len) > 0;
    char *pem = NULL;
    long n = ok ? BIO_get_mem_data(bio, &pem) : 0;
    int rc = ok && n > 0 ? ota_buf_append(doc, pem, (size_t)n, err)
                         : ota_error_set(err, OTA_ERR_FORMAT, "channel: cannot encode the signature");
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

/* The offset of the signature block's first line: the last line that is
 * exactly PEM_BEGIN (at the start or after a newline). */
static const uint8_t *find_block(const uint8_t *doc, size_t len)
{
    size_t blen = strlen(PEM_BEGIN);
    for (size_t i = len >= blen ? len - blen + 1 : 0; i-- > 0;)
        if ((i == 0 || doc[i - 1] == '\n') && memcmp(doc + i, PEM_BEGIN, blen) == 0)
            return doc + i;
    return NULL;
}

int ota_channel_split(const uint8_t *doc, size_t len, size_t *text_len, ota_buf *der,
                      ota_error *err)
{
    if (len > OTA_CHANNEL_MAX_SIZE)
        return ota_error_set(err, OTA_ERR_LIMIT, "channel: larger than %u bytes",
                             OTA_CHANNEL_MAX_SIZE);
    const uint8_t *block = find_block(doc, len);
    if (!block)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "channel is not signed (no \"-----BEGIN PKCS7-----\" block)");
    size_t block_len = (size_t)(doc + len - block);
    BIO *bio = BIO_new_mem_buf(block, (int)block_len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long data_len = 0;
    int ok = bio && PEM_read_bio(bio, &name, &header, &data, &data_len) > 0;
    int rc;
    if (!ok || strcmp(name, PEM_LABEL) != 0 || header[0] != '\0')
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: the signature block is not valid PEM");
    else if (BIO_pending(bio) > 0 && BIO_pending(bio) != 1)
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: data after the signature block");
    else
        rc = ota_buf_append(der, data, (size_t)data_len, err);
    if (rc == 0 && BIO_pending(bio) == 1) {
        char c;
        if (BIO_read(bio, &c, 1) != 1 || c != '\n')
            rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: data after the signature block");
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(bio);
    ERR_clear_error();
    if (rc == 0)
        *text_len = (size_t)(block - doc);
    return rc;
}

/* "package.N.REST": N into *index (0-based), REST into *rest. */
static int package_key(const char *key, size_t *index, const char **rest)
{
    if (strncmp(key, PKG_PREFIX, strlen(PKG_PREFIX)) != 0)
        return 0;
    const char *p = key + strlen(PKG_PREFIX);
    if (*p < '1' || *p > '9')
        return -1;
    char *end;
    unsigned long n = strtoul(p, &end, 10);
    if (*end != '.' || n > OTA_CHANNEL_MAX_PACKAGES)
        return -1;
    *index = n - 1;
    *rest = end + 1;
    return 1;
}

static int grow(ota_channel *ch, size_t count, ota_error *err)
{
    if (count <= ch->count)
        return 0;
    ota_channel_package *p = realloc(ch->packages, count * sizeof *p);
    if (!p)
        return ota_error_set(err, OTA_ERR_NOMEM, "channel: out of memory");
    memset(p + ch->count, 0, (count - ch->count) * sizeof *p);
    ch->packages = p;
    ch->count = count;
    return 0;
}

static int set_package_field(ota_channel_package *p, size_t n, const char *field,
                             const char *value, ota_error *err)
{
    if (strncmp(field, "metadata.", 9) == 0 && field[9])
        return ota_props_set(&p->metadata, field + 9, value, err);
    if (strcmp(field, "url") == 0) {
        free(p->url);
        p->url = strdup(value);
        return p->url ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "channel: out of memory");
    }
    if (strcmp(field, "size") == 0) {
        if (ota_parse_decimal(value, &p->size) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "channel: package %zu: bad size '%s'", n,
                                 value);
        return 0;
    }
    if (strcmp(field, "sha256") == 0) {
        if (ota_hex_decode(value, p->sha256, OTA_SHA256_LEN, NULL) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "channel: package %zu: bad sha256 '%s'",
                                 n, value);
        return 0;
    }
    return 0; /* a field a later version added */
}

static int check_package(const ota_channel *ch, size_t i, ota_error *err)
{
    const ota_channel_package *p = &ch->packages[i];
    static const uint8_t zero[OTA_SHA256_LEN];
    if (!p->url || !p->url[0])
        return ota_error_set(err, OTA_ERR_FORMAT, "channel: package %zu has no url", i + 1);
    if (p->size == 0 || memcmp(p->sha256, zero, sizeof zero) == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "channel: package %zu lacks its size or sha256",
                             i + 1);
    const char *post = ota_props_get(&p->metadata, "post-build");
    const char *device = ota_props_get(&p->metadata, "pre-device");
    if (!device || !device[0])
        return ota_error_set(err, OTA_ERR_FORMAT, "channel: package %zu names no device", i + 1);
    if (!post || strcmp(post, ch->build) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "channel: package %zu builds '%s', the channel offers '%s'", i + 1,
                             post ? post : "(nothing)", ch->build);
    return 0;
}

int ota_channel_parse(const char *text, size_t len, ota_channel *ch, ota_error *err)
{
    ota_props props = {0};
    int rc = ota_props_parse(&props, text, len, "channel", err);
    if (rc == 0 && (props.count == 0 || strcmp(props.items[0].key, "ota-channel") != 0))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: does not start with ota-channel=");
    if (rc == 0 && strcmp(props.items[0].value, OTA_CHANNEL_VERSION) != 0)
        rc = ota_error_set(err, OTA_ERR_UNSUPPORTED, "channel: format %s (this agent reads %s)",
                           props.items[0].value, OTA_CHANNEL_VERSION);
    const char *name = ota_props_get(&props, "name"), *date = ota_props_get(&props, "date");
    const char *build = ota_props_get(&props, "build");
    uint64_t d = 0;
    if (rc == 0 && (!build || !build[0]))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: no build");
    if (rc == 0 && (!date || ota_parse_decimal(date, &d) < 0 || d > (uint64_t)1 << 62))
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: missing or bad date");
    if (rc == 0) {
        ch->name = strdup(name ? name : "");
        ch->build = strdup(build);
        ch->date = (long long)d;
        if (!ch->name || !ch->build)
            rc = ota_error_set(err, OTA_ERR_NOMEM, "channel: out of memory");
    }
    for (size_t i = 0; rc == 0 && i < props.count; i++) {
        size_t index;
        const char *field;
        int kind = package_key(props.items[i].key, &index, &field);
        if (kind < 0)
            rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: bad key %s", props.items[i].key);
        else if (kind > 0 && (rc = grow(ch, index + 1, err)) == 0)
            rc = set_package_field(&ch->packages[index], index + 1, field,
                                   props.items[i].value, err);
    }
    if (rc == 0 && ch->count == 0)
        rc = ota_error_set(err, OTA_ERR_FORMAT, "channel: lists no package");
    for (size_t i = 0; rc == 0 && i < ch->count; i++)
        rc = check_package(ch, i, err);
    ota_props_free(&props);
    if (rc < 0)
        ota_channel_free(ch);
    return rc;
}

int ota_channel_open(const uint8_t *doc, size_t len, const ota_keyset *keys, const char *what,
                     ota_channel *ch, ota_error *err)
{
    size_t text_len;
    ota_buf der = {0};
    int rc = ota_channel_split(doc, len, &text_len, &der, err);
    if (rc == 0)
        rc = ota_verify_detached(doc, text_len, der.data, der.len, keys, "channel signature",
                                 NULL, err);
    if (rc == 0)
        rc = ota_channel_parse((const char *)doc, text_len, ch, err);
    ota_buf_free(&der);
    if (rc < 0)
        ota_error_prefix(err, "%s", what);
    return rc;
}

void ota_channel_free(ota_channel *ch)
{
    for (size_t i = 0; i < ch->count; i++) {
        free(ch->packages[i].url);
        ota_props_free(&ch->packages[i].metadata);
    }
    free(ch->packages);
    free(ch->name);
    free(ch->build);
    memset(ch, 0, sizeof *ch);
}

const ota_channel_package *ota_channel_full(const ota_channel *ch)
{
    for (size_t i = 0; i < ch->count; i++)
        if (!ota_props_get(&ch->packages[i].metadata, "pre-build"))
            return &ch->packages[i];
    return NULL;
}

const ota_channel_package *ota_channel_incremental(const ota_channel *ch,
                                                   const char *fingerprint)
{
    for (size_t i = 0; i < ch->count; i++) {
        const char *pre = ota_props_get(&ch->packages[i].metadata, "pre-build");
        if (pre && ota_metadata_list_contains(pre, '|', fingerprint))
            return &ch->packages[i];
    }
    return NULL;
}
