#include "releasetools/perms.h"

#include <stdlib.h>
#include <string.h>

#define NO_MODE UINT32_MAX

/* What a node contributes to its ancestors' counts: owner, the mode a
 * recursive call would have to give it (dmode for directories, fmode for
 * files, neither for symlinks), and its label. */
typedef struct perm_key {
    uint32_t uid, gid, dmode, fmode;
    const char *selabel;
} perm_key;

typedef struct key_count {
    perm_key key;
    size_t count;
} key_count;

typedef struct histogram {
    key_count *items;
    size_t count, cap;
} histogram;

typedef struct perm_state {
    uint32_t uid, gid, dmode, fmode;
    const char *selabel;
    int valid;
} perm_state;

static int label_eq(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* Orders labels with NULL first, so ties break the same way every run. */
static int label_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int key_eq(const perm_key *a, const perm_key *b)
{
    return a->uid == b->uid && a->gid == b->gid && a->dmode == b->dmode &&
           a->fmode == b->fmode && label_eq(a->selabel, b->selabel);
}

static int hist_add(histogram *h, const perm_key *key, size_t count, ota_error *err)
{
    for (size_t i = 0; i < h->count; i++)
        if (key_eq(&h->items[i].key, key)) {
            h->items[i].count += count;
            return 0;
        }
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        key_count *n = realloc(h->items, cap * sizeof *n);
        if (!n)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        h->items = n;
        h->cap = cap;
    }
    h->items[h->count].key = *key;
    h->items[h->count].count = count;
    h->count++;
    return 0;
}

static perm_key node_key(const rt_node *n)
{
    perm_key k = {n->meta.uid, n->meta.gid, NO_MODE, NO_MODE, n->meta.selabel};
    if (n->type == RT_NODE_DIR)
        k.dmode = n->meta.mode;
    else if (n->type == RT_NODE_FILE)
        k.fmode = n->meta.mode;
    return k;
}

/* Per value, the total count; picks the largest, ties to the smaller
 * value.  `get` extracts the value compared. */
typedef struct tally {
    uint32_t values[64];
    size_t counts[64];
    size_t n;
} tally;

static void tally_add(tally *t, uint32_t v, size_t count)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->values[i] == v) {
            t->counts[i] += count;
            return;
        }
    if (t->n < sizeof t->values / sizeof t->values[0]) {
        t->values[t->n] = v;
        t->counts[t->n++] = count;
    }
}

static uint32_t tally_best(const tally *t, uint32_t dflt)
{
    uint32_t best = dflt;
    size_t best_count = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->counts[i] > best_count || (t->counts[i] == best_count && t->values[i] < best)) {
            best = t->values[i];
            best_count = t->counts[i];
        }
    return best;
}

static perm_state best_of(const histogram *h)
{
    perm_state best = {0, 0, 0755, 0644, NULL, 1};
    /* Owner first: the (uid, gid) pair most of the subtree has. */
    size_t best_count = 0;
    for (size_t i = 0; i < h->count; i++) {
        const perm_key *k = &h->items[i].key;
        size_t total = 0;
        for (size_t j = 0; j < h->count; j++)
            if (h->items[j].key.uid == k->uid && h->items[j].key.gid == k->gid)
                total += h->items[j].count;
        if (total > best_count ||
            (total == best_count &&
             (k->uid < best.uid || (k->uid == best.uid && k->gid < best.gid)))) {
            best_count = total;
            best.uid = k->uid;
            best.gid = k->gid;
        }
    }
    /* Then the modes and the label most of those nodes have. */
    tally dm = {{0}, {0}, 0}, fm = {{0}, {0}, 0};
    size_t label_best = 0;
    for (size_t i = 0; i < h->count; i++) {
        const perm_key *k = &h->items[i].key;
        if (k->uid != best.uid || k->gid != best.gid)
            continue;
        if (k->dmode != NO_MODE)
            tally_add(&dm, k->dmode, h->items[i].count);
        if (k->fmode != NO_MODE)
            tally_add(&fm, k->fmode, h->items[i].count);
        size_t lc = 0;
        for (size_t j = 0; j < h->count; j++)
            if (h->items[j].key.uid == best.uid && h->items[j].key.gid == best.gid &&
                label_eq(h->items[j].key.selabel, k->selabel))
                lc += h->items[j].count;
        if (lc > label_best || (lc == label_best && label_cmp(k->selabel, best.selabel) < 0)) {
            label_best = lc;
            best.selabel = k->selabel;
        }
    }
    best.dmode = tally_best(&dm, 0755);
    best.fmode = tally_best(&fm, 0644);
    return best;
}

typedef struct planner {
    const rt_tree *t;
    histogram *hists; /* per node index, directories only */
    rt_perm_plan *plan;
    ota_error *err;
} planner;

/* Post-order: each directory's histogram is its own key plus its
 * children's. Iterative, so deep trees cannot overflow the stack. */
static int count_subtrees(planner *p, size_t top)
{
    const rt_tree *t = p->t;
    size_t *stack = malloc(t->count * sizeof *stack);
    char *visited = calloc(t->count, 1);
    if (!stack || !visited) {
        free(stack);
        free(visited);
        return ota_error_set(p->err, OTA_ERR_NOMEM, "out of memory");
    }
    size_t sp = 0;
    int rc = 0;
    stack[sp++] = top;
    while (sp && rc == 0) {
        size_t i = stack[sp - 1];
        const rt_node *n = &t->nodes[i];
        if (!visited[i]) {
            visited[i] = 1;
            for (size_t c = n->first_child; c != RT_NO_NODE; c = t->nodes[c].next_sibling)
                if (t->nodes[c].type == RT_NODE_DIR)
                    stack[sp++] = c;
            continue;
        }
        sp--;
        histogram *h = &p->hists[i];
        perm_key own = node_key(n);
        rc = hist_add(h, &own, 1, p->err);
        for (size_t c = n->first_child; c != RT_NO_NODE && rc == 0; c = t->nodes[c].next_sibling) {
            const rt_node *child = &t->nodes[c];
            if (child->type == RT_NODE_DIR) {
                for (size_t k = 0; k < p->hists[c].count && rc == 0; k++)
                    rc = hist_add(h, &p->hists[c].items[k].key, p->hists[c].items[k].count, p->err);
            } else {
                perm_key k = node_key(child);
                rc = hist_add(h, &k, 1, p->err);
            }
        }
    }
    free(stack);
    free(visited);
    return rc;
}

static int emit(planner *p, const rt_perm_cmd *cmd)
{
    rt_perm_plan *plan = p->plan;
    rt_perm_cmd *n = realloc(plan->cmds, (plan->count + 1) * sizeof *n);
    if (!n)
        return ota_error_set(p->err, OTA_ERR_NOMEM, "out of memory");
    plan->cmds = n;
    plan->cmds[plan->count++] = *cmd;
    if (cmd->selabel || cmd->capabilities || (cmd->kind == RT_PERM_ONE && !cmd->has_mode))
        plan->needs_metadata = 1;
    return 0;
}

static int state_eq(const perm_state *a, const perm_state *b)
{
    return a->valid && b->valid && a->uid == b->uid && a->gid == b->gid &&
           a->dmode == b->dmode && a->fmode == b->fmode && label_eq(a->selabel, b->selabel);
}

/* A node needs its own call when what the enclosing recursive call gave it
 * differs from what it should have. */
static int node_differs(const rt_node *n, const perm_state *cur)
{
    if (n->meta.uid != cur->uid || n->meta.gid != cur->gid ||
        !label_eq(n->meta.selabel, cur->selabel))
        return 1;
    if (n->type == RT_NODE_DIR)
        return n->meta.mode != cur->dmode || n->meta.capabilities != 0;
    if (n->type == RT_NODE_FILE)
        return n->meta.mode != cur->fmode || n->meta.capabilities != 0;
    return 0;
}

static int plan_node(planner *p, size_t i, perm_state cur)
{
    const rt_tree *t = p->t;
    /* Explicit stack of (node, state) so depth is not limited by the C
     * stack; children are pushed in reverse to be visited in path order. */
    typedef struct frame {
        size_t node;
        perm_state cur;
    } frame;
    frame *stack = malloc(t->count * sizeof *stack);
    size_t *kids = malloc(t->count * sizeof *kids);
    if (!stack || !kids) {
        free(stack);
        free(kids);
        return ota_error_set(p->err, OTA_ERR_NOMEM, "out of memory");
    }
    size_t sp = 0;
    int rc = 0;
    stack[sp++] = (frame){i, cur};
    while (sp && rc == 0) {
        frame f = stack[--sp];
        const rt_node *n = &t->nodes[f.node];
        if (n->type == RT_NODE_DIR) {
            perm_state best = best_of(&p->hists[f.node]);
            if (!state_eq(&f.cur, &best)) {
                rt_perm_cmd c = {RT_PERM_RECURSIVE, n->path, best.uid, best.gid, best.dmode,
                                 best.fmode, 0, 0, best.selabel, 0};
                rc = emit(p, &c);
                f.cur = best;
            }
        }
        if (rc == 0 && node_differs(n, &f.cur)) {
            rt_perm_cmd c = {RT_PERM_ONE, n->path, n->meta.uid, n->meta.gid, 0, 0,
                             n->meta.mode, n->type != RT_NODE_SYMLINK, n->meta.selabel,
                             n->type == RT_NODE_SYMLINK ? 0 : n->meta.capabilities};
            rc = emit(p, &c);
        }
        if (n->type == RT_NODE_DIR) {
            size_t nk = 0;
            for (size_t c = n->first_child; c != RT_NO_NODE; c = t->nodes[c].next_sibling)
                kids[nk++] = c;
            while (nk)
                stack[sp++] = (frame){kids[--nk], f.cur};
        }
    }
    free(stack);
    free(kids);
    return rc;
}

int rt_perms_plan(const rt_tree *t, size_t top, rt_perm_plan *plan, ota_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (top >= t->count)
        return ota_error_set(err, OTA_ERR_ARGS, "rt_perms_plan: no such node");
    planner p = {t, calloc(t->count, sizeof(histogram)), plan, err};
    if (!p.hists)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = t->nodes[top].type == RT_NODE_DIR ? count_subtrees(&p, top) : 0;
    if (rc == 0)
        rc = plan_node(&p, top, (perm_state){0, 0, 0, 0, NULL, 0});
    for (size_t i = 0; i < t->count; i++)
        free(p.hists[i].items);
    free(p.hists);
    if (rc < 0)
        rt_perms_free(plan);
    return rc;
}

void rt_perms_free(rt_perm_plan *plan)
{
    free(plan->cmds);
    memset(plan, 0, sizeof *plan);
}
