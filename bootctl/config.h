/* bootctl.conf: which backend keeps the boot state and where, in the one
 * property-file format (otautil/props.h).  Default /etc/bootctl.conf, under
 * RECOVERY_ROOT like every device path.  Settings:
 *   backend=android|uboot|grub|script
 *   storage=PATH          misc device, fw_env.config, grubenv file, or the script
 *   slots=A B             bootnames of the slots (uboot, grub, script; 1 to 4)
 *   tries=N               boots a slot set active gets (android 1-7, uboot 1-255)
 *   uboot.defaults=PATH   default U-Boot environment, used when the stored one
 *                         is blank or damaged (as fw_setenv -f)
 *   script.timeout=SECONDS  how long one call of the script may take (10)
 *   cmdline=PATH          the kernel command line file (/proc/cmdline)
 * Command-line options replace settings; BOOTCTL_CURRENT_SLOT=SLOT in the
 * environment (or --current-slot) names the running slot on a host. */
#ifndef BOOTCTL_CONFIG_H
#define BOOTCTL_CONFIG_H

#include "bootctl/bootctl.h"

#define BOOTCTL_DEFAULT_CONFIG "/etc/bootctl.conf"

typedef struct bootctl_overrides {
    const char *config;  /* NULL: BOOTCTL_DEFAULT_CONFIG, which may be missing */
    const char *backend; /* NULL: from the file */
    const char *storage;
    const char *current;
} bootctl_overrides;

/* Fills cfg from the config file, the overrides and the environment, with
 * every path resolved under RECOVERY_ROOT.  Errors name the file and the
 * setting. */
int bootctl_config_load(bootctl_config *cfg, const bootctl_overrides *ov, ota_error *err);

#endif
