/* libFuzzer target: the whole-file signature path on arbitrary bytes taken
 * as a complete package: footer, EOCD checks, strict PKCS#7 parsing, key
 * lookup and signature verification against the embedded certificate. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "otautil/footer.h"
#include "otautil/keys.h"
#include "otautil/verify_pkcs7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? size : OTA_FOOTER_TAIL_MAX;
    const uint8_t *tail = data + size - tail_len;
    ota_footer footer;
    ota_error err;
    if (ota_footer_parse(tail, tail_len, size, &footer, &err) < 0)
        return 0;
    if (footer.sig_offset + footer.sig_len > tail_len || footer.signed_len > size)
        abort(); /* the parser promised in-bounds extents */
    ota_pkcs7 sig;
    if (ota_pkcs7_parse(&sig, tail + footer.sig_offset, footer.sig_len, "fuzz", &err) < 0)
        return 0;
    ota_keyset *none = ota_keyset_new(&err);
    size_t index;
    if (none && ota_pkcs7_find_key(&sig, none, &index, &err) == 0)
        abort(); /* no key can match an empty set */
    ota_keyset_free(none);
    uint8_t md[OTA_HASH_MAX_LEN];
    if (sig.hash == OTA_HASH_SHA1)
        ota_sha1(data, (size_t)footer.signed_len, md);
    else
        ota_sha256(data, (size_t)footer.signed_len, md);
    EVP_PKEY *pub = X509_get0_pubkey(sig.signer);
    if (pub)
        (void)ota_pkcs7_verify_digest(&sig, pub, md, "fuzz", &err);
    ota_pkcs7_free(&sig);
    return 0;
}
