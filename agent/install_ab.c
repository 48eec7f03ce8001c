/* A/B devices: writing the inactive slot (streamed from the server through
 * agent/range_reader.h, or from a downloaded file) and marking it active
 * come with the A/B installer; until it is linked in, both say so. */
#include "agent/install.h"

int agent_install_ab(agent *a, const agent_source *src, ota_error *err)
{
    (void)a;
    (void)src;
    return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                         "A/B install is not available in this build (device_kind=ab)");
}

int agent_mark_good_ab(agent *a, ota_error *err)
{
    (void)a;
    return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                         "A/B slot marking is not available in this build (device_kind=ab)");
}
