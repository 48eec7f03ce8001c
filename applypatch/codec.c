/* Codec names and sets (shared by the readers and the writers). */
#include "applypatch/codec.h"

#include <string.h>

static const struct {
    int id;
    const char *name;
    unsigned bit;
} codecs[] = {
    {CODEC_BZ2, "bz2", CODEC_SET_BZ2},
    {CODEC_BROTLI, "brotli", CODEC_SET_BROTLI},
    {CODEC_XZ, "xz", CODEC_SET_XZ},
    {CODEC_ZSTD, "zstd", CODEC_SET_ZSTD},
};
#define N_CODECS (sizeof codecs / sizeof codecs[0])

const char *codec_name(int id)
{
    for (size_t i = 0; i < N_CODECS; i++)
        if (codecs[i].id == id)
            return codecs[i].name;
    return NULL;
}

unsigned codec_set_bit(int id)
{
    for (size_t i = 0; i < N_CODECS; i++)
        if (codecs[i].id == id)
            return codecs[i].bit;
    return 0;
}

unsigned codec_set_parse(const char *text)
{
    if (strcmp(text, "all") == 0)
        return CODEC_SET_ALL;
    if (strcmp(text, "android") == 0)
        return CODEC_SET_ANDROID;
    unsigned set = 0;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < N_CODECS; i++)
            if (strlen(codecs[i].name) == n && strncmp(p, codecs[i].name, n) == 0)
                bit = codecs[i].bit;
        if (!bit)
            return 0;
        set |= bit;
        p += n;
        if (*p == ',' && *++p == '\0')
            return 0;
    }
    return set;
}
