/* RAUC's boot order: the bootnames the boot script tries, first to last,
 * separated by spaces ("B A"), as kept in GRUB's ORDER and U-Boot's
 * BOOT_ORDER.  Names this device does not configure (a rescue slot "R")
 * are kept where they are. */
#ifndef BOOTCTL_ORDER_H
#define BOOTCTL_ORDER_H

#include <stddef.h>

#include "bootctl/bootctl.h"
#include "otautil/error.h"

#define BOOT_ORDER_MAX 256

/* 1 when name is one of the words of order. */
int boot_order_contains(const char *order, const char *name);
/* order with name first (added when missing), into out. */
int boot_order_to_front(const char *order, const char *name, char *out, size_t outsz,
                        ota_error *err);
/* order without name. */
int boot_order_remove(const char *order, const char *name, char *out, size_t outsz,
                      ota_error *err);
/* order with name last (added when missing). */
int boot_order_append(const char *order, const char *name, char *out, size_t outsz,
                      ota_error *err);
/* The index in names[0..count) of the first word of order that is one of
 * them, or -1. */
int boot_order_first_of(const char *order, char names[][BOOTCTL_NAME_MAX], unsigned count);
/* The names[0..count) joined by spaces. */
int boot_order_join(char names[][BOOTCTL_NAME_MAX], unsigned count, char *out, size_t outsz,
                    ota_error *err);

#endif
