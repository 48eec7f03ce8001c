/* Vendor hooks: executables the device maker puts in the hooks folder,
 * run at fixed points of an update (docs/agent.md has the contract):
 *   check-network                  before any network use; non-zero: not now
 *   download URL OUTPUT            fetch URL into OUTPUT instead of libcurl
 *   upgrade-start TARGET PACKAGE   before anything is written; non-zero: veto
 *   upgrade-finish TARGET PACKAGE  after the install is staged (A/B: the slot
 *                                  set active): record, reboot
 *   health-check BUILD SUFFIX      A/B mark-good: non-zero leaves the slot unmarked
 * Each runs through otautil/spawn.h in its own process group with the
 * environment below, its output logged line by line; a timeout kills the
 * whole group.  A missing hook is not an error. */
#ifndef AGENT_HOOKS_H
#define AGENT_HOOKS_H

#include "otautil/error.h"

typedef struct agent_hook_env {
    const char *kind;          /* OTA_DEVICE_KIND: recovery or ab */
    const char *current_build; /* OTA_CURRENT_BUILD */
    const char *target_build;  /* OTA_TARGET_BUILD */
    const char *package_url;   /* OTA_PACKAGE_URL */
    const char *package;       /* OTA_PACKAGE: the downloaded file */
    const char *state_dir;     /* OTA_STATE_DIR */
    const char *expect_size;   /* OTA_EXPECTED_SIZE (download) */
    const char *expect_sha256; /* OTA_EXPECTED_SHA256 (download) */
} agent_hook_env;

typedef void (*agent_hook_log_fn)(void *ctx, const char *hook, const char *line);

typedef struct agent_hooks {
    const char *dir;
    int timeout_ms;
    agent_hook_log_fn log;
    void *log_ctx;
} agent_hooks;

/* Whether hook name is there (an executable file). */
int agent_hook_exists(const agent_hooks *h, const char *name);

/* Runs hook name with args (NULL-terminated, may be NULL).  Returns 0 when
 * it exited 0 or is absent (*ran says which; may be NULL); -1 when it
 * failed or timed out, err saying "hook NAME exited with status N: LAST
 * LINE OF ITS OUTPUT" (OTA_ERR_ABORTED) or "... timed out" (OTA_ERR_LIMIT). */
int agent_hook_run(const agent_hooks *h, const char *name, const char *const *args,
                   const agent_hook_env *env, int *ran, ota_error *err);

#endif
