/* libFuzzer target: the boot image reader on arbitrary bytes.  Every part
 * it returns must lie inside the input and fit the header's documented
 * limits; an image with a kernel is built again from what was read, and the
 * rebuilt image must read back to the same parts, name and command line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/bootimg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_part(const uint8_t *data, size_t size, const uint8_t *p, size_t len)
{
    if (len && (!p || p < data || len > size || p - data > (ptrdiff_t)(size - len)))
        abort();
}

static int same_part(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_bootimg img;
    rt_bootimg_strings *strings = malloc(2 * sizeof *strings);
    if (!strings)
        return 0;
    ota_error err;
    ota_error_clear(&err);
    if (rt_bootimg_parse(data, size, &img, &strings[0], &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        free(strings);
        return 0;
    }
    check_part(data, size, img.kernel, img.kernel_len);
    check_part(data, size, img.ramdisk, img.ramdisk_len);
    check_part(data, size, img.second, img.second_len);
    if (strlen(img.name) >= RT_BOOT_NAME_SIZE ||
        strlen(img.cmdline) > RT_BOOT_ARGS_SIZE - 1 + RT_BOOT_EXTRA_ARGS_SIZE - 1)
        abort(); /* outside the limits the header documents */
    if (img.kernel_len) {
        ota_buf out = {0};
        if (rt_bootimg_build(&img, &out, &err) < 0)
            abort(); /* what was read must be writable */
        rt_bootimg again;
        if (rt_bootimg_parse(out.data, out.len, &again, &strings[1], &err) < 0)
            abort();
        if (!same_part(img.kernel, img.kernel_len, again.kernel, again.kernel_len) ||
            !same_part(img.ramdisk, img.ramdisk_len, again.ramdisk, again.ramdisk_len) ||
            !same_part(img.second, img.second_len, again.second, again.second_len) ||
            strcmp(img.name, again.name) != 0 || strcmp(img.cmdline, again.cmdline) != 0 ||
            img.pagesize != again.pagesize || img.base != again.base)
            abort();
        ota_buf_free(&out);
    }
    free(strings);
    return 0;
}
