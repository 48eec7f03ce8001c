/* bzip2 decoding for codec_reader (BSDIFF40's streams, BSDF2 type 1). */
#include <bzlib.h>
#include <stdlib.h>

#include "applypatch/codec.h"

/* bz_stream counts in unsigned int: feed it at most this much at once. */
#define BZ_MAX_STEP (1u << 30)

static const char *bz_code_name(int rc)
{
    switch (rc) {
    case BZ_DATA_ERROR: return "corrupt data";
    case BZ_DATA_ERROR_MAGIC: return "not bzip2 data";
    case BZ_MEM_ERROR: return "out of memory";
    case BZ_PARAM_ERROR: return "bad parameter";
    case BZ_SEQUENCE_ERROR: return "call sequence error";
    default: return "unexpected error";
    }
}

static int bz2_init(void **state, unsigned flags, ota_error *err)
{
    bz_stream *s = calloc(1, sizeof *s);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a bzip2 decoder");
    int rc = BZ2_bzDecompressInit(s, 0, (flags & PATCH_SMALL_BZIP2) != 0);
    if (rc != BZ_OK) {
        free(s);
        return ota_error_set(err, rc == BZ_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "bzip2 decompressor init failed: %s", bz_code_name(rc));
    }
    *state = s;
    return 0;
}

static int bz2_step(void *state, const uint8_t **in, size_t *in_len, uint8_t *out,
                    size_t out_len, size_t *made, const char **why)
{
    bz_stream *s = state;
    unsigned in_step = *in_len > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)*in_len;
    unsigned out_step = out_len > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)out_len;
    s->next_in = (char *)*in; /* bzlib's API is not const-correct */
    s->avail_in = in_step;
    s->next_out = (char *)out;
    s->avail_out = out_step;
    int rc = BZ2_bzDecompress(s);
    *in += in_step - s->avail_in;
    *in_len -= in_step - s->avail_in;
    *made = out_step - s->avail_out;
    if (rc == BZ_STREAM_END)
        return CODEC_STEP_END;
    if (rc == BZ_OK)
        return CODEC_STEP_OK;
    *why = bz_code_name(rc);
    return CODEC_STEP_ERROR;
}

static void bz2_end(void *state)
{
    BZ2_bzDecompressEnd(state);
    free(state);
}

const codec_decoder codec_bz2_decoder = {CODEC_BZ2, bz2_init, bz2_step, bz2_end, 0};
