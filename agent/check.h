/* `ota_agent check`: asks the vendor's check-network hook, fetches the
 * channel, verifies its signature with the trusted release keys, refuses a
 * channel older than one accepted before (a replayed document) or carrying
 * another name than configured, and picks the package for this device: the
 * incremental from the running build when the channel has one, else the
 * full package.  The package's metadata (as the channel lists it) then
 * passes the rule recovery applies (otautil/metadata.h): device, serial
 * number, no downgrade, the source build. */
#ifndef AGENT_CHECK_H
#define AGENT_CHECK_H

#include <stdint.h>

#include "agent/agent.h"
#include "otautil/hash.h"
#include "otautil/props.h"

typedef struct agent_offer {
    int update;                   /* 0: the device runs the channel's build */
    int incremental;
    char *url;                    /* absolute */
    uint64_t size;
    uint8_t sha256[OTA_SHA256_LEN];
    char build[256];              /* the channel's build */
    ota_props metadata;           /* the package's, as the channel lists it */
    long long channel_date;
} agent_offer;

/* Runs the check-network hook (a refusal is OTA_ERR_ABORTED "not now"). */
int agent_check_network(agent *a, ota_error *err);

/* 0 with *offer filled (offer->update says whether there is one); -1 when
 * the network hook says not now, the channel cannot be fetched or
 * verified, or its package does not fit this device. */
int agent_check(agent *a, agent_offer *offer, ota_error *err);
void agent_offer_free(agent_offer *offer);

#endif
