#include "releasetools/bootimg.h"

#include <string.h>

#include "otautil/hash.h"

enum { HEADER_SIZE = 8 + 10 * 4 + RT_BOOT_NAME_SIZE + RT_BOOT_ARGS_SIZE + 32 +
                     RT_BOOT_EXTRA_ARGS_SIZE };

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int pagesize_ok(uint32_t pagesize)
{
    return pagesize >= 2048 && pagesize <= 65536 && (pagesize & (pagesize - 1)) == 0;
}

static void compute_id(const rt_bootimg *img, uint8_t id[32])
{
    ota_hash h;
    uint8_t le[4];
    memset(id, 0, 32);
    if (ota_hash_init(&h, OTA_HASH_SHA1, NULL) < 0)
        return;
    const uint8_t *parts[3] = {img->kernel, img->ramdisk, img->second};
    size_t lens[3] = {img->kernel_len, img->ramdisk_len, img->second_len};
    for (int i = 0; i < 3; i++) {
        if (lens[i])
            ota_hash_update(&h, parts[i], lens[i]);
        put_le32(le, (uint32_t)lens[i]);
        ota_hash_update(&h, le, 4);
    }
    ota_hash_final(&h, id);
}

static int append_padded(ota_buf *out, const uint8_t *data, size_t len, uint32_t pagesize,
                         ota_error *err)
{
    static const uint8_t zeros[4096];
    if (len && ota_buf_append(out, data, len, err) < 0)
        return -1;
    size_t pad = (pagesize - len % pagesize) % pagesize;
    while (pad) {
        size_t n = pad < sizeof zeros ? pad : sizeof zeros;
        if (ota_buf_append(out, zeros, n, err) < 0)
            return -1;
        pad -= n;
    }
    return 0;
}

int rt_bootimg_build(const rt_bootimg *img, ota_buf *out, ota_error *err)
{
    if (!pagesize_ok(img->pagesize))
        return ota_error_set(err, OTA_ERR_ARGS,
                             "boot image page size %u is not a power of two from 2048 to 65536",
                             img->pagesize);
    if (img->kernel_len == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "boot image: the kernel is empty");
    if (img->kernel_len > UINT32_MAX || img->ramdisk_len > UINT32_MAX ||
        img->second_len > UINT32_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "boot image: a part is 4 GiB or larger");
    size_t cmdline_len = img->cmdline ? strlen(img->cmdline) : 0;
    if (cmdline_len > RT_BOOT_ARGS_SIZE - 1 + RT_BOOT_EXTRA_ARGS_SIZE - 1)
        return ota_error_set(err, OTA_ERR_LIMIT,
                             "boot image: the kernel command line is %zu characters; at most %d fit",
                             cmdline_len, RT_BOOT_ARGS_SIZE - 1 + RT_BOOT_EXTRA_ARGS_SIZE - 1);
    if (img->name && strlen(img->name) >= RT_BOOT_NAME_SIZE)
        return ota_error_set(err, OTA_ERR_LIMIT, "boot image: name \"%s\" is over %d characters",
                             img->name, RT_BOOT_NAME_SIZE - 1);

    uint8_t hdr[HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    uint8_t *p = hdr;
    memcpy(p, RT_BOOT_MAGIC, 8);
    p += 8;
    uint32_t words[10] = {(uint32_t)img->kernel_len,  img->base + RT_BOOT_KERNEL_OFFSET,
                          (uint32_t)img->ramdisk_len, img->base + RT_BOOT_RAMDISK_OFFSET,
                          /* no second stage: address 0, as mkbootimg writes it */
                          (uint32_t)img->second_len,
                          img->second_len ? img->base + RT_BOOT_SECOND_OFFSET : 0,
                          img->base + RT_BOOT_TAGS_OFFSET, img->pagesize,
                          0 /* header version */,     0 /* os version */};
    for (int i = 0; i < 10; i++, p += 4)
        put_le32(p, words[i]);
    if (img->name)
        memcpy(p, img->name, strlen(img->name));
    p += RT_BOOT_NAME_SIZE;
    size_t first = cmdline_len < RT_BOOT_ARGS_SIZE - 1 ? cmdline_len : RT_BOOT_ARGS_SIZE - 1;
    if (first)
        memcpy(p, img->cmdline, first);
    p += RT_BOOT_ARGS_SIZE;
    compute_id(img, p);
    p += 32;
    if (cmdline_len > first)
        memcpy(p, img->cmdline + first, cmdline_len - first);

    if (append_padded(out, hdr, sizeof hdr, img->pagesize, err) < 0 ||
        append_padded(out, img->kernel, img->kernel_len, img->pagesize, err) < 0 ||
        append_padded(out, img->ramdisk, img->ramdisk_len, img->pagesize, err) < 0 ||
        append_padded(out, img->second, img->second_len, img->pagesize, err) < 0)
        return -1;
    return 0;
}

int rt_bootimg_parse(const uint8_t *data, size_t len, rt_bootimg *img, rt_bootimg_strings *strings,
                     ota_error *err)
{
    memset(img, 0, sizeof *img);
    if (len < HEADER_SIZE || memcmp(data, RT_BOOT_MAGIC, 8) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not an Android boot image (no ANDROID! header)");
    const uint8_t *p = data + 8;
    uint32_t w[10];
    for (int i = 0; i < 10; i++, p += 4)
        w[i] = get_le32(p);
    img->pagesize = w[7];
    if (!pagesize_ok(img->pagesize))
        return ota_error_set(err, OTA_ERR_FORMAT, "boot image: bad page size %u", img->pagesize);
    if (w[8] != 0)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "boot image header version %u (only version 0 is handled)", w[8]);
    img->kernel_addr = w[1];
    img->ramdisk_addr = w[3];
    img->second_addr = w[5];
    img->tags_addr = w[6];
    img->base = img->kernel_addr - RT_BOOT_KERNEL_OFFSET;
    /* The text fields are NUL-terminated in their slots, as mkbootimg writes
     * them; a field filled to its last byte would lose that byte here (or,
     * for the name, give one that cannot be written back). */
    const uint8_t *name = p, *args = p + RT_BOOT_NAME_SIZE,
                  *extra = args + RT_BOOT_ARGS_SIZE + 32;
    if (name[RT_BOOT_NAME_SIZE - 1] || args[RT_BOOT_ARGS_SIZE - 1] ||
        extra[RT_BOOT_EXTRA_ARGS_SIZE - 1])
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "boot image: the %s field is not NUL-terminated",
                             name[RT_BOOT_NAME_SIZE - 1]    ? "name"
                             : args[RT_BOOT_ARGS_SIZE - 1] ? "cmdline"
                                                           : "extra_cmdline");
    memcpy(strings->name, name, RT_BOOT_NAME_SIZE);
    strings->name[RT_BOOT_NAME_SIZE] = '\0';
    p = args + RT_BOOT_ARGS_SIZE;
    memcpy(img->id, p, 32);
    p += 32;
    size_t n = strnlen((const char *)args, RT_BOOT_ARGS_SIZE - 1);
    memcpy(strings->cmdline, args, n);
    size_t m = strnlen((const char *)p, RT_BOOT_EXTRA_ARGS_SIZE - 1);
    memcpy(strings->cmdline + n, p, m);
    strings->cmdline[n + m] = '\0';
    img->cmdline = strings->cmdline;
    img->name = strings->name;

    uint64_t page = img->pagesize;
    uint64_t off = page; /* the header takes one page */
    uint32_t sizes[3] = {w[0], w[2], w[4]};
    const uint8_t **parts[3] = {&img->kernel, &img->ramdisk, &img->second};
    size_t *lens[3] = {&img->kernel_len, &img->ramdisk_len, &img->second_len};
    static const char *const names[3] = {"kernel", "ramdisk", "second stage"};
    for (int i = 0; i < 3; i++) {
        if (off + sizes[i] > len)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "boot image: the %s (%u bytes at %llu) runs past the end (%zu bytes)",
                                 names[i], sizes[i], (unsigned long long)off, len);
        *parts[i] = sizes[i] ? data + off : NULL;
        *lens[i] = sizes[i];
        off += (sizes[i] + page - 1) / page * page;
    }
    return 0;
}
