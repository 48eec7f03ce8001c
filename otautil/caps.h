/* File capabilities as the kernel stores them: the security.capability
 * extended attribute (struct vfs_cap_data, linux/capability.h).  The one
 * encoder for the device (the updater's set_metadata) and the host (the
 * release tools' system.img and their reading of a rootfs): both must
 * agree byte for byte. */
#ifndef OTAUTIL_CAPS_H
#define OTAUTIL_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

#define OTA_CAPS_XATTR "security.capability"
#define OTA_VFS_CAP_SIZE 20 /* revision 2: magic, then two (permitted, inheritable) words */

/* The attribute value granting caps (Android's 64-bit mask, as
 * set_metadata's "capabilities" takes it) as permitted, with the effective
 * flag set and nothing inheritable, as Android sets them: revision 2,
 * little-endian. */
void ota_vfs_cap_encode(uint64_t caps, uint8_t out[OTA_VFS_CAP_SIZE]);

/* The permitted mask of a value of revision 1, 2 or 3 (3 adds a root uid
 * the mask does not carry).  -1 (OTA_ERR_FORMAT) for anything else. */
int ota_vfs_cap_decode(const uint8_t *value, size_t len, uint64_t *caps, ota_error *err);

#endif
