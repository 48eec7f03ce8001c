#include "bootctl/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"
#include "otautil/root.h"

#define DEFAULT_SCRIPT_TIMEOUT_MS 10000

static const char *const known[] = {"backend", "tries",  "slots", "storage", "uboot.defaults",
                                    "cmdline", "script.timeout"};

static int set_path(char *out, const char *path, const char *what, ota_error *err)
{
    if (ota_path(path, out, BOOTCTL_PATH_MAX, err) < 0) {
        ota_error_prefix(err, "%s", what);
        return -1;
    }
    return 0;
}

static int parse_int(const char *text, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_slots(bootctl_config *cfg, const char *text, const char *file, ota_error *err)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: slots= is too long", file);
    cfg->slot_count = 0;
    for (char *save, *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (cfg->slot_count == BOOTCTL_MAX_SLOTS)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: slots= names more than %d slots", file,
                                 BOOTCTL_MAX_SLOTS);
        if (strlen(tok) >= BOOTCTL_NAME_MAX || strchr(tok, '='))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: bad slot name \"%s\" in slots=", file, tok);
        for (unsigned i = 0; i < cfg->slot_count; i++)
            if (!strcmp(cfg->slot_names[i], tok))
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: slot \"%s\" named twice in slots=",
                                     file, tok);
        strcpy(cfg->slot_names[cfg->slot_count++], tok);
    }
    if (cfg->slot_count == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: slots= names no slot", file);
    return 0;
}

static int apply(bootctl_config *cfg, const ota_props *p, const char *file, ota_error *err)
{
    for (size_t i = 0; i < p->count; i++) {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(known[k], p->items[i].key))
            k++;
        if (k == sizeof known / sizeof known[0])
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: unknown setting \"%s\"", file,
                                 p->items[i].key);
    }
    const char *v;
    long n;
    if ((v = ota_props_get(p, "backend")) && snprintf(cfg->backend, sizeof cfg->backend, "%s", v) >=
                                                 (int)sizeof cfg->backend)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: unknown backend \"%s\"", file, v);
    if ((v = ota_props_get(p, "storage")) && set_path(cfg->storage, v, file, err) < 0)
        return -1;
    if ((v = ota_props_get(p, "uboot.defaults")) && set_path(cfg->uboot_defaults, v, file, err) < 0)
        return -1;
    if ((v = ota_props_get(p, "cmdline")) && set_path(cfg->cmdline, v, file, err) < 0)
        return -1;
    if ((v = ota_props_get(p, "slots")) && parse_slots(cfg, v, file, err) < 0)
        return -1;
    if ((v = ota_props_get(p, "tries"))) {
        if (parse_int(v, 1, 255, &n) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: tries=%s is not a number from 1 to 255",
                                 file, v);
        cfg->tries = (int)n;
    }
    if ((v = ota_props_get(p, "script.timeout"))) {
        if (parse_int(v, 1, 3600, &n) < 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s: script.timeout=%s is not a number of seconds (1 to 3600)",
                                 file, v);
        cfg->script_timeout_ms = (int)n * 1000;
    }
    return 0;
}

static int load_file(bootctl_config *cfg, const char *given, ota_error *err)
{
    char path[BOOTCTL_PATH_MAX];
    if (set_path(path, given ? given : BOOTCTL_DEFAULT_CONFIG, "config file", err) < 0)
        return -1;
    ota_props p = {0};
    int rc = ota_props_load(&p, path, 64 * 1024, err);
    if (rc == 1 && given)
        rc = ota_error_set(err, OTA_ERR_NOTFOUND, "config file %s does not exist", path);
    if (rc == 0)
        rc = apply(cfg, &p, path, err);
    ota_props_free(&p);
    if (rc == 1 && !cfg->backend[0])
        return ota_error_set(err, OTA_ERR_NOTFOUND,
                             "no boot control backend: %s does not exist (give --backend=NAME "
                             "--storage=PATH)",
                             path);
    return rc < 0 ? -1 : 0;
}

int bootctl_config_load(bootctl_config *cfg, const bootctl_overrides *ov, ota_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->script_timeout_ms = DEFAULT_SCRIPT_TIMEOUT_MS;
    if (ov->backend && snprintf(cfg->backend, sizeof cfg->backend, "%s", ov->backend) >=
                           (int)sizeof cfg->backend)
        return ota_error_set(err, OTA_ERR_ARGS, "unknown backend \"%s\"", ov->backend);
    if (load_file(cfg, ov->config, err) < 0)
        return -1;
    if (ov->backend && strcmp(cfg->backend, ov->backend)) {
        /* The file's storage belongs to the file's backend. */
        snprintf(cfg->backend, sizeof cfg->backend, "%s", ov->backend);
        cfg->storage[0] = '\0';
    }
    if (ov->storage && set_path(cfg->storage, ov->storage, "--storage", err) < 0)
        return -1;
    const bootctl_ops *ops = bootctl_backend(cfg->backend);
    if (!ops)
        return ota_error_set(err, OTA_ERR_ARGS,
                             "unknown boot control backend \"%s\" (android, uboot, grub or script)",
                             cfg->backend);
    if (!cfg->storage[0] && ops->default_storage &&
        set_path(cfg->storage, ops->default_storage, "storage", err) < 0)
        return -1;
    if (!cfg->cmdline[0] && set_path(cfg->cmdline, "/proc/cmdline", "cmdline", err) < 0)
        return -1;
    const char *current = ov->current ? ov->current : getenv("BOOTCTL_CURRENT_SLOT");
    if (current && *current &&
        snprintf(cfg->current, sizeof cfg->current, "%s", current) >= (int)sizeof cfg->current)
        return ota_error_set(err, OTA_ERR_ARGS, "running slot \"%s\" is too long", current);
    return 0;
}
