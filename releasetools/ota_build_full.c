/* A full package: formats /system and writes the whole target build. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "releasetools/ext4_image.h"
#include "releasetools/ota_build.h"

static int has_package_prefix(const rt_tree *t, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < t->count; i++)
        if (t->nodes[i].type == RT_NODE_FILE &&
            strncmp(rt_node_pkg_name(&t->nodes[i]), prefix, n) == 0)
            return 1;
    return 0;
}

/* Every file and directory of the tree into the package (the root
 * directory is the package's "system/" itself). */
static int add_system(rt_pkg *pkg, rt_build *b, ota_error *err)
{
    const rt_tree *t = &b->tf.system;
    for (size_t i = 0; i < t->count; i++) {
        const rt_node *n = &t->nodes[i];
        int rc = 0;
        if (n->type == RT_NODE_FILE)
            rc = rt_add_node_file(pkg, b, n, err);
        else if (n->type == RT_NODE_DIR && i != t->root)
            rc = rt_pkg_add_dir(pkg, n->path, n->meta.mode, err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* What /system must hold at least, checked here against the sizes the
 * build knows (misc_info's system_size, the fstab's length=) and on the
 * device before anything is wiped: a package too large for the partition
 * would otherwise fail after formatting it. */
static int system_bytes(const rt_build *b, uint64_t *need, ota_error *err)
{
    const ota_fstab_entry *e = b->system_part;
    uint64_t files = rt_ext4_data_bytes(&b->tf.system);
    *need = files + (e->length < 0 ? (uint64_t)-e->length : 0);
    uint64_t size = 0;
    if (rt_tf_misc_bytes(&b->tf, "system_size", &size, err) < 0)
        return -1;
    if (size) {
        if (*need > size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "%s: the system files take at least %llu bytes, more than "
                                 "system_size=%llu in META/misc_info.txt: the package would fail "
                                 "on the device after formatting %s",
                                 b->tf.path, (unsigned long long)*need, (unsigned long long)size,
                                 e->mount_point);
    }
    if (e->length > 0 && files > (uint64_t)e->length)
        return ota_error_set(err, OTA_ERR_NOSPACE,
                             "%s: the system files take at least %llu bytes, more than the "
                             "fstab's length=%lld for %s",
                             b->tf.path, (unsigned long long)files, e->length, e->mount_point);
    return 0;
}

int rt_ota_full(rt_build *b, const char *output, const rt_ota_opts *opts, ota_error *err)
{
    rt_script s = {0};
    rt_pkg pkg = {.payload = opts->payload};
    int rc = -1;

    if (!opts->no_prereq)
        rt_script_assert_older_build(&s, b->timestamp, b->build_date);
    rt_script_assert_device(&s, b->device);
    uint64_t need;
    if (system_bytes(b, &need, err) < 0)
        goto out;
    rt_script_check_partition_size(&s, b->system_part, need);
    rt_script_show_progress(&s, 0.5, 0);
    if (opts->wipe_data && rt_emit_wipe_data(&s, b, err) < 0)
        goto out;
    rt_script_print(&s, "Writing system files...");
    rt_script_format(&s, b->system_part);
    rt_script_mount(&s, b->system_part);
    if (has_package_prefix(&b->tf.system, "recovery/"))
        rt_script_extract_dir(&s, "recovery", b->system_part->mount_point);
    rt_script_extract_dir(&s, "system", b->system_part->mount_point);
    rt_script_print(&s, "Symlinks and permissions...");
    rt_emit_symlinks(&s, &b->tf.system, NULL, NULL);
    if (rt_emit_permissions(&s, &b->tf.system, err) < 0)
        goto out;
    if (b->boot.present) {
        rt_script_show_progress(&s, 0.2, 10);
        rt_script_print(&s, "Writing boot image...");
        rt_script_write_raw_image(&s, "boot.img", rt_tf_partition(&b->tf, "/boot", NULL));
    }
    rt_script_show_progress(&s, 0.1, 0);
    if (opts->extra_script)
        rt_script_append(&s, opts->extra_script, strlen(opts->extra_script));
    rt_script_unmount(&s, b->system_part->mount_point);

    if (rt_add_script(&pkg, &s, err) < 0 || rt_add_update_binary(&pkg, b, opts, err) < 0 ||
        rt_add_metadata(&pkg, b, NULL, 0, err) < 0 || add_system(&pkg, b, err) < 0)
        goto out;
    if (b->boot.present &&
        rt_pkg_add_data(&pkg, "boot.img", b->boot.data.data, b->boot.data.len, OTA_ZIP_DEFLATE,
                        0, err) < 0)
        goto out;
    rt_progress_report(&opts->progress, "writing", 0, 1);
    rc = rt_pkg_write(&pkg, output, err);
    rt_progress_report(&opts->progress, "writing", 1, 1);
out:
    rt_script_free(&s);
    rt_pkg_free(&pkg);
    return rc;
}
