/* The slots of an A/B device as the installer sees them: bootctl (the
 * backend and storage of bootctl's own configuration, bootctl/config.h)
 * says which slot runs, and the agent's configuration says where each
 * partition of each slot is:
 *
 *   device.system_b=/dev/vda3       one partition of one slot (NAME + suffix),
 *   device.bootloader=/dev/mtd1     or a single-copy partition (NAME): wins;
 *   slot_device=/dev/block/by-name/%p%s   else a pattern: %p the partition,
 *                                          %s the slot's suffix (_a, _b);
 *   single_device=/dev/block/by-name/%p   single-copy partitions (%p).
 *
 * Every device path is resolved under RECOVERY_ROOT.  agent_slot_open is
 * the one way the installer opens a partition, and the one place that
 * refuses to open a partition of the running slot for writing -- by slot
 * number, and by the device itself (another name for the running slot's
 * partition: the same block device, or the same file). */
#ifndef AGENT_SLOTS_H
#define AGENT_SLOTS_H

#include <stddef.h>

#include "agent/config.h"
#include "blockimg/device.h"
#include "bootctl/bootctl.h"
#include "otautil/error.h"

#define AGENT_SINGLE_COPY (-1)

typedef struct agent_slots {
    const agent_config *cfg;
    bootctl *bc;
    unsigned count;
    int current;     /* the running slot */
} agent_slots;

/* Opens bootctl with the configured bootctl.conf and finds the running
 * slot (an error when no source says it). */
int agent_slots_open(agent_slots *s, const agent_config *cfg, ota_error *err);
void agent_slots_close(agent_slots *s);

/* The slot an update writes: the one after the running slot. */
unsigned agent_slots_target(const agent_slots *s);

/* The resolved device path of partition part in slot (AGENT_SINGLE_COPY:
 * the single-copy partition), into out. */
int agent_slot_device(const agent_slots *s, const char *part, int slot, char *out, size_t cap,
                      ota_error *err);

/* Opens partition part of slot (AGENT_SINGLE_COPY: a single-copy one) into
 * dev, read-only or, with writable, read-write.  A writable open of the
 * running slot's partition is refused (OTA_ERR_ARGS), whatever name it is
 * reached by. */
int agent_slot_open(const agent_slots *s, const char *part, int slot, int writable,
                    bi_fd_dev *dev, ota_error *err);

#endif
