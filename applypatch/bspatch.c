/* Applying BSDIFF40 and BSDF2 patches: from memory (bspatch_mem), and in
 * bounded memory from files (bspatch_file) or any input (bspatch_input).
 * All stream the target to a sink and share the control loop in
 * bspatch_engine.c. */
#include "applypatch/bspatch.h"

#include <stdlib.h>
#include <string.h>

#include "applypatch/bsdiff_internal.h"

static const char *const stream_names[3] = {"control", "diff", "extra"};

/* Work buffer when source and patch are in memory: large enough that the
 * sink and the add loop run on big blocks, small next to the data. */
#define MEM_CHUNK (256 * 1024)

long long bspatch_new_size(const uint8_t *patch, size_t patch_len, ota_error *err)
{
    bsdiff_header h;
    if (bsdiff_parse_header(patch, patch_len, patch_len, &h, err) < 0)
        return -1;
    return (long long)h.new_size;
}

int bspatch_input(const patch_input *old, const patch_input *patch, uint64_t patch_off,
                  uint64_t patch_len, unsigned flags, ota_sink_fn sink, void *sink_ctx,
                  ota_error *err)
{
    uint8_t hdr[BSDIFF_HEADER_LEN];
    size_t hdr_len = patch_len < sizeof hdr ? (size_t)patch_len : sizeof hdr;
    if (patch_input_read(patch, patch_off, hdr, hdr_len, err) < 0) {
        ota_error_prefix(err, "reading the patch header");
        return -1;
    }
    bsdiff_header h;
    if (bsdiff_parse_header(hdr, hdr_len, patch_len, &h, err) < 0)
        return -1;
    uint64_t off[3] = {patch_off + BSDIFF_HEADER_LEN, patch_off + BSDIFF_HEADER_LEN + h.ctrl_len,
                       patch_off + BSDIFF_HEADER_LEN + h.ctrl_len + h.diff_len};
    uint64_t len[3] = {h.ctrl_len, h.diff_len, h.extra_len};
    int in_memory = old->data && patch->data;
    size_t buf_len = in_memory ? MEM_CHUNK : BSPATCH_FILE_CHUNK;
    if (in_memory && h.new_size < buf_len)
        buf_len = h.new_size ? (size_t)h.new_size : 1;
    codec_reader r[3];
    int opened = 0, rc = -1;
    uint8_t *buf = NULL;
    for (; opened < 3; opened++)
        if (codec_reader_open(&r[opened], h.codec[opened], h.format, stream_names[opened], patch,
                              off[opened], len[opened], BSPATCH_FILE_CHUNK, flags, err) < 0)
            goto out;
    buf = malloc((old->data ? 1 : 2) * buf_len);
    if (!buf) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the patch buffers");
        goto out;
    }
    rc = bspatch_run(&h, r, old, buf, old->data ? NULL : buf + buf_len, buf_len, flags, sink, sink_ctx,
                     err);
out:
    free(buf);
    for (int i = 0; i < opened; i++)
        codec_reader_close(&r[i]);
    return rc;
}

int bspatch_mem(const uint8_t *old_data, size_t old_len, const uint8_t *patch,
                size_t patch_len, ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    patch_input old, p;
    patch_input_memory(&old, old_data, old_len);
    patch_input_memory(&p, patch, patch_len);
    return bspatch_input(&old, &p, 0, patch_len, 0, sink, sink_ctx, err);
}

/* A file input whose size is given (the caller's old_len), not fstat'ed. */
int bspatch_file(int old_fd, uint64_t old_len, int patch_fd, unsigned flags,
                 ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    patch_input old, p;
    if (patch_input_fd(&old, old_fd, err) < 0) {
        ota_error_prefix(err, "source");
        return -1;
    }
    old.size = old_len;
    if (patch_input_fd(&p, patch_fd, err) < 0) {
        ota_error_prefix(err, "patch");
        return -1;
    }
    return bspatch_input(&old, &p, 0, p.size,
                         (flags & BSPATCH_SMALL_BZIP2) ? PATCH_SMALL_BZIP2 : 0, sink, sink_ctx,
                         err);
}
