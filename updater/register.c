/* The device builtins, all in one table. */
#include "updater/builtins.h"

int updater_register_builtins(edify_funcs *fns)
{
    int (*const families[])(edify_funcs *) = {
        updater_register_mount, updater_register_format, updater_register_extract,
        updater_register_perms, updater_register_files,  updater_register_props,
        updater_register_raw,   updater_register_patch,  updater_register_misc,
        updater_register_blockimg,
    };
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (families[i](fns) != 0)
            return -1;
    return 0;
}
