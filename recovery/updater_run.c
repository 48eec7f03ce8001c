#include "recovery/updater_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/spawn.h"
#include "otautil/verify.h"
#include "recovery/updater_pipe.h"

/* How often the screen is ticked while the updater runs (time-driven bar). */
#define TICK_MS 250
#define LINE_BUF 4096

void recovery_updater_command(recovery_ctx *ctx, const char *line, recovery_updater_result *res)
{
    recovery_pipe_cmd cmd;
    ota_error err;
    recovery_ui *ui = ctx->ui;
    if (recovery_pipe_parse(line, &cmd, &err) < 0) {
        recovery_log_printf(ctx->log, "ignored: %s", err.message);
        return;
    }
    switch (cmd.kind) {
    case RECOVERY_PIPE_PROGRESS:
        ui->ops->progress_segment(ui, cmd.fraction, cmd.seconds);
        break;
    case RECOVERY_PIPE_SET_PROGRESS:
        ui->ops->progress_set(ui, cmd.fraction);
        break;
    case RECOVERY_PIPE_UI_PRINT:
        /* The updater ends each message with a bare "ui_print" (Android's
         * framing); our lines already end where the message does. */
        if (cmd.text[0])
            recovery_say(ctx, "%s", cmd.text);
        break;
    case RECOVERY_PIPE_LOG:
        recovery_log_text(ctx->log, "updater log: ", cmd.text);
        break;
    case RECOVERY_PIPE_WIPE_CACHE:
        recovery_log_printf(ctx->log, "updater asks for a cache wipe after the install");
        res->wipe_cache = 1;
        break;
    case RECOVERY_PIPE_CLEAR_DISPLAY:
        ui->ops->clear_text(ui);
        break;
    case RECOVERY_PIPE_ENABLE_REBOOT:
        recovery_log_printf(ctx->log, "updater enables reboot");
        res->enable_reboot = 1;
        ui->ops->set_enable_reboot(ui, 1);
        break;
    }
}

typedef struct stream {
    int fd;               /* -1 once at end of file */
    char buf[LINE_BUF];
    ota_lines lines;
} stream;

typedef struct run_state {
    recovery_ctx *ctx;
    recovery_updater_result *res;
} run_state;

static void on_command(void *p, const char *line)
{
    run_state *st = p;
    recovery_updater_command(st->ctx, line, st->res);
}

static void on_output(void *p, const char *line)
{
    run_state *st = p;
    recovery_log_text(st->ctx->log, "update-binary: ", line);
}

/* Reads what is available; closes the stream at end of file. */
static void pump(stream *s)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(s->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            ota_lines_feed(&s->lines, chunk, (size_t)n);
            if ((size_t)n < sizeof chunk)
                return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* end of file, or an error that ends the stream just the same */
        ota_lines_flush(&s->lines);
        close(s->fd);
        s->fd = -1;
        return;
    }
}

int recovery_run_updater(recovery_ctx *ctx, const char *binary, const char *package,
                         const recovery_handover *handover, recovery_updater_result *res,
                         ota_error *err)
{
    memset(res, 0, sizeof *res);
    int cmd_pipe[2];
    if (pipe2(cmd_pipe, O_CLOEXEC) < 0)
        return ota_error_errno(err, "cannot create the updater's command pipe");
    char api[16], fd_text[16];
    snprintf(api, sizeof api, "%d", RECOVERY_UPDATER_API_VERSION);
    snprintf(fd_text, sizeof fd_text, "%d", cmd_pipe[1]);
    char *argv[] = { (char *)binary, api, fd_text, (char *)package, NULL };
    recovery_log_printf(ctx->log, "running %s %s %s %s%s%s", binary, api, fd_text, package,
                        handover && handover->token ? " with " OTA_VERIFIED_ENV "=" : "",
                        handover && handover->token ? handover->token : "");
    /* stdout and stderr into the log, the command pipe (and the package
     * handed over) kept open, the token in the binary's environment only. */
    int keep[2] = {cmd_pipe[1], handover ? handover->fd : -1};
    char token_env[sizeof OTA_VERIFIED_ENV + OTA_VERIFIED_TOKEN_LEN + 1];
    char *env[2] = {NULL, NULL};
    if (handover && handover->token) {
        snprintf(token_env, sizeof token_env, "%s=%s", OTA_VERIFIED_ENV, handover->token);
        env[0] = token_env;
    }
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_PIPE, .keep_fds = keep,
                           .keep_count = keep[1] >= 0 ? 2 : 1, .extra_env = env};
    ota_child child;
    int rc = ota_spawn(argv, &opts, &child, err);
    close(cmd_pipe[1]);
    if (rc < 0) {
        close(cmd_pipe[0]);
        return -1;
    }
    run_state st = { ctx, res };
    stream streams[2] = {
        { .fd = cmd_pipe[0], .lines = { .fn = on_command, .ctx = &st } },
        { .fd = child.output_fd, .lines = { .fn = on_output, .ctx = &st } },
    };
    for (int i = 0; i < 2; i++) {
        streams[i].lines.buf = streams[i].buf;
        streams[i].lines.size = sizeof streams[i].buf;
    }
    child.output_fd = -1; /* the stream owns it now */
    for (int i = 0; i < 2; i++)
        fcntl(streams[i].fd, F_SETFL, fcntl(streams[i].fd, F_GETFL) | O_NONBLOCK);

    int status = 0, exited = 0;
    while (!exited) {
        struct pollfd pfd[2];
        int n = 0;
        for (int i = 0; i < 2; i++)
            if (streams[i].fd >= 0)
                pfd[n++] = (struct pollfd){ .fd = streams[i].fd, .events = POLLIN };
        if (n > 0 && poll(pfd, (nfds_t)n, TICK_MS) < 0 && errno != EINTR) {
            ota_error_errno(err, "cannot wait for the updater's output");
            break;
        }
        if (n == 0)
            usleep(TICK_MS * 1000);
        for (int i = 0; i < 2; i++)
            if (streams[i].fd >= 0)
                pump(&streams[i]);
        ctx->ui->ops->tick(ctx->ui);
        /* The binary's end, not the pipes', ends the wait: a program it
         * started may hold the pipes open for longer. */
        pid_t r = waitpid(child.pid, &status, WNOHANG);
        if (r == child.pid)
            exited = 1;
        else if (r < 0 && errno != EINTR) {
            ota_error_errno(err, "cannot wait for %s", binary);
            break;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (streams[i].fd >= 0) {
            pump(&streams[i]); /* what was written before the exit */
            if (streams[i].fd >= 0) {
                ota_lines_flush(&streams[i].lines);
                close(streams[i].fd);
            }
        }
    }
    if (!exited) {
        /* poll or waitpid failed: do not leave the binary running alone. */
        kill(child.pid, SIGKILL);
        while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
        }
        return -1;
    }
    res->status = status;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char how[96];
    ota_describe_exit(status, how, sizeof how);
    return ota_error_set(err, OTA_ERR_ABORTED, "update-binary %s", how);
}
