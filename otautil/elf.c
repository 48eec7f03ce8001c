/* ELF header reading (see elf.h).  Fields are read byte by byte in the
 * file's own byte order, so a big-endian or 32-bit binary is described as
 * well as one for the host. */
#include "otautil/elf.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t field(const unsigned char *p, size_t n, int little)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[little ? i : n - 1 - i] << (8 * i);
    return v;
}

void ota_elf_machine_name(unsigned machine, char *out, size_t outsz)
{
    static const struct { unsigned machine; const char *name; } names[] = {
        {EM_X86_64, "x86-64"}, {EM_AARCH64, "AArch64"}, {EM_ARM, "ARM"},
        {EM_386, "x86"}, {EM_RISCV, "RISC-V"}, {EM_MIPS, "MIPS"},
        {EM_PPC, "PowerPC"}, {EM_PPC64, "PowerPC64"}, {EM_S390, "S/390"},
        {258 /* EM_LOONGARCH */, "LoongArch"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].machine == machine) {
            snprintf(out, outsz, "%s", names[i].name);
            return;
        }
    }
    snprintf(out, outsz, "machine 0x%x", machine);
}

int ota_elf_parse(const void *data, size_t len, ota_elf_info *out, ota_error *err)
{
    const unsigned char *b = data;
    memset(out, 0, sizeof *out);
    if (len < EI_NIDENT || memcmp(b, ELFMAG, SELFMAG) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not an ELF file (no \\177ELF magic)");
    int wide = b[EI_CLASS] == ELFCLASS64, little = b[EI_DATA] == ELFDATA2LSB;
    if ((b[EI_CLASS] != ELFCLASS32 && !wide) || (b[EI_DATA] != ELFDATA2MSB && !little))
        return ota_error_set(err, OTA_ERR_FORMAT, "ELF header with unknown class %u or byte order %u",
                             b[EI_CLASS], b[EI_DATA]);
    size_t ehsize = wide ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (len < ehsize)
        return ota_error_set(err, OTA_ERR_FORMAT, "ELF header cut short (%zu of %zu bytes)", len,
                             ehsize);
    out->bits = wide ? 64 : 32;
    out->little_endian = little;
    out->type = (unsigned)field(b + 16, 2, little);
    out->machine = (unsigned)field(b + 18, 2, little);
    ota_elf_machine_name(out->machine, out->machine_name, sizeof out->machine_name);

    /* Program headers: e_phoff, e_phentsize, e_phnum. */
    uint64_t phoff = wide ? field(b + 32, 8, little) : field(b + 28, 4, little);
    size_t phentsize = (size_t)field(b + (wide ? 54 : 42), 2, little);
    size_t phnum = (size_t)field(b + (wide ? 56 : 44), 2, little);
    size_t need = wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (phnum && (phentsize < need || phoff > len || phnum > (len - phoff) / phentsize))
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "ELF program headers (%zu of %zu bytes at %llu) lie outside the file",
                             phnum, phentsize, (unsigned long long)phoff);
    out->is_static = 1;
    for (size_t i = 0; i < phnum; i++) {
        const unsigned char *ph = b + phoff + i * phentsize;
        if (field(ph, 4, little) != PT_INTERP)
            continue;
        uint64_t off = wide ? field(ph + 8, 8, little) : field(ph + 4, 4, little);
        uint64_t size = wide ? field(ph + 32, 8, little) : field(ph + 16, 4, little);
        out->is_static = 0;
        if (off < len && size <= len - off) {
            size_t n = size < sizeof out->interp ? (size_t)size : sizeof out->interp - 1;
            memcpy(out->interp, b + off, n);
            out->interp[n] = '\0';
        }
        break;
    }
    return 0;
}
