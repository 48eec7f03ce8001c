/* The BSDIFF40/BSDF2 control loop shared by every apply path.  Each triple
 * (add, copy, seek) says: make `add` bytes as old + diff, then `copy`
 * literal bytes from the extra stream, then move the source position by
 * `seek`.  Every length is checked against the target size and every
 * source range against the source before anything is read or written. */
#include "applypatch/bsdiff_internal.h"

#include <inttypes.h>

/* The diff stream, read ahead on a second thread when one could start. */
typedef struct diff_input {
    codec_reader *reader;
    stream_prefetch *ahead;
} diff_input;

static int read_diff(diff_input *in, uint8_t *buf, size_t len, ota_error *err)
{
    return in->ahead ? stream_prefetch_read(in->ahead, buf, len, err)
                     : codec_reader_read(in->reader, buf, len, err);
}

/* new = old + diff, for `len` bytes starting at source offset old_pos. */
static int apply_diff(diff_input *diff, const patch_input *src, uint64_t old_pos,
                      uint64_t len, uint8_t *buf, uint8_t *old_buf, size_t buf_len,
                      ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    while (len > 0) {
        size_t n = len < buf_len ? (size_t)len : buf_len;
        if (read_diff(diff, buf, n, err) < 0)
            return -1;
        const uint8_t *old;
        if (src->data) {
            old = src->data + old_pos;
        } else {
            if (src->read(src->ctx, old_pos, old_buf, n, err) < 0) {
                ota_error_prefix(err, "reading the source");
                return -1;
            }
            old = old_buf;
        }
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(buf[i] + old[i]);
        if (sink(sink_ctx, buf, n, err) < 0)
            return -1;
        old_pos += n;
        len -= n;
    }
    return 0;
}

static int copy_extra(codec_reader *extra, uint64_t len, uint8_t *buf, size_t buf_len,
                      ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    while (len > 0) {
        size_t n = len < buf_len ? (size_t)len : buf_len;
        if (codec_reader_read(extra, buf, n, err) < 0)
            return -1;
        if (sink(sink_ctx, buf, n, err) < 0)
            return -1;
        len -= n;
    }
    return 0;
}

/* The control loop proper; readers[1] is read through diff. */
static int run_controls(const bsdiff_header *h, codec_reader readers[3], diff_input *diff,
                        const patch_input *src, uint8_t *buf, uint8_t *old_buf,
                        size_t buf_len, ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    uint64_t new_pos = 0;
    int64_t old_pos = 0;
    while (new_pos < h->new_size) {
        uint8_t triple[24];
        if (codec_reader_read(&readers[0], triple, sizeof triple, err) < 0) {
            ota_error_prefix(err, "reading the control triple for target offset %" PRIu64,
                             new_pos);
            return -1;
        }
        int64_t add = bsdiff_get_offset(triple);
        int64_t copy = bsdiff_get_offset(triple + 8);
        int64_t seek = bsdiff_get_offset(triple + 16);
        uint64_t room = h->new_size - new_pos;
        if (add < 0 || copy < 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s control at target offset %" PRIu64
                                 " has a negative length (diff %" PRId64 ", extra %" PRId64 ")",
                                 h->format, new_pos, add, copy);
        if ((uint64_t)add > room || (uint64_t)copy > room - (uint64_t)add)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s control at target offset %" PRIu64 " (diff %" PRId64
                                 ", extra %" PRId64 ") runs past the new size %" PRIu64,
                                 h->format, new_pos, add, copy, h->new_size);
        if (add > 0 && (old_pos < 0 || (uint64_t)old_pos > src->size ||
                        (uint64_t)add > src->size - (uint64_t)old_pos))
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s control at target offset %" PRIu64
                                 " reads source bytes %" PRId64 "..+%" PRId64
                                 ", outside the %" PRIu64 "-byte source",
                                 h->format, new_pos, old_pos, add, src->size);
        if (apply_diff(diff, src, (uint64_t)old_pos, (uint64_t)add, buf, old_buf, buf_len,
                       sink, sink_ctx, err) < 0)
            return -1;
        new_pos += (uint64_t)add;
        old_pos += add; /* cannot overflow: it stayed inside the source */
        if (copy_extra(&readers[2], (uint64_t)copy, buf, buf_len, sink, sink_ctx, err) < 0)
            return -1;
        new_pos += (uint64_t)copy;
        if (__builtin_add_overflow(old_pos, seek, &old_pos))
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s control at target offset %" PRIu64
                                 " seeks the source by %" PRId64 ", overflowing",
                                 h->format, new_pos, seek);
    }
    /* Reading each stream to its end checks its CRC, so a damaged tail is
     * an error here rather than a silently accepted patch. */
    if (codec_reader_expect_end(&readers[0], err) < 0)
        return -1;
    if (diff->ahead ? stream_prefetch_expect_end(diff->ahead, err) < 0
                    : codec_reader_expect_end(&readers[1], err) < 0)
        return -1;
    return codec_reader_expect_end(&readers[2], err);
}

/* Below this target size a second thread costs more than it saves. */
#define PREFETCH_MIN_TARGET (1u << 20)

int bspatch_run(const bsdiff_header *h, codec_reader readers[3], const patch_input *src,
                uint8_t *buf, uint8_t *old_buf, size_t buf_len, unsigned flags, ota_sink_fn sink,
                void *sink_ctx, ota_error *err)
{
    diff_input diff = {&readers[1], NULL};
    if (h->new_size >= PREFETCH_MIN_TARGET && !(flags & PATCH_ONE_THREAD))
        diff.ahead = stream_prefetch_start(&readers[1], buf_len); /* NULL: read it here */
    int rc = run_controls(h, readers, &diff, src, buf, old_buf, buf_len, sink, sink_ctx, err);
    stream_prefetch_stop(diff.ahead);
    return rc;
}
