/* One run of the update agent: its configuration, the running build, the
 * HTTP handle, the hooks, the status it keeps and the lock that lets one
 * agent at a time change anything.  Messages and progress go to the
 * program through agent_output (libraries do not print); messages are
 * also appended to STATE_DIR/ota_agent.log. */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <stdint.h>

#include "agent/config.h"
#include "agent/device.h"
#include "agent/hooks.h"
#include "agent/http.h"
#include "agent/status.h"
#include "otautil/error.h"

#define AGENT_LOG_FILE "ota_agent.log"

typedef struct agent_output {
    void (*message)(void *ctx, const char *line);
    void (*progress)(void *ctx, agent_state state, uint64_t done, uint64_t total);
    void *ctx;
} agent_output;

typedef struct agent {
    agent_config cfg;
    agent_device device;
    agent_status status;
    agent_http *http;
    agent_hooks hooks;
    agent_output out;
    int lock_fd;
    uint64_t saved_step; /* progress last written to the status */
} agent;

/* Loads the configuration (NULL: the default) and the status.  The
 * running build's properties are loaded by agent_load_device. */
int agent_open(agent *a, const char *config, const agent_output *out, ota_error *err);
void agent_close(agent *a);

/* Reads the running build (needed by check and install). */
int agent_load_device(agent *a, ota_error *err);
/* Takes the agent lock (STATE_DIR/lock) and makes the HTTP handle: what
 * every command that changes something does first. */
int agent_begin(agent *a, ota_error *err);

/* A line for the log and the program. */
void agent_log(agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves to state s (bytes reset unless kept) and saves the status. */
void agent_set_state(agent *a, agent_state s);
void agent_progress(agent *a, uint64_t done, uint64_t total);
/* Records a failure: state failed (or the given state), last_error, log. */
void agent_record_error(agent *a, agent_state s, const ota_error *err);

#endif
