/* Running a host tool (mke2fs, debugfs) from a library: no shell, stdout
 * discarded and stderr captured (so nothing is printed), exit status
 * returned. */
#ifndef RELEASETOOLS_SPAWN_H
#define RELEASETOOLS_SPAWN_H

#include "otautil/error.h"
#include "otautil/sink.h"

/* Runs argv[0] (searched in PATH) with argv and extra environment entries
 * ("NAME=value", NULL-terminated; may be NULL).  output receives what it
 * wrote to stderr (may be NULL to discard).  Returns the exit status
 * (128+N for signal N), or -1 when it could not be run. */
int rt_spawn(char *const argv[], char *const extra_env[], ota_buf *output, ota_error *err);

#endif
