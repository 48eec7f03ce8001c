#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MAX (256u << 10)

static int mkdirs(const char *dir, ota_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return ota_error_errno(err, "cannot create %s", path);
        *p = '/';
    }
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return ota_error_errno(err, "cannot create %s", path);
    return 0;
}

int agent_open(agent *a, const char *config, const agent_output *out, ota_error *err)
{
    memset(a, 0, sizeof *a);
    a->lock_fd = -1;
    if (out)
        a->out = *out;
    if (agent_config_load(config, &a->cfg, err) < 0)
        return -1;
    a->hooks.dir = a->cfg.hooks_dir;
    a->hooks.timeout_ms = (int)a->cfg.hook_timeout_ms;
    if (agent_status_load(a->cfg.state_dir, &a->status, err) < 0)
        return -1;
    return 0;
}

void agent_close(agent *a)
{
    if (a->lock_fd >= 0) {
        if (a->status.pid == (long)getpid()) {
            a->status.pid = 0;
            agent_status_save(a->cfg.state_dir, &a->status, NULL);
        }
        close(a->lock_fd);
    }
    agent_http_free(a->http);
    agent_device_free(&a->device);
    agent_config_free(&a->cfg);
    memset(a, 0, sizeof *a);
    a->lock_fd = -1;
}

int agent_load_device(agent *a, ota_error *err)
{
    if (agent_device_load(&a->device, a->cfg.build_props, a->cfg.kind, err) < 0)
        return -1;
    snprintf(a->status.current_build, sizeof a->status.current_build, "%s",
             a->device.build.fingerprint);
    return 0;
}

static void hook_line(void *ctx, const char *hook, const char *line)
{
    agent_log(ctx, "hook %s: %s", hook, line);
}

int agent_begin(agent *a, ota_error *err)
{
    if (mkdirs(a->cfg.state_dir, err) < 0)
        return -1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/lock", a->cfg.state_dir);
    a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (a->lock_fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    if (flock(a->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        int busy = errno == EWOULDBLOCK;
        close(a->lock_fd);
        a->lock_fd = -1;
        if (busy)
            return ota_error_set(err, OTA_ERR_LIMIT, "another ota_agent is running (pid %ld)",
                                 a->status.pid);
        return ota_error_errno(err, "cannot lock %s", path);
    }
    /* The status may say what a killed agent was doing: re-read it now
     * that no other agent can write it. */
    if (agent_status_load(a->cfg.state_dir, &a->status, err) < 0)
        return -1;
    a->status.pid = (long)getpid();
    a->hooks.log = hook_line;
    a->hooks.log_ctx = a;
    agent_http_opts hopts = {
        .ca_bundle = a->cfg.ca_bundle,
        .client_cert = a->cfg.client_cert,
        .client_key = a->cfg.client_key,
        .connect_timeout_ms = a->cfg.connect_timeout_ms,
        .stall_timeout_ms = a->cfg.stall_timeout_ms,
    };
    a->http = agent_http_new(&hopts, err);
    return a->http ? 0 : -1;
}

static void append_log(agent *a, const char *line)
{
    char path[PATH_MAX], old[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/" AGENT_LOG_FILE, a->cfg.state_dir);
    struct stat st;
    if (stat(path, &st) == 0 && (uint64_t)st.st_size > LOG_MAX) {
        snprintf(old, sizeof old, "%s.1", path);
        rename(path, old);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    dprintf(fd, "%s [%ld] %s\n", stamp, (long)getpid(), line);
    close(fd);
}

void agent_log(agent *a, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (a->lock_fd >= 0)
        append_log(a, line);
    if (a->out.message)
        a->out.message(a->out.ctx, line);
}

static void save(agent *a)
{
    a->status.updated = (long long)time(NULL);
    ota_error err;
    if (a->lock_fd >= 0 && agent_status_save(a->cfg.state_dir, &a->status, &err) < 0)
        agent_log(a, "cannot save the status: %s", err.message);
}

void agent_set_state(agent *a, agent_state s)
{
    if (a->status.state != s) {
        a->status.done = a->status.total = 0;
        if (s != AGENT_FAILED)
            a->status.last_error[0] = '\0';
    }
    a->status.state = s;
    save(a);
    if (a->out.progress)
        a->out.progress(a->out.ctx, s, a->status.done, a->status.total);
}

void agent_progress(agent *a, uint64_t done, uint64_t total)
{
    a->status.done = done;
    a->status.total = total;
    /* The status file is rewritten at every 1% (and at the end), not at
     * every block received. */
    uint64_t step = total / 100 ? total / 100 : 1;
    if (done / step != a->saved_step || done == total) {
        a->saved_step = done / step;
        save(a);
    }
    if (a->out.progress)
        a->out.progress(a->out.ctx, a->status.state, done, total);
}

void agent_record_error(agent *a, agent_state s, const ota_error *err)
{
    a->status.state = s;
    snprintf(a->status.last_error, sizeof a->status.last_error, "%s", err->message);
    save(a);
    /* Into the log only: the program reports the error itself. */
    if (a->lock_fd >= 0) {
        char line[OTA_ERROR_MAX + 32];
        snprintf(line, sizeof line, "%s: %s", agent_state_name(s), err->message);
        append_log(a, line);
    }
}
