#!/bin/bash
# The A/B end-to-end test: scripts/demo-ab's whole flow in its test mode.
# GRUB on a BIOS disk chooses the slot; real systems (Debian's cloud kernel,
# busybox, our bootctl and ota_agent) boot from it in qemu (TCG); a full and
# an incremental package are written into the inactive slot on the device
# (scripts/ab-image/slot-install until ota_agent install lands); a build
# whose health check fails is tried once and GRUB rolls back to the good
# slot.  The demo checks each step from the console and from the disk
# (grub-editenv, cmp of the slots).  No root, no loop devices: the disk is
# read and written with debugfs at offsets.
. "$(dirname "$0")/../lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v grub-mkimage >/dev/null && [ -f /usr/lib/grub/i386-pc/boot.img ] || skip "grub-pc-bin is not installed"
command -v grub-editenv >/dev/null || skip "grub-editenv is not installed (grub-common)"
command -v sfdisk >/dev/null || skip "sfdisk is not installed (fdisk)"
command -v debugfs >/dev/null || skip "debugfs is not installed (e2fsprogs)"
[ -x /bin/busybox ] || skip "busybox-static is not installed"
dir=$(make_tmpdir)
DEMO_DIR=$dir/demo "$TOP/scripts/demo-ab" --test > "$dir/demo.out" 2>&1 ||
  { tail -n 40 "$dir/demo.out"; fail "the A/B demo flow failed"; }
grep '^DEMO AB OK' "$dir/demo.out"
ok "A/B in qemu: build 1 on A, full 2 into B, incremental 2->3 into A, broken 4 rolled back by GRUB"
