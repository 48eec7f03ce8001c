/* brotli decoding for codec_reader (BSDF2 type 2, as Android P and later
 * write it: quality 11, 1 MiB window).  Windows up to brotli's standard
 * 16 MiB are accepted, never its "large window" extension. */
#include <brotli/decode.h>

#include "applypatch/codec.h"

static int brotli_init(void **state, unsigned flags, ota_error *err)
{
    (void)flags;
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a brotli decoder");
    *state = s;
    return 0;
}

static int brotli_step(void *state, const uint8_t **in, size_t *in_len, uint8_t *out,
                       size_t out_len, size_t *made, const char **why)
{
    size_t avail_out = out_len;
    uint8_t *next_out = out;
    BrotliDecoderResult rc = BrotliDecoderDecompressStream(state, in_len, in, &avail_out,
                                                           &next_out, NULL);
    *made = out_len - avail_out;
    switch (rc) {
    case BROTLI_DECODER_RESULT_SUCCESS: return CODEC_STEP_END;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: return CODEC_STEP_OK;
    default:
        *why = BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state));
        return CODEC_STEP_ERROR;
    }
}

static void brotli_end(void *state)
{
    BrotliDecoderDestroyInstance(state);
}

/* Android's reader takes an empty byte range as an empty stream. */
const codec_decoder codec_brotli_decoder = {CODEC_BROTLI, brotli_init, brotli_step, brotli_end, 1};
