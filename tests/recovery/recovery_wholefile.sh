#!/bin/bash
# Packages signed as Android's release tools sign them since Android 7:
# Debian's signapk -w writes the whole-file signature and otacert only, no
# v1 JAR signature.  Recovery verifies and installs such a package from a
# sealed copy in memory (docs/recovery.md, "Install flow"):
#   1. it installs through recovery on loop devices, and the log says how;
#   2. one larger than the memory recovery may use for the copy is refused
#      before anything is written, naming its size, the memory and the fix
#      (RECOVERY_SNAPSHOT_LIMIT lowers the limit, so no RAM is filled here);
#   3. the limit is only for packages without a v1 JAR signature: one signed
#      by ours installs under the same limit, read in place;
#   4. a whole-file-only package signed by another key is refused for its
#      signature, before any copy is made;
#   5. one tampered after signing (a byte of an entry's data, a byte of the
#      central directory) is refused, nothing touched.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
need_android_signapk
setup_device
make_key "$T/keys" other
make_payload "$T/payload" v2
unset RECOVERY_SNAPSHOT_LIMIT

# What a full install leaves, as recovery_install.sh checks it.
expect_installed() { # HOW
  local how=$1 f
  [ "$RC" -eq 0 ] || { cat "$T/out"; fail "$how: recovery exited $RC"; }
  [ "$(boot_hash)" = "$(expected_boot_hash "$T/payload/boot.img")" ] \
    || fail "$how: the boot partition is not the package's boot.img"
  mount -o ro "$DEV_SYSTEM" "$T/mnt" || fail "$how: system does not mount"
  for f in build.prop lib/lib1.so lib/lib6.so bin/app; do
    cmp -s "$T/payload/system/$f" "$T/mnt/$f" || { umount "$T/mnt"; fail "$how: /system/$f differs"; }
  done
  [ "$(stat -c %a:%u:%g "$T/mnt/bin/app")" = 755:0:2000 ] || { umount "$T/mnt"; fail "$how: set_perm not applied"; }
  umount "$T/mnt"
  [ "$(cache_file recovery/last_install)" = "/cache/update.zip"$'\n'"1" ] \
    || fail "$how: last_install is '$(cache_file recovery/last_install)'"
  bcb_is_clear || fail "$how: bootloader message not cleared"
}

wipe_device() {
  mke2fs -q -F -t ext4 "$DEV_SYSTEM" >/dev/null
  dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 status=none conv=fsync
}

# ---- 1. Debian's signapk -w: installs ---------------------------------------
SIGNER=android build_package "$T/android.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"
"$BIN/check_ota_package_signature" "$T/keys/good.x509.pem" "$T/android.zip" > "$T/check" \
  || fail "check_ota_package_signature refuses Debian's package: $(cat "$T/check")"
wipe_device
put_in_cache "$T/android.zip" update.zip
run_recovery --update_package=/cache/update.zip
expect_installed "whole-file-only package"
cache_file recovery/last_log > "$T/last_log"
grep -q "no v1 JAR signature: verified and used as a sealed snapshot in memory" "$T/last_log" \
  || { cat "$T/last_log"; fail "the log does not say the package was installed from a sealed snapshot"; }
grep -q "OTA_VERIFIED_PACKAGE=sealed:" "$T/last_log" \
  || fail "the log does not show the sealed-snapshot token handed to the updater"
ok "a package signed by Debian's signapk -w (whole-file signature only) installs through recovery"

# ---- 2. larger than the memory recovery may use: refused, nothing touched ----
mount "$DEV_SYSTEM" "$T/mnt" && echo "old build" > "$T/mnt/build.prop" && umount "$T/mnt"
head -c 1M /dev/urandom | dd of="$DEV_BOOT" conv=fsync status=none
sync
before=$(image_hashes)
size=$(stat -c %s "$T/android.zip")
size_mib=$(awk -v n="$size" 'BEGIN { printf "%.1f MiB", n / 1048576 }')
put_in_cache "$T/android.zip" update.zip
write_bcb --update_package=/cache/update.zip
RECOVERY_SNAPSHOT_LIMIT=1048576 run_recovery
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "oversized: exit $RC, expected 3 (refused)"; }
[ "$(image_hashes)" = "$before" ] || fail "oversized: system or boot changed"
for want in "no v1 JAR signature" "$size_mib" "1.0 MiB" "MemAvailable" "RECOVERY_SNAPSHOT_LIMIT" \
            "free memory" "signapk -w" "nothing was changed"; do
  grep -q -- "$want" "$T/out" || { cat "$T/out"; fail "oversized: the screen lacks '$want'"; }
done
[ "$(cache_file recovery/last_install)" = "/cache/update.zip"$'\n'"0" ] \
  || fail "oversized: last_install is '$(cache_file recovery/last_install)'"
bcb_is_clear || fail "oversized: bootloader message not cleared after a definite failure"
ok "a whole-file-only package larger than the memory limit is refused, nothing touched: $(grep -m1 '^E:' "$T/out")"

# ---- 3. the limit is only for packages copied into memory ---------------------
build_package "$T/jar.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"
wipe_device
put_in_cache "$T/jar.zip" update.zip
RECOVERY_SNAPSHOT_LIMIT=1048576 run_recovery --update_package=/cache/update.zip
expect_installed "v1 JAR-signed package under the same limit"
cache_file recovery/last_log | grep -q "every entry is checked against it when read" \
  || fail "the JAR-signed package was not read in place"
ok "a package with a v1 JAR signature installs under the same limit, read in place (no copy)"

# ---- 4. another key: the signature is refused before any copy -----------------
SIGNER=android build_package "$T/other.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA" other
put_in_cache "$T/other.zip" update.zip
before=$(image_hashes)
RECOVERY_SNAPSHOT_LIMIT=1048576 run_recovery --update_package=/cache/update.zip
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "other key: exit $RC, expected 3 (refused)"; }
[ "$(image_hashes)" = "$before" ] || fail "other key: system or boot changed"
grep -q "no matching key" "$T/out" || { cat "$T/out"; fail "other key: not refused for its signature"; }
grep -q "MemAvailable" "$T/out" && fail "other key: the memory limit was judged before the signature"
ok "a whole-file-only package signed by another key is refused for its signature first"

# ---- 5. tampered after signing: refused, nothing touched -----------------------
# flip_byte IN OUT OFFSET: OUT is IN with the byte at OFFSET changed.
flip_byte() {
  cp "$1" "$2"
  local orig; orig=$(od -An -tu1 -j "$3" -N1 "$2" | tr -d ' ')
  printf "$(printf '\\%03o' $(( (orig + 1) % 256 )))" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
  cmp -s "$1" "$2" && fail "tampering did not change $2"
  return 0
}
size=$(stat -c %s "$T/android.zip")
cd_off=$(grep -obUaP 'PK\x01\x02' "$T/android.zip" | head -1 | cut -d: -f1)
[ -n "$cd_off" ] || fail "no central directory header in $T/android.zip"
flip_byte "$T/android.zip" "$T/tampered-data.zip" $((size / 2))
flip_byte "$T/android.zip" "$T/tampered-cd.zip" $((cd_off + 16))  # an entry's CRC-32
for pkg in tampered-data tampered-cd; do
  put_in_cache "$T/$pkg.zip" update.zip
  before=$(image_hashes)
  run_recovery --update_package=/cache/update.zip
  [ "$RC" -eq 3 ] || { cat "$T/out"; fail "$pkg: exit $RC, expected 3 (refused)"; }
  [ "$(image_hashes)" = "$before" ] || fail "$pkg: system or boot changed"
  grep -q "signature verification failed" "$T/out" && grep -q "nothing was changed" "$T/out" \
    || { cat "$T/out"; fail "$pkg: the screen does not say the signature failed and nothing changed"; }
  ok "a whole-file-only package $pkg after signing is refused, nothing touched: $(grep -m1 '^E:' "$T/out")"
done
