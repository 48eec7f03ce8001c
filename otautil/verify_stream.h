/* Verifying a package that is read once, while it streams from a server
 * (a streamed A/B install), with the same rules as otautil/verify.h:
 *
 *   1. begin: from the file's tail, the whole-file signature and its
 *      trusted key; the central directory indexed; the v1 JAR signature
 *      (required) checked down to the manifest, which then checks every
 *      entry as it is read (the zip is returned in verified mode);
 *   2. the caller hands over every byte it reads, at its offset
 *      (ota_stream_verify_update): the whole-file digest takes them in
 *      file order, as they come;
 *   3. finish: once [0, signed_len) has all passed (ota_stream_verify_next
 *      says where the digest stands), the whole-file signature is checked,
 *      and the central directory among the signed bytes must be the one
 *      indexed in step 1.
 * Nothing may be trusted before finish succeeds: a streamed install writes
 * only a slot that nothing boots, and activates it after finish. */
#ifndef OTAUTIL_VERIFY_STREAM_H
#define OTAUTIL_VERIFY_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/verify.h"
#include "otautil/zip.h"

typedef struct ota_stream_verify ota_stream_verify;

/* Step 1 on the package read through read (size bytes; name names it in
 * messages).  *zip receives the archive in verified mode (the caller
 * closes it, after ota_stream_verify_free or before: they are
 * independent); info gets what ota_verify_fd gives (jar_ok set).  keys
 * must outlive the returned handle (finish uses the matching key). */
ota_stream_verify *ota_stream_verify_begin(ota_zip_read_fn read, void *ctx, uint64_t size,
                                           const char *name, const ota_keyset *keys,
                                           ota_zip **zip, ota_verify_info *info,
                                           ota_error *err);
/* Step 2: len bytes of the file at off.  Bytes before the digest's position
 * were taken already and bytes after it wait (the caller reads them again
 * later): only the part that continues the digest counts. */
void ota_stream_verify_update(ota_stream_verify *sv, uint64_t off, const void *data, size_t len);
/* Where the digest stands, and the end of the signed bytes: the caller
 * reads [*at, *end) (and updates) before finish. */
void ota_stream_verify_next(const ota_stream_verify *sv, uint64_t *at, uint64_t *end);
/* Step 3. */
int ota_stream_verify_finish(ota_stream_verify *sv, ota_error *err);
void ota_stream_verify_free(ota_stream_verify *sv);

#endif
