#!/bin/bash
# `ota_agent install PACKAGE` on an A/B device made of loop devices (slots
# A and B of system and boot, a single-copy bootloader) and GRUB's
# environment (the grub backend, read back with Debian's grub-editenv),
# with packages from ota_from_target_files --ab:
# - slot A runs build 1 and its loop devices are attached READ-ONLY, so any
#   attempt to open them for writing fails: every install below succeeds
#   without one, and a configuration that names slot A's device for slot B
#   is refused by name;
# - an incremental 1->2 killed (SIGKILL) at random points: after every kill
#   slot A is intact and B is not bootable; the next run resumes and ends
#   with B byte-identical to build 2's images, B first in ORDER;
# - a full package; tampered, wrong-device, downgrade packages and an
#   incremental whose source blocks differ are refused before the first
#   write (slot B's bytes and the grubenv unchanged);
# - a single-copy partition whose write fails gets its old contents back;
# - after "rebooting" into B: mark-good runs the health-check hook and
#   marks B successful only when it passes; a slot GRUB gave up is
#   reported rolled-back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ab_device.bash"
ab_device_setup
cp "$T/incr12.zip" "$T/full2.zip" "$ROOT/" || fail "copy the packages"
ms() { date +%s%3N; }

# ---- 1. incremental: a clean run, then killed at random points --------------------
t0=$(ms); run_agent install /incr12.zip; t1=$(ms)
expect_switched "incremental"
grep -q "A/B package" "$T/err" && fail "the agent fell back to recovery"
DUR=$((t1 - t0 > 50 ? t1 - t0 : 50))
ok "incremental 1->2 into slot B: byte-identical images, bootloader written, B set active (not successful), slot A read-only throughout"

reset_b
mid=0
for i in 1 2 3 4 5 6 7 8; do
  "$BIN/ota_agent" install /incr12.zip > /dev/null 2> "$T/err$i" < /dev/null &
  pid=$!
  sleep "$(awk -v d="$DUR" -v r="$RANDOM" 'BEGIN{printf "%.3f", d * (r % 1000) / 1000000}')"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  slot_a_intact "kill $i"
  state=$(status_field state)
  [ "$state" = writing ] && mid=$((mid + 1))
  # killed while writing: B must not be bootable (killed before, B holds
  # what an earlier run finished, or nothing bootable)
  if [ "$state" = writing ]; then
    bootctl is-slot-bootable B >/dev/null 2>&1 && fail "kill $i ($state): half-written slot B is bootable"
    grub-editenv "$ENV" list | grep -qx 'B_OK=1' && fail "kill $i ($state): B_OK=1 while half-written"
  fi
done
run_agent install /incr12.zip
expect_switched "after 8 kills"
ok "8 SIGKILLs at random points ($mid while writing): A intact and B never bootable half-written; the next run ends with build 2 in B"

# ---- 2. refused before the first write -------------------------------------------------
reset_b
write_b() { printf 'untouched' | dd of="$ROOT/dev/block/by-name/system_b" conv=notrunc status=none; }
write_b
B_SYS=$(sum "$ROOT/dev/block/by-name/system_b"); ENV_BEFORE=$(sum "$ENV")
expect_refused() { # WHAT PATTERN
  [ "$RC" -eq 1 ] || fail "$1: exit $RC: $(cat "$T/err")"
  grep -q "$2" "$T/err" || fail "$1: the error does not say '$2': $(cat "$T/err")"
  [ "$(sum "$ROOT/dev/block/by-name/system_b")" = "$B_SYS" ] || fail "$1: slot B was written"
  [ "$(sum "$ENV")" = "$ENV_BEFORE" ] || fail "$1: the grubenv changed"
  [ "$(status_field state)" = failed ] || fail "$1: status $(status_field state)"
  slot_a_intact "$1"
}
cp "$T/full2.zip" "$ROOT/tampered.zip"
printf 'X' | dd of="$ROOT/tampered.zip" bs=1 seek=$(( $(stat -c %s "$ROOT/tampered.zip") / 2 )) conv=notrunc status=none
run_agent install /tampered.zip; expect_refused "tampered" "signature\|digest\|SHA"
DEV_NAME=otherdev boot_into A "$FP1"
run_agent install /full2.zip; expect_refused "wrong device" "pre-device\|otherdev"
DEV_NAME=$RT_DEVICE DEV_DATE=1900000000 boot_into A "$FP1"
run_agent install /full2.zip; expect_refused "downgrade" "timestamp\|older\|downgrade"
boot_into A "$FP2"
run_agent install /incr12.zip; expect_refused "incremental for another build" "incremental update from build"
boot_into A "$FP1"
# slot A's system with one block changed (a copy: A's own devices stay read-only)
cp "$ROOT.img/system_a.img" "$ROOT/system_a_changed.img"
printf 'changed' | dd of="$ROOT/system_a_changed.img" bs=4096 seek=$(( $(unzip -p "$T/incr12.zip" META-INF/com/android/ab_partitions | sed -n 's/^system.source-ranges=[0-9]*,\([0-9]*\),.*/\1/p') )) conv=notrunc status=none
write_config "device.system_a=/system_a_changed.img"
run_agent install /incr12.zip; expect_refused "changed source" "not the build this incremental"
# slot B's device named as slot A's: refused, never opened for writing
write_config "device.system_b=/dev/block/by-name/system_a"
run_agent install /full2.zip; expect_refused "slot B aliased to slot A" "refusing to write"
write_config
ok "tampered, wrong-device, downgrade, wrong pre-build, changed source blocks, B aliased to A: refused by name, nothing written"

# ---- 2b. a single-copy partition whose write fails is put back --------------------
head -c 100000 /dev/urandom > "$ROOT/small-loader"
LOADER=$(sum "$ROOT/small-loader")
write_config "device.bootloader=/small-loader"
run_agent install /full2.zip
[ "$RC" -eq 1 ] || fail "bootloader too small: exit $RC: $(cat "$T/err")"
grep -q "partition bootloader.*old contents were put back" "$T/err" || fail "bootloader too small: $(cat "$T/err")"
[ "$(sum "$ROOT/small-loader")" = "$LOADER" ] || fail "the failed single-copy partition was not restored"
[ -z "$(ls "$ROOT/data/ota_agent/ab/" 2>/dev/null | grep backup)" ] || fail "a backup was left behind"
bootctl is-slot-bootable B >/dev/null 2>&1 && fail "a failed install left B bootable"
slot_a_intact "bootloader too small"
write_config
ok "a single-copy partition whose write fails: its old contents put back, B not bootable, A intact"

# ---- 3. full package, upgrade-start veto ----------------------------------------------
B_SYS=$(sum "$ROOT/dev/block/by-name/system_b"); ENV_BEFORE=$(sum "$ENV")
printf '#!/bin/sh\necho "battery at 10%%"\nexit 1\n' > "$ROOT/hooks/upgrade-start"; chmod +x "$ROOT/hooks/upgrade-start"
run_agent install /full2.zip; expect_refused "upgrade-start veto" "battery at 10%"
rm "$ROOT/hooks/upgrade-start"
run_agent --json install /full2.zip
expect_switched "full"
jq -s -e 'any(.[]; .event == "progress" and .state == "writing")' "$T/out" >/dev/null || fail "no JSON progress while writing"
ok "full package: upgrade-start veto writes nothing; then B holds build 2, set active"

# ---- 4. after the reboot: mark-good with a health check, and a rollback -------------------
boot_into B "$FP2"
printf '#!/bin/sh\necho "service foo is down"\nexit 1\n' > "$ROOT/hooks/health-check"; chmod +x "$ROOT/hooks/health-check"
run_agent mark-good
[ "$RC" -eq 1 ] && grep -q "service foo is down" "$T/err" || fail "a failing health check: exit $RC: $(cat "$T/err")"
bootctl is-slot-marked-successful B && fail "B marked successful though its health check failed"
[ "$(status_field state)" = needs-mark-good ] || fail "status after a failed health check: $(status_field state)"
printf '#!/bin/sh\n[ "$1" = "%s" ] && [ "$2" = _b ]\n' "$FP2" > "$ROOT/hooks/health-check"
run_agent mark-good
[ "$RC" -eq 0 ] || fail "mark-good: exit $RC: $(cat "$T/err")"
bootctl is-slot-marked-successful B || fail "B not marked successful"
grub-editenv "$ENV" list | grep -qx 'B_SUCCESSFUL=1' || fail "grubenv lacks B_SUCCESSFUL=1"
[ "$(status_field state)" = idle ] || fail "status after mark-good: $(status_field state)"
rm "$ROOT/hooks/health-check"
# a finished install into B, then GRUB's try of B used up, back on A
boot_into A "$FP1"; reset_b
run_agent install /full2.zip; expect_switched "full, again"
grub-editenv "$ENV" set B_TRY=1
boot_into A "$FP1"
run_agent mark-good; [ "$RC" -eq 0 ] || fail "mark-good on A after the rollback: $(cat "$T/err")"
[ "$(status_field state)" = rolled-back ] || fail "status after GRUB gave B up: $(status_field state) ($("$BIN/ota_agent" status))"
status_field last_error | grep -q "went back to slot _a" || fail "rolled-back without the reason: $(status_field last_error)"
# booted, never marked good (its health check fails), then given up by GRUB
boot_into A "$FP1"; reset_b
run_agent install /full2.zip; expect_switched "full, a third time"
boot_into B "$FP2"
printf '#!/bin/sh\necho "still broken"\nexit 1\n' > "$ROOT/hooks/health-check"; chmod +x "$ROOT/hooks/health-check"
run_agent mark-good
[ "$RC" -eq 1 ] && [ "$(status_field state)" = needs-mark-good ] || fail "broken build: $RC $(status_field state)"
grub-editenv "$ENV" set B_TRY=1
boot_into A "$FP1"; rm "$ROOT/hooks/health-check"
run_agent mark-good
[ "$(status_field state)" = rolled-back ] || fail "status after a booted build was given up: $(status_field state)"
ok "mark-good: a failing health check leaves B unmarked, a passing one marks it; a slot GRUB gave up (before or after it booted) is reported rolled-back"
