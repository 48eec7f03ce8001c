/* The tree of one partition (paths, kinds, metadata, contents' identity) as
 * a target-files zip describes it: what the OTA generator compares, sets
 * permissions on and packs.  Nodes are kept sorted by path; the partition's
 * own directory is the node whose path is the partition name ("system"). */
#ifndef RELEASETOOLS_FS_TREE_H
#define RELEASETOOLS_FS_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "releasetools/fs_config.h"

#define RT_NO_NODE ((size_t)-1)

typedef enum rt_node_type { RT_NODE_FILE, RT_NODE_DIR, RT_NODE_SYMLINK } rt_node_type;

typedef struct rt_node {
    char *path;            /* "system/bin/sh" */
    rt_node_type type;
    rt_meta meta;
    char *link_target;     /* symlinks */
    uint64_t size;         /* files */
    uint8_t sha1[20];      /* files, once has_sha1 */
    int has_sha1;
    char *zip_name;        /* files: the entry in the target-files zip */
    uint8_t *data;         /* files made by the generator (no zip entry) */
    char *pkg_name;        /* files: name in the package, NULL: the path */
    size_t parent;         /* RT_NO_NODE for the root */
    size_t first_child, next_sibling; /* children in path order */
} rt_node;

typedef struct rt_tree {
    rt_node *nodes;
    size_t count, cap;
    size_t root;           /* index of the partition's directory */
} rt_tree;

/* Adds a node with default metadata (0 0 0755 for directories, 0644 for
 * files, 0777 for symlinks) and returns its index, or RT_NO_NODE.  path
 * must be partition-relative-with-prefix ("system/x"), without "." or ".."
 * components or a trailing slash. */
size_t rt_tree_add(rt_tree *t, const char *path, rt_node_type type, ota_error *err);
/* Sorts, adds missing parent directories, rejects duplicate paths and
 * files under files, and links parents and children.  Call after the last
 * rt_tree_add and before lookups. */
int rt_tree_finish(rt_tree *t, const char *root_name, ota_error *err);
/* Exact lookup (after rt_tree_finish); RT_NO_NODE when absent. */
size_t rt_tree_find(const rt_tree *t, const char *path);
void rt_tree_free(rt_tree *t);

/* Sets every node's metadata from cfg; nodes cfg does not list keep theirs. */
int rt_tree_apply_config(rt_tree *t, const rt_fs_config *cfg, ota_error *err);

/* 1 when path is a valid partition path: non-empty components, no "." or
 * "..", no empty components, no trailing slash. */
int rt_path_is_clean(const char *path);

#endif
