/* The agent's configuration: a property file (otautil/props.h), by
 * default /etc/ota_agent.conf.  Every path in it is a device path,
 * resolved under RECOVERY_ROOT (otautil/root.h).  Keys (docs/agent.md):
 *   device_kind        recovery (default) or ab
 *   channel_url        where the channel document is (http:// or https://)
 *   channel_name       the name the channel must carry (optional)
 *   keys               trusted release keys (/etc/security/otacerts.zip)
 *   ca_bundle, client_cert, client_key   TLS (optional)
 *   build_props        the running build's property files, comma-separated
 *                      (/system/build.prop)
 *   hooks_dir          vendor hooks (/etc/ota_agent/hooks)
 *   state_dir          status and log (/data/ota_agent)
 *   cache_dir          where packages are downloaded (/cache)
 *   misc_device        the bootloader message's partition
 *                      (/dev/block/by-name/misc)
 *   connect_timeout_ms (30000), stall_timeout_ms (60000),
 *   retries            attempts in a row without progress (10),
 *   retry_delay_ms (1000), retry_max_delay_ms (60000),
 *   total_timeout_ms   bound on one download with its retries (21600000),
 *   hook_timeout_ms    (60000), reserve_bytes (free space to leave, 0)
 * A/B devices (agent/slots.h):
 *   bootctl_config     bootctl's configuration (/etc/bootctl.conf)
 *   slot_device        a slot's partition: %p the partition, %s the slot's
 *                      suffix (/dev/block/by-name/%p%s)
 *   single_device      a single-copy partition (/dev/block/by-name/%p)
 *   device.NAME        one partition's device, NAME as system_b or
 *                      bootloader: wins over the patterns
 *   ab_stream          yes (default): install URL writes the slot while
 *                      downloading; no: download first
 * An unknown key is an error: a misspelt setting must not be ignored. */
#ifndef AGENT_CONFIG_H
#define AGENT_CONFIG_H

#include <stdint.h>

#include "agent/retry.h"
#include "otautil/error.h"
#include "otautil/metadata.h"
#include "otautil/props.h"

#define AGENT_CONFIG_DEFAULT "/etc/ota_agent.conf"
#define AGENT_SLOT_DEVICE_DEFAULT "/dev/block/by-name/%p%s"
#define AGENT_SINGLE_DEVICE_DEFAULT "/dev/block/by-name/%p"

typedef struct agent_config {
    char *path;              /* the file read (resolved) */
    ota_install_kind kind;
    char *channel_url;       /* NULL when not configured */
    char *channel_name;      /* NULL: any */
    char *keys;              /* resolved paths from here on */
    char *ca_bundle, *client_cert, *client_key; /* NULL when not set */
    char *build_props;       /* comma-separated, resolved each */
    char *hooks_dir;
    char *state_dir;
    char *cache_dir;
    char *cache_dir_device;  /* as recovery sees it, for the bootloader message */
    char *misc_device;
    long connect_timeout_ms, stall_timeout_ms, hook_timeout_ms;
    agent_retry_policy retry;
    uint64_t reserve_bytes;
    /* A/B (device paths, resolved under RECOVERY_ROOT when used) */
    char *bootctl_config;
    char *slot_device;       /* pattern: %p partition, %s slot suffix */
    char *single_device;     /* pattern: %p partition */
    ota_props devices;       /* NAME -> device, from device.NAME= */
    int ab_stream;
} agent_config;

/* Loads path (NULL: the default), resolved under RECOVERY_ROOT.  A missing
 * file is an error naming it. */
int agent_config_load(const char *path, agent_config *cfg, ota_error *err);
void agent_config_free(agent_config *cfg);

#endif
