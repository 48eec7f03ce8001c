/* Benchmark driver for the edify library (built and run by bench/bench-edify).
 *
 *   edify-bench gen FILE N   writes an updater-script of N statements in the
 *                            shape ota_from_target_files writes
 *   edify-bench run FILE     parses and evaluates it with the device builtins
 *                            registered as no-ops that evaluate their
 *                            arguments; prints one line of key=value figures
 *
 * Peak memory is getrusage's ru_maxrss: the whole process, including the
 * script text held while parsing, as an updater would hold it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "edify/edify.h"

/* A device builtin stand-in: evaluates its arguments as the real one would,
 * does nothing with them, succeeds. */
static edify_value *noop(edify_state *st, const edify_call *call)
{
    char *small[16];
    char **args = call->argc <= 16 ? small : malloc((size_t)call->argc * sizeof *args);
    if (!args)
        return edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
    int rc = edify_eval_strings(st, call->argc, call->argv, args);
    if (rc == 0)
        edify_free_strings(args, call->argc);
    if (args != small)
        free(args);
    return rc == 0 ? edify_string("t") : NULL;
}

/* getprop stand-in: every property reads as the device the script targets. */
static edify_value *fake_getprop(edify_state *st, const edify_call *call)
{
    char *prop;
    if (edify_eval_strings(st, 1, call->argv, &prop) < 0)
        return NULL;
    free(prop);
    return edify_string("maguro");
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, and this process's CPU time: on a busy machine the second is
 * the steadier measure of the interpreter itself. */
static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static double cpu_now(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int generate(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "edify-bench: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "mount(\"ext4\", \"EMMC\", \"/dev/block/platform/msm_sdcc.1/by-name/system\", \"/system\");\n");
    static const char *const dirs[] = {"bin", "xbin", "lib", "app", "framework", "etc"};
    for (long i = 1; i < n; i++) {
        const char *dir = dirs[i % 6];
        switch (i % 20) {
        case 0:
            fprintf(f, "ui_print(\"Patching system files (\" + \"%ld\" + \" done)...\");\n", i);
            break;
        case 1:
            fprintf(f, "assert(getprop(\"ro.product.device\") == \"maguro\" || "
                       "getprop(\"ro.build.product\") == \"maguro\");\n");
            break;
        case 2:
            fprintf(f, "apply_patch_check(\"/system/%s/file%ld\", \"%040lx\", \"%040lx\") || "
                       "abort(\"\\\"/system/%s/file%ld\\\" has unexpected contents.\");\n",
                    dir, i, (unsigned long)i * 2654435761u, (unsigned long)i, dir, i);
            break;
        case 3:
            fprintf(f, "if is_mounted(\"/data\") then\n  set_perm(1000, 1000, 0771, \"/data/app%ld\");\n"
                       "else\n  ui_print(\"no /data\");\nendif;\n", i);
            break;
        case 4:
            fprintf(f, "set_perm_recursive(0, 0, 0755, 0644, \"/system/%s/dir%ld\");\n", dir, i);
            break;
        case 5:
            fprintf(f, "symlink(\"toolbox\", \"/system/bin/tool%ld\");\n", i);
            break;
        default:
            fprintf(f, "set_perm(0, %d, 0%o, \"/system/%s/file%ld\");\n", i % 3 ? 0 : 2000,
                    i % 2 ? 0755 : 0644, dir, i);
            break;
        }
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "edify-bench: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
            *len = fread(buf, 1, (size_t)size, f);
            if (*len != (size_t)size) {
                free(buf);
                buf = NULL;
            }
        }
    }
    fclose(f);
    return buf;
}

static int run(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "edify-bench: cannot read %s\n", path);
        return 1;
    }
    edify_funcs *fns = edify_funcs_new();
    if (!fns)
        return 1;
    /* The argument ranges of the updater's rows, so the evaluator checks
     * counts as it does in the updater. */
    static const edify_reg device[] = {
        {"mount", noop, 4, 5},
        {"set_perm", noop, 4, EDIFY_VARARGS},
        {"set_perm_recursive", noop, 5, EDIFY_VARARGS},
        {"symlink", noop, 2, EDIFY_VARARGS},
        {"ui_print", noop, 1, EDIFY_VARARGS},
        {"apply_patch_check", noop, 1, EDIFY_VARARGS},
        {"is_mounted", noop, 1, 1},
        {"getprop", fake_getprop, 1, 1},
        {NULL, NULL, 0, 0},
    };
    if (edify_register_core(fns, NULL) < 0 || edify_register_table(fns, device, NULL) < 0)
        return 1;

    double c0 = cpu_now(), t0 = now();
    edify_diags diags = {0};
    edify_script *script = edify_parse(text, len, path, fns, &diags);
    double t1 = now();
    if (!script) {
        char line[512];
        edify_diag_format(&diags, 0, line, sizeof line);
        fprintf(stderr, "edify-bench: %s\n", line);
        return 1;
    }
    edify_state st = {.script = script};
    edify_value *v = edify_run(&st);
    double t2 = now(), c2 = cpu_now();
    if (!v) {
        char line[1024];
        edify_failure_format(&st, line, sizeof line);
        fprintf(stderr, "edify-bench: %s\n", line);
        return 1;
    }
    edify_value_free(v);
    edify_script_free(script);
    edify_funcs_free(fns);
    free(text);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mb = (double)len / 1e6, rss = (double)ru.ru_maxrss * 1024.0;
    printf("bytes=%zu parse_s=%.3f eval_s=%.3f total_s=%.3f parse_MBps=%.0f total_MBps=%.0f "
           "cpu_s=%.3f cpu_MBps=%.0f maxrss_MB=%.1f ratio=%.2f\n",
           len, t1 - t0, t2 - t1, t2 - t0, mb / (t1 - t0), mb / (t2 - t0), c2 - c0,
           mb / (c2 - c0), rss / 1e6, rss / (double)len);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return generate(argv[2], strtol(argv[3], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "run") == 0)
        return run(argv[2]);
    fprintf(stderr, "usage: edify-bench gen FILE N | edify-bench run FILE\n");
    return 2;
}
