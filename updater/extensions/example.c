/* An example of a device maker's builtins (updater/device_extensions.h),
 * built into an updater with
 *     make UPDATER_EXTENSIONS=updater/extensions/example.c
 * and used by tests/updater/device_extensions.sh.  Not part of the
 * updater library (it lives below updater/, which the build does not
 * collect).
 *
 * example.check_board(ID...) is what HTC's check_cid or Xiaomi's
 * verify_modem do for their phones: a package for some boards asserts
 * that it runs on one of them.  The board's id is the first line of
 * /proc/device-tree/board-id (under RECOVERY_ROOT on a host), as device
 * trees of embedded boards often carry it.  Returns the id, or fails
 * naming it and the ids the package accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "updater/builtins.h"
#include "updater/device_extensions.h"

#define BOARD_ID_FILE "/proc/device-tree/board-id"

static edify_value *fn_check_board(edify_state *st, const edify_call *call)
{
    char **ids;
    if (upd_strings_alloc(st, call, &ids) < 0)
        return NULL;
    edify_value *result = NULL;
    char *path = upd_path(st, BOARD_ID_FILE);
    FILE *f = path ? fopen(path, "re") : NULL;
    char board[128] = "";
    if (!path) {
        /* upd_path recorded the failure */
    } else if (!f || !fgets(board, sizeof board, f)) {
        edify_fail_errno(st, "example.check_board: cannot read the board id from %s",
                         BOARD_ID_FILE);
    } else {
        board[strcspn(board, "\r\n")] = '\0';
        for (int i = 0; i < call->argc && !result; i++)
            if (strcmp(ids[i], board) == 0)
                result = edify_string(board);
        if (!result) {
            char wanted[512] = "";
            for (int i = 0; i < call->argc; i++)
                snprintf(wanted + strlen(wanted), sizeof wanted - strlen(wanted), "%s%s",
                         i ? ", " : "", ids[i]);
            edify_fail_code(st, OTA_ERR_VERIFY,
                            "this package is for boards %s; this board is \"%s\"", wanted, board);
        }
    }
    if (f)
        fclose(f);
    free(path);
    upd_strings_free(ids, call->argc);
    return result;
}

static const edify_reg example_builtins[] = {
    {"example.check_board", fn_check_board, 1, EDIFY_VARARGS},
    {NULL, NULL, 0, 0},
};

int updater_register_device_extensions(edify_funcs *fns, ota_error *err)
{
    return edify_register_table(fns, example_builtins, err);
}
