/* The v1 JAR signature of a package (META-INF/MANIFEST.MF, one signature
 * file X.SF and its block X.RSA or X.EC), checked against the signer of the
 * whole-file signature. */
#ifndef OTAUTIL_JAR_H
#define OTAUTIL_JAR_H

#include "otautil/error.h"
#include "otautil/keys.h"
#include "otautil/verify_pkcs7.h"
#include "otautil/zip.h"

/* Limits on the text files read whole: far beyond any real package. */
#define OTA_JAR_TEXT_MAX (64u << 20)
#define OTA_JAR_BLOCK_MAX (1u << 20)

/* Non-zero when the package has any of the v1 signature files
 * (META-INF/MANIFEST.MF, X.SF, X.RSA, X.EC, X.DSA), judged by its index
 * alone: whether they verify is ota_jar_verify's question. */
int ota_jar_present(const ota_zip *zip);

/* *present = 0 and returns 0 when the package has no v1 signature files.
 * Otherwise verifies, parsing nothing before it is authenticated: the
 * block signs the .SF by the certificate `whole_file` was signed by, using
 * key; the .SF's digest of the whole manifest (before the manifest is
 * parsed) and of each section; every entry listed and every listed entry
 * present; then, with zip put in verified mode (ota_zip_verify_entries),
 * each listed entry's digests against its streamed contents.  On success
 * zip stays in verified mode. */
int ota_jar_verify(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key, int *present,
                   ota_error *err);
/* The same without reading the entries: zip is left in verified mode, so
 * each entry is checked when it is read (a streamed install, which cannot
 * read a package twice). */
int ota_jar_verify_deferred(ota_zip *zip, const ota_pkcs7 *whole_file, const ota_key *key,
                            int *present, ota_error *err);

#endif
