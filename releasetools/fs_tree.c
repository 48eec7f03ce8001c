#include "releasetools/fs_tree.h"

#include <stdlib.h>
#include <string.h>

int rt_path_is_clean(const char *path)
{
    if (!*path || *path == '/')
        return 0;
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!slash)
            break;
        p = slash + 1;
        if (!*p)
            return 0;
    }
    return 1;
}

size_t rt_tree_add(rt_tree *t, const char *path, rt_node_type type, ota_error *err)
{
    if (!rt_path_is_clean(path)) {
        ota_error_set(err, OTA_ERR_FORMAT, "bad path \"%s\" (empty, absolute, or with . or ..)",
                      path);
        return RT_NO_NODE;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        rt_node *n = realloc(t->nodes, cap * sizeof *n);
        if (!n) {
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            return RT_NO_NODE;
        }
        t->nodes = n;
        t->cap = cap;
    }
    rt_node *node = &t->nodes[t->count];
    memset(node, 0, sizeof *node);
    if (!(node->path = strdup(path))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return RT_NO_NODE;
    }
    node->type = type;
    node->meta.mode = type == RT_NODE_DIR ? 0755 : type == RT_NODE_SYMLINK ? 0777 : 0644;
    node->parent = node->first_child = node->next_sibling = RT_NO_NODE;
    return t->count++;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const rt_node *)a)->path, ((const rt_node *)b)->path);
}

size_t rt_tree_find(const rt_tree *t, const char *path)
{
    rt_node key = {.path = (char *)path};
    const rt_node *n = t->count ? bsearch(&key, t->nodes, t->count, sizeof key, cmp_node) : NULL;
    return n ? (size_t)(n - t->nodes) : RT_NO_NODE;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the directories that nodes' paths imply but nobody listed. */
static int add_missing_parents(rt_tree *t, const char *root_name, ota_error *err)
{
    char **dirs = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++) {
        const char *p = t->nodes[i].path;
        for (const char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                char **nd = realloc(dirs, cap * sizeof *nd);
                if (!nd) {
                    rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
                    break;
                }
                dirs = nd;
            }
            if (!(dirs[n] = strndup(p, (size_t)(slash - p)))) {
                rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
                break;
            }
            n++;
        }
    }
    if (rc == 0) {
        qsort(t->nodes, t->count, sizeof *t->nodes, cmp_node);
        if (n)
            qsort(dirs, n, sizeof *dirs, cmp_str);
        size_t listed = t->count; /* the sorted part that lookups may search */
        rt_tree sorted = {.nodes = t->nodes, .count = listed};
        if (rt_tree_find(&sorted, root_name) == RT_NO_NODE &&
            rt_tree_add(t, root_name, RT_NODE_DIR, err) == RT_NO_NODE)
            rc = -1;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0 && strcmp(dirs[i], dirs[i - 1]) == 0)
                continue;
            if (strcmp(dirs[i], root_name) == 0)
                continue;
            sorted.nodes = t->nodes;
            if (rt_tree_find(&sorted, dirs[i]) == RT_NO_NODE &&
                rt_tree_add(t, dirs[i], RT_NODE_DIR, err) == RT_NO_NODE)
                rc = -1;
        }
        qsort(t->nodes, t->count, sizeof *t->nodes, cmp_node);
    }
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    return rc;
}

int rt_tree_finish(rt_tree *t, const char *root_name, ota_error *err)
{
    size_t root_len = strlen(root_name);
    for (size_t i = 0; i < t->count; i++) {
        const char *p = t->nodes[i].path;
        if (strncmp(p, root_name, root_len) != 0 || (p[root_len] && p[root_len] != '/'))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s is not under %s/", p, root_name);
    }
    if (add_missing_parents(t, root_name, err) < 0)
        return -1;
    for (size_t i = 1; i < t->count; i++)
        if (strcmp(t->nodes[i - 1].path, t->nodes[i].path) == 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s appears twice", t->nodes[i].path);
    t->root = rt_tree_find(t, root_name);
    if (t->nodes[t->root].type != RT_NODE_DIR)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s is not a directory", root_name);
    /* Children are appended in path order, so every list ends up sorted. */
    size_t *last_child = malloc(t->count * sizeof *last_child);
    if (!last_child)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->count; i++) {
        last_child[i] = RT_NO_NODE;
        t->nodes[i].parent = t->nodes[i].first_child = t->nodes[i].next_sibling = RT_NO_NODE;
    }
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++) {
        if (i == t->root)
            continue;
        char *dir = strdup(t->nodes[i].path);
        if (!dir) {
            rc = ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
            break;
        }
        *strrchr(dir, '/') = '\0';
        size_t p = rt_tree_find(t, dir);
        free(dir);
        if (t->nodes[p].type != RT_NODE_DIR) {
            rc = ota_error_set(err, OTA_ERR_FORMAT, "%s is inside %s, which is not a directory",
                               t->nodes[i].path, t->nodes[p].path);
            break;
        }
        t->nodes[i].parent = p;
        if (last_child[p] == RT_NO_NODE)
            t->nodes[p].first_child = i;
        else
            t->nodes[last_child[p]].next_sibling = i;
        last_child[p] = i;
    }
    free(last_child);
    return rc;
}

int rt_tree_apply_config(rt_tree *t, const rt_fs_config *cfg, ota_error *err)
{
    for (size_t i = 0; i < t->count; i++) {
        const rt_meta *m = rt_fs_config_find(cfg, t->nodes[i].path);
        if (!m)
            continue;
        rt_meta copy;
        if (rt_meta_copy(&copy, m, err) < 0)
            return -1;
        rt_meta_free(&t->nodes[i].meta);
        t->nodes[i].meta = copy;
    }
    return 0;
}

void rt_tree_free(rt_tree *t)
{
    for (size_t i = 0; i < t->count; i++) {
        rt_node *n = &t->nodes[i];
        free(n->path);
        rt_meta_free(&n->meta);
        free(n->link_target);
        free(n->zip_name);
        free(n->data);
        free(n->pkg_name);
    }
    free(t->nodes);
    memset(t, 0, sizeof *t);
}
