#!/bin/bash
# The end-to-end test: the demo's whole flow (two builds, signed full and
# incremental packages, the recovery image booted in qemu on a virtual
# device), plus one boot with a tampered package that must be refused with
# the disks untouched.  Needs qemu and the kernel package (installed and
# downloaded by the scripts); no root, no loop devices.
. "$(dirname "$0")/../lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v mkbootimg >/dev/null || skip "mkbootimg is not installed"
[ -x /bin/busybox ] || skip "busybox-static is not installed"
dir=$(make_tmpdir)
DEMO_DIR=$dir/demo "$TOP/scripts/demo" --test || fail "the demo flow failed"
ok "full and incremental installed in qemu; tampered package refused"
