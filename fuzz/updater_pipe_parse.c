/* libFuzzer target: recovery's parser for the updater's command pipe on one
 * arbitrary line (the input up to its first NUL or newline, as the reader
 * hands lines over).  A refusal must say why; a command's text must point
 * into the line and its numbers must be finite. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/updater_pipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    line[strcspn(line, "\n")] = '\0';
    size_t len = strlen(line);
    recovery_pipe_cmd cmd;
    ota_error err;
    ota_error_clear(&err);
    if (recovery_pipe_parse(line, &cmd, &err) < 0) {
        if (err.message[0] == '\0')
            abort(); /* a refusal without a reason */
    } else {
        if (!isfinite(cmd.fraction) || !isfinite(cmd.seconds))
            abort();
        if ((cmd.kind == RECOVERY_PIPE_UI_PRINT || cmd.kind == RECOVERY_PIPE_LOG) &&
            (cmd.text < line || cmd.text > line + len))
            abort(); /* text points into the line */
    }
    free(line);
    return 0;
}
