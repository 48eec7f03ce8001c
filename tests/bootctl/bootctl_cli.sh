#!/bin/bash
# bootctl's command line: Android's commands and exit codes, usage errors,
# and a device laid out under RECOVERY_ROOT (config file, kernel command
# line, misc partition with boot_a/boot_b beside it).
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/bootctl" ] || fail "bootctl not built"
B=$BIN/bootctl
d=$(make_tmpdir)

"$B" --help | grep -q "set-active-boot-slot SLOT" || fail "--help prints usage to stdout"
usage_error() { # args...: exits 2 and prints usage to stderr
  local rc=0 err
  err=$("$B" "$@" 2>&1 >/dev/null) || rc=$?
  [ $rc = 2 ] || fail "bootctl $* exits $rc, not 2"
  echo "$err" | grep -q "usage:" || fail "bootctl $*: no usage on stderr: $err"
}
usage_error
usage_error frobnicate
usage_error --backend=grub --storage=x set-active-boot-slot
usage_error --backend=grub --storage=x get-number-slots 1
usage_error --bogus get-number-slots
ok "usage errors exit 2"

# A device: /etc/bootctl.conf, /proc/cmdline, misc with boot_a and boot_b.
root=$d/root
mkdir -p "$root/etc" "$root/proc" "$root/dev/block/by-name"
echo "backend=android" > "$root/etc/bootctl.conf"
echo "console=ttyS0 androidboot.slot_suffix=_b" > "$root/proc/cmdline"
truncate -s 1M "$root/dev/block/by-name/misc"
: > "$root/dev/block/by-name/boot_a"; : > "$root/dev/block/by-name/boot_b"
export RECOVERY_ROOT=$root
[ "$("$B" get-number-slots)" = 2 ] || fail "two slots from boot_a and boot_b"
[ "$("$B" get-current-slot)" = 1 ] || fail "androidboot.slot_suffix=_b is slot 1"
[ "$("$B" get-suffix 1)" = _b ] || fail "get-suffix"
"$B" hal-info | grep -q "^HAL Version: .*android" || fail "hal-info"
"$B" is-slot-bad-command 2>/dev/null; [ $? = 2 ] || fail "unknown command"
"$B" get-suffix 2 2>/dev/null; [ $? = 2 ] || fail "slot 2 of 2 is a usage error"
cmp -s "$root/dev/block/by-name/misc" <(head -c 1M /dev/zero) || fail "reads wrote to misc"
ok "Android's commands on a device under RECOVERY_ROOT"

# The update flow as update_engine drives it: the target unbootable while
# written, then active; the new slot boots, marks itself good.
"$B" set-slot-as-unbootable 0 || fail "set-slot-as-unbootable"
"$B" is-slot-bootable 0; [ $? = 1 ] || fail "slot 0 unbootable"
"$B" set-active-boot-slot 0 || fail "set-active-boot-slot"
"$B" is-slot-bootable 0 || fail "slot 0 bootable once active"
"$B" is-slot-marked-successful 0; [ $? = 1 ] || fail "slot 0 not yet successful"
"$B" status | grep -q "^switch-pending: yes" || fail "status: switch pending"
echo "androidboot.slot_suffix=_a" > "$root/proc/cmdline"
"$B" mark-boot-successful || fail "mark-boot-successful"
"$B" is-slot-marked-successful 0 || fail "slot 0 successful"
"$B" status | grep -q "^rolled-back: no" || fail "status"
# The running slot given for a host run beats the command line.
[ "$("$B" --current-slot=b get-current-slot)" = 1 ] || fail "--current-slot"
[ "$(BOOTCTL_CURRENT_SLOT=_b "$B" get-current-slot)" = 1 ] || fail "BOOTCTL_CURRENT_SLOT"
ok "unbootable, active, pending, mark-good"

# Errors: a missing misc exits 1 (3 on is- commands) with one line.
rm "$root/dev/block/by-name/misc"
out=$("$B" get-active-boot-slot 2>&1); rc=$?
[ $rc = 1 ] || fail "missing misc exits $rc"
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "misc" || fail "error: $out"
"$B" is-slot-bootable 0 2>/dev/null; [ $? = 3 ] || fail "an is- command that cannot answer exits 3"
unset RECOVERY_ROOT
out=$("$B" --backend=lilo --storage=x get-number-slots 2>&1); [ $? = 2 ] || fail "unknown backend: $out"
ok "errors: one line, exit 1, 3 on is- commands"
