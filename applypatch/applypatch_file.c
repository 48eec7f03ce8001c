/* Reading what applypatch patches and checks: whole files, or the prefix
 * of a partition named by "EMMC:DEVICE:SIZE:SHA1[:SIZE:SHA1...]" (only that
 * many bytes are read, and the pair whose SHA-1 matches says which size the
 * content has: a partition holds the old or the new image plus leftovers). */
#include "applypatch/applypatch.h"
#include "applypatch/applypatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/patch_stream.h"
#include "otautil/root.h"

int ap_parse_sha1(const char *hex, uint8_t out[OTA_SHA1_LEN], ota_error *err)
{
    if (ota_hex_decode(hex, out, OTA_SHA1_LEN, NULL) < 0)
        return ota_error_set(err, OTA_ERR_ARGS, "\"%s\" is not a SHA-1 (40 hex digits)", hex);
    return 0;
}

void ap_short_sha1(const uint8_t sha1[OTA_SHA1_LEN], char out[9])
{
    char full[2 * OTA_SHA1_LEN + 1];
    ota_hex_encode(sha1, OTA_SHA1_LEN, full);
    memcpy(out, full, 8);
    out[8] = '\0';
}

int ap_find_sha1(const uint8_t sha1[OTA_SHA1_LEN], const uint8_t (*list)[OTA_SHA1_LEN], int n)
{
    for (int i = 0; i < n; i++)
        if (memcmp(sha1, list[i], OTA_SHA1_LEN) == 0)
            return i;
    return -1;
}

void ap_spec_free(ap_spec *spec)
{
    free(spec->path);
    free(spec->sizes);
    free(spec->sha1s);
    memset(spec, 0, sizeof *spec);
}

int ap_spec_parse(const char *text, ap_spec *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    if (strncmp(text, "MTD:", 4) == 0)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: MTD partitions are not supported (use EMMC:)", text);
    if (strncmp(text, "EMMC:", 5) != 0) {
        if (!*text)
            return ota_error_set(err, OTA_ERR_ARGS, "empty file name");
        out->path = strdup(text);
        return out->path ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    out->is_emmc = 1;
    char *copy = strdup(text + 5);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    size_t fields = 1;
    for (const char *p = copy; *p; p++)
        fields += *p == ':';
    char *save = NULL, *dev = strtok_r(copy, ":", &save);
    if (!dev || (fields - 1) % 2 != 0) {
        free(copy);
        return ota_error_set(err, OTA_ERR_ARGS, "%s: expected EMMC:DEVICE[:SIZE:SHA1...]", text);
    }
    out->n_pairs = (fields - 1) / 2;
    out->path = strdup(dev);
    out->sizes = calloc(out->n_pairs + 1, sizeof *out->sizes);
    out->sha1s = calloc(out->n_pairs + 1, sizeof *out->sha1s);
    if (!out->path || !out->sizes || !out->sha1s) {
        free(copy);
        ap_spec_free(out);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < out->n_pairs; i++) {
        char *size = strtok_r(NULL, ":", &save), *sha1 = strtok_r(NULL, ":", &save), *end = NULL;
        errno = 0;
        unsigned long long v = size ? strtoull(size, &end, 10) : 0;
        if (!size || !sha1 || *size == '-' || errno || !end || *end || end == size) {
            ota_error_set(err, OTA_ERR_ARGS, "%s: bad SIZE:SHA1 pair %zu", text, i + 1);
            goto fail;
        }
        out->sizes[i] = v;
        if (ap_parse_sha1(sha1, out->sha1s[i], err) < 0) {
            ota_error_prefix(err, "%s", text);
            goto fail;
        }
    }
    free(copy);
    return 0;
fail:
    free(copy);
    ap_spec_free(out);
    return -1;
}

void ap_contents_free(ap_contents *c)
{
    free(c->data);
    memset(c, 0, sizeof *c);
}

static int read_fd_exact(int fd, const char *path, uint8_t *buf, size_t len, size_t *got, ota_error *err)
{
    long long n = ota_read_all(fd, buf, len, err);
    if (n < 0) {
        ota_error_prefix(err, "%s", path);
        return -1;
    }
    *got = (size_t)n;
    return 0;
}

static int load_file(const char *path, ap_contents *out, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no such file", path)
                               : ota_error_errno(err, "cannot open %s", path);
    int rc = -1;
    if (fstat(fd, &out->st) < 0) {
        ota_error_errno(err, "cannot stat %s", path);
        goto out;
    }
    if (!S_ISREG(out->st.st_mode)) {
        ota_error_set(err, OTA_ERR_ARGS, "%s is not a regular file (use EMMC:%s:SIZE:SHA1 for partitions)", path,
                      path);
        goto out;
    }
    if ((uint64_t)out->st.st_size > SIZE_MAX - 1) {
        ota_error_set(err, OTA_ERR_LIMIT, "%s is too large to load", path);
        goto out;
    }
    size_t size = (size_t)out->st.st_size, got = 0;
    out->data = malloc(size ? size : 1);
    if (!out->data) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory loading %s (%zu bytes)", path, size);
        goto out;
    }
    if (read_fd_exact(fd, path, out->data, size, &got, err) < 0)
        goto out;
    if (got != size) {
        ota_error_set(err, OTA_ERR_IO, "%s changed size while being read", path);
        goto out;
    }
    out->len = size;
    out->is_file = 1;
    ota_sha1(out->data, out->len, out->sha1);
    rc = 0;
out:
    close(fd);
    if (rc < 0)
        ap_contents_free(out);
    return rc;
}

static int load_partition(const ap_spec *spec, ap_contents *out, ota_error *err)
{
    if (spec->n_pairs == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "EMMC:%s: no SIZE:SHA1 pair to read it by", spec->path);
    uint64_t max = 0;
    for (size_t i = 0; i < spec->n_pairs; i++)
        max = spec->sizes[i] > max ? spec->sizes[i] : max;
    /* Sizes past the end of the device cannot match; reading stops there. */
    uint64_t dev_size;
    if (ap_device_size(spec->path, &dev_size, NULL) == 0 && dev_size < max)
        max = dev_size;
    if (max > SIZE_MAX - 1)
        return ota_error_set(err, OTA_ERR_LIMIT, "EMMC:%s: size %llu too large", spec->path, (unsigned long long)max);
    int fd = open(spec->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ota_error_set(err, OTA_ERR_NOTFOUND, "%s: no such device", spec->path)
                               : ota_error_errno(err, "cannot open %s", spec->path);
    out->data = malloc(max ? (size_t)max : 1);
    size_t got = 0;
    if (!out->data) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %llu bytes of %s", (unsigned long long)max,
                             spec->path);
    }
    int rc = read_fd_exact(fd, spec->path, out->data, (size_t)max, &got, err);
    close(fd);
    if (rc < 0) {
        ap_contents_free(out);
        return -1;
    }
    /* Smallest size first, as Android: a prefix matching at a smaller size
     * is the content, whatever follows it on the partition. */
    size_t *order = malloc(spec->n_pairs * sizeof *order);
    if (!order) {
        ap_contents_free(out);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < spec->n_pairs; i++) {
        size_t j = i;
        for (; j > 0 && spec->sizes[order[j - 1]] > spec->sizes[i]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    uint8_t sha1[OTA_SHA1_LEN];
    uint64_t hashed = UINT64_MAX; /* the size sha1 holds the hash of */
    for (size_t k = 0; k < spec->n_pairs; k++) {
        size_t i = order[k];
        if (spec->sizes[i] > got)
            break;
        if (spec->sizes[i] != hashed) {
            ota_sha1(out->data, (size_t)spec->sizes[i], sha1);
            hashed = spec->sizes[i];
        }
        if (memcmp(sha1, spec->sha1s[i], OTA_SHA1_LEN) == 0) {
            free(order);
            out->len = (size_t)spec->sizes[i];
            memcpy(out->sha1, sha1, OTA_SHA1_LEN);
            return 0;
        }
    }
    free(order);
    ap_contents_free(out);
    return ota_error_set(err, OTA_ERR_VERIFY, "EMMC:%s: contents match none of its %zu SIZE:SHA1 pairs", spec->path,
                         spec->n_pairs);
}

int ap_load(const ap_spec *spec, ap_contents *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    return spec->is_emmc ? load_partition(spec, out, err) : load_file(spec->path, out, err);
}

int applypatch_read_file(const char *path, uint8_t **data, size_t *len, ota_error *err)
{
    ap_contents c;
    memset(&c, 0, sizeof c);
    if (load_file(path, &c, err) < 0)
        return -1;
    *data = c.data;
    *len = c.len;
    return 0;
}

char *applypatch_resolve_spec(const char *spec, ota_error *err)
{
    if (strncmp(spec, "EMMC:", 5) != 0)
        return ota_path_dup(spec, err);
    const char *dev = spec + 5, *rest = strchr(dev, ':');
    size_t dev_len = rest ? (size_t)(rest - dev) : strlen(dev);
    char *dev_only = strndup(dev, dev_len);
    if (!dev_only) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char *resolved = ota_path_dup(dev_only, err);
    free(dev_only);
    if (!resolved)
        return NULL;
    size_t size = 5 + strlen(resolved) + (rest ? strlen(rest) : 0) + 1;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "EMMC:%s%s", resolved, rest ? rest : "");
    else
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    free(resolved);
    return out;
}

int ap_run_patch(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                 const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *ctx, ota_error *err)
{
    /* Source and patch are in memory already (their SHA-1s are checked);
     * a chunk's expanded source is too when it is small, else it is read
     * through the bounded view: a kernel expands to 50 MB and more. */
    patch_input s, p, b;
    patch_input_memory(&s, src, src_len);
    patch_input_memory(&p, patch, patch_len);
    patch_input_memory(&b, bonus, bonus ? bonus_len : 0);
    patch_apply_opts o = {.bonus = bonus ? &b : NULL, .expand_limit = AP_EXPAND_LIMIT};
    return patch_apply(&s, &p, sink, ctx, &o, err);
}
