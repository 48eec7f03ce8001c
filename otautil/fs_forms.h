/* The call forms the updater's mount() and format() had across Android
 * versions, read as the one form the updater runs (KitKat's).  One rule for
 * the updater, which runs such calls, and ota_info, which reads them:
 *
 *   mount(type, location, mount_point)                    1.5-2.2: type "MTD" mounts a
 *                                                         yaffs2 MTD partition by
 *                                                         name, else it is the
 *                                                         filesystem of a device
 *   mount(fs_type, partition_type, location, mount_point) 2.3-4.3
 *   mount(..., mount_point, mount_options)                4.4
 *   format(type, location)                                1.5-2.2: erases an MTD
 *                                                         partition, nothing else
 *   format(fs_type, partition_type, location)             2.3: the whole device
 *   format(fs_type, partition_type, location, fs_size)    4.0-4.2
 *   format(..., fs_size, mount_point)                     4.3-4.4
 *
 * A raw NAND (MTD) partition cannot exist on a device with block devices:
 * such a call is refused, with a message naming the form and the call to
 * write instead. */
#ifndef OTAUTIL_FS_FORMS_H
#define OTAUTIL_FS_FORMS_H

#include <stddef.h>

#include "otautil/fstab.h"

/* A call read as KitKat's form: every field is set (options "", fs_size
 * "0", mount_point "" when the form has none); strings point into the
 * arguments. */
typedef struct ota_fs_call {
    const char *fs_type, *part_type, *location, *mount_point, *options, *fs_size;
    const char *form;  /* which form, for messages ("the 3-argument mount() of ...") */
    int mtd;           /* names a raw NAND (MTD) partition: cannot be on this device */
} ota_fs_call;

/* mount() with 3, 4 or 5 arguments, format() with 2 to 5; -1 for another
 * count (no Android version had it). */
int ota_mount_form(int argc, const char *const *args, ota_fs_call *out);
int ota_format_form(int argc, const char *const *args, ota_fs_call *out);

/* The message refusing an MTD call c of builtin ("mount" or "format"): the
 * call as written, its form, and the call to write instead, with the
 * device and filesystem of fstab's volume for it when fstab (may be NULL)
 * has one. */
void ota_fs_call_refusal(const char *builtin, int argc, const char *const *args,
                         const ota_fs_call *c, const ota_fstab *fstab, char *out, size_t outsz);

#endif
