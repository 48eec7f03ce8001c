/* bcb: read and write the bootloader message on a misc partition (or an
 * image of one) from a shell, the way a device's main system asks for a
 * reboot into recovery:
 *   bcb MISC show
 *   bcb MISC update PACKAGE [ARG ...]   boot-recovery, --update_package=PACKAGE
 *   bcb MISC recovery ARG ...           boot-recovery with these arguments
 *   bcb MISC clear */
#include <stdio.h>
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

/* Writes boot-recovery with "recovery\n" and one line per argument. */
static int write_recovery(const char *dev, const char *first, char **args, int n)
{
    const char *list[128];
    size_t count = 0;
    if (first)
        list[count++] = first;
    for (int i = 0; i < n && count < sizeof list / sizeof list[0]; i++)
        list[count++] = args[i];
    ota_bootloader_message msg;
    ota_error err;
    if (ota_bcb_set_recovery(&msg, list, count, &err) < 0 || ota_bcb_write(dev, &msg, &err) < 0) {
        fprintf(stderr, "bcb: %s\n", err.message);
        return 1;
    }
    return 0;
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
    if (!strcmp(cmd, "update") && argc >= 4) {
        char arg[700];
        if (snprintf(arg, sizeof arg, "--update_package=%s", argv[3]) >= (int)sizeof arg) {
            fprintf(stderr, "bcb: package path too long: %s\n", argv[3]);
            return 1;
        }
        return write_recovery(dev, arg, argv + 4, argc - 4);
    }
    if (!strcmp(cmd, "recovery") && argc >= 4)
        return write_recovery(dev, NULL, argv + 3, argc - 3);
    usage(stderr);
    return 2;
}
