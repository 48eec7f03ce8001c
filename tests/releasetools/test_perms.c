/* The set_perm minimiser: every plan, applied the way the updater applies
 * it, must leave every node exactly as the tree says; and it must use the
 * few calls Android's method gives on trees where that number is known. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/fs_tree.h"
#include "releasetools/perms.h"
#include "tests/common/testutil.h"

typedef struct state {
    uint32_t uid, gid, mode;
    const char *selabel;
    uint64_t caps;
} state;

static size_t add(rt_tree *t, const char *path, rt_node_type type, uint32_t uid, uint32_t gid,
                  uint32_t mode)
{
    size_t i = rt_tree_add(t, path, type, NULL);
    ck_assert_uint_ne(i, RT_NO_NODE);
    t->nodes[i].meta.uid = uid;
    t->nodes[i].meta.gid = gid;
    t->nodes[i].meta.mode = type == RT_NODE_SYMLINK ? 0777 : mode;
    return i;
}

static int under(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strcmp(path, top) == 0 || (strncmp(path, top, n) == 0 && path[n] == '/');
}

/* Applies the plan as the updater does (set_perm_recursive /
 * set_metadata_recursive reach every node below; symlinks keep their mode),
 * starting from garbage, and checks the result against the tree. */
static void check_plan_reaches_tree(const rt_tree *t, const rt_perm_plan *plan)
{
    state *st = malloc(t->count * sizeof *st);
    for (size_t i = 0; i < t->count; i++)
        st[i] = (state){4242, 4242, 01234, "garbage", 0xdead};
    for (size_t c = 0; c < plan->count; c++) {
        const rt_perm_cmd *cmd = &plan->cmds[c];
        for (size_t i = 0; i < t->count; i++) {
            const rt_node *n = &t->nodes[i];
            if (cmd->kind == RT_PERM_RECURSIVE ? !under(n->path, cmd->path)
                                               : strcmp(n->path, cmd->path) != 0)
                continue;
            st[i].uid = cmd->uid;
            st[i].gid = cmd->gid;
            if (cmd->selabel)
                st[i].selabel = cmd->selabel;
            if (n->type == RT_NODE_SYMLINK)
                continue;
            if (cmd->kind == RT_PERM_RECURSIVE) {
                st[i].mode = n->type == RT_NODE_DIR ? cmd->dmode : cmd->fmode;
                st[i].caps = 0;
            } else if (cmd->has_mode) {
                st[i].mode = cmd->mode;
                st[i].caps = cmd->capabilities;
            }
        }
    }
    for (size_t i = 0; i < t->count; i++) {
        const rt_node *n = &t->nodes[i];
        ck_assert_msg(st[i].uid == n->meta.uid && st[i].gid == n->meta.gid, "%s owner %u:%u",
                      n->path, st[i].uid, st[i].gid);
        if (n->type != RT_NODE_SYMLINK) {
            ck_assert_msg(st[i].mode == n->meta.mode, "%s mode 0%o, want 0%o", n->path, st[i].mode,
                          n->meta.mode);
            ck_assert_msg(st[i].caps == n->meta.capabilities, "%s capabilities", n->path);
        }
        if (n->meta.selabel)
            ck_assert_str_eq(st[i].selabel, n->meta.selabel);
    }
    free(st);
}

START_TEST(uniform_tree_takes_one_call)
{
    rt_tree t = {0};
    add(&t, "system/bin", RT_NODE_DIR, 0, 0, 0755);
    add(&t, "system/bin/a", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/bin/b", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/lib/x.so", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/lib/y", RT_NODE_SYMLINK, 0, 0, 0);
    ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
    rt_perm_plan plan;
    ck_assert_int_eq(rt_perms_plan(&t, t.root, &plan, NULL), 0);
    ck_assert_uint_eq(plan.count, 1);
    ck_assert_int_eq(plan.cmds[0].kind, RT_PERM_RECURSIVE);
    ck_assert_str_eq(plan.cmds[0].path, "system");
    ck_assert_uint_eq(plan.cmds[0].dmode, 0755);
    ck_assert_uint_eq(plan.cmds[0].fmode, 0644);
    ck_assert_int_eq(plan.needs_metadata, 0);
    check_plan_reaches_tree(&t, &plan);
    rt_perms_free(&plan);
    rt_tree_free(&t);
}
END_TEST

START_TEST(majority_wins_and_exceptions_get_own_calls)
{
    /* bin: mostly 0755 files -> one recursive call for bin; one setuid
     * exception; app: owned by 1000 -> recursive; a lone odd dir. */
    rt_tree t = {0};
    add(&t, "system/bin", RT_NODE_DIR, 0, 2000, 0755);
    for (int i = 0; i < 5; i++) {
        char p[32];
        snprintf(p, sizeof p, "system/bin/t%d", i);
        add(&t, p, RT_NODE_FILE, 0, 2000, 0755);
    }
    add(&t, "system/bin/su", RT_NODE_FILE, 0, 2000, 06755);
    add(&t, "system/app", RT_NODE_DIR, 1000, 1000, 0771);
    add(&t, "system/app/A.apk", RT_NODE_FILE, 1000, 1000, 0644);
    add(&t, "system/app/B.apk", RT_NODE_FILE, 1000, 1000, 0644);
    for (int i = 0; i < 8; i++) {
        char p[32];
        snprintf(p, sizeof p, "system/etc/f%d", i);
        add(&t, p, RT_NODE_FILE, 0, 0, 0644);
    }
    ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
    rt_perm_plan plan;
    ck_assert_int_eq(rt_perms_plan(&t, t.root, &plan, NULL), 0);
    /* system (0 0 755 644), app recursive, bin recursive, su: 4 calls */
    ck_assert_uint_eq(plan.count, 4);
    ck_assert_str_eq(plan.cmds[0].path, "system");
    ck_assert_uint_eq(plan.cmds[0].uid, 0);
    ck_assert_uint_eq(plan.cmds[0].gid, 0);
    ck_assert_str_eq(plan.cmds[1].path, "system/app");
    ck_assert_uint_eq(plan.cmds[1].dmode, 0771);
    ck_assert_str_eq(plan.cmds[2].path, "system/bin");
    ck_assert_uint_eq(plan.cmds[2].fmode, 0755);
    ck_assert_str_eq(plan.cmds[3].path, "system/bin/su");
    ck_assert_int_eq(plan.cmds[3].kind, RT_PERM_ONE);
    ck_assert_uint_eq(plan.cmds[3].mode, 06755);
    check_plan_reaches_tree(&t, &plan);
    rt_perms_free(&plan);
    rt_tree_free(&t);
}
END_TEST

START_TEST(symlinks_get_owner_only_and_capabilities_are_individual)
{
    rt_tree t = {0};
    add(&t, "system/bin/toolbox", RT_NODE_FILE, 0, 0, 0755);
    add(&t, "system/bin/ls", RT_NODE_SYMLINK, 1000, 1000, 0);
    size_t ping = add(&t, "system/bin/ping", RT_NODE_FILE, 0, 0, 0755);
    t.nodes[ping].meta.capabilities = 1u << 13;
    ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
    rt_perm_plan plan;
    ck_assert_int_eq(rt_perms_plan(&t, t.root, &plan, NULL), 0);
    ck_assert_int_eq(plan.needs_metadata, 1);
    int saw_link = 0, saw_ping = 0;
    for (size_t i = 0; i < plan.count; i++) {
        if (strcmp(plan.cmds[i].path, "system/bin/ls") == 0) {
            saw_link = 1;
            ck_assert_int_eq(plan.cmds[i].has_mode, 0);
            ck_assert_uint_eq(plan.cmds[i].uid, 1000);
        }
        if (strcmp(plan.cmds[i].path, "system/bin/ping") == 0) {
            saw_ping = 1;
            ck_assert_uint_eq(plan.cmds[i].capabilities, 1u << 13);
        }
        if (plan.cmds[i].kind == RT_PERM_RECURSIVE)
            ck_assert_uint_eq(plan.cmds[i].capabilities, 0);
    }
    ck_assert(saw_link && saw_ping);
    check_plan_reaches_tree(&t, &plan);
    rt_perms_free(&plan);
    rt_tree_free(&t);
}
END_TEST

START_TEST(labels_follow_the_majority)
{
    static const char *const labels[] = {"u:object_r:system_file:s0", "u:object_r:exec:s0"};
    rt_tree t = {0};
    for (int i = 0; i < 6; i++) {
        char p[40];
        snprintf(p, sizeof p, "system/bin/x%d", i);
        size_t n = add(&t, p, RT_NODE_FILE, 0, 0, 0755);
        t.nodes[n].meta.selabel = strdup(labels[i == 5]);
    }
    ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
    for (size_t i = 0; i < t.count; i++)
        if (!t.nodes[i].meta.selabel)
            t.nodes[i].meta.selabel = strdup(labels[0]);
    rt_perm_plan plan;
    ck_assert_int_eq(rt_perms_plan(&t, t.root, &plan, NULL), 0);
    ck_assert_str_eq(plan.cmds[0].selabel, labels[0]);
    check_plan_reaches_tree(&t, &plan);
    rt_perms_free(&plan);
    rt_tree_free(&t);
}
END_TEST

/* Random trees: whatever the mix, the plan reaches the tree, and it never
 * needs more calls than nodes. */
START_TEST(random_trees_are_reached)
{
    srand(1234 + (unsigned)_i);
    for (int round = 0; round < 40; round++) {
        rt_tree t = {0};
        int n = 1 + rand() % 120;
        for (int i = 0; i < n; i++) {
            char p[64];
            snprintf(p, sizeof p, "system/d%d/e%d/f%d", rand() % 4, rand() % 3, i);
            rt_node_type type = (rt_node_type)(rand() % 3);
            size_t k = add(&t, p, type, (uint32_t)(rand() % 3) * 1000, (uint32_t)(rand() % 2) * 1000,
                           (uint32_t[]){0644, 0755, 0600, 04755}[rand() % 4]);
            if (type == RT_NODE_FILE && rand() % 10 == 0)
                t.nodes[k].meta.capabilities = (uint64_t)1 << (rand() % 40);
        }
        ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
        for (size_t i = 0; i < t.count; i++)
            if (t.nodes[i].type == RT_NODE_DIR && rand() % 3 == 0)
                t.nodes[i].meta.mode = 0700;
        rt_perm_plan plan;
        ck_assert_int_eq(rt_perms_plan(&t, t.root, &plan, NULL), 0);
        ck_assert_uint_le(plan.count, t.count);
        check_plan_reaches_tree(&t, &plan);
        rt_perms_free(&plan);
        rt_tree_free(&t);
    }
}
END_TEST

START_TEST(tree_rejects_bad_paths_and_file_parents)
{
    rt_tree t = {0};
    ota_error err;
    ck_assert_uint_eq(rt_tree_add(&t, "system/../etc", RT_NODE_FILE, &err), RT_NO_NODE);
    ck_assert_uint_eq(rt_tree_add(&t, "/system/x", RT_NODE_FILE, &err), RT_NO_NODE);
    ck_assert_uint_eq(rt_tree_add(&t, "system//x", RT_NODE_FILE, &err), RT_NO_NODE);
    add(&t, "system/a", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/a/b", RT_NODE_FILE, 0, 0, 0644);
    ck_assert_int_eq(rt_tree_finish(&t, "system", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "system/a"));
    rt_tree_free(&t);
    add(&t, "system/a", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/a", RT_NODE_FILE, 0, 0, 0644);
    ck_assert_int_eq(rt_tree_finish(&t, "system", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "twice"));
    rt_tree_free(&t);
    add(&t, "vendor/a", RT_NODE_FILE, 0, 0, 0644);
    ck_assert_int_eq(rt_tree_finish(&t, "system", &err), -1);
    rt_tree_free(&t);
}
END_TEST

START_TEST(tree_adds_implied_directories_in_order)
{
    rt_tree t = {0};
    add(&t, "system/a/b/c", RT_NODE_FILE, 0, 0, 0644);
    add(&t, "system/a-b", RT_NODE_FILE, 0, 0, 0644);
    ck_assert_int_eq(rt_tree_finish(&t, "system", NULL), 0);
    ck_assert_uint_eq(t.count, 5);
    size_t a = rt_tree_find(&t, "system/a");
    ck_assert_uint_ne(a, RT_NO_NODE);
    ck_assert_int_eq(t.nodes[a].type, RT_NODE_DIR);
    size_t b = rt_tree_find(&t, "system/a/b");
    ck_assert_uint_eq(t.nodes[b].parent, a);
    ck_assert_uint_eq(t.nodes[a].parent, t.root);
    ck_assert_uint_eq(t.nodes[t.nodes[b].first_child].parent, b);
    rt_tree_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("releasetools-perms");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, uniform_tree_takes_one_call);
    tcase_add_test(tc, majority_wins_and_exceptions_get_own_calls);
    tcase_add_test(tc, symlinks_get_owner_only_and_capabilities_are_individual);
    tcase_add_test(tc, labels_follow_the_majority);
    tcase_add_loop_test(tc, random_trees_are_reached, 0, 5);
    tcase_add_test(tc, tree_rejects_bad_paths_and_file_parents);
    tcase_add_test(tc, tree_adds_implied_directories_in_order);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}
