/* JAR manifests (META-INF/MANIFEST.MF) and signature files (CERT.SF): the
 * parser the verifier uses and the writer signapk uses, so both agree on
 * the format.  A manifest is a main section and per-entry sections, each
 * "Key: value" lines (continued by lines starting with one space) ending at
 * a blank line; lines end in CRLF, LF or CR.  A section's digest in CERT.SF
 * covers its raw bytes including the blank line that ends it. */
#ifndef OTAUTIL_MANIFEST_H
#define OTAUTIL_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct ota_mf_attr {
    char *key;
    char *value;
} ota_mf_attr;

typedef struct ota_mf_section {
    char *name;          /* the Name attribute; NULL for the main section */
    size_t offset, len;  /* raw bytes in the parsed text */
    size_t line;         /* 1-based line it starts on, for messages */
    ota_mf_attr *attrs;
    size_t nattrs;
} ota_mf_section;

typedef struct ota_manifest {
    ota_mf_section main;
    ota_mf_section *sections; /* per-entry sections, in file order */
    size_t count;
    size_t *by_name;          /* indexes into sections sorted by name */
} ota_manifest;

/* Parses len bytes; what names the file in messages.  Rejects malformed
 * lines, sections without a Name, duplicate keys in a section and
 * duplicate section names; lines and values over 64 KiB and sections of
 * more than 64 attributes (OTA_ERR_LIMIT).  The work is linear in len
 * (plus sorting the names), whatever the text: it may come from anyone. */
int ota_manifest_parse(const uint8_t *data, size_t len, const char *what, ota_manifest *mf,
                       ota_error *err);
void ota_manifest_free(ota_manifest *mf);

/* Value of key (compared without regard to case) in s, or NULL. */
const char *ota_manifest_attr(const ota_mf_section *s, const char *key);
/* The section named name, or NULL. */
const ota_mf_section *ota_manifest_find(const ota_manifest *mf, const char *name);

/* Appends "key: value" CRLF, wrapped at 72 bytes as Java's writer does. */
int ota_manifest_write_attr(ota_buf *out, const char *key, const char *value, ota_error *err);

/* Standard base64 with padding.  decode: exactly the digest length is
 * expected (want bytes); -1 on anything else. */
int ota_base64_decode(const char *in, uint8_t *out, size_t want);
/* out must hold 4 * ((len + 2) / 3) + 1 bytes. */
void ota_base64_encode(const uint8_t *in, size_t len, char *out);

#endif
