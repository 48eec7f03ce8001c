#include "releasetools/script_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(rt_script *s, const char *data, size_t len)
{
    if (!s->failed && ota_buf_append(&s->buf, data, len, NULL) < 0)
        s->failed = 1;
}

static void puts_(rt_script *s, const char *text)
{
    put(s, text, strlen(text));
}

void rt_script_raw(rt_script *s, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        put(s, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        s->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put(s, big, (size_t)n);
    free(big);
}

void rt_script_quote(rt_script *s, const char *text)
{
    put(s, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[5];
        switch (*p) {
        case '"': put(s, "\\\"", 2); break;
        case '\\': put(s, "\\\\", 2); break;
        case '\n': put(s, "\\n", 2); break;
        case '\t': put(s, "\\t", 2); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", *p);
                put(s, esc, 4);
            } else {
                put(s, (const char *)p, 1);
            }
        }
    }
    put(s, "\"", 1);
}

/* "/" + partition path, quoted. */
static void quote_abs(rt_script *s, const char *path)
{
    if (path[0] == '/') {
        rt_script_quote(s, path);
        return;
    }
    size_t n = strlen(path);
    char *abs = malloc(n + 2);
    if (!abs) {
        s->failed = 1;
        return;
    }
    abs[0] = '/';
    memcpy(abs + 1, path, n + 1);
    rt_script_quote(s, abs);
    free(abs);
}

void rt_script_assert_device(rt_script *s, const char *device)
{
    puts_(s, "getprop(\"ro.product.device\") == ");
    rt_script_quote(s, device);
    puts_(s, " || getprop(\"ro.build.product\") == ");
    rt_script_quote(s, device);
    puts_(s, " || abort(concat(\"This package is for ");
    /* The device name goes inside an existing literal: quote it without
     * the surrounding quotes by emitting a separate literal argument. */
    puts_(s, "\\\"\", ");
    rt_script_quote(s, device);
    puts_(s, ", \"\\\" devices; this is a \\\"\", getprop(\"ro.product.device\"), \"\\\".\"));\n");
}

void rt_script_assert_older_build(rt_script *s, const char *timestamp, const char *build_date)
{
    puts_(s, "(!less_than_int(");
    rt_script_quote(s, timestamp);
    puts_(s, ", getprop(\"ro.build.date.utc\"))) || abort(concat(\"Can't install this package (");
    puts_(s, "\", ");
    rt_script_quote(s, build_date);
    puts_(s, ", \") over a newer build (\", getprop(\"ro.build.date\"), \").\"));\n");
}

void rt_script_assert_fingerprint(rt_script *s, const char *system_mount, const char *fp1,
                                  const char *fp2)
{
    char prop_file[256];
    snprintf(prop_file, sizeof prop_file, "%s/build.prop", system_mount);
    puts_(s, "file_getprop(");
    rt_script_quote(s, prop_file);
    puts_(s, ", \"ro.build.fingerprint\") == ");
    rt_script_quote(s, fp1);
    puts_(s, " ||\n    file_getprop(");
    rt_script_quote(s, prop_file);
    puts_(s, ", \"ro.build.fingerprint\") == ");
    rt_script_quote(s, fp2);
    puts_(s, " ||\n    abort(concat(\"Package expects build fingerprint of \", ");
    rt_script_quote(s, fp1);
    puts_(s, ", \" or \", ");
    rt_script_quote(s, fp2);
    puts_(s, ", \"; this device has \", file_getprop(");
    rt_script_quote(s, prop_file);
    puts_(s, ", \"ro.build.fingerprint\"), \".\"));\n");
}

void rt_script_print(rt_script *s, const char *message)
{
    puts_(s, "ui_print(");
    rt_script_quote(s, message);
    puts_(s, ");\n");
}

void rt_script_show_progress(rt_script *s, double fraction, int seconds)
{
    rt_script_raw(s, "show_progress(%.6f, %d);\n", fraction, seconds);
}

void rt_script_set_progress(rt_script *s, double fraction)
{
    rt_script_raw(s, "set_progress(%.6f);\n", fraction);
}

const char *rt_partition_type(const ota_fstab_entry *e)
{
    return strcmp(e->fs_type, "mtd") == 0 || strcmp(e->fs_type, "yaffs2") == 0 ? "MTD" : "EMMC";
}

static const char *fs_type_of(const ota_fstab_entry *e)
{
    return strcmp(e->fs_type, "mtd") == 0 ? "yaffs2" : e->fs_type;
}

/* fn("a", "b", ...);  -- a statement calling fn with quoted strings. */
static void call_quoted(rt_script *s, const char *fn, const char *const *args, size_t n)
{
    puts_(s, fn);
    puts_(s, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(s, ", ");
        rt_script_quote(s, args[i]);
    }
    puts_(s, ");\n");
}

void rt_script_format(rt_script *s, const ota_fstab_entry *e)
{
    char size[32];
    snprintf(size, sizeof size, "%lld", e->length);
    const char *args[] = {fs_type_of(e), rt_partition_type(e), e->device, size, e->mount_point};
    call_quoted(s, "format", args, 5);
}

void rt_script_check_partition_size(rt_script *s, const ota_fstab_entry *e, uint64_t bytes)
{
    char size[32];
    snprintf(size, sizeof size, "%llu", (unsigned long long)bytes);
    const char *args[] = {e->device, size};
    call_quoted(s, "check_partition_size", args, 2);
}

void rt_script_mount(rt_script *s, const ota_fstab_entry *e)
{
    const char *args[] = {fs_type_of(e), rt_partition_type(e), e->device, e->mount_point};
    call_quoted(s, "mount", args, 4);
}

void rt_script_unmount(rt_script *s, const char *mount_point)
{
    call_quoted(s, "unmount", &mount_point, 1);
}

void rt_script_extract_dir(rt_script *s, const char *package_dir, const char *dest)
{
    const char *args[] = {package_dir, dest};
    call_quoted(s, "package_extract_dir", args, 2);
}

void rt_script_write_raw_image(rt_script *s, const char *package_file, const ota_fstab_entry *e)
{
    puts_(s, "write_raw_image(package_extract_file(");
    rt_script_quote(s, package_file);
    puts_(s, "), ");
    rt_script_quote(s, e->device);
    puts_(s, ");\n");
}

/* name(first, a, b, ...) with one path per line after the first few, so
 * long lists stay readable. */
static void call_with_paths(rt_script *s, const char *fn, const char *first,
                            const char *const *paths, size_t n)
{
    puts_(s, fn);
    puts_(s, "(");
    if (first) {
        rt_script_quote(s, first);
        if (n)
            puts_(s, ",");
    }
    for (size_t i = 0; i < n; i++) {
        puts_(s, i || first ? "\n    " : "");
        quote_abs(s, paths[i]);
        if (i + 1 < n)
            puts_(s, ",");
    }
    puts_(s, ");\n");
}

void rt_script_symlink(rt_script *s, const char *target, const char *const *names, size_t n)
{
    if (n)
        call_with_paths(s, "symlink", target, names, n);
}

void rt_script_delete(rt_script *s, const char *const *paths, size_t n)
{
    if (n)
        call_with_paths(s, "delete", NULL, paths, n);
}

void rt_script_delete_recursive(rt_script *s, const char *const *paths, size_t n)
{
    if (n)
        call_with_paths(s, "delete_recursive", NULL, paths, n);
}

static void perm_metadata(rt_script *s, const rt_perm_cmd *c)
{
    if (c->kind == RT_PERM_RECURSIVE) {
        puts_(s, "set_metadata_recursive(");
        quote_abs(s, c->path);
        rt_script_raw(s, ", \"uid\", %u, \"gid\", %u, \"dmode\", 0%o, \"fmode\", 0%o, "
                         "\"capabilities\", 0x0",
                      c->uid, c->gid, c->dmode, c->fmode);
    } else {
        puts_(s, "set_metadata(");
        quote_abs(s, c->path);
        rt_script_raw(s, ", \"uid\", %u, \"gid\", %u", c->uid, c->gid);
        if (c->has_mode)
            rt_script_raw(s, ", \"mode\", 0%o, \"capabilities\", 0x%llx", c->mode,
                          (unsigned long long)c->capabilities);
    }
    if (c->selabel) {
        puts_(s, ", \"selabel\", ");
        rt_script_quote(s, c->selabel);
    }
    puts_(s, ");\n");
}

void rt_script_permissions(rt_script *s, const rt_perm_plan *plan)
{
    for (size_t i = 0; i < plan->count; i++) {
        const rt_perm_cmd *c = &plan->cmds[i];
        if (plan->needs_metadata) {
            perm_metadata(s, c);
        } else if (c->kind == RT_PERM_RECURSIVE) {
            rt_script_raw(s, "set_perm_recursive(%u, %u, 0%o, 0%o, ", c->uid, c->gid, c->dmode,
                          c->fmode);
            quote_abs(s, c->path);
            puts_(s, ");\n");
        } else {
            rt_script_raw(s, "set_perm(%u, %u, 0%o, ", c->uid, c->gid, c->mode);
            quote_abs(s, c->path);
            puts_(s, ");\n");
        }
    }
}

void rt_script_patch_check(rt_script *s, const char *file, const char *const *sha1s, size_t n)
{
    puts_(s, "apply_patch_check(");
    rt_script_quote(s, file);
    for (size_t i = 0; i < n; i++) {
        puts_(s, ", ");
        rt_script_quote(s, sha1s[i]);
    }
    puts_(s, ") || abort(concat(");
    rt_script_quote(s, file);
    puts_(s, ", \" has unexpected contents.\"));\n");
}

void rt_script_cache_space(rt_script *s, uint64_t bytes)
{
    rt_script_raw(s,
                  "apply_patch_space(%llu) || abort(\"Not enough free space on /cache to apply "
                  "patches.\");\n",
                  (unsigned long long)bytes);
}

void rt_script_patch_check_moved(rt_script *s, const char *target, const char *tgt_sha1,
                                 const char *source, const char *src_sha1)
{
    puts_(s, "apply_patch_check(");
    rt_script_quote(s, target);
    puts_(s, ", ");
    rt_script_quote(s, tgt_sha1);
    puts_(s, ") ||\n    apply_patch_check(");
    rt_script_quote(s, source);
    puts_(s, ", ");
    rt_script_quote(s, src_sha1);
    puts_(s, ") || abort(concat(");
    rt_script_quote(s, source);
    puts_(s, ", \" has unexpected contents.\"));\n");
}

void rt_script_apply_patch(rt_script *s, const char *source, const char *target,
                           const char *tgt_sha1, uint64_t tgt_size, const char *src_sha1,
                           const char *patch_entry)
{
    puts_(s, "apply_patch(");
    rt_script_quote(s, source);
    puts_(s, ", ");
    rt_script_quote(s, target ? target : "-");
    puts_(s, ", ");
    rt_script_quote(s, tgt_sha1);
    rt_script_raw(s, ", %llu, ", (unsigned long long)tgt_size);
    rt_script_quote(s, src_sha1);
    puts_(s, ", package_extract_file(");
    rt_script_quote(s, patch_entry);
    puts_(s, ")) || abort(concat(\"Failed to patch \", ");
    rt_script_quote(s, target ? target : source);
    puts_(s, ", \".\"));\n");
}

void rt_script_append(rt_script *s, const char *text, size_t len)
{
    put(s, text, len);
    if (len && text[len - 1] != '\n')
        put(s, "\n", 1);
}

int rt_script_finish(rt_script *s, ota_buf *out, ota_error *err)
{
    if (s->failed || ota_buf_append(&s->buf, "", 1, NULL) < 0) {
        rt_script_free(s);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory while writing the script");
    }
    s->buf.len--; /* the NUL terminates but is not part of the text */
    *out = s->buf;
    memset(s, 0, sizeof *s);
    return 0;
}

void rt_script_free(rt_script *s)
{
    ota_buf_free(&s->buf);
    memset(s, 0, sizeof *s);
}
