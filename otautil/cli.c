#include "otautil/cli.h"

#include <stdio.h>
#include <string.h>

/* 1: takes a value, 0: a flag, -1: not one of the short options. */
static int short_takes_value(const char *optstring, char c)
{
    const char *p = c != ':' ? strchr(optstring, c) : NULL;
    if (!p)
        return -1;
    return p[1] == ':';
}

static int long_takes_value(const struct option *longopts, const char *word)
{
    const char *name = word + 2;
    if (strchr(name, '='))
        return 0;
    for (const struct option *o = longopts; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o->has_arg == required_argument;
    return 0;
}

/* The position of the glued short option in word, or 0. */
static size_t glued_at(const char *word, const char *optstring)
{
    for (size_t i = 1; word[i]; i++) {
        int v = short_takes_value(optstring, word[i]);
        if (v < 0)
            return 0; /* getopt names the unknown option */
        if (v == 1)
            return word[i + 1] ? i : 0;
    }
    return 0;
}

int ota_cli_glued_value(int argc, char *const argv[], const char *optstring,
                        const struct option *longopts, char *msg, size_t msgsz)
{
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0)
            return 0;
        if (w[0] != '-' || w[1] == '\0')
            continue;
        if (w[1] == '-') {
            if (long_takes_value(longopts, w))
                i++;
            continue;
        }
        size_t at = glued_at(w, optstring);
        if (at) {
            snprintf(msg, msgsz,
                     "%s: a value glued to -%c is not taken (a long option needs two dashes; "
                     "-%c takes its value as the next word: -%c VALUE)",
                     w, w[at], w[at], w[at]);
            return i;
        }
        if (short_takes_value(optstring, w[strlen(w) - 1]) == 1)
            i++; /* "-k VALUE", "-wk VALUE" */
    }
    return 0;
}
