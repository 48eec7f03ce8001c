/* The call forms of the updater's mount() and format() across Android
 * versions (the table is in otautil/fs_forms.h), read as KitKat's. */
#include <stdio.h>
#include <string.h>

#include "otautil/fs_forms.h"

static const char *const MTD = "MTD";

int ota_mount_form(int argc, const char *const *args, ota_fs_call *out)
{
    memset(out, 0, sizeof *out);
    out->options = "";
    out->fs_size = "0";
    if (argc == 3) {
        out->form = "the 3-argument mount() of Android 1.5-2.2";
        out->mtd = strcmp(args[0], MTD) == 0;
        out->fs_type = out->mtd ? "yaffs2" : args[0];
        out->part_type = out->mtd ? MTD : "EMMC";
        out->location = args[1];
        out->mount_point = args[2];
        return 0;
    }
    if (argc != 4 && argc != 5)
        return -1;
    out->form = argc == 4 ? "mount() of Android 2.3-4.3" : "mount() of Android 4.4";
    out->fs_type = args[0];
    out->part_type = args[1];
    out->location = args[2];
    out->mount_point = args[3];
    out->options = argc == 5 ? args[4] : "";
    out->mtd = strcmp(args[1], MTD) == 0;
    return 0;
}

int ota_format_form(int argc, const char *const *args, ota_fs_call *out)
{
    memset(out, 0, sizeof *out);
    out->options = "";
    out->fs_size = "0";
    out->mount_point = "";
    if (argc == 2) {
        /* Android's own updater erased MTD partitions only, and refused
         * every other type: this form never formats a block device. */
        out->form = "the 2-argument format() of Android 1.5-2.2, which erases an MTD partition";
        out->fs_type = strcmp(args[0], MTD) == 0 ? "yaffs2" : args[0];
        out->part_type = MTD;
        out->location = args[1];
        out->mtd = 1;
        return 0;
    }
    if (argc < 3 || argc > 5)
        return -1;
    static const char *const forms[] = {"the 3-argument format() of Android 2.3",
                                        "the 4-argument format() of Android 4.0-4.2",
                                        "format() of Android 4.3-4.4"};
    out->form = forms[argc - 3];
    out->fs_type = args[0];
    out->part_type = args[1];
    out->location = args[2];
    if (argc >= 4)
        out->fs_size = args[3];
    if (argc == 5)
        out->mount_point = args[4];
    out->mtd = strcmp(args[1], MTD) == 0;
    return 0;
}

/* Android's MTD partition names that differ from their mount points. */
static const char *mount_point_of_mtd(const char *name, char *buf, size_t bufsz)
{
    if (strcmp(name, "userdata") == 0)
        return "/data";
    snprintf(buf, bufsz, "%s%s", name[0] == '/' ? "" : "/", name);
    return buf;
}

static int is_filesystem(const char *type)
{
    static const char *const fs[] = {"ext4", "ext3", "ext2", "f2fs", "vfat", "btrfs", "xfs",
                                     "squashfs", "erofs"};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
        if (strcmp(type, fs[i]) == 0)
            return 1;
    return 0;
}

void ota_fs_call_refusal(const char *builtin, int argc, const char *const *args,
                         const ota_fs_call *c, const ota_fstab *fstab, char *out, size_t outsz)
{
    char call[512];
    size_t used = (size_t)snprintf(call, sizeof call, "%s(", builtin);
    for (int i = 0; i < argc && used < sizeof call; i++)
        used += (size_t)snprintf(call + used, sizeof call - used, "%s\"%s\"", i ? ", " : "",
                                 args[i]);
    if (used < sizeof call)
        snprintf(call + used, sizeof call - used, ")");

    /* What to write instead: the fstab's volume for that mount point when
     * there is one, else placeholders. */
    char buf[256];
    const ota_fstab_entry *e = NULL;
    const char *mp = c->mount_point;
    if (!*mp && c->location[0] == '/') {
        /* a device path: its volume, if the fstab has it */
        for (size_t i = 0; fstab && i < fstab->count && !e; i++)
            if (strcmp(fstab->entries[i].device, c->location) == 0)
                e = &fstab->entries[i];
        mp = e ? e->mount_point : "/MOUNT_POINT";
    } else if (!*mp) {
        mp = mount_point_of_mtd(c->location, buf, sizeof buf);
    }
    if (!e && fstab)
        e = ota_fstab_find(fstab, mp);
    const char *device = e ? e->device : c->location[0] == '/' ? c->location : "/dev/block/...";
    const char *fs_type = e && is_filesystem(e->fs_type) ? e->fs_type
                          : is_filesystem(c->fs_type)        ? c->fs_type
                                                             : "ext4";
    char instead[640];
    if (strcmp(builtin, "mount") == 0)
        snprintf(instead, sizeof instead, "mount(\"%s\", \"EMMC\", \"%s\", \"%s\")", fs_type,
                 device, mp);
    else
        snprintf(instead, sizeof instead, "format(\"%s\", \"EMMC\", \"%s\", \"0\", \"%s\")",
                 fs_type, device, mp);
    snprintf(out, outsz,
             "%s is %s; \"MTD\" names a raw NAND partition (yaffs2), and this device has "
             "block devices only: write %s",
             call, c->form, instead);
}
