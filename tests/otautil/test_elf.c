/* Unit tests of the ELF header reader (otautil/elf.h): real binaries on
 * this machine (this test program, a static busybox) and headers made here
 * for other machines, word sizes and byte orders, and broken ones. */
#include <check.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/elf.h"
#include "tests/common/testutil.h"

static void put(unsigned char *p, uint64_t v, size_t n, int little)
{
    for (size_t i = 0; i < n; i++)
        p[little ? i : n - 1 - i] = (unsigned char)(v >> (8 * i));
}

/* An executable's headers: ELF header, program headers (a PT_LOAD and, when
 * interp is set, a PT_INTERP pointing at it), then the interpreter path.
 * Returns its length. */
static size_t make_elf(unsigned char *buf, int wide, int little, unsigned machine,
                       const char *interp)
{
    size_t eh = wide ? 64 : 52, ph = wide ? 56 : 32, nph = interp ? 2 : 1;
    size_t len = eh + nph * ph + (interp ? strlen(interp) + 1 : 0);
    memset(buf, 0, len);
    memcpy(buf, ELFMAG, SELFMAG);
    buf[EI_CLASS] = wide ? ELFCLASS64 : ELFCLASS32;
    buf[EI_DATA] = little ? ELFDATA2LSB : ELFDATA2MSB;
    buf[EI_VERSION] = EV_CURRENT;
    put(buf + 16, ET_EXEC, 2, little);
    put(buf + 18, machine, 2, little);
    put(buf + (wide ? 32 : 28), eh, wide ? 8 : 4, little);       /* e_phoff */
    put(buf + (wide ? 54 : 42), ph, 2, little);                  /* e_phentsize */
    put(buf + (wide ? 56 : 44), nph, 2, little);                 /* e_phnum */
    unsigned char *p = buf + eh;
    put(p, PT_LOAD, 4, little);
    if (interp) {
        p += ph;
        size_t off = eh + nph * ph, size = strlen(interp) + 1;
        put(p, PT_INTERP, 4, little);
        put(p + (wide ? 8 : 4), off, wide ? 8 : 4, little);
        put(p + (wide ? 32 : 16), size, wide ? 8 : 4, little);
        memcpy(buf + off, interp, size);
    }
    return len;
}

START_TEST(other_machines_word_sizes_and_byte_orders)
{
    static const struct {
        int wide, little;
        unsigned machine;
        const char *interp, *name;
    } cases[] = {
        {1, 1, EM_AARCH64, NULL, "AArch64"},
        {1, 1, EM_X86_64, "/lib64/ld-linux-x86-64.so.2", "x86-64"},
        {0, 1, EM_ARM, "/lib/ld-linux-armhf.so.3", "ARM"},
        {0, 0, EM_MIPS, NULL, "MIPS"},
        {1, 0, EM_PPC64, "/lib64/ld64.so.1", "PowerPC64"},
        {1, 1, EM_RISCV, NULL, "RISC-V"},
        {1, 1, 0x1234, NULL, "machine 0x1234"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char buf[512];
        size_t len = make_elf(buf, cases[i].wide, cases[i].little, cases[i].machine,
                              cases[i].interp);
        ota_elf_info info;
        ota_error err;
        ck_assert_msg(ota_elf_parse(buf, len, &info, &err) == 0, "%s: %s", cases[i].name,
                      err.message);
        ck_assert_str_eq(info.machine_name, cases[i].name);
        ck_assert_uint_eq(info.machine, cases[i].machine);
        ck_assert_int_eq(info.bits, cases[i].wide ? 64 : 32);
        ck_assert_int_eq(info.little_endian, cases[i].little);
        ck_assert_uint_eq(info.type, ET_EXEC);
        ck_assert_int_eq(info.is_static, cases[i].interp == NULL);
        ck_assert_str_eq(info.interp, cases[i].interp ? cases[i].interp : "");
    }
}
END_TEST

START_TEST(this_program_is_native_and_dynamic)
{
    size_t len;
    unsigned char *self = test_read_file("/proc/self/exe", &len);
    ota_elf_info info;
    ota_error err;
    ck_assert_msg(ota_elf_parse(self, len, &info, &err) == 0, "%s", err.message);
#if defined(__x86_64__)
    ck_assert_str_eq(info.machine_name, "x86-64");
#elif defined(__aarch64__)
    ck_assert_str_eq(info.machine_name, "AArch64");
#endif
    ck_assert_int_eq(info.bits, (int)(8 * sizeof(void *)));
    ck_assert_int_eq(info.is_static, 0);
    ck_assert_ptr_nonnull(strstr(info.interp, "ld"));
    free(self);
}
END_TEST

START_TEST(a_static_busybox_is_static)
{
    ck_assert_msg(access("/bin/busybox", R_OK) == 0,
                  "/bin/busybox is missing (scripts/install-deps installs busybox-static)");
    size_t len;
    unsigned char *bb = test_read_file("/bin/busybox", &len);
    ota_elf_info info;
    ota_error err;
    ck_assert_msg(ota_elf_parse(bb, len, &info, &err) == 0, "%s", err.message);
    ck_assert_int_eq(info.is_static, 1);
    ck_assert_str_eq(info.interp, "");
    free(bb);
}
END_TEST

START_TEST(broken_headers_are_refused_with_a_reason)
{
    unsigned char buf[512];
    ota_elf_info info;
    ota_error err;
    ck_assert_int_eq(ota_elf_parse("#!/bin/sh\nexit 0\n", 17, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not an ELF file"));
    size_t len = make_elf(buf, 1, 1, EM_AARCH64, "/lib/ld-linux-aarch64.so.1");
    ck_assert_int_eq(ota_elf_parse(buf, 40, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "cut short"));
    ck_assert_int_eq(ota_elf_parse(buf, 100, &info, &err), -1); /* program headers cut off */
    ck_assert_ptr_nonnull(strstr(err.message, "outside the file"));
    buf[EI_CLASS] = 7;
    ck_assert_int_eq(ota_elf_parse(buf, len, &info, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown class"));
    /* An interpreter path pointing past the end is still "dynamic". */
    len = make_elf(buf, 1, 1, EM_AARCH64, "/lib/ld-linux-aarch64.so.1");
    ck_assert_int_eq(ota_elf_parse(buf, len - 10, &info, &err), 0);
    ck_assert_int_eq(info.is_static, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("elf");
    tcase_add_test(tc, other_machines_word_sizes_and_byte_orders);
    tcase_add_test(tc, this_program_is_native_and_dynamic);
    tcase_add_test(tc, a_static_busybox_is_static);
    tcase_add_test(tc, broken_headers_are_refused_with_a_reason);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
