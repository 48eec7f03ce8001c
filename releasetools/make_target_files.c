#include "releasetools/make_target_files.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/fstab.h"
#include "otautil/sink.h"
#include "releasetools/bootimg.h"
#include "releasetools/fs_config.h"
#include "releasetools/package.h"
#include "otautil/props.h"
#include "releasetools/rootfs.h"

#define MAX_CONFIG_FILE (64u << 20)

static const char *const REQUIRED_PROPS[] = {"ro.build.fingerprint", "ro.product.device",
                                             "ro.build.date.utc"};

/* build.prop: the given file (or the rootfs's) with --prop lines appended,
 * which a property loader reads last, so they win. */
static int make_build_prop(const rt_mtf_opts *o, ota_buf *text, ota_error *err)
{
    char *fallback = NULL;
    const char *path = o->build_prop;
    memset(text, 0, sizeof *text);
    if (!path) {
        if (asprintf(&fallback, "%s/build.prop", o->system_dir) < 0)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        if (access(fallback, F_OK) == 0)
            path = fallback;
    }
    int rc = path ? ota_read_file(path, "build properties", MAX_CONFIG_FILE, 0, text, err) : 0;
    free(fallback);
    if (rc < 0) {
        ota_buf_free(text);
        return -1;
    }
    if (o->nprops && text->len && text->data[text->len - 1] != '\n')
        rc = ota_buf_append(text, "\n", 1, err);
    for (size_t i = 0; rc == 0 && i < o->nprops; i++) {
        if (!strchr(o->props[i], '=') || o->props[i][0] == '=')
            rc = ota_error_set(err, OTA_ERR_ARGS, "--prop %s: expected KEY=VALUE", o->props[i]);
        else if ((rc = ota_buf_append(text, o->props[i], strlen(o->props[i]), err)) == 0)
            rc = ota_buf_append(text, "\n", 1, err);
    }
    ota_props props = {0};
    if (rc == 0)
        rc = ota_props_parse(&props, text->len ? (const char *)text->data : "", text->len,
                            "build.prop", err);
    for (size_t i = 0; rc == 0 && i < sizeof REQUIRED_PROPS / sizeof *REQUIRED_PROPS; i++) {
        const char *v = ota_props_get(&props, REQUIRED_PROPS[i]);
        if (!v || !*v)
            rc = ota_error_set(err, OTA_ERR_NOTFOUND,
                               "the build properties have no %s (give it in build.prop or with "
                               "--prop %s=...)",
                               REQUIRED_PROPS[i], REQUIRED_PROPS[i]);
    }
    ota_props_free(&props);
    if (rc < 0)
        ota_buf_free(text);
    return rc;
}

/* Adds a host tree under prefix ("SYSTEM", "BOOT/RAMDISK") to the package;
 * `meta` gives each entry's mode (NULL: the host's). `skip` names a
 * relative path not to add (NULL: none). */
static int add_tree(rt_pkg *pkg, const rt_rootfs *fs, const char *prefix,
                    const rt_meta *const *meta, const char *skip, ota_error *err)
{
    for (size_t i = 0; i < fs->count; i++) {
        const rt_rootfs_entry *e = &fs->entries[i];
        if (skip && strcmp(e->rel, skip) == 0)
            continue;
        uint32_t mode = meta ? meta[i]->mode : e->meta.mode;
        char *name = NULL;
        if (asprintf(&name, "%s/%s", prefix, e->rel) < 0)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        int rc;
        if (e->type == S_IFDIR)
            rc = rt_pkg_add_dir(pkg, name, mode, err);
        else if (e->type == S_IFLNK)
            rc = rt_pkg_add_symlink(pkg, name, e->link_target, err);
        else
            rc = rt_pkg_add_file(pkg, name, e->full, S_IFREG | mode, err);
        free(name);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Up to three names into list, then "and N more". */
static void name_some(char *list, size_t listsz, size_t *shown, const char *name)
{
    size_t used = strlen(list);
    if (*shown < 3)
        snprintf(list + used, listsz - used, "%s%s", *shown ? ", " : "", name);
    (*shown)++;
}

static void end_list(char *list, size_t listsz, size_t shown)
{
    size_t used = strlen(list);
    if (shown > 3)
        snprintf(list + used, listsz - used, " and %zu more", shown - 3);
}

/* --fs-config lines for paths the rootfs does not have change nothing;
 * most often a path typed wrong, or a rootfs other than the one meant. */
static void warn_unmatched(const rt_mtf_opts *o, const rt_fs_config *given,
                           const rt_fs_config *out)
{
    char list[1024] = "";
    size_t n = 0;
    for (size_t i = 0; i < given->count; i++)
        if (!rt_fs_config_find(out, given->entries[i].path))
            name_some(list, sizeof list, &n, given->entries[i].path);
    end_list(list, sizeof list, n);
    if (n)
        rt_warnf(&o->warn, "%s: %zu line%s for paths not under %s, ignored: %s", o->fs_config, n,
                 n == 1 ? "" : "s", o->system_dir, list);
}

typedef struct link_ref {
    dev_t dev;
    ino_t ino;
    const char *rel;
} link_ref;

static int cmp_link(const void *a, const void *b)
{
    const link_ref *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return strcmp(x->rel, y->rel);
}

/* A zip, and so the target-files and the package, has no hard links:
 * each name becomes a copy of its own (more bytes, and one no longer
 * changes with the other). */
static void warn_hard_links(const rt_mtf_opts *o, const rt_rootfs *fs)
{
    if (!o->warn.fn)
        return;
    link_ref *refs = malloc((fs->count + 1) * sizeof *refs);
    if (!refs)
        return; /* only a warning */
    size_t n = 0;
    for (size_t i = 0; i < fs->count; i++)
        if (fs->entries[i].type == S_IFREG && fs->entries[i].nlink > 1)
            refs[n++] = (link_ref){fs->entries[i].dev, fs->entries[i].ino, fs->entries[i].rel};
    if (n > 1)
        qsort(refs, n, sizeof *refs, cmp_link);
    char list[1024] = "";
    size_t copies = 0;
    for (size_t i = 1; i < n; i++) {
        if (refs[i].dev != refs[i - 1].dev || refs[i].ino != refs[i - 1].ino)
            continue;
        char pair[600];
        snprintf(pair, sizeof pair, "%s = %s", refs[i].rel, refs[i - 1].rel);
        name_some(list, sizeof list, &copies, pair);
    }
    end_list(list, sizeof list, copies);
    free(refs);
    if (copies)
        rt_warnf(&o->warn, "%s: %zu hard-linked name%s stored as separate copies (a zip has "
                 "no hard links): %s",
                 o->system_dir, copies, copies == 1 ? "" : "s", list);
}

/* SYSTEM/ and META/filesystem_config.txt. */
static int add_system(rt_pkg *pkg, const rt_mtf_opts *o, ota_buf *build_prop, ota_error *err)
{
    rt_rootfs fs;
    if (rt_rootfs_scan(o->system_dir, &fs, err) < 0)
        return -1;
    rt_fs_config given = {0}, out = {0};
    const rt_meta **meta = calloc(fs.count + 1, sizeof *meta);
    int rc = meta ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (rc == 0 && o->fs_config) {
        ota_buf text = {0};
        rc = ota_read_file(o->fs_config, NULL, MAX_CONFIG_FILE, 0, &text, err);
        if (rc == 0) {
            rc = rt_fs_config_parse(&given, (const char *)text.data, text.len, err);
            if (rc < 0)
                ota_error_prefix(err, "%s", o->fs_config);
        }
        ota_buf_free(&text);
    }
    int have_prop = 0;
    for (size_t i = 0; rc == 0 && i < fs.count; i++) {
        const rt_rootfs_entry *e = &fs.entries[i];
        char *path = NULL;
        if (asprintf(&path, "system%s%s", *e->rel ? "/" : "", e->rel) < 0) {
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            break;
        }
        const rt_meta *m = o->fs_config ? rt_fs_config_find(&given, path) : NULL;
        meta[i] = m ? m : &e->meta;
        rc = rt_fs_config_add(&out, path, meta[i], err);
        if (strcmp(e->rel, "build.prop") == 0) {
            have_prop = 1;
            if (e->type != S_IFREG)
                rc = ota_error_set(err, OTA_ERR_FORMAT, "%s/build.prop is not a regular file",
                                   o->system_dir);
        }
        free(path);
    }
    if (rc == 0)
        rc = add_tree(pkg, &fs, "SYSTEM", meta, "build.prop", err);
    if (rc == 0) {
        rt_meta dflt = {0, 0, 0644, NULL, 0};
        const rt_meta *m = o->fs_config ? rt_fs_config_find(&given, "system/build.prop") : NULL;
        if (!have_prop)
            rc = rt_fs_config_add(&out, "system/build.prop", m ? m : &dflt, err);
    }
    if (rc == 0) {
        rt_fs_config_sort(&out);
        if (o->fs_config)
            warn_unmatched(o, &given, &out);
        warn_hard_links(o, &fs);
        const rt_meta *pm = rt_fs_config_find(&out, "system/build.prop");
        rc = rt_pkg_add_buf(pkg, "SYSTEM/build.prop", build_prop, OTA_ZIP_DEFLATE,
                            S_IFREG | (pm ? pm->mode : 0644), err);
    }
    ota_buf cfg_text = {0};
    if (rc == 0)
        rc = rt_fs_config_format(&out, &cfg_text, err);
    if (rc == 0)
        rc = rt_pkg_add_buf(pkg, "META/filesystem_config.txt", &cfg_text, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&cfg_text);
    free(meta);
    rt_fs_config_free(&given);
    rt_fs_config_free(&out);
    rt_rootfs_free(&fs);
    return rc;
}

static int add_text(rt_pkg *pkg, const char *name, const char *text, ota_error *err)
{
    ota_buf b = {0};
    if (ota_buf_append(&b, text, strlen(text), err) < 0 || ota_buf_append(&b, "\n", 1, err) < 0) {
        ota_buf_free(&b);
        return -1;
    }
    int rc = rt_pkg_add_buf(pkg, name, &b, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&b);
    return rc;
}

static int check_bootimg(const char *path, ota_error *err)
{
    ota_buf img = {0};
    if (ota_read_file(path, "boot image", SIZE_MAX, 0, &img, err) < 0) {
        ota_buf_free(&img);
        return -1;
    }
    rt_bootimg parsed;
    rt_bootimg_strings strings;
    int rc = rt_bootimg_parse(img.data, img.len, &parsed, &strings, err);
    if (rc < 0)
        ota_error_prefix(err, "%s", path);
    ota_buf_free(&img);
    return rc;
}

/* BOOT/ or RECOVERY/ from parts; the recovery ramdisk's own
 * etc/recovery.fstab gives way to the one given. */
static int add_image_parts(rt_pkg *pkg, const rt_mtf_opts *o, const char *dir, const char *kernel,
                           const char *ramdisk_dir, const char *skip, ota_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "%s/kernel", dir);
    if (rt_pkg_add_file(pkg, name, kernel, S_IFREG | 0644, err) < 0)
        return -1;
    if (o->second) {
        snprintf(name, sizeof name, "%s/second", dir);
        if (rt_pkg_add_file(pkg, name, o->second, S_IFREG | 0644, err) < 0)
            return -1;
    }
    const char *texts[3][2] = {{"cmdline", o->cmdline}, {"base", o->base}, {"pagesize", o->pagesize}};
    for (int i = 0; i < 3; i++) {
        if (!texts[i][1])
            continue;
        snprintf(name, sizeof name, "%s/%s", dir, texts[i][0]);
        if (add_text(pkg, name, texts[i][1], err) < 0)
            return -1;
    }
    snprintf(name, sizeof name, "%s/RAMDISK", dir);
    if (!ramdisk_dir)
        return rt_pkg_add_dir(pkg, name, 0755, err);
    rt_rootfs fs;
    if (rt_rootfs_scan(ramdisk_dir, &fs, err) < 0)
        return -1;
    int rc = add_tree(pkg, &fs, name, NULL, skip, err);
    rt_rootfs_free(&fs);
    return rc;
}

static int add_misc_info(rt_pkg *pkg, const rt_mtf_opts *o, ota_error *err)
{
    ota_props misc = {0};
    ota_buf text = {0};
    int rc = ota_props_set(&misc, "recovery_api_version", "3", err);
    if (rc == 0)
        rc = ota_props_set(&misc, "fstab_version", "1", err);
    if (rc == 0)
        rc = ota_props_set(&misc, "blocksize", "4096", err);
    for (size_t i = 0; rc == 0 && i < o->nmisc; i++) {
        if (!strchr(o->misc[i], '=') || o->misc[i][0] == '=')
            rc = ota_error_set(err, OTA_ERR_ARGS, "--misc-info %s: expected KEY=VALUE", o->misc[i]);
        else
            rc = ota_props_parse(&misc, o->misc[i], strlen(o->misc[i]), "--misc-info", err);
    }
    if (rc == 0)
        rc = ota_props_format(&misc, &text, err);
    if (rc == 0)
        rc = rt_pkg_add_buf(pkg, "META/misc_info.txt", &text, OTA_ZIP_DEFLATE, 0, err);
    ota_buf_free(&text);
    ota_props_free(&misc);
    return rc;
}

static int add_fstab(rt_pkg *pkg, const rt_mtf_opts *o, ota_error *err)
{
    ota_buf text = {0};
    if (ota_read_file(o->fstab, "fstab", MAX_CONFIG_FILE, 0, &text, err) < 0) {
        ota_buf_free(&text);
        return -1;
    }
    ota_fstab fstab;
    int rc = ota_fstab_parse((const char *)text.data, &fstab, err);
    if (rc < 0) {
        ota_error_prefix(err, "%s", o->fstab);
    } else {
        if (!ota_fstab_find(&fstab, "/system"))
            rc = ota_error_set(err, OTA_ERR_NOTFOUND, "%s has no /system partition", o->fstab);
        else if ((o->boot_image || o->kernel) && !ota_fstab_find(&fstab, "/boot"))
            rc = ota_error_set(err, OTA_ERR_NOTFOUND, "%s has no /boot partition for the boot image",
                               o->fstab);
        else if ((o->recovery_image || o->recovery_ramdisk_dir) &&
                 !ota_fstab_find(&fstab, "/recovery"))
            rc = ota_error_set(err, OTA_ERR_NOTFOUND,
                               "%s has no /recovery partition for the recovery image", o->fstab);
        ota_fstab_free(&fstab);
    }
    if (rc == 0)
        rc = rt_pkg_add_buf(pkg, "RECOVERY/RAMDISK/etc/recovery.fstab", &text, OTA_ZIP_DEFLATE,
                            S_IFREG | 0644, err);
    ota_buf_free(&text);
    return rc;
}

/* --base and --pagesize are checked now rather than when an OTA package or
 * image is first made from the target-files. */
static int check_number(const char *what, const char *text, int pagesize, ota_error *err)
{
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end || v > UINT32_MAX || text[0] == '-')
        return ota_error_set(err, OTA_ERR_ARGS, "%s \"%s\" is not a 32-bit number", what, text);
    if (pagesize && (v < 2048 || v > 65536 || (v & (v - 1))))
        return ota_error_set(err, OTA_ERR_ARGS,
                             "%s %s is not a power of two from 2048 to 65536", what, text);
    return 0;
}

int rt_make_target_files(const rt_mtf_opts *o, const char *output, ota_error *err)
{
    if (check_number("--base", o->base, 0, err) < 0 ||
        check_number("--pagesize", o->pagesize, 1, err) < 0)
        return -1;
    if (!o->system_dir || !o->fstab)
        return ota_error_set(err, OTA_ERR_ARGS, "a system directory and an fstab are required");
    if (o->boot_image && o->kernel)
        return ota_error_set(err, OTA_ERR_ARGS, "give a prebuilt boot image or a kernel, not both");
    if (o->recovery_image && o->recovery_ramdisk_dir)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "give a prebuilt recovery image or a recovery ramdisk, not both");
    if (o->recovery_ramdisk_dir && !o->recovery_kernel && !o->kernel)
        return ota_error_set(err, OTA_ERR_ARGS, "a recovery ramdisk needs a kernel");
    rt_pkg pkg = {.progress = o->progress};
    ota_buf prop = {0};
    int rc = make_build_prop(o, &prop, err);
    if (rc == 0)
        rc = add_system(&pkg, o, &prop, err);
    if (rc == 0)
        rc = add_fstab(&pkg, o, err);
    if (rc == 0)
        rc = add_misc_info(&pkg, o, err);
    if (rc == 0 && o->boot_image && (rc = check_bootimg(o->boot_image, err)) == 0)
        rc = rt_pkg_add_file(&pkg, "IMAGES/boot.img", o->boot_image, S_IFREG | 0644, err);
    if (rc == 0 && o->kernel)
        rc = add_image_parts(&pkg, o, "BOOT", o->kernel, o->ramdisk_dir, NULL, err);
    if (rc == 0 && o->recovery_image && (rc = check_bootimg(o->recovery_image, err)) == 0)
        rc = rt_pkg_add_file(&pkg, "IMAGES/recovery.img", o->recovery_image, S_IFREG | 0644, err);
    if (rc == 0 && o->recovery_ramdisk_dir)
        rc = add_image_parts(&pkg, o, "RECOVERY", o->recovery_kernel ? o->recovery_kernel : o->kernel,
                             o->recovery_ramdisk_dir, "etc/recovery.fstab", err);
    if (rc == 0 && o->updater)
        rc = rt_pkg_add_file(&pkg, "OTA/bin/updater", o->updater, S_IFREG | 0755, err);
    if (rc == 0)
        rc = rt_pkg_write(&pkg, output, err);
    ota_buf_free(&prop);
    rt_pkg_free(&pkg);
    return rc;
}
