/* The running build, as the package rule (otautil/metadata.h) sees it: the
 * property files named by build_props (resolved under RECOVERY_ROOT, later
 * files winning) give ro.product.device, ro.build.fingerprint,
 * ro.build.date.utc and ro.serialno. */
#ifndef AGENT_DEVICE_H
#define AGENT_DEVICE_H

#include "otautil/error.h"
#include "otautil/metadata.h"
#include "otautil/props.h"

typedef struct agent_device {
    ota_props props;
    ota_device_build build; /* points into props */
} agent_device;

/* list: comma-separated device paths.  A file that does not exist is
 * skipped; none at all, or no ro.build.fingerprint, is an error. */
int agent_device_load(agent_device *dev, const char *list, ota_install_kind kind,
                      ota_error *err);
void agent_device_free(agent_device *dev);

#endif
