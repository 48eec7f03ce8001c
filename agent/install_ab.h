/* Inside the A/B installer (agent/install_ab*.c); the entry points are in
 * agent/install.h.  One install is a job: the verified package (an
 * ota_zip in verified mode: every entry read is checked against the
 * signed manifest), what it writes (otautil/ab_partitions.h and each
 * partition's transfer list), the slots, and the record in STATE_DIR/ab
 * that lets a later run resume it. */
#ifndef AGENT_INSTALL_AB_H
#define AGENT_INSTALL_AB_H

#include <limits.h>
#include <stdint.h>

#include "agent/install.h"
#include "agent/slots.h"
#include "blockimg/transfer.h"
#include "otautil/ab_partitions.h"
#include "otautil/props.h"
#include "otautil/verify.h"
#include "otautil/zip.h"

/* STATE_DIR/AB_DIR: the install record, the engine's progress per
 * partition (NAME.last_command) and single-copy backups (NAME.backup). */
#define AB_DIR "ab"
#define AB_RECORD "install"

typedef struct ab_part {
    const ota_ab_partition *rec;
    bi_transfer_list tl;
    int reads_source;                  /* move/bsdiff/imgdiff from the active slot */
} ab_part;

typedef struct ab_job {
    agent *a;
    ota_zip *zip;                      /* verified mode */
    const char *shown;                 /* the package's path or URL */
    char token[OTA_VERIFIED_TOKEN_LEN + 1]; /* which package: its manifest and index */
    ota_ab_partitions recs;
    ab_part *parts;                    /* in the record's order */
    size_t nparts;
    agent_slots slots;
    int slots_open;
    unsigned target;                   /* the slot written */
    char dir[PATH_MAX - 128];          /* STATE_DIR/ab; room left for the file names */
    ota_props record;                  /* STATE_DIR/ab/install */
    uint64_t total_blocks, done_blocks;
    /* A streamed package: the whole-file signature is checked here, after
     * everything is written and before the slot is set active (NULL: the
     * file was verified whole before the install began). */
    int (*before_activate)(struct ab_job *j, ota_error *err);
    void *stream;
} ab_job;

/* install_ab.c: the install of a verified package (j->a, zip, shown, token
 * and the stream fields set), and what a job holds. */
int ab_install(ab_job *j, const agent_source *src, ota_error *err);
void ab_job_free(ab_job *j);

/* install_ab_stream.c: `install URL` with ab_stream=yes. */
int ab_install_url(agent *a, const agent_source *src, ota_error *err);

/* install_ab_write.c: one partition written into the inactive slot (or a
 * single-copy one in place, backed up first and restored when its write
 * or read-back fails), then read back against the record's SHA-256. */
int ab_write_partition(ab_job *j, ab_part *p, ota_error *err);
/* An incremental's source blocks in the running slot hold what the
 * package was made from (checked before anything is written). */
int ab_check_source(ab_job *j, const ab_part *p, ota_error *err);
/* Single-copy partitions a killed run of another package left
 * half-written are restored from their backups. */
int ab_restore_abandoned(ab_job *j, ota_error *err);

#endif
