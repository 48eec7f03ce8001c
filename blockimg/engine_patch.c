/* Every call from the block engine into the applypatch library is here:
 * the BSDIFF40 and IMGDIFF2 appliers behind bsdiff and imgdiff commands,
 * and making room in the cache for stashes as Android's recovery does. */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "applypatch/applypatch.h"
#include "applypatch/bspatch.h"
#include "applypatch/imgpatch.h"
#include "blockimg/engine_internal.h"

int bi_patch_apply(bi_engine *e, const bi_command *c, const uint8_t *src, size_t src_len,
                   const uint8_t *patch, size_t patch_len, bi_writer *w)
{
    ota_error perr;
    ota_error_clear(&perr);
    int rc = c->type == BI_CMD_IMGDIFF
                 ? imgpatch_apply(src, src_len, patch, patch_len, NULL, 0, bi_writer_sink, w, &perr)
                 : bspatch_mem(src, src_len, patch, patch_len, bi_writer_sink, w, &perr);
    if (rc == 0)
        return 0;
    if (w->failed)
        return -1; /* e->err already says which write failed */
    *e->err = perr;
    return bi_fail_err(e);
}

int bi_cache_space(bi_engine *e, uint64_t bytes)
{
    if (e->o->free_cache) {
        applypatch_opts ao = {.cache_path = e->o->cache_path};
        if (applypatch_space(bytes, &ao, e->err) < 0) {
            ota_error_prefix(e->err, "not enough room for stashes (%llu bytes)",
                             (unsigned long long)bytes);
            return bi_fail_err(e);
        }
        return 0;
    }
    struct statvfs sv;
    if (fstatvfs(e->stash_fd, &sv) < 0)
        return bi_fail_errno(e, "cannot see the free space for stashes");
    uint64_t free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
    if (free_bytes < bytes)
        return bi_fail(e, OTA_ERR_NOSPACE, "not enough room for stashes: %llu bytes needed, %llu free",
                       (unsigned long long)bytes, (unsigned long long)free_bytes);
    return 0;
}
