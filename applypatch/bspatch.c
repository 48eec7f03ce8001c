/* Applying BSDIFF40 patches: from memory (bspatch_mem), and in bounded
 * memory from files (bspatch_file).  Both stream the target to a sink and
 * share the control loop in bspatch_engine.c. */
#include "applypatch/bsdiff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applypatch/bsdiff_private.h"

static const char *const stream_names[3] = {"control", "diff", "extra"};

/* Work buffer for the in-memory path: large enough that the sink and the
 * add loop run on big blocks, small next to the data. */
#define MEM_CHUNK (256 * 1024)

long long bspatch_new_size(const uint8_t *patch, size_t patch_len, ota_error *err)
{
    bsdiff_header h;
    if (bsdiff_parse_header(patch, patch_len, patch_len, &h, err) < 0)
        return -1;
    return (long long)h.new_size;
}

static void close_readers(bz_reader r[3], int n)
{
    for (int i = 0; i < n; i++)
        bz_reader_close(&r[i]);
}

int bspatch_mem(const uint8_t *old_data, size_t old_len, const uint8_t *patch,
                size_t patch_len, ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    bsdiff_header h;
    if (bsdiff_parse_header(patch, patch_len, patch_len, &h, err) < 0)
        return -1;
    uint64_t off[3] = {BSDIFF_HEADER_LEN, BSDIFF_HEADER_LEN + h.ctrl_len,
                       BSDIFF_HEADER_LEN + h.ctrl_len + h.diff_len};
    uint64_t len[3] = {h.ctrl_len, h.diff_len, h.extra_len};
    bz_reader r[3];
    int opened = 0;
    uint8_t *buf = NULL;
    int rc = -1;
    for (; opened < 3; opened++)
        if (bz_reader_open_mem(&r[opened], stream_names[opened], patch + off[opened],
                               len[opened], err) < 0)
            goto out;
    size_t buf_len = h.new_size < MEM_CHUNK ? (size_t)h.new_size : MEM_CHUNK;
    buf = malloc(buf_len ? buf_len : 1);
    if (!buf) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a %zu-byte patch buffer", buf_len);
        goto out;
    }
    /* An empty source has no bytes to point at; any non-empty diff range
     * is rejected by the engine before it is used. */
    static const uint8_t no_source[1];
    bspatch_source src = {.mem = old_data ? old_data : no_source, .fd = -1, .len = old_len};
    rc = bspatch_run(&h, r, &src, buf, NULL, buf_len ? buf_len : 1, sink, sink_ctx, err);
out:
    free(buf);
    close_readers(r, opened);
    return rc;
}

int bspatch_file(int old_fd, uint64_t old_len, int patch_fd, unsigned flags,
                 ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    struct stat st;
    if (fstat(patch_fd, &st) < 0)
        return ota_error_errno(err, "cannot stat the patch");
    uint64_t patch_len = (uint64_t)st.st_size;
    uint8_t hdr[BSDIFF_HEADER_LEN];
    ssize_t got;
    do
        got = pread(patch_fd, hdr, sizeof hdr, 0);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return ota_error_errno(err, "reading the patch header");
    bsdiff_header h;
    if (bsdiff_parse_header(hdr, (size_t)got, patch_len, &h, err) < 0)
        return -1;

    uint64_t off[3] = {BSDIFF_HEADER_LEN, BSDIFF_HEADER_LEN + h.ctrl_len,
                       BSDIFF_HEADER_LEN + h.ctrl_len + h.diff_len};
    uint64_t len[3] = {h.ctrl_len, h.diff_len, h.extra_len};
    int small = (flags & BSPATCH_SMALL_BZIP2) != 0;
    bz_reader r[3];
    int opened = 0;
    uint8_t *buf = NULL;
    int rc = -1;
    for (; opened < 3; opened++)
        if (bz_reader_open_fd(&r[opened], stream_names[opened], patch_fd, off[opened],
                              len[opened], BSPATCH_FILE_CHUNK, small, err) < 0)
            goto out;
    buf = malloc(2 * (size_t)BSPATCH_FILE_CHUNK);
    if (!buf) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for the patch buffers");
        goto out;
    }
    bspatch_source src = {.mem = NULL, .fd = old_fd, .len = old_len};
    rc = bspatch_run(&h, r, &src, buf, buf + BSPATCH_FILE_CHUNK, BSPATCH_FILE_CHUNK, sink,
                     sink_ctx, err);
out:
    free(buf);
    close_readers(r, opened);
    return rc;
}
