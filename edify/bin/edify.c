/* edify: runs an edify script with the core builtins and prints its value.
 *
 *   edify FILE       run the script in FILE
 *   edify -e EXPR    run EXPR (reported as file "<expr>")
 *
 * Exit status: 0 success (the value and a newline on stdout), 1 evaluation
 * failure (message on stderr), 2 syntax errors (FILE:LINE:COL: message, one
 * per line) or usage error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edify FILE\n"
            "       edify -e EXPR\n"
            "Runs an edify script (the language of Android's updater-script) with the core\n"
            "builtins (ifelse abort assert concat is_substring stdout sleep less_than_int\n"
            "greater_than_int) and prints its value followed by a newline.\n"
            "Exit status: 0 success, 1 evaluation failure, 2 syntax or usage error.\n");
}

/* Reads a whole file into a malloc'd buffer. */
static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    *len_out = len;
    return buf;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *expr = NULL;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "-e") == 0)
        expr = argv[2];
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
        text = read_file(file, &len);
        if (!text) {
            fprintf(stderr, "edify: cannot read %s: %s\n", file, strerror(errno));
            return 1;
        }
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
    edify_script *script = edify_parse(file ? text : expr, len, file ? file : "<expr>", fns, &diags);
    free(text);
    if (!script) {
        char line[1024];
        for (size_t i = 0; i < diags.count; i++) {
            edify_diag_format(&diags, i, line, sizeof line);
            fprintf(stderr, "%s\n", line);
        }
        if (diags.count == 0)
            fprintf(stderr, "%s: cannot parse the script (out of memory)\n", file ? file : "<expr>");
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
