/* ota_channel -k KEY [--name NAME] [--date SECONDS] [--url-prefix URL]
 *             OUTPUT PACKAGE.zip...
 * Makes the signed channel document devices follow (docs/agent.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otautil/cli.h"
#include "releasetools/channel.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ota_channel -k KEY [--name NAME] [--date SECONDS] [--url-prefix URL]\n"
            "                   OUTPUT PACKAGE.zip...\n"
            "Writes OUTPUT, the signed update channel offering the build of the packages:\n"
            "at most one full package and any incrementals to it (one per source build).\n"
            "Each package's size, SHA-256 and metadata are read from the file.\n"
            "  -k KEY            release key pair KEY.x509.pem + KEY.pk8 (the packages must\n"
            "                    be signed with it too)\n"
            "  --name NAME       the channel's name (devices may require it)\n"
            "  --date SECONDS    when it was made (default: now, or $SOURCE_DATE_EPOCH);\n"
            "                    devices refuse a channel older than one they accepted\n"
            "  --url-prefix URL  prefix of the package URLs (default: the file names,\n"
            "                    relative to the channel's URL)\n");
}

static int parse_date(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || !text[0] || v < 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"name", required_argument, NULL, 'n'},
        {"date", required_argument, NULL, 'd'},
        {"url-prefix", required_argument, NULL, 'u'},
        {NULL, 0, NULL, 0},
    };
    rt_channel_opts opts = {.name = "", .date = -1};
    int c;
    char glued[256];
    if (ota_cli_glued_value(argc, argv, "hk:", longopts, glued, sizeof glued))
    {
        fprintf(stderr, "ota_channel: %s\n", glued);
        usage(stderr);
        return 2;
    }
    while ((c = getopt_long(argc, argv, "hk:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'k':
            opts.key = optarg;
            break;
        case 'n':
            opts.name = optarg;
            break;
        case 'u':
            opts.url_prefix = optarg;
            break;
        case 'd':
            if (parse_date(optarg, &opts.date) < 0) {
                fprintf(stderr, "ota_channel: --date: not a number of seconds: %s\n", optarg);
                return 2;
            }
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!opts.key || argc - optind < 2) {
        usage(stderr);
        return 2;
    }
    if (opts.date < 0) {
        const char *epoch = getenv("SOURCE_DATE_EPOCH");
        if (!epoch || parse_date(epoch, &opts.date) < 0)
            opts.date = (long long)time(NULL);
    }
    ota_error err;
    ota_error_clear(&err);
    const char *out = argv[optind];
    if (rt_channel_make(&opts, (const char *const *)argv + optind + 1,
                        (size_t)(argc - optind - 1), out, &err) < 0) {
        fprintf(stderr, "ota_channel: %s\n", err.message);
        return 1;
    }
    return 0;
}
