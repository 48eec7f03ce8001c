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
# - after "rebooting" into B: mark-good runs the health-check hook and
#   marks B successful only when it passes; a slot GRUB gave up is
#   reported rolled-back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../releasetools/fixtures.bash"
for p in ota_agent bootctl make_target_files ota_from_target_files img_from_target_files; do
  [ -x "$BIN/$p" ] || skip "$p not built ($BIN/$p)"
done
command -v grub-editenv >/dev/null || skip "grub-editenv (grub-common) not installed"
command -v jq >/dev/null || skip "jq not installed"
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
command -v debugfs >/dev/null || skip "debugfs (e2fsprogs) not installed"
need_loop

T=$(make_tmpdir)
ROOT=$T/root
export RECOVERY_ROOT=$ROOT
export OTA_DEVKEY_DIR=$T/keys
unset BOOTCTL_CURRENT_SLOT

# ---- builds and packages ------------------------------------------------------
rt_seed "$T/seed"
head -c 200000 /dev/urandom > "$T/bootloader1.img"
{ head -c 100000 "$T/bootloader1.img"; head -c 100000 /dev/urandom; } > "$T/bootloader2.img"
for v in 1 2; do
  rt_target_files "$T/tf$v.zip" "$T/b" $v --misc-info system_size=16777216 \
    --misc-info ab_update=true --misc-info "ab_partitions=system boot"
  mkdir -p "$T/extra$v/IMAGES" && cp "$T/bootloader$v.img" "$T/extra$v/IMAGES/bootloader.img"
  (cd "$T/extra$v" && zip -q "$T/tf$v.zip" IMAGES/bootloader.img) || fail "zip bootloader $v"
  "$BIN/img_from_target_files" "$T/tf$v.zip" "$T/img$v" >/dev/null || fail "img_from_target_files $v"
done
"$BIN/ota_from_target_files" "$T/tf2.zip" "$T/full2.zip" 2>"$T/err" || { cat "$T/err"; fail "full package"; }
"$BIN/ota_from_target_files" -i "$T/tf1.zip" "$T/tf2.zip" "$T/incr12.zip" 2>"$T/err" || { cat "$T/err"; fail "incremental"; }
FP1=$(unzip -p "$T/incr12.zip" META-INF/com/android/metadata | sed -n 's/^pre-build=//p')
FP2=$(unzip -p "$T/incr12.zip" META-INF/com/android/metadata | sed -n 's/^post-build=//p')

# ---- the device ------------------------------------------------------------------
make_device "$ROOT" system_b:20:emmc boot_b:4:emmc bootloader:1:emmc
for part in system boot; do        # slot A: build 1, attached read-only
  cp "$T/img1/$part.img" "$ROOT.img/${part}_a.img"
  truncate -s $([ $part = system ] && echo 20M || echo 4M) "$ROOT.img/${part}_a.img"
  dev=$(losetup -r -f --show "$ROOT.img/${part}_a.img") || fail "losetup -r"
  on_exit "losetup -d '$dev'"
  ln -sf "$dev" "$ROOT/dev/block/by-name/${part}_a"
done
dd if="$T/bootloader1.img" of="$ROOT/dev/block/by-name/bootloader" conv=notrunc status=none
mkdir -p "$ROOT/boot/grub" "$ROOT/system" "$ROOT/etc/security" "$ROOT/data" "$ROOT/hooks" "$ROOT/cache"
ENV=$ROOT/boot/grub/grubenv
grub-editenv "$ENV" create
grub-editenv "$ENV" set ORDER="A B" A_OK=1 A_TRY=0 A_SUCCESSFUL=1 B_OK=0 B_TRY=0
cp "$T/keys/devkey.x509.pem" "$ROOT/etc/security/otacerts.pem"
boot_into() { # SLOT FINGERPRINT
  echo "console=ttyS0 rauc.slot=$1" > "$ROOT/etc/cmdline"
  printf 'ro.build.fingerprint=%s\nro.product.device=%s\nro.build.date.utc=%s\n' \
    "$2" "${DEV_NAME:-$RT_DEVICE}" "${DEV_DATE:-1600000000}" > "$ROOT/system/build.prop"
}
boot_into A "$FP1"
printf 'backend=grub\nstorage=/boot/grub/grubenv\ncmdline=/etc/cmdline\n' > "$ROOT/etc/bootctl.conf"
write_config() {
  cat > "$ROOT/etc/ota_agent.conf" <<CONF
device_kind=ab
keys=/etc/security/otacerts.pem
hooks_dir=/hooks
state_dir=/data/ota_agent
cache_dir=/cache
bootctl_config=/etc/bootctl.conf
slot_device=/dev/block/by-name/%p%s
hook_timeout_ms=5000
${1:-}
CONF
}
write_config
run_agent() { "$BIN/ota_agent" "$@" > "$T/out" 2> "$T/err" < /dev/null; RC=$?; }
status_field() { "$BIN/ota_agent" status --json | jq -r ".$1"; }
bootctl() { "$BIN/bootctl" "$@"; }
sum() { sha256sum < "$1" | cut -c1-64; }
prefix_sum() { head -c "$(stat -c %s "$2")" "$1" | sha256sum | cut -c1-64; }
A_SYS=$(sum "$ROOT/dev/block/by-name/system_a"); A_BOOT=$(sum "$ROOT/dev/block/by-name/boot_a")
slot_a_intact() {
  [ "$(sum "$ROOT/dev/block/by-name/system_a")" = "$A_SYS" ] && [ "$(sum "$ROOT/dev/block/by-name/boot_a")" = "$A_BOOT" ] ||
    fail "$1: slot A changed"
}
slot_b_is_build2() {
  for part in system boot; do
    [ "$(prefix_sum "$ROOT/dev/block/by-name/${part}_b" "$T/img2/$part.img")" = "$(sum "$T/img2/$part.img")" ] ||
      fail "$1: ${part}_b is not build 2's $part.img"
  done
  [ "$(prefix_sum "$ROOT/dev/block/by-name/bootloader" "$T/bootloader2.img")" = "$(sum "$T/bootloader2.img")" ] ||
    fail "$1: the bootloader is not build 2's"
}
expect_switched() {
  [ "$RC" -eq 0 ] || fail "$1: exit $RC: $(cat "$T/err")"
  slot_a_intact "$1"
  slot_b_is_build2 "$1"
  grub-editenv "$ENV" list > "$T/env"
  grep -qx 'ORDER=B A' "$T/env" && grep -qx 'B_OK=1' "$T/env" && grep -qx 'B_TRY=0' "$T/env" ||
    fail "$1: grubenv after the install: $(cat "$T/env")"
  grep -q 'B_SUCCESSFUL=1' "$T/env" && fail "$1: B marked successful before it booted"
  [ "$(status_field state)" = waiting-for-reboot ] || fail "$1: status $(status_field state)"
  [ "$(status_field target_build)" = "$FP2" ] || fail "$1: target build $(status_field target_build)"
}
reset_b() { # B back to "not installed"
  dd if=/dev/zero of="$ROOT/dev/block/by-name/system_b" bs=1M count=20 conv=notrunc status=none
  dd if=/dev/zero of="$ROOT/dev/block/by-name/boot_b" bs=1M count=4 conv=notrunc status=none
  dd if="$T/bootloader1.img" of="$ROOT/dev/block/by-name/bootloader" conv=notrunc status=none
  grub-editenv "$ENV" set ORDER="A B" A_OK=1 A_TRY=0 A_SUCCESSFUL=1 B_OK=0 B_TRY=0
  grub-editenv "$ENV" unset B_SUCCESSFUL
  rm -rf "$ROOT/data/ota_agent"
}

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
  if [ "$state" != waiting-for-reboot ]; then
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

# ---- 3. full package, upgrade-start veto ----------------------------------------------
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
# B booted but its health check failed (needs-mark-good), then GRUB gave it up
boot_into A "$FP1"; reset_b
run_agent install /full2.zip; expect_switched "full, a third time"
boot_into B "$FP2"
printf '#!/bin/sh
echo "service foo is down"
exit 1
' > "$ROOT/hooks/health-check"; chmod +x "$ROOT/hooks/health-check"
run_agent mark-good; [ "$RC" -eq 1 ] || fail "mark-good with a failing health check: exit $RC"
[ "$(status_field state)" = needs-mark-good ] || fail "status after a failed health check: $(status_field state)"
rm "$ROOT/hooks/health-check"
grub-editenv "$ENV" set B_TRY=1
boot_into A "$FP1"
run_agent mark-good; [ "$RC" -eq 0 ] || fail "mark-good on A after the rollback: $(cat "$T/err")"
[ "$(status_field state)" = rolled-back ] || fail "status after GRUB gave up B, whose health check failed: $(status_field state)"
ok "mark-good: a failing health check leaves B unmarked, a passing one marks it; a slot GRUB gave up is reported rolled-back, also after its health check failed"
