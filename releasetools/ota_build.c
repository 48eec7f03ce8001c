#include "releasetools/ota_build.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applypatch/imgdiff.h"
#include "otautil/elf.h"
#include "otautil/hash.h"
#include "otautil/metadata.h"
#include "otautil/props.h"
#include "otautil/sink.h"
#include "releasetools/diff_pool.h"

#define RECOVERY_PATCH "system/recovery-from-boot.p"
#define RECOVERY_SCRIPT "system/etc/install-recovery.sh"

static int load_image(rt_build *b, const char *name, rt_image *img, ota_error *err)
{
    if (!rt_tf_has_image(&b->tf, name))
        return 0;
    if (rt_tf_image(&b->tf, name, &img->data, err) < 0)
        return -1;
    uint8_t sha1[OTA_SHA1_LEN];
    ota_sha1(img->data.data, img->data.len, sha1);
    ota_hex_encode(sha1, sizeof sha1, img->sha1);
    img->present = 1;
    return 0;
}

/* A file of the system tree whose bytes the generator made. */
static int set_generated_file(rt_build *b, const char *path, ota_buf *data, uint32_t mode,
                              const char *pkg_name, ota_error *err)
{
    rt_tree *t = &b->tf.system;
    size_t i = rt_tree_find(t, path);
    if (i == RT_NO_NODE) {
        i = rt_tree_add(t, path, RT_NODE_FILE, err);
        if (i == RT_NO_NODE)
            return -1;
        t->nodes[i].meta.mode = mode;
        const rt_meta *m = rt_fs_config_find(&b->tf.config, path);
        if (m && rt_meta_copy(&t->nodes[i].meta, m, err) < 0)
            return -1;
        if (!(t->nodes[i].pkg_name = strdup(pkg_name)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        /* re-sorts and relinks with the new node */
        if (rt_tree_finish(t, "system", err) < 0)
            return -1;
        i = rt_tree_find(t, path);
    } else if (t->nodes[i].type != RT_NODE_FILE) {
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: SYSTEM/%s is in the way of the generated file",
                             b->tf.path, path + 7);
    } else {
        free(t->nodes[i].zip_name);
        t->nodes[i].zip_name = NULL;
        free(t->nodes[i].pkg_name);
        if (!(t->nodes[i].pkg_name = strdup(pkg_name)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    rt_node *n = &t->nodes[i];
    free(n->data);
    n->data = data->data;
    n->size = data->len;
    ota_sha1(n->data, n->size, n->sha1);
    n->has_sha1 = 1;
    memset(data, 0, sizeof *data);
    return 0;
}

/* recovery-from-boot.p (an imgdiff from boot to recovery) and the script
 * that applies it at boot when the recovery partition is not current. */
static int add_recovery_files(rt_build *b, ota_error *err)
{
    const ota_fstab_entry *boot = rt_tf_partition(&b->tf, "/boot", err);
    const ota_fstab_entry *rec = boot ? rt_tf_partition(&b->tf, "/recovery", err) : NULL;
    if (!rec)
        return -1;
    imgdiff_opts o = {.zip_mode = 0};
    ota_buf patch = {0};
    if (imgdiff_create(b->boot.data.data, b->boot.data.len, b->recovery.data.data,
                       b->recovery.data.len, &o, &patch.data, &patch.len, err) < 0) {
        ota_error_prefix(err, "%s: making recovery-from-boot.p", b->tf.path);
        return -1;
    }
    patch.cap = patch.len;
    char sh[4096];
    int n = snprintf(sh, sizeof sh,
                     "#!/system/bin/sh\n"
                     "# Restores the recovery partition from the boot image and a patch, when\n"
                     "# it does not hold this build's recovery image.\n"
                     "if ! applypatch -c EMMC:%s:%zu:%s; then\n"
                     "  log -t recovery \"Installing new recovery image\"\n"
                     "  applypatch EMMC:%s:%zu:%s EMMC:%s %s %zu %s:/system/recovery-from-boot.p\n"
                     "else\n"
                     "  log -t recovery \"Recovery image already installed\"\n"
                     "fi\n",
                     rec->device, b->recovery.data.len, b->recovery.sha1, boot->device,
                     b->boot.data.len, b->boot.sha1, rec->device, b->recovery.sha1,
                     b->recovery.data.len, b->boot.sha1);
    if (n < 0 || (size_t)n >= sizeof sh) {
        ota_buf_free(&patch);
        return ota_error_set(err, OTA_ERR_LIMIT, "%s: partition device names are too long",
                             b->tf.path);
    }
    ota_buf script = {0};
    int rc = set_generated_file(b, RECOVERY_PATCH, &patch, 0644, "recovery/recovery-from-boot.p", err);
    if (rc == 0)
        rc = ota_buf_append(&script, sh, (size_t)n, err);
    if (rc == 0)
        rc = set_generated_file(b, RECOVERY_SCRIPT, &script, 0544,
                                "recovery/etc/install-recovery.sh", err);
    ota_buf_free(&patch);
    ota_buf_free(&script);
    return rc;
}

int rt_build_open(rt_build *b, const char *path, ota_error *err)
{
    memset(b, 0, sizeof *b);
    if (rt_tf_open(&b->tf, path, err) < 0)
        return -1;
    if (!(b->fingerprint = rt_tf_require_prop(&b->tf, "ro.build.fingerprint", err)) ||
        !(b->device = rt_tf_require_prop(&b->tf, "ro.product.device", err)) ||
        !(b->timestamp = rt_tf_require_prop(&b->tf, "ro.build.date.utc", err)) ||
        !(b->system_part = rt_tf_partition(&b->tf, "/system", err)))
        goto fail;
    b->build_date = ota_props_get(&b->tf.build_prop, "ro.build.date");
    if (!b->build_date || !*b->build_date)
        b->build_date = b->timestamp;
    if (load_image(b, "boot", &b->boot, err) < 0 || load_image(b, "recovery", &b->recovery, err) < 0)
        goto fail;
    if (b->boot.present && !rt_tf_partition(&b->tf, "/boot", err))
        goto fail;
    if (b->boot.present && b->recovery.present && add_recovery_files(b, err) < 0)
        goto fail;
    return 0;
fail:
    rt_build_close(b);
    return -1;
}

void rt_build_close(rt_build *b)
{
    rt_tf_close(&b->tf);
    ota_buf_free(&b->boot.data);
    ota_buf_free(&b->recovery.data);
    memset(b, 0, sizeof *b);
}

/* The update-binary the package carries: the target-files' OTA/bin/updater,
 * else opts->updater (*from_host set). */
static int read_updater(rt_build *b, const rt_ota_opts *opts, ota_buf *data, int *from_host,
                        ota_error *err)
{
    *from_host = !ota_zip_find(b->tf.zip, "OTA/bin/updater");
    if (!*from_host)
        return rt_tf_read(&b->tf, "OTA/bin/updater", data, err);
    if (!opts->updater)
        return ota_error_set(err, OTA_ERR_NOTFOUND,
                             "%s has no OTA/bin/updater and no updater program was found",
                             b->tf.path);
    if (ota_read_file(opts->updater, "update-binary", RT_UPDATER_MAX, 0, data, err) < 0) {
        ota_buf_free(data);
        ota_error_prefix(err, "the target-files has no OTA/bin/updater");
        return -1;
    }
    return 0;
}

int rt_updater_formats(rt_build *b, const rt_ota_opts *opts, ota_error *err)
{
    ota_buf data = {0};
    int from_host;
    if (read_updater(b, opts, &data, &from_host, err) < 0)
        return -1;
    int ours = memmem(data.data, data.len, IMGDIFFX_MAGIC, strlen(IMGDIFFX_MAGIC)) != NULL;
    ota_buf_free(&data);
    return ours ? RT_PATCH_EXTENDED : RT_PATCH_ANDROID;
}

/* The package runs on the device; an updater built for another machine
 * fails there only once recovery runs it.  Its machine goes into the
 * metadata (ota_info and recovery show it), and the host's own updater,
 * taken when the target-files names none, is said out loud. */
int rt_add_update_binary(rt_pkg *pkg, rt_build *b, const rt_ota_opts *opts, ota_error *err)
{
    static const char name[] = "META-INF/com/google/android/update-binary";
    ota_buf data = {0};
    int from_host;
    if (read_updater(b, opts, &data, &from_host, err) < 0)
        return -1;
    ota_elf_info elf;
    ota_error elf_err;
    if (ota_elf_parse(data.data, data.len, &elf, &elf_err) == 0)
        snprintf(b->updater_machine, sizeof b->updater_machine, "%s", elf.machine_name);
    else
        b->updater_machine[0] = '\0'; /* a script, as some hand-made packages carry */
    if (from_host)
        rt_warnf(&opts->warn,
                 "%s has no OTA/bin/updater: the package carries this host's updater %s (%s); "
                 "for a device of another machine give make_target_files --updater FILE",
                 b->tf.path, opts->updater,
                 b->updater_machine[0] ? b->updater_machine : "not an ELF program");
    int rc = rt_pkg_add_buf(pkg, name, &data, OTA_ZIP_DEFLATE, S_IFREG | 0755, err);
    ota_buf_free(&data);
    return rc;
}

int rt_add_metadata(rt_pkg *pkg, const rt_build *target, const rt_build *source, int ab,
                    ota_error *err)
{
    ota_props md = {0};
    ota_buf text = {0};
    /* Keys in sorted order, as Android writes them. */
    int rc = ab ? ota_props_set(&md, "ota-type", "AB", err) : 0;
    if (rc == 0)
        rc = ota_props_set(&md, "post-build", target->fingerprint, err);
    if (rc == 0)
        rc = ota_props_set(&md, "post-timestamp", target->timestamp, err);
    if (rc == 0 && source)
        rc = ota_props_set(&md, "pre-build", source->fingerprint, err);
    if (rc == 0)
        rc = ota_props_set(&md, "pre-device", target->device, err);
    if (rc == 0 && target->updater_machine[0])
        rc = ota_props_set(&md, OTA_METADATA_UPDATER_MACHINE, target->updater_machine, err);
    if (rc == 0)
        rc = ota_props_format(&md, &text, err);
    if (rc == 0)
        rc = rt_pkg_add_buf(pkg, "META-INF/com/android/metadata", &text, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&text);
    ota_props_free(&md);
    return rc;
}

int rt_add_script(rt_pkg *pkg, rt_script *script, ota_error *err)
{
    ota_buf text;
    if (rt_script_finish(script, &text, err) < 0)
        return -1;
    int rc = rt_pkg_add_buf(pkg, "META-INF/com/google/android/updater-script", &text,
                            OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&text);
    return rc;
}

typedef struct link_ref {
    const char *target;
    const char *path;
} link_ref;

static int cmp_link(const void *a, const void *b)
{
    const link_ref *x = a, *y = b;
    int c = strcmp(x->target, y->target);
    return c ? c : strcmp(x->path, y->path);
}

void rt_emit_symlinks(rt_script *s, const rt_tree *t, int (*want)(const rt_node *, void *),
                      void *ctx)
{
    size_t n = 0;
    link_ref *links = malloc((t->count + 1) * sizeof *links);
    const char **names = malloc((t->count + 1) * sizeof *names);
    if (!links || !names) {
        s->failed = 1;
        free(links);
        free(names);
        return;
    }
    for (size_t i = 0; i < t->count; i++) {
        const rt_node *node = &t->nodes[i];
        if (node->type == RT_NODE_SYMLINK && (!want || want(node, ctx)))
            links[n++] = (link_ref){node->link_target, node->path};
    }
    qsort(links, n, sizeof *links, cmp_link);
    for (size_t i = 0; i < n;) {
        size_t j = i, k = 0;
        while (j < n && strcmp(links[j].target, links[i].target) == 0)
            names[k++] = links[j++].path;
        rt_script_symlink(s, links[i].target, names, k);
        i = j;
    }
    free(links);
    free(names);
}

int rt_emit_permissions(rt_script *s, const rt_tree *t, ota_error *err)
{
    rt_perm_plan plan;
    if (rt_perms_plan(t, t->root, &plan, err) < 0)
        return -1;
    rt_script_permissions(s, &plan);
    rt_perms_free(&plan);
    return 0;
}

const char *rt_node_pkg_name(const rt_node *n)
{
    return n->pkg_name ? n->pkg_name : n->path;
}

int rt_add_node_file(rt_pkg *pkg, rt_build *b, const rt_node *n, ota_error *err)
{
    if (n->data)
        return rt_pkg_add_data(pkg, rt_node_pkg_name(n), n->data, n->size, OTA_ZIP_DEFLATE,
                               S_IFREG | n->meta.mode, err);
    const ota_zip_entry *e = ota_zip_find(b->tf.zip, n->zip_name);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no entry %s", b->tf.path, n->zip_name);
    return rt_pkg_add_copy(pkg, rt_node_pkg_name(n), b->tf.zip, e, err);
}

char *rt_boot_emmc_spec(const rt_build *target, const rt_build *source)
{
    const ota_fstab_entry *e = rt_tf_partition(&target->tf, "/boot", NULL);
    char *spec = NULL;
    if (!e || asprintf(&spec, "EMMC:%s:%zu:%s:%zu:%s", e->device, source->boot.data.len,
                       source->boot.sha1, target->boot.data.len, target->boot.sha1) < 0)
        return NULL;
    return spec;
}

int rt_emit_wipe_data(rt_script *s, rt_build *b, ota_error *err)
{
    const ota_fstab_entry *data = rt_tf_partition(&b->tf, "/data", err);
    if (!data) {
        ota_error_prefix(err, "-w (wipe user data)");
        return -1;
    }
    rt_script_print(s, "Erasing user data...");
    rt_script_format(s, data);
    return 0;
}

int rt_extract_entry(rt_build *b, const ota_zip_entry *e, const char *path, ota_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", path);
    int rc = ota_zip_extract_fd(b->tf.zip, e, fd, err);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", path);
    return rc;
}
