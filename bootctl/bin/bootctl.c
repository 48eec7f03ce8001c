/* bootctl: Android's command-line wrapper of the boot HAL, over our boot
 * control backends (docs/bootctl.md).  Same commands and output as
 * Android's; exit 0 for yes and 1 for no on the is- commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootctl/bootctl.h"
#include "bootctl/config.h"

#define EXIT_USAGE 2
#define EXIT_NO_ANSWER 3 /* an is- command that could not answer */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bootctl [--backend=NAME] [--storage=PATH] [--config=FILE] [--current-slot=SLOT]\n"
            "               COMMAND [SLOT]\n"
            "Commands (Android's):\n"
            "  hal-info                        which backend and storage answer\n"
            "  get-number-slots                prints the number of slots\n"
            "  get-current-slot                prints the running slot\n"
            "  mark-boot-successful            marks the running slot as good\n"
            "  get-active-boot-slot            prints the slot set active (tried next boot)\n"
            "  set-active-boot-slot SLOT       boot SLOT from the next boot on\n"
            "  set-slot-as-unbootable SLOT     the bootloader will not boot SLOT\n"
            "  is-slot-bootable SLOT           exit 0 when SLOT is bootable, 1 when not\n"
            "  is-slot-marked-successful SLOT  exit 0 when SLOT is marked good, 1 when not\n"
            "  get-suffix SLOT                 prints SLOT's suffix (_a)\n"
            "and:\n"
            "  status                          every slot's state; whether a rollback happened\n"
            "SLOT is a slot number (0 is _a), name or suffix.  NAME is android, uboot, grub or\n"
            "script; the backend and its storage come from /etc/bootctl.conf unless given.\n"
            "The running slot comes from the kernel command line; on a host, give it with\n"
            "--current-slot or BOOTCTL_CURRENT_SLOT.  RECOVERY_ROOT=DIR resolves paths under DIR.\n"
            "Exit: 0 done or yes, 1 no or failed, 2 usage error, 3 an is- command could not\n"
            "answer.\n");
}

static const char *yes_no(int v)
{
    return v ? "yes" : "no";
}

static int fail(const char *cmd, const ota_error *err, int code)
{
    fprintf(stderr, "bootctl: %s: %s\n", cmd, err->message);
    return code;
}

static void print_slot(const bootctl *bc, int slot)
{
    if (slot < 0)
        printf("unknown");
    else
        printf("%d (%s)", slot, bootctl_suffix(bc, (unsigned)slot));
}

static int show_status(bootctl *bc)
{
    bootctl_status st;
    ota_error err;
    if (bootctl_get_status(bc, &st, &err) < 0)
        return fail("status", &err, 1);
    printf("backend: %s (%s)\ncurrent: ", bc->ops->name, bc->cfg.storage);
    print_slot(bc, st.current);
    if (st.current >= 0)
        printf(", from the %s", bc->current_from);
    printf("\nactive: ");
    print_slot(bc, st.active);
    printf("\n");
    for (unsigned i = 0; i < st.slot_count; i++) {
        const bootctl_slot_status *s = &st.slots[i];
        printf("slot %u (%s, %s): bootable=%s successful=%s tries-left=", i, bootctl_suffix(bc, i),
               bootctl_slot_name(bc, i), yes_no(s->bootable), yes_no(s->successful));
        if (s->tries_left < 0)
            printf("unknown");
        else
            printf("%d", s->tries_left);
        printf(" active=%s%s\n", yes_no(s->active), (int)i == st.current ? " running" : "");
    }
    printf("switch-pending: %s\nrolled-back: %s\n", yes_no(st.switch_pending),
           yes_no(st.rolled_back));
    return 0;
}

static int hal_info(bootctl *bc)
{
    printf("HAL Version: ota-bootctl@1.0::%s\n", bc->ops->name);
    printf("Storage: %s\n", bc->cfg.storage);
    printf("Slots: %u\n", bootctl_number_slots(bc));
    return 0;
}

/* Commands that take a SLOT. */
static int slot_command(bootctl *bc, const char *cmd, unsigned slot)
{
    ota_error err;
    int rc;
    if (!strcmp(cmd, "set-active-boot-slot"))
        return bootctl_set_active_boot_slot(bc, slot, &err) < 0 ? fail(cmd, &err, 1) : 0;
    if (!strcmp(cmd, "set-slot-as-unbootable"))
        return bootctl_set_slot_as_unbootable(bc, slot, &err) < 0 ? fail(cmd, &err, 1) : 0;
    if (!strcmp(cmd, "is-slot-bootable")) {
        rc = bootctl_is_slot_bootable(bc, slot, &err);
        return rc < 0 ? fail(cmd, &err, EXIT_NO_ANSWER) : !rc;
    }
    if (!strcmp(cmd, "is-slot-marked-successful")) {
        rc = bootctl_is_slot_marked_successful(bc, slot, &err);
        return rc < 0 ? fail(cmd, &err, EXIT_NO_ANSWER) : !rc;
    }
    printf("%s\n", bootctl_suffix(bc, slot)); /* get-suffix */
    return 0;
}

static int plain_command(bootctl *bc, const char *cmd)
{
    ota_error err;
    int slot;
    if (!strcmp(cmd, "hal-info"))
        return hal_info(bc);
    if (!strcmp(cmd, "get-number-slots")) {
        printf("%u\n", bootctl_number_slots(bc));
        return 0;
    }
    if (!strcmp(cmd, "get-current-slot")) {
        if ((slot = bootctl_current_slot(bc, &err)) < 0)
            return fail(cmd, &err, 1);
        printf("%d\n", slot);
        return 0;
    }
    if (!strcmp(cmd, "get-active-boot-slot")) {
        if ((slot = bootctl_active_slot(bc, &err)) < 0)
            return fail(cmd, &err, 1);
        printf("%d\n", slot);
        return 0;
    }
    if (!strcmp(cmd, "mark-boot-successful"))
        return bootctl_mark_boot_successful(bc, &err) < 0 ? fail(cmd, &err, 1) : 0;
    return show_status(bc); /* status */
}

static int takes_slot(const char *cmd)
{
    static const char *const with[] = {"set-active-boot-slot", "set-slot-as-unbootable",
                                       "is-slot-bootable", "is-slot-marked-successful",
                                       "get-suffix"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (!strcmp(cmd, with[i]))
            return 1;
    return 0;
}

static int known_plain(const char *cmd)
{
    static const char *const plain[] = {"hal-info", "get-number-slots", "get-current-slot",
                                        "get-active-boot-slot", "mark-boot-successful", "status"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(cmd, plain[i]))
            return 1;
    return 0;
}

/* "--name=value" or "--name value": the value, advancing *i; NULL if not it. */
static const char *option(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int main(int argc, char **argv)
{
    bootctl_overrides ov = {0};
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        const char *v;
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if ((v = option(argc, argv, &i, "--backend"))) {
            ov.backend = v;
        } else if ((v = option(argc, argv, &i, "--storage"))) {
            ov.storage = v;
        } else if ((v = option(argc, argv, &i, "--config"))) {
            ov.config = v;
        } else if ((v = option(argc, argv, &i, "--current-slot"))) {
            ov.current = v;
        } else {
            fprintf(stderr, "bootctl: unknown option %s\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[i];
    int with_slot = takes_slot(cmd);
    if ((!with_slot && !known_plain(cmd)) || argc - i != (with_slot ? 2 : 1)) {
        if (!with_slot && !known_plain(cmd))
            fprintf(stderr, "bootctl: unknown command %s\n", cmd);
        else
            fprintf(stderr, "bootctl: %s takes %s\n", cmd, with_slot ? "one SLOT" : "no argument");
        usage(stderr);
        return EXIT_USAGE;
    }

    bootctl_config cfg;
    ota_error err;
    if (bootctl_config_load(&cfg, &ov, &err) < 0)
        return fail(cmd, &err, err.code == OTA_ERR_ARGS ? EXIT_USAGE : 1);
    bootctl *bc = bootctl_open(&cfg, &err);
    if (!bc)
        return fail(cmd, &err, with_slot && !strncmp(cmd, "is-", 3) ? EXIT_NO_ANSWER : 1);
    int rc;
    if (with_slot) {
        int slot = bootctl_parse_slot(bc, argv[i + 1], &err);
        if (slot < 0) {
            fprintf(stderr, "bootctl: %s: %s\n", cmd, err.message);
            rc = EXIT_USAGE;
        } else {
            rc = slot_command(bc, cmd, (unsigned)slot);
        }
    } else {
        rc = plain_command(bc, cmd);
    }
    bootctl_close(bc);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "bootctl: cannot write the answer\n");
        return 1;
    }
    return rc;
}
