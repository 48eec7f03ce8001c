/* Android boot images, header version 0 ("ANDROID!"): a header page, then
 * the kernel, the ramdisk and an optional second-stage image, each padded to
 * the page size.  The header's id is the SHA-1 of each part followed by its
 * 32-bit little-endian size, as mkbootimg computes it. */
#ifndef RELEASETOOLS_BOOTIMG_H
#define RELEASETOOLS_BOOTIMG_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

#define RT_BOOT_MAGIC "ANDROID!"
#define RT_BOOT_NAME_SIZE 16
#define RT_BOOT_ARGS_SIZE 512
#define RT_BOOT_EXTRA_ARGS_SIZE 1024

/* mkbootimg's defaults. */
#define RT_BOOT_DEFAULT_BASE 0x10000000u
#define RT_BOOT_DEFAULT_PAGESIZE 2048u
#define RT_BOOT_KERNEL_OFFSET 0x00008000u
#define RT_BOOT_RAMDISK_OFFSET 0x01000000u
#define RT_BOOT_SECOND_OFFSET 0x00f00000u
#define RT_BOOT_TAGS_OFFSET 0x00000100u

typedef struct rt_bootimg {
    const uint8_t *kernel;
    size_t kernel_len;
    const uint8_t *ramdisk;
    size_t ramdisk_len;
    const uint8_t *second;   /* may be NULL */
    size_t second_len;
    const char *cmdline;     /* up to 511 + 1023 characters; NULL: none */
    const char *name;        /* up to 15 characters; NULL: none */
    uint32_t base;           /* the load addresses are base + the offsets above */
    uint32_t pagesize;       /* 2048, 4096, ... (a power of two >= 2048) */
    /* Filled by rt_bootimg_parse only: */
    uint32_t kernel_addr, ramdisk_addr, second_addr, tags_addr;
    uint8_t id[32];
} rt_bootimg;

/* Writes the image to out. */
int rt_bootimg_build(const rt_bootimg *img, ota_buf *out, ota_error *err);

/* Parses an image in memory; the part pointers point into data, cmdline
 * and name into `strings` (which the caller provides, and which must live
 * as long as the result).  Checks that every part lies inside data. */
typedef struct rt_bootimg_strings {
    char cmdline[RT_BOOT_ARGS_SIZE + RT_BOOT_EXTRA_ARGS_SIZE];
    char name[RT_BOOT_NAME_SIZE + 1];
} rt_bootimg_strings;
int rt_bootimg_parse(const uint8_t *data, size_t len, rt_bootimg *img, rt_bootimg_strings *strings,
                     ota_error *err);

#endif
