#include "bootctl/grubenv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ota_error_set(err, OTA_ERR_NOTFOUND,
                                 "GRUB environment %s does not exist (grub-editenv %s create "
                                 "makes an empty one)",
                                 path, path);
        return ota_error_errno(err, "cannot open GRUB environment %s", path);
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int rc = ota_error_errno(err, "cannot stat GRUB environment %s", path);
        close(fd);
        return rc;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > MAX_FILE) {
        close(fd);
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "GRUB environment %s is not a regular file of at most %d bytes", path,
                             MAX_FILE);
    }
    size_t len = (size_t)sb.st_size;
    char *buf = malloc(len ? len : 1);
    if (!buf) {
        close(fd);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %s", path);
    }
    ssize_t n = pread(fd, buf, len, 0);
    int rc = n == (ssize_t)len ? grubenv_parse(env, buf, len, path, err)
                               : ota_error_errno(err, "cannot read GRUB environment %s", path);
    free(buf);
    close(fd);
    return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
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
    char dir[4096], tmp[4200];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (!dir[0])
        strcpy(dir, "/");
    snprintf(tmp, sizeof tmp, "%s/.grubenv.XXXXXX", dir);
    struct stat sb;
    mode_t mode = stat(path, &sb) == 0 ? sb.st_mode & 07777 : 0644;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(block);
        return ota_error_errno(err, "cannot create a temporary file in %s", dir);
    }
    int rc = 0;
    if (fchmod(fd, mode) < 0 || write_all(fd, block, size) < 0 || fsync(fd) < 0)
        rc = ota_error_errno(err, "cannot write %s", tmp);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot close %s", tmp);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = ota_error_errno(err, "cannot rename %s to %s", tmp, path);
    if (rc < 0) {
        unlink(tmp);
    } else {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
            rc = ota_error_errno(err, "cannot sync folder %s", dir);
        if (dfd >= 0)
            close(dfd);
    }
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
