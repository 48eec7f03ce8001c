#include "recovery/install.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/verifier.h"
#include "otautil/zip.h"
#include "recovery/log_files.h"
#include "recovery/metadata.h"
#include "recovery/mounts.h"
#include "recovery/updater_run.h"

/* Metadata is a few lines; more is not metadata. */
#define METADATA_MAX (64 * 1024)

/* Library messages name the files they opened, which on a host run carry
 * the RECOVERY_ROOT prefix; the user knows the paths as on the device. */
static void unroot_message(ota_error *err)
{
    const char *root = ota_root();
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

static int verify(recovery_ctx *ctx, const char *package, ota_error *err)
{
    char keys_path[PATH_MAX];
    if (ota_path(ctx->keys_path, keys_path, sizeof keys_path, err) < 0)
        return -1;
    ota_keyset *keys = ota_keyset_load(keys_path, err);
    if (!keys) {
        ota_error_prefix(err, "cannot load the trusted keys");
        return -1;
    }
    recovery_log_printf(ctx->log, "loaded %zu trusted key(s) from %s", ota_keyset_count(keys),
                        ctx->keys_path);
    ota_verify_info info;
    memset(&info, 0, sizeof info);
    int rc = ota_verify_package(package, keys, &info, err);
    ota_keyset_free(keys);
    if (rc < 0) {
        ota_error_prefix(err, "signature verification failed");
        return -1;
    }
    recovery_log_printf(ctx->log,
                        "whole-file signature verified (%s, key %zu); v1 JAR signature %s",
                        info.hash_name, info.key_index,
                        info.jar_present ? (info.jar_ok ? "verified" : "FAILED") : "absent");
    return 0;
}

static int check_metadata(recovery_ctx *ctx, ota_zip *zip, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(zip, RECOVERY_METADATA_ENTRY);
    if (!e)
        return ota_error_set(err, OTA_ERR_VERIFY, "package has no %s", RECOVERY_METADATA_ENTRY);
    uint8_t *text;
    size_t len;
    if (ota_zip_read(zip, e, &text, &len, METADATA_MAX, err) < 0)
        return -1;
    ota_props metadata = { 0 };
    int rc = ota_props_parse(&metadata, (const char *)text, len, RECOVERY_METADATA_ENTRY, err);
    free(text);
    if (rc == 0) {
        for (size_t i = 0; i < metadata.count; i++)
            recovery_log_printf(ctx->log, "metadata: %s=%s", metadata.items[i].key,
                                metadata.items[i].value);
        if (metadata.skipped_lines)
            recovery_log_printf(ctx->log, "metadata: line %zu has no '=' and was skipped",
                                metadata.first_skipped);
        rc = recovery_metadata_check(&metadata, ctx->props, err);
    }
    ota_props_free(&metadata);
    return rc;
}

static int extract_binary(ota_zip *zip, const char *dest, ota_error *err)
{
    const ota_zip_entry *e = ota_zip_find(zip, RECOVERY_UPDATE_BINARY_ENTRY);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "package has no %s",
                             RECOVERY_UPDATE_BINARY_ENTRY);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", dest);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (recovery_mkdirs(dir, 0755, err) < 0)
            return -1;
    }
    /* A fresh file every time: one left by an interrupted run may be half
     * written, and a binary still being executed cannot be rewritten
     * (ETXTBSY). */
    if (unlink(dest) < 0 && errno != ENOENT)
        return ota_error_errno(err, "cannot remove the old %s", dest);
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", dest);
    int rc = ota_zip_extract_fd(zip, e, fd, err);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", dest);
    if (rc < 0)
        unlink(dest);
    return rc;
}

/* Checks and extraction: nothing here writes outside /tmp. */
static int prepare(recovery_ctx *ctx, const char *package, const char *binary, ota_error *err)
{
    struct stat st;
    if (stat(package, &st) < 0)
        return ota_error_errno(err, "cannot open the package %s", ota_path_unroot(package));
    if (!S_ISREG(st.st_mode))
        return ota_error_set(err, OTA_ERR_ARGS, "the package %s is not a regular file",
                             ota_path_unroot(package));
    recovery_say(ctx, "Verifying update package...");
    if (verify(ctx, package, err) < 0)
        return -1;
    ota_zip *zip = ota_zip_open(package, err);
    if (!zip)
        return -1;
    int rc = check_metadata(ctx, zip, err);
    if (rc == 0)
        rc = extract_binary(zip, binary, err);
    ota_zip_close(zip);
    return rc;
}

recovery_install_result recovery_install(recovery_ctx *ctx, const char *package,
                                         int *wipe_cache, ota_error *err)
{
    *wipe_cache = 0;
    ctx->ui->ops->set_status(ctx->ui, RECOVERY_UI_INSTALLING);
    ctx->ui->ops->progress_reset(ctx->ui);
    recovery_say(ctx, "Installing update %s", package);
    char resolved[PATH_MAX], binary[PATH_MAX];
    if (recovery_mount_for_path(ctx, package, err) < 0 ||
        ota_path(package, resolved, sizeof resolved, err) < 0 ||
        ota_path(RECOVERY_UPDATE_BINARY_PATH, binary, sizeof binary, err) < 0) {
        unroot_message(err);
        return RECOVERY_INSTALL_REFUSED;
    }
    if (prepare(ctx, resolved, binary, err) < 0) {
        unroot_message(err);
        return RECOVERY_INSTALL_REFUSED;
    }
    recovery_say(ctx, "Installing update...");
    if (ctx->checkpoint)
        ctx->checkpoint(ctx->checkpoint_arg);
    recovery_updater_result res;
    int rc = recovery_run_updater(ctx, binary, resolved, &res, err);
    *wipe_cache = res.wipe_cache;
    unroot_message(err);
    return rc == 0 ? RECOVERY_INSTALL_SUCCESS : RECOVERY_INSTALL_FAILED;
}
