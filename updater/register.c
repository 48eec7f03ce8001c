/* The device builtins: every family's table, registered in one loop, then
 * the device maker's own (updater/device_extensions.h). */
#include "updater/builtins.h"
#include "updater/device_extensions.h"

/* The default when no UPDATER_EXTENSIONS are linked: nothing to add.  A
 * device maker's object file defines the function for real, and the
 * linker takes that one over this weak one. */
__attribute__((weak)) int updater_register_device_extensions(edify_funcs *fns, ota_error *err)
{
    (void)fns;
    (void)err;
    return 0;
}

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
    if (updater_register_device_extensions(fns, err) < 0) {
        ota_error_prefix(err, "device builtins (UPDATER_EXTENSIONS)");
        return -1;
    }
    return 0;
}
