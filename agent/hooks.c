#include "agent/hooks.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/spawn.h"

#define MAX_ARGS 8
#define ENV_COUNT 9

int agent_hook_exists(const agent_hooks *h, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", h->dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

typedef struct hook_output {
    const agent_hooks *h;
    const char *name;
    char last[512];
} hook_output;

static void on_line(void *ctx, const char *line)
{
    hook_output *o = ctx;
    if (line[0])
        snprintf(o->last, sizeof o->last, "%s", line);
    if (o->h->log)
        o->h->log(o->h->log_ctx, o->name, line);
}

static char *env_var(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value ? value : "") + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%s", name, value ? value : "");
    return s;
}

int agent_hook_run(const agent_hooks *h, const char *name, const char *const *args,
                   const agent_hook_env *env, int *ran, ota_error *err)
{
    if (ran)
        *ran = 0;
    if (!agent_hook_exists(h, name))
        return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", h->dir, name);
    char *argv[MAX_ARGS + 2];
    size_t argc = 0;
    argv[argc++] = path;
    for (size_t i = 0; args && args[i] && argc < MAX_ARGS + 1; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    agent_hook_env none = {0};
    if (!env)
        env = &none;
    char *envp[ENV_COUNT + 1] = {
        env_var("OTA_HOOK", name),
        env_var("OTA_DEVICE_KIND", env->kind),
        env_var("OTA_CURRENT_BUILD", env->current_build),
        env_var("OTA_TARGET_BUILD", env->target_build),
        env_var("OTA_PACKAGE_URL", env->package_url),
        env_var("OTA_PACKAGE", env->package),
        env_var("OTA_STATE_DIR", env->state_dir),
        env_var("OTA_EXPECTED_SIZE", env->expect_size),
        env_var("OTA_EXPECTED_SHA256", env->expect_sha256),
        NULL,
    };
    int rc = 0;
    for (size_t i = 0; i < ENV_COUNT; i++)
        if (!envp[i])
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_PIPE, .extra_env = envp,
                           .own_group = 1};
    hook_output out = {.h = h, .name = name};
    int status = 0;
    if (rc == 0) {
        rc = ota_run(argv, &opts, h->timeout_ms, on_line, &out, &status, err);
        if (ran)
            *ran = 1;
        if (rc < 0)
            ota_error_prefix(err, "hook %s", name);
        else if (status != 0) {
            char how[128];
            ota_describe_exit(status, how, sizeof how);
            rc = ota_error_set(err, OTA_ERR_ABORTED, "hook %s %s%s%s", name, how,
                               out.last[0] ? ": " : "", out.last);
        }
    }
    for (size_t i = 0; i < ENV_COUNT; i++)
        free(envp[i]);
    return rc;
}
