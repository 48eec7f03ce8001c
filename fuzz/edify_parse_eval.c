/* libFuzzer target: parse and evaluate arbitrary bytes as an edify script
 * with the core builtins.  Anything may be a syntax error or a failed run;
 * nothing may crash, leak, hang or overflow the stack.  sleep and stdout
 * are replaced by stand-ins that evaluate their arguments but neither wait
 * nor print. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "edify/edify.h"

static edify_value *quiet(edify_state *st, const edify_call *call)
{
    for (int i = 0; i < call->argc; i++) {
        edify_value *v = edify_eval(st, call->argv[i]);
        if (!v)
            return NULL;
        edify_value_free(v);
    }
    return edify_string("");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    edify_funcs *fns = edify_funcs_new();
    if (!fns)
        return 0;
    if (edify_register_core(fns, NULL) < 0) {
        edify_funcs_free(fns);
        return 0;
    }
    edify_register(fns, "sleep", quiet);
    edify_register(fns, "stdout", quiet);

    edify_diags diags = {0};
    edify_script *script = edify_parse((const char *)data, size, "fuzz", fns, &diags);
    if (script) {
        edify_state st = {.script = script};
        edify_value *v = edify_run(&st);
        char line[2048];
        if (!v)
            edify_failure_format(&st, line, sizeof line);
        edify_value_free(v);
        edify_script_free(script);
    } else {
        char line[1024];
        for (size_t i = 0; i < diags.count; i++)
            edify_diag_format(&diags, i, line, sizeof line);
    }
    edify_diags_free(&diags);
    edify_funcs_free(fns);
    return 0;
}
