/* /cache/recovery/last_command: the index of the last command finished and
 * its text, in Android's format ("INDEX\nCOMMAND LINE").  Replaced
 * atomically after every command (a temporary created with
 * O_EXCL|O_NOFOLLOW in the same folder, fsync'd, renamed over it, folder
 * fsync'd), so it always names a finished command; never followed through
 * a symlink.
 *
 * Android trusts the index alone; a stale file from another list (another
 * partition's update, or an older package) would then skip commands that
 * never ran.  Here the recorded text must also be the text of this list's
 * command at that index, or the file is ignored. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockimg/engine_internal.h"
#include "otautil/safe_file.h"

#define MAX_SIZE 65536

/* The folder of the progress file, open, and the file's name in it. */
static int open_parent(bi_engine *e, char **leaf)
{
    char *copy = strdup(e->o->last_command);
    char *copy2 = strdup(e->o->last_command);
    int fd = -1;
    if (copy && copy2) {
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && !(*leaf = strdup(basename(copy2)))) {
            close(fd);
            fd = -1;
        }
    }
    free(copy);
    free(copy2);
    return fd;
}

int bi_progress_load(bi_engine *e, size_t *index)
{
    if (!e->o->last_command)
        return 0;
    char *leaf = NULL;
    int dfd = open_parent(e, &leaf);
    if (dfd < 0)
        return 0;
    int fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dfd);
    free(leaf);
    if (fd < 0)
        return 0;
    char buf[MAX_SIZE + 1];
    struct stat sb;
    long long n = -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= MAX_SIZE)
        n = ota_read_all(fd, buf, MAX_SIZE, NULL);
    close(fd);
    if (n < 0)
        return 0;
    buf[n] = '\0';
    /* Android trims surrounding whitespace before splitting the two lines. */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    char *nl = strchr(buf, '\n');
    if (!nl || nl == buf)
        return 0;
    *nl = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (*end || errno || buf[0] < '0' || buf[0] > '9')
        return 0;
    for (size_t i = 0; i < e->tl->ncmds; i++) {
        const bi_command *c = &e->tl->cmds[i];
        if (c->index == v) {
            if (strcmp(c->text, nl + 1) != 0)
                break;
            *index = (size_t)v;
            return 1;
        }
    }
    bi_log(e, "%s names a command that is not this list's: ignored", e->o->last_command);
    return 0;
}

void bi_progress_save(bi_engine *e, const bi_command *c)
{
    if (!e->o->last_command)
        return;
    char *leaf = NULL;
    int dfd = open_parent(e, &leaf);
    if (dfd < 0) {
        bi_log(e, "cannot record progress in %s: %s", e->o->last_command, strerror(errno));
        return;
    }
    ota_buf text = {0};
    ota_error err;
    char head[32];
    int hn = snprintf(head, sizeof head, "%zu\n", c->index);
    if (ota_buf_append(&text, head, (size_t)hn, &err) < 0 ||
        ota_buf_append(&text, c->text, strlen(c->text), &err) < 0 ||
        ota_write_data_at(dfd, leaf, 0600, text.data, text.len, e->o->last_command, &err) < 0)
        bi_log(e, "cannot record progress: %s", err.message);
    ota_buf_free(&text);
    free(leaf);
    close(dfd);
}

void bi_progress_delete(bi_engine *e)
{
    if (!e->o->last_command)
        return;
    if (unlink(e->o->last_command) < 0 && errno != ENOENT)
        bi_log(e, "cannot delete %s: %s", e->o->last_command, strerror(errno));
    /* A run killed while saving leaves its temporary behind. */
    char *leaf = NULL;
    int dfd = open_parent(e, &leaf);
    ota_error err;
    if (dfd >= 0 && ota_write_file_leftovers(dfd, leaf, &err) < 0)
        bi_log(e, "%s", err.message);
    if (dfd >= 0)
        close(dfd);
    free(leaf);
}
