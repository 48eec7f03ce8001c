#!/bin/bash
# A real bootloader chooses the slot: GRUB on a BIOS disk made by
# scripts/build-ab-disk, booted in qemu (TCG), counts boots with the grub
# backend's variables.  Each slot's "boot" only prints the slot on the
# serial console and reboots (--echo-boot), so one boot is about a second.
# Between boots the host mounts the boot partition (loop device) and runs
# bootctl on its grubenv as the booted system would, then checks GRUB's
# choice on the console and the variables with grub-editenv.
. "$(dirname "$0")/../lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 not installed"
command -v grub-mkimage >/dev/null && [ -f /usr/lib/grub/i386-pc/boot.img ] || skip "grub-pc-bin not installed"
command -v grub-editenv >/dev/null || skip "grub-editenv not installed (grub-common)"
command -v sfdisk >/dev/null || skip "sfdisk not installed (fdisk)"
need_loop
[ -x "$BIN/bootctl" ] || fail "bootctl not built"
d=$(make_tmpdir)
disk=$d/disk.img
"$TOP/scripts/build-ab-disk" --echo-boot --slot-mb 8 --data-mb 4 --boot-mb 8 "$disk" >/dev/null ||
  fail "build-ab-disk"
mnt=$d/boot
mkdir -p "$mnt"

boot() { # -> the slot GRUB chose (A, B or none); runs in $(...), so counts in files
  local boots
  boots=$(($(ls "$d" | grep -c '^console\.') + 1))
  local log=$d/console.$boots
  OTA_ACCEL=tcg "$TOP/scripts/run-device" --disk "$disk" 60 > "$log" 2>&1 || true
  local slot
  slot=$(tr -d '\r' < "$log" | sed -n 's/.*OTA-BOOT slot=\([A-Za-z]*\).*/\1/p' | tail -n1)
  [ -n "$slot" ] || { sed 's/^/    /' "$log" >&2; fail "boot $boots: GRUB chose no slot"; }
  echo "$slot"
}
# Runs a command with the boot partition mounted at $mnt.
on_boot_partition() {
  local dev
  dev=$(losetup -f --show -o $((1024 * 1024)) --sizelimit $((8 * 1024 * 1024)) "$disk") || fail "losetup"
  mount "$dev" "$mnt" || { losetup -d "$dev"; fail "mount the boot partition"; }
  local rc=0
  "$@" || rc=$?
  umount "$mnt"; losetup -d "$dev"
  return $rc
}
env_file() { echo "$mnt/boot/grub/grubenv"; }
bc() { "$BIN/bootctl" --backend=grub --storage="$(env_file)" "$@"; }
var() { grub-editenv "$(env_file)" list | sed -n "s/^$1=//p"; }
expect_vars() { # NAME=VALUE ...
  local kv
  for kv in "$@"; do
    [ "$(var "${kv%%=*}")" = "${kv#*=}" ] || fail "$kv expected; grubenv: $(grub-editenv "$(env_file)" list | tr '\n' ' ')"
  done
}

# 1. A fresh disk boots slot A, which uses up its try; A marks itself good.
[ "$(boot)" = A ] || fail "a fresh disk must boot A"
on_boot_partition expect_vars A_OK=1 A_TRY=1
on_boot_partition env BOOTCTL_CURRENT_SLOT=A "$BIN/bootctl" --backend=grub \
  --storage="$mnt/boot/grub/grubenv" mark-boot-successful || fail "mark A good"
on_boot_partition expect_vars A_OK=1 A_TRY=0 A_SUCCESSFUL=1
ok "boot 1: slot A, marked good with bootctl"

# 2. An update switches to B: bootctl set-active-boot-slot; GRUB tries B.
on_boot_partition bc set-active-boot-slot 1 || fail "set-active-boot-slot 1"
on_boot_partition expect_vars ORDER="B A" B_OK=1 B_TRY=0
[ "$(boot)" = B ] || fail "the slot set active is not tried"
on_boot_partition expect_vars B_TRY=1
ok "boot 2: GRUB tries slot B, the one bootctl set active"

# 3. B never marks itself good: GRUB gives it up and falls back to A, and
# bootctl reports the rollback.
[ "$(boot)" = A ] || fail "GRUB did not fall back to A"
on_boot_partition expect_vars ORDER="B A" B_TRY=1
on_boot_partition sh -c "BOOTCTL_CURRENT_SLOT=A '$BIN/bootctl' --backend=grub --storage='$mnt/boot/grub/grubenv' status > '$d/status'" ||
  fail "status"
grep -q "^rolled-back: yes" "$d/status" || fail "no rollback reported: $(cat "$d/status")"
on_boot_partition env BOOTCTL_CURRENT_SLOT=A "$BIN/bootctl" --backend=grub \
  --storage="$mnt/boot/grub/grubenv" mark-boot-successful || fail "mark A good"
[ "$(boot)" = A ] || fail "A, good again, is not chosen"
ok "boot 3-4: B given up after its try, GRUB came back to A by itself"

# 4. B again, this time marked good on the host: GRUB keeps choosing it.
on_boot_partition bc set-active-boot-slot B || fail "set-active-boot-slot B"
for n in 1 2; do
  [ "$(boot)" = B ] || fail "B (marked good) was not chosen on boot $n after the switch"
  on_boot_partition env BOOTCTL_CURRENT_SLOT=B "$BIN/bootctl" --backend=grub \
    --storage="$mnt/boot/grub/grubenv" mark-boot-successful || fail "mark B good"
done
on_boot_partition expect_vars ORDER="B A" B_OK=1 B_TRY=0 B_SUCCESSFUL=1
ok "boot 5-6: B marked good with bootctl keeps being chosen"

# 5. No slot left: both tries used, GRUB gives the good slots their try back.
on_boot_partition sh -c "grub-editenv '$mnt/boot/grub/grubenv' set A_TRY=1 B_TRY=1"
[ "$(boot)" = none ] || fail "with every try used, GRUB should reboot to retry"
on_boot_partition expect_vars A_TRY=0 B_TRY=0
[ "$(boot)" = B ] || fail "after the reset, B (first in ORDER) is tried"
ok "boot 7-8: no slot left, tries given back (RAUC's rule), B again ($(ls "$d" | grep -c '^console\.') qemu boots)"
