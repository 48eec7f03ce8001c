/* libFuzzer target: the transfer list parser and the whole-list checks on
 * arbitrary text.  A refusal must say why; what is accepted must hold the
 * parser's promises (commands in line order, each source filled once), and
 * the checks run against a small partition.  Run with -timeout: the parser
 * and the checks must stay near-linear in the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blockimg/transfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bi_transfer_list tl;
    ota_error err;
    ota_error_clear(&err);
    if (bi_transfer_parse(&tl, (const char *)data, size, &err) < 0) {
        if (err.message[0] == '\0' || err.code == OTA_OK)
            abort();
        return 0;
    }
    if (tl.version < BI_MIN_VERSION || tl.version > BI_MAX_VERSION)
        abort();
    for (size_t i = 0; i < tl.ncmds; i++) {
        const bi_command *c = &tl.cmds[i];
        if (i > 0 && c->line <= tl.cmds[i - 1].line)
            abort();
        if (c->index + 1 + tl.header_lines != c->line || memchr(c->text, '\n', strlen(c->text)))
            abort();
        uint64_t filled = c->src.ranges.blocks;
        for (size_t k = 0; k < c->src.nstashes; k++)
            filled += c->src.stashes[k].locs.blocks;
        if ((c->type == BI_CMD_MOVE || c->type == BI_CMD_BSDIFF || c->type == BI_CMD_IMGDIFF) &&
            filled != c->src.blocks)
            abort();
    }
    ota_error_clear(&err);
    if (bi_transfer_check(&tl, 4096, 4096, 1, &err) < 0 && err.message[0] == '\0')
        abort();
    (void)bi_transfer_check(&tl, 4096, 2048, 0, &err);
    bi_transfer_free(&tl);
    return 0;
}
