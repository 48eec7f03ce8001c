#include "otautil/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* environ with the extra entries first, replacing inherited ones of the
 * same name.  The strings are not copied. */
static char **merged_env(char *const extra[])
{
    size_t n = 0, m = 0;
    while (environ && environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        env[k++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < m && !replaced; j++)
            replaced = strncmp(extra[j], environ[i], len) == 0;
        if (!replaced)
            env[k++] = environ[i];
    }
    return env;
}

/* The file action that sends the child's descriptor `target` where `how`
 * says; pipe_w is the write end of the output pipe. */
static int route(posix_spawn_file_actions_t *fa, ota_spawn_stream how, int target, int pipe_w)
{
    switch (how) {
    case OTA_SPAWN_INHERIT:
        return 0;
    case OTA_SPAWN_NULL:
        return posix_spawn_file_actions_addopen(fa, target, "/dev/null", O_WRONLY, 0);
    case OTA_SPAWN_PIPE:
        return posix_spawn_file_actions_adddup2(fa, pipe_w, target);
    case OTA_SPAWN_TO_STDERR:
        return target == STDERR_FILENO ? 0
                                       : posix_spawn_file_actions_adddup2(fa, STDERR_FILENO, target);
    }
    return EINVAL;
}

int ota_spawn(char *const argv[], const ota_spawn_opts *opts, ota_child *child, ota_error *err)
{
    static const ota_spawn_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    child->pid = -1;
    child->output_fd = -1;
    child->own_group = opts->own_group;
    int piped = opts->out == OTA_SPAWN_PIPE || opts->err == OTA_SPAWN_PIPE;
    int fds[2] = {-1, -1};
    if (piped && pipe2(fds, O_CLOEXEC) < 0)
        return ota_error_errno(err, "cannot run %s: no pipe", argv[0]);
    char **env = merged_env(opts->extra_env);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = env ? 0 : ENOMEM;
    int fa_ok = 0, attr_ok = 0;
    if (rc == 0 && (rc = posix_spawn_file_actions_init(&fa)) == 0)
        fa_ok = 1;
    if (rc == 0 && (rc = posix_spawnattr_init(&attr)) == 0)
        attr_ok = 1;
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    /* stdout before stderr: TO_STDERR copies the caller's stderr, which
     * must not have been redirected yet. */
    if (rc == 0)
        rc = route(&fa, opts->out, STDOUT_FILENO, fds[1]);
    if (rc == 0)
        rc = route(&fa, opts->err, STDERR_FILENO, fds[1]);
    /* dup2 onto itself clears close-on-exec in the child only. */
    for (size_t i = 0; rc == 0 && i < opts->keep_count; i++)
        rc = posix_spawn_file_actions_adddup2(&fa, opts->keep_fds[i], opts->keep_fds[i]);
    /* The child starts with default signal handling: a caller ignoring
     * SIGPIPE (the updater) must not pass that on. */
    sigset_t deflt;
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE);
    short flags = POSIX_SPAWN_SETSIGDEF;
    if (opts->own_group)
        flags |= POSIX_SPAWN_SETPGROUP;
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&attr, &deflt);
    if (rc == 0 && opts->own_group)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr, flags);
    pid_t pid = -1;
    if (rc == 0)
        rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], &fa, &attr, argv, env)
                                  : posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    free(env);
    if (fds[1] >= 0)
        close(fds[1]);
    if (rc != 0) {
        if (fds[0] >= 0)
            close(fds[0]);
        errno = rc;
        return ota_error_errno(err, "cannot run %s", argv[0]);
    }
    child->pid = pid;
    child->output_fd = fds[0];
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* waitpid that retries on EINTR; with nohang, 0 while it still runs. */
static pid_t reap(pid_t pid, int *status, int nohang)
{
    pid_t r;
    do {
        r = waitpid(pid, status, nohang ? WNOHANG : 0);
    } while (r < 0 && errno == EINTR);
    return r;
}

static void kill_child(const ota_child *child)
{
    if (child->own_group)
        kill(-child->pid, SIGKILL);
    kill(child->pid, SIGKILL);
}

/* Reads what the pipe holds without blocking; -1 at end of file. */
static int drain(ota_child *child, ota_lines *lines)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(child->output_fd, chunk, sizeof chunk);
        if (n > 0) {
            if (lines)
                ota_lines_feed(lines, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return -1; /* end of file, or an error that ends the stream the same */
    }
}

/* The wait loop behind ota_child_wait and ota_run: pumps the output into
 * lines (when given) until the child has ended, then takes what is left.
 * The child's end, not the pipe's, ends the wait: something it started may
 * hold the pipe open for longer. */
static int wait_loop(ota_child *child, const char *argv0, int timeout_ms, ota_lines *lines,
                     int *wait_status, ota_error *err)
{
    long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    if (child->output_fd >= 0)
        fcntl(child->output_fd, F_SETFL, fcntl(child->output_fd, F_GETFL) | O_NONBLOCK);
    int status = 0, rc = 0;
    for (;;) {
        pid_t r = reap(child->pid, &status, 1);
        if (r == child->pid)
            break;
        if (r < 0) {
            rc = ota_error_errno(err, "cannot wait for %s", argv0);
            kill_child(child);
            reap(child->pid, &status, 0);
            break;
        }
        long long left = deadline < 0 ? 100 : deadline - now_ms();
        if (left <= 0) {
            kill_child(child);
            reap(child->pid, &status, 0);
            rc = ota_error_set(err, OTA_ERR_LIMIT, "%s did not finish within %d ms and was "
                               "killed", argv0, timeout_ms);
            break;
        }
        int slice = left > 100 ? 100 : (int)left;
        if (child->output_fd >= 0) {
            struct pollfd p = {.fd = child->output_fd, .events = POLLIN};
            if (poll(&p, 1, slice) > 0 && drain(child, lines) < 0) {
                close(child->output_fd);
                child->output_fd = -1;
            }
        } else {
            poll(NULL, 0, slice < 10 ? slice : 10);
        }
    }
    if (child->output_fd >= 0) {
        drain(child, lines); /* what was written before the end */
        close(child->output_fd);
        child->output_fd = -1;
    }
    if (lines)
        ota_lines_flush(lines);
    *wait_status = status;
    return rc;
}

int ota_child_wait(ota_child *child, const char *argv0, int timeout_ms, int *wait_status,
                   ota_error *err)
{
    return wait_loop(child, argv0, timeout_ms, NULL, wait_status, err);
}

int ota_exit_code(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return 255;
}

void ota_describe_exit(int wait_status, char *out, size_t outsz)
{
    if (WIFEXITED(wait_status))
        snprintf(out, outsz, "exited with status %d", WEXITSTATUS(wait_status));
    else if (WIFSIGNALED(wait_status))
        snprintf(out, outsz, "was killed by signal %d (%s)", WTERMSIG(wait_status),
                 strsignal(WTERMSIG(wait_status)));
    else
        snprintf(out, outsz, "ended with wait status 0x%x", (unsigned)wait_status);
}

void ota_lines_feed(ota_lines *lines, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n' || lines->used == lines->size - 1) {
            lines->buf[lines->used] = '\0';
            lines->fn(lines->ctx, lines->buf);
            lines->used = 0;
            if (c == '\n')
                continue;
        }
        lines->buf[lines->used++] = c;
    }
}

void ota_lines_flush(ota_lines *lines)
{
    if (lines->used > 0) {
        lines->buf[lines->used] = '\0';
        lines->fn(lines->ctx, lines->buf);
        lines->used = 0;
    }
}

int ota_run(char *const argv[], const ota_spawn_opts *opts, int timeout_ms, ota_line_fn line_fn,
            void *line_ctx, int *wait_status, ota_error *err)
{
    ota_child child;
    if (ota_spawn(argv, opts, &child, err) < 0)
        return -1;
    char buf[1024];
    ota_lines lines = {buf, sizeof buf, 0, line_fn, line_ctx};
    return wait_loop(&child, argv[0], timeout_ms, line_fn ? &lines : NULL, wait_status, err);
}
