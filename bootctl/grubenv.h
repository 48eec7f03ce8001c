/* GRUB's environment block: the file (boot/grub/grubenv) that GRUB's
 * load_env and save_env and the host's grub-editenv read and write.
 *   "# GRUB Environment Block\n"   the signature
 *   name=value\n ...                one variable a line; in a value, '\' and
 *                                   a newline are written with a '\' before
 *   #######...                      padding to the file's size (1024 bytes)
 * A line starting with '#' is a comment.  GRUB's save_env cannot grow the
 * file: it rewrites the file's existing sectors in place, so the block keeps
 * its size.  We write a new file of the same size and rename it over the
 * old one (crash-safe: the old or the new block, never half of each); the
 * file then has new sectors, which GRUB finds again the next time it opens
 * it (load_env and save_env look up the file's block list at each boot). */
#ifndef BOOTCTL_GRUBENV_H
#define BOOTCTL_GRUBENV_H

#include <stddef.h>

#include "otautil/error.h"

#define GRUBENV_SIGNATURE "# GRUB Environment Block\n"
#define GRUBENV_SIZE 1024

typedef struct grubenv_var {
    char *name;
    char *value;
} grubenv_var;

typedef struct grubenv {
    grubenv_var *vars; /* in the order of the block */
    size_t count, cap;
    size_t size;       /* the block's size when written */
} grubenv;

/* Reads a block (len bytes) into env, which starts empty.  A missing
 * signature, a variable without '=' or a value running past the end is an
 * OTA_ERR_FORMAT error naming `what`: rewriting a block we do not fully
 * understand would lose what GRUB stored. */
int grubenv_parse(grubenv *env, const char *buf, size_t len, const char *what, ota_error *err);
/* The block of env->size bytes into out (of that size); OTA_ERR_NOSPACE
 * when the variables do not fit. */
int grubenv_format(const grubenv *env, char *out, ota_error *err);

/* Reads the file at path.  A missing file is OTA_ERR_NOTFOUND. */
int grubenv_load(grubenv *env, const char *path, ota_error *err);
/* Writes env to path: a temporary file in the same folder, fsync, rename
 * over path, fsync of the folder. */
int grubenv_save(const grubenv *env, const char *path, ota_error *err);

const char *grubenv_get(const grubenv *env, const char *name);
/* Adds or replaces; value NULL removes.  A name must be non-empty without
 * '=' or a newline, and not start with '#'. */
int grubenv_set(grubenv *env, const char *name, const char *value, ota_error *err);
void grubenv_free(grubenv *env);

#endif
