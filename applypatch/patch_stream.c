/* patch_apply: one entry point for every patch format, told apart by its
 * magic, applied from inputs in bounded memory. */
#include "applypatch/patch_stream.h"

#include <string.h>

#include "applypatch/bsdiff_internal.h"
#include "applypatch/imgpatch.h"
#include "applypatch/imgpatch_internal.h"

const char *patch_format(const uint8_t *magic, size_t len)
{
    if (len >= 8 && memcmp(magic, BSDIFF_MAGIC, 8) == 0)
        return "BSDIFF40";
    if (len >= BSDF2_MAGIC_LEN && memcmp(magic, BSDF2_MAGIC, BSDF2_MAGIC_LEN) == 0)
        return "BSDF2";
    if (len >= 8 && memcmp(magic, IMGDIFF2_MAGIC, 8) == 0)
        return "IMGDIFF2";
    if (len >= 8 && memcmp(magic, IMGDIFFX_MAGIC, 8) == 0)
        return "IMGDIFFX";
    return NULL;
}

int patch_apply(const patch_input *old, const patch_input *patch, ota_sink_fn write,
                void *write_ctx, const patch_apply_opts *opts, ota_error *err)
{
    static const patch_apply_opts defaults;
    if (!opts)
        opts = &defaults;
    uint8_t magic[8] = {0};
    size_t n = patch->size < sizeof magic ? (size_t)patch->size : sizeof magic;
    if (patch_input_read(patch, 0, magic, n, err) < 0) {
        ota_error_prefix(err, "reading the patch");
        return -1;
    }
    const char *format = patch_format(magic, n);
    if (!format)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "unknown patch format (not BSDIFF40, BSDF2, IMGDIFF2 or IMGDIFFX)");
    if (format[0] == 'B')
        return bspatch_input(old, patch, 0, patch->size, opts->flags, write, write_ctx, err);
    img_apply a = {.src = old, .patch = patch, .bonus = opts->bonus && opts->bonus->size ? opts->bonus : NULL,
                   .expand_limit = opts->expand_limit, .flags = opts->flags, .sink = write,
                   .sink_ctx = write_ctx};
    return imgpatch_input(&a, err);
}
