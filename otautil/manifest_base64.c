/* Base64 for manifest digests: strict decoding (canonical padding, no
 * whitespace), so one digest has one spelling. */
#include <string.h>

#include "otautil/manifest.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ota_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

static int value_of(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

int ota_base64_decode(const char *in, uint8_t *out, size_t want)
{
    size_t len = strlen(in);
    if (len != 4 * ((want + 2) / 3))
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = in[i + (size_t)k] == '=' ? -2 : value_of(in[i + (size_t)k]);
        uint32_t bits = 0;
        for (int k = 0; k < 4; k++) {
            if (v[k] == -1)
                return -1;
            bits = bits << 6 | (uint32_t)(v[k] < 0 ? 0 : v[k]);
        }
        uint8_t bytes[3] = {(uint8_t)(bits >> 16), (uint8_t)(bits >> 8), (uint8_t)bits};
        for (int k = 0; k < 3; k++) {
            if (o < want) {
                if (v[k + 1] == -2)
                    return -1; /* padding where data belongs */
                out[o++] = bytes[k];
            } else if (v[k + 1] != -2 || bytes[k] != 0) {
                return -1; /* data where padding belongs, or stray bits */
            }
        }
        if (v[0] == -2)
            return -1;
    }
    return o == want ? 0 : -1;
}
