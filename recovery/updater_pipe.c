#include "recovery/updater_pipe.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* If line is `word` alone or followed by a space, returns what follows the
 * space ("" when nothing does); else NULL. */
static const char *after_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(line, word, n) != 0)
        return NULL;
    if (line[n] == '\0')
        return line + n;
    if (line[n] == ' ')
        return line + n + 1;
    return NULL;
}

/* Reads a finite number at *p, moving past it and following spaces. */
static int number(const char **p, double *out)
{
    while (**p == ' ')
        (*p)++;
    char *end;
    errno = 0;
    double v = strtod(*p, &end);
    if (end == *p || errno == ERANGE || !isfinite(v))
        return -1;
    *p = end;
    while (**p == ' ')
        (*p)++;
    *out = v;
    return 0;
}

int recovery_pipe_parse(const char *line, recovery_pipe_cmd *cmd, ota_error *err)
{
    const char *rest;
    memset(cmd, 0, sizeof *cmd);
    cmd->text = "";
    if ((rest = after_word(line, "progress"))) {
        cmd->kind = RECOVERY_PIPE_PROGRESS;
        if (number(&rest, &cmd->fraction) < 0 || number(&rest, &cmd->seconds) < 0 || *rest)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "updater command '%s': expected progress FRACTION SECONDS",
                                 line);
        return 0;
    }
    if ((rest = after_word(line, "set_progress"))) {
        cmd->kind = RECOVERY_PIPE_SET_PROGRESS;
        if (number(&rest, &cmd->fraction) < 0 || *rest)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "updater command '%s': expected set_progress FRACTION", line);
        return 0;
    }
    if ((rest = after_word(line, "ui_print"))) {
        cmd->kind = RECOVERY_PIPE_UI_PRINT;
        cmd->text = rest;
        return 0;
    }
    if ((rest = after_word(line, "log"))) {
        cmd->kind = RECOVERY_PIPE_LOG;
        cmd->text = rest;
        return 0;
    }
    static const struct {
        const char *word;
        recovery_pipe_kind kind;
    } bare[] = {
        { "wipe_cache", RECOVERY_PIPE_WIPE_CACHE },
        { "clear_display", RECOVERY_PIPE_CLEAR_DISPLAY },
        { "enable_reboot", RECOVERY_PIPE_ENABLE_REBOOT },
    };
    for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++) {
        if ((rest = after_word(line, bare[i].word))) {
            cmd->kind = bare[i].kind;
            return 0; /* Android ignores anything after these words too */
        }
    }
    return ota_error_set(err, OTA_ERR_FORMAT, "unknown updater command '%s'", line);
}
