/* An incremental package: patches a device that runs the source build into
 * the target build.  The script first checks everything it will patch
 * (accepting files already patched, so an interrupted install can be run
 * again), then deletes what is in the way, unpacks new files and
 * directories, patches, deletes what the patches read, links and sets
 * permissions; each of those steps gives the same result when repeated.
 *
 * A target file with no source file at its path is patched from a removed
 * source file of the same name when there is one (the closest path wins),
 * as Android's releasetools do: a version directory that changes name
 * (lib/modules/6.1.0-54 -> 6.1.0-56) still gets patches, not whole files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/hash.h"
#include "releasetools/diff_pool.h"
#include "releasetools/ota_build.h"

typedef enum change { CH_SAME, CH_PATCH, CH_WHOLE, CH_NEW } change;

typedef struct file_change {
    size_t tnode, snode;   /* target node; the source it is patched from, or RT_NO_NODE */
    change kind;
    int moved;             /* the source is at another path */
    size_t job;            /* index into the jobs when diffed */
} file_change;

typedef struct plan {
    rt_build *tgt, *src;
    file_change *files;
    size_t nfiles;
    char *read_by_patch;   /* per source node: a moved patch reads it */
    rt_diff_job *jobs;     /* changed files, then the boot image */
    size_t njobs;
    size_t boot_job;       /* RT_NO_NODE when boot is unchanged or absent */
} plan;

/* Files the device itself reads while the script runs must change in one
 * step: a patch is applied atomically, an unpacked file is not. */
static int must_patch(const char *path)
{
    return strcmp(path, "system/build.prop") == 0;
}

static void sha1_hex(const uint8_t sha1[20], char out[41])
{
    ota_hex_encode(sha1, 20, out);
}

static char *abs_path(const char *path)
{
    char *p = malloc(strlen(path) + 2);
    if (p) {
        p[0] = '/';
        strcpy(p + 1, path);
    }
    return p;
}

typedef struct candidate {
    const char *base;      /* basename */
    size_t node;
} candidate;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    int c = strcmp(x->base, y->base);
    return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* A source path the target does not have, none of whose directories the
 * target turns into something else: such a file can stay until the
 * patches that read it have run. */
static int movable_source(const rt_tree *st, const rt_tree *tt, size_t i)
{
    if (st->nodes[i].type != RT_NODE_FILE || rt_tree_find(tt, st->nodes[i].path) != RT_NO_NODE)
        return 0;
    for (size_t a = st->nodes[i].parent; a != RT_NO_NODE; a = st->nodes[a].parent) {
        size_t ta = rt_tree_find(tt, st->nodes[a].path);
        if (ta != RT_NO_NODE && tt->nodes[ta].type != RT_NODE_DIR)
            return 0;
    }
    return 1;
}

/* How many trailing path components two paths share. */
static size_t common_tail(const char *a, const char *b)
{
    size_t n = 0;
    const char *pa = a + strlen(a), *pb = b + strlen(b);
    while (pa > a && pb > b) {
        const char *sa = pa, *sb = pb;
        while (sa > a && sa[-1] != '/')
            sa--;
        while (sb > b && sb[-1] != '/')
            sb--;
        if (pa - sa != pb - sb || memcmp(sa, sb, (size_t)(pa - sa)) != 0)
            break;
        n++;
        pa = sa > a ? sa - 1 : sa;
        pb = sb > b ? sb - 1 : sb;
    }
    return n;
}

/* The removed source file a new target file is best patched from. */
static size_t find_moved_source(const rt_tree *st, const candidate *cands, size_t ncands,
                                const char *path)
{
    candidate key = {base_name(path), 0};
    size_t lo = 0, hi = ncands;
    while (lo < hi) { /* first candidate with this basename */
        size_t mid = (lo + hi) / 2;
        if (strcmp(cands[mid].base, key.base) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t best = RT_NO_NODE, best_tail = 0;
    for (size_t i = lo; i < ncands && strcmp(cands[i].base, key.base) == 0; i++) {
        size_t tail = common_tail(st->nodes[cands[i].node].path, path);
        if (best == RT_NO_NODE || tail > best_tail) {
            best = cands[i].node;
            best_tail = tail;
        }
    }
    return best;
}

static void add_job(plan *p, file_change *fc, const rt_node *s, const rt_node *t)
{
    fc->kind = CH_PATCH;
    fc->job = p->njobs;
    rt_diff_job *j = &p->jobs[p->njobs++];
    j->name = t->path;
    j->src_entry = s->data ? NULL : s->zip_name;
    j->src_data = s->data;
    j->src_len = s->data ? s->size : 0;
    j->tgt_entry = t->data ? NULL : t->zip_name;
    j->tgt_data = t->data;
    j->tgt_len = t->data ? t->size : 0;
    j->weight = t->size;
}

static int classify(plan *p, ota_error *err)
{
    const rt_tree *tt = &p->tgt->tf.system, *st = &p->src->tf.system;
    p->files = calloc(tt->count + 1, sizeof *p->files);
    p->jobs = calloc(tt->count + 2, sizeof *p->jobs);
    p->read_by_patch = calloc(st->count + 1, 1);
    candidate *cands = calloc(st->count + 1, sizeof *cands);
    if (!p->files || !p->jobs || !p->read_by_patch || !cands) {
        free(cands);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    size_t ncands = 0;
    for (size_t i = 0; i < st->count; i++)
        if (movable_source(st, tt, i))
            cands[ncands++] = (candidate){base_name(st->nodes[i].path), i};
    qsort(cands, ncands, sizeof *cands, cmp_candidate);

    p->boot_job = RT_NO_NODE;
    for (size_t i = 0; i < tt->count; i++) {
        const rt_node *t = &tt->nodes[i];
        if (t->type != RT_NODE_FILE)
            continue;
        file_change *fc = &p->files[p->nfiles++];
        fc->tnode = i;
        fc->snode = rt_tree_find(st, t->path);
        fc->job = RT_NO_NODE;
        if (fc->snode != RT_NO_NODE && st->nodes[fc->snode].type != RT_NODE_FILE)
            fc->snode = RT_NO_NODE;
        if (fc->snode == RT_NO_NODE && t->size > 0) {
            fc->snode = find_moved_source(st, cands, ncands, t->path);
            fc->moved = fc->snode != RT_NO_NODE;
        }
        if (fc->snode == RT_NO_NODE) {
            fc->kind = CH_NEW;
            continue;
        }
        const rt_node *s = &st->nodes[fc->snode];
        if (!fc->moved && memcmp(s->sha1, t->sha1, 20) == 0) {
            fc->kind = CH_SAME;
            continue;
        }
        add_job(p, fc, s, t);
    }
    free(cands);
    const rt_image *sb = &p->src->boot, *tb = &p->tgt->boot;
    if (tb->present && sb->present && strcmp(sb->sha1, tb->sha1) != 0) {
        p->boot_job = p->njobs;
        rt_diff_job *j = &p->jobs[p->njobs++];
        j->name = "boot.img";
        j->src_data = sb->data.data;
        j->src_len = sb->data.len;
        j->tgt_data = tb->data.data;
        j->tgt_len = tb->data.len;
        j->weight = tb->data.len;
    }
    return 0;
}

/* Sends whole the files whose patch saves too little. */
static void choose_whole(plan *p)
{
    const rt_tree *tt = &p->tgt->tf.system;
    for (size_t i = 0; i < p->nfiles; i++) {
        file_change *fc = &p->files[i];
        if (fc->kind != CH_PATCH)
            continue;
        const rt_node *t = &tt->nodes[fc->tnode];
        if (!must_patch(t->path) &&
            (double)p->jobs[fc->job].patch_len > RT_PATCH_THRESHOLD * (double)t->size)
            fc->kind = fc->moved ? CH_NEW : CH_WHOLE;
        if (fc->kind == CH_PATCH && fc->moved)
            p->read_by_patch[fc->snode] = 1;
    }
}

/* A patched file's two ends: the SHA-1s (hex) of its target and source and
 * their device paths (malloc'd; the source differs when the file moved). */
typedef struct patch_ends {
    char th[41], sh[41];
    char *path, *from;
} patch_ends;

static int patch_ends_of(const rt_tree *tt, const rt_tree *st, const file_change *fc,
                         patch_ends *e)
{
    const rt_node *t = &tt->nodes[fc->tnode], *sn = &st->nodes[fc->snode];
    sha1_hex(t->sha1, e->th);
    sha1_hex(sn->sha1, e->sh);
    e->path = abs_path(t->path);
    e->from = abs_path(sn->path);
    if (e->path && e->from)
        return 0;
    free(e->path);
    free(e->from);
    return -1;
}

static void patch_ends_free(patch_ends *e)
{
    free(e->path);
    free(e->from);
}

static void emit_verify(rt_script *s, const plan *p, char *boot_spec)
{
    const rt_tree *tt = &p->tgt->tf.system, *st = &p->src->tf.system;
    uint64_t total = 1, done = 0, largest = 0;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].kind == CH_PATCH)
            total += st->nodes[p->files[i].snode].size;
    rt_script_print(s, "Verifying current system...");
    rt_script_show_progress(s, 0.1, 0);
    for (size_t i = 0; i < p->nfiles; i++) {
        const file_change *fc = &p->files[i];
        if (fc->kind != CH_PATCH)
            continue;
        const rt_node *sn = &st->nodes[fc->snode];
        patch_ends e;
        if (patch_ends_of(tt, st, fc, &e) < 0) {
            s->failed = 1;
            return;
        }
        const char *sums[2] = {e.th, e.sh};
        if (fc->moved)
            rt_script_patch_check_moved(s, e.path, e.th, e.from, e.sh);
        else
            rt_script_patch_check(s, e.path, sums, 2);
        patch_ends_free(&e);
        done += sn->size;
        if (sn->size > largest)
            largest = sn->size;
        rt_script_set_progress(s, (double)done / (double)total);
    }
    if (boot_spec) {
        const char *sums[2] = {p->tgt->boot.sha1, p->src->boot.sha1};
        rt_script_patch_check(s, boot_spec, sums, 2);
        if (p->src->boot.data.len > largest)
            largest = p->src->boot.data.len;
    }
    if (largest)
        rt_script_cache_space(s, largest);
}

/* Source nodes the target does not have (as the same kind).  Early, before
 * anything is unpacked: files and symlinks no patch reads, and directories
 * the target puts something else in place of.  Late, after the patches:
 * the files moved patches read, and the other removed directories. */
static int emit_deletions(rt_script *s, const plan *p, int late, ota_error *err)
{
    const rt_tree *tt = &p->tgt->tf.system, *st = &p->src->tf.system;
    const char **files = malloc((st->count + 1) * sizeof *files);
    const char **dirs = malloc((st->count + 1) * sizeof *dirs);
    /* 1: removed; 2: removed with a directory deleted early */
    char *removed = calloc(st->count + 1, 1);
    if (!files || !dirs || !removed) {
        free(files);
        free(dirs);
        free(removed);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    size_t nf = 0, nd = 0;
    /* A parent sorts before its children, so it is decided first. */
    for (size_t i = 0; i < st->count; i++) {
        const rt_node *sn = &st->nodes[i];
        size_t ti = rt_tree_find(tt, sn->path);
        if (ti != RT_NO_NODE && tt->nodes[ti].type == sn->type)
            continue;
        int parent_state = sn->parent != RT_NO_NODE ? removed[sn->parent] : 0;
        int in_the_way = ti != RT_NO_NODE; /* the target has another kind here */
        removed[i] = parent_state == 2 || (sn->type == RT_NODE_DIR && in_the_way) ? 2 : 1;
        if (parent_state == 2)
            continue; /* goes with its directory, early */
        if (sn->type == RT_NODE_DIR) {
            if (in_the_way ? !late : (late && parent_state == 0))
                dirs[nd++] = sn->path;
        } else if (p->read_by_patch[i] ? late : !late) {
            files[nf++] = sn->path;
        }
    }
    free(removed);
    if ((nf || nd) && !late)
        rt_script_print(s, "Removing unneeded files...");
    rt_script_delete(s, files, nf);
    rt_script_delete_recursive(s, dirs, nd);
    free(files);
    free(dirs);
    return 0;
}

static void emit_patches(rt_script *s, const plan *p, const char *boot_spec)
{
    const rt_tree *tt = &p->tgt->tf.system, *st = &p->src->tf.system;
    uint64_t total = 1, done = 0;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].kind == CH_PATCH)
            total += tt->nodes[p->files[i].tnode].size;
    if (boot_spec)
        total += p->tgt->boot.data.len;
    rt_script_show_progress(s, 0.8, 0);
    if (total > 1)
        rt_script_print(s, "Patching system files...");
    for (size_t i = 0; i < p->nfiles; i++) {
        const file_change *fc = &p->files[i];
        if (fc->kind != CH_PATCH)
            continue;
        const rt_node *t = &tt->nodes[fc->tnode];
        char entry[4200];
        snprintf(entry, sizeof entry, "patch/%s.p", t->path);
        patch_ends e;
        if (patch_ends_of(tt, st, fc, &e) < 0) {
            s->failed = 1;
            return;
        }
        if (fc->moved)
            rt_script_apply_patch(s, e.from, e.path, e.th, t->size, e.sh, entry);
        else
            rt_script_apply_patch(s, e.path, NULL, e.th, t->size, e.sh, entry);
        patch_ends_free(&e);
        done += t->size;
        rt_script_set_progress(s, (double)done / (double)total);
    }
    if (boot_spec) {
        rt_script_print(s, "Patching boot image...");
        rt_script_apply_patch(s, boot_spec, NULL, p->tgt->boot.sha1, p->tgt->boot.data.len,
                              p->src->boot.sha1, "patch/boot.img.p");
        rt_script_set_progress(s, 1.0);
    }
}

/* New and wholly replaced files, and new directories, into the package;
 * the script unpacks each top-level package folder that got something. */
static int add_unpacked(rt_pkg *pkg, rt_script *s, plan *p, ota_error *err)
{
    const rt_tree *tt = &p->tgt->tf.system, *st = &p->src->tf.system;
    int system_used = 0, recovery_used = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        const file_change *fc = &p->files[i];
        if (fc->kind != CH_NEW && fc->kind != CH_WHOLE)
            continue;
        const rt_node *t = &tt->nodes[fc->tnode];
        if (rt_add_node_file(pkg, p->tgt, t, err) < 0)
            return -1;
        if (strncmp(rt_node_pkg_name(t), "recovery/", 9) == 0)
            recovery_used = 1;
        else
            system_used = 1;
    }
    for (size_t i = 0; i < tt->count; i++) {
        const rt_node *t = &tt->nodes[i];
        if (t->type != RT_NODE_DIR || i == tt->root)
            continue;
        size_t si = rt_tree_find(st, t->path);
        if (si != RT_NO_NODE && st->nodes[si].type == RT_NODE_DIR)
            continue;
        if (rt_pkg_add_dir(pkg, t->path, t->meta.mode, err) < 0)
            return -1;
        system_used = 1;
    }
    if (system_used || recovery_used)
        rt_script_print(s, "Unpacking new files...");
    if (recovery_used)
        rt_script_extract_dir(s, "recovery", p->tgt->system_part->mount_point);
    if (system_used)
        rt_script_extract_dir(s, "system", p->tgt->system_part->mount_point);
    return 0;
}

/* A target symlink needs making unless the source had the same one. */
static int link_changed(const rt_node *t, void *ctx)
{
    const rt_tree *st = ctx;
    size_t si = rt_tree_find(st, t->path);
    return si == RT_NO_NODE || st->nodes[si].type != RT_NODE_SYMLINK ||
           strcmp(st->nodes[si].link_target, t->link_target) != 0;
}

static int add_patches(rt_pkg *pkg, plan *p, ota_error *err)
{
    const rt_tree *tt = &p->tgt->tf.system;
    for (size_t i = 0; i < p->nfiles; i++) {
        const file_change *fc = &p->files[i];
        if (fc->kind != CH_PATCH)
            continue;
        char entry[4200];
        snprintf(entry, sizeof entry, "patch/%s.p", tt->nodes[fc->tnode].path);
        rt_diff_job *j = &p->jobs[fc->job];
        if (rt_pkg_add_data(pkg, entry, j->patch, j->patch_len, OTA_ZIP_STORE, 0, err) < 0)
            return -1;
    }
    if (p->boot_job != RT_NO_NODE) {
        rt_diff_job *j = &p->jobs[p->boot_job];
        if (rt_pkg_add_data(pkg, "patch/boot.img.p", j->patch, j->patch_len, OTA_ZIP_STORE, 0,
                            err) < 0)
            return -1;
    }
    return 0;
}

int rt_ota_incremental(rt_build *tgt, rt_build *src, const char *output, const rt_ota_opts *opts,
                       ota_error *err)
{
    if (strcmp(tgt->device, src->device) != 0)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "source %s is for device \"%s\" but target %s is for \"%s\"",
                             src->tf.path, src->device, tgt->tf.path, tgt->device);
    plan p = {.tgt = tgt, .src = src};
    rt_script s = {0};
    rt_pkg pkg = {.payload = opts->payload};
    char *boot_spec = NULL;
    int rc = -1;

    rt_progress_report(&opts->progress, "hashing", 0, 2);
    if (rt_tf_hash_system(&src->tf, err) < 0)
        goto out;
    rt_progress_report(&opts->progress, "hashing", 1, 2);
    if (rt_tf_hash_system(&tgt->tf, err) < 0)
        goto out;
    rt_progress_report(&opts->progress, "hashing", 2, 2);
    if (classify(&p, err) < 0)
        goto out;
    if (rt_diff_run(p.jobs, p.njobs, src->tf.path, tgt->tf.path, opts->threads,
                    opts->patch_formats, &opts->progress, err) < 0)
        goto out;
    choose_whole(&p);
    if (p.boot_job != RT_NO_NODE && !(boot_spec = rt_boot_emmc_spec(tgt, src))) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }

    rt_script_assert_device(&s, tgt->device);
    rt_script_mount(&s, tgt->system_part);
    rt_script_assert_fingerprint(&s, tgt->system_part->mount_point, src->fingerprint,
                                 tgt->fingerprint);
    emit_verify(&s, &p, boot_spec);
    if (opts->wipe_data && rt_emit_wipe_data(&s, tgt, err) < 0)
        goto out;
    if (emit_deletions(&s, &p, 0, err) < 0)
        goto out;
    /* New directories first: moved patches write into them. */
    if (add_unpacked(&pkg, &s, &p, err) < 0)
        goto out;
    emit_patches(&s, &p, boot_spec);
    if (tgt->boot.present && !src->boot.present) {
        rt_script_print(&s, "Writing boot image...");
        rt_script_write_raw_image(&s, "boot.img", rt_tf_partition(&tgt->tf, "/boot", NULL));
        if (rt_pkg_add_data(&pkg, "boot.img", tgt->boot.data.data, tgt->boot.data.len,
                            OTA_ZIP_DEFLATE, 0, err) < 0)
            goto out;
    }
    if (emit_deletions(&s, &p, 1, err) < 0)
        goto out;
    rt_script_show_progress(&s, 0.1, 10);
    rt_script_print(&s, "Symlinks and permissions...");
    rt_emit_symlinks(&s, &tgt->tf.system, link_changed, &src->tf.system);
    if (rt_emit_permissions(&s, &tgt->tf.system, err) < 0)
        goto out;
    if (opts->extra_script)
        rt_script_append(&s, opts->extra_script, strlen(opts->extra_script));
    rt_script_unmount(&s, tgt->system_part->mount_point);

    if (rt_add_script(&pkg, &s, err) < 0 || rt_add_update_binary(&pkg, tgt, opts, err) < 0 ||
        rt_add_metadata(&pkg, tgt, src, 0, err) < 0 || add_patches(&pkg, &p, err) < 0)
        goto out;
    rt_progress_report(&opts->progress, "writing", 0, 1);
    rc = rt_pkg_write(&pkg, output, err);
    rt_progress_report(&opts->progress, "writing", 1, 1);
out:
    free(boot_spec);
    rt_diff_jobs_free(p.jobs, p.njobs);
    free(p.jobs);
    free(p.files);
    free(p.read_by_patch);
    rt_script_free(&s);
    rt_pkg_free(&pkg);
    return rc;
}
