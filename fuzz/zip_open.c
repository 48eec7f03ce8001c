/* libFuzzer target: the zip reader on arbitrary bytes.  Opens the input as
 * an archive (through a memfd, since ota_zip_open takes a path), looks up
 * every entry by name and streams each one, through whichever decoder its
 * method names (inflate, xz, zstd: the seeds hold each); nothing may crash,
 * leak or read out of bounds, and a refused archive must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "otautil/zip.h"

static int discard(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)data;
    (void)err;
    *(uint64_t *)ctx += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("zip_open", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (ota_write_all(fd, data, size, NULL) < 0) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ota_error err;
    ota_zip *zip = ota_zip_open(path, &err);
    if (!zip) {
        if (err.message[0] == '\0')
            abort(); /* a refusal without a reason */
        close(fd);
        return 0;
    }
    size_t clen;
    (void)ota_zip_comment(zip, &clen);
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        if (ota_zip_find(zip, e->name) != e)
            abort(); /* names are unique, lookup must find this very entry */
        uint64_t seen = 0;
        if (ota_zip_stream(zip, e, discard, &seen, &err) == 0 && seen != e->size)
            abort(); /* success means exactly the declared size */
        uint8_t *buf;
        size_t len;
        if (ota_zip_read(zip, e, &buf, &len, 1 << 20, &err) == 0)
            free(buf);
    }
    ota_zip_close(zip);
    close(fd);
    return 0;
}
