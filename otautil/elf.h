/* What an ELF executable is built for, read from its headers: machine,
 * word size, byte order, and whether it is statically linked.  An update
 * package carries its own update-binary, and one built for another machine
 * or against libraries recovery lacks fails only once it is run; this lets
 * tools say so beforehand. */
#ifndef OTAUTIL_ELF_H
#define OTAUTIL_ELF_H

#include <stddef.h>

#include "otautil/error.h"

typedef struct ota_elf_info {
    unsigned machine;      /* e_machine (EM_X86_64, EM_AARCH64, ...) */
    char machine_name[32]; /* "x86-64", "AArch64", ... or "machine 0xNN" */
    int bits;              /* 32 or 64 */
    int little_endian;
    unsigned type;         /* e_type: ET_EXEC, ET_DYN (PIE), ... */
    int is_static;         /* no program interpreter (PT_INTERP) */
    char interp[128];      /* the interpreter a dynamic one needs, else "" */
} ota_elf_info;

/* Reads the ELF header and program headers from the first len bytes of a
 * file (data).  -1 with err when it is not an ELF file or its headers lie
 * outside those bytes. */
int ota_elf_parse(const void *data, size_t len, ota_elf_info *out, ota_error *err);

/* "x86-64", "AArch64", "ARM", "x86", "RISC-V", ... for an e_machine value;
 * "machine 0xNN" for others (out holds at least 32 bytes). */
void ota_elf_machine_name(unsigned machine, char *out, size_t outsz);

#endif
