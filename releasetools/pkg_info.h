/* What an update package is and what it would do, read from the package
 * without running anything (ota_info): its metadata, signer and, given a
 * key, whether it verifies as recovery would check it; its update-binary's
 * machine; and, from its updater-script parsed and walked call by call,
 * the partitions and files it writes and how many bytes.
 *
 *     rt_pkg_info info;
 *     if (rt_pkg_inspect("update.zip", "release.x509.pem", &info, &err) == 0) {
 *         rt_pkg_report_text(&info, &out, &err);  (or rt_pkg_report_json)
 *         rt_pkg_info_free(&info);
 *     }
 */
#ifndef RELEASETOOLS_PKG_INFO_H
#define RELEASETOOLS_PKG_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/elf.h"
#include "otautil/error.h"
#include "otautil/props.h"
#include "otautil/signer.h"
#include "otautil/sink.h"
#include "otautil/zip.h"

/* ---- what the script does ------------------------------------------------ */

typedef enum rt_write_kind {
    RT_WRITE_FILE,   /* a file extracted from the package (package_extract_dir/_file) */
    RT_WRITE_IMAGE,  /* a raw image written to a device (write_raw_image, package_extract_file) */
    RT_WRITE_PATCH,  /* a file or partition rewritten by apply_patch */
    RT_WRITE_BLOCKS, /* a partition rewritten block by block (block_image_update) */
    RT_WRITE_VALUE,  /* a short value (write_value, set_stage) */
} rt_write_kind;

typedef struct rt_pkg_write {
    rt_write_kind kind;
    char *target;   /* the file or device written */
    char *source;   /* package entry (or device file) it comes from; NULL if none */
    uint64_t bytes;
    int line;
} rt_pkg_write;

typedef struct rt_pkg_partition {
    char *name;        /* "system", "boot" */
    char *mount_point; /* "/system", or NULL when the script names none */
    char *device;      /* "/dev/block/by-name/system", or NULL */
    char *fs_type;     /* from format()/mount(), or NULL */
    int formatted, mounted, wiped;
    rt_pkg_write *writes;
    size_t nwrites;
    uint64_t bytes;    /* written, all writes together */
    char **deleted;    /* paths; "PATH/" for delete_recursive */
    size_t ndeleted;
    size_t symlinks, metadata, renames;
} rt_pkg_partition;

/* A call worth a note: a builtin ota_info does not know (a vendor's), a
 * program run, or a write whose target or size is computed at run time. */
typedef struct rt_pkg_note {
    char *name;   /* builtin, or program path */
    char *detail; /* what is unknown, or NULL */
    int line, column;
} rt_pkg_note;

typedef struct rt_pkg_script {
    int present;
    uint64_t size;
    size_t calls;
    char **errors;              /* syntax errors, FILE:LINE:COL: message */
    size_t nerrors;
    rt_pkg_partition *parts;    /* mounted or formatted ones first, then as touched */
    size_t nparts;
    uint64_t bytes;             /* all partitions */
    rt_pkg_note *unknown;       /* builtins ota_info does not know */
    size_t nunknown;
    rt_pkg_note *programs;      /* run_program */
    size_t nprograms;
    rt_pkg_note *unresolved;    /* effects not known before running */
    size_t nunresolved;
    rt_pkg_note *problems;      /* what would fail: a missing entry, an unreadable transfer list */
    size_t nproblems;
} rt_pkg_script;

/* Parses script (len bytes, named `name` in messages) and walks its calls,
 * resolving package entries in zip.  Syntax errors do not fail: they are
 * listed in out->errors.  -1 with err only when memory runs out. */
int rt_pkg_scan_script(const char *script, size_t len, const char *name, ota_zip *zip,
                       rt_pkg_script *out, ota_error *err);
void rt_pkg_script_free(rt_pkg_script *s);

/* ---- the whole package ---------------------------------------------------- */

typedef struct rt_pkg_info {
    const char *path;
    uint64_t size;
    size_t entries;
    /* META-INF/com/android/metadata; incremental when it names pre-build */
    int has_metadata, incremental;
    ota_props metadata;
    char metadata_error[OTA_ERROR_MAX];
    /* the whole-file signature's signer, read without verifying */
    int signed_whole_file;
    ota_signer_info signer;
    char signer_error[OTA_ERROR_MAX];
    int has_jar_signature, has_otacert;
    /* with a key: verified as recovery verifies */
    const char *key_path;
    int verified, jar_verified;
    char verify_error[OTA_ERROR_MAX];
    /* META-INF/com/google/android/update-binary */
    int has_binary, binary_is_elf;
    uint64_t binary_size;
    ota_elf_info binary;
    char binary_error[OTA_ERROR_MAX];
    rt_pkg_script script;
} rt_pkg_info;

/* Reads everything above from the package at path; key_path (may be NULL)
 * is a certificate file, otacerts.zip or /res/keys to verify against.  -1
 * with err only when path is not a readable zip (or memory runs out): a
 * package that is unsigned, fails verification or has a broken script is
 * described, with the reasons in the fields. */
int rt_pkg_inspect(const char *path, const char *key_path, rt_pkg_info *out, ota_error *err);
void rt_pkg_info_free(rt_pkg_info *info);

/* The report for people, and the same as one JSON object (docs/releasetools.md
 * lists its fields), appended to out. */
int rt_pkg_report_text(const rt_pkg_info *info, ota_buf *out, ota_error *err);
int rt_pkg_report_json(const rt_pkg_info *info, ota_buf *out, ota_error *err);

#endif
