/* Child processes: mke2fs for format, and run_program. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "updater/builtins.h"

extern char **environ;

int upd_spawn(updater_ctx *ctx, char *const argv[], int *status, ota_error *err)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "cannot prepare to run %s", argv[0]);
    /* Nothing we run should wait for input (mke2fs would ask questions on
     * a terminal). */
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (ctx->pipe_fd == STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    pid_t pid;
    int rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)
                                  : posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return ota_error_errno(err, "cannot run %s", argv[0]);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR)
            return ota_error_errno(err, "waiting for %s failed", argv[0]);
    }
    if (WIFEXITED(ws))
        *status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws))
        *status = 128 + WTERMSIG(ws);
    else
        *status = 255;
    return 0;
}
