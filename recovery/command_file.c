#include "recovery/command_file.h"

#include <stdlib.h>
#include <string.h>

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
    /* The main system writes /cache: a FIFO, socket or device planted as
     * the command file is refused at once (OTA_READ_REGULAR). */
    ota_buf text = {0};
    ota_error local;
    int rc = ota_read_file(path, "command file", COMMAND_FILE_MAX, OTA_READ_REGULAR, &text,
                           &local);
    if (rc == 0)
        rc = recovery_argv_from_lines(out, (const char *)text.data, text.len, COMMAND_ARGS_MAX,
                                      path, &local);
    else if (local.code == OTA_ERR_NOTFOUND)
        rc = 0; /* no file: no command */
    ota_buf_free(&text);
    if (rc < 0 && err)
        *err = local;
    return rc;
}
