/* Child processes of the updater (mke2fs for format, run_program): the one
 * spawner of otautil/spawn.h with the updater's routing. */
#include <unistd.h>

#include "otautil/spawn.h"
#include "updater/builtins.h"

int upd_spawn(updater_ctx *ctx, char *const argv[], int *status, ota_error *err)
{
    /* A child writing to our stdout would garble the command pipe when that
     * is where it goes; its output belongs in the log (our stderr). */
    ota_spawn_opts opts = {
        .out = ctx->pipe_fd == STDOUT_FILENO ? OTA_SPAWN_TO_STDERR : OTA_SPAWN_INHERIT,
    };
    int wait_status;
    if (ota_run(argv, &opts, -1, NULL, NULL, &wait_status, err) < 0)
        return -1;
    *status = ota_exit_code(wait_status);
    return 0;
}
