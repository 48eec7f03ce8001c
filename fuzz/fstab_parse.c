/* libFuzzer target: the recovery.fstab parser (both forms) on arbitrary
 * text, up to its first NUL as ota_fstab_load hands it over.  Every entry
 * must have an absolute mount point without a trailing slash, be found by
 * it, and own itself as a path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/fstab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ota_fstab fstab;
    ota_error err;
    ota_error_clear(&err);
    if (ota_fstab_parse(text, &fstab, &err) < 0) {
        if (err.message[0] == '\0' || fstab.count != 0 || fstab.entries)
            abort(); /* a refusal says why and leaves nothing behind */
        free(text);
        return 0;
    }
    /* The lookups scan the table; checking the first 64 entries keeps a
     * long input linear. */
    for (size_t i = 0; i < fstab.count && i < 64; i++) {
        const ota_fstab_entry *e = &fstab.entries[i];
        size_t n = strlen(e->mount_point);
        if (e->mount_point[0] != '/' || (n > 1 && e->mount_point[n - 1] == '/') ||
            !e->fs_type || !e->device || !e->mnt_options)
            abort();
        const ota_fstab_entry *found = ota_fstab_find(&fstab, e->mount_point);
        if (!found || strcmp(found->mount_point, e->mount_point) != 0)
            abort(); /* the first entry with that mount point */
        const ota_fstab_entry *owner = ota_fstab_for_path(&fstab, e->mount_point);
        if (!owner || strcmp(owner->mount_point, e->mount_point) != 0)
            abort();
    }
    ota_fstab_free(&fstab);
    free(text);
    return 0;
}
