/* libFuzzer target: the ELF header reader on arbitrary bytes.  It must
 * either describe the file (a known word size, a machine name, an
 * interpreter string that is terminated) or refuse it with a reason, and
 * never read outside the bytes it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so that ASan sees any read past them. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    ota_elf_info info;
    ota_error err;
    ota_error_clear(&err);
    if (ota_elf_parse(copy, size, &info, &err) < 0) {
        if (err.message[0] == '\0')
            abort();
    } else if ((info.bits != 32 && info.bits != 64) || !info.machine_name[0] ||
               strnlen(info.interp, sizeof info.interp) == sizeof info.interp ||
               (info.is_static && info.interp[0])) {
        abort();
    }
    free(copy);
    return 0;
}
