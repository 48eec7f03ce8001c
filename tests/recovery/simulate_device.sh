#!/bin/bash
# scripts/simulate-device and the README's quick start, which is run here as
# it stands in the README (only `make` is left out and build/bin points at
# the programs under test): two releases, a full and an incremental package,
# both installed through recovery on loop devices, the result read back,
# the device torn down.  Then what the script refuses, a package signed by
# another key (refused, nothing written), and that teardown leaves no loop
# device behind.
. "$(dirname "$0")/../lib.sh"
need_loop
for p in recovery bcb updater make_target_files ota_from_target_files ota_info signapk; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built (make builds every program; make check-recovery builds only recovery)"
done
for tool in openssl mke2fs zip; do command -v $tool >/dev/null || skip "$tool not installed"; done
SIM=$TOP/scripts/simulate-device
export OTA_BIN=$BIN
T=$(make_tmpdir)
# Whatever a failing step leaves set up is torn down.
on_exit "find '$T' -name .simulated-device -printf '%h\n' | xargs -r -n1 '$SIM' teardown"

# ---- the README quick start, as pasted ---------------------------------------
sed -n '/<!-- quickstart:begin/,/<!-- quickstart:end/p' "$TOP/README.md" | sed '1,2d;$d' | sed '$d' >"$T/qs.sh"
grep -qx 'make' "$T/qs.sh" || fail "the README quick start no longer starts with make: $(head -3 "$T/qs.sh")"
grep -qF 'export PATH="$PWD/build/bin:$PATH"' "$T/qs.sh" || fail "the README quick start no longer puts build/bin on PATH"
sed -i -e '/^make$/d' -e "s|\"\$PWD/build/bin:\$PATH\"|\"$BIN:\$PATH\"|" "$T/qs.sh"
(cd "$TOP" && TMPDIR=$T bash -euo pipefail "$T/qs.sh") >"$T/qs.out" 2>&1 ||
  { tail -30 "$T/qs.out"; fail "the README quick start failed"; }
[ "$(tail -n2 "$T/qs.out" | head -n1)" = "hello from release 2" ] ||
  fail "the quick start did not end with release 2's hello: $(tail -5 "$T/qs.out")"
grep -q '^verified        yes, with release.x509.pem' "$T/qs.out" || fail "ota_info did not verify: $(cat "$T/qs.out")"
grep -qx 'updater-script: no errors' "$T/qs.out" || fail "updater --check: $(cat "$T/qs.out")"
[ "$(grep -c '^Install of /cache/.* complete.$' "$T/qs.out")" -eq 2 ] || fail "two installs expected: $(cat "$T/qs.out")"
[ -z "$(find "$T" -name .simulated-device)" ] || fail "the quick start left its device set up"
ok "the README quick start runs as pasted: full and incremental installed through recovery"

# ---- simulate-device on its own -------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/k.x509.pem" -days 30 \
  -subj /CN=k 2>/dev/null || fail "openssl"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/o.pem" -out "$T/o.x509.pem" -days 30 \
  -subj /CN=other 2>/dev/null || fail "openssl"
openssl pkcs8 -topk8 -outform DER -nocrypt -in "$T/o.pem" -out "$T/o.pk8"
sim() { # WANT_EXIT ARGS...
  local want=$1; shift
  "$SIM" "$@" >"$T/out" 2>&1
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "simulate-device $* exited $rc, expected $want: $(cat "$T/out")"
}
sim 2
sim 0 --help
grep -q '^usage:' "$T/out" || fail "--help: $(cat "$T/out")"
sim 1 setup "$T/d"
grep -q -- '--keys CERT.x509.pem is required' "$T/out" || fail "no --keys: $(cat "$T/out")"
mkdir -p "$T/full" && touch "$T/full/x"
sim 1 setup "$T/full" --keys "$T/k.x509.pem"
grep -q 'exists and is not empty' "$T/out" || fail "non-empty folder: $(cat "$T/out")"
sim 1 teardown "$T/full"
grep -q 'is not a simulated device' "$T/out" || fail "teardown of a plain folder: $(cat "$T/out")"
[ -e "$T/full/x" ] || fail "teardown removed a folder that is not a device"
ok "usage, a missing key, a used folder and a plain folder are refused with the reason"

sim 0 setup "$T/d" --keys "$T/k.x509.pem" --device board --build-date 5
for n in misc boot system cache; do
  [ -b "$T/d/dev/block/by-name/$n" ] || fail "$n is not a block device"
  grep -q "^/$n " "$T/d/etc/recovery.fstab" || fail "$n not in the fstab"
done
cmp -s "$T/k.x509.pem" "$T/d/res/keys" || fail "res/keys is not the certificate"
grep -qx 'ro.product.device=board' "$T/d/default.prop" && grep -qx 'ro.build.date.utc=5' "$T/d/default.prop" ||
  fail "default.prop: $(cat "$T/d/default.prop")"
LOOPS=$(awk '{print $2}' "$T/d/.simulated-device")

# A package signed by another key: recovery refuses it and writes nothing.
mkdir -p "$T/p/META-INF/com/google/android" "$T/p/META-INF/com/android" "$T/p/system"
cp "$BIN/updater" "$T/p/META-INF/com/google/android/update-binary"
echo 'format("ext4", "EMMC", "/dev/block/by-name/system", "0", "/system");' \
  >"$T/p/META-INF/com/google/android/updater-script"
printf 'pre-device=board\npost-timestamp=10\n' >"$T/p/META-INF/com/android/metadata"
(cd "$T/p" && zip -qr "$T/unsigned.zip" .) || fail "zip"
"$BIN/signapk" -w "$T/o.x509.pem" "$T/o.pk8" "$T/unsigned.zip" "$T/other.zip" || fail "signapk"
before=$(md5sum <"$T/d/images/system.img")
sim 3 install "$T/d" "$T/other.zip"
grep -q 'recovery exited with status 3' "$T/out" || fail "refusal not reported: $(cat "$T/out")"
[ "$(md5sum <"$T/d/images/system.img")" = "$before" ] || fail "a refused package changed system"
"$BIN/bcb" "$T/d/dev/block/by-name/misc" show | grep -q 'boot-recovery' && fail "the request stayed on misc"
sim 0 mount "$T/d"
[ "$(cat "$T/d/cache/recovery/last_install")" = "/cache/other.zip"$'\n'"0" ] ||
  fail "last_install: $(cat "$T/d/cache/recovery/last_install")"
sim 1 install "$T/d" "$T/other.zip"
grep -q 'something is mounted under' "$T/out" || fail "install while mounted: $(cat "$T/out")"
sim 0 umount "$T/d"
ok "a package signed by another key is refused (status 3), system untouched, request cleared"

sim 0 teardown "$T/d"
[ ! -e "$T/d" ] || fail "teardown left $T/d"
for l in $LOOPS; do
  losetup -a | grep -q "^$l: .*$T/d/images" && fail "teardown left $l attached"
done
ok "teardown detaches every loop device and removes the folder"
