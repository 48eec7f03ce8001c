/* The development key: what packages are signed with when no -k is given,
 * so that every package is signed and a developer's device can trust one
 * stable key.  Made once (RSA-2048, e=65537, a self-signed certificate) in
 *     $OTA_DEVKEY_DIR, else $XDG_CONFIG_HOME/ota, else ~/.config/ota
 * as devkey.x509.pem and devkey.pk8 (Android's key formats), and reused
 * after that.  Never ship a device that trusts it. */
#ifndef RELEASETOOLS_DEVKEY_H
#define RELEASETOOLS_DEVKEY_H

#include <stddef.h>

#include "otautil/error.h"

/* The key directory as described above (not created). */
int rt_devkey_dir(char *out, size_t outsz, ota_error *err);

/* Makes sure the key exists, creating the directory and the key if needed
 * (under a lock, so concurrent runs agree on one key).  Writes the key's
 * base name ("DIR/devkey") to base; *created tells whether it was made now. */
int rt_devkey_ensure(char *base, size_t basesz, int *created, ota_error *err);

#endif
