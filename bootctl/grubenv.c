#include "bootctl/grubenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otautil/safe_file.h"
#include "otautil/sink.h"

#define SIG_LEN (sizeof GRUBENV_SIGNATURE - 1)
#define MAX_FILE (1024 * 1024)

static int add(grubenv *env, char *name, char *value, ota_error *err)
{
    if (env->count == env->cap) {
        size_t cap = env->cap ? env->cap * 2 : 16;
        grubenv_var *vars = realloc(env->vars, cap * sizeof *vars);
        if (!vars) {
            free(name);
            free(value);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading a GRUB environment");
        }
        env->vars = vars;
        env->cap = cap;
    }
    env->vars[env->count++] = (grubenv_var){name, value};
    return 0;
}

/* The end of the line starting at p: its '\n' (a '\' escapes the next
 * byte), or end when there is none. */
static const char *line_end(const char *p, const char *end)
{
    while (p < end && *p != '\n')
        p += *p == '\\' ? 2 : 1;
    return p < end ? p : end;
}

int grubenv_parse(grubenv *env, const char *buf, size_t len, const char *what, ota_error *err)
{
    if (len < SIG_LEN || memcmp(buf, GRUBENV_SIGNATURE, SIG_LEN))
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s is not a GRUB environment block (no \"# GRUB Environment "
                             "Block\" signature)",
                             what);
    env->size = len;
    const char *p = buf + SIG_LEN, *end = buf + len;
    while (p < end) {
        const char *eol = line_end(p, end);
        if (*p == '#') {
            p = eol < end ? eol + 1 : end;
            continue;
        }
        const char *eq = memchr(p, '=', (size_t)(eol - p));
        const char *why = eol == end                           ? "a variable runs past the end of the block"
                          : !eq || eq == p                     ? "a line without name=value"
                          : memchr(p, '\0', (size_t)(eol - p)) ? "a NUL byte in a variable"
                                                               : NULL;
        if (why)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s: broken GRUB environment block at byte %zu (%s)", what,
                                 (size_t)(p - buf), why);
        char *name = strndup(p, (size_t)(eq - p));
        char *value = malloc((size_t)(eol - eq));
        if (!name || !value) {
            free(name);
            free(value);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s", what);
        }
        size_t n = 0;
        for (const char *q = eq + 1; q < eol; q++)
            value[n++] = *q == '\\' ? *++q : *q;
        value[n] = '\0';
        if (add(env, name, value, err) < 0)
            return -1;
        p = eol + 1;
    }
    return 0;
}

int grubenv_format(const grubenv *env, char *out, ota_error *err)
{
    size_t size = env->size ? env->size : GRUBENV_SIZE, used = SIG_LEN;
    if (size < SIG_LEN)
        return ota_error_set(err, OTA_ERR_ARGS, "a GRUB environment block of %zu bytes", size);
    memcpy(out, GRUBENV_SIGNATURE, SIG_LEN);
    for (size_t i = 0; i < env->count; i++) {
        const char *name = env->vars[i].name, *value = env->vars[i].value;
        size_t need = strlen(name) + 2;
        for (const char *v = value; *v; v++)
            need += *v == '\\' || *v == '\n' ? 2 : 1;
        if (used + need > size)
            return ota_error_set(err, OTA_ERR_NOSPACE,
                                 "the GRUB environment does not fit its %zu-byte block (at %s)",
                                 size, name);
        used += (size_t)sprintf(out + used, "%s=", name);
        for (const char *v = value; *v; v++) {
            if (*v == '\\' || *v == '\n')
                out[used++] = '\\';
            out[used++] = *v;
        }
        out[used++] = '\n';
    }
    memset(out + used, '#', size - used);
    return 0;
}

int grubenv_load(grubenv *env, const char *path, ota_error *err)
{
    ota_buf text = {0};
    ota_error local;
    int rc = ota_read_file(path, "GRUB environment", MAX_FILE, OTA_READ_REGULAR, &text, &local);
    if (rc == 0)
        rc = grubenv_parse(env, (const char *)text.data, text.len, path, err);
    else if (local.code == OTA_ERR_NOTFOUND)
        ota_error_set(err, OTA_ERR_NOTFOUND,
                      "GRUB environment %s does not exist (grub-editenv %s create makes an "
                      "empty one)", path, path);
    else if (err)
        *err = local;
    ota_buf_free(&text);
    return rc;
}

int grubenv_save(const grubenv *env, const char *path, ota_error *err)
{
    size_t size = env->size ? env->size : GRUBENV_SIZE;
    char *block = malloc(size);
    if (!block)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory writing %s", path);
    if (grubenv_format(env, block, err) < 0) {
        free(block);
        ota_error_prefix(err, "%s", path);
        return -1;
    }
    /* grub-editenv keeps the file's mode; so does a replacement. */
    struct stat sb;
    mode_t mode = stat(path, &sb) == 0 ? sb.st_mode & 07777 : 0644;
    int rc = ota_replace_file(path, block, size, mode, err);
    free(block);
    return rc;
}

const char *grubenv_get(const grubenv *env, const char *name)
{
    for (size_t i = 0; i < env->count; i++)
        if (!strcmp(env->vars[i].name, name))
            return env->vars[i].value;
    return NULL;
}

int grubenv_set(grubenv *env, const char *name, const char *value, ota_error *err)
{
    if (!*name || *name == '#' || strpbrk(name, "=\n"))
        return ota_error_set(err, OTA_ERR_ARGS, "\"%s\" cannot be a GRUB variable name", name);
    for (size_t i = 0; i < env->count; i++) {
        if (strcmp(env->vars[i].name, name))
            continue;
        if (!value) {
            free(env->vars[i].name);
            free(env->vars[i].value);
            memmove(&env->vars[i], &env->vars[i + 1], (env->count - i - 1) * sizeof env->vars[0]);
            env->count--;
            return 0;
        }
        char *copy = strdup(value);
        if (!copy)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        free(env->vars[i].value);
        env->vars[i].value = copy;
        return 0;
    }
    if (!value)
        return 0;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    return add(env, n, v, err);
}

void grubenv_free(grubenv *env)
{
    for (size_t i = 0; i < env->count; i++) {
        free(env->vars[i].name);
        free(env->vars[i].value);
    }
    free(env->vars);
    memset(env, 0, sizeof *env);
}
