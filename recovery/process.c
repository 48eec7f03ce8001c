#include "recovery/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int recovery_spawn(char *const argv[], int keep_fd, recovery_child *child, ota_error *err)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0)
        return ota_error_errno(err, "cannot create a pipe for %s", argv[0]);
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(out[0]);
        close(out[1]);
        errno = saved;
        return ota_error_errno(err, "cannot start %s", argv[0]);
    }
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0 && null != STDIN_FILENO)
            dup2(null, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        if (keep_fd >= 0) {
            int flags = fcntl(keep_fd, F_GETFD);
            if (flags >= 0)
                fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        static const char msg[] = "exec failed\n";
        if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
            /* nothing more can be done in the child */
        }
        _exit(127);
    }
    close(out[1]);
    child->pid = pid;
    child->output_fd = out[0];
    return 0;
}

int recovery_wait(recovery_child *child, int *status, ota_error *err)
{
    pid_t r;
    do {
        r = waitpid(child->pid, status, 0);
    } while (r < 0 && errno == EINTR);
    if (child->output_fd >= 0) {
        close(child->output_fd);
        child->output_fd = -1;
    }
    if (r < 0)
        return ota_error_errno(err, "cannot wait for process %d", (int)child->pid);
    return 0;
}

void recovery_describe_status(int status, char *out, size_t outsz)
{
    if (WIFEXITED(status))
        snprintf(out, outsz, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, outsz, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, outsz, "ended with wait status 0x%x", (unsigned)status);
}

void recovery_split_output(char *buf, size_t size, size_t *used, const char *data, size_t len,
                           int flush, recovery_line_fn line_fn, void *ctx)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n' || *used == size - 1) {
            buf[*used] = '\0';
            line_fn(ctx, buf);
            *used = 0;
            if (c == '\n')
                continue;
        }
        buf[(*used)++] = c;
    }
    if (flush && *used > 0) {
        buf[*used] = '\0';
        line_fn(ctx, buf);
        *used = 0;
    }
}

typedef struct log_ctx {
    recovery_log *log;
    char prefix[64];
} log_ctx;

static void log_line(void *ctx, const char *line)
{
    log_ctx *c = ctx;
    recovery_log_text(c->log, c->prefix, line);
}

int recovery_run(char *const argv[], recovery_log *log, ota_error *err)
{
    recovery_child child;
    if (recovery_spawn(argv, -1, &child, err) < 0)
        return -1;
    log_ctx ctx = { .log = log };
    const char *base = strrchr(argv[0], '/');
    snprintf(ctx.prefix, sizeof ctx.prefix, "%s: ", base ? base + 1 : argv[0]);
    char line[1024], chunk[4096];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(child.output_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        recovery_split_output(line, sizeof line, &used, chunk, (size_t)n, 0, log_line, &ctx);
    }
    recovery_split_output(line, sizeof line, &used, "", 0, 1, log_line, &ctx);
    int status;
    if (recovery_wait(&child, &status, err) < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char how[96];
    recovery_describe_status(status, how, sizeof how);
    return ota_error_set(err, OTA_ERR_IO, "%s %s", argv[0], how);
}
