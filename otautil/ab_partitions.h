/* What an A/B package writes, partition by partition: the signed entry
 * META-INF/com/android/ab_partitions, a property file (otautil/props.h)
 * written by ota_from_target_files --ab and read by ota_agent before it
 * writes anything:
 *
 *   ab-partitions=1
 *   partitions=boot,system
 *   boot.slotted=yes
 *   boot.size=8392704
 *   boot.sha256=<64 hex digits: SHA-256 of the first `size` bytes written>
 *   system.slotted=yes
 *   system.size=268435456
 *   system.sha256=...
 *   system.source-ranges=4,0,1024,2048,4096   (incrementals: the blocks of
 *   system.source-sha256=...                   the active slot the update
 *                                              reads, and their SHA-256)
 *
 * Each partition's data are the entries NAME.transfer.list (a transfer
 * list, docs/blockimg.md), NAME.new.dat.br (or NAME.new.dat) and
 * NAME.patch.dat.  A slotted partition is written into the inactive slot
 * (reading the active one in incrementals); a single-copy one (a
 * bootloader, a firmware) in place, whole, with a backup.  docs/agent.md
 * describes the format; one parser and one writer, here. */
#ifndef OTAUTIL_AB_PARTITIONS_H
#define OTAUTIL_AB_PARTITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/sink.h"

#define OTA_AB_PARTITIONS_ENTRY "META-INF/com/android/ab_partitions"
#define OTA_AB_PARTITIONS_VERSION "1"
#define OTA_AB_MAX_PARTITIONS 32
#define OTA_AB_NAME_MAX 64

/* The entries holding a partition's data: NAME + one of these. */
#define OTA_AB_LIST_SUFFIX ".transfer.list"
#define OTA_AB_NEW_SUFFIX ".new.dat"
#define OTA_AB_NEW_BR_SUFFIX ".new.dat.br"
#define OTA_AB_PATCH_SUFFIX ".patch.dat"

typedef struct ota_ab_partition {
    char name[OTA_AB_NAME_MAX];    /* [a-z0-9_-], as in /dev/block/by-name */
    int slotted;                   /* one copy per slot; else single-copy */
    uint64_t size;                 /* bytes of the image written */
    uint8_t sha256[OTA_SHA256_LEN];
    char *source_ranges;           /* incrementals: range set text; NULL for a full image */
    uint8_t source_sha256[OTA_SHA256_LEN];
} ota_ab_partition;

typedef struct ota_ab_partitions {
    ota_ab_partition *v;
    size_t count;
} ota_ab_partitions;

/* Parses the entry (len bytes of text).  Refuses, naming the key: another
 * version, a partition named twice or with characters outside [a-z0-9_-],
 * a missing or malformed size or digest, slotted other than yes/no,
 * source ranges without their digest (or the other way round), a
 * single-copy partition with a source (they are always written whole),
 * keys for partitions the list does not name. */
int ota_ab_partitions_parse(const char *text, size_t len, ota_ab_partitions *out,
                            ota_error *err);
/* The text of p (the same checks), appended to out. */
int ota_ab_partitions_format(const ota_ab_partitions *p, ota_buf *out, ota_error *err);
void ota_ab_partitions_free(ota_ab_partitions *p);

/* Non-zero when name is a partition name this format accepts. */
int ota_ab_partition_name_ok(const char *name);

#endif
