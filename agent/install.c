#include "agent/install.h"

#include <stdlib.h>
#include <string.h>

#include "agent/check.h"
#include "otautil/root.h"

static int is_url(const char *s)
{
    return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

void agent_reconcile(agent *a)
{
    if (a->cfg.kind == OTA_INSTALL_AB) {
        agent_reconcile_ab(a);
        return;
    }
    if (a->status.state != AGENT_WAITING_FOR_REBOOT || !a->status.target_build[0] ||
        !a->device.build.fingerprint)
        return;
    if (!strcmp(a->status.target_build, a->device.build.fingerprint)) {
        agent_log(a, "build %s is installed", a->status.target_build);
        agent_set_state(a, AGENT_IDLE);
    }
}

int agent_install(agent *a, const char *source, int download_only, int *up_to_date,
                  ota_error *err)
{
    if (up_to_date)
        *up_to_date = 0;
    agent_source src = {0};
    agent_offer offer = {0};
    char *path = NULL;
    int rc = 0;
    if (!source) {
        rc = agent_check(a, &offer, err);
        if (rc == 0 && !offer.update) {
            agent_log(a, "up to date: this device runs %s", offer.build);
            agent_set_state(a, AGENT_IDLE);
            if (up_to_date)
                *up_to_date = 1;
            agent_offer_free(&offer);
            return 0;
        }
        src.url = offer.url;
        src.size = offer.size;
        src.sha256 = offer.sha256;
        src.target_build = offer.build;
        if (rc == 0)
            agent_log(a, "update to %s: %s package %s", offer.build,
                      offer.incremental ? "incremental" : "full", offer.url);
    } else if (is_url(source)) {
        src.url = source;
        rc = agent_check_network(a, err);
    } else {
        path = ota_path_dup(source, err);
        src.path = path;
        rc = path ? 0 : -1;
    }
    if (rc == 0)
        rc = a->cfg.kind == OTA_INSTALL_AB && !download_only ? agent_install_ab(a, &src, err)
                                           : agent_install_recovery(a, &src, download_only, err);
    if (rc < 0 && err)
        agent_record_error(a, AGENT_FAILED, err);
    agent_offer_free(&offer);
    free(path);
    return rc;
}

int agent_mark_good(agent *a, ota_error *err)
{
    if (a->cfg.kind == OTA_INSTALL_AB)
        return agent_mark_good_ab(a, err);
    agent_reconcile(a);
    agent_log(a, "single-slot device: recovery installed the build; nothing to mark");
    return 0;
}
