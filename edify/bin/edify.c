/* edify: runs an edify script with the core builtins and prints its value.
 *
 *   edify FILE          run the script in FILE
 *   edify -e EXPR       run EXPR (reported as file "<expr>")
 *   edify --check FILE  only check it: syntax, known functions, argument counts
 *
 * Exit status: 0 success (the value and a newline on stdout; nothing with
 * --check), 1 evaluation failure or unreadable file (message on stderr),
 * 2 errors in the script (FILE:LINE:COL: message, one per line) or usage
 * error. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"
#include "otautil/sink.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edify FILE\n"
            "       edify -e EXPR\n"
            "       edify --check FILE\n"
            "Runs an edify script (the language of Android's updater-script) with the core\n"
            "builtins (ifelse abort assert concat is_substring stdout sleep less_than_int\n"
            "greater_than_int) and prints its value followed by a newline.\n"
            "--check runs nothing: it reports every syntax error, unknown function and\n"
            "call with a wrong number of arguments as FILE:LINE:COL: message.\n"
            "Exit status: 0 success (or a clean check), 1 evaluation failure or unreadable\n"
            "file, 2 errors in the script or usage error.\n");
}

/* One line per error; an empty list means parsing ran out of memory. */
static void print_diags(const edify_diags *diags, const char *name)
{
    char line[1024];
    for (size_t i = 0; i < diags->count; i++) {
        edify_diag_format(diags, i, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (diags->count == 0)
        fprintf(stderr, "%s: cannot parse the script (out of memory)\n", name);
}

int main(int argc, char **argv)
{
    const char *file = NULL, *expr = NULL;
    int check_only = 0;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "-e") == 0)
        expr = argv[2];
    else if (argc == 3 && strcmp(argv[1], "--check") == 0)
        file = argv[2], check_only = 1;
    else if (argc == 3 && strcmp(argv[1], "--") == 0)
        file = argv[2];
    else if (argc == 2 && argv[1][0] != '-')
        file = argv[1];
    else {
        usage(stderr);
        return 2;
    }

    char *text = NULL;
    size_t len;
    if (file) {
        ota_buf buf = {0};
        ota_error err;
        if (ota_read_file(file, "script", SIZE_MAX, 0, &buf, &err) < 0) {
            ota_buf_free(&buf);
            fprintf(stderr, "edify: %s\n", err.message);
            return 1;
        }
        text = (char *)buf.data;
        len = buf.len;
    } else {
        len = strlen(expr);
    }

    edify_funcs *fns = edify_funcs_new();
    if (!fns) {
        fprintf(stderr, "edify: out of memory\n");
        free(text);
        return 1;
    }
    ota_error err;
    if (edify_register_core(fns, &err) < 0) {
        fprintf(stderr, "edify: %s\n", err.message);
        edify_funcs_free(fns);
        free(text);
        return 1;
    }
    edify_diags diags = {0};
    const char *name = file ? file : "<expr>";
    if (check_only) {
        int errors = edify_check(text, len, name, fns, &diags);
        free(text);
        if (errors != 0)
            print_diags(&diags, name);
        edify_diags_free(&diags);
        edify_funcs_free(fns);
        return errors == 0 ? 0 : errors > 0 ? 2 : 1;
    }
    edify_script *script = edify_parse(file ? text : expr, len, name, fns, &diags);
    free(text);
    if (!script) {
        print_diags(&diags, name);
        edify_diags_free(&diags);
        edify_funcs_free(fns);
        return 2;
    }

    edify_state st = {.script = script};
    edify_value *v = edify_run(&st);
    int status = 0;
    if (v) {
        fwrite(v->data, 1, v->len, stdout);
        fputc('\n', stdout);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "edify: cannot write the result: %s\n", strerror(errno));
            status = 1;
        }
        edify_value_free(v);
    } else {
        char line[2048];
        edify_failure_format(&st, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        status = 1;
    }
    edify_script_free(script);
    edify_funcs_free(fns);
    return status;
}
