#!/bin/bash
# A full package from make_target_files' target-files, installed by the real
# updater on an empty loop-backed system: the system partition ends up
# exactly the rootfs the build came from (contents, links, owners, modes,
# capabilities), boot holds the boot image, and recovery-from-boot.p turns
# boot into the recovery image.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_loop
for p in make_target_files ota_from_target_files updater applypatch; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
rt_target_files "$W/tf.zip" "$W/b" 1
"$BIN/ota_from_target_files" "$W/tf.zip" "$W/full.zip" 2>"$W/warn" || fail "ota_from_target_files"
grep -q "development key" "$W/warn" || fail "no warning about the development key"
# The fixture's target-files names no updater: the host's goes in, said so,
# and its machine is recorded in the metadata.
case $(uname -m) in x86_64) MACHINE=x86-64;; aarch64) MACHINE=AArch64;; *) MACHINE=;; esac
grep -q "has no OTA/bin/updater: the package carries this host's updater .*make_target_files --updater" \
  "$W/warn" || { cat "$W/warn"; fail "no warning about the host's updater"; }
if [ -n "$MACHINE" ]; then
  [ "$(unzip -p "$W/full.zip" META-INF/com/android/metadata | grep '^update-binary-machine=')" = \
    "update-binary-machine=$MACHINE" ] || fail "metadata lacks update-binary-machine=$MACHINE"
fi
[ -f "$W/keys/devkey.x509.pem" ] && [ -f "$W/keys/devkey.pk8" ] || fail "development key not made"
ok "full package built and signed with the development key"

# Deterministic: the same inputs give the same bytes.
"$BIN/ota_from_target_files" "$W/tf.zip" "$W/full-again.zip" 2>/dev/null || fail "second run"
cmp -s "$W/full.zip" "$W/full-again.zip" || fail "two runs gave different packages"
ok "same inputs, byte-identical package"

if [ -x "$BIN/check_ota_package_signature" ]; then
  "$BIN/check_ota_package_signature" "$W/keys/devkey.x509.pem" "$W/full.zip" >/dev/null ||
    fail "package does not verify with the development key"
  ok "package verifies"
fi

# The device checks that /system can hold the files before it formats
# anything; the build refuses what misc_info's system_size cannot hold.
unzip -p "$W/full.zip" META-INF/com/google/android/updater-script >"$W/full.script"
[ "$(grep -n -m1 -E '^check_partition_size\("/dev/block/by-name/system", "[0-9]+"\);$' "$W/full.script" | cut -d: -f1)" -lt \
  "$(grep -n -m1 -E '^format\(' "$W/full.script" | cut -d: -f1)" ] ||
  fail "no check_partition_size before the format: $(head -5 "$W/full.script")"
rt_target_files "$W/tf-small.zip" "$W/b" 1 --misc-info system_size=262144
if "$BIN/ota_from_target_files" "$W/tf-small.zip" "$W/small.zip" 2>"$W/err"; then fail "a 256 KiB system_size was accepted"; fi
grep -q "the system files take at least [0-9]* bytes, more than system_size=262144 in META/misc_info.txt" "$W/err" ||
  fail "system_size refusal: $(cat "$W/err")"
[ -e "$W/small.zip" ] && fail "a refused build left a package"
ok "sizes: checked at build time (system_size) and on the device before the format"

R=$W/dev
rt_device "$R"
RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/full.zip" > "$W/pipe" 2> "$W/log" ||
  { cat "$W/log" "$W/pipe"; fail "updater failed on the full package"; }
grep -q '^ui_print Writing system files' "$W/pipe" || fail "no ui_print on the command pipe"
grep -q '^progress ' "$W/pipe" || fail "no progress on the command pipe"
ok "updater installed the full package"

mkdir -p "$W/mnt"
mount -o ro "$R/dev/block/by-name/system" "$W/mnt" || fail "mount system"
rm -f "$W/b/system1/.keep"
rt_tree_dump "$W/b/system1" > "$W/want"
# The generated recovery files are part of the installed system too.
rt_tree_dump "$W/mnt" | grep -v -e '^./recovery-from-boot.p ' -e '^./etc/install-recovery.sh ' > "$W/got"
diff -u "$W/want" "$W/got" || fail "installed system differs from the build's rootfs"
ok "system tree is exactly the rootfs (contents, links, owners, modes, capabilities)"

[ "$(stat -c '%a %u %g' "$W/mnt/etc/install-recovery.sh")" = "544 0 0" ] || fail "install-recovery.sh mode"
unzip -p "$W/full.zip" boot.img > "$W/boot.img"
size=$(stat -c %s "$W/boot.img")
cmp -n "$size" "$W/boot.img" "$R/dev/block/by-name/boot" || fail "boot partition does not hold boot.img"
ok "boot partition holds boot.img"

# recovery-from-boot.p: boot -> recovery, as install-recovery.sh applies it.
unzip -p "$W/full.zip" recovery/recovery-from-boot.p > "$W/rfb.p"
cmp "$W/rfb.p" "$W/mnt/recovery-from-boot.p" || fail "recovery-from-boot.p not installed"
line=$(grep '^  applypatch EMMC' "$W/mnt/etc/install-recovery.sh") || fail "no applypatch line"
set -- $line
rec_sha1=$4; rec_size=$5
"$BIN/applypatch" "$W/boot.img" "$W/recovery.out" "$rec_sha1" "$rec_size" "$(sha1sum < "$W/boot.img" | cut -c1-40):$W/rfb.p" ||
  fail "applypatch of recovery-from-boot.p"
[ "$(sha1sum < "$W/recovery.out" | cut -c1-40)" = "$rec_sha1" ] || fail "recovery image SHA-1"
head -c 8 "$W/recovery.out" | grep -q ANDROID! || fail "recovery image is not a boot image"
ok "recovery-from-boot.p rebuilds the recovery image from boot"
umount "$W/mnt"

# The device check: another device's recovery refuses the package.
sed -i "s/^ro.product.device=.*/ro.product.device=otherdevice/" "$R/default.prop"
if RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/full.zip" > "$W/pipe2" 2>&1; then
  fail "package installed on the wrong device"
fi
grep -q 'rtdevice' "$W/pipe2" || fail "device refusal does not name the device"
ok "refused on another device"

# -k KEY, -w (data formatted), -e (extra script runs before /system is unmounted).
sed -i "s/^ro.product.device=.*/ro.product.device=$RT_DEVICE/" "$R/default.prop"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/release.x509.pem" -days 30 \
  -subj /CN=release -sha256 >/dev/null 2>&1 || fail "openssl key"
openssl pkcs8 -topk8 -nocrypt -in "$W/k.pem" -outform DER -out "$W/release.pk8" || fail "openssl pk8"
printf 'ui_print("extra script ran");\nassert(is_mounted("/system"));\n' > "$W/extra.edify"
"$BIN/ota_from_target_files" -k "$W/release" -w -e "$W/extra.edify" "$W/tf.zip" "$W/wipe.zip" 2>"$W/warn2" ||
  { cat "$W/warn2"; fail "ota_from_target_files -k -w -e"; }
grep -q "development key" "$W/warn2" && fail "warned about the development key although -k was given"
if [ -x "$BIN/check_ota_package_signature" ]; then
  "$BIN/check_ota_package_signature" "$W/release.x509.pem" "$W/wipe.zip" >/dev/null || fail "-k package does not verify"
  "$BIN/check_ota_package_signature" "$W/keys/devkey.x509.pem" "$W/wipe.zip" >/dev/null 2>&1 &&
    fail "-k package verifies with the development key"
fi
mkdir -p "$W/data"
mount "$R/dev/block/by-name/data" "$W/data" || fail "mount data"
echo user-data > "$W/data/precious"
umount "$W/data"
RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/wipe.zip" > "$W/pipe3" 2> "$W/log3" ||
  { cat "$W/log3" "$W/pipe3"; fail "updater failed on the -w -e package"; }
grep -q 'extra script ran' "$W/pipe3" || fail "the extra script did not run"
mount "$R/dev/block/by-name/data" "$W/data" || fail "mount data after the install"
[ -e "$W/data/precious" ] && fail "-w did not wipe /data"
umount "$W/data"
ok "-k signs with the given key, -w wipes /data, -e appends a script"

# Usage and input errors: one line naming the problem, exit 2 for usage.
"$BIN/ota_from_target_files" >/dev/null 2>&1; [ $? = 2 ] || fail "no arguments: not exit 2"
"$BIN/ota_from_target_files" --help | grep -q '^usage: ota_from_target_files' || fail "--help"
# -key is not -k ey; an unknown option is refused; both exit 2, nothing written.
"$BIN/ota_from_target_files" -key "$W/release" "$W/tf.zip" "$W/x.zip" 2>"$W/err"; rc=$?
[ $rc = 2 ] && grep -q -- '-key: a value glued to -k is not taken' "$W/err" ||
  fail "-key: exit $rc, $(head -1 "$W/err")"
"$BIN/ota_from_target_files" --no-such-option "$W/tf.zip" "$W/x.zip" 2>"$W/err"; rc=$?
[ $rc = 2 ] && grep -q -- 'no-such-option' "$W/err" || fail "unknown option: exit $rc, $(head -1 "$W/err")"
[ -e "$W/x.zip" ] && fail "a refused command line left an output file"
if "$BIN/ota_from_target_files" "$W/missing.zip" "$W/x.zip" 2>"$W/err"; then fail "missing input accepted"; fi
grep -q missing.zip "$W/err" || fail "error does not name the missing file"
[ -e "$W/x.zip" ] && fail "a failed run left an output file"
unzip -q "$W/tf.zip" -d "$W/tfx" && (cd "$W/tfx" && sed -i '/ro.product.device/d' SYSTEM/build.prop &&
  zip -qr "$W/noprop.zip" .)
if "$BIN/ota_from_target_files" "$W/noprop.zip" "$W/x.zip" 2>"$W/err"; then fail "build.prop without the device accepted"; fi
grep -q 'ro.product.device' "$W/err" || fail "error does not name the missing property: $(cat "$W/err")"
ok "usage and input errors"
