#include "agent/slots.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bootctl/config.h"
#include "otautil/root.h"

int agent_slots_open(agent_slots *s, const agent_config *cfg, ota_error *err)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    bootctl_config bcfg;
    bootctl_overrides ov = {.config = cfg->bootctl_config};
    if (bootctl_config_load(&bcfg, &ov, err) < 0 || !(s->bc = bootctl_open(&bcfg, err))) {
        ota_error_prefix(err, "boot control");
        return -1;
    }
    s->count = bootctl_number_slots(s->bc);
    s->current = bootctl_current_slot(s->bc, err);
    if (s->count < 2 || s->current < 0) {
        if (s->count < 2)
            ota_error_set(err, OTA_ERR_UNSUPPORTED, "boot control reports %u slot(s): an A/B "
                          "device has two or more", s->count);
        else
            ota_error_prefix(err, "which slot is running");
        agent_slots_close(s);
        return -1;
    }
    return 0;
}

void agent_slots_close(agent_slots *s)
{
    bootctl_close(s->bc);
    s->bc = NULL;
}

unsigned agent_slots_target(const agent_slots *s)
{
    return ((unsigned)s->current + 1) % s->count;
}

/* pattern with %p = part, %s = suffix, %% = %. */
static int expand(const char *pattern, const char *part, const char *suffix, char *out,
                  size_t cap, ota_error *err)
{
    size_t n = 0;
    for (const char *p = pattern; *p; p++) {
        const char *add = NULL;
        char one[2] = {*p, '\0'};
        if (*p != '%')
            add = one;
        else if (p[1] == 'p')
            add = part;
        else if (p[1] == 's')
            add = suffix;
        else if (p[1] == '%')
            add = "%";
        else
            return ota_error_set(err, OTA_ERR_FORMAT, "device pattern %s: %%%c is not %%p, %%s "
                                 "or %%%%", pattern, p[1] ? p[1] : ' ');
        if (*p == '%')
            p++;
        size_t k = strlen(add);
        if (n + k >= cap)
            return ota_error_set(err, OTA_ERR_LIMIT, "device pattern %s: path too long", pattern);
        memcpy(out + n, add, k);
        n += k;
    }
    out[n] = '\0';
    return 0;
}

int agent_slot_device(const agent_slots *s, const char *part, int slot, char *out, size_t cap,
                      ota_error *err)
{
    const char *suffix = slot == AGENT_SINGLE_COPY ? "" : bootctl_suffix(s->bc, (unsigned)slot);
    if (!suffix)
        return ota_error_set(err, OTA_ERR_ARGS, "no slot %d", slot);
    char key[OTA_ERROR_MAX / 4], device[PATH_MAX];
    snprintf(key, sizeof key, "%s%s", part, suffix);
    const char *given = ota_props_get(&s->cfg->devices, key);
    if (given)
        snprintf(device, sizeof device, "%s", given);
    else if (expand(slot == AGENT_SINGLE_COPY ? s->cfg->single_device : s->cfg->slot_device, part,
                    suffix, device, sizeof device, err) < 0)
        return -1;
    return ota_path(device, out, cap, err);
}

static int same_device(const struct stat *a, const struct stat *b)
{
    if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
        return a->st_rdev == b->st_rdev;
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A device about to be opened for writing must not be the running slot's
 * partition: checked on the path before it is opened, so the running
 * slot's partitions are never opened for writing at all. */
static int refuse_running(const agent_slots *s, const char *part, int slot, const char *path,
                          ota_error *err)
{
    if (slot == s->current)
        return ota_error_set(err, OTA_ERR_ARGS, "refusing to write partition %s of the running "
                             "slot (%s)", part, bootctl_suffix(s->bc, (unsigned)slot));
    char running[PATH_MAX];
    struct stat mine, theirs;
    if (stat(path, &mine) < 0)
        return ota_error_errno(err, "cannot open %s", path);
    if (agent_slot_device(s, part, s->current, running, sizeof running, NULL) == 0 &&
        stat(running, &theirs) == 0 && same_device(&mine, &theirs))
        return ota_error_set(err, OTA_ERR_ARGS, "refusing to write %s: it is %s, partition %s of "
                             "the running slot (check device.* and slot_device in the agent's "
                             "configuration)", path, running, part);
    return 0;
}

int agent_slot_open(const agent_slots *s, const char *part, int slot, int writable,
                    bi_fd_dev *dev, ota_error *err)
{
    char path[PATH_MAX];
    if (writable && slot == s->current)
        return refuse_running(s, part, slot, NULL, err);
    if (agent_slot_device(s, part, slot, path, sizeof path, err) < 0)
        return -1;
    if (writable && slot != AGENT_SINGLE_COPY && refuse_running(s, part, slot, path, err) < 0)
        return -1;
    return bi_fd_dev_open(dev, path, NULL, writable, err);
}
