#include "recovery/memory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/sink.h"

#define MIB (1024.0 * 1024.0)
#define MEMINFO_MAX (64u << 10)

/* The "NAME:  N kB" line of meminfo, in bytes; 0 when absent or odd. */
static uint64_t meminfo_bytes(const char *text, const char *name)
{
    size_t pos = 0, n, name_len = strlen(name);
    const char *line;
    while ((line = ota_next_line(text, strlen(text), &pos, &n)) != NULL) {
        if (n <= name_len || strncmp(line, name, name_len) != 0 || line[name_len] != ':')
            continue;
        char value[64];
        snprintf(value, sizeof value, "%.*s", (int)(n - name_len - 1), line + name_len + 1);
        char *end;
        errno = 0;
        unsigned long long kb = strtoull(value, &end, 10);
        while (*end == ' ')
            end++;
        if (errno || end == value || strcmp(end, "kB") != 0 || kb > UINT64_MAX / 1024)
            return 0;
        return (uint64_t)kb * 1024;
    }
    return 0;
}

void recovery_snapshot_budget_of(const char *meminfo, const char *lower_to,
                                 recovery_snapshot_budget *out)
{
    memset(out, 0, sizeof *out);
    const char *source = "MemAvailable";
    uint64_t avail = meminfo ? meminfo_bytes(meminfo, source) : 0;
    if (avail == 0 && meminfo) {
        source = "MemFree";
        avail = meminfo_bytes(meminfo, source);
    }
    int n;
    if (avail == 0) {
        n = snprintf(out->why, sizeof out->why,
                     "%s tells neither MemAvailable nor MemFree", RECOVERY_MEMINFO);
    } else {
        uint64_t reserve = avail / 4 > RECOVERY_SNAPSHOT_RESERVE_MIN ? avail / 4
                                                                   : RECOVERY_SNAPSHOT_RESERVE_MIN;
        out->available = avail;
        out->limit = avail > reserve ? avail - reserve : 0;
        n = snprintf(out->why, sizeof out->why, "%s %.1f MiB less a reserve of %.1f MiB", source,
                     (double)avail / MIB, (double)reserve / MIB);
    }
    if (!lower_to)
        return;
    size_t used = n > 0 && (size_t)n < sizeof out->why ? (size_t)n : strlen(out->why);
    uint64_t lower;
    if (ota_parse_decimal(lower_to, &lower) < 0) {
        out->limit = 0;
        snprintf(out->why + used, sizeof out->why - used,
                 "; %s='%.32s' is not a number of bytes, so 0", RECOVERY_SNAPSHOT_LIMIT_ENV,
                 lower_to);
    } else if (lower < out->limit) {
        out->limit = lower;
        snprintf(out->why + used, sizeof out->why - used, ", lowered to %.1f MiB by %s",
                 (double)lower / MIB, RECOVERY_SNAPSHOT_LIMIT_ENV);
    }
}

void recovery_snapshot_budget_now(const char *lower_to, recovery_snapshot_budget *out)
{
    ota_buf text = {0};
    ota_error err;
    if (ota_read_file(RECOVERY_MEMINFO, NULL, MEMINFO_MAX, 0, &text, &err) < 0) {
        recovery_snapshot_budget_of(NULL, lower_to, out);
        snprintf(out->why, sizeof out->why, "%.200s", err.message);
    } else {
        recovery_snapshot_budget_of((const char *)text.data, lower_to, out);
    }
    ota_buf_free(&text);
}
