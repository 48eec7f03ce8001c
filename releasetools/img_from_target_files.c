#include "releasetools/img_from_target_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/hash.h"
#include "otautil/safe_file.h"
#include "releasetools/ext4_image.h"
#include "releasetools/ota_build.h"

static int write_image_file(const char *dir, const char *name, const ota_buf *data, ota_error *err)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = ota_replace_file(path, data->data, data->len, 0644, err);
    free(path);
    return rc;
}

int rt_img_write(const char *target_files, const char *out_dir, ota_error *err)
{
    if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
        return ota_error_errno(err, "cannot create %s", out_dir);
    rt_build b;
    /* The same tree a full OTA installs, recovery-from-boot.p included. */
    if (rt_build_open(&b, target_files, err) < 0)
        return -1;
    rt_ext4_opts o = {0};
    const char *size = ota_props_get(&b.tf.misc_info, "system_size");
    if (size && *size) {
        char *end;
        errno = 0;
        o.size = strtoull(size, &end, 0);
        if (errno || *end || o.size < (1u << 20)) {
            rt_build_close(&b);
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: META/misc_info.txt: bad system_size \"%s\"",
                                 target_files, size);
        }
    }
    o.timestamp = (uint32_t)strtoul(b.timestamp, NULL, 10);
    uint8_t seed[OTA_SHA1_LEN];
    ota_sha1(b.fingerprint, strlen(b.fingerprint), seed);
    o.seed = seed;
    o.label = "system";
    char *image = NULL, *work = NULL;
    int rc = -1;
    if (asprintf(&image, "%s/system.img", out_dir) < 0 ||
        asprintf(&work, "%s/.system.img.work.%d", out_dir, (int)getpid()) < 0) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (rt_ext4_image(&b.tf.system, b.tf.zip, image, work, &o, err) < 0)
        goto out;
    if (b.boot.present && write_image_file(out_dir, "boot.img", &b.boot.data, err) < 0)
        goto out;
    if (b.recovery.present && write_image_file(out_dir, "recovery.img", &b.recovery.data, err) < 0)
        goto out;
    rc = 0;
out:
    free(image);
    free(work);
    rt_build_close(&b);
    return rc;
}
