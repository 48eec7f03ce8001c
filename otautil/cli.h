/* Command-line words getopt would read in a way the user hardly meant.
 * `-key FILE` (a long option typed with one dash) is, to getopt, `-k ey`
 * followed by a stray FILE: the package is signed with a key named "ey"
 * or the run fails far from the cause.  Programs whose short options take
 * values refuse such a word before getopt sees it. */
#ifndef OTAUTIL_CLI_H
#define OTAUTIL_CLI_H

#include <getopt.h>
#include <stddef.h>

/* The index in argv of the first word that glues a value to a short
 * option ("-kKEY", "-key", "-wkKEY"), with msg saying so ("-key: ... -k
 * VALUE"); 0 when there is none.  Words after "--" and the values of
 * options given as separate words ("-k -odd", "--package_key -odd") are
 * values, not options.  Bundled flags without values ("-wn") are left to
 * getopt. */
int ota_cli_glued_value(int argc, char *const argv[], const char *optstring,
                        const struct option *longopts, char *msg, size_t msgsz);

#endif
