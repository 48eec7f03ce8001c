#include "agent/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"
#include "otautil/root.h"

#define CONFIG_MAX (64u << 10)

typedef struct path_key {
    const char *key;
    const char *dflt; /* NULL: unset unless given */
    size_t offset;
} path_key;

#define AT(field) offsetof(agent_config, field)
static const path_key path_keys[] = {
    {"keys", "/etc/security/otacerts.zip", AT(keys)},
    {"ca_bundle", NULL, AT(ca_bundle)},
    {"client_cert", NULL, AT(client_cert)},
    {"client_key", NULL, AT(client_key)},
    {"hooks_dir", "/etc/ota_agent/hooks", AT(hooks_dir)},
    {"state_dir", "/data/ota_agent", AT(state_dir)},
    {"cache_dir", "/cache", AT(cache_dir)},
    {"misc_device", "/dev/block/by-name/misc", AT(misc_device)},
};

typedef struct num_key {
    const char *key;
    long long dflt;
    long long max;
} num_key;

static const num_key num_keys[] = {
    {"connect_timeout_ms", 30000, 3600000},  {"stall_timeout_ms", 60000, 3600000},
    {"hook_timeout_ms", 60000, 86400000},    {"retries", 10, 100000},
    {"retry_delay_ms", 1000, 3600000},       {"retry_max_delay_ms", 60000, 86400000},
    {"total_timeout_ms", 21600000, 604800000}, {"reserve_bytes", 0, 1LL << 50},
};

static const char *const other_keys[] = {"device_kind", "channel_url", "channel_name",
                                         "build_props", "bootctl_config", "slot_device",
                                         "single_device", "ab_stream"};

/* device.NAME=PATH: one partition's device (agent/slots.h). */
#define DEVICE_PREFIX "device."

static int known_key(const char *key)
{
    for (size_t i = 0; i < sizeof path_keys / sizeof path_keys[0]; i++)
        if (!strcmp(key, path_keys[i].key))
            return 1;
    for (size_t i = 0; i < sizeof num_keys / sizeof num_keys[0]; i++)
        if (!strcmp(key, num_keys[i].key))
            return 1;
    for (size_t i = 0; i < sizeof other_keys / sizeof other_keys[0]; i++)
        if (!strcmp(key, other_keys[i]))
            return 1;
    return !strncmp(key, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) && key[strlen(DEVICE_PREFIX)];
}

static int str_or(const ota_props *p, const char *key, const char *dflt, char **out)
{
    const char *v = ota_props_get(p, key);
    *out = strdup(v && v[0] ? v : dflt);
    return *out ? 0 : -1;
}

/* The A/B settings: bootctl's config, where the slots' partitions are,
 * whether to stream. */
static int load_ab(const ota_props *p, agent_config *cfg, ota_error *err)
{
    if (str_or(p, "bootctl_config", "/etc/bootctl.conf", &cfg->bootctl_config) < 0 ||
        str_or(p, "slot_device", AGENT_SLOT_DEVICE_DEFAULT, &cfg->slot_device) < 0 ||
        str_or(p, "single_device", AGENT_SINGLE_DEVICE_DEFAULT, &cfg->single_device) < 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    const char *stream = ota_props_get(p, "ab_stream");
    if (!stream || !stream[0] || !strcmp(stream, "yes"))
        cfg->ab_stream = 1;
    else if (strcmp(stream, "no") != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: ab_stream=%s (expected yes or no)",
                             cfg->path, stream);
    size_t pre = strlen(DEVICE_PREFIX);
    for (size_t i = 0; i < p->count; i++)
        if (!strncmp(p->items[i].key, DEVICE_PREFIX, pre) &&
            ota_props_set(&cfg->devices, p->items[i].key + pre, p->items[i].value, err) < 0) {
            ota_error_prefix(err, "%s", cfg->path);
            return -1;
        }
    return 0;
}

static int get_num(const ota_props *p, const num_key *k, long long *out, const char *file,
                   ota_error *err)
{
    const char *v = ota_props_get(p, k->key);
    if (!v || !v[0]) {
        *out = k->dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < 0 || n > k->max)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s=%s is not a number from 0 to %lld",
                             file, k->key, v, k->max);
    *out = n;
    return 0;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s || !s[0])
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static int load_values(const ota_props *p, agent_config *cfg, ota_error *err)
{
    const char *file = cfg->path;
    for (size_t i = 0; i < p->count; i++)
        if (!known_key(p->items[i].key))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: unknown setting '%s'", file,
                                 p->items[i].key);
    const char *kind = ota_props_get(p, "device_kind");
    if (!kind || !kind[0] || !strcmp(kind, "recovery"))
        cfg->kind = OTA_INSTALL_RECOVERY;
    else if (!strcmp(kind, "ab"))
        cfg->kind = OTA_INSTALL_AB;
    else
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s: device_kind=%s (expected 'recovery' or 'ab')", file, kind);
    int oom = 0;
    cfg->channel_url = dup_or_null(ota_props_get(p, "channel_url"), &oom);
    cfg->channel_name = dup_or_null(ota_props_get(p, "channel_name"), &oom);
    const char *props = ota_props_get(p, "build_props");
    cfg->build_props = strdup(props && props[0] ? props : "/system/build.prop");
    if (oom || !cfg->build_props)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < sizeof path_keys / sizeof path_keys[0]; i++) {
        const char *v = ota_props_get(p, path_keys[i].key);
        if (!v || !v[0])
            v = path_keys[i].dflt;
        if (!v)
            continue;
        char *resolved = ota_path_dup(v, err);
        if (!resolved)
            return -1;
        *(char **)((char *)cfg + path_keys[i].offset) = resolved;
    }
    const char *cache = ota_props_get(p, "cache_dir");
    cfg->cache_dir_device = strdup(cache && cache[0] ? cache : "/cache");
    if (!cfg->cache_dir_device)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    long long v[sizeof num_keys / sizeof num_keys[0]];
    for (size_t i = 0; i < sizeof num_keys / sizeof num_keys[0]; i++)
        if (get_num(p, &num_keys[i], &v[i], file, err) < 0)
            return -1;
    cfg->connect_timeout_ms = (long)v[0];
    cfg->stall_timeout_ms = (long)v[1];
    cfg->hook_timeout_ms = (long)v[2];
    cfg->retry.max_failures = (int)v[3];
    cfg->retry.delay_ms = (long)v[4];
    cfg->retry.max_delay_ms = (long)v[5];
    cfg->retry.total_ms = (long)v[6];
    cfg->reserve_bytes = (uint64_t)v[7];
    if (load_ab(p, cfg, err) < 0)
        return -1;
    if (cfg->channel_url && strncmp(cfg->channel_url, "http://", 7) != 0 &&
        strncmp(cfg->channel_url, "https://", 8) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: channel_url must be http:// or https://: %s",
                             file, cfg->channel_url);
    return 0;
}

int agent_config_load(const char *path, agent_config *cfg, ota_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = ota_path_dup(path ? path : AGENT_CONFIG_DEFAULT, err);
    if (!cfg->path)
        return -1;
    ota_props p = {0};
    int rc = ota_props_load(&p, cfg->path, CONFIG_MAX, err);
    if (rc == 1)
        rc = ota_error_set(err, OTA_ERR_NOTFOUND, "configuration %s does not exist", cfg->path);
    if (rc == 0)
        rc = load_values(&p, cfg, err);
    ota_props_free(&p);
    if (rc < 0)
        agent_config_free(cfg);
    return rc;
}

void agent_config_free(agent_config *cfg)
{
    free(cfg->path);
    free(cfg->channel_url);
    free(cfg->channel_name);
    free(cfg->build_props);
    free(cfg->cache_dir_device);
    free(cfg->bootctl_config);
    free(cfg->slot_device);
    free(cfg->single_device);
    ota_props_free(&cfg->devices);
    for (size_t i = 0; i < sizeof path_keys / sizeof path_keys[0]; i++)
        free(*(char **)((char *)cfg + path_keys[i].offset));
    memset(cfg, 0, sizeof *cfg);
}
