#include "releasetools/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char **merged_env(char *const extra[])
{
    size_t n = 0, m = 0;
    while (environ[n])
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
        /* an extra entry replaces the inherited one of that name */
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

int rt_spawn(char *const argv[], char *const extra_env[], ota_buf *output, ota_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return ota_error_errno(err, "cannot run %s: pipe", argv[0]);
    char **env = merged_env(extra_env);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = env ? posix_spawnp(&pid, argv[0], &fa, NULL, argv, env) : ENOMEM;
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return ota_error_errno(err, "cannot run %s", argv[0]);
    }
    char chunk[4096];
    ssize_t n;
    int failed = 0;
    while ((n = read(fds[0], chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (output && !failed && ota_buf_append(output, chunk, (size_t)n, NULL) < 0)
            failed = 1;
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return ota_error_errno(err, "waiting for %s", argv[0]);
    }
    if (output && (failed || ota_buf_append(output, "", 1, NULL) < 0))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s's output", argv[0]);
    if (output)
        output->len--;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
