#include "recovery/bcb.h"

#include <limits.h>
#include <string.h>

#include "otautil/bootloader.h"

/* Finds misc: dev is left empty when the fstab has none. */
static int misc_device(const recovery_ctx *ctx, char *dev, size_t devsz, ota_error *err)
{
    dev[0] = '\0';
    if (!ota_fstab_find(ctx->fstab, "/misc"))
        return 0;
    return ota_bcb_misc_device(ctx->fstab, ctx->root, dev, devsz, err);
}

int recovery_bcb_read_args(const recovery_ctx *ctx, recovery_argv *out, ota_error *err)
{
    char dev[PATH_MAX];
    out->argv = NULL;
    out->argc = 0;
    int rc = misc_device(ctx, dev, sizeof dev, err);
    if (rc < 0 || !dev[0])
        return rc; /* no /misc: no command */
    ota_bootloader_message msg;
    if (ota_bcb_read(dev, &msg, err) < 0)
        return -1;
    char field[sizeof msg.recovery + 1];
    ota_bcb_field(msg.recovery, sizeof msg.recovery, field);
    /* Only a field that starts with the line "recovery" carries arguments;
     * anything else (zeroes, 0xff from an erased flash) is no command. */
    if (strncmp(field, "recovery\n", 9) != 0)
        return 0;
    const char *rest = field + 9;
    return recovery_argv_from_lines(out, rest, strlen(rest), 64, "bootloader message", err);
}

/* A stage worth keeping is short printable text ("2/3"); anything else
 * (0xff from erased flash, garbage) would only confuse get_stage(). */
static int stage_is_text(const char *stage, size_t size)
{
    size_t n = strnlen(stage, size);
    if (n == size)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)stage[i] < 0x20 || (unsigned char)stage[i] > 0x7e)
            return 0;
    return 1;
}

int recovery_bcb_set(const recovery_ctx *ctx, const recovery_args *args, ota_error *err)
{
    char dev[PATH_MAX];
    int rc = misc_device(ctx, dev, sizeof dev, err);
    if (rc < 0 || !dev[0])
        return rc; /* no /misc: nothing to do */
    ota_bootloader_message msg;
    if (ota_bcb_read(dev, &msg, err) < 0)
        return -1;
    char stage[sizeof msg.stage];
    memcpy(stage, msg.stage, sizeof stage);
    memset(&msg, 0, sizeof msg);
    if (stage_is_text(stage, sizeof stage))
        memcpy(msg.stage, stage, sizeof stage);
    strcpy(msg.command, "boot-recovery");
    if (recovery_args_to_bcb_text(args, msg.recovery, sizeof msg.recovery, err) < 0)
        return -1;
    return ota_bcb_write(dev, &msg, err);
}

int recovery_bcb_clear(const recovery_ctx *ctx, ota_error *err)
{
    char dev[PATH_MAX];
    int rc = misc_device(ctx, dev, sizeof dev, err);
    if (rc < 0 || !dev[0])
        return rc; /* no /misc: nothing to do */
    ota_bootloader_message msg;
    memset(&msg, 0, sizeof msg);
    return ota_bcb_write(dev, &msg, err);
}
