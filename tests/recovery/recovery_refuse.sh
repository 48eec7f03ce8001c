#!/bin/bash
# Packages recovery must refuse: tampered, unsigned, signed with another
# key, for another device, older than the installed build.  Each leaves the
# system and boot partitions byte-identical, says why on the screen and in
# the log, records the failure in last_install and clears the command.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device
make_key "$T/keys" other

# A system and boot worth protecting.
mount "$DEV_SYSTEM" "$T/mnt" && echo "old build" > "$T/mnt/build.prop" && umount "$T/mnt"
head -c 1M /dev/urandom | dd of="$DEV_BOOT" conv=fsync status=none
sync
before=$(image_hashes)

make_payload "$T/payload" v2

# refuse NAME PACKAGE REASON_PATTERN
refuse() {
  local name=$1 pkg=$2 pattern=$3
  put_in_cache "$pkg" "$name.zip"
  write_bcb "--update_package=/cache/$name.zip"
  run_recovery
  [ "$RC" -eq 3 ] || { cat "$T/out"; fail "$name: exit $RC, expected 3 (refused)"; }
  [ "$(image_hashes)" = "$before" ] || fail "$name: system or boot changed"
  grep -q "$pattern" "$T/out" || { cat "$T/out"; fail "$name: screen lacks '$pattern'"; }
  grep -q "nothing was changed" "$T/out" || fail "$name: screen does not say nothing changed"
  cache_file recovery/last_log | grep -q "$pattern" || fail "$name: log lacks '$pattern'"
  [ "$(cache_file recovery/last_install)" = "/cache/$name.zip"$'\n'"0" ] \
    || fail "$name: last_install is '$(cache_file recovery/last_install)'"
  bcb_is_clear || fail "$name: bootloader message not cleared after a definite failure"
  ok "$name package refused: $(grep -m1 '^E:' "$T/out")"
}

build_package "$T/good.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"

# Tampered: one byte of the first stored/deflated data changed.
cp "$T/good.zip" "$T/tampered.zip"
size=$(stat -c %s "$T/tampered.zip")
off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 "$T/tampered.zip" | tr -d ' ')
printf "$(printf '\\%03o' $(( (orig + 1) % 256 )))" | dd of="$T/tampered.zip" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$T/good.zip" "$T/tampered.zip" && fail "tampering did not change the file"
refuse tampered "$T/tampered.zip" "signature verification failed"

build_package "$T/unsigned.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA" -
refuse unsigned "$T/unsigned.zip" "signature verification failed"

build_package "$T/wrongkey.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA" other
refuse wrong-key "$T/wrongkey.zip" "signature verification failed"

build_package "$T/wrongdev.zip" "$T/payload" "$FULL_SCRIPT" \
  "$(printf 'post-timestamp=1700000000\npre-device=otherdev')"
refuse wrong-device "$T/wrongdev.zip" "package is for device 'otherdev', this device is 'testdev'"

build_package "$T/old.zip" "$T/payload" "$FULL_SCRIPT" \
  "$(printf 'post-timestamp=1500000000\npre-device=testdev')"
refuse downgrade "$T/old.zip" "older than the installed build"

build_package "$T/nometa.zip" "$T/payload" "$FULL_SCRIPT" "" 
refuse no-device "$T/nometa.zip" "names no device"

# An update-binary for another machine (e_machine at offset 18 set to
# AArch64, or to x86-64 on an AArch64 host) is refused before it runs.
cp "$BIN/updater" "$T/foreign-updater"
own=$(od -An -tu2 -j18 -N2 "$BIN/updater" | tr -d ' ')
if [ "$own" = 183 ]; then foreign='\076' name=x86-64; else foreign='\267' name=AArch64; fi
printf "$foreign" | dd of="$T/foreign-updater" bs=1 seek=18 conv=notrunc status=none
UPDATE_BINARY="$T/foreign-updater" build_package "$T/foreign.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"
refuse foreign-machine "$T/foreign.zip" "update-binary is built for $name, but this device is"

# Signed with the whole-file signature only (Android's 4096-bit test
# package): it verifies, as a sealed snapshot in memory, and is then
# refused for what it lacks, like any package (tests/recovery/
# recovery_wholefile.sh installs such packages).
if [ -f "$TESTDATA/recovery/otasigned_4096bits.zip" ]; then
  cp "$ROOT/res/keys" "$T/keys.saved"
  cp "$TESTDATA/recovery/testkey_4096bits.x509.pem" "$ROOT/res/keys"
  refuse whole-file-only "$TESTDATA/recovery/otasigned_4096bits.zip" "package has no META-INF/com/android/metadata"
  cache_file recovery/last_log | grep -q "verified and used as a sealed snapshot" \
    || fail "whole-file-only: not verified as a sealed snapshot"
  cp "$T/keys.saved" "$ROOT/res/keys"
else
  left_out "the whole-file-only package (otasigned_4096bits.zip)"
fi

# A missing package is refused the same way.
write_bcb --update_package=/cache/absent.zip
run_recovery
[ "$RC" -eq 3 ] || fail "missing package: exit $RC"
[ "$(image_hashes)" = "$before" ] || fail "missing package: system or boot changed"
grep -q "cannot open the package /cache/absent.zip" "$T/out" || fail "missing package: reason not shown"
ok "missing package refused"

# The same old package with ota-downgrade=yes is allowed.
build_package "$T/downgrade-ok.zip" "$T/payload" "$FULL_SCRIPT" \
  "$(printf 'post-timestamp=1500000000\npre-device=testdev\nota-downgrade=yes')"
put_in_cache "$T/downgrade-ok.zip" d.zip
run_recovery --update_package=/cache/d.zip
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "ota-downgrade=yes package: exit $RC"; }
[ "$(boot_hash)" = "$(expected_boot_hash "$T/payload/boot.img")" ] || fail "allowed downgrade not installed"
ok "downgrade allowed by ota-downgrade=yes"
end_of_cases
