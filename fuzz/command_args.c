/* libFuzzer target: recovery's arguments and their persistent sources.
 * The input is read through the real readers as the bootloader message on
 * /misc (its first 2048 bytes, zero-padded) and as /cache/recovery/command,
 * and their arguments are applied as recovery applies them.  Then its lines
 * are taken as recovery's command line, written into the bootloader message
 * as recovery does before an install, and read back: the persisted
 * arguments must come back whole and mean the same.  Both "files" are
 * memfds; nothing touches the disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "otautil/bootloader.h"
#include "otautil/fstab.h"
#include "otautil/sink.h"
#include "recovery/args.h"
#include "recovery/bcb.h"
#include "recovery/command_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int misc_fd = -1, cmd_fd = -1;
static char cmd_path[64];
static ota_fstab fstab;
static recovery_ctx ctx = {.root = "", .fstab = &fstab}; /* paths used as they are */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    misc_fd = memfd_create("misc", MFD_CLOEXEC);
    cmd_fd = memfd_create("command", MFD_CLOEXEC);
    if (misc_fd < 0 || cmd_fd < 0)
        abort();
    char text[128];
    snprintf(text, sizeof text, "/misc emmc /proc/self/fd/%d\n", misc_fd);
    snprintf(cmd_path, sizeof cmd_path, "/proc/self/fd/%d", cmd_fd);
    if (ota_fstab_parse(text, &fstab, NULL) < 0)
        abort();
    return 0;
}

static void put_file(int fd, const void *data, size_t size)
{
    if (ftruncate(fd, 0) < 0 || ota_write_all(fd, data, size, NULL) < 0 ||
        lseek(fd, 0, SEEK_SET) < 0)
        abort();
}

/* Applies every argument; unknown ones are skipped as recovery skips them. */
static void apply_all(recovery_args *args, const recovery_argv *argv)
{
    for (int i = 0; i < argv->argc; i++) {
        ota_error err;
        ota_error_clear(&err);
        if (recovery_args_apply(args, argv->argv[i], &err) < 0 && err.message[0] == '\0')
            abort();
    }
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ota_error err;
    recovery_argv argv;

    /* The input as a bootloader message. */
    ota_bootloader_message msg;
    memset(&msg, 0, sizeof msg);
    memcpy(&msg, data, size < sizeof msg ? size : sizeof msg);
    put_file(misc_fd, &msg, sizeof msg);
    if (recovery_bcb_read_args(&ctx, &argv, &err) == 0) {
        recovery_args args = {0};
        apply_all(&args, &argv);
        recovery_args_free(&args);
        recovery_argv_free(&argv);
    }

    /* The input as the command file. */
    put_file(cmd_fd, data, size);
    if (recovery_command_file_read(cmd_path, &argv, &err) == 0) {
        recovery_args args = {0};
        apply_all(&args, &argv);
        recovery_args_free(&args);
        recovery_argv_free(&argv);
    }

    /* The input's lines (up to a NUL) as recovery's command line, persisted
     * into the message before an install and read back. */
    char *text = strndup((const char *)data, size);
    if (!text)
        return 0;
    recovery_args args = {0};
    for (char *save = NULL, *a = strtok_r(text, "\n", &save); a; a = strtok_r(NULL, "\n", &save))
        (void)recovery_args_apply(&args, a, &err);
    free(text);
    if (recovery_bcb_set(&ctx, &args, &err) == 0) {
        if (recovery_bcb_read_args(&ctx, &argv, &err) < 0)
            abort(); /* what was written must read back */
        recovery_args back = {0};
        for (int i = 0; i < argv.argc; i++)
            if (recovery_args_apply(&back, argv.argv[i], &err) < 0)
                abort(); /* recovery wrote an argument it cannot read */
        if (!same_str(args.update_package, back.update_package) ||
            args.wipe_data != back.wipe_data || args.wipe_cache != back.wipe_cache ||
            !same_str(args.locale, back.locale) || args.retry_count != back.retry_count)
            abort(); /* the persisted command means something else */
        if (back.fstab_path || back.keys_path)
            abort(); /* what recovery trusts is never persisted */
        recovery_args_free(&back);
        recovery_argv_free(&argv);
    }
    recovery_args_free(&args);
    return 0;
}
