/* `ota_agent install` and `download`: where the package comes from (the
 * channel, a URL, a file), then the install for the kind of device:
 * recovery devices stage the package in the cache and ask recovery to
 * install it (agent/install_recovery.c); A/B devices write the other slot
 * (agent/install_ab.c). */
#ifndef AGENT_INSTALL_H
#define AGENT_INSTALL_H

#include <stdint.h>

#include "agent/agent.h"

/* A package to install, however it was found. */
typedef struct agent_source {
    const char *url;          /* http(s) URL, or NULL for a local file */
    const char *path;         /* the local file (resolved), or NULL */
    uint64_t size;            /* known from the channel, else 0 */
    const uint8_t *sha256;    /* known from the channel, else NULL */
    const char *target_build; /* known from the channel, else NULL */
} agent_source;

/* source: NULL for the channel's offer, an http(s) URL, or a package file
 * (a device path).  download_only: stop once the package is downloaded
 * and verified.  *up_to_date (may be NULL) says the channel had nothing
 * newer.  Errors leave the device as it was, with the reason in the
 * status. */
int agent_install(agent *a, const char *source, int download_only, int *up_to_date,
                  ota_error *err);

/* `ota_agent mark-good`: A/B marks the running slot successful; on a
 * recovery device there is nothing to mark. */
int agent_mark_good(agent *a, ota_error *err);

/* After a reboot: a staged install whose target build now runs is done. */
void agent_reconcile(agent *a);

/* The two kinds of device. */
int agent_install_recovery(agent *a, const agent_source *src, int download_only,
                           ota_error *err);
int agent_install_ab(agent *a, const agent_source *src, ota_error *err);
int agent_mark_good_ab(agent *a, ota_error *err);
/* A/B after a reboot: the new slot runs (needs-mark-good), or the
 * bootloader gave it up and went back (rolled-back). */
void agent_reconcile_ab(agent *a);

#endif
