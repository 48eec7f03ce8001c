/* ota_agent: the update agent of a running device (docs/agent.md).
 *   ota_agent [--config=FILE] [--json] check
 *   ota_agent [--config=FILE] [--json] download [URL|PACKAGE]
 *   ota_agent [--config=FILE] [--json] install [URL|PACKAGE]
 *   ota_agent [--config=FILE] status [--json]
 *   ota_agent [--config=FILE] mark-good */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/check.h"
#include "agent/install.h"
#include "agent/progress.h"
#include "otautil/json.h"

#define EXIT_NO_UPDATE 3

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ota_agent [--config=FILE] [--json] COMMAND\n"
            "The update agent of a running device.  COMMAND is one of:\n"
            "  check                  does the channel offer an update for this device?\n"
            "                         exit 0: yes (printed), 3: up to date, 1: error\n"
            "  download [URL|PACKAGE] fetch and verify the update (the channel's, a URL's\n"
            "                         or a file's) into the cache, resuming an earlier try\n"
            "  install [URL|PACKAGE]  download, verify and install it: on a recovery\n"
            "                         device, stage it for recovery and reboot (hooks);\n"
            "                         on an A/B device, write the other slot, read it\n"
            "                         back and set it active; exit 3 when the channel\n"
            "                         has nothing newer\n"
            "  status [--json]        what the agent is doing or last did\n"
            "  mark-good              A/B: after the health-check hook passes, mark the\n"
            "                         running slot successful\n"
            "Options:\n"
            "  --config=FILE  configuration (default /etc/ota_agent.conf, under\n"
            "                 $RECOVERY_ROOT when set)\n"
            "  --json         progress and results as JSON lines on stdout\n");
}

typedef struct ui {
    agent_progress_view view;
    FILE *out;
} ui;

static void flush(ui *u, ota_buf *b)
{
    if (b->len) {
        fwrite(b->data, 1, b->len, u->out);
        fflush(u->out);
    }
    ota_buf_free(b);
}

static void on_message(void *ctx, const char *line)
{
    ui *u = ctx;
    ota_buf b = {0};
    agent_progress_message(&u->view, line, &b, NULL);
    flush(u, &b);
}

static void on_progress(void *ctx, agent_state state, uint64_t done, uint64_t total)
{
    ui *u = ctx;
    ota_buf b = {0};
    agent_progress_render(&u->view, state, done, total, &b, NULL);
    flush(u, &b);
}

/* The end of a command: a JSON "result" line, or text (errors on stderr). */
static int report(ui *u, const char *what, int ok, const char *text)
{
    if (u->view.style == AGENT_PROGRESS_JSON) {
        ota_buf b = {0};
        ota_json j;
        ota_json_init_compact(&j, &b);
        ota_json_object_begin(&j, NULL);
        ota_json_string(&j, "event", "result");
        ota_json_string(&j, "command", what);
        ota_json_bool(&j, "ok", ok);
        ota_json_string(&j, ok ? "message" : "error", text);
        ota_json_object_end(&j);
        ota_json_finish(&j, NULL);
        flush(u, &b);
    } else if (u->view.bar_open) {
        fputc('\n', stderr);
    }
    if (!ok)
        fprintf(stderr, "ota_agent: %s: %s\n", what, text);
    else if (u->view.style != AGENT_PROGRESS_JSON)
        printf("%s\n", text);
    return ok ? 0 : 1;
}

static int fail(ui *u, const char *what, const ota_error *err)
{
    return report(u, what, 0, err->message);
}

static int result(ui *u, const char *what, const char *text)
{
    return report(u, what, 1, text);
}

static int cmd_status(agent *a, int json)
{
    ota_buf b = {0};
    ota_error err;
    int rc = json ? agent_status_json(&a->status, &b, &err) : agent_status_text(&a->status, &b, &err);
    if (rc < 0) {
        fprintf(stderr, "ota_agent: status: %s\n", err.message);
        return 1;
    }
    fwrite(b.data, 1, b.len, stdout);
    ota_buf_free(&b);
    return 0;
}

static int cmd_check(agent *a, ui *u)
{
    agent_offer offer;
    ota_error err;
    ota_error_clear(&err);
    if (agent_check(a, &offer, &err) < 0) {
        agent_record_error(a, AGENT_FAILED, &err);
        return fail(u, "check", &err);
    }
    agent_set_state(a, AGENT_IDLE);
    int rc = offer.update ? 0 : EXIT_NO_UPDATE;
    if (u->view.style == AGENT_PROGRESS_JSON) {
        ota_buf b = {0};
        ota_json j;
        ota_json_init_compact(&j, &b);
        ota_json_object_begin(&j, NULL);
        ota_json_string(&j, "event", "check");
        ota_json_bool(&j, "update", offer.update);
        ota_json_string(&j, "current_build", a->status.current_build);
        ota_json_string(&j, "build", offer.build);
        if (offer.update) {
            ota_json_string(&j, "kind", offer.incremental ? "incremental" : "full");
            ota_json_string(&j, "url", offer.url);
            ota_json_uint(&j, "size", offer.size);
        }
        ota_json_object_end(&j);
        ota_json_finish(&j, NULL);
        flush(u, &b);
    } else if (offer.update) {
        printf("update available: %s (%s package, %" PRIu64 " bytes) %s\n", offer.build,
               offer.incremental ? "incremental" : "full", offer.size, offer.url);
    } else {
        printf("up to date: %s\n", offer.build);
    }
    agent_offer_free(&offer);
    return rc;
}

static int cmd_install(agent *a, ui *u, const char *what, const char *source, int download_only)
{
    ota_error err;
    ota_error_clear(&err);
    int up_to_date = 0;
    if (agent_install(a, source, download_only, &up_to_date, &err) < 0)
        return fail(u, what, &err);
    if (up_to_date) {
        result(u, what, "up to date");
        return EXIT_NO_UPDATE;
    }
    char text[8192];
    if (download_only)
        snprintf(text, sizeof text, "downloaded and verified %s: %s", a->status.target_build,
                 a->status.package_path);
    else if (a->cfg.kind == OTA_INSTALL_AB)
        snprintf(text, sizeof text, "%s installed into the other slot and set active: reboot "
                 "to try it", a->status.target_build);
    else
        snprintf(text, sizeof text, "%s staged (%s): reboot to install",
                 a->status.target_build, a->status.package_path);
    return result(u, what, text);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'c':
            config = optarg;
            break;
        case 'j':
            json = 1;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    char **rest = argv + optind + 1;
    int nrest = argc - optind - 1;
    if (!strcmp(cmd, "status") && nrest == 1 && !strcmp(rest[0], "--json")) {
        json = 1;
        nrest = 0;
    }
    int known = !strcmp(cmd, "check") || !strcmp(cmd, "status") || !strcmp(cmd, "mark-good") ||
                !strcmp(cmd, "install") || !strcmp(cmd, "download");
    int max_args = !strcmp(cmd, "install") || !strcmp(cmd, "download") ? 1 : 0;
    if (!known || nrest > max_args || (nrest == 1 && rest[0][0] == '-')) {
        usage(stderr);
        return 2;
    }
    ui u = {.out = json ? stdout : stderr};
    u.view.style = json ? AGENT_PROGRESS_JSON
                   : isatty(STDERR_FILENO) ? AGENT_PROGRESS_BAR : AGENT_PROGRESS_LINES;
    u.view.width = 30;
    u.view.state = (agent_state)-1;
    agent_output out = {.message = on_message, .progress = on_progress, .ctx = &u};
    agent a;
    ota_error err;
    ota_error_clear(&err);
    if (agent_open(&a, config, &out, &err) < 0) {
        fprintf(stderr, "ota_agent: %s\n", err.message);
        agent_close(&a);
        return 1;
    }
    int rc;
    if (!strcmp(cmd, "status")) {
        rc = cmd_status(&a, json);
    } else if (agent_begin(&a, &err) < 0 || agent_load_device(&a, &err) < 0) {
        rc = fail(&u, cmd, &err);
    } else {
        agent_reconcile(&a);
        if (!strcmp(cmd, "check")) {
            rc = cmd_check(&a, &u);
        } else if (!strcmp(cmd, "mark-good")) {
            rc = agent_mark_good(&a, &err) < 0 ? fail(&u, cmd, &err)
                                                : result(&u, cmd, "marked good");
        } else {
            rc = cmd_install(&a, &u, cmd, nrest ? rest[0] : NULL, !strcmp(cmd, "download"));
        }
    }
    agent_close(&a);
    return rc;
}
