#include "releasetools/target_files.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/hash.h"
#include "releasetools/bootimg.h"
#include "releasetools/fs_config.h"
#include "releasetools/ramdisk.h"

#define MAX_TEXT_FILE (16u << 20)
#define MAX_SYMLINK_TARGET 4096u

int rt_tf_read(rt_target_files *tf, const char *entry, ota_buf *out, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(tf->zip, entry);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no entry %s", tf->path, entry);
    uint8_t *data;
    size_t len;
    if (ota_zip_read(tf->zip, e, &data, &len, 0, err) < 0)
        return -1;
    out->data = data;
    out->len = len;
    out->cap = len + 1;
    return 0;
}

/* Reads an optional small text entry; *found tells whether it was there. */
static int read_text(rt_target_files *tf, const char *entry, ota_buf *out, int *found,
                     ota_error *err)
{
    memset(out, 0, sizeof *out);
    const ota_zip_entry *e = ota_zip_find(tf->zip, entry);
    *found = e != NULL;
    if (!e)
        return 0;
    uint8_t *data;
    size_t len;
    if (ota_zip_read(tf->zip, e, &data, &len, MAX_TEXT_FILE, err) < 0) {
        ota_error_prefix(err, "%s", tf->path);
        return -1;
    }
    out->data = data;
    out->len = len;
    out->cap = len + 1;
    return 0;
}

static int load_system_tree(rt_target_files *tf, ota_error *err)
{
    static const char prefix[] = "SYSTEM/";
    const size_t plen = sizeof prefix - 1;
    for (size_t i = 0; i < ota_zip_count(tf->zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(tf->zip, i);
        if (strncmp(e->name, prefix, plen) != 0)
            continue;
        const char *rest = e->name + plen;
        size_t rest_len = strlen(rest);
        char *path = malloc(rest_len + 8);
        if (!path)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        strcpy(path, "system");
        if (rest_len) {
            strcat(path, "/");
            strcat(path, rest);
        }
        size_t n = strlen(path);
        if (e->is_dir && n > 6 && path[n - 1] == '/')
            path[--n] = '\0';
        if (e->is_dir && strcmp(path, "system") == 0) {
            free(path);
            continue; /* the root directory is implied */
        }
        rt_node_type type = e->is_dir ? RT_NODE_DIR : e->is_symlink ? RT_NODE_SYMLINK : RT_NODE_FILE;
        size_t idx = rt_tree_add(&tf->system, path, type, err);
        free(path);
        if (idx == RT_NO_NODE) {
            ota_error_prefix(err, "%s: entry %s", tf->path, e->name);
            return -1;
        }
        rt_node *node = &tf->system.nodes[idx];
        if (e->unix_mode & 07777 && type != RT_NODE_SYMLINK)
            node->meta.mode = e->unix_mode & 07777;
        if (type == RT_NODE_FILE) {
            node->size = e->size;
            if (!(node->zip_name = strdup(e->name)))
                return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        } else if (type == RT_NODE_SYMLINK) {
            uint8_t *target;
            size_t len;
            if (ota_zip_read(tf->zip, e, &target, &len, MAX_SYMLINK_TARGET, err) < 0) {
                ota_error_prefix(err, "%s: symlink %s", tf->path, e->name);
                return -1;
            }
            if (len == 0 || memchr(target, '\0', len)) {
                free(target);
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: symlink %s has an empty or bad target",
                                     tf->path, e->name);
            }
            node->link_target = (char *)target;
        }
    }
    if (rt_tree_finish(&tf->system, "system", err) < 0) {
        ota_error_prefix(err, "%s: SYSTEM/", tf->path);
        return -1;
    }
    return 0;
}

int rt_tf_open(rt_target_files *tf, const char *path, ota_error *err)
{
    memset(tf, 0, sizeof *tf);
    if (!(tf->path = strdup(path)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (!(tf->zip = ota_zip_open(path, err)))
        goto fail;
    ota_buf text;
    int found;
    if (read_text(tf, "SYSTEM/build.prop", &text, &found, err) < 0)
        goto fail;
    if (!found) {
        ota_error_set(err, OTA_ERR_NOTFOUND, "%s: not a target-files zip (no SYSTEM/build.prop)",
                      path);
        goto fail;
    }
    int rc = ota_props_parse(&tf->build_prop, (const char *)text.data, text.len, "SYSTEM/build.prop",
                            err);
    ota_buf_free(&text);
    if (rc < 0)
        goto fail_prefixed;
    if (read_text(tf, "META/misc_info.txt", &text, &found, err) < 0)
        goto fail;
    rc = found ? ota_props_parse(&tf->misc_info, (const char *)text.data, text.len,
                                "META/misc_info.txt", err)
               : 0;
    ota_buf_free(&text);
    if (rc < 0)
        goto fail_prefixed;
    if (read_text(tf, "RECOVERY/RAMDISK/etc/recovery.fstab", &text, &found, err) < 0)
        goto fail;
    if (found) {
        rc = ota_fstab_parse((const char *)text.data, &tf->fstab, err);
        ota_buf_free(&text);
        if (rc < 0) {
            ota_error_prefix(err, "%s: RECOVERY/RAMDISK/etc/recovery.fstab", path);
            goto fail;
        }
        tf->has_fstab = 1;
    }
    if (load_system_tree(tf, err) < 0)
        goto fail;
    if (read_text(tf, "META/filesystem_config.txt", &text, &found, err) < 0)
        goto fail;
    if (found) {
        tf->has_config = 1;
        rc = rt_fs_config_parse(&tf->config, (const char *)text.data, text.len, err);
        ota_buf_free(&text);
        if (rc == 0)
            rc = rt_tree_apply_config(&tf->system, &tf->config, err);
        if (rc < 0)
            goto fail_prefixed;
    }
    return 0;
fail_prefixed:
    ota_error_prefix(err, "%s", path);
fail:
    rt_tf_close(tf);
    return -1;
}

void rt_tf_close(rt_target_files *tf)
{
    ota_zip_close(tf->zip);
    free(tf->path);
    ota_props_free(&tf->build_prop);
    ota_props_free(&tf->misc_info);
    if (tf->has_fstab)
        ota_fstab_free(&tf->fstab);
    rt_tree_free(&tf->system);
    rt_fs_config_free(&tf->config);
    memset(tf, 0, sizeof *tf);
}

int rt_tf_misc_bytes(const rt_target_files *tf, const char *key, uint64_t *out, ota_error *err)
{
    const char *v = ota_props_get(&tf->misc_info, key);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 0);
    if (errno || *end || n == 0 || !isdigit((unsigned char)*v))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: META/misc_info.txt: bad %s \"%s\"",
                             tf->path, key, v);
    *out = n;
    return 0;
}

const char *rt_tf_require_prop(const rt_target_files *tf, const char *key, ota_error *err)
{
    const char *v = ota_props_get(&tf->build_prop, key);
    if (!v || !*v)
        ota_error_set(err, OTA_ERR_NOTFOUND, "%s: SYSTEM/build.prop has no %s", tf->path, key);
    return v && *v ? v : NULL;
}

const ota_fstab_entry *rt_tf_partition(const rt_target_files *tf, const char *mount_point,
                                       ota_error *err)
{
    const ota_fstab_entry *e = tf->has_fstab ? ota_fstab_find(&tf->fstab, mount_point) : NULL;
    if (!e)
        ota_error_set(err, OTA_ERR_NOTFOUND, "%s: %s has no %s partition", tf->path,
                      tf->has_fstab ? "RECOVERY/RAMDISK/etc/recovery.fstab"
                                    : "no RECOVERY/RAMDISK/etc/recovery.fstab, so it",
                      mount_point);
    return e;
}

static int hash_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)err;
    ota_hash_update(ctx, data, len);
    return 0;
}

int rt_tf_hash_system(rt_target_files *tf, ota_error *err)
{
    for (size_t i = 0; i < tf->system.count; i++) {
        rt_node *n = &tf->system.nodes[i];
        if (n->type != RT_NODE_FILE || n->has_sha1)
            continue;
        if (n->data) {
            ota_sha1(n->data, n->size, n->sha1);
        } else {
            const ota_zip_entry *e = ota_zip_find(tf->zip, n->zip_name);
            ota_hash h;
            if (!e)
                return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no entry %s", tf->path, n->zip_name);
            if (ota_hash_init(&h, OTA_HASH_SHA1, err) < 0)
                return -1;
            if (ota_zip_stream(tf->zip, e, hash_sink, &h, err) < 0) {
                ota_hash_abort(&h);
                ota_error_prefix(err, "%s", tf->path);
                return -1;
            }
            ota_hash_final(&h, n->sha1);
        }
        n->has_sha1 = 1;
    }
    return 0;
}

static void upper_dir(const char *name, char *out, size_t outsz)
{
    size_t i;
    for (i = 0; name[i] && i + 1 < outsz; i++)
        out[i] = (char)toupper((unsigned char)name[i]);
    out[i] = '\0';
}

int rt_tf_has_image(const rt_target_files *tf, const char *name)
{
    char entry[128], dir[64];
    snprintf(entry, sizeof entry, "IMAGES/%s.img", name);
    if (ota_zip_find(tf->zip, entry))
        return 1;
    upper_dir(name, dir, sizeof dir);
    snprintf(entry, sizeof entry, "%s/kernel", dir);
    return ota_zip_find(tf->zip, entry) != NULL;
}

/* A small text entry's first line as an unsigned number (0x.. allowed). */
static int read_number(rt_target_files *tf, const char *entry, uint32_t dflt, uint32_t *out,
                       ota_error *err)
{
    ota_buf text;
    int found;
    if (read_text(tf, entry, &text, &found, err) < 0)
        return -1;
    if (!found) {
        *out = dflt;
        return 0;
    }
    char *end;
    unsigned long long v = strtoull((const char *)text.data, &end, 0);
    while (end && isspace((unsigned char)*end))
        end++;
    int bad = end == (char *)text.data || *end || v > UINT32_MAX;
    ota_buf_free(&text);
    if (bad)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s is not a number", tf->path, entry);
    *out = (uint32_t)v;
    return 0;
}

typedef struct ramdisk_files {
    rt_cpio_entry *entries;
    uint8_t **data;
    size_t count;
} ramdisk_files;

static int cmp_cpio(const void *a, const void *b)
{
    return strcmp(((const rt_cpio_entry *)a)->name, ((const rt_cpio_entry *)b)->name);
}

/* The kernel unpacks a ramdisk without creating missing parents, so every
 * directory a name implies gets its own entry (mode 0755). */
static int add_implied_dirs(ramdisk_files *rf, ota_error *err)
{
    size_t listed = rf->count;
    for (size_t i = 0; i < listed; i++) {
        char *name = strdup(rf->entries[i].name);
        if (!name)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        char *slash;
        while ((slash = strrchr(name, '/'))) {
            *slash = '\0';
            int present = 0;
            for (size_t j = 0; j < rf->count && !present; j++)
                present = strcmp(rf->entries[j].name, name) == 0;
            if (present)
                break;
            rt_cpio_entry *grown = realloc(rf->entries, (rf->count + 1) * sizeof *grown);
            uint8_t **grown_data = grown ? realloc(rf->data, (rf->count + 1) * sizeof *grown_data) : NULL;
            if (grown)
                rf->entries = grown;
            if (grown_data)
                rf->data = grown_data;
            char *dir = grown_data ? strdup(name) : NULL;
            if (!dir) {
                free(name);
                return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            }
            rf->entries[rf->count] = (rt_cpio_entry){dir, S_IFDIR | 0755, NULL, 0};
            rf->data[rf->count] = NULL;
            rf->count++;
        }
        free(name);
    }
    return 0;
}

/* DIR/RAMDISK/ as a gzip'd cpio, entries in name order. */
static int build_ramdisk(rt_target_files *tf, const char *dir, ota_buf *out, ota_error *err)
{
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s/RAMDISK/", dir);
    size_t plen = strlen(prefix);
    size_t n = ota_zip_count(tf->zip);
    ramdisk_files rf = {calloc(n + 1, sizeof(rt_cpio_entry)), calloc(n + 1, sizeof(uint8_t *)), 0};
    int rc = 0;
    if (!rf.entries || !rf.data)
        rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(tf->zip, i);
        if (strncmp(e->name, prefix, plen) != 0 || !e->name[plen])
            continue;
        char *name = strdup(e->name + plen);
        if (!name) {
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            break;
        }
        size_t nl = strlen(name);
        if (nl && name[nl - 1] == '/')
            name[nl - 1] = '\0';
        rt_cpio_entry *ce = &rf.entries[rf.count];
        ce->name = name;
        uint32_t perm = e->unix_mode & 07777;
        if (e->is_dir) {
            ce->mode = S_IFDIR | (perm ? perm : 0755);
        } else {
            uint8_t *data = NULL;
            size_t len = 0;
            rc = ota_zip_read(tf->zip, e, &data, &len, 0, err);
            rf.data[rf.count] = data;
            ce->data = data;
            ce->len = len;
            ce->mode = e->is_symlink ? (S_IFLNK | 0777) : (S_IFREG | (perm ? perm : 0644));
        }
        rf.count++;
    }
    if (rc == 0)
        rc = add_implied_dirs(&rf, err);
    if (rc == 0) {
        qsort(rf.entries, rf.count, sizeof *rf.entries, cmp_cpio);
        ota_buf cpio = {0};
        rc = rt_cpio_write(rf.entries, rf.count, &cpio, err);
        if (rc == 0)
            rc = rt_gzip(cpio.data, cpio.len, out, err);
        ota_buf_free(&cpio);
    }
    for (size_t i = 0; rf.entries && i < rf.count; i++) {
        free((char *)rf.entries[i].name);
        free(rf.data[i]);
    }
    free(rf.entries);
    free(rf.data);
    return rc;
}

int rt_tf_image(rt_target_files *tf, const char *name, ota_buf *out, ota_error *err)
{
    char entry[128], dir[64];
    memset(out, 0, sizeof *out);
    snprintf(entry, sizeof entry, "IMAGES/%s.img", name);
    if (ota_zip_find(tf->zip, entry))
        return rt_tf_read(tf, entry, out, err);
    upper_dir(name, dir, sizeof dir);
    snprintf(entry, sizeof entry, "%s/kernel", dir);
    if (!ota_zip_find(tf->zip, entry))
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no %s image (neither IMAGES/%s.img nor %s)",
                             tf->path, name, name, entry);
    ota_buf kernel = {0}, ramdisk = {0}, second = {0}, cmdline = {0};
    rt_bootimg img = {0};
    int found, rc = rt_tf_read(tf, entry, &kernel, err);
    if (rc == 0)
        rc = build_ramdisk(tf, dir, &ramdisk, err);
    snprintf(entry, sizeof entry, "%s/second", dir);
    if (rc == 0)
        rc = read_text(tf, entry, &second, &found, err);
    snprintf(entry, sizeof entry, "%s/cmdline", dir);
    if (rc == 0)
        rc = read_text(tf, entry, &cmdline, &found, err);
    if (rc == 0 && cmdline.data) {
        while (cmdline.len && isspace(cmdline.data[cmdline.len - 1]))
            cmdline.len--;
        cmdline.data[cmdline.len] = '\0';
    }
    snprintf(entry, sizeof entry, "%s/base", dir);
    if (rc == 0)
        rc = read_number(tf, entry, RT_BOOT_DEFAULT_BASE, &img.base, err);
    snprintf(entry, sizeof entry, "%s/pagesize", dir);
    if (rc == 0)
        rc = read_number(tf, entry, RT_BOOT_DEFAULT_PAGESIZE, &img.pagesize, err);
    if (rc == 0) {
        img.kernel = kernel.data;
        img.kernel_len = kernel.len;
        img.ramdisk = ramdisk.data;
        img.ramdisk_len = ramdisk.len;
        img.second = second.data;
        img.second_len = second.len;
        img.cmdline = cmdline.data ? (const char *)cmdline.data : NULL;
        rc = rt_bootimg_build(&img, out, err);
        if (rc < 0)
            ota_error_prefix(err, "%s: %s/", tf->path, dir);
    }
    ota_buf_free(&kernel);
    ota_buf_free(&ramdisk);
    ota_buf_free(&second);
    ota_buf_free(&cmdline);
    return rc;
}
