#include "bootctl/cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* In order of preference. */
static const char *const keys[] = {"androidboot.slot_suffix", "androidboot.slot", "rauc.slot"};
#define NKEYS (sizeof keys / sizeof keys[0])

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int bootctl_cmdline_find(const char *text, size_t len, char *key, size_t keysz, char *value,
                         size_t valsz, ota_error *err)
{
    /* Where the last occurrence of each key's value starts and ends. */
    const char *start[NKEYS] = {0}, *end[NKEYS] = {0};
    size_t i = 0;
    while (i < len) {
        while (i < len && is_blank(text[i]))
            i++;
        size_t tok = i;
        int quoted = 0;
        while (i < len && (quoted || !is_blank(text[i]))) {
            if (text[i] == '"')
                quoted = !quoted;
            i++;
        }
        const char *eq = memchr(text + tok, '=', i - tok);
        if (!eq)
            continue;
        size_t klen = (size_t)(eq - (text + tok));
        for (size_t k = 0; k < NKEYS; k++)
            if (strlen(keys[k]) == klen && !memcmp(text + tok, keys[k], klen)) {
                start[k] = eq + 1;
                end[k] = text + i;
            }
    }
    for (size_t k = 0; k < NKEYS; k++) {
        if (!start[k])
            continue;
        size_t n = 0;
        for (const char *p = start[k]; p < end[k]; p++) {
            if (*p == '"')
                continue;
            if (n + 1 >= valsz)
                return ota_error_set(err, OTA_ERR_FORMAT,
                                     "%s= on the kernel command line is too long", keys[k]);
            value[n++] = *p;
        }
        value[n] = '\0';
        snprintf(key, keysz, "%s", keys[k]);
        return 1;
    }
    return 0;
}

int bootctl_cmdline_slot(const char *path, char *key, size_t keysz, char *value, size_t valsz,
                         ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : ota_error_errno(err, "cannot open %s", path);
    /* The kernel's command line is at most a few KiB (COMMAND_LINE_SIZE). */
    char text[16384];
    size_t len = 0;
    ssize_t n = 0;
    while (len < sizeof text && (n = read(fd, text + len, sizeof text - len)) > 0)
        len += (size_t)n;
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return ota_error_errno(err, "cannot read %s", path);
    }
    return bootctl_cmdline_find(text, len, key, keysz, value, valsz, err);
}
