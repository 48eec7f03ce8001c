/* Puffed deflate (puff.h) as an expand_view decoder: the view reads the
 * puffed form of a chunk's source stream.  Restart points need no window
 * (puffing resolves no matches): at a block boundary, the bit position;
 * between two records of a block, that and where the block's header is
 * (read again for its codes).  So they cost a few bytes each, and the view
 * keeps thousands. */
#include "applypatch/puff.h"
#include "applypatch/view_codecs.h"

static int puff_restart(void *ctx, const view_checkpoint *cp, ota_error *err)
{
    uint64_t bit = cp ? cp->in_pos * 8 + (uint64_t)cp->bits : 0;
    if (cp && cp->aux[0])
        return puffer_restart_in_block(ctx, cp->aux[0] - 1, bit, err);
    puffer_restart(ctx, bit);
    return 0;
}

static int puff_decode(void *ctx, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err)
{
    return puffer_read(ctx, out, len, stop, got, err);
}

static int puff_checkpoint(void *ctx, view_checkpoint *cp, ota_error *err)
{
    (void)err;
    uint64_t bit, header;
    if (puffer_at_block(ctx, &bit)) {
        cp->aux[0] = 0;
    } else if (puffer_in_block(ctx, &header, &bit)) {
        cp->aux[0] = header + 1;
    } else {
        return 0;
    }
    cp->in_pos = bit / 8;
    cp->bits = (int)(bit % 8);
    return 1;
}

const view_decoder view_puff_ops = {puff_restart, puff_decode, puff_checkpoint, 1};
