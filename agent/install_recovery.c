/* Recovery devices: the package is downloaded (resumably) or copied into
 * the cache as update.zip, verified with recovery's own verifier and
 * checked with recovery's own rule, then -- if the vendor's upgrade-start
 * hook agrees -- the bootloader message asks recovery to install it, as
 * Android's main system does, and upgrade-finish records it and reboots.
 * Anything that fails before the message is written leaves the device as
 * it was; a failing upgrade-finish puts the old message back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/download.h"
#include "agent/fetch.h"
#include "agent/install.h"
#include "otautil/safe_file.h"
#include "otautil/bootloader.h"
#include "otautil/metadata.h"
#include "otautil/props.h"
#include "otautil/verify.h"

#define PACKAGE_NAME "update.zip"

/* Copies a package file into the cache as update.zip (unless it is
 * already there), replacing it whole (otautil/safe_file.h). */
static int copy_in(agent *a, const char *from, const char *dest, ota_error *err)
{
    struct stat s1, s2;
    if (stat(from, &s1) < 0)
        return ota_error_errno(err, "cannot read package %s", from);
    if (stat(dest, &s2) == 0 && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino)
        return 0;
    uint64_t free_bytes;
    if (agent_free_space(a->cfg.cache_dir, &free_bytes, err) < 0)
        return -1;
    if (free_bytes < (uint64_t)s1.st_size + a->cfg.reserve_bytes)
        return ota_error_set(err, OTA_ERR_NOSPACE, "not enough space in %s for %s (%lld bytes)",
                             a->cfg.cache_dir, from, (long long)s1.st_size);
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return ota_error_errno(err, "cannot open %s", from);
    int dir_fd = open(a->cfg.cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = dir_fd < 0 ? ota_error_errno(err, "cannot open folder %s", a->cfg.cache_dir)
                        : ota_write_file_at(dir_fd, PACKAGE_NAME, 0644, ota_copy_fd, &in, dest,
                                            err);
    if (dir_fd >= 0)
        close(dir_fd);
    close(in);
    return rc;
}

/* Recovery's verification and rule, on the file itself: the channel's
 * word is not enough. */
static int verify(agent *a, const char *path, const agent_source *src, ota_error *err)
{
    agent_set_state(a, AGENT_VERIFYING);
    ota_keyset *keys = ota_keyset_load(a->cfg.keys, err);
    if (!keys)
        return -1;
    ota_verify_info info;
    int rc = ota_verify_package(path, keys, &info, err);
    ota_keyset_free(keys);
    if (rc < 0)
        return -1;
    agent_log(a, "package signature verified (whole-file %s%s)", info.hash_name,
              info.jar_present ? ", v1 JAR" : "");
    ota_props md = {0};
    rc = ota_metadata_read(path, &md, err);
    if (rc == 0)
        rc = ota_metadata_check(&md, &a->device.build, err);
    const char *post = rc == 0 ? ota_props_get(&md, "post-build") : NULL;
    if (rc == 0 && src->target_build && (!post || strcmp(post, src->target_build) != 0))
        rc = ota_error_set(err, OTA_ERR_VERIFY,
                           "the package builds '%s', the channel said '%s'",
                           post ? post : "(nothing)", src->target_build);
    if (rc == 0)
        snprintf(a->status.target_build, sizeof a->status.target_build, "%s", post ? post : "");
    ota_props_free(&md);
    return rc;
}

static int stage(agent *a, const char *package_device_path, ota_error *err)
{
    agent_hook_env env = {
        .kind = "recovery",
        .current_build = a->status.current_build,
        .target_build = a->status.target_build,
        .package_url = a->status.package_url,
        .package = package_device_path,
        .state_dir = a->cfg.state_dir,
    };
    const char *args[] = {a->status.target_build, package_device_path, NULL};
    if (agent_hook_run(&a->hooks, "upgrade-start", args, &env, NULL, err) < 0) {
        ota_error_prefix(err, "install refused");
        return -1;
    }
    agent_set_state(a, AGENT_WRITING);
    ota_bootloader_message old, msg;
    if (ota_bcb_read(a->cfg.misc_device, &old, err) < 0)
        return -1;
    char arg[PATH_MAX + 32];
    snprintf(arg, sizeof arg, "--update_package=%s", package_device_path);
    const char *list[] = {arg};
    if (ota_bcb_set_recovery(&msg, list, 1, err) < 0 ||
        ota_bcb_write(a->cfg.misc_device, &msg, err) < 0)
        return -1;
    agent_log(a, "bootloader message written: recovery will install %s", package_device_path);
    agent_set_state(a, AGENT_WAITING_FOR_REBOOT);
    int ran = 0;
    if (agent_hook_run(&a->hooks, "upgrade-finish", args, &env, &ran, err) < 0) {
        ota_error undo;
        if (ota_bcb_write(a->cfg.misc_device, &old, &undo) < 0)
            agent_log(a, "cannot restore the bootloader message: %s", undo.message);
        else
            agent_log(a, "bootloader message restored");
        return -1;
    }
    agent_log(a, ran ? "upgrade-finish hook done" : "reboot to install %s",
              a->status.target_build);
    return 0;
}

int agent_install_recovery(agent *a, const agent_source *src, int download_only,
                           ota_error *err)
{
    char dest[PATH_MAX], device_path[PATH_MAX];
    snprintf(dest, sizeof dest, "%s/" PACKAGE_NAME, a->cfg.cache_dir);
    snprintf(device_path, sizeof device_path, "%s/" PACKAGE_NAME, a->cfg.cache_dir_device);
    snprintf(a->status.package_url, sizeof a->status.package_url, "%s",
             src->url ? src->url : src->path);
    snprintf(a->status.package_path, sizeof a->status.package_path, "%s", device_path);
    snprintf(a->status.target_build, sizeof a->status.target_build, "%s",
             src->target_build ? src->target_build : "");
    a->status.fetched = 0;
    int rc;
    if (src->url) {
        agent_set_state(a, AGENT_DOWNLOADING);
        rc = agent_fetch_file(a, src->url, dest, src->size, src->sha256, err);
    } else {
        agent_set_state(a, AGENT_WRITING);
        rc = copy_in(a, src->path, dest, err);
    }
    if (rc == 0 && (rc = verify(a, dest, src, err)) < 0)
        unlink(dest); /* never left where it could pass for a good package */
    if (rc < 0)
        return -1;
    if (download_only) {
        agent_log(a, "%s downloaded and verified: %s", a->status.target_build, device_path);
        agent_set_state(a, AGENT_IDLE);
        return 0;
    }
    return stage(a, device_path, err);
}
