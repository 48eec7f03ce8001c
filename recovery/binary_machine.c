#include "recovery/binary_machine.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "otautil/elf.h"

/* Recovery's own machine, from its own program's headers. */
static int own_machine(ota_elf_info *out)
{
    uint8_t head[4096];
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    ota_error err;
    return n > 0 && ota_elf_parse(head, (size_t)n, out, &err) == 0 ? 0 : -1;
}

static int runs_as_compat(unsigned binary, unsigned self)
{
    return (self == EM_X86_64 && binary == EM_386) || (self == EM_AARCH64 && binary == EM_ARM);
}

int recovery_binary_runs_here(const uint8_t *data, size_t len, ota_error *err)
{
    ota_elf_info binary, self;
    ota_error elf_err;
    if (len < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
        return 0; /* not ELF: a script; the kernel decides */
    if (ota_elf_parse(data, len, &binary, &elf_err) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "update-binary: %s", elf_err.message);
    if (own_machine(&self) < 0)
        return 0; /* cannot tell: let the kernel decide, as Android does */
    if (binary.machine == self.machine || runs_as_compat(binary.machine, self.machine))
        return 0;
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "update-binary is built for %s, but this device is %s: the package "
                         "was made with an updater for another machine (build it with the "
                         "device's updater: make_target_files --updater FILE)",
                         binary.machine_name, self.machine_name);
}
