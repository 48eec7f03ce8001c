#include "recovery/command_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/safe_file.h"
#include "otautil/sink.h"

/* A command file is a few short lines; anything bigger is not one. */
#define COMMAND_FILE_MAX (64 * 1024)
#define COMMAND_ARGS_MAX 64

void recovery_argv_free(recovery_argv *argv)
{
    for (int i = 0; i < argv->argc; i++)
        free(argv->argv[i]);
    free(argv->argv);
    argv->argv = NULL;
    argv->argc = 0;
}

int recovery_argv_from_lines(recovery_argv *out, const char *text, size_t len, int max,
                             const char *what, ota_error *err)
{
    out->argv = NULL;
    out->argc = 0;
    if (memchr(text, '\0', len))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: contains a NUL byte", what);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == s)
            continue;
        if (out->argc == max) {
            recovery_argv_free(out);
            return ota_error_set(err, OTA_ERR_LIMIT, "%s: more than %d arguments", what, max);
        }
        char **grown = realloc(out->argv, (size_t)(out->argc + 1) * sizeof *grown);
        char *arg = grown ? strndup(s, (size_t)(e - s)) : NULL;
        if (grown)
            out->argv = grown;
        if (!arg) {
            recovery_argv_free(out);
            return ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
        }
        out->argv[out->argc++] = arg;
    }
    return 0;
}

int recovery_command_file_read(const char *path, recovery_argv *out, ota_error *err)
{
    out->argv = NULL;
    out->argc = 0;
    ota_error local;
    int fd = ota_open_regular(path, "command file", NULL, &local);
    if (fd < 0) {
        if (local.code == OTA_ERR_NOTFOUND)
            return 1;
        if (err)
            *err = local;
        return -1;
    }
    char *buf = malloc(COMMAND_FILE_MAX + 1);
    if (!buf) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s", path);
    }
    long long n = ota_read_all(fd, buf, COMMAND_FILE_MAX + 1, err);
    close(fd);
    int rc;
    if (n < 0)
        rc = -1;
    else if (n > COMMAND_FILE_MAX)
        rc = ota_error_set(err, OTA_ERR_LIMIT, "%s: longer than %d bytes", path,
                           COMMAND_FILE_MAX);
    else
        rc = recovery_argv_from_lines(out, buf, (size_t)n, COMMAND_ARGS_MAX, path, err);
    free(buf);
    return rc;
}
