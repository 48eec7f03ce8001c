/* ota_info's two reports of an rt_pkg_info: text for people (long lists
 * cut short) and JSON with everything (docs/releasetools.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otautil/json.h"
#include "releasetools/pkg_info.h"

/* Lists longer than this are summed up in the text report. */
#define TEXT_LIST_MAX 20

static const char *kind_name(rt_write_kind kind)
{
    switch (kind) {
    case RT_WRITE_FILE: return "file";
    case RT_WRITE_IMAGE: return "image";
    case RT_WRITE_PATCH: return "patch";
    case RT_WRITE_BLOCKS: return "blocks";
    case RT_WRITE_VALUE: return "value";
    }
    return "write";
}

/* ---- text ------------------------------------------------------------------ */

typedef struct text {
    ota_buf *out;
    int failed;
    ota_error err;
} text;

static void say(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(text *t, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (!t->failed && ota_buf_append(t->out, line, strlen(line), &t->err) < 0)
        t->failed = 1;
}

/* 1234567 -> "1,234,567" */
static const char *grouped(uint64_t v, char *out, size_t outsz)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < outsz; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

static void say_metadata(text *t, const rt_pkg_info *info)
{
    if (!info->has_metadata) {
        say(t, "type            unknown (%s)\n",
            info->metadata_error[0] ? info->metadata_error : "no META-INF/com/android/metadata");
        return;
    }
    say(t, "type            %s\n", info->incremental ? "incremental" : "full");
    static const char *const shown[] = {"pre-build", "post-build", "pre-device", "post-timestamp"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const char *v = ota_props_get(&info->metadata, shown[i]);
        if (!v)
            continue;
        char when[64] = "";
        char *end;
        long long secs = strcmp(shown[i], "post-timestamp") == 0 ? strtoll(v, &end, 10) : -1;
        struct tm tm;
        time_t tt = (time_t)secs;
        if (secs >= 0 && *end == '\0' && gmtime_r(&tt, &tm))
            strftime(when, sizeof when, " (%Y-%m-%d %H:%M:%S UTC)", &tm);
        say(t, "%-15s %s%s\n", shown[i], v, when);
    }
    for (size_t i = 0; i < info->metadata.count; i++) {
        const char *k = info->metadata.items[i].key;
        int known = 0;
        for (size_t j = 0; j < sizeof shown / sizeof shown[0]; j++)
            known |= strcmp(k, shown[j]) == 0;
        if (!known)
            say(t, "%-15s %s\n", k, info->metadata.items[i].value);
    }
}

static void say_signature(text *t, const rt_pkg_info *info)
{
    if (!info->signed_whole_file) {
        say(t, "signer          none: %s\n", info->signer_error);
    } else {
        const ota_signer_info *s = &info->signer;
        say(t, "signer          %s\n", s->subject);
        if (strcmp(s->issuer, s->subject) != 0)
            say(t, "  issuer        %s\n", s->issuer);
        say(t, "  key           %s\n", s->key);
        say(t, "  digest        %s (whole-file signature)\n", s->digest);
        say(t, "  certificate   SHA-256 %s\n", s->cert_sha256);
        say(t, "  valid         %s to %s\n", s->not_before, s->not_after);
    }
    say(t, "v1 JAR          %s\n", info->has_jar_signature ? "signed" : "no signature files");
    if (info->key_path) {
        if (info->verified)
            say(t, "verified        yes, with %s (whole file%s)\n", info->key_path,
                info->jar_verified ? " and v1 JAR" : "");
        else
            say(t, "verified        NO, with %s: %s\n", info->key_path, info->verify_error);
    }
}

static void say_binary(text *t, const rt_pkg_info *info)
{
    char n[32];
    if (!info->has_binary) {
        say(t, "update-binary   missing (recovery cannot install this package)\n");
    } else if (!info->binary_is_elf) {
        say(t, "update-binary   %s bytes, %s\n", grouped(info->binary_size, n, sizeof n),
            info->binary_error);
    } else {
        const ota_elf_info *b = &info->binary;
        char linkage[200];
        if (b->is_static)
            snprintf(linkage, sizeof linkage, "statically linked");
        else
            snprintf(linkage, sizeof linkage, "dynamically linked (needs %s)",
                     b->interp[0] ? b->interp : "an interpreter");
        say(t, "update-binary   %s, %d-bit %s-endian, %s, %s bytes\n", b->machine_name, b->bits,
            b->little_endian ? "little" : "big", linkage,
            grouped(info->binary_size, n, sizeof n));
    }
}

static void say_notes(text *t, const char *title, const rt_pkg_note *notes, size_t n)
{
    if (n == 0)
        return;
    say(t, "%s\n", title);
    for (size_t i = 0; i < n; i++)
        say(t, "  %s at %d:%d%s%s\n", notes[i].name, notes[i].line, notes[i].column,
            notes[i].detail ? ": " : "", notes[i].detail ? notes[i].detail : "");
}

static void say_partition(text *t, const rt_pkg_partition *p)
{
    char n[32];
    say(t, "  %s", p->name);
    if (p->mount_point)
        say(t, "  %s", p->mount_point);
    if (p->device)
        say(t, "%s%s", p->mount_point ? " on " : "  ", p->device);
    if (p->fs_type)
        say(t, " (%s)", p->fs_type);
    say(t, "\n");
    char facts[512] = "";
    size_t used = 0;
#define FACT(...) used += (size_t)snprintf(facts + used, used < sizeof facts ? sizeof facts - used : 0, __VA_ARGS__)
    if (p->formatted)
        FACT("%sformatted", used ? ", " : "");
    if (p->mounted)
        FACT("%smounted", used ? ", " : "");
    if (p->wiped)
        FACT("%swiped", used ? ", " : "");
    if (p->nwrites)
        FACT("%s%zu write%s, %s bytes", used ? ", " : "", p->nwrites, p->nwrites == 1 ? "" : "s",
             grouped(p->bytes, n, sizeof n));
    if (p->ndeleted)
        FACT("%s%zu deleted", used ? ", " : "", p->ndeleted);
    if (p->symlinks)
        FACT("%s%zu symlink%s", used ? ", " : "", p->symlinks, p->symlinks == 1 ? "" : "s");
    if (p->metadata)
        FACT("%s%zu metadata change%s", used ? ", " : "", p->metadata, p->metadata == 1 ? "" : "s");
    if (p->renames)
        FACT("%s%zu rename%s", used ? ", " : "", p->renames, p->renames == 1 ? "" : "s");
#undef FACT
    if (facts[0])
        say(t, "      %s\n", facts);
    if (p->nwrites <= TEXT_LIST_MAX) {
        for (size_t i = 0; i < p->nwrites; i++) {
            const rt_pkg_write *w = &p->writes[i];
            say(t, "      %-6s %s", kind_name(w->kind), w->target);
            if (w->source)
                say(t, " from %s", w->source);
            say(t, ", %s bytes\n", grouped(w->bytes, n, sizeof n));
        }
    } else {
        say(t, "      (%zu writes; --json lists them all)\n", p->nwrites);
    }
    if (p->ndeleted && p->ndeleted <= TEXT_LIST_MAX)
        for (size_t i = 0; i < p->ndeleted; i++)
            say(t, "      delete %s\n", p->deleted[i]);
}

int rt_pkg_report_text(const rt_pkg_info *info, ota_buf *out, ota_error *err)
{
    text t = {.out = out};
    char n[32];
    say(&t, "package         %s\n", info->path);
    say(&t, "size            %s bytes, %zu entries\n", grouped(info->size, n, sizeof n),
        info->entries);
    say_metadata(&t, info);
    say_signature(&t, info);
    say_binary(&t, info);
    const rt_pkg_script *s = &info->script;
    if (!s->present) {
        say(&t, "updater-script  missing (recovery cannot install this package)\n");
    } else {
        say(&t, "updater-script  %s bytes, %zu calls%s\n", grouped(s->size, n, sizeof n), s->calls,
            s->nerrors ? ", DOES NOT PARSE" : "");
        for (size_t i = 0; i < s->nerrors; i++)
            say(&t, "  %s\n", s->errors[i]);
    }
    if (s->nparts) {
        say(&t, "writes          %s bytes in total\n", grouped(s->bytes, n, sizeof n));
        say(&t, "partitions\n");
        for (size_t i = 0; i < s->nparts; i++)
            say_partition(&t, &s->parts[i]);
    }
    say_notes(&t, "runs programs", s->programs, s->nprograms);
    say_notes(&t, "builtins ota_info does not know (vendor builtins need an updater built with them)",
              s->unknown, s->nunknown);
    say_notes(&t, "not known before running", s->unresolved, s->nunresolved);
    say_notes(&t, "problems (this package would fail)", s->problems, s->nproblems);
    if (t.failed) {
        if (err)
            *err = t.err;
        return -1;
    }
    return 0;
}

/* ---- JSON -------------------------------------------------------------------- */

static void json_notes(ota_json *j, const char *key, const rt_pkg_note *notes, size_t n)
{
    ota_json_array_begin(j, key);
    for (size_t i = 0; i < n; i++) {
        ota_json_object_begin(j, NULL);
        ota_json_string(j, "name", notes[i].name);
        ota_json_uint(j, "line", (uint64_t)notes[i].line);
        ota_json_uint(j, "column", (uint64_t)notes[i].column);
        ota_json_string(j, "detail", notes[i].detail);
        ota_json_object_end(j);
    }
    ota_json_array_end(j);
}

static void json_partition(ota_json *j, const rt_pkg_partition *p)
{
    ota_json_object_begin(j, NULL);
    ota_json_string(j, "name", p->name);
    ota_json_string(j, "mount_point", p->mount_point);
    ota_json_string(j, "device", p->device);
    ota_json_string(j, "fs_type", p->fs_type);
    ota_json_bool(j, "formatted", p->formatted);
    ota_json_bool(j, "mounted", p->mounted);
    ota_json_bool(j, "wiped", p->wiped);
    ota_json_uint(j, "bytes_written", p->bytes);
    ota_json_array_begin(j, "writes");
    for (size_t i = 0; i < p->nwrites; i++) {
        const rt_pkg_write *w = &p->writes[i];
        ota_json_object_begin(j, NULL);
        ota_json_string(j, "kind", kind_name(w->kind));
        ota_json_string(j, "target", w->target);
        ota_json_string(j, "source", w->source);
        ota_json_uint(j, "bytes", w->bytes);
        ota_json_uint(j, "line", (uint64_t)w->line);
        ota_json_object_end(j);
    }
    ota_json_array_end(j);
    ota_json_array_begin(j, "deleted");
    for (size_t i = 0; i < p->ndeleted; i++)
        ota_json_string(j, NULL, p->deleted[i]);
    ota_json_array_end(j);
    ota_json_uint(j, "symlinks", p->symlinks);
    ota_json_uint(j, "metadata_changes", p->metadata);
    ota_json_uint(j, "renames", p->renames);
    ota_json_object_end(j);
}

static void json_signature(ota_json *j, const rt_pkg_info *info)
{
    ota_json_object_begin(j, "signature");
    ota_json_bool(j, "whole_file", info->signed_whole_file);
    if (info->signed_whole_file) {
        const ota_signer_info *s = &info->signer;
        ota_json_string(j, "subject", s->subject);
        ota_json_string(j, "issuer", s->issuer);
        ota_json_string(j, "key", s->key);
        ota_json_string(j, "digest", s->digest);
        ota_json_string(j, "certificate_sha256", s->cert_sha256);
        ota_json_string(j, "not_before", s->not_before);
        ota_json_string(j, "not_after", s->not_after);
    } else {
        ota_json_string(j, "error", info->signer_error);
    }
    ota_json_bool(j, "jar", info->has_jar_signature);
    ota_json_bool(j, "otacert", info->has_otacert);
    ota_json_object_end(j);
    if (!info->key_path)
        return;
    ota_json_object_begin(j, "verification");
    ota_json_string(j, "key", info->key_path);
    ota_json_bool(j, "verified", info->verified);
    ota_json_bool(j, "jar_verified", info->jar_verified);
    ota_json_string(j, "error", info->verified ? NULL : info->verify_error);
    ota_json_object_end(j);
}

static void json_binary(ota_json *j, const rt_pkg_info *info)
{
    ota_json_object_begin(j, "update_binary");
    ota_json_bool(j, "present", info->has_binary);
    if (info->has_binary) {
        ota_json_uint(j, "size", info->binary_size);
        ota_json_bool(j, "elf", info->binary_is_elf);
    }
    if (info->binary_is_elf) {
        const ota_elf_info *b = &info->binary;
        ota_json_string(j, "machine", b->machine_name);
        ota_json_uint(j, "e_machine", b->machine);
        ota_json_uint(j, "bits", (uint64_t)b->bits);
        ota_json_string(j, "byte_order", b->little_endian ? "little" : "big");
        ota_json_bool(j, "static", b->is_static);
        ota_json_string(j, "interpreter", b->interp[0] ? b->interp : NULL);
    } else if (info->has_binary) {
        ota_json_string(j, "error", info->binary_error);
    }
    ota_json_object_end(j);
}

int rt_pkg_report_json(const rt_pkg_info *info, ota_buf *out, ota_error *err)
{
    ota_json j;
    ota_json_init(&j, out);
    ota_json_object_begin(&j, NULL);
    ota_json_string(&j, "package", info->path);
    ota_json_uint(&j, "size", info->size);
    ota_json_uint(&j, "entries", info->entries);
    ota_json_string(&j, "type", !info->has_metadata ? NULL : info->incremental ? "incremental" : "full");
    if (info->has_metadata) {
        ota_json_object_begin(&j, "metadata");
        for (size_t i = 0; i < info->metadata.count; i++)
            ota_json_string(&j, info->metadata.items[i].key, info->metadata.items[i].value);
        ota_json_object_end(&j);
    } else {
        ota_json_null(&j, "metadata");
        ota_json_string(&j, "metadata_error",
                        info->metadata_error[0] ? info->metadata_error : "no META-INF/com/android/metadata");
    }
    json_signature(&j, info);
    json_binary(&j, info);
    const rt_pkg_script *s = &info->script;
    ota_json_object_begin(&j, "script");
    ota_json_bool(&j, "present", s->present);
    ota_json_uint(&j, "size", s->size);
    ota_json_uint(&j, "calls", s->calls);
    ota_json_array_begin(&j, "errors");
    for (size_t i = 0; i < s->nerrors; i++)
        ota_json_string(&j, NULL, s->errors[i]);
    ota_json_array_end(&j);
    json_notes(&j, "programs", s->programs, s->nprograms);
    json_notes(&j, "unknown_builtins", s->unknown, s->nunknown);
    json_notes(&j, "unresolved", s->unresolved, s->nunresolved);
    json_notes(&j, "problems", s->problems, s->nproblems);
    ota_json_object_end(&j);
    ota_json_uint(&j, "bytes_written", s->bytes);
    ota_json_array_begin(&j, "partitions");
    for (size_t i = 0; i < s->nparts; i++)
        json_partition(&j, &s->parts[i]);
    ota_json_array_end(&j);
    ota_json_object_end(&j);
    return ota_json_finish(&j, err);
}
