#include "agent/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fetch.h"
#include "otautil/channel.h"
#include "otautil/metadata.h"
#include "otautil/verify.h"

int agent_check_network(agent *a, ota_error *err)
{
    agent_hook_env env = {
        .kind = a->cfg.kind == OTA_INSTALL_AB ? "ab" : "recovery",
        .current_build = a->status.current_build,
        .state_dir = a->cfg.state_dir,
    };
    if (agent_hook_run(&a->hooks, "check-network", NULL, &env, NULL, err) < 0) {
        ota_error_prefix(err, "not now: the network check refused");
        return -1;
    }
    return 0;
}

static int pick(agent *a, const ota_channel *ch, agent_offer *offer, ota_error *err)
{
    const char *running = a->device.build.fingerprint;
    snprintf(offer->build, sizeof offer->build, "%s", ch->build);
    offer->channel_date = ch->date;
    if (!strcmp(running, ch->build))
        return 0;
    const ota_channel_package *pkg = ota_channel_incremental(ch, running);
    offer->incremental = pkg != NULL;
    if (!pkg)
        pkg = ota_channel_full(ch);
    if (!pkg)
        return ota_error_set(err, OTA_ERR_NOTFOUND,
                             "the channel offers build '%s' but no package for this device's "
                             "build '%s' (no full package, no incremental from it)",
                             ch->build, running);
    if (ota_metadata_check(&pkg->metadata, &a->device.build, err) < 0) {
        ota_error_prefix(err, "the channel's package %s does not fit this device", pkg->url);
        return -1;
    }
    offer->url = agent_http_resolve(a->cfg.channel_url, pkg->url, err);
    if (!offer->url)
        return -1;
    offer->size = pkg->size;
    memcpy(offer->sha256, pkg->sha256, OTA_SHA256_LEN);
    for (size_t i = 0; i < pkg->metadata.count; i++)
        if (ota_props_set(&offer->metadata, pkg->metadata.items[i].key,
                          pkg->metadata.items[i].value, err) < 0)
            return -1;
    offer->update = 1;
    return 0;
}

static int accept_channel(agent *a, const ota_channel *ch, ota_error *err)
{
    if (a->cfg.channel_name && strcmp(a->cfg.channel_name, ch->name) != 0)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "the channel at %s is named '%s', this device follows '%s'",
                             a->cfg.channel_url, ch->name, a->cfg.channel_name);
    if (ch->date < a->status.channel_date)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "the channel at %s is dated %lld, older than one accepted before "
                             "(%lld): refused as a replay", a->cfg.channel_url, ch->date,
                             a->status.channel_date);
    return 0;
}

int agent_check(agent *a, agent_offer *offer, ota_error *err)
{
    memset(offer, 0, sizeof *offer);
    if (!a->cfg.channel_url)
        return ota_error_set(err, OTA_ERR_ARGS, "%s sets no channel_url", a->cfg.path);
    agent_set_state(a, AGENT_CHECKING);
    if (agent_check_network(a, err) < 0)
        return -1;
    ota_keyset *keys = ota_keyset_load(a->cfg.keys, err);
    if (!keys)
        return -1;
    ota_buf doc = {0};
    ota_channel ch = {0};
    int rc = agent_fetch_small(a, a->cfg.channel_url, OTA_CHANNEL_MAX_SIZE, &doc, err);
    if (rc == 0)
        rc = ota_channel_open(doc.data, doc.len, keys, a->cfg.channel_url, &ch, err);
    ota_keyset_free(keys);
    ota_buf_free(&doc);
    if (rc == 0)
        rc = accept_channel(a, &ch, err);
    if (rc == 0) {
        a->status.channel_date = ch.date;
        rc = pick(a, &ch, offer, err);
    }
    ota_channel_free(&ch);
    if (rc < 0)
        agent_offer_free(offer);
    return rc;
}

void agent_offer_free(agent_offer *offer)
{
    free(offer->url);
    ota_props_free(&offer->metadata);
    memset(offer, 0, sizeof *offer);
}
