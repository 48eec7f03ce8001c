#!/bin/bash
# The GRUB snippet of docs/integration.md, as it stands there, booted in
# qemu (BIOS GRUB from Debian's grub-pc-bin, TCG): with an empty misc it
# picks the system, after `bcb MISC update ...` recovery, after recovery's
# own clear (and `bcb clear`) the system again.  The request is written by
# our bcb onto the disk's misc partition, as the main system would.
. "$(dirname "$0")/../lib.sh"
need_loop
[ -x "$BIN/bcb" ] || skip "$BIN/bcb not built (make builds every program; make check-recovery builds only recovery)"
for tool in qemu-system-x86_64 grub-mkimage sfdisk mke2fs sha256sum; do
  command -v $tool >/dev/null || skip "$tool not installed"
done
GRUBLIB=/usr/lib/grub/i386-pc
[ -f $GRUBLIB/boot.img ] || skip "no BIOS GRUB in $GRUBLIB (grub-pc-bin)"

T=$(make_tmpdir)
sed -n '/<!-- grub-bcb:begin/,/<!-- grub-bcb:end/p' "$TOP/docs/integration.md" | sed '1,2d;$d' | sed '$d' \
  >"$T/snippet.cfg"
grep -q '^if hashsum --hash sha256 --check /boot/grub/bcb-empty.sha256; then$' "$T/snippet.cfg" ||
  fail "the GRUB snippet is not where the test expects it: $(cat "$T/snippet.cfg")"

# An MBR disk: partition 1 /boot (ext2, GRUB's modules and config), 2 misc.
DISK=$T/disk.img
truncate -s 8M "$DISK"
printf 'label: dos\nstart=2048, size=8192, type=83\nstart=10240, size=2048, type=da\n' |
  sfdisk -q "$DISK" || fail "sfdisk"
BOOT=$(losetup -f --show -o $((2048 * 512)) --sizelimit $((8192 * 512)) "$DISK") || fail "losetup"
on_exit "losetup -d '$BOOT'"
mke2fs -q -t ext2 "$BOOT" || fail "mke2fs"
mkdir -p "$T/mnt"
mount "$BOOT" "$T/mnt" || fail "mount"
mkdir -p "$T/mnt/boot/grub/i386-pc"
cp $GRUBLIB/*.mod $GRUBLIB/*.lst "$T/mnt/boot/grub/i386-pc/"
# bcb-empty.sha256 as docs/integration.md makes it, for this disk's misc.
printf '%s  (hd0,msdos2)0+1\n' "$(head -c 512 /dev/zero | sha256sum | cut -d' ' -f1)" \
  >"$T/mnt/boot/grub/bcb-empty.sha256"
{ echo 'serial --unit=0 --speed=115200'
  echo 'terminal_input serial'
  echo 'terminal_output serial'
  cat "$T/snippet.cfg"
  echo 'echo "ota-choice=${default}"'
  echo 'halt'
} >"$T/mnt/boot/grub/grub.cfg"
umount "$T/mnt"
grub-mkimage -O i386-pc -p '(hd0,msdos1)/boot/grub' -o "$T/core.img" biosdisk part_msdos ext2 ||
  fail "grub-mkimage"
dd if=$GRUBLIB/boot.img of="$DISK" bs=440 count=1 conv=notrunc status=none
dd if="$T/core.img" of="$DISK" bs=512 seek=1 conv=notrunc status=none
MISC=$(losetup -f --show -o $((10240 * 512)) --sizelimit $((2048 * 512)) "$DISK") || fail "losetup misc"
on_exit "losetup -d '$MISC'"

boot_choice() { # prints what GRUB chose
  sync
  timeout 120 qemu-system-x86_64 -nographic -no-reboot -accel tcg -m 64 \
    -drive file="$DISK",format=raw,if=ide -serial mon:stdio </dev/null 2>&1 |
    tr -d '\r' | grep -a -o 'ota-choice=[a-z]*' | head -n1
}

"$BIN/bcb" "$MISC" clear || fail "bcb clear"
[ "$(boot_choice)" = ota-choice=system ] || fail "an empty misc did not boot the system"
"$BIN/bcb" "$MISC" update /cache/update.zip || fail "bcb update"
[ "$(boot_choice)" = ota-choice=recovery ] || fail "a pending request did not boot recovery"
"$BIN/bcb" "$MISC" recovery --wipe_data || fail "bcb recovery"
[ "$(boot_choice)" = ota-choice=recovery ] || fail "a wipe request did not boot recovery"
"$BIN/bcb" "$MISC" clear || fail "bcb clear"
[ "$(boot_choice)" = ota-choice=system ] || fail "a cleared misc did not boot the system"
ok "GRUB with the documented snippet boots recovery exactly while misc holds a request"
