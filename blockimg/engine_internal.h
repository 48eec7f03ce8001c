/* Inside the engine (engine*.c): its state, and the pieces the command
 * code shares -- range I/O, sources built from the partition and stashes,
 * the stash folder, the progress file, the patch code.  Not an API:
 * blockimg/engine.h is. */
#ifndef BLOCKIMG_ENGINE_INTERNAL_H
#define BLOCKIMG_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/engine.h"
#include "otautil/hash.h"

/* A stash kept as the source ranges it came from instead of a file: in
 * verify mode (nothing may be written) and when source and target are
 * different devices (the source is never overwritten). */
typedef struct bi_vstash {
    char id[BI_STASH_ID_MAX + 1];
    bi_rangeset ranges;
} bi_vstash;

/* What the run learnt about a stash ID. */
typedef struct bi_stash_note {
    char id[BI_STASH_ID_MAX + 1];
    int written;      /* this run wrote the file from the partition */
    size_t bad_line;  /* its stash command found other contents (0: no) */
    char *bad_ranges; /* the blocks it read then */
} bi_stash_note;

typedef struct bi_engine {
    const bi_transfer_list *tl;
    const bi_apply_opts *o;
    const bi_dev *src, *tgt;
    int same;    /* source and target are one device */
    int verify;  /* write nothing */
    bi_apply_stats *st;
    ota_error *err;
    uint8_t *chunk;         /* BI_CHUNK bytes */
    const bi_command *cmd;  /* the command running, for messages */
    size_t ci;              /* its position in tl->cmds */
    int target_done;        /* it found its target already written */
    int stash_fd;           /* the stash folder, -1 when none */
    int stash_made;         /* this run created the folder */
    bi_vstash *virt;
    size_t nvirt;
    bi_stash_note *notes;
    size_t nnotes;
} bi_engine;

/* ---- messages (engine.c) ----------------------------------------------- */
/* Sets err to "transfer list line N (cmd): reason" for the running
 * command (just the reason outside one); returns -1. */
int bi_fail(bi_engine *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, prefixing the message already in e->err. */
int bi_fail_err(bi_engine *e);
/* bi_fail for a failed system call: errno (read on entry) picks the code
 * (ENOSPC: OTA_ERR_NOSPACE ...) and its text ends the message. */
int bi_fail_errno(bi_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bi_log(bi_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bi_note_buffer(bi_engine *e, size_t bytes);

/* ---- range I/O (engine_io.c) ------------------------------------------- */
/* Writes a stream of bytes into a range set's blocks, in order. */
typedef struct bi_writer {
    bi_engine *e;
    const bi_rangeset *rs;
    size_t ri;      /* current range */
    uint64_t off;   /* bytes written into it */
    uint64_t done, total;
    ota_hash *hash; /* when set, also hashes what is written */
    int failed;     /* a put failed: e->err says why, already prefixed */
} bi_writer;
void bi_writer_init(bi_writer *w, bi_engine *e, const bi_rangeset *rs, ota_hash *hash);
int bi_writer_put(bi_writer *w, const void *data, size_t len);
/* bi_writer_put as an ota_sink_fn (for the patch code). */
int bi_writer_sink(void *w, const void *data, size_t len, ota_error *err);
/* SHA-1 of rs's blocks on dev. */
int bi_hash_ranges(bi_engine *e, const bi_dev *dev, const bi_rangeset *rs, uint8_t out[OTA_SHA1_LEN]);
int bi_zero_ranges(bi_engine *e, const bi_rangeset *rs);

/* ---- sources (engine_source.c) ------------------------------------------ */
typedef struct bi_seg {
    uint64_t pos, blocks; /* where in the source buffer, how many */
    int fd;               /* -1: the source device; else a stash file */
    uint64_t at;          /* first block on the device or in the file */
} bi_seg;

typedef struct bi_src {
    bi_seg *segs;
    size_t nsegs, capsegs;
    uint64_t blocks;
    int *fds;             /* stash files opened for it, closed by bi_src_free */
    size_t nfds;
    const uint8_t *mem;   /* or the whole source in memory (not owned) */
    int missing;          /* a stash it needs is not there */
    char missing_id[BI_STASH_ID_MAX + 1];
    size_t seg;           /* reading position */
    uint64_t seg_off;
} bi_src;

/* The source of a move/bsdiff/imgdiff: partition blocks and stashes (files
 * or virtual), placed as the command says.  A missing stash sets
 * s->missing rather than failing: with hashes, the target may be done. */
int bi_src_build(bi_engine *e, const bi_command *c, bi_src *s);
/* Replaces s by a stash file (fd is taken) or by memory. */
int bi_src_set_file(bi_engine *e, bi_src *s, int fd, uint64_t blocks);
void bi_src_set_mem(bi_src *s, const uint8_t *mem, uint64_t blocks);
void bi_src_free(bi_src *s);
void bi_src_rewind(bi_src *s);
/* The next len bytes of the source. */
int bi_src_read(bi_engine *e, bi_src *s, void *buf, size_t len);
int bi_src_hash(bi_engine *e, bi_src *s, uint8_t out[OTA_SHA1_LEN]);
/* The whole source into a malloc'd buffer, hashing it on the way. */
int bi_src_load(bi_engine *e, bi_src *s, uint8_t **buf, uint8_t out[OTA_SHA1_LEN]);
/* Streams the source into w. */
int bi_src_copy(bi_engine *e, bi_src *s, bi_writer *w);

/* ---- stashes (engine_stash.c) -------------------------------------------- */
/* Opens (update: creates, clears partial files, makes room for the list's
 * largest stash) the stash folder. */
int bi_stash_begin(bi_engine *e);
/* Closes the folder; with remove, deletes it and everything in it. */
void bi_stash_end(bi_engine *e, int remove);
/* A stash file read-only: its fd, -1 when absent (not an error), -2 on
 * error (e->err set).  *blocks gets its size. */
int bi_stash_open_file(bi_engine *e, const char *id, uint64_t *blocks);
/* 1 when a stash file id exists and its contents hash to id (v3+ names),
 * 0 when absent or different (a different one is deleted, as Android
 * does), -1 on error.  With fd_out, the open file is handed back. */
int bi_stash_file_good(bi_engine *e, const char *id, int *fd_out, uint64_t *blocks);
/* Writes src as stash id (through id.partial, fsync, rename, fsync of the
 * folder).  With want (a SHA-1) the bytes must hash to it: 1 and nothing
 * kept when they do not.  check_space: make room first. */
int bi_stash_write(bi_engine *e, const char *id, bi_src *src, const uint8_t *want,
                   int check_space);
int bi_stash_remove(bi_engine *e, const char *id);
int bi_stash_exists(bi_engine *e, const char *id);
/* Virtual stashes. */
int bi_vstash_put(bi_engine *e, const char *id, const bi_rangeset *ranges);
const bi_rangeset *bi_vstash_get(const bi_engine *e, const char *id);
void bi_vstash_drop(bi_engine *e, const char *id);
bi_stash_note *bi_stash_note_get(bi_engine *e, const char *id, int create);

/* ---- progress (engine_progress.c) ---------------------------------------- */
/* The index last_command records for this list: 1 and *index when it
 * names a command of this list with the same text, else 0. */
int bi_progress_load(bi_engine *e, size_t *index);
/* Records that the command finished (atomically; a failure is logged and
 * the run goes on, as on Android: hashes still make it resumable). */
void bi_progress_save(bi_engine *e, const bi_command *c);
void bi_progress_delete(bi_engine *e);

/* ---- the patch code (engine_patch.c: the only calls into applypatch) ------ */
int bi_patch_apply(bi_engine *e, const bi_command *c, const uint8_t *src, size_t src_len,
                   const uint8_t *patch, size_t patch_len, bi_writer *w);
/* Makes room for bytes in the cache, as applypatch_space does. */
int bi_cache_space(bi_engine *e, uint64_t bytes);

/* ---- commands (engine_cmd.c) ---------------------------------------------- */
int bi_cmd_run(bi_engine *e, const bi_command *c);

#endif
