/* bcb: read and write the bootloader message on a misc partition (or an
 * image of one) from a shell, the way a device's main system asks for a
 * reboot into recovery:
 *   bcb MISC show
 *   bcb MISC update PACKAGE [ARG ...]   boot-recovery, --update_package=PACKAGE
 *   bcb MISC recovery ARG ...           boot-recovery with these arguments
 *   bcb MISC clear */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/bootloader.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bcb MISC show\n"
            "       bcb MISC update PACKAGE [ARG ...]\n"
            "       bcb MISC recovery ARG ...\n"
            "       bcb MISC clear\n"
            "MISC is the misc partition (a block device or an image file).\n");
}

static int show(const char *dev)
{
    ota_bootloader_message msg;
    ota_error err;
    if (ota_bcb_read(dev, &msg, &err) < 0) {
        fprintf(stderr, "bcb: %s\n", err.message);
        return 1;
    }
    char command[sizeof msg.command + 1], status[sizeof msg.status + 1];
    char recovery[sizeof msg.recovery + 1], stage[sizeof msg.stage + 1];
    ota_bcb_field(msg.command, sizeof msg.command, command);
    ota_bcb_field(msg.status, sizeof msg.status, status);
    ota_bcb_field(msg.recovery, sizeof msg.recovery, recovery);
    ota_bcb_field(msg.stage, sizeof msg.stage, stage);
    printf("command: %s\nstatus: %s\nstage: %s\nrecovery:\n%s%s", command, status, stage,
           recovery, recovery[0] && recovery[strlen(recovery) - 1] != '\n' ? "\n" : "");
    return 0;
}

/* Writes boot-recovery with "recovery\n" and one line per argument; a
 * line the recovery field cannot carry as it is (a line break, a control
 * character, a trailing space, too long) is refused before anything is
 * written. */
static int write_recovery(const char *dev, char **args, int n)
{
    ota_bootloader_message msg;
    ota_error err;
    if (ota_bcb_set_recovery(&msg, (const char *const *)args, (size_t)n, &err) < 0 ||
        ota_bcb_write(dev, &msg, &err) < 0) {
        fprintf(stderr, "bcb: %s\n", err.message);
        return 1;
    }
    return 0;
}

/* update PACKAGE [ARG ...]: the package line first. */
static int write_update(const char *dev, const char *package, char **extra, int n)
{
    ota_error err;
    if (ota_bcb_check_line(package, "package path", &err) < 0) {
        fprintf(stderr, "bcb: %s\n", err.message);
        return 1;
    }
    if (package[0] != '/') {
        fprintf(stderr, "bcb: package path '%s' is not an absolute path\n", package);
        return 1;
    }
    size_t len = strlen(package) + sizeof "--update_package=";
    char *first = malloc(len);
    char **args = calloc((size_t)n + 1, sizeof *args);
    int rc = 1;
    if (!first || !args) {
        fprintf(stderr, "bcb: out of memory\n");
    } else {
        snprintf(first, len, "--update_package=%s", package);
        args[0] = first;
        for (int i = 0; i < n; i++)
            args[i + 1] = extra[i];
        rc = write_recovery(dev, args, n + 1);
    }
    free(first);
    free(args);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    const char *dev = argv[1], *cmd = argv[2];
    if (!strcmp(cmd, "show") && argc == 3)
        return show(dev);
    if (!strcmp(cmd, "clear") && argc == 3) {
        ota_bootloader_message msg;
        memset(&msg, 0, sizeof msg);
        ota_error err;
        if (ota_bcb_write(dev, &msg, &err) < 0) {
            fprintf(stderr, "bcb: %s\n", err.message);
            return 1;
        }
        return 0;
    }
    if (!strcmp(cmd, "update") && argc >= 4)
        return write_update(dev, argv[3], argv + 4, argc - 4);
    if (!strcmp(cmd, "recovery") && argc >= 4)
        return write_recovery(dev, argv + 3, argc - 3);
    usage(stderr);
    return 2;
}
