/* Update channels: the small signed document a device follows to learn the
 * current build of its channel and where its packages are (docs/agent.md).
 * The text is property lines (otautil/props.h):
 *   ota-channel=1                  format version (required first key)
 *   name=stable                    the channel's name
 *   date=1700000000                when it was made (seconds since the epoch)
 *   build=FINGERPRINT              the build it offers
 *   package.N.url=URL              N = 1, 2, ... without gaps; URL absolute or
 *   package.N.size=BYTES             relative to the channel's own URL
 *   package.N.sha256=HEX
 *   package.N.metadata.KEY=VALUE   the package's META-INF/com/android/metadata
 * A full package has no metadata.pre-build; an incremental names its source
 * build there.  Every package's metadata.post-build is `build`.
 * The signature follows the text as a PEM block ("-----BEGIN PKCS7-----"),
 * a detached PKCS#7 SignedData over every byte before its first line, made
 * with a release key as packages' whole-file signatures are. */
#ifndef OTAUTIL_CHANNEL_H
#define OTAUTIL_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/props.h"
#include "otautil/sink.h"
#include "otautil/verify.h"

#define OTA_CHANNEL_VERSION "1"
#define OTA_CHANNEL_MAX_SIZE (1u << 20)
#define OTA_CHANNEL_MAX_PACKAGES 1000

typedef struct ota_channel_package {
    char *url;
    uint64_t size;
    uint8_t sha256[OTA_SHA256_LEN];
    ota_props metadata;
} ota_channel_package;

typedef struct ota_channel {
    char *name;
    long long date;
    char *build;
    ota_channel_package *packages;
    size_t count;
} ota_channel;

/* Adds a package (url and metadata copied).  Fails on a package whose
 * metadata lacks pre-device or post-build. */
int ota_channel_add(ota_channel *ch, const char *url, uint64_t size,
                    const uint8_t sha256[OTA_SHA256_LEN], const ota_props *metadata,
                    ota_error *err);
/* The text to sign, into out. */
int ota_channel_format(const ota_channel *ch, ota_buf *out, ota_error *err);
/* Appends the PEM signature block of der to doc (which holds the text). */
int ota_channel_seal(ota_buf *doc, const uint8_t *der, size_t der_len, ota_error *err);

/* Splits a document into the signed text (its first *text_len bytes) and
 * the DER signature (into der). */
int ota_channel_split(const uint8_t *doc, size_t len, size_t *text_len, ota_buf *der,
                      ota_error *err);
/* Parses the text (already verified) into ch (zero-initialised). */
int ota_channel_parse(const char *text, size_t len, ota_channel *ch, ota_error *err);
/* Split, verify against keys, parse: what a device does with a download.
 * what names the document in messages. */
int ota_channel_open(const uint8_t *doc, size_t len, const ota_keyset *keys, const char *what,
                     ota_channel *ch, ota_error *err);
void ota_channel_free(ota_channel *ch);

/* The package of ch without metadata.pre-build (NULL when none). */
const ota_channel_package *ota_channel_full(const ota_channel *ch);
/* The incremental whose pre-build lists fingerprint (NULL when none). */
const ota_channel_package *ota_channel_incremental(const ota_channel *ch,
                                                   const char *fingerprint);

#endif
