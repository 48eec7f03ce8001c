/* META/filesystem_config.txt: one line per path of a partition,
 *     system/PATH UID GID MODE [selabel=LABEL] [capabilities=0xHEX]
 * MODE is octal permission bits (setuid/setgid/sticky included).  The
 * partition's own directory is the line whose path is just "system".
 * capabilities is the 64-bit mask Android's set_metadata takes (the
 * permitted set; the effective flag is implied, as on Android; the
 * attribute itself is otautil/caps.h's).  Not Android's: a path with white
 * space, a control character or a backslash has each such byte written
 * as \NNN (octal, as in /proc/mounts), so such names round-trip; Android
 * writes no such paths. */
#ifndef RELEASETOOLS_FS_CONFIG_H
#define RELEASETOOLS_FS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct rt_meta {
    uint32_t uid, gid;
    uint32_t mode;          /* permission bits only (07777) */
    char *selabel;          /* NULL: none */
    uint64_t capabilities;  /* 0: none */
} rt_meta;

typedef struct rt_fs_config_entry {
    char *path;             /* "system/bin/sh" */
    rt_meta meta;
} rt_fs_config_entry;

typedef struct rt_fs_config {
    rt_fs_config_entry *entries;  /* sorted by path once parsed or sorted */
    size_t count;
} rt_fs_config;

/* Parses a filesystem_config.txt; errors name the line.  Duplicate paths
 * are an error.  The result is sorted. */
int rt_fs_config_parse(rt_fs_config *cfg, const char *text, size_t len, ota_error *err);
/* Adds an entry (copies path and selabel); call rt_fs_config_sort before
 * lookups or formatting. */
int rt_fs_config_add(rt_fs_config *cfg, const char *path, const rt_meta *meta, ota_error *err);
void rt_fs_config_sort(rt_fs_config *cfg);
const rt_meta *rt_fs_config_find(const rt_fs_config *cfg, const char *path);
int rt_fs_config_format(const rt_fs_config *cfg, ota_buf *out, ota_error *err);
void rt_fs_config_free(rt_fs_config *cfg);

/* Deep copy / release of one rt_meta's owned string. */
int rt_meta_copy(rt_meta *dst, const rt_meta *src, ota_error *err);
void rt_meta_free(rt_meta *meta);
/* 1 when all fields are equal (labels compared as strings, NULL == NULL). */
int rt_meta_equal(const rt_meta *a, const rt_meta *b);

#endif
