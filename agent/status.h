/* The agent's status: what it is doing or last did, kept in STATE_DIR/status
 * (a property file, replaced atomically at every change) so that
 * `ota_agent status` in another process, a vendor's UI, or the agent after
 * a restart or reboot can read it.  The states: */
#ifndef AGENT_STATUS_H
#define AGENT_STATUS_H

#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef enum agent_state {
    AGENT_IDLE,
    AGENT_CHECKING,
    AGENT_DOWNLOADING,
    AGENT_VERIFYING,
    AGENT_WRITING,
    AGENT_WAITING_FOR_REBOOT, /* installed or staged; a reboot finishes it */
    AGENT_NEEDS_MARK_GOOD,    /* A/B: booted the new slot, not yet marked good */
    AGENT_ROLLED_BACK,        /* A/B: the bootloader went back to the old slot */
    AGENT_FAILED,
} agent_state;

#define AGENT_STATUS_FILE "status"

typedef struct agent_status {
    agent_state state;
    uint64_t done, total;           /* bytes of the current step */
    uint64_t fetched;               /* bytes received for the current package */
    char current_build[256];
    char target_build[256];
    char package_url[2048];
    char package_path[4096];        /* as the device sees it */
    char last_error[1024];
    long long updated;              /* seconds since the epoch */
    long pid;                       /* the agent that wrote it, 0 when none runs */
    long long channel_date;         /* newest channel accepted (replay guard) */
} agent_status;

const char *agent_state_name(agent_state s);
/* -1 for an unknown name. */
int agent_state_parse(const char *name);

/* Reads STATE_DIR/status; a missing file is an idle agent. */
int agent_status_load(const char *state_dir, agent_status *st, ota_error *err);
int agent_status_save(const char *state_dir, const agent_status *st, ota_error *err);

/* Whether the agent that wrote st is still running. */
int agent_status_running(const agent_status *st);

/* One JSON object (no newline). */
int agent_status_json(const agent_status *st, ota_buf *out, ota_error *err);
/* "key: value" lines for people. */
int agent_status_text(const agent_status *st, ota_buf *out, ota_error *err);

#endif
