#include "recovery/install.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/metadata.h"
#include "otautil/root.h"
#include "otautil/safe_file.h"
#include "otautil/sink.h"
#include "otautil/verify.h"
#include "otautil/zip.h"
#include "recovery/binary_machine.h"
#include "recovery/log_files.h"
#include "recovery/memory.h"
#include "recovery/mounts.h"
#include "recovery/updater_run.h"

/* A static update-binary is a few MiB; this bounds a hostile one. */
#define UPDATE_BINARY_MAX (256u << 20)

struct recovery_package {
    int fd;                 /* the package, opened once; or its sealed snapshot */
    ota_zip *zip;           /* on that open file: in verified mode, or the snapshot */
    const char *volume;     /* mount point of the volume it is on, or NULL */
    char token[OTA_VERIFIED_TOKEN_LEN + 1];
    char dir[PATH_MAX];     /* recovery's own directory for the update-binary */
    char binary[PATH_MAX];
};

/* Library messages name the files they opened, which on a host run carry
 * the RECOVERY_ROOT prefix; the user knows the paths as on the device. */
static void unroot_message(const recovery_ctx *ctx, ota_error *err)
{
    const char *root = ctx->root ? ctx->root : "";
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    if (!err || n == 0)
        return;
    char *p = err->message;
    while ((p = strstr(p, root)) != NULL) {
        if (strncmp(p, root, n) == 0 && p[n] == '/')
            memmove(p, p + n, strlen(p + n) + 1);
        else
            p++;
    }
}

static int verify(recovery_ctx *ctx, recovery_package *pkg, const char *package, ota_error *err)
{
    char keys_path[PATH_MAX];
    if (ota_path_at(ctx->root, ctx->keys_path, keys_path, sizeof keys_path, err) < 0)
        return -1;
    ota_keyset *keys = ota_keyset_load(keys_path, err);
    if (!keys) {
        ota_error_prefix(err, "cannot load the trusted keys");
        return -1;
    }
    recovery_log_printf(ctx->log, "loaded %zu trusted key(s) from %s", ota_keyset_count(keys),
                        ctx->keys_path);
    /* Without a v1 JAR signature the package is verified and used as a
     * sealed copy in memory, as large as the memory spared allows. */
    recovery_snapshot_budget budget;
    recovery_snapshot_budget_now(ctx->snapshot_limit_env, &budget);
    ota_verify_opts opts = {.flags = OTA_VERIFY_SNAPSHOT, .snapshot_limit = budget.limit,
                            .snapshot_limit_why = budget.why};
    ota_verify_info info;
    int rc = ota_verify_fd(pkg->fd, package, keys, &opts, &info, &pkg->zip, err);
    ota_keyset_free(keys);
    if (rc < 0) {
        ota_error_prefix(err, "%s", err->code == OTA_ERR_LIMIT
                                        ? "not enough memory to install this package"
                                        : "signature verification failed");
        return -1;
    }
    ota_verified_token(&info, pkg->token);
    if (info.snapshot_fd < 0) {
        recovery_log_printf(ctx->log,
                            "whole-file signature verified (%s, key %zu); v1 JAR signature "
                            "verified; every entry is checked against it when read (%s)",
                            info.hash_name, info.key_index, pkg->token);
        return 0;
    }
    /* From here on the copy is the package: the file on its volume is
     * never read again. */
    close(pkg->fd);
    pkg->fd = info.snapshot_fd;
    recovery_log_printf(ctx->log,
                        "whole-file signature verified (%s, key %zu); no v1 JAR signature: "
                        "verified and used as a sealed snapshot in memory (%.1f MiB; at "
                        "most %.1f MiB: %s) (%s)",
                        info.hash_name, info.key_index, (double)info.size / (1024.0 * 1024.0),
                        (double)budget.limit / (1024.0 * 1024.0), budget.why, pkg->token);
    return 0;
}

/* The package's metadata against the recovery's own properties, by the
 * one rule (otautil/metadata.h); pre-build is left to the updater-script,
 * which accepts the source or the target build so that an interrupted
 * install can be run again. */
static int check_metadata(recovery_ctx *ctx, ota_zip *zip, ota_error *err)
{
    ota_props metadata = { 0 };
    int rc = ota_metadata_read_zip(zip, "package", &metadata, err);
    if (rc == 0) {
        for (size_t i = 0; i < metadata.count; i++)
            recovery_log_printf(ctx->log, "metadata: %s=%s", metadata.items[i].key,
                                metadata.items[i].value);
        if (metadata.skipped_lines)
            recovery_log_printf(ctx->log, "metadata: line %zu has no '=' and was skipped",
                                metadata.first_skipped);
        ota_device_build device = ota_device_build_of(ctx->props, OTA_INSTALL_RECOVERY, 0,
                                                      OTA_PROPS_DEVICE_FILES);
        rc = ota_metadata_check(&metadata, &device, err);
    }
    ota_props_free(&metadata);
    return rc;
}

/* The update-binary, read whole (so checked against the manifest before a
 * byte of it is written, or taken from the sealed snapshot), into a
 * directory only recovery has made: no planted file or symlink can be
 * written through or run instead. */
static int write_binary(const recovery_ctx *ctx, recovery_package *pkg, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(pkg->zip, RECOVERY_UPDATE_BINARY_ENTRY);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "package has no %s",
                             RECOVERY_UPDATE_BINARY_ENTRY);
    uint8_t *data;
    size_t len;
    if (ota_zip_read(pkg->zip, e, &data, &len, UPDATE_BINARY_MAX, err) < 0)
        return -1;
    if (recovery_binary_runs_here(data, len, err) < 0) {
        free(data);
        return -1;
    }
    char tmp[PATH_MAX];
    int rc = ota_path_at(ctx->root, RECOVERY_UPDATE_BINARY_DIR, tmp, sizeof tmp, err);
    if (rc == 0 && recovery_mkdirs(tmp, 0755, err) < 0)
        rc = -1;
    if (rc == 0 && snprintf(pkg->dir, sizeof pkg->dir, "%s/%s.XXXXXX", tmp,
                            RECOVERY_UPDATE_BINARY_NAME) >= (int)sizeof pkg->dir)
        rc = ota_error_set(err, OTA_ERR_LIMIT, "path too long under %s", tmp);
    if (rc == 0 && !mkdtemp(pkg->dir)) { /* mode 0700, never an existing one */
        rc = ota_error_errno(err, "cannot create a directory for the update-binary in %s", tmp);
        pkg->dir[0] = '\0';
    }
    int dir_fd = -1, fd = -1;
    if (rc == 0 && (dir_fd = open(pkg->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        rc = ota_error_errno(err, "cannot open %s", pkg->dir);
    if (rc == 0 && (fd = openat(dir_fd, RECOVERY_UPDATE_BINARY_NAME,
                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700)) < 0)
        rc = ota_error_errno(err, "cannot create %s/%s", pkg->dir, RECOVERY_UPDATE_BINARY_NAME);
    if (rc == 0)
        rc = ota_write_all(fd, data, len, err);
    if (rc == 0 && fchmod(fd, 0700) < 0)
        rc = ota_error_errno(err, "cannot make %s executable", RECOVERY_UPDATE_BINARY_NAME);
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", RECOVERY_UPDATE_BINARY_NAME);
    if (dir_fd >= 0)
        close(dir_fd);
    free(data);
    if (rc == 0 && snprintf(pkg->binary, sizeof pkg->binary, "%s/%s", pkg->dir,
                            RECOVERY_UPDATE_BINARY_NAME) >= (int)sizeof pkg->binary)
        rc = ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", pkg->dir);
    return rc;
}

void recovery_package_close(recovery_package *pkg)
{
    if (!pkg)
        return;
    if (pkg->binary[0])
        unlink(pkg->binary);
    if (pkg->dir[0])
        rmdir(pkg->dir);
    ota_zip_close(pkg->zip);
    if (pkg->fd >= 0)
        close(pkg->fd);
    free(pkg);
}

/* Steps 1-4; nothing here writes outside /tmp. */
static int prepare(recovery_ctx *ctx, recovery_package *pkg, const char *package, ota_error *err)
{
    char resolved[PATH_MAX];
    pkg->volume = recovery_volume_of(ctx, package);
    if (pkg->volume && recovery_mount_readonly(ctx, pkg->volume, err) < 0) {
        ota_error_prefix(err, "cannot reach %s", package);
        return -1;
    }
    if (ota_path_at(ctx->root, package, resolved, sizeof resolved, err) < 0)
        return -1;
    pkg->fd = ota_open_regular(resolved, "the package", NULL, err);
    if (pkg->fd < 0)
        return -1;
    recovery_say(ctx, "Verifying update package...");
    if (verify(ctx, pkg, package, err) < 0 || check_metadata(ctx, pkg->zip, err) < 0 ||
        write_binary(ctx, pkg, err) < 0)
        return -1;
    return 0;
}

recovery_install_result recovery_package_open(recovery_ctx *ctx, const char *package,
                                              recovery_package **out, ota_error *err)
{
    *out = NULL;
    ctx->ui->ops->set_status(ctx->ui, RECOVERY_UI_INSTALLING);
    ctx->ui->ops->progress_reset(ctx->ui);
    recovery_say(ctx, "Installing update %s", package);
    recovery_package *pkg = calloc(1, sizeof *pkg);
    if (!pkg) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory opening %s", package);
        return RECOVERY_INSTALL_REFUSED;
    }
    pkg->fd = -1;
    if (prepare(ctx, pkg, package, err) < 0) {
        unroot_message(ctx, err);
        recovery_package_close(pkg);
        return RECOVERY_INSTALL_REFUSED;
    }
    *out = pkg;
    return RECOVERY_INSTALL_SUCCESS;
}

recovery_install_result recovery_package_install(recovery_ctx *ctx, recovery_package *pkg,
                                                 int *wipe_cache, ota_error *err)
{
    *wipe_cache = 0;
    /* Verified: the script may now write where the package lies. */
    if (pkg->volume && recovery_make_writable(ctx, pkg->volume, err) < 0) {
        unroot_message(ctx, err);
        return RECOVERY_INSTALL_FAILED;
    }
    recovery_say(ctx, "Installing update...");
    if (ctx->checkpoint)
        ctx->checkpoint(ctx->checkpoint_arg);
    /* The update-binary gets the open file recovery verified (or its
     * sealed snapshot), by a path that names the descriptor, and the token
     * of what verified. */
    char fd_path[32];
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", pkg->fd);
    recovery_handover handover = {pkg->fd, pkg->token};
    recovery_updater_result res;
    int rc = recovery_run_updater(ctx, pkg->binary, fd_path, &handover, &res, err);
    *wipe_cache = res.wipe_cache;
    unroot_message(ctx, err);
    return rc == 0 ? RECOVERY_INSTALL_SUCCESS : RECOVERY_INSTALL_FAILED;
}
