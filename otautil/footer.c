/* Locating the whole-file signature: pure arithmetic on the file's tail,
 * every offset checked before use. */
#include "otautil/footer.h"

#include <string.h>

static unsigned le16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static const uint8_t eocd_magic[4] = {'P', 'K', 5, 6};

/* No footer at the end.  A download cut short is the usual cause, and
 * "no signature" would send the user after the signer instead: when the
 * tail holds no end-of-central-directory record, or the last one announces
 * a comment longer than what follows it, the file is incomplete. */
static int missing_footer(const uint8_t *tail, size_t tail_len, uint64_t file_size, ota_error *err)
{
    for (size_t i = tail_len - OTA_EOCD_SIZE + 1; i-- > 0;) {
        if (memcmp(tail + i, eocd_magic, 4) != 0)
            continue;
        size_t comment_len = le16(tail + i + 20), after = tail_len - i - OTA_EOCD_SIZE;
        if (comment_len > after)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "no whole-file signature: the file looks truncated, its zip "
                                 "comment is cut (%zu of %zu bytes present; %llu bytes in all): "
                                 "download it again",
                                 after, comment_len, (unsigned long long)file_size);
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "no whole-file signature: the zip comment does not end with a "
                             "signature footer");
    }
    return ota_error_set(err, OTA_ERR_FORMAT,
                         "no whole-file signature: the file looks truncated (download it again) "
                         "or is no zip archive: no end-of-central-directory record in its last "
                         "%zu bytes (%llu bytes in all)",
                         tail_len, (unsigned long long)file_size);
}

int ota_footer_parse(const uint8_t *tail, size_t tail_len, uint64_t file_size, ota_footer *out,
                     ota_error *err)
{
    size_t want_tail = file_size < OTA_FOOTER_TAIL_MAX ? (size_t)file_size : OTA_FOOTER_TAIL_MAX;
    if (tail_len != want_tail)
        return ota_error_set(err, OTA_ERR_ARGS, "footer parser needs the last %zu bytes, got %zu",
                             want_tail, tail_len);
    if (file_size < OTA_EOCD_SIZE)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "too short for a zip archive (%llu bytes, 22 at least)",
                             (unsigned long long)file_size);
    const uint8_t *footer = tail + tail_len - OTA_FOOTER_SIZE;
    if (footer[2] != 0xff || footer[3] != 0xff)
        return missing_footer(tail, tail_len, file_size, err);
    size_t sig_start = le16(footer), comment_len = le16(footer + 4);
    if (sig_start > comment_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: signature start %zu lies outside the %zu-byte comment",
                             sig_start, comment_len);
    if (sig_start <= OTA_FOOTER_SIZE)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: signature start %zu leaves no room for a signature",
                             sig_start);
    size_t eocd_len = OTA_EOCD_SIZE + comment_len;
    if (eocd_len > tail_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: a %zu-byte comment does not fit in the %llu-byte file",
                             comment_len, (unsigned long long)file_size);
    const uint8_t *eocd = tail + tail_len - eocd_len;
    if (memcmp(eocd, eocd_magic, 4) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: no end-of-central-directory record where the %zu-byte "
                             "comment length puts it (offset %llu)",
                             comment_len, (unsigned long long)(file_size - eocd_len));
    /* A second marker after the real one could make a zip reader take the
     * comment, which the signature does not cover, for the directory. */
    for (size_t i = 4; i + 4 <= eocd_len; i++)
        if (memcmp(eocd + i, eocd_magic, 4) == 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "bad footer: an end-of-central-directory marker hides in the "
                                 "comment (offset %llu)",
                                 (unsigned long long)(file_size - eocd_len + i));
    if (le16(eocd + 20) != comment_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: the archive's comment length %u does not match the "
                             "footer's %zu",
                             le16(eocd + 20), comment_len);
    /* The comment is not signed: allow only what signapk writes there. */
    const uint8_t *comment = eocd + OTA_EOCD_SIZE;
    size_t prefix = comment_len - sig_start;
    static const char banner[] = OTA_FOOTER_BANNER; /* with its NUL */
    if (prefix != 0 && (prefix != sizeof banner || memcmp(comment, banner, sizeof banner) != 0))
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "bad footer: %zu unexpected bytes before the signature in the zip "
                             "comment",
                             prefix);
    out->signed_len = file_size - comment_len - 2;
    out->sig_offset = tail_len - sig_start;
    out->sig_len = sig_start - OTA_FOOTER_SIZE;
    return 0;
}
