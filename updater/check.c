/* updater --check: a package's updater-script (or a script file) parsed
 * with every builtin this updater has, and run not at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "updater/updater.h"

/* Zip archives start with a local header, or with the end record when
 * empty. */
static int looks_like_zip(const char *path, int *is_zip, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    unsigned char magic[4] = {0};
    long long got = ota_read_all(fd, magic, sizeof magic, err);
    close(fd);
    if (got < 0) {
        ota_error_prefix(err, "reading %s", path);
        return -1;
    }
    *is_zip = got == 4 && magic[0] == 'P' && magic[1] == 'K' &&
              ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
    return 0;
}

int updater_check(const char *path, edify_diags *diags, ota_error *err)
{
    int is_zip = 0;
    if (looks_like_zip(path, &is_zip, err) < 0)
        return -1;
    char *text = NULL, *shown = NULL;
    size_t len = 0;
    if (is_zip) {
        ota_zip *zip = ota_zip_open(path, err);
        if (!zip) {
            ota_error_prefix(err, "cannot open package %s", path);
            return -1;
        }
        int rc = updater_read_script(zip, path, &text, &len, err);
        ota_zip_close(zip);
        if (rc < 0)
            return -1;
        if (asprintf(&shown, "%s!%s", path, UPDATER_SCRIPT_ENTRY) < 0)
            shown = NULL;
    } else {
        ota_buf buf = {0};
        if (ota_read_file(path, "script", UPDATER_MAX_SCRIPT, 0, &buf, err) < 0) {
            ota_buf_free(&buf);
            return -1;
        }
        text = (char *)buf.data;
        len = buf.len;
        shown = strdup(path);
    }
    edify_funcs *fns = edify_funcs_new();
    int n = -1;
    if (!shown || !fns) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    } else if (edify_register_core(fns, err) < 0 || updater_register_builtins(fns, err) < 0) {
        /* err names the row that could not be added */
    } else if ((n = edify_check(text, len, shown, fns, diags)) < 0) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory checking %s", shown);
    }
    edify_funcs_free(fns);
    free(shown);
    free(text);
    return n;
}
