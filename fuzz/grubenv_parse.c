/* libFuzzer target: GRUB environment blocks.  What parses must format into
 * a block of the same size and parse again to the same variables. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootctl/grubenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    grubenv env = {0};
    ota_error err;
    ota_error_clear(&err);
    if (grubenv_parse(&env, (const char *)data, size, "fuzz", &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        grubenv_free(&env);
        return 0;
    }
    char *block = malloc(env.size);
    if (!block)
        abort();
    /* Comments take room the formatted block does not need: it fits. */
    if (grubenv_format(&env, block, &err) < 0)
        abort();
    grubenv again = {0};
    if (grubenv_parse(&again, block, env.size, "again", &err) < 0 || again.count != env.count)
        abort();
    for (size_t i = 0; i < env.count; i++)
        if (strcmp(env.vars[i].name, again.vars[i].name) ||
            strcmp(env.vars[i].value, again.vars[i].value))
            abort();
    grubenv_free(&again);
    grubenv_free(&env);
    free(block);
    return 0;
}
