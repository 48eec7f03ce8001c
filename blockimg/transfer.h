/* Transfer lists: Android's block-update programs (versions 1 to 4), as
 * the updater's block_image_update reads them and the block diff writes
 * them.  The text form, one command a line:
 *
 *   line 1  version (1..4)
 *   line 2  total blocks the list writes (for progress)
 *   line 3  (v2+) how many stash entries are used at once
 *   line 4  (v2+) the most blocks stashed at once
 *   then    erase|zero|new RANGES
 *           move SRC TGT                                   (v1)
 *           move TGT SRCSPEC                               (v2)
 *           move HASH TGT SRCSPEC                          (v3+)
 *           bsdiff|imgdiff OFF LEN SRC TGT                 (v1)
 *           bsdiff|imgdiff OFF LEN TGT SRCSPEC             (v2)
 *           bsdiff|imgdiff OFF LEN SRCHASH TGTHASH TGT SRCSPEC (v3+)
 *           stash ID RANGES, free ID                       (v2+)
 *   SRCSPEC is COUNT followed by RANGES (blocks read from the partition),
 *   or by "- ID:LOCS ..." (blocks from stashes only), or by
 *   "RANGES LOCS ID:LOCS ..." (both: LOCS says where each part goes in
 *   the COUNT-block source buffer).  Stash IDs are decimal slot numbers in
 *   v2 and the SHA-1 of the stashed blocks in v3+.
 *
 * The parser refuses anything malformed, naming the line; see
 * docs/blockimg.md for the format as we read it and where we are stricter
 * than Android. */
#ifndef BLOCKIMG_TRANSFER_H
#define BLOCKIMG_TRANSFER_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/rangeset.h"
#include "otautil/error.h"
#include "otautil/hash.h"

#define BI_BLOCK_SIZE 4096u
#define BI_MIN_VERSION 1
#define BI_MAX_VERSION 4
/* A stash ID is a decimal slot (v2, at most 10 digits) or 40 hex digits
 * (v3+, stored lower case): safe as a file name in every case. */
#define BI_STASH_ID_MAX 40

typedef enum bi_cmd_type {
    BI_CMD_ERASE,
    BI_CMD_ZERO,
    BI_CMD_NEW,
    BI_CMD_MOVE,
    BI_CMD_BSDIFF,
    BI_CMD_IMGDIFF,
    BI_CMD_STASH,
    BI_CMD_FREE,
} bi_cmd_type;

/* "erase", "zero", ... */
const char *bi_cmd_name(bi_cmd_type type);

/* A stash's blocks placed into a source buffer. */
typedef struct bi_stash_ref {
    char id[BI_STASH_ID_MAX + 1];
    bi_rangeset locs;
} bi_stash_ref;

/* Where a command's source comes from.  Block i of the source buffer is
 * filled from exactly one place: the parser checks that ranges (placed by
 * locs, or in order when locs is empty) and the stashes' locs cover
 * [0, blocks) once each. */
typedef struct bi_source {
    uint64_t blocks;     /* size of the source buffer in blocks */
    bi_rangeset ranges;  /* blocks read from the partition; empty for "-" */
    bi_rangeset locs;    /* their places in the buffer; empty: 0, 1, 2, ... */
    bi_stash_ref *stashes;
    size_t nstashes;
} bi_source;

typedef struct bi_command {
    bi_cmd_type type;
    size_t line;      /* 1-based line in the list, for messages */
    size_t index;     /* Android's command index (line - 1 - header lines),
                         the number /cache/recovery/last_command records */
    const char *text; /* the line as written, NUL-terminated */
    bi_rangeset target;               /* erase zero new move bsdiff imgdiff */
    bi_source src;                    /* move bsdiff imgdiff; stash: src.ranges */
    uint64_t patch_offset, patch_len; /* bsdiff imgdiff */
    int has_hashes;                   /* v3+ move bsdiff imgdiff */
    uint8_t src_sha1[OTA_SHA1_LEN];   /* move: also the target's */
    uint8_t tgt_sha1[OTA_SHA1_LEN];
    char stash_id[BI_STASH_ID_MAX + 1]; /* stash free */
} bi_command;

typedef struct bi_transfer_list {
    int version;
    uint64_t total_blocks;     /* line 2 */
    uint64_t stash_entries;    /* line 3 (v2+) */
    uint64_t stash_max_blocks; /* line 4 (v2+) */
    size_t header_lines;       /* 2 in v1, else 4 */
    bi_command *cmds;          /* in order; empty lines are skipped */
    size_t ncmds;
    char *text;                /* private: the copy cmds[].text points into */
} bi_transfer_list;

/* Parses the whole list (len bytes, not NUL-terminated).  On failure
 * nothing needs freeing and err names the line and the reason. */
int bi_transfer_parse(bi_transfer_list *tl, const char *text, size_t len, ota_error *err);
void bi_transfer_free(bi_transfer_list *tl);

/* Checks a parsed list against the partitions it will run on, before
 * anything is written: every range inside its device (tgt_blocks,
 * src_blocks: sizes in blocks), every stash used after it is stashed and
 * before it is freed, and -- when source and target are one device
 * (same_device) -- no block read after a command wrote it, the guarantee
 * Android's generator gives and resuming relies on. */
int bi_transfer_check(const bi_transfer_list *tl, uint64_t src_blocks, uint64_t tgt_blocks,
                      int same_device, ota_error *err);

#endif
