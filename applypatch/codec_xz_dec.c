/* xz decoding for codec_reader (our BSDF2 type 'x'): one .xz stream, its
 * dictionary limited by a memory cap so a stream cannot make the decoder
 * allocate more than the budget allows. */
#include <lzma.h>
#include <stdlib.h>

#include "applypatch/codec.h"

/* A dictionary of 2^CODEC_MAX_WINDOW_LOG plus the decoder's own tables. */
#define XZ_MEMLIMIT ((UINT64_C(1) << CODEC_MAX_WINDOW_LOG) + (UINT64_C(1) << 20))

static int xz_init(void **state, unsigned flags, ota_error *err)
{
    (void)flags;
    lzma_stream *s = malloc(sizeof *s);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an xz decoder");
    *s = (lzma_stream)LZMA_STREAM_INIT;
    lzma_ret rc = lzma_stream_decoder(s, XZ_MEMLIMIT, 0);
    if (rc != LZMA_OK) {
        free(s);
        return ota_error_set(err, rc == LZMA_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "xz decoder init failed (%d)", (int)rc);
    }
    *state = s;
    return 0;
}

static const char *xz_code_name(lzma_ret rc)
{
    switch (rc) {
    case LZMA_MEMLIMIT_ERROR: return "dictionary larger than the 8 MiB allowed";
    case LZMA_FORMAT_ERROR: return "not xz data";
    case LZMA_OPTIONS_ERROR: return "unsupported options";
    case LZMA_DATA_ERROR: return "corrupt data";
    case LZMA_MEM_ERROR: return "out of memory";
    default: return "unexpected error";
    }
}

static int xz_step(void *state, const uint8_t **in, size_t *in_len, uint8_t *out,
                   size_t out_len, size_t *made, const char **why)
{
    lzma_stream *s = state;
    s->next_in = *in;
    s->avail_in = *in_len;
    s->next_out = out;
    s->avail_out = out_len;
    lzma_ret rc = lzma_code(s, LZMA_RUN);
    *in = s->next_in;
    *in_len = s->avail_in;
    *made = out_len - s->avail_out;
    if (rc == LZMA_STREAM_END)
        return CODEC_STEP_END;
    if (rc == LZMA_OK || rc == LZMA_BUF_ERROR)
        return CODEC_STEP_OK; /* BUF_ERROR: no progress, which the reader judges */
    *why = xz_code_name(rc);
    return CODEC_STEP_ERROR;
}

static void xz_end(void *state)
{
    lzma_end(state);
    free(state);
}

const codec_decoder codec_xz_decoder = {CODEC_XZ, xz_init, xz_step, xz_end, 0};
