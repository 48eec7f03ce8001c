/* recovery: carries out the command it finds (arguments, then
 * /cache/recovery/command, then the bootloader message): install an update
 * package, wipe /data or /cache.  See docs/recovery.md. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "otautil/fstab.h"
#include "otautil/props.h"
#include "otautil/root.h"
#include "recovery/args.h"
#include "recovery/bcb.h"
#include "recovery/command_file.h"
#include "recovery/command_sources.h"
#include "recovery/context.h"
#include "recovery/install.h"
#include "recovery/log_files.h"
#include "recovery/memory.h"
#include "recovery/mounts.h"
#include "recovery/ui_text.h"
#include "recovery/wipe.h"

/* Exit statuses (docs/recovery.md). */
enum {
    EXIT_DONE = 0,           /* everything asked for succeeded, or nothing was asked */
    EXIT_INSTALL_FAILED = 1, /* the update-binary failed */
    EXIT_USAGE = 2,
    EXIT_REFUSED = 3,        /* the package was refused before anything was changed */
    EXIT_WIPE_FAILED = 4,
    EXIT_SETUP_FAILED = 5,   /* no fstab, no log folder...: nothing could be done */
};

static const char usage[] =
    "usage: recovery [--update_package=PATH] [--wipe_data] [--wipe_cache] [--just_exit]\n"
    "                [--fstab=FILE] [--keys=FILE] [--show_text] [--locale=L] [--reason=R]\n"
    "\n"
    "Installs an update package and/or wipes /data and /cache.  Without an action\n"
    "argument the command comes from /cache/recovery/command, then from the\n"
    "bootloader message on the fstab's /misc.  Paths are resolved under\n"
    "$RECOVERY_ROOT when it is set.\n"
    "\n"
    "  --update_package=PATH  verify and install the package at PATH\n"
    "  --wipe_data            format /data and /cache (after a successful install)\n"
    "  --wipe_cache           format /cache, keeping recovery's logs\n"
    "  --just_exit            do nothing but clear the pending command\n"
    "  --fstab=FILE           recovery fstab (default /etc/recovery.fstab)\n"
    "  --keys=FILE            trusted certificates: PEM, several PEM, or otacerts.zip\n"
    "                         (default /res/keys)\n"
    "                         --fstab and --keys count only on this command line; in the\n"
    "                         command file or the bootloader message they are ignored\n"
    "  --show_text, --locale, --reason, --security, --send_intent, --retry_count:\n"
    "                         accepted from Android's framework; logged only\n"
    "\n"
    "Exit status: 0 done, 1 install failed, 2 usage, 3 package refused (nothing\n"
    "changed), 4 wipe failed, 5 recovery could not start (fstab, log folder).\n";

typedef struct run {
    recovery_args args;
    ota_fstab fstab;
    ota_props props;
    recovery_ctx ctx;
    recovery_ui *ui;
    recovery_log *log;
    int cache_ok;            /* /cache is mounted: the command file can be read */
    int cache_writable;      /* ... and writable: logs go to /cache/recovery */
    recovery_command_source source;
    char log_dir[PATH_MAX];  /* resolved /cache/recovery */
} run;

static void warn(run *r, const char *what, const ota_error *err)
{
    recovery_say(&r->ctx, "W: %s: %s", what, err->message);
}

static void save_logs(void *arg)
{
    run *r = arg;
    if (!r->cache_writable || !r->log)
        return;
    ota_error err;
    recovery_log_sync(r->log);
    if (recovery_logs_save(r->log_dir, recovery_log_path(r->log), &err) < 0)
        recovery_log_printf(r->log, "cannot save the log: %s", err.message);
}

static recovery_ui *make_ui(ota_error *err)
{
    const char *term = getenv("TERM");
    int ansi = isatty(STDOUT_FILENO) && term && strcmp(term, "dumb") != 0;
    recovery_ui_text_opts opts = { .out = stdout, .ansi = ansi };
    struct winsize ws;
    if (ansi && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        opts.columns = ws.ws_col;
        opts.rows = ws.ws_row;
    }
    return recovery_ui_text_new(&opts, err);
}

static int load_fstab(run *r, ota_error *err)
{
    char path[PATH_MAX];
    ota_fstab_free(&r->fstab);
    memset(&r->fstab, 0, sizeof r->fstab);
    if (ota_path_at(r->ctx.root, recovery_args_fstab(&r->args), path, sizeof path, err) < 0 ||
        ota_fstab_load(path, &r->fstab, err) < 0)
        return -1;
    recovery_log_printf(r->log, "fstab %s: %zu volume(s)", recovery_args_fstab(&r->args),
                        r->fstab.count);
    return 0;
}

/* /cache must be mounted for the command file and the logs; without a
 * /cache volume the folder is used as it is.  It is mounted read-only
 * first: nothing is written before a package has verified or been
 * refused (make_cache_writable). */
static void open_cache(run *r)
{
    ota_error err;
    if (ota_path_at(r->ctx.root, RECOVERY_LOG_DIR, r->log_dir, sizeof r->log_dir, &err) < 0) {
        warn(r, "no log folder", &err);
        return;
    }
    if (ota_fstab_find(&r->fstab, "/cache") &&
        recovery_mount_readonly(&r->ctx, "/cache", &err) < 0) {
        warn(r, "logs and the command file are unavailable", &err);
        return;
    }
    r->cache_ok = 1;
}

/* From here on recovery writes its own records: logs on /cache, the
 * bootloader message on misc. */
static void make_cache_writable(run *r)
{
    ota_error err;
    if (!r->cache_ok || r->cache_writable)
        return;
    if (ota_fstab_find(&r->fstab, "/cache") &&
        recovery_make_writable(&r->ctx, "/cache", &err) < 0) {
        warn(r, "logs cannot be kept", &err);
        return;
    }
    r->cache_writable = 1;
    if (recovery_logs_rotate(r->log_dir, &err) < 0)
        warn(r, "cannot rotate the logs", &err);
}

/* The command.  The fstab and the keys stay those of recovery's own
 * command line: the persistent sources cannot change them. */
static void find_command(run *r)
{
    r->source = recovery_find_command(&r->ctx, &r->args, r->cache_ok);
}

static int wipe(run *r, const char *what, int data)
{
    ota_error err;
    r->ui->ops->set_status(r->ui, RECOVERY_UI_ERASING);
    recovery_say(&r->ctx, "-- Wiping %s...", what);
    if (data && recovery_format_volume(&r->ctx, "/data", &err) < 0) {
        recovery_say(&r->ctx, "E: %s", err.message);
        return -1;
    }
    if (recovery_wipe_cache(&r->ctx, &err) < 0) {
        recovery_say(&r->ctx, "E: %s", err.message);
        return -1;
    }
    recovery_say(&r->ctx, "%s wipe complete.", data ? "Data" : "Cache");
    return 0;
}

/* Says how the install of the package went, records it in last_install
 * and, after a successful one, wipes the cache if the updater asked for
 * it. */
static int report_install(run *r, recovery_install_result res, const ota_error *err,
                          int wipe_cache, int *cache_wiped)
{
    const char *package = r->args.update_package;
    if (res == RECOVERY_INSTALL_SUCCESS) {
        /* Scripts rarely spend exactly the whole bar; a finished install
         * shows a full one. */
        recovery_ui *ui = r->ctx.ui;
        ui->ops->progress_segment(ui, 1.0, 0.0);
        ui->ops->progress_set(ui, 1.0);
        recovery_say(&r->ctx, "Install of %s complete.", package);
    } else {
        recovery_say(&r->ctx, "E: %s", err->message);
        recovery_say(&r->ctx, res == RECOVERY_INSTALL_REFUSED
                                  ? "Installation aborted; nothing was changed."
                                  : "Installation failed.");
    }
    if (r->cache_writable) {
        ota_error lerr;
        if (recovery_logs_write_last_install(r->log_dir, package,
                                             res == RECOVERY_INSTALL_SUCCESS, &lerr) < 0)
            warn(r, "cannot write last_install", &lerr);
    }
    if (res == RECOVERY_INSTALL_SUCCESS && wipe_cache && !r->args.wipe_data) {
        if (wipe(r, "cache", 0) < 0)
            return EXIT_WIPE_FAILED;
        *cache_wiped = 1;
    }
    return res == RECOVERY_INSTALL_SUCCESS ? EXIT_DONE
         : res == RECOVERY_INSTALL_REFUSED ? EXIT_REFUSED : EXIT_INSTALL_FAILED;
}

static int carry_out(run *r)
{
    ota_error err;
    if (!recovery_args_has_action(&r->args)) {
        r->ui->ops->set_status(r->ui, RECOVERY_UI_NO_COMMAND);
        recovery_say(&r->ctx, "No command; nothing to do.");
        return EXIT_DONE;
    }
    if (!r->args.update_package && !r->args.wipe_data && !r->args.wipe_cache) {
        recovery_log_printf(r->log, "--just_exit: nothing to do");
        return EXIT_DONE;
    }
    /* The package is verified before anything is written: a refused one
     * changes no partition (recovery's own log on /cache aside, written
     * once the verdict is in). */
    recovery_package *pkg = NULL;
    if (r->args.update_package) {
        recovery_install_result res = recovery_package_open(&r->ctx, r->args.update_package,
                                                            &pkg, &err);
        make_cache_writable(r);
        if (res != RECOVERY_INSTALL_SUCCESS) {
            int unused;
            if (r->args.wipe_data || r->args.wipe_cache)
                recovery_say(&r->ctx, "Skipping the wipe because the install did not succeed.");
            return report_install(r, res, &err, 0, &unused);
        }
    }
    make_cache_writable(r);
    /* From here on a power loss must bring the device back to repeat this.
     * The message counts the attempts, so the next run's log can say that
     * it resumes an interrupted one. */
    if (r->source != RECOVERY_SOURCE_ARGUMENTS && r->args.retry_count > 0)
        recovery_say(&r->ctx, "Resuming after %d interrupted attempt%s.", r->args.retry_count,
                     r->args.retry_count == 1 ? "" : "s");
    recovery_args bcb_args = r->args;
    bcb_args.retry_count = r->args.retry_count + 1;
    if (!ota_fstab_find(&r->fstab, "/misc"))
        recovery_log_printf(r->log, "no /misc in the fstab: an interruption will not be resumed");
    else if (recovery_bcb_set(&r->ctx, &bcb_args, &err) < 0)
        warn(r, "cannot write the bootloader message; an interruption will not be resumed",
             &err);
    else
        recovery_log_printf(r->log, "bootloader message set to boot-recovery");
    save_logs(r);

    int status = EXIT_DONE, cache_wiped = 0;
    if (pkg) {
        int wipe_cache = 0;
        recovery_install_result res = recovery_package_install(&r->ctx, pkg, &wipe_cache, &err);
        recovery_package_close(pkg);
        status = report_install(r, res, &err, wipe_cache, &cache_wiped);
    }
    if (status != EXIT_DONE) {
        if (r->args.wipe_data || r->args.wipe_cache)
            recovery_say(&r->ctx, "Skipping the wipe because the install did not succeed.");
        return status;
    }
    if (r->args.wipe_data && wipe(r, "data", 1) < 0)
        return EXIT_WIPE_FAILED;
    if (r->args.wipe_cache && !r->args.wipe_data && !cache_wiped && wipe(r, "cache", 0) < 0)
        return EXIT_WIPE_FAILED;
    return EXIT_DONE;
}

/* The run has ended: logs first, then the command file and the BCB, so a
 * power loss before this point repeats the run. */
static void finish(run *r, int status)
{
    ota_error err;
    r->ui->ops->set_status(r->ui, status == EXIT_DONE ? RECOVERY_UI_DONE : RECOVERY_UI_ERROR);
    recovery_log_printf(r->log, "recovery finished with exit status %d", status);
    make_cache_writable(r);
    save_logs(r);
    if (r->cache_writable) {
        char path[PATH_MAX];
        if (ota_path_at(r->ctx.root, RECOVERY_COMMAND_FILE, path, sizeof path, &err) == 0 &&
            unlink(path) < 0 &&
            errno != ENOENT)
            recovery_log_printf(r->log, "cannot remove %s: %s", RECOVERY_COMMAND_FILE,
                                strerror(errno));
    }
    if (recovery_bcb_clear(&r->ctx, &err) < 0)
        warn(r, "cannot clear the bootloader message", &err);
    else if (ota_fstab_find(&r->fstab, "/misc"))
        recovery_log_printf(r->log, "bootloader message cleared");
    save_logs(r);
    /* Leave nothing mounted: the device reboots (or the host test looks at
     * the images) next. */
    for (size_t i = r->fstab.count; i-- > 0;) {
        const ota_fstab_entry *e = &r->fstab.entries[i];
        if (strcmp(e->mount_point, "/") != 0 && recovery_unmount(&r->ctx, e->mount_point, &err) < 0)
            recovery_log_printf(r->log, "%s", err.message);
    }
    sync();
}

/* The recovery's own properties.  A line without '=' is skipped, as
 * Android's init skips it: the screen and the log name it, and the
 * properties around it still count. */
static void load_properties(run *r)
{
    ota_error err;
    ota_buf notes = { 0 };
    if (ota_props_load_device(&r->props, r->ctx.root, &notes, &err) < 0)
        warn(r, "cannot read the properties", &err);
    if (notes.len && ota_buf_append(&notes, "", 1, &err) == 0) {
        char *save = NULL;
        for (char *line = strtok_r((char *)notes.data, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save))
            recovery_say(&r->ctx, "W: %s", line);
    }
    ota_buf_free(&notes);
}

/* init may start recovery without a console; descriptors 0-2 must still be
 * taken, or the pipes made later would land there and be clobbered when a
 * child's output is redirected. */
static void ensure_std_fds(void)
{
    /* open() takes the lowest free number: fd itself, going upwards. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
            return;
}

/* Recovery mounts partitions and writes block devices: as any other user
 * its first write fails with a bare "Permission denied".  Say the cause
 * first: on a device run as root; on a host, RECOVERY_ROOT lays out a
 * simulated device (which still needs root for its loop devices). */
static int refuse_without_root(const char *root, const ota_error *failed)
{
    if (geteuid() == 0)
        return 0;
    if (!*root) {
        fprintf(stderr, "recovery: needs root: it mounts partitions, writes block devices and "
                        "its logs under /cache and /tmp (run it as root, or set RECOVERY_ROOT=DIR "
                        "to try it on a simulated device, docs/recovery.md)\n");
        return 1;
    }
    if (failed && strstr(failed->message, strerror(EACCES)))
        fprintf(stderr, "recovery: not running as root: RECOVERY_ROOT=%s must be writable by "
                        "this user, and its partitions are loop devices only root can mount\n",
                root);
    return 0;
}

int main(int argc, char **argv)
{
    static run r;
    ota_error err;
    ensure_std_fds();
    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        if (recovery_args_apply(&r.args, argv[i], &err) < 0) {
            fprintf(stderr, "recovery: %s\n%s", err.message, usage);
            recovery_args_free(&r.args);
            return EXIT_USAGE;
        }
    }
    if (r.args.help) {
        fputs(usage, stdout);
        recovery_args_free(&r.args);
        return EXIT_DONE;
    }
    if (refuse_without_root(ota_root(), NULL))
        return EXIT_SETUP_FAILED;
    r.ui = make_ui(&err);
    if (!r.ui) {
        fprintf(stderr, "recovery: %s\n", err.message);
        return EXIT_SETUP_FAILED;
    }

    /* RECOVERY_ROOT is read once; the context carries it. */
    const char *root = ota_root();
    char tmp_dir[PATH_MAX], log_path[PATH_MAX];
    if (ota_path_at(root, "/tmp", tmp_dir, sizeof tmp_dir, &err) < 0 ||
        recovery_mkdirs(tmp_dir, 0755, &err) < 0 ||
        ota_path_at(root, RECOVERY_TMP_LOG, log_path, sizeof log_path, &err) < 0 ||
        !(r.log = recovery_log_open(log_path, &err))) {
        fprintf(stderr, "recovery: %s\n", err.message);
        refuse_without_root(root, &err);
        r.ui->ops->destroy(r.ui);
        return EXIT_SETUP_FAILED;
    }
    r.ctx = (recovery_ctx){ .root = root, .fstab = &r.fstab, .props = &r.props, .ui = r.ui, .log = r.log,
                            .snapshot_limit_env = getenv(RECOVERY_SNAPSHOT_LIMIT_ENV),
                            .checkpoint = save_logs, .checkpoint_arg = &r };
    recovery_log_printf(r.log, "recovery starting; RECOVERY_ROOT=%s", root);
    for (int i = 1; i < argc; i++)
        recovery_log_printf(r.log, "  argument: %s", argv[i]);

    load_properties(&r);
    const char *device = ota_props_get(&r.props, "ro.product.device");
    const char *date = ota_props_get(&r.props, "ro.build.date.utc");
    const char *build = ota_props_get(&r.props, "ro.build.display.id");
    recovery_log_printf(r.log, "ro.product.device=%s ro.build.date.utc=%s",
                        device ? device : "(unset)", date ? date : "(unset)");
    char title[256];
    snprintf(title, sizeof title, "Recovery%s%s%s%s", device ? " for " : "", device ? device : "",
             build ? ", build " : "", build ? build : "");
    r.ui->ops->set_title(r.ui, title);

    int status;
    if (load_fstab(&r, &err) < 0) {
        recovery_say(&r.ctx, "E: cannot read the fstab: %s", err.message);
        status = EXIT_SETUP_FAILED;
    } else {
        open_cache(&r);
        find_command(&r);
        r.ctx.keys_path = recovery_args_keys(&r.args);
        status = carry_out(&r);
        finish(&r, status);
    }
    r.ui->ops->destroy(r.ui);
    recovery_log_close(r.log);
    ota_fstab_free(&r.fstab);
    ota_props_free(&r.props);
    recovery_args_free(&r.args);
    return status;
}
