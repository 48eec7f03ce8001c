/* Making an update channel (otautil/channel.h) from signed packages: each
 * package's size, SHA-256 and metadata are read from the file itself, and
 * the document is signed with the release key the packages are signed
 * with. */
#ifndef RELEASETOOLS_CHANNEL_H
#define RELEASETOOLS_CHANNEL_H

#include <stddef.h>

#include "otautil/error.h"

typedef struct rt_channel_opts {
    const char *key;        /* key pair base name: KEY.x509.pem + KEY.pk8 */
    const char *name;       /* the channel's name */
    long long date;         /* seconds since the epoch */
    const char *url_prefix; /* put before each package's file name ("" or NULL: relative) */
} rt_channel_opts;

/* Writes the signed channel listing packages[0..count) to out (under a
 * temporary name, renamed when complete).  Refuses packages that do not
 * verify with the key's certificate, that build different targets, more
 * than one full package, and two incrementals from one source build. */
int rt_channel_make(const rt_channel_opts *opts, const char *const *packages, size_t count,
                    const char *out, ota_error *err);

#endif
