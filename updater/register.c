/* The device builtins: every family's table, registered in one loop. */
#include "updater/builtins.h"

int updater_register_builtins(edify_funcs *fns, ota_error *err)
{
    static const edify_reg *const families[] = {
        upd_mount_builtins, upd_format_builtins, upd_extract_builtins,
        upd_perms_builtins, upd_files_builtins,  upd_props_builtins,
        upd_raw_builtins,   upd_patch_builtins,  upd_misc_builtins,
        upd_blockimg_builtins,
    };
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (edify_register_table(fns, families[i], err) < 0)
            return -1;
    return 0;
}
