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
#include "releasetools/blockmap.h"
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

/* The block map of image as a file: Android's system.map. */
static int write_block_map(const char *image, const char *mount_point, const char *map_path,
                           ota_error *err)
{
    rt_block_map map;
    if (rt_blockmap_from_ext4(image, mount_point, &map, NULL, err) < 0)
        return -1;
    ota_buf text = {0};
    int rc = rt_blockmap_format(&map, &text, err);
    rt_blockmap_free(&map);
    if (rc == 0)
        rc = ota_replace_file(map_path, text.data ? text.data : (unsigned char *)"", text.len, 0644,
                              err);
    ota_buf_free(&text);
    return rc;
}

int rt_img_system(rt_build *b, const char *image, const char *map_path, ota_error *err)
{
    rt_ext4_opts o = {0};
    if (rt_tf_misc_bytes(&b->tf, "system_size", &o.size, err) < 0)
        return -1;
    if (o.size && o.size < (1u << 20))
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s: META/misc_info.txt: system_size %llu is under 1 MiB", b->tf.path,
                             (unsigned long long)o.size);
    o.timestamp = (uint32_t)strtoul(b->timestamp, NULL, 10);
    uint8_t seed[OTA_SHA1_LEN];
    ota_sha1(b->fingerprint, strlen(b->fingerprint), seed);
    o.seed = seed;
    o.label = "system";
    char *work = NULL;
    if (asprintf(&work, "%s.work.%d", image, (int)getpid()) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = rt_ext4_image(&b->tf.system, b->tf.zip, image, work, &o, err);
    free(work);
    if (rc == 0 && map_path)
        rc = write_block_map(image, b->system_part->mount_point, map_path, err);
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
    char *image = NULL, *map = NULL;
    int rc = -1;
    if (asprintf(&image, "%s/system.img", out_dir) < 0 ||
        asprintf(&map, "%s/system.map", out_dir) < 0) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (rt_img_system(&b, image, map, err) < 0)
        goto out;
    if (b.boot.present && write_image_file(out_dir, "boot.img", &b.boot.data, err) < 0)
        goto out;
    if (b.recovery.present && write_image_file(out_dir, "recovery.img", &b.recovery.data, err) < 0)
        goto out;
    rc = 0;
out:
    free(image);
    free(map);
    rt_build_close(&b);
    return rc;
}
