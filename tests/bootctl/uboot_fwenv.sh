#!/bin/bash
# The uboot backend against Debian's libubootenv tools, both ways:
# fw_printenv reads what bootctl wrote, bootctl reads what fw_setenv set,
# on an environment file named in a fw_env.config.
. "$(dirname "$0")/../lib.sh"
command -v fw_printenv >/dev/null && command -v fw_setenv >/dev/null ||
  skip "fw_printenv/fw_setenv not installed (libubootenv-tool)"
[ -x "$BIN/bootctl" ] || fail "bootctl not built"
d=$(make_tmpdir)
truncate -s 16K "$d/env.bin"
echo "$d/env.bin 0x0 0x4000" > "$d/fw_env.config"
printf 'bootdelay=2\nbootcmd=run distro_bootcmd\n' > "$d/default.env"
bc() { "$BIN/bootctl" --config="$d/bootctl.conf" "$@"; }
var() { fw_printenv -c "$d/fw_env.config" -n "$1" 2>/dev/null; }
printf 'backend=uboot\nstorage=%s\n' "$d/fw_env.config" > "$d/bootctl.conf"

# A blank environment (as flashed) is refused until the board's default
# environment is named, as fw_setenv refuses it without -f.
out=$(bc get-active-boot-slot 2>&1) && fail "a blank environment was used: $out"
echo "$out" | grep -q "uboot.defaults" || fail "the error does not say what to do: $out"
echo "uboot.defaults=$d/default.env" >> "$d/bootctl.conf"
# Unset variables read as the boot script sets them: BOOT_ORDER "A B", 3 tries.
[ "$(bc get-active-boot-slot)" = 0 ] || fail "BOOT_ORDER defaults to A B"
bc is-slot-bootable B || fail "BOOT_B_LEFT defaults to 3"
ok "a blank environment: refused, then started from the default environment"

bc set-active-boot-slot B || fail "set-active-boot-slot B"
[ "$(var BOOT_ORDER)" = "B A" ] || fail "BOOT_ORDER is '$(var BOOT_ORDER)'"
[ "$(var BOOT_B_LEFT)" = 3 ] || fail "BOOT_B_LEFT is '$(var BOOT_B_LEFT)'"
[ "$(var bootdelay)" = 2 ] || fail "the default environment was not kept"
ok "fw_printenv reads what bootctl wrote (RAUC's set-primary)"

# The boot script takes one try per boot of B (setexpr, hexadecimal).
fw_setenv -c "$d/fw_env.config" BOOT_B_LEFT 2 || fail "fw_setenv"
out=$(BOOTCTL_CURRENT_SLOT=B bc status)
echo "$out" | grep -q "slot 1 (_b, B): bootable=yes successful=no tries-left=2" || fail "$out"
BOOTCTL_CURRENT_SLOT=B bc mark-boot-successful || fail "mark-boot-successful"
[ "$(var BOOT_B_LEFT)" = 3 ] && [ "$(var BOOT_B_SUCCESSFUL)" = 1 ] ||
  fail "mark-good: $(fw_printenv -c "$d/fw_env.config")"
bc is-slot-marked-successful 1 || fail "B is marked successful"
ok "bootctl reads fw_setenv's count, and marks the slot good"

# Three failed boots of a new A: BOOT_A_LEFT reaches 0, U-Boot boots B.
bc set-active-boot-slot A || fail "set-active A"
fw_setenv -c "$d/fw_env.config" BOOT_A_LEFT 0
out=$(BOOTCTL_CURRENT_SLOT=B bc status)
echo "$out" | grep -q "^rolled-back: yes" || fail "no rollback seen: $out"
bc is-slot-bootable A; [ $? = 1 ] || fail "A with no tries left is bootable"
ok "a slot out of tries reads as a rollback"

# set-slot-as-unbootable: RAUC's mark-bad takes it out of BOOT_ORDER.
bc set-slot-as-unbootable A || fail "set-slot-as-unbootable"
[ "$(var BOOT_ORDER)" = B ] && [ "$(var BOOT_A_LEFT)" = 0 ] ||
  fail "mark-bad: $(fw_printenv -c "$d/fw_env.config")"
[ "$(bc get-active-boot-slot)" = 1 ] || fail "B is active once A is out"
# A larger count in hexadecimal, as U-Boot's setexpr writes it.
fw_setenv -c "$d/fw_env.config" BOOT_ORDER "A B" || fail "fw_setenv"
fw_setenv -c "$d/fw_env.config" BOOT_A_LEFT a || fail "fw_setenv"
out=$(bc status); echo "$out" | grep -q "slot 0 (_a, A): bootable=yes successful=no tries-left=10" ||
  fail "hexadecimal count: $out"
ok "mark-bad, and counts in hexadecimal"
