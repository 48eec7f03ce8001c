#!/bin/bash
# A good package installs through each command source (arguments, the
# command file, the bootloader message alone); afterwards the bootloader
# message is clear, the command file gone, and the logs say what happened.
# Also: --wipe_data and --wipe_cache format the fstab's volumes and keep the
# logs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device

make_payload "$T/payload" v2
build_package "$T/update.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"
put_in_cache "$T/update.zip" update.zip

expect_installed() { # HOW
  local how=$1
  [ "$RC" -eq 0 ] || { cat "$T/out"; fail "$how: recovery exited $RC"; }
  bcb_is_clear || fail "$how: bootloader message not cleared: $(bcb_text)"
  [ "$(boot_hash)" = "$(expected_boot_hash "$T/payload/boot.img")" ] \
    || fail "$how: boot partition is not the package's boot.img"
  mount -o ro "$DEV_SYSTEM" "$T/mnt" || fail "$how: system does not mount"
  local f
  for f in build.prop lib/lib1.so lib/lib6.so bin/app; do
    cmp -s "$T/payload/system/$f" "$T/mnt/$f" || { umount "$T/mnt"; fail "$how: /system/$f differs"; }
  done
  [ "$(readlink "$T/mnt/bin/app-link")" = app ] || { umount "$T/mnt"; fail "$how: symlink missing"; }
  [ "$(stat -c %a:%u:%g "$T/mnt/bin/app")" = 755:0:2000 ] || { umount "$T/mnt"; fail "$how: set_perm not applied"; }
  umount "$T/mnt"
  [ "$(cache_file recovery/last_install)" = "/cache/update.zip"$'\n'"1" ] \
    || fail "$how: last_install is '$(cache_file recovery/last_install)'"
  cache_file recovery/last_log > "$T/last_log" || fail "$how: no last_log"
  grep -q "Install of /cache/update.zip complete" "$T/last_log" || fail "$how: log lacks the result"
  grep -q "whole-file signature verified" "$T/last_log" || fail "$how: log lacks the verification"
  grep -q "update-binary\|Test build installed" "$T/last_log" || fail "$how: log lacks updater output"
  grep -q "bootloader message cleared" "$T/last_log" || fail "$how: log lacks the BCB clear"
  cache_file recovery/command >/dev/null && fail "$how: command file left behind"
  grep -qs " $ROOT" /proc/mounts && fail "$how: recovery left something mounted"
  ok "$how"
}

# 1. arguments; a stray line in default.prop before ro.product.device is
# skipped (as Android's init skips it) and named, not a reason to refuse
cp "$ROOT/default.prop" "$T/default.prop"
{ echo "a stray line without an equals sign"; cat "$T/default.prop"; } > "$ROOT/default.prop"
run_recovery --update_package=/cache/update.zip
grep -q "Test build installed" "$T/out" || fail "ui_print text not on the screen: $(cat "$T/out")"
grep -q "progress: 100%" "$T/out" || fail "no progress on the screen"
expect_installed "install from arguments"
grep -q "W: /default.prop:1: a line without '=' was skipped" "$T/out" \
  || fail "the stray line is not named: $(cat "$T/out")"
ok "a stray line in default.prop is named and skipped"
cp "$T/default.prop" "$ROOT/default.prop"

# 2. the command file, after wiping system so the install shows
mke2fs -q -F -t ext4 "$DEV_SYSTEM" >/dev/null
dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 status=none conv=fsync
write_command_file "--update_package=/cache/update.zip"
run_recovery
expect_installed "install from /cache/recovery/command"
grep -q "command from /cache/recovery/command" "$T/last_log" || fail "log does not name the command file"

# 3. the bootloader message alone
mke2fs -q -F -t ext4 "$DEV_SYSTEM" >/dev/null
dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 status=none conv=fsync
write_bcb --update_package=/cache/update.zip
run_recovery
expect_installed "install from the bootloader message"
grep -q "command from the bootloader message" "$T/last_log" || fail "log does not name the BCB"

# Earlier runs' logs were rotated, not lost.
[ "$(cache_file recovery/last_log.2 | grep -c 'Install of /cache/update.zip complete')" -ge 1 ] \
  || fail "last_log.2 is not the first run's log"
ok "logs rotated to last_log.1 and last_log.2"

# 4. nothing to do: no arguments, no command file, clear BCB
run_recovery
[ "$RC" -eq 0 ] || fail "no command: exit $RC"
grep -q "No command" "$T/out" || fail "no command not shown: $(cat "$T/out")"
ok "no command exits 0"

# 5. --wipe_data formats /data and /cache, keeping recovery's logs
mount "$DEV_DATA" "$T/mnt" && echo secret > "$T/mnt/user-file" && umount "$T/mnt"
put_in_cache "$T/update.zip" other.zip
run_recovery --wipe_data
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "--wipe_data exited $RC"; }
mount -o ro "$DEV_DATA" "$T/mnt" || fail "data does not mount after the wipe"
[ -e "$T/mnt/user-file" ] && { umount "$T/mnt"; fail "user data survived --wipe_data"; }
umount "$T/mnt"
cache_file other.zip >/dev/null && fail "cache not wiped by --wipe_data"
cache_file recovery/last_log | grep -q "Data wipe complete" || fail "last_log lost or incomplete after the wipe"
cache_file recovery/last_log.1 >/dev/null || fail "earlier logs lost in the cache wipe"
bcb_is_clear || fail "BCB not cleared after --wipe_data"
ok "--wipe_data formats data and cache and keeps the logs"

# 6. --wipe_cache from the command file
put_in_cache "$T/update.zip" other.zip
write_command_file "--wipe_cache"
run_recovery
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "--wipe_cache exited $RC"; }
cache_file other.zip >/dev/null && fail "--wipe_cache left files in /cache"
cache_file recovery/command >/dev/null && fail "command file survived"
cache_file recovery/last_log | grep -q "Cache wipe complete" || fail "last_log lacks the cache wipe"
ok "--wipe_cache from the command file"

# 7. a package on /data, installed with --wipe_data: recovery mounts /data
#    for it, installs, and only then wipes (the package goes with the data)
mount "$DEV_DATA" "$T/mnt" || fail "mount data"
mkdir -p "$T/mnt/ota" && cp "$T/update.zip" "$T/mnt/ota/update.zip" && echo keep-not > "$T/mnt/user-file"
sync; umount "$T/mnt"
mke2fs -q -F -t ext4 "$DEV_SYSTEM" >/dev/null
run_recovery --update_package=/data/ota/update.zip --wipe_data
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "install from /data with --wipe_data: exit $RC"; }
mount -o ro "$DEV_SYSTEM" "$T/mnt" && cmp -s "$T/mnt/lib/lib2.so" "$T/payload/system/lib/lib2.so"; same=$?
umount "$T/mnt"
[ "$same" -eq 0 ] || fail "package from /data not installed"
mount -o ro "$DEV_DATA" "$T/mnt" || fail "data does not mount"
[ -e "$T/mnt/user-file" ] || [ -e "$T/mnt/ota/update.zip" ]; left=$?
umount "$T/mnt"
[ "$left" -ne 0 ] || fail "data not wiped after the install"
cache_file recovery/last_log | grep -q "v1 JAR signature verified" || fail "log does not report the v1 JAR check"
[ "$(cache_file recovery/last_install)" = "/data/ota/update.zip"$'\n'"1" ] || fail "last_install after /data install"
ok "package on /data installed, then --wipe_data"

# 8. the updater asks for a cache wipe (wipe_cache on the pipe)
build_package "$T/wipe.zip" "$T/payload" 'ui_print("asking for a cache wipe");
wipe_cache();' "$GOOD_METADATA"
put_in_cache "$T/wipe.zip" wipe.zip
mount "$DEV_CACHE" "$T/mnt" && echo x > "$T/mnt/stale-file" && umount "$T/mnt"
run_recovery --update_package=/cache/wipe.zip
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "wipe_cache package: exit $RC"; }
cache_file stale-file >/dev/null && fail "updater's wipe_cache did not wipe /cache"
cache_file recovery/last_log | grep -q "updater asks for a cache wipe" || fail "log lacks the wipe_cache command"
[ "$(cache_file recovery/last_install)" = "/cache/wipe.zip"$'\n'"1" ] || fail "last_install lost in the updater's cache wipe"
ok "the updater's wipe_cache wipes /cache after the install, keeping the logs"

# 9. a package whose script fails: exit 1, reason shown, command cleared
build_package "$T/abort.zip" "$T/payload" 'ui_print("about to fail");
abort("this package gives up");' "$GOOD_METADATA"
put_in_cache "$T/abort.zip" abort.zip
write_bcb --update_package=/cache/abort.zip
run_recovery
[ "$RC" -eq 1 ] || { cat "$T/out"; fail "failing package: exit $RC, expected 1"; }
grep -q "this package gives up" "$T/out" || fail "the script's abort message is not on the screen: $(cat "$T/out")"
grep -q "update-binary exited with status" "$T/out" || fail "the updater's status is not shown"
bcb_is_clear || fail "BCB not cleared after a failed install"
[ "$(cache_file recovery/last_install)" = "/cache/abort.zip"$'\n'"0" ] || fail "last_install after a failure"
ok "a failing update-binary: exit 1, reason on screen, last_install 0, BCB cleared"
