/* Reading an updater-script's effects without running it: the script is
 * parsed with unknown functions accepted (vendor builtins must not stop
 * the reading) and walked twice.  The first walk learns the mounts (which
 * device and mount point make a partition); the second records, per
 * partition, what each call of a builtin that changes the device writes,
 * deletes or links, resolving package entries in the zip for sizes.  Only
 * literal arguments are understood; a write whose target or size is
 * computed at run time is listed as unresolved, never guessed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"
#include "otautil/fs_forms.h"
#include "releasetools/pkg_info.h"

#define BLOCK_SIZE 4096
/* A transfer list is text; anything bigger is not one. */
#define MAX_TRANSFER_LIST (64u << 20)

typedef struct scan {
    rt_pkg_script *out;
    ota_zip *zip;
    const edify_script *script;
    int learning; /* first walk: mounts only */
    int oom;
} scan;

/* ---- small helpers -------------------------------------------------------- */

/* Appends a zeroed element to *items (count *n, element size sz). */
static void *push(scan *s, void **items, size_t *n, size_t sz)
{
    char *grown = realloc(*items, (*n + 1) * sz);
    if (!grown) {
        s->oom = 1;
        return NULL;
    }
    *items = grown;
    memset(grown + *n * sz, 0, sz);
    return grown + (*n)++ * sz;
}

static char *dup_or_flag(scan *s, const char *text)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    if (!copy)
        s->oom = 1;
    return copy;
}

static void note(scan *s, rt_pkg_note **list, size_t *n, const char *name,
                 const edify_expr *call, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void note(scan *s, rt_pkg_note **list, size_t *n, const char *name,
                 const edify_expr *call, const char *fmt, ...)
{
    if (s->learning) /* the second walk notes it */
        return;
    rt_pkg_note *item = push(s, (void **)list, n, sizeof **list);
    if (!item)
        return;
    item->name = dup_or_flag(s, name);
    item->line = edify_expr_line(call);
    item->column = edify_expr_column(call);
    if (fmt) {
        char detail[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        item->detail = dup_or_flag(s, detail);
    }
}

/* Argument i as literal text, or NULL when it is computed. */
static const char *literal(scan *s, const edify_expr *call, int i)
{
    return edify_expr_literal(edify_call_arg(s->script, call, i), NULL);
}

/* Argument i when it reads a package entry, as package_extract_file(NAME)
 * does in write_raw_image(package_extract_file("boot.img"), ...): NAME. */
static const char *entry_arg(scan *s, const edify_expr *call, int i)
{
    const edify_expr *arg = edify_call_arg(s->script, call, i);
    const char *name = edify_call_name(s->script, arg);
    if (!name || strcmp(name, "package_extract_file") != 0 || edify_call_argc(arg) != 1)
        return NULL;
    return edify_expr_literal(edify_call_arg(s->script, arg, 0), NULL);
}

/* "EMMC:/dev/block/by-name/boot:SIZE:SHA1..." names a device. */
static int copy_device_of_spec(const char *spec, char *out, size_t outsz)
{
    if (strncmp(spec, "EMMC:", 5) != 0 && strncmp(spec, "MTD:", 4) != 0)
        return 0;
    const char *dev = strchr(spec, ':') + 1;
    size_t len = strcspn(dev, ":");
    snprintf(out, outsz, "%.*s", (int)(len < outsz ? len : outsz - 1), dev);
    return 1;
}

static int is_device_path(const char *path)
{
    return strncmp(path, "/dev/", 5) == 0;
}

/* ---- partitions ------------------------------------------------------------ */

static rt_pkg_partition *partition_named(scan *s, const char *name)
{
    for (size_t i = 0; i < s->out->nparts; i++)
        if (strcmp(s->out->parts[i].name, name) == 0)
            return &s->out->parts[i];
    rt_pkg_partition *p = push(s, (void **)&s->out->parts, &s->out->nparts, sizeof *p);
    if (p && !(p->name = dup_or_flag(s, name)))
        s->out->nparts--;
    return p && p->name ? p : NULL;
}

static void set_field(scan *s, char **field, const char *value)
{
    if (value && !*field)
        *field = dup_or_flag(s, value);
}

/* The partition a mount point or device belongs to, learnt from mount()
 * and format(): "/system" with "/dev/block/by-name/system" is "system". */
static rt_pkg_partition *learn(scan *s, const char *mount_point, const char *device,
                               const char *fs_type)
{
    const char *name = NULL;
    if (mount_point && mount_point[0] == '/' && mount_point[1]) {
        name = mount_point + 1;
    } else if (device) {
        /* format(fs_type, partition_type, location) names no mount point:
         * the partition mount() learnt for that device. */
        for (size_t i = 0; i < s->out->nparts; i++)
            if (s->out->parts[i].device && strcmp(s->out->parts[i].device, device) == 0)
                return &s->out->parts[i];
    }
    if (!name && device)
        name = strrchr(device, '/') ? strrchr(device, '/') + 1 : device;
    if (!name || !*name)
        return NULL;
    rt_pkg_partition *p = partition_named(s, name);
    if (p) {
        set_field(s, &p->mount_point, mount_point && mount_point[0] == '/' ? mount_point : NULL);
        set_field(s, &p->device, device);
        set_field(s, &p->fs_type, fs_type);
    }
    return p;
}

/* The partition a file path lies on: the longest known mount point that
 * contains it, else its first component ("/data/x" is on "data"). */
static rt_pkg_partition *partition_of_path(scan *s, const char *path)
{
    rt_pkg_partition *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < s->out->nparts; i++) {
        const char *mp = s->out->parts[i].mount_point;
        size_t len = mp ? strlen(mp) : 0;
        if (len > best_len && strncmp(path, mp, len) == 0 && (path[len] == '/' || !path[len])) {
            best = &s->out->parts[i];
            best_len = len;
        }
    }
    if (best)
        return best;
    if (path[0] != '/')
        return partition_named(s, "(relative path)");
    char first[256];
    size_t len = strcspn(path + 1, "/");
    snprintf(first, sizeof first, "%.*s", (int)(len < sizeof first ? len : sizeof first - 1),
             path + 1);
    if (!first[0])
        return partition_named(s, "/");
    rt_pkg_partition *p = partition_named(s, first);
    if (p && !p->mount_point && !p->device) {
        char mp[260];
        snprintf(mp, sizeof mp, "/%s", first);
        set_field(s, &p->mount_point, mp);
    }
    return p;
}

/* The partition of a device ("/dev/block/by-name/boot", "EMMC:...", or a
 * bare partition name as raw-image builtins accept). */
static rt_pkg_partition *partition_of_device(scan *s, const char *device)
{
    char dev[512];
    if (copy_device_of_spec(device, dev, sizeof dev))
        device = dev;
    for (size_t i = 0; i < s->out->nparts; i++)
        if (s->out->parts[i].device && strcmp(s->out->parts[i].device, device) == 0)
            return &s->out->parts[i];
    if (device[0] == '/' && !is_device_path(device))
        return partition_of_path(s, device);
    rt_pkg_partition *p = learn(s, NULL, device, NULL);
    if (p)
        set_field(s, &p->device, device);
    return p;
}

static void add_write(scan *s, rt_pkg_partition *p, rt_write_kind kind, const char *target,
                      const char *source, uint64_t bytes, const edify_expr *call)
{
    if (!p)
        return;
    rt_pkg_write *w = push(s, (void **)&p->writes, &p->nwrites, sizeof *w);
    if (!w)
        return;
    w->kind = kind;
    w->target = dup_or_flag(s, target);
    w->source = dup_or_flag(s, source);
    w->bytes = bytes;
    w->line = edify_expr_line(call);
    p->bytes += bytes;
    s->out->bytes += bytes;
}

/* The package entry called name, or NULL after noting the problem. */
static const ota_zip_entry *entry_or_problem(scan *s, const char *builtin, const char *name,
                                             const edify_expr *call)
{
    const ota_zip_entry *e = s->zip ? ota_zip_find(s->zip, name) : NULL;
    if (!e)
        note(s, &s->out->problems, &s->out->nproblems, builtin, call,
             "the package has no entry %s", name);
    return e;
}

static void unresolved(scan *s, const char *builtin, const edify_expr *call, const char *what)
{
    note(s, &s->out->unresolved, &s->out->nunresolved, builtin, call, "%s", what);
}

/* ---- the builtins that change the device ------------------------------------ */

typedef void (*effect_fn)(scan *s, const char *name, const edify_expr *call, int argc);

/* mount() and format() in every Android version's form (otautil/fs_forms.h):
 * c is the call read as KitKat's, a computed argument as "".  0, or -1
 * when the call is not one ota_info can read (noted). */
static int fs_call(scan *s, const char *name, const edify_expr *call, int argc, ota_fs_call *c)
{
    const char *args[5];
    for (int i = 0; i < argc && i < 5; i++) {
        const char *v = literal(s, call, i);
        args[i] = v ? v : "";
    }
    int format = strcmp(name, "format") == 0;
    if ((format ? ota_format_form(argc, args, c) : ota_mount_form(argc, args, c)) < 0) {
        unresolved(s, name, call, "an argument form ota_info does not read");
        return -1;
    }
    if (c->mtd) {
        char msg[512];
        ota_fs_call_refusal(name, argc, args, c, NULL, msg, sizeof msg);
        note(s, &s->out->problems, &s->out->nproblems, name, call, "%s", msg);
        return -1;
    }
    return 0;
}

static void do_mount(scan *s, const char *name, const edify_expr *call, int argc)
{
    ota_fs_call c;
    if (fs_call(s, name, call, argc, &c) < 0)
        return;
    if (!*c.mount_point) {
        unresolved(s, name, call, "the mount point is computed");
        return;
    }
    rt_pkg_partition *p = learn(s, c.mount_point, *c.location ? c.location : NULL,
                                *c.fs_type ? c.fs_type : NULL);
    if (p && !s->learning)
        p->mounted = 1;
}

static void do_format(scan *s, const char *name, const edify_expr *call, int argc)
{
    ota_fs_call c;
    if (fs_call(s, name, call, argc, &c) < 0)
        return;
    const char *dev = *c.location ? c.location : NULL;
    const char *mp = *c.mount_point ? c.mount_point : NULL;
    if (!dev && !mp) {
        unresolved(s, name, call, "the partition is computed");
        return;
    }
    if (s->learning && !mp)
        return; /* by device alone: the mount() of that device names it */
    rt_pkg_partition *p = learn(s, mp, dev, *c.fs_type ? c.fs_type : NULL);
    if (p && !s->learning)
        p->formatted = 1;
}

/* package_extract_dir(package_dir, dest): every entry under the directory. */
static void do_extract_dir(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *dir = argc == 2 ? literal(s, call, 0) : NULL;
    const char *dest = argc == 2 ? literal(s, call, 1) : NULL;
    if (!dir || !dest) {
        unresolved(s, name, call, "the directory or destination is computed");
        return;
    }
    size_t dirlen = strlen(dir);
    while (dirlen && dir[dirlen - 1] == '/')
        dirlen--;
    size_t found = 0, count = s->zip ? ota_zip_count(s->zip) : 0;
    for (size_t i = 0; i < count && !s->oom; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(s->zip, i);
        if (e->is_dir || (dirlen && (strncmp(e->name, dir, dirlen) != 0 || e->name[dirlen] != '/')))
            continue;
        const char *rel = e->name + (dirlen ? dirlen + 1 : 0);
        char target[4096];
        snprintf(target, sizeof target, "%s%s%s", dest,
                 dest[0] && dest[strlen(dest) - 1] == '/' ? "" : "/", rel);
        add_write(s, partition_of_path(s, target), RT_WRITE_FILE, target, e->name, e->size, call);
        found++;
    }
    if (found == 0)
        partition_of_path(s, dest); /* an empty directory still touches it */
}

/* package_extract_file(entry, dest); the one-argument form only returns
 * the contents, which the builtin it is passed to writes. */
static void do_extract_file(scan *s, const char *name, const edify_expr *call, int argc)
{
    if (argc != 2)
        return;
    const char *entry = literal(s, call, 0), *dest = literal(s, call, 1);
    if (!entry || !dest) {
        unresolved(s, name, call, "the entry or destination is computed");
        return;
    }
    const ota_zip_entry *e = entry_or_problem(s, name, entry, call);
    int raw = is_device_path(dest);
    add_write(s, raw ? partition_of_device(s, dest) : partition_of_path(s, dest),
              raw ? RT_WRITE_IMAGE : RT_WRITE_FILE, dest, entry, e ? e->size : 0, call);
}

/* write_raw_image(file_or_blob, partition). */
static void do_write_raw_image(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *dest = argc == 2 ? literal(s, call, 1) : NULL;
    if (!dest) {
        unresolved(s, name, call, "the partition is computed");
        return;
    }
    const char *entry = entry_arg(s, call, 0), *file = literal(s, call, 0);
    rt_pkg_partition *p = partition_of_device(s, dest);
    if (entry) {
        const ota_zip_entry *e = entry_or_problem(s, name, entry, call);
        add_write(s, p, RT_WRITE_IMAGE, dest, entry, e ? e->size : 0, call);
    } else {
        /* A file on the device (extracted earlier): its size is known only there. */
        add_write(s, p, RT_WRITE_IMAGE, dest, file, 0, call);
        unresolved(s, name, call, file ? "the image is a file on the device; its size is not known here"
                                        : "the image is computed");
    }
}

/* apply_patch(source, target, target_sha1, target_size, sha1, patch, ...):
 * target "-" is the source itself; an "EMMC:..." source is a partition. */
static void do_apply_patch(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *src = argc >= 4 ? literal(s, call, 0) : NULL;
    const char *tgt = argc >= 4 ? literal(s, call, 1) : NULL;
    const char *size = argc >= 4 ? literal(s, call, 3) : NULL;
    if (!src || !tgt) {
        unresolved(s, name, call, "the source or target is computed");
        return;
    }
    const char *target = strcmp(tgt, "-") == 0 ? src : tgt;
    char *end = NULL;
    unsigned long long bytes = size ? strtoull(size, &end, 10) : 0;
    if (!size || end == size || *end)
        unresolved(s, name, call, "the target size is not a literal number");
    const char *patch = argc >= 6 ? entry_arg(s, call, 5) : NULL;
    if (patch)
        entry_or_problem(s, name, patch, call);
    char dev[512];
    int raw = copy_device_of_spec(target, dev, sizeof dev);
    add_write(s, raw ? partition_of_device(s, target) : partition_of_path(s, target), RT_WRITE_PATCH,
              raw ? dev : target, patch, bytes, call);
}

/* The number of blocks a transfer list writes: its second line (the first
 * is the format version, 1 to 4). */
static void transfer_list_blocks(scan *s, const char *builtin, const char *entry,
                                 const edify_expr *call, uint64_t *blocks, int *ok)
{
    *ok = 0;
    const ota_zip_entry *e = entry_or_problem(s, builtin, entry, call);
    uint8_t *text = NULL;
    size_t len = 0;
    ota_error err;
    if (!e)
        return;
    if (ota_zip_read(s->zip, e, &text, &len, MAX_TRANSFER_LIST, &err) < 0) {
        note(s, &s->out->problems, &s->out->nproblems, builtin, call, "%s", err.message);
        return;
    }
    unsigned version = 0;
    unsigned long long total = 0;
    char tail;
    int fields = sscanf((const char *)text, "%u\n%llu%c", &version, &total, &tail);
    if (fields < 2 || version < 1 || version > 4 || (fields == 3 && tail != '\n'))
        note(s, &s->out->problems, &s->out->nproblems, builtin, call,
             "%s is not a transfer list (version 1 to 4, then the blocks written)", entry);
    else
        *blocks = total, *ok = 1;
    free(text);
}

/* block_image_update(device, transfer_list, new_data, patch_data). */
static void do_block_image_update(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *dev = argc == 4 ? literal(s, call, 0) : NULL;
    const char *list = argc == 4 ? entry_arg(s, call, 1) : NULL;
    if (argc == 4 && !list)
        list = literal(s, call, 1);
    if (!dev || !list) {
        unresolved(s, name, call, "the device or transfer list is computed");
        return;
    }
    uint64_t blocks = 0;
    int ok;
    transfer_list_blocks(s, name, list, call, &blocks, &ok);
    const char *new_data = literal(s, call, 2);
    if (new_data)
        entry_or_problem(s, name, new_data, call);
    add_write(s, partition_of_device(s, dev), RT_WRITE_BLOCKS, dev, new_data ? new_data : list,
              blocks * BLOCK_SIZE, call);
}

/* delete(path, ...), delete_recursive(path, ...). */
static void do_delete(scan *s, const char *name, const edify_expr *call, int argc)
{
    int recursive = strcmp(name, "delete_recursive") == 0;
    for (int i = 0; i < argc; i++) {
        const char *path = literal(s, call, i);
        if (!path) {
            unresolved(s, name, call, "a path is computed");
            continue;
        }
        rt_pkg_partition *p = partition_of_path(s, path);
        char **slot = p ? push(s, (void **)&p->deleted, &p->ndeleted, sizeof *slot) : NULL;
        if (!slot)
            continue;
        size_t len = strlen(path);
        *slot = malloc(len + 2);
        if (!*slot) {
            s->oom = 1;
            p->ndeleted--;
            continue;
        }
        snprintf(*slot, len + 2, "%s%s", path, recursive && len && path[len - 1] != '/' ? "/" : "");
    }
}

/* symlink(target, name, ...): names are on partitions. */
static void do_symlink(scan *s, const char *name, const edify_expr *call, int argc)
{
    for (int i = 1; i < argc; i++) {
        const char *path = literal(s, call, i);
        rt_pkg_partition *p = path ? partition_of_path(s, path) : NULL;
        if (p)
            p->symlinks++;
        else if (!path)
            unresolved(s, name, call, "a link name is computed");
    }
}

/* set_perm(uid, gid, mode, path, ...), set_perm_recursive(uid, gid, dmode,
 * fmode, path, ...), set_metadata[_recursive](path, key, value, ...). */
static void do_metadata(scan *s, const char *name, const edify_expr *call, int argc)
{
    int first = strcmp(name, "set_perm") == 0 ? 3 : strcmp(name, "set_perm_recursive") == 0 ? 4 : 0;
    int last = first ? argc - 1 : 0;
    for (int i = first; i <= last && i < argc; i++) {
        const char *path = literal(s, call, i);
        rt_pkg_partition *p = path ? partition_of_path(s, path) : NULL;
        if (p)
            p->metadata++;
    }
}

/* rename(old, new). */
static void do_rename(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *to = argc == 2 ? literal(s, call, 1) : NULL;
    rt_pkg_partition *p = to ? partition_of_path(s, to) : NULL;
    if (p)
        p->renames++;
    else
        unresolved(s, name, call, "the new name is computed");
}

/* write_value(value, path) and set_stage(device, stage): a few bytes to a
 * file, or to the stage field of the bootloader message on a device. */
static void do_short_write(scan *s, const char *name, const edify_expr *call, int argc)
{
    int stage = strcmp(name, "set_stage") == 0;
    const char *target = argc == 2 ? literal(s, call, stage ? 0 : 1) : NULL;
    const char *value = argc == 2 ? literal(s, call, stage ? 1 : 0) : NULL;
    if (!target) {
        unresolved(s, name, call, stage ? "the device is computed" : "the path is computed");
        return;
    }
    add_write(s, stage ? partition_of_device(s, target) : partition_of_path(s, target),
              RT_WRITE_VALUE, target, NULL, value ? strlen(value) : 0, call);
}

/* wipe_block_device(device, length): discarded, not written. */
static void do_wipe_block_device(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *dev = argc == 2 ? literal(s, call, 0) : NULL;
    rt_pkg_partition *p = dev ? partition_of_device(s, dev) : NULL;
    if (p)
        p->wiped = 1;
    else
        unresolved(s, name, call, "the device is computed");
}

static void do_wipe_cache(scan *s, const char *name, const edify_expr *call, int argc)
{
    (void)name, (void)call, (void)argc;
    rt_pkg_partition *p = partition_named(s, "cache");
    if (p) {
        set_field(s, &p->mount_point, "/cache");
        p->wiped = 1;
    }
}

/* run_program(path, args...): what it does is not known here. */
static void do_run_program(scan *s, const char *name, const edify_expr *call, int argc)
{
    const char *prog = argc >= 1 ? literal(s, call, 0) : NULL;
    note(s, &s->out->programs, &s->out->nprograms, prog ? prog : "(computed)", call,
         "%d argument%s", argc - 1, argc == 2 ? "" : "s");
    (void)name;
}

/* Every builtin ota_info knows: those that change the device have an
 * effect; the others (checks, properties, progress, the core) none. */
static const struct builtin {
    const char *name;
    effect_fn effect;
} builtins[] = {
    {"mount", do_mount},
    {"format", do_format},
    {"package_extract_dir", do_extract_dir},
    {"package_extract_file", do_extract_file},
    {"write_raw_image", do_write_raw_image},
    {"apply_patch", do_apply_patch},
    {"block_image_update", do_block_image_update},
    {"delete", do_delete},
    {"delete_recursive", do_delete},
    {"symlink", do_symlink},
    {"set_perm", do_metadata},
    {"set_perm_recursive", do_metadata},
    {"set_metadata", do_metadata},
    {"set_metadata_recursive", do_metadata},
    {"rename", do_rename},
    {"write_value", do_short_write},
    {"set_stage", do_short_write},
    {"wipe_block_device", do_wipe_block_device},
    {"wipe_cache", do_wipe_cache},
    {"run_program", do_run_program},
    {"is_mounted", NULL}, {"unmount", NULL}, {"getprop", NULL}, {"file_getprop", NULL},
    {"ui_print", NULL}, {"show_progress", NULL}, {"set_progress", NULL},
    {"apply_patch_check", NULL}, {"apply_patch_space", NULL}, {"sha1_check", NULL},
    {"read_file", NULL}, {"get_stage", NULL}, {"block_image_verify", NULL},
    {"range_sha1", NULL}, {"block_image_recover", NULL}, {"check_first_block", NULL},
    {"check_partition_size", NULL},
    {"ifelse", NULL}, {"abort", NULL}, {"assert", NULL},
    {"concat", NULL}, {"is_substring", NULL}, {"stdout", NULL}, {"sleep", NULL},
    {"less_than_int", NULL}, {"greater_than_int", NULL},
};

static int visit(void *ctx, const edify_script *script, const edify_expr *call)
{
    scan *s = ctx;
    const char *name = edify_call_name(script, call);
    int argc = edify_call_argc(call);
    const struct builtin *b = NULL;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0] && !b; i++)
        if (strcmp(builtins[i].name, name) == 0)
            b = &builtins[i];
    if (s->learning) {
        if (b && (b->effect == do_mount || b->effect == do_format))
            b->effect(s, name, call, argc);
        return s->oom;
    }
    s->out->calls++;
    if (!b)
        note(s, &s->out->unknown, &s->out->nunknown, name, call, NULL);
    else if (b->effect)
        b->effect(s, name, call, argc);
    return s->oom;
}

/* ---- entry points ------------------------------------------------------------ */

static int add_errors(scan *s, const edify_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        char line[1024];
        edify_diag_format(diags, i, line, sizeof line);
        char **slot = push(s, (void **)&s->out->errors, &s->out->nerrors, sizeof *slot);
        if (slot && !(*slot = dup_or_flag(s, line)))
            s->out->nerrors--;
    }
    return s->oom ? -1 : 0;
}

int rt_pkg_scan_script(const char *text, size_t len, const char *name, ota_zip *zip,
                       rt_pkg_script *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    out->present = 1;
    out->size = len;
    edify_funcs *fns = edify_funcs_new();
    if (!fns || edify_register_core(fns, err) < 0) {
        edify_funcs_free(fns);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    edify_funcs_accept_unknown(fns);
    edify_diags diags = {0};
    edify_script *script = edify_parse(text, len, name, fns, &diags);
    scan s = {.out = out, .zip = zip, .script = script};
    if (!script) {
        add_errors(&s, &diags);
    } else {
        s.learning = 1;
        edify_walk_calls(script, visit, &s);
        s.learning = 0;
        if (!s.oom)
            edify_walk_calls(script, visit, &s);
    }
    edify_diags_free(&diags);
    edify_script_free(script);
    edify_funcs_free(fns);
    if (s.oom) {
        rt_pkg_script_free(out);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s", name);
    }
    return 0;
}

static void free_notes(rt_pkg_note *notes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(notes[i].name);
        free(notes[i].detail);
    }
    free(notes);
}

void rt_pkg_script_free(rt_pkg_script *s)
{
    for (size_t i = 0; i < s->nerrors; i++)
        free(s->errors[i]);
    free(s->errors);
    for (size_t i = 0; i < s->nparts; i++) {
        rt_pkg_partition *p = &s->parts[i];
        free(p->name);
        free(p->mount_point);
        free(p->device);
        free(p->fs_type);
        for (size_t j = 0; j < p->nwrites; j++) {
            free(p->writes[j].target);
            free(p->writes[j].source);
        }
        free(p->writes);
        for (size_t j = 0; j < p->ndeleted; j++)
            free(p->deleted[j]);
        free(p->deleted);
    }
    free(s->parts);
    free_notes(s->unknown, s->nunknown);
    free_notes(s->programs, s->nprograms);
    free_notes(s->unresolved, s->nunresolved);
    free_notes(s->problems, s->nproblems);
    memset(s, 0, sizeof *s);
}
