/* Whether an update-binary can run on this machine, from its ELF header,
 * before recovery runs it: a package built with the host's updater for a
 * device of another architecture would otherwise fail as "update-binary
 * exited with status 2" from the shell the kernel fell back to. */
#ifndef RECOVERY_BINARY_MACHINE_H
#define RECOVERY_BINARY_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

/* 0 when the update-binary's bytes are a program this machine runs: an
 * ELF file for recovery's own machine (or its 32-bit sibling: x86 on
 * x86-64, ARM on AArch64, which their kernels usually run), or no ELF
 * file at all (a script, which the kernel runs by its #! line).  -1 with
 * err naming both machines otherwise. */
int recovery_binary_runs_here(const uint8_t *data, size_t len, ota_error *err);

#endif
