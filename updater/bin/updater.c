/* updater API_VERSION FD PACKAGE.zip: the update-binary recovery runs for a
 * package.  Exit 0 when the package's updater-script succeeded.
 * updater --check SCRIPT|PACKAGE.zip: the script checked, nothing run (exit
 * 0 clean, 2 errors in it, 1 unreadable). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"
#include "updater/updater.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: updater API_VERSION FD PACKAGE.zip\n"
            "       updater --check SCRIPT|PACKAGE.zip\n"
            "Runs META-INF/com/google/android/updater-script from PACKAGE.zip.\n"
            "  API_VERSION  recovery API version, %d or newer\n"
            "  FD           file descriptor of the command pipe to recovery (1: stdout)\n"
            "Paths are resolved under $RECOVERY_ROOT when it is set.\n"
            "--check runs nothing and touches nothing: it parses the script (a file, or\n"
            "the one in PACKAGE.zip) with every builtin of this updater and reports each\n"
            "syntax error, unknown function and wrong argument count as FILE:LINE:COL.\n"
            "Exit status of --check: 0 clean, 2 errors in the script, 1 unreadable.\n",
            UPDATER_MIN_API);
}

static int parse_int(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int check(const char *path)
{
    edify_diags diags = {0};
    ota_error err;
    ota_error_clear(&err);
    int n = updater_check(path, &diags, &err);
    if (n < 0) {
        fprintf(stderr, "updater: %s\n", err.message);
        return 1;
    }
    char line[1024];
    for (size_t i = 0; i < diags.count; i++) {
        edify_diag_format(&diags, i, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    edify_diags_free(&diags);
    return n == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--check") == 0)
        return check(argv[2]);
    if (argc != 4) {
        usage(stderr);
        return 2;
    }
    long api, fd;
    if (parse_int(argv[1], &api) < 0 || parse_int(argv[2], &fd) < 0 || fd < 0 || fd > 65535) {
        usage(stderr);
        return 2;
    }
    if (api < UPDATER_MIN_API) {
        fprintf(stderr, "updater: recovery API version %ld is not supported (%d or newer)\n",
                api, UPDATER_MIN_API);
        return 1;
    }
    int flags = fcntl((int)fd, F_GETFD);
    if (flags < 0) {
        fprintf(stderr, "updater: command pipe fd %ld is not open: %s\n", fd, strerror(errno));
        return 1;
    }
    /* Programs we run must not inherit the pipe (stdout stays as it is). */
    if (fd > 2)
        fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    /* A vanished recovery must not kill an install half way: writes to the
     * pipe fail with EPIPE instead and the install goes on. */
    signal(SIGPIPE, SIG_IGN);
    /* Modes come from the script, not from whoever started us. */
    umask(022);

    /* Recovery hands the package over as /proc/self/fd/N, a descriptor of
     * the file it verified: programs the script runs need not inherit it. */
    int package_fd;
    char rest;
    if (sscanf(argv[3], "/proc/self/fd/%d%c", &package_fd, &rest) == 1 && package_fd > 2 &&
        package_fd != fd && (flags = fcntl(package_fd, F_GETFD)) >= 0)
        fcntl(package_fd, F_SETFD, flags | FD_CLOEXEC);

    updater_ctx ctx;
    updater_ctx_init(&ctx, ota_root(), (int)fd, stderr);
    ota_error err;
    ota_error_clear(&err);
    int rc = updater_run_package(&ctx, argv[3], &err);
    updater_ctx_release(&ctx);
    if (rc < 0) {
        fprintf(stderr, "updater: %s\n", err.message);
        return 1;
    }
    return 0;
}
