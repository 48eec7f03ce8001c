#!/bin/bash
# Trust comes only from the recovery image: --keys and --fstab are honoured
# from recovery's own command line (the image's init), never from
# /cache/recovery/command or the bootloader message, which the main system
# writes.  An attacker who can write /cache or misc and names his own key or
# fstab there gets the option ignored (logged and shown), and the rest of
# the command is judged by the image's own keys and fstab.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device
make_key "$T/keys" evil
make_key "$T/keys" other

# A small package that writes its boot.img to the boot partition.
mkdir -p "$T/payload"
head -c 300000 /dev/urandom > "$T/payload/boot.img"
SCRIPT='package_extract_file("boot.img", "/dev/block/by-name/boot");'
build_package "$T/evil.zip" "$T/payload" "$SCRIPT" "$GOOD_METADATA" evil
head -c 1M /dev/urandom | dd of="$DEV_BOOT" conv=fsync status=none
before=$(boot_hash)

put_evil_files() {
  mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
  cp "$T/evil.zip" "$T/mnt/evil.zip"
  cp "$T/keys/evil.x509.pem" "$T/mnt/evil.pem"
  sync; umount "$T/mnt"
}

# expect_ignored HOW OPTION: the evil package was refused, the option named
# as ignored on the screen and in the log, boot untouched.
expect_ignored() {
  local how=$1 opt=$2
  [ "$RC" -eq 3 ] || { cat "$T/out"; fail "$how: exit $RC, expected 3 (refused)"; }
  [ "$(boot_hash)" = "$before" ] || fail "$how: the package signed by the attacker's key was installed"
  grep -q "ignored $opt" "$T/out" || { cat "$T/out"; fail "$how: the screen does not say $opt was ignored"; }
  cache_file recovery/last_log | grep -q "ignored $opt" || fail "$how: the log does not say $opt was ignored"
  grep -q "no matching key" "$T/out" || fail "$how: not refused for its key"
  ok "$how: $opt ignored, package refused by the image's keys"
}

# 1. --keys in the command file
put_evil_files
write_command_file "--update_package=/cache/evil.zip
--keys=/cache/evil.pem"
run_recovery
expect_ignored "--keys in /cache/recovery/command" "--keys=/cache/evil.pem"
cache_file recovery/command >/dev/null && fail "command file left behind after the refusal"

# 2. --keys in the bootloader message
put_evil_files
write_bcb --update_package=/cache/evil.zip --keys=/cache/evil.pem
run_recovery
expect_ignored "--keys in the bootloader message" "--keys=/cache/evil.pem"
bcb_is_clear || fail "--keys in the BCB: bootloader message not cleared"

# 3. --fstab in the command file: an fstab that calls the data partition
# /cache would make --wipe_cache erase the user's data.
mount "$DEV_DATA" "$T/mnt" && echo precious > "$T/mnt/user-file" && umount "$T/mnt"
mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
sed 's|^/cache .*|/cache ext4 /dev/block/by-name/data|' "$ROOT/etc/recovery.fstab" > "$T/mnt/evil.fstab"
sync; umount "$T/mnt"
write_command_file "--fstab=/cache/evil.fstab
--wipe_cache"
run_recovery
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "--fstab in the command file: exit $RC"; }
mount -o ro "$DEV_DATA" "$T/mnt" || fail "data does not mount"
[ "$(cat "$T/mnt/user-file" 2>/dev/null)" = precious ] || { umount "$T/mnt"; fail "the attacker's fstab wiped /data"; }
umount "$T/mnt"
grep -q "ignored --fstab=/cache/evil.fstab" "$T/out" || { cat "$T/out"; fail "--fstab: not said to be ignored"; }
cache_file evil.fstab >/dev/null && fail "--wipe_cache did not wipe the real /cache"
ok "--fstab in the command file ignored; --wipe_cache wiped the image's /cache, not /data"

# 4. recovery's own command line still chooses the keys.
mkdir -p "$ROOT/res/other"; cp "$T/keys/other.x509.pem" "$ROOT/res/other/keys.pem"
build_package "$T/other.zip" "$T/payload" "$SCRIPT" "$GOOD_METADATA" other
put_in_cache "$T/other.zip" other.zip
run_recovery --keys=/res/other/keys.pem --update_package=/cache/other.zip
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "--keys on recovery's own command line: exit $RC"; }
cmp -s -n 300000 "$T/payload/boot.img" "$DEV_BOOT" || fail "--keys on the command line: not installed"
ok "--keys on recovery's own command line is honoured"
