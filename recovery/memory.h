/* How much memory a package's sealed snapshot may take.  A package without
 * a v1 JAR signature is verified and installed from a copy in memory
 * (otautil/verify.h, OTA_VERIFY_SNAPSHOT), which costs as much RAM as the
 * package is large, for the whole install; the update-binary needs memory
 * of its own meanwhile (patching holds whole files).  The rule:
 *
 *     limit = available - max(RECOVERY_SNAPSHOT_RESERVE_MIN, available / 4)
 *
 * available being MemAvailable from the kernel's /proc/meminfo (MemFree on
 * kernels before 3.14, which lack it), at the moment of verification.
 *
 * RECOVERY_SNAPSHOT_LIMIT=BYTES in recovery's environment can only lower
 * the limit (tests use it to try the refusal without filling RAM): on a
 * device the environment is the recovery image's init's, which the main
 * system cannot change, and were it changed it could still only make
 * recovery refuse more.  A value that is not a number of bytes lowers the
 * limit to 0. */
#ifndef RECOVERY_MEMORY_H
#define RECOVERY_MEMORY_H

#include <stdint.h>

#define RECOVERY_SNAPSHOT_LIMIT_ENV "RECOVERY_SNAPSHOT_LIMIT"
#define RECOVERY_MEMINFO "/proc/meminfo"
#define RECOVERY_SNAPSHOT_RESERVE_MIN (128ull << 20)

typedef struct recovery_snapshot_budget {
    uint64_t available;  /* bytes the kernel says are available (0: unknown) */
    uint64_t limit;      /* the largest snapshot allowed, in bytes */
    char why[256];       /* how the limit came about, for messages and the log */
} recovery_snapshot_budget;

/* The rule on the text of a /proc/meminfo and the value of
 * RECOVERY_SNAPSHOT_LIMIT (NULL: unset).  Never fails: without a usable
 * figure the limit is 0, and why says so. */
void recovery_snapshot_budget_of(const char *meminfo, const char *lower_to,
                                 recovery_snapshot_budget *out);

/* The same on the kernel's /proc/meminfo now (never under RECOVERY_ROOT:
 * the memory is the machine's). */
void recovery_snapshot_budget_now(const char *lower_to, recovery_snapshot_budget *out);

#endif
