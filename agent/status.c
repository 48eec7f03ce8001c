#include "agent/status.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/safe_file.h"
#include "otautil/json.h"
#include "otautil/props.h"

static const char *const names[] = {
    "idle",    "checking", "downloading", "verifying", "writing", "waiting-for-reboot",
    "needs-mark-good", "rolled-back", "failed",
};

const char *agent_state_name(agent_state s)
{
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

int agent_state_parse(const char *name)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i]))
            return (int)i;
    return -1;
}

static void status_path(const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/" AGENT_STATUS_FILE, dir);
}

static void get_str(const ota_props *p, const char *key, char *out, size_t cap)
{
    const char *v = ota_props_get(p, key);
    snprintf(out, cap, "%s", v ? v : "");
}

static long long get_num(const ota_props *p, const char *key)
{
    const char *v = ota_props_get(p, key);
    return v ? strtoll(v, NULL, 10) : 0;
}

int agent_status_load(const char *state_dir, agent_status *st, ota_error *err)
{
    memset(st, 0, sizeof *st);
    char path[PATH_MAX];
    status_path(state_dir, path, sizeof path);
    ota_props p = {0};
    int rc = ota_props_load(&p, path, 64u << 10, err);
    if (rc == 0) {
        const char *state = ota_props_get(&p, "state");
        int s = state ? agent_state_parse(state) : AGENT_IDLE;
        st->state = s < 0 ? AGENT_FAILED : (agent_state)s;
        st->done = (uint64_t)get_num(&p, "bytes_done");
        st->total = (uint64_t)get_num(&p, "bytes_total");
        st->fetched = (uint64_t)get_num(&p, "bytes_fetched");
        get_str(&p, "current_build", st->current_build, sizeof st->current_build);
        get_str(&p, "target_build", st->target_build, sizeof st->target_build);
        get_str(&p, "package_url", st->package_url, sizeof st->package_url);
        get_str(&p, "package_path", st->package_path, sizeof st->package_path);
        get_str(&p, "last_error", st->last_error, sizeof st->last_error);
        st->updated = get_num(&p, "updated");
        st->pid = (long)get_num(&p, "pid");
        st->channel_date = get_num(&p, "channel_date");
    }
    ota_props_free(&p);
    return rc < 0 ? -1 : 0;
}

/* Values go on one line: newlines become spaces, ends are trimmed. */
static int set_clean(ota_props *p, const char *key, const char *value, ota_error *err)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", value);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return ota_props_set(p, key, s, err);
}

static int set_num(ota_props *p, const char *key, long long v, ota_error *err)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    return ota_props_set(p, key, num, err);
}

int agent_status_save(const char *state_dir, const agent_status *st, ota_error *err)
{
    ota_props p = {0};
    int rc = 0;
    if (set_clean(&p, "state", agent_state_name(st->state), err) < 0 ||
        set_num(&p, "bytes_done", (long long)st->done, err) < 0 ||
        set_num(&p, "bytes_total", (long long)st->total, err) < 0 ||
        set_num(&p, "bytes_fetched", (long long)st->fetched, err) < 0 ||
        set_clean(&p, "current_build", st->current_build, err) < 0 ||
        set_clean(&p, "target_build", st->target_build, err) < 0 ||
        set_clean(&p, "package_url", st->package_url, err) < 0 ||
        set_clean(&p, "package_path", st->package_path, err) < 0 ||
        set_clean(&p, "last_error", st->last_error, err) < 0 ||
        set_num(&p, "updated", st->updated, err) < 0 || set_num(&p, "pid", st->pid, err) < 0 ||
        set_num(&p, "channel_date", st->channel_date, err) < 0)
        rc = -1;
    ota_buf text = {0};
    char path[PATH_MAX];
    status_path(state_dir, path, sizeof path);
    if (rc == 0)
        rc = ota_props_format(&p, &text, err);
    if (rc == 0)
        rc = ota_replace_file(path, text.data, text.len, 0644, err);
    ota_buf_free(&text);
    ota_props_free(&p);
    return rc;
}

int agent_status_running(const agent_status *st)
{
    return st->pid > 0 && (kill((pid_t)st->pid, 0) == 0 || errno == EPERM);
}

int agent_status_json(const agent_status *st, ota_buf *out, ota_error *err)
{
    ota_json j;
    ota_json_init(&j, out);
    ota_json_object_begin(&j, NULL);
    ota_json_string(&j, "state", agent_state_name(st->state));
    ota_json_bool(&j, "running", agent_status_running(st));
    ota_json_uint(&j, "bytes_done", st->done);
    ota_json_uint(&j, "bytes_total", st->total);
    ota_json_uint(&j, "bytes_fetched", st->fetched);
    ota_json_string(&j, "current_build", st->current_build);
    ota_json_string(&j, "target_build", st->target_build);
    ota_json_string(&j, "package_url", st->package_url);
    ota_json_string(&j, "package_path", st->package_path);
    ota_json_string(&j, "last_error", st->last_error);
    ota_json_uint(&j, "updated", (uint64_t)st->updated);
    ota_json_object_end(&j);
    return ota_json_finish(&j, err);
}

int agent_status_text(const agent_status *st, ota_buf *out, ota_error *err)
{
    char text[8192];
    int n = snprintf(text, sizeof text,
                     "state: %s%s\nbytes: %" PRIu64 " / %" PRIu64 " (fetched %" PRIu64 ")\n"
                     "current build: %s\ntarget build: %s\npackage: %s\nlast error: %s\n",
                     agent_state_name(st->state),
                     agent_status_running(st) ? " (running)" : "", st->done, st->total,
                     st->fetched, st->current_build[0] ? st->current_build : "(unknown)",
                     st->target_build[0] ? st->target_build : "(none)",
                     st->package_url[0] ? st->package_url : "(none)",
                     st->last_error[0] ? st->last_error : "(none)");
    return ota_buf_append(out, text, n < (int)sizeof text ? (size_t)n : sizeof text - 1, err);
}
