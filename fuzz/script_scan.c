/* libFuzzer target: reading an updater-script's effects without running it
 * (releasetools/pkg_info.h, ota_info), on arbitrary script text and without
 * a package.  Whatever the text, the walk ends, every byte counted adds up,
 * and every note names a builtin and a position. */
#include <stdint.h>
#include <stdlib.h>

#include "releasetools/pkg_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_notes(const rt_pkg_note *notes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!notes[i].name || notes[i].line < 1 || notes[i].column < 1)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_pkg_script s;
    ota_error err;
    if (rt_pkg_scan_script((const char *)data, size, "fuzz", NULL, &s, &err) < 0)
        return 0; /* out of memory only */
    uint64_t total = 0;
    for (size_t i = 0; i < s.nparts; i++) {
        uint64_t part = 0;
        for (size_t j = 0; j < s.parts[i].nwrites; j++)
            part += s.parts[i].writes[j].bytes;
        if (!s.parts[i].name || part != s.parts[i].bytes)
            abort();
        total += part;
    }
    if (total != s.bytes || (s.nerrors && s.nparts))
        abort();
    check_notes(s.unknown, s.nunknown);
    check_notes(s.programs, s.nprograms);
    check_notes(s.unresolved, s.nunresolved);
    check_notes(s.problems, s.nproblems);
    rt_pkg_script_free(&s);
    return 0;
}
