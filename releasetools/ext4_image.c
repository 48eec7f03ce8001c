#include "releasetools/ext4_image.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/caps.h"
#include "otautil/hash.h"
#include "otautil/mkfs.h"
#include "otautil/spawn.h"

uint64_t rt_ext4_data_bytes(const rt_tree *t)
{
    uint64_t blocks = 0;
    for (size_t i = 0; i < t->count; i++)
        blocks += t->nodes[i].type == RT_NODE_FILE ? (t->nodes[i].size + OTA_FS_BLOCK - 1) / OTA_FS_BLOCK + 1 : 1;
    return blocks * OTA_FS_BLOCK;
}

uint64_t rt_ext4_auto_size(const rt_tree *t)
{
    /* Room for metadata, the journal and some growth: a quarter more,
     * plus 16 MiB, rounded up to whole MiB. */
    uint64_t bytes = rt_ext4_data_bytes(t);
    bytes += bytes / 4 + (16u << 20);
    return (bytes + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
}

static int stage_file(const rt_node *n, ota_zip *zip, const char *dest, ota_error *err)
{
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", dest);
    int rc;
    if (n->data) {
        rc = ota_write_all(fd, n->data, n->size, err);
    } else {
        const ota_zip_entry *e = ota_zip_find(zip, n->zip_name);
        rc = e ? ota_zip_extract_fd(zip, e, fd, err)
               : ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no entry %s", ota_zip_path(zip),
                               n->zip_name);
    }
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", dest);
    return rc;
}

/* The node's path inside the image ("/" for the partition's root). */
static const char *image_path(const rt_tree *t, const rt_node *n)
{
    const char *root = t->nodes[t->root].path;
    const char *p = n->path + strlen(root);
    return *p ? p : "/";
}

static int stage(const rt_tree *t, ota_zip *zip, const char *dir, ota_error *err)
{
    for (size_t i = 0; i < t->count; i++) {
        const rt_node *n = &t->nodes[i];
        if (i == t->root)
            continue;
        char *dest = NULL;
        if (asprintf(&dest, "%s%s", dir, image_path(t, n)) < 0)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        int rc = 0;
        if (n->type == RT_NODE_DIR) {
            if (mkdir(dest, 0755) < 0)
                rc = ota_error_errno(err, "cannot create %s", dest);
        } else if (n->type == RT_NODE_SYMLINK) {
            if (symlink(n->link_target, dest) < 0)
                rc = ota_error_errno(err, "cannot create symlink %s", dest);
        } else {
            rc = stage_file(n, zip, dest, err);
        }
        free(dest);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* debugfs reads one command per line and splits on blanks unless quoted;
 * a path it cannot be given is refused rather than mangled. */
static int quotable(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\n' || *s == '\r' || *s == '\\')
            return 0;
    return 1;
}

static int write_attr_file(const char *path, const void *data, size_t len, ota_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", path);
    int rc = ota_write_all(fd, data, len, err);
    close(fd);
    return rc;
}

/* The debugfs commands that give every node its metadata.  Attribute
 * values go through files (ea_set -f): one per distinct value. */
static int metadata_commands(const rt_tree *t, const char *work, uint32_t when, FILE *cmds,
                             ota_error *err)
{
    /* Every time stamp is the build's, so the same tree gives the same
     * image (staging copies carry the time they were made). */
    static const char *const times[] = {"atime", "mtime", "ctime", "crtime"};
    for (size_t k = 0; k < 4; k++)
        fprintf(cmds, "sif \"/lost+found\" %s %u\n", times[k], when);
    for (size_t i = 0; i < t->count; i++) {
        const rt_node *n = &t->nodes[i];
        const char *p = image_path(t, n);
        if (!quotable(p))
            return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                                 "%s: the name has a quote, backslash or line break, which "
                                 "debugfs cannot be given",
                                 n->path);
        uint32_t type = n->type == RT_NODE_DIR ? S_IFDIR : n->type == RT_NODE_SYMLINK ? S_IFLNK : S_IFREG;
        uint32_t mode = n->type == RT_NODE_SYMLINK ? 0777 : n->meta.mode;
        fprintf(cmds, "sif \"%s\" uid %u\nsif \"%s\" gid %u\nsif \"%s\" mode 0%o\n", p,
                n->meta.uid, p, n->meta.gid, p, type | mode);
        for (size_t k = 0; k < 4; k++)
            fprintf(cmds, "sif \"%s\" %s %u\n", p, times[k], when);
        if (n->meta.capabilities && n->type == RT_NODE_FILE) {
            uint8_t v[OTA_VFS_CAP_SIZE];
            ota_vfs_cap_encode(n->meta.capabilities, v);
            char file[4200];
            snprintf(file, sizeof file, "%s/caps-%llx", work, (unsigned long long)n->meta.capabilities);
            if (access(file, F_OK) < 0 && write_attr_file(file, v, sizeof v, err) < 0)
                return -1;
            fprintf(cmds, "ea_set -f \"%s\" \"%s\" security.capability\n", file, p);
        }
        if (n->meta.selabel) {
            uint8_t h[OTA_SHA1_LEN];
            char hex[2 * OTA_SHA1_LEN + 1], file[4200];
            ota_sha1(n->meta.selabel, strlen(n->meta.selabel), h);
            ota_hex_encode(h, sizeof h, hex);
            snprintf(file, sizeof file, "%s/label-%s", work, hex);
            /* stored with its NUL, as Android's tools store labels */
            if (access(file, F_OK) < 0 &&
                write_attr_file(file, n->meta.selabel, strlen(n->meta.selabel) + 1, err) < 0)
                return -1;
            fprintf(cmds, "ea_set -f \"%s\" \"%s\" security.selinux\n", file, p);
        }
    }
    return ferror(cmds) ? ota_error_set(err, OTA_ERR_IO, "cannot write the debugfs commands") : 0;
}

/* What a host tool wrote to stderr, but for debugfs's banner: the reason
 * when it fails (debugfs reports a failed command there and exits 0). */
typedef struct tool_errors {
    char text[320];
} tool_errors;

static void keep_error_line(void *arg, const char *line)
{
    tool_errors *e = arg;
    size_t used = strlen(e->text);
    if (!line[0] || strncmp(line, "debugfs ", 8) == 0 || used + 4 >= sizeof e->text)
        return;
    snprintf(e->text + used, sizeof e->text - used, "%s%s", used ? "; " : "", line);
}

/* Runs a host tool (no shell, stdout discarded, stderr kept in errors);
 * *status is its exit code. */
static int run_tool(char *const argv[], char *const env[], tool_errors *errors, int *status,
                    ota_error *err)
{
    ota_spawn_opts opts = {.out = OTA_SPAWN_NULL, .err = OTA_SPAWN_PIPE, .extra_env = env};
    int wait_status;
    errors->text[0] = '\0';
    if (ota_run(argv, &opts, -1, keep_error_line, errors, &wait_status, err) < 0)
        return -1;
    *status = ota_exit_code(wait_status);
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int rt_ext4_image(const rt_tree *t, ota_zip *zip, const char *image, const char *work_dir,
                  const rt_ext4_opts *opts, ota_error *err)
{
    char *stage_dir = NULL, *cmd_path = NULL;
    if (mkdir(work_dir, 0700) < 0)
        return ota_error_errno(err, "cannot create %s", work_dir);
    int rc = -1;
    if (asprintf(&stage_dir, "%s/stage", work_dir) < 0 ||
        asprintf(&cmd_path, "%s/debugfs-commands", work_dir) < 0) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (mkdir(stage_dir, 0755) < 0) {
        ota_error_errno(err, "cannot create %s", stage_dir);
        goto out;
    }
    if (stage(t, zip, stage_dir, err) < 0)
        goto out;

    char uuid[40], seed_opt[80], fake_time[48];
    uint8_t s[20] = {0};
    if (opts->seed)
        memcpy(s, opts->seed, 20);
    snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             s[0], s[1], s[2], s[3], s[4], s[5], (s[6] & 0x0f) | 0x40, s[7], (s[8] & 0x3f) | 0x80,
             s[9], s[10], s[11], s[12], s[13], s[14], s[15]);
    snprintf(seed_opt, sizeof seed_opt, "root_owner=0:0,hash_seed=%s", uuid);
    snprintf(fake_time, sizeof fake_time, "E2FSPROGS_FAKE_TIME=%u", opts->timestamp);
    char *env[] = {fake_time, NULL};
    ota_mke2fs_opts mo = {
        .fs_type = "ext4", .target = image,
        .bytes = opts->size ? opts->size : rt_ext4_auto_size(t),
        .label = opts->label, .uuid = uuid, .extended = seed_opt, .root_dir = stage_dir,
        .inode_size = 256,
    };
    ota_mke2fs_cmd mkfs;
    if (ota_mke2fs_command(&mkfs, &mo, err) < 0) {
        ota_error_prefix(err, "%s", image);
        goto out;
    }
    tool_errors errors;
    int status;
    unlink(image);
    if (run_tool(mkfs.argv, env, &errors, &status, err) < 0)
        goto out;
    if (status != 0) {
        ota_error_set(err, OTA_ERR_IO, "mke2fs failed (exit %d) making %s: %s", status, image,
                      errors.text);
        goto out;
    }

    FILE *cmds = fopen(cmd_path, "w");
    if (!cmds) {
        ota_error_errno(err, "cannot create %s", cmd_path);
        goto out;
    }
    int mrc = metadata_commands(t, work_dir, opts->timestamp, cmds, err);
    if (fclose(cmds) != 0 && mrc == 0)
        mrc = ota_error_errno(err, "cannot write %s", cmd_path);
    if (mrc < 0)
        goto out;
    char *dbg[] = {"debugfs", "-w", "-f", cmd_path, (char *)image, NULL};
    if (run_tool(dbg, env, &errors, &status, err) < 0)
        goto out;
    if (status != 0)
        ota_error_set(err, OTA_ERR_IO, "debugfs failed (exit %d) on %s: %s", status, image,
                      errors.text);
    else if (errors.text[0])
        ota_error_set(err, OTA_ERR_IO, "debugfs: %s", errors.text);
    else
        rc = 0;
out:
    if (rc < 0)
        unlink(image);
    nftw(work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(stage_dir);
    free(cmd_path);
    return rc;
}
