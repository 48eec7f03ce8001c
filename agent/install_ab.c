/* A/B devices: `ota_agent install` writes the slot that is not running.
 *
 *   1. the package is verified as recovery verifies it (whole-file
 *      signature and v1 JAR, one open file: every entry read later is
 *      checked against the manifest that verified) and checked with
 *      recovery's rule (device, downgrade; pre-build against the running
 *      build);
 *   2. every incremental source in the running slot is checked, then the
 *      upgrade-start hook may veto: nothing is written before this;
 *   3. the target slot is marked unbootable, so that no bootloader picks a
 *      half-written slot, and each partition is written and read back
 *      (install_ab_write.c);
 *   4. only then the target slot is set active (tries left, not yet
 *      successful), and upgrade-finish may reboot.
 * A run killed anywhere leaves the running slot as it was; the next run of
 * the same package (STATE_DIR/ab/install names it by its verified
 * manifest and index) resumes, another package starts over. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/fetch.h"
#include "agent/install_ab.h"
#include "otautil/metadata.h"
#include "otautil/safe_file.h"

#define PACKAGE_NAME "update.zip"
#define RECORD_MAX 4096

/* ---- the record ------------------------------------------------------------ */

static void record_path(const ab_job *j, char *out, size_t cap)
{
    if (snprintf(out, cap, "%s/" AB_RECORD, j->dir) >= (int)cap)
        out[0] = '\0';
}

static int record_save(ab_job *j, ota_error *err)
{
    ota_buf text = {0};
    char path[PATH_MAX];
    record_path(j, path, sizeof path);
    int rc = ota_props_format(&j->record, &text, err);
    if (rc == 0)
        rc = ota_replace_file(path, text.data, text.len, 0600, err);
    ota_buf_free(&text);
    return rc;
}

/* Everything in STATE_DIR/ab but the backups (restored first). */
static void clear_dir(ab_job *j, int backups_too)
{
    DIR *d = opendir(j->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t n = strlen(e->d_name);
        if (!backups_too && n > 7 && !strcmp(e->d_name + n - 7, ".backup"))
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* Loads the record; a different package or slot starts over. */
static int record_begin(ab_job *j, int *resuming, ota_error *err)
{
    *resuming = 0;
    if (mkdir(j->dir, 0700) < 0 && errno != EEXIST)
        return ota_error_errno(err, "cannot create %s", j->dir);
    char path[PATH_MAX], slot[16];
    record_path(j, path, sizeof path);
    snprintf(slot, sizeof slot, "%u", j->target);
    ota_props old = {0};
    ota_error ignored;
    if (ota_props_load(&old, path, RECORD_MAX, &ignored) == 0) {
        const char *t = ota_props_get(&old, "package"), *s = ota_props_get(&old, "slot");
        *resuming = t && s && !strcmp(t, j->token) && !strcmp(s, slot);
    }
    ota_props_free(&old);
    if (!*resuming) {
        if (ab_restore_abandoned(j, err) < 0)
            return -1;
        clear_dir(j, 0);
    }
    ota_props_free(&j->record);
    if (ota_props_set(&j->record, "package", j->token, err) < 0 ||
        ota_props_set(&j->record, "slot", slot, err) < 0 ||
        ota_props_set(&j->record, "target-build", j->a->status.target_build, err) < 0)
        return -1;
    return record_save(j, err);
}

/* ---- reading the package ------------------------------------------------- */

static int open_verified(ab_job *j, const char *path, ota_error *err)
{
    agent *a = j->a;
    agent_set_state(a, AGENT_VERIFYING);
    ota_keyset *keys = ota_keyset_load(a->cfg.keys, err);
    if (!keys)
        return -1;
    int fd = ota_open_regular(path, "package", NULL, err);
    ota_verify_info info;
    int rc = fd < 0 ? -1
                    : ota_verify_fd(fd, path, keys, OTA_VERIFY_REQUIRE_JAR, &info, &j->zip, err);
    if (fd >= 0)
        close(fd);
    ota_keyset_free(keys);
    if (rc < 0)
        return -1;
    ota_verified_token(&info, j->token);
    agent_log(a, "package signature verified (whole-file %s, v1 JAR)", info.hash_name);
    return 0;
}

static int check_metadata(ab_job *j, const agent_source *src, ota_error *err)
{
    ota_props md = {0};
    int rc = ota_metadata_read_zip(j->zip, j->shown, &md, err);
    if (rc == 0)
        rc = ota_metadata_check(&md, &j->a->device.build, err);
    const char *post = rc == 0 ? ota_props_get(&md, "post-build") : NULL;
    if (rc == 0 && src->target_build && (!post || strcmp(post, src->target_build) != 0))
        rc = ota_error_set(err, OTA_ERR_VERIFY, "the package builds '%s', the channel said '%s'",
                           post ? post : "(nothing)", src->target_build);
    if (rc == 0)
        snprintf(j->a->status.target_build, sizeof j->a->status.target_build, "%s",
                 post ? post : "");
    ota_props_free(&md);
    return rc;
}

static int read_entry(ab_job *j, const char *name, size_t max, uint8_t **data, size_t *len,
                      ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(j->zip, name);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no %s", j->shown, name);
    return ota_zip_read(j->zip, e, data, len, max, err);
}

/* The record of partitions and every transfer list, parsed and checked
 * against the devices before anything is written. */
static int load_parts(ab_job *j, ota_error *err)
{
    uint8_t *text = NULL;
    size_t len = 0;
    if (read_entry(j, OTA_AB_PARTITIONS_ENTRY, 64 * 1024, &text, &len, err) < 0)
        return -1;
    int rc = ota_ab_partitions_parse((const char *)text, len, &j->recs, err);
    free(text);
    if (rc < 0)
        return -1;
    if (!(j->parts = calloc(j->recs.count, sizeof *j->parts)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    /* Slotted partitions first: a single-copy one (a bootloader) changes
     * what the running slot boots with, so it goes last. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < j->recs.count; i++)
            if (j->recs.v[i].slotted == !pass)
                j->parts[j->nparts++].rec = &j->recs.v[i];
    for (size_t i = 0; i < j->nparts; i++) {
        ab_part *p = &j->parts[i];
        char name[OTA_AB_NAME_MAX + 32];
        snprintf(name, sizeof name, "%s" OTA_AB_LIST_SUFFIX, p->rec->name);
        if (read_entry(j, name, 64 * 1024 * 1024, &text, &len, err) < 0)
            return -1;
        rc = bi_transfer_parse(&p->tl, (const char *)text, len, err);
        free(text);
        if (rc < 0) {
            ota_error_prefix(err, "%s", name);
            return -1;
        }
        if (p->tl.total_blocks * BI_BLOCK_SIZE < p->rec->size)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s writes %llu blocks, fewer than the "
                                 "%llu bytes of the image", name,
                                 (unsigned long long)p->tl.total_blocks,
                                 (unsigned long long)p->rec->size);
        for (size_t c = 0; c < p->tl.ncmds; c++) {
            bi_cmd_type t = p->tl.cmds[c].type;
            p->reads_source |= t == BI_CMD_MOVE || t == BI_CMD_BSDIFF || t == BI_CMD_IMGDIFF;
            if (t == BI_CMD_STASH || t == BI_CMD_FREE)
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: an A/B list never stashes "
                                     "(line %zu)", name, p->tl.cmds[c].line);
        }
        if (p->reads_source && (!p->rec->slotted || !p->rec->source_ranges))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s reads the running slot but %s "
                                 "records no source", name, OTA_AB_PARTITIONS_ENTRY);
        j->total_blocks += p->tl.total_blocks;
    }
    return 0;
}

/* ---- the install ------------------------------------------------------------ */

static int hook(ab_job *j, const char *name, ota_error *err)
{
    agent *a = j->a;
    agent_hook_env env = {
        .kind = "ab",
        .current_build = a->status.current_build,
        .target_build = a->status.target_build,
        .package_url = a->status.package_url,
        .package = a->status.package_path,
        .state_dir = a->cfg.state_dir,
    };
    const char *args[] = {a->status.target_build, a->status.package_path, NULL};
    return agent_hook_run(&a->hooks, name, args, &env, NULL, err);
}

int ab_install(ab_job *j, const agent_source *src, ota_error *err)
{
    agent *a = j->a;
    if (check_metadata(j, src, err) < 0 || load_parts(j, err) < 0)
        return -1;
    if (agent_slots_open(&j->slots, &a->cfg, err) < 0)
        return -1;
    j->slots_open = 1;
    j->target = agent_slots_target(&j->slots);
    for (size_t i = 0; i < j->nparts; i++)
        if (ab_check_source(j, &j->parts[i], err) < 0)
            return -1;
    if (hook(j, "upgrade-start", err) < 0) {
        ota_error_prefix(err, "install refused");
        return -1;
    }
    int resuming;
    if (snprintf(j->dir, sizeof j->dir, "%s/" AB_DIR, a->cfg.state_dir) >= (int)sizeof j->dir)
        return ota_error_set(err, OTA_ERR_LIMIT, "state_dir %s: path too long", a->cfg.state_dir);
    if (record_begin(j, &resuming, err) < 0)
        return -1;
    const char *suffix = bootctl_suffix(j->slots.bc, j->target);
    agent_log(a, "%s %s into slot %s", resuming ? "resuming the install of" : "installing",
              a->status.target_build, suffix);
    agent_set_state(a, AGENT_WRITING);
    /* From here until set-active the bootloader must not pick the target. */
    if (bootctl_set_slot_as_unbootable(j->slots.bc, j->target, err) < 0) {
        ota_error_prefix(err, "marking slot %s unbootable before writing it", suffix);
        return -1;
    }
    for (size_t i = 0; i < j->nparts; i++) {
        ab_part *p = &j->parts[i];
        char key[OTA_AB_NAME_MAX + 8];
        snprintf(key, sizeof key, "%s.done", p->rec->name);
        if (!ota_props_get(&j->record, key)) {
            if (ab_write_partition(j, p, err) < 0) {
                ota_error_prefix(err, "partition %s", p->rec->name);
                return -1;
            }
            if (ota_props_set(&j->record, key, "yes", err) < 0 || record_save(j, err) < 0)
                return -1;
        }
        j->done_blocks += p->tl.total_blocks;
        agent_progress(a, j->done_blocks * BI_BLOCK_SIZE, j->total_blocks * BI_BLOCK_SIZE);
    }
    if (j->before_activate && j->before_activate(j, err) < 0)
        return -1;
    if (bootctl_set_active_boot_slot(j->slots.bc, j->target, err) < 0) {
        ota_error_prefix(err, "setting slot %s active", suffix);
        return -1;
    }
    agent_log(a, "slot %s holds %s, read back and set active: reboot to try it", suffix,
              a->status.target_build);
    clear_dir(j, 1);
    ota_props_free(&j->record);
    char slot[16];
    snprintf(slot, sizeof slot, "%u", j->target);
    /* What reconcile needs after the reboot: which slot was tried. */
    if (ota_props_set(&j->record, "installed-slot", slot, err) < 0 ||
        ota_props_set(&j->record, "target-build", a->status.target_build, err) < 0 ||
        record_save(j, err) < 0)
        return -1;
    agent_set_state(a, AGENT_WAITING_FOR_REBOOT);
    return hook(j, "upgrade-finish", err);
}

void ab_job_free(ab_job *j)
{
    for (size_t i = 0; i < j->nparts; i++)
        bi_transfer_free(&j->parts[i].tl);
    free(j->parts);
    ota_ab_partitions_free(&j->recs);
    ota_props_free(&j->record);
    if (j->slots_open)
        agent_slots_close(&j->slots);
    ota_zip_close(j->zip);
}

int agent_install_ab(agent *a, const agent_source *src, ota_error *err)
{
    if (!src)
        return 0; /* nothing to check before fetching */
    if (src->url && a->cfg.ab_stream)
        return ab_install_url(a, src, err);
    ab_job j = {.a = a};
    char dest[PATH_MAX];
    const char *path = src->path;
    snprintf(a->status.package_url, sizeof a->status.package_url, "%s",
             src->url ? src->url : src->path);
    snprintf(a->status.target_build, sizeof a->status.target_build, "%s",
             src->target_build ? src->target_build : "");
    a->status.fetched = 0;
    if (src->url) {
        snprintf(dest, sizeof dest, "%s/" PACKAGE_NAME, a->cfg.cache_dir);
        agent_set_state(a, AGENT_DOWNLOADING);
        if (agent_fetch_file(a, src->url, dest, src->size, src->sha256, err) < 0)
            return -1;
        path = dest;
    }
    snprintf(a->status.package_path, sizeof a->status.package_path, "%s", path);
    j.shown = path;
    int rc = open_verified(&j, path, err);
    if (rc < 0 && src->url)
        unlink(dest); /* never left where it could pass for a good package */
    if (rc == 0)
        rc = ab_install(&j, src, err);
    ab_job_free(&j);
    if (rc == 0 && src->url)
        unlink(dest);
    return rc;
}

/* ---- after the reboot ------------------------------------------------------- */

/* What the install left (STATE_DIR/ab/install after set-active): the slot
 * tried; -1 when there is none. */
static int installed_slot(agent *a, ota_props *rec)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" AB_DIR "/" AB_RECORD, a->cfg.state_dir);
    ota_error ignored;
    if (ota_props_load(rec, path, RECORD_MAX, &ignored) < 0)
        return -1;
    const char *s = ota_props_get(rec, "installed-slot");
    return s ? atoi(s) : -1;
}

void agent_reconcile_ab(agent *a)
{
    agent_state was = a->status.state;
    if (was != AGENT_WAITING_FOR_REBOOT && was != AGENT_NEEDS_MARK_GOOD)
        return;
    ota_props rec = {0};
    int slot = installed_slot(a, &rec);
    agent_slots s;
    ota_error err;
    if (slot < 0 || agent_slots_open(&s, &a->cfg, &err) < 0) {
        ota_props_free(&rec);
        return;
    }
    if (s.current == slot) {
        if (was == AGENT_WAITING_FOR_REBOOT) {
            agent_log(a, "booted %s from slot %s: waiting for mark-good",
                      a->status.target_build, bootctl_suffix(s.bc, (unsigned)slot));
            agent_set_state(a, AGENT_NEEDS_MARK_GOOD);
        }
    } else if (bootctl_is_slot_bootable(s.bc, (unsigned)slot, &err) == 0) {
        /* The bootloader gave the new slot up and came back here (before
         * it booted, or after it booted and was never marked good). */
        snprintf(a->status.last_error, sizeof a->status.last_error,
                 "slot %s (%s) did not boot to mark-good; the bootloader went back to slot %s",
                 bootctl_suffix(s.bc, (unsigned)slot), a->status.target_build,
                 bootctl_suffix(s.bc, (unsigned)s.current));
        agent_log(a, "%s", a->status.last_error);
        a->status.state = AGENT_ROLLED_BACK;
        agent_set_state(a, AGENT_ROLLED_BACK);
    }
    agent_slots_close(&s);
    ota_props_free(&rec);
}

int agent_mark_good_ab(agent *a, ota_error *err)
{
    agent_slots s;
    if (agent_slots_open(&s, &a->cfg, err) < 0)
        return -1;
    agent_hook_env env = {
        .kind = "ab",
        .current_build = a->status.current_build,
        .target_build = a->status.target_build,
        .state_dir = a->cfg.state_dir,
    };
    const char *args[] = {a->status.current_build, bootctl_suffix(s.bc, (unsigned)s.current),
                          NULL};
    int rc = agent_hook_run(&a->hooks, "health-check", args, &env, NULL, err);
    if (rc < 0)
        ota_error_prefix(err, "not marked good");
    else
        rc = bootctl_mark_boot_successful(s.bc, err);
    if (rc == 0) {
        agent_log(a, "slot %s (%s) marked successful", bootctl_suffix(s.bc, (unsigned)s.current),
                  a->status.current_build);
        if (a->status.state == AGENT_NEEDS_MARK_GOOD)
            agent_set_state(a, AGENT_IDLE);
    }
    agent_slots_close(&s);
    return rc;
}
