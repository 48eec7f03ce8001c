/* package_extract_dir: a directory of the package onto the device.
 *
 * All names are checked before anything is written.  The entries are then
 * written by a few threads sharing the one open package (the zip layer's
 * reads are positioned, and in verified mode every thread's reads are
 * checked: nothing is ever reopened by path), since inflating is what takes
 * the time and devices have several cores; each thread opens directories
 * beneath the destination without following symlinks (upd_beneath).  One
 * syncfs at the end makes it all durable. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/zip.h"
#include "updater/builtins.h"

#define MAX_THREADS 4
/* Below this much data a second thread costs more than it saves. */
#define PARALLEL_MIN_BYTES (4u << 20)

/* The entries under the prefix, in package order. */
typedef struct dir_plan {
    size_t *indexes; /* central directory positions */
    size_t count;
    uint64_t bytes;
} dir_plan;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *relative(const ota_zip_entry *e, size_t plen)
{
    return e->name + (plen ? plen + 1 : 0);
}

/* Refuses an entry that lies below (or, as a directory, at) a symlink entry:
 * it would be written through the link. */
static int check_not_below_link(const char *name, const char *rel, const char **links,
                                size_t nlinks, ota_error *err)
{
    char *copy = strdup(rel);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    size_t len = strlen(copy);
    int is_dir = len > 0 && copy[len - 1] == '/';
    int rc = 0;
    for (char *s = strchr(copy, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
        if (s[1] == '\0' && !is_dir)
            break;
        *s = '\0';
        const char *key = copy;
        if (bsearch(&key, links, nlinks, sizeof *links, cmp_str))
            rc = ota_error_set(err, OTA_ERR_FORMAT, "refusing entry \"%s\": its path goes "
                               "through the symlink entry \"%s\"", name, copy);
        *s = '/';
    }
    free(copy);
    return rc;
}

static int plan_dir(ota_zip *zip, const char *prefix, dir_plan *plan, ota_error *err)
{
    size_t plen = strlen(prefix), n = ota_zip_count(zip), nlinks = 0;
    memset(plan, 0, sizeof *plan);
    plan->indexes = calloc(n ? n : 1, sizeof *plan->indexes);
    const char **links = calloc(n ? n : 1, sizeof *links);
    if (!plan->indexes || !links) {
        free(links);
        free(plan->indexes);
        plan->indexes = NULL;
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory planning the extraction");
    }
    for (size_t i = 0; i < n; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (plen && (strncmp(e->name, prefix, plen) != 0 || e->name[plen] != '/'))
            continue;
        const char *rel = relative(e, plen);
        if (rel[0] == '\0')
            continue; /* the directory entry of prefix itself */
        if (upd_relpath_check(rel, err) < 0) {
            ota_error_prefix(err, "refusing entry \"%s\"", e->name);
            goto fail;
        }
        plan->indexes[plan->count++] = i;
        plan->bytes += e->size;
        if (e->is_symlink)
            links[nlinks++] = rel;
    }
    qsort(links, nlinks, sizeof *links, cmp_str);
    for (size_t i = 0; i < plan->count && nlinks; i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, plan->indexes[i]);
        if (check_not_below_link(e->name, relative(e, plen), links, nlinks, err) < 0)
            goto fail;
    }
    free(links);
    return 0;
fail:
    free(links);
    free(plan->indexes);
    plan->indexes = NULL;
    return -1;
}

/* Shared by the threads of one extraction. */
typedef struct extract_job {
    ota_zip *zip;
    const dir_plan *plan;
    size_t plen;
    int dest_fd;
    const char *shown;
    unsigned flags;
    atomic_size_t next;   /* the next plan position to take */
    atomic_int failed;
    pthread_mutex_t lock; /* guards err and err_at */
    ota_error err;        /* the failure of the earliest entry that failed */
    size_t err_at;
} extract_job;

static void record_failure(extract_job *job, size_t at, const ota_error *err)
{
    pthread_mutex_lock(&job->lock);
    if (!atomic_load(&job->failed) || at < job->err_at) {
        job->err = *err;
        job->err_at = at;
    }
    atomic_store(&job->failed, 1);
    pthread_mutex_unlock(&job->lock);
}

static int extract_one(ota_zip *zip, const ota_zip_entry *e, const char *rel, upd_beneath *walk,
                       const char *shown, unsigned flags, ota_error *err)
{
    if (e->is_dir)
        return upd_beneath_mkdirs(walk, rel, err);
    char display[4096];
    snprintf(display, sizeof display, "%s/%s", shown, rel);
    const char *leaf;
    int dir_fd = upd_beneath_parent(walk, rel, &leaf, err);
    if (dir_fd < 0)
        return -1;
    return e->is_symlink ? upd_extract_symlink_at(zip, e, dir_fd, leaf, display, err)
                         : upd_extract_file_at(zip, e, dir_fd, leaf, display, flags, err);
}

/* Takes entries until none are left or some thread failed. */
static void work(extract_job *job, ota_zip *zip)
{
    upd_beneath walk;
    upd_beneath_init(&walk, job->dest_fd, job->shown);
    while (!atomic_load(&job->failed)) {
        size_t at = atomic_fetch_add(&job->next, 1);
        if (at >= job->plan->count)
            break;
        const ota_zip_entry *e = ota_zip_entry_at(zip, job->plan->indexes[at]);
        ota_error err;
        if (extract_one(zip, e, relative(e, job->plen), &walk, job->shown, job->flags, &err) < 0)
            record_failure(job, at, &err);
    }
    upd_beneath_release(&walk);
}

static void *worker(void *arg)
{
    extract_job *job = arg;
    work(job, job->zip);
    return NULL;
}

static int thread_count(const dir_plan *plan)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (plan->bytes < PARALLEL_MIN_BYTES || plan->count < 2 || cpus < 2)
        return 1;
    return cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

/* mkdir -p of the script-given (trusted) destination. */
static int mkdir_parents(const char *path, ota_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (char *s = copy + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
            ota_error_errno(err, "cannot create directory %s", copy);
            free(copy);
            return -1;
        }
        if (c == '\0')
            break;
        *s = c;
    }
    free(copy);
    return 0;
}

int upd_extract_dir(ota_zip *zip, const char *prefix, const char *dest, const char *shown,
                    int max_threads, unsigned flags, ota_error *err)
{
    dir_plan plan;
    if (plan_dir(zip, prefix, &plan, err) < 0)
        return -1;
    int rc = -1;
    int dest_fd = -1;
    if (mkdir_parents(dest, err) < 0)
        goto out;
    dest_fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dest_fd < 0) {
        ota_error_errno(err, "cannot open destination %s", shown);
        goto out;
    }
    extract_job job = {.zip = zip, .plan = &plan, .plen = strlen(prefix),
                       .dest_fd = dest_fd, .shown = shown, .flags = flags};
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);
    pthread_mutex_init(&job.lock, NULL);
    int nthreads = thread_count(&plan);
    if (max_threads > 0 && nthreads > max_threads)
        nthreads = max_threads;
    pthread_t threads[MAX_THREADS];
    int started = 0;
    for (int i = 1; i < nthreads; i++) {
        if (pthread_create(&threads[started], NULL, worker, &job) != 0)
            break; /* fewer helpers is still correct */
        started++;
    }
    work(&job, zip);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&job.lock);
    if (atomic_load(&job.failed)) {
        if (err)
            *err = job.err;
        goto out;
    }
    /* One flush for the whole tree: as safe as a sync per file for an
     * install that is rerun from the start after a power loss, and far
     * faster. */
    if (syncfs(dest_fd) < 0) {
        ota_error_errno(err, "syncing the filesystem of %s failed", shown);
        goto out;
    }
    rc = 0;
out:
    if (dest_fd >= 0)
        close(dest_fd);
    free(plan.indexes);
    return rc;
}

/* package_extract_dir(package_dir, dest_dir) */
edify_value *upd_fn_package_extract_dir(edify_state *st, const edify_call *call)
{
    char *args[2];
    if (edify_eval_strings(st, 2, call->argv, args) < 0)
        return NULL;
    edify_value *result = NULL;
    char *dest = upd_path(st, args[1]);
    if (dest) {
        char *prefix = args[0];
        size_t plen = strlen(prefix);
        while (plen > 0 && prefix[plen - 1] == '/')
            prefix[--plen] = '\0';
        ota_error err;
        if (upd_extract_dir(upd_ctx(st)->package, prefix, dest, args[1], 0, 0, &err) < 0)
            edify_fail_error(st, &err);
        else
            result = upd_true();
        free(dest);
    }
    edify_free_strings(args, 2);
    return result;
}
