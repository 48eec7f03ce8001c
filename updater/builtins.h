/* Inside the updater room: the builtin families' registration, the helpers
 * they share (arguments, paths, devices), and the pure parts that the unit
 * tests reach directly. */
#ifndef UPDATER_BUILTINS_H
#define UPDATER_BUILTINS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "edify/edify.h"
#include "otautil/error.h"
#include "otautil/fs_forms.h"
#include "otautil/fstab.h"
#include "otautil/zip.h"
#include "updater/updater.h"

/* ---- the builtin families --------------------------------------------------
 * Each family file keeps its builtins in one const table (name, function,
 * argument range); register.c registers the tables in this order. */
extern const edify_reg upd_mount_builtins[], upd_format_builtins[], upd_extract_builtins[],
    upd_perms_builtins[], upd_files_builtins[], upd_props_builtins[], upd_raw_builtins[],
    upd_patch_builtins[], upd_misc_builtins[], upd_blockimg_builtins[];

/* ---- argument helpers ------------------------------------------------------
 * The evaluator has checked the argument count against the builtin's row.
 * Each returns -1 after recording the failure with edify_fail(). */

/* All arguments as strings: *out becomes a calloc'd array of argc strings
 * and a NULL (an argv), freed with upd_strings_free. */
int upd_strings_alloc(edify_state *st, const edify_call *call, char ***out);
void upd_strings_free(char **args, int argc);
/* All arguments as values (strings or blobs): *out a calloc'd array of
 * argc, freed with upd_values_free. */
int upd_values_alloc(edify_state *st, const edify_call *call, edify_value ***out);
void upd_values_free(edify_value **vals, int argc);
/* Resolves an absolute script path under RECOVERY_ROOT (malloc'd). */
char *upd_path(edify_state *st, const char *path);
/* For builtins taking a list of paths: resolves args[first..argc-1] in
 * turn and calls fn(arg, resolved, as_given, err) on each, stopping at the
 * first failure, which it records.  0 or -1. */
typedef int (*upd_path_fn)(void *arg, const char *path, const char *shown, ota_error *err);
int upd_each_path(edify_state *st, char *const *args, int first, int argc, upd_path_fn fn,
                  void *arg);
static inline updater_ctx *upd_ctx(edify_state *st) { return st->cookie; }
/* The fstab, loaded from /etc/recovery.fstab on first use. */
const ota_fstab *upd_fstab(edify_state *st);
edify_value *upd_true(void); /* "t" */

/* ---- numbers (pure) ------------------------------------------------------- */
/* Whole decimal (or 0x hex when base 0) text to a number; -1 on anything else. */
int upd_parse_u64(const char *s, int base, uint64_t *out);
int upd_parse_i64(const char *s, long long *out);

/* ---- devices ------------------------------------------------------------- */
/* A partition named by fstab mount point ("boot", "/boot") or by device
 * path ("/dev/block/..."), resolved under RECOVERY_ROOT (malloc'd). */
char *upd_partition_device(edify_state *st, const char *partition);
/* Writes all of fd's page cache out and drops it, so a read-back comes
 * from the device. */
int upd_flush_device(int fd, const char *what, ota_error *err);

/* ---- raw images ------------------------------------------------------------- */
/* An image in memory (mem) or in a file (fd, read with pread). */
typedef struct upd_image {
    const uint8_t *mem;
    int fd;
    uint64_t size;
    const char *shown; /* for messages */
} upd_image;
/* Writes img at offset 0 of dev (block device or file), flushes, reads it
 * back from the device and compares.  Fails before writing anything when
 * the image does not fit. */
int upd_image_write(const upd_image *img, const char *dev, const char *shown, ota_error *err);

/* Unmounts every mount of the block device dev (before it is formatted);
 * a regular file is left alone. */
int upd_unmount_device(updater_ctx *ctx, const char *dev, const char *shown, ota_error *err);

/* ---- walking a tree --------------------------------------------------------- */
/* One node of a walk: its path (resolved) and lstat, and for a directory
 * whether this is the visit after its contents. */
typedef struct upd_walk_node {
    const char *path;
    const struct stat *st;
    int post;
} upd_walk_node;
typedef int (*upd_walk_fn)(void *arg, const upd_walk_node *node, ota_error *err);
/* Calls visit for path and everything beneath it, never following a
 * symlink; a directory twice, before (post 0) and after (post 1) its
 * contents.  A node that cannot be read fails the walk, named without the
 * root; so does a missing path unless missing_ok.  Stops at the first
 * visit that returns -1. */
int upd_walk(const char *root, const char *path, int missing_ok, upd_walk_fn visit, void *arg,
             ota_error *err);

/* ---- child processes ------------------------------------------------------ */
/* Runs argv with otautil/spawn.h (argv[0] searched in PATH when it has no
 * '/'), waits, and gives its exit status (ota_exit_code: 128+N when killed
 * by signal N).  The child's stdin is /dev/null, and its stdout goes to our
 * stderr when our stdout is the command pipe, so it cannot garble the
 * protocol. */
int upd_spawn(updater_ctx *ctx, char *const argv[], int *status, ota_error *err);

/* ---- extraction path safety (pure but for the walk) ----------------------- */
/* 0 when rel is a safe relative name inside a destination: not empty, not
 * absolute, no empty, "." or ".." component.  A trailing '/' is allowed
 * (directory entries).  Otherwise -1 with the reason. */
int upd_relpath_check(const char *rel, ota_error *err);

/* Opens directories beneath a root fd one component at a time, never
 * following a symlink, creating missing ones with mode 0755.  Remembers the
 * last parent it opened, since zip entries come grouped by directory. */
typedef struct upd_beneath {
    int root_fd;
    char *cached_dir;  /* relative path of cached_fd, NULL when none */
    int cached_fd;
    const char *root_name; /* for messages */
} upd_beneath;

void upd_beneath_init(upd_beneath *b, int root_fd, const char *root_name);
void upd_beneath_release(upd_beneath *b);
/* The directory fd holding rel's last component (owned by b: do not
 * close), with *leaf pointing at that component inside rel. */
int upd_beneath_parent(upd_beneath *b, const char *rel, const char **leaf, ota_error *err);
/* Creates the directory rel (and its parents). */
int upd_beneath_mkdirs(upd_beneath *b, const char *rel, ota_error *err);

/* ---- extraction ------------------------------------------------------------ */
#define UPD_EXTRACT_SYNC 1u       /* fsync the file before naming it */
#define UPD_EXTRACT_NAMED_TEMP 2u /* never O_TMPFILE (as on kernels before 3.11) */
/* Writes a regular entry as leaf in dir_fd, mode 0644 and Android's fixed
 * time: into an unnamed file (O_TMPFILE) or a temporary name, named leaf
 * only when complete (replacing what was there atomically). */
int upd_extract_file_at(ota_zip *zip, const ota_zip_entry *e, int dir_fd, const char *leaf,
                        const char *display, unsigned flags, ota_error *err);
/* Makes leaf in dir_fd the symlink a symlink entry describes (replacing
 * what was there, atomically). */
int upd_extract_symlink_at(ota_zip *zip, const ota_zip_entry *e, int dir_fd, const char *leaf,
                           const char *display, ota_error *err);
/* The entries under prefix/ ("" for all) into dest (created if missing),
 * names checked first; up to max_threads threads (0: as many as useful);
 * flags as for upd_extract_file_at.  shown names dest in messages.  Syncs
 * dest's filesystem at the end. */
int upd_extract_dir(ota_zip *zip, const char *prefix, const char *dest, const char *shown,
                    int max_threads, unsigned flags, ota_error *err);
edify_value *upd_fn_package_extract_dir(edify_state *st, const edify_call *call);

/* Fails for a device path (location) that does not exist, saying what
 * the device's fstab has for mount_point (may be NULL or ""): no such
 * entry, another device, or the same one (a missing by-name link).  what
 * is the action ("mount /system"). */
edify_value *upd_fail_missing_device(edify_state *st, const char *what, const char *location,
                                     const char *mount_point);
/* Fails the running mount() or format() that names a raw NAND (MTD)
 * partition (otautil/fs_forms.h), with the fstab's volume in the
 * suggestion when the fstab can be read. */
edify_value *upd_fail_mtd(edify_state *st, const edify_call *call, char *const *args,
                          const ota_fs_call *c);

/* ---- mount() options (pure parsing) ---------------------------------------- */

/* Splits mount()'s comma-separated options into mount(2) flags (ro, nosuid,
 * noexec, ... on top of Android's noatime, nodev, nodiratime) and the
 * filesystem's data string.  -1 when data does not fit in datasz. */
int upd_mount_options(const char *options, unsigned long *flags, char *data, size_t datasz);

#endif
