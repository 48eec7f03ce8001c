#include "otautil/octal_escape.h"

#include <stdio.h>
#include <string.h>

static int needs_escape(unsigned char c)
{
    return c <= ' ' || c == '\\' || c == 0x7f;
}

int ota_octal_escape_append(ota_buf *out, const char *s, ota_error *err)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        if (*p && !needs_escape((unsigned char)*p))
            continue;
        if (p > run && ota_buf_append(out, run, (size_t)(p - run), err) < 0)
            return -1;
        if (!*p)
            return 0;
        char esc[5];
        snprintf(esc, sizeof esc, "\\%03o", (unsigned char)*p);
        if (ota_buf_append(out, esc, 4, err) < 0)
            return -1;
        run = p + 1;
    }
}

static int octal(char c, char max)
{
    return c >= '0' && c <= max;
}

void ota_octal_unescape(char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (in[0] == '\\' && octal(in[1], '3') && octal(in[2], '7') && octal(in[3], '7')) {
            *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
            in += 3;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}
