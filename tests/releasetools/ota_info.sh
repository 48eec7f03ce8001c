#!/bin/bash
# ota_info (docs/releasetools.md): full and incremental packages made by
# ota_from_target_files and hand-made ones are described without running
# anything: metadata, signer, verification against a key, the update-
# binary's machine, and per partition what the script writes, with byte
# totals checked against the package's own entries.  --json is checked with
# jq, a real JSON parser.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
. "$(dirname "$0")/sign_helpers.bash"
need_root # the fixture builds own files by other users
for p in make_target_files ota_from_target_files ota_info signapk; do
  [ -x "$BIN/$p" ] || fail "$BIN/$p not built"
done
for tool in setcap jq zip unzip openssl file; do
  command -v $tool >/dev/null || skip "$tool not installed (scripts/install-deps installs it)"
done

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
rt_target_files "$W/tf1.zip" "$W/b" 1
rt_target_files "$W/tf2.zip" "$W/b" 2
"$BIN/ota_from_target_files" "$W/tf2.zip" "$W/full.zip" 2>/dev/null || fail "full package"
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr.zip" 2>/dev/null ||
  fail "incremental package"
DEVKEY=$W/keys/devkey.x509.pem

info() { # WANT_EXIT ARGS...: runs ota_info into $W/out, $W/err
  local want=$1; shift
  "$BIN/ota_info" "$@" >"$W/out" 2>"$W/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "ota_info $* exited $rc, expected $want: $(cat "$W/err")"
}
has() { LC_ALL=C grep -qE "$1" "$W/out" || fail "ota_info output lacks /$1/:
$(cat "$W/out")"; }
# Sum of the sizes of the package's non-directory entries whose names match
# the extended regex (from unzip's listing, not from ota_info).
# (the name is all after the 9th column: names may hold spaces)
entry_bytes() { unzip -Zl "$1" | awk -v re="$2" '{n = $0; for (i = 0; i < 9; i++) sub(/^ *[^ ]+ +/, "", n)} n ~ re && n !~ /\/$/ {s += $4} END {print s + 0}'; }
json() { jq -r "$1" "$W/out"; }
grouped() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; } # 1234567 -> 1,234,567

# ---- a full package ---------------------------------------------------------
info 0 "$W/full.zip"
has '^type +full$'
has '^post-build +rt/rtdevice/rtdevice:1.0/RT2/2:user/release-keys$'
has '^post-timestamp +1700000002 \(2023-11-14 22:13:22 UTC\)$'
has '^pre-device +rtdevice$'
grep -q '^pre-build' "$W/out" && fail "a full package has no pre-build"
has '^signer +/CN=OTA development key - not for release$'
has '^  key +RSA-2048 e=65537$'
has '^  digest +SHA-256 '
FP=$(openssl x509 -in "$DEVKEY" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
has "^  certificate +SHA-256 $FP\$"
BIN_SIZE=$(unzip -Zl "$W/full.zip" META-INF/com/google/android/update-binary | awk '{print $4}')
# Linkage as file(1) sees it (a sanitizer build's updater is dynamic).
unzip -p "$W/full.zip" META-INF/com/google/android/update-binary >"$W/update-binary"
if file -b "$W/update-binary" | grep -q 'statically linked'; then
  LINKAGE="statically linked" STATIC=true
else
  LINKAGE="dynamically linked \(needs $(file -b "$W/update-binary" | sed -n 's/.*interpreter \([^,]*\),.*/\1/p')\)"
  STATIC=false
fi
has "^update-binary +x86-64, 64-bit little-endian, $LINKAGE, $(grouped "$BIN_SIZE") bytes$"
has '^  system  /system on /dev/block/by-name/system \(ext4\)$'
has '^      formatted, mounted, '
has '^      image  /dev/block/by-name/boot from boot.img, '
WANT=$(( $(entry_bytes "$W/full.zip" '^(system|recovery)/') + $(entry_bytes "$W/full.zip" '^boot\.img$') ))
has "^writes +$(grouped "$WANT") bytes in total$"
ok "full package: metadata, signer, machine, partitions and $WANT bytes written"

# ---- an incremental package, verified --------------------------------------
info 0 --key "$DEVKEY" "$W/incr.zip"
has '^type +incremental$'
has '^pre-build +rt/rtdevice/rtdevice:1.0/RT1/1:user/release-keys$'
has "^verified +yes, with $DEVKEY \(whole file and v1 JAR\)$"
has '^      patch  /system/lib/libc.so from patch/system/lib/libc.so.p, 200,000 bytes$'
has '^      patch  /dev/block/by-name/boot from patch/boot.img.p, '
has '^      delete /system/olddir/$'
# New files whole, patched files at their target size (the script's 4th apply_patch argument).
PATCHED=$(unzip -p "$W/incr.zip" META-INF/com/google/android/updater-script |
  grep -o '^apply_patch("[^"]*", "[^"]*", "[^"]*", [0-9]*' | awk -F', ' '{s += $4} END {print s}')
WANT=$(( $(entry_bytes "$W/incr.zip" '^system/') + PATCHED ))
has "^writes +$(grouped "$WANT") bytes in total$"
ok "incremental package: pre-build, patches and $WANT bytes written; verifies with its key"

# ---- --key with the wrong key ------------------------------------------------
make_key "$W" other rsa2048
info 1 --key "$W/other.x509.pem" "$W/incr.zip"
has "^verified +NO, with $W/other.x509.pem: "
grep -q 'does NOT verify' "$W/err" || fail "no verdict on stderr: $(cat "$W/err")"
info 1 --json --key="$W/other.x509.pem" "$W/full.zip"
[ "$(json .verification.verified)" = false ] || fail "--json verified: $(json .verification)"
ok "a package that does not verify against --key is described and exits 1"

# ---- --json ------------------------------------------------------------------
info 0 --json "$W/incr.zip"
jq -e . "$W/out" >/dev/null || fail "--json is not JSON"
[ "$(json .type)" = incremental ] || fail "type: $(json .type)"
[ "$(json '.metadata["pre-build"]')" = rt/rtdevice/rtdevice:1.0/RT1/1:user/release-keys ] ||
  fail "metadata: $(json .metadata)"
[ "$(json .signature.certificate_sha256)" = "$FP" ] || fail "fingerprint: $(json .signature)"
[ "$(json .update_binary.machine)/$(json .update_binary.e_machine)/$(json .update_binary.static)" = \
  "x86-64/62/$STATIC" ] || fail "update_binary: $(json .update_binary)"
[ "$(json .bytes_written)" = "$WANT" ] || fail "bytes_written $(json .bytes_written), want $WANT"
[ "$(json '[.partitions[].bytes_written] | add')" = "$WANT" ] || fail "partition bytes do not add up"
[ "$(json '[.partitions[].writes[].bytes] | add')" = "$WANT" ] || fail "write bytes do not add up"
[ "$(json '.partitions[] | select(.name == "system") | .writes | length')" -eq \
  "$(( $(unzip -Z1 "$W/incr.zip" | grep -c '^system/.*[^/]$') + $(grep -c '^apply_patch("/system' \
  <(unzip -p "$W/incr.zip" META-INF/com/google/android/updater-script)) ))" ] ||
  fail "system writes: $(json '.partitions[0].writes | length')"
ok "--json: the same facts as one JSON object, every write listed"

# ---- a hand-made package -----------------------------------------------------
# Vendor builtins, a program, a block image with its transfer list, a raw
# image from /tmp, a missing entry, an aarch64 update-binary, a file name
# that is not UTF-8; signed with our signapk.
H=$W/hand
mkdir -p "$H/META-INF/com/google/android" "$H/META-INF/com/android" "$H/firmware"
# An AArch64 ELF header (64-bit, little-endian, ET_EXEC, EM_AARCH64 = 0xb7).
{ printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000'
  head -c 24 /dev/zero; printf '\000\000\000\000\100\000\070\000\000\000\000\000\000\000\000\000'
  head -c 1000 /dev/zero; } >"$H/META-INF/com/google/android/update-binary"
printf 'pre-device=board\npost-build=vendor/board:2/B2\npost-timestamp=1800000000\n' \
  >"$H/META-INF/com/android/metadata"
printf '4\n1024\n0\n0\nnew 2,0,1024\n' >"$H/system.transfer.list"
head -c 5000 /dev/urandom >"$H/system.new.dat"
: >"$H/system.patch.dat"
head -c 777 /dev/urandom >"$H/firmware/$(printf 'modem-\351t\351.bin')"
cat >"$H/META-INF/com/google/android/updater-script" <<'EOF'
ui_print("  ___                _ ");
ui_print(" | _ ) ___  __ _ _ _| |");
ui_print(" | _ \/ _ \/ _` | '_|_|");
msm.boot_update("main");
block_image_update("/dev/block/by-name/system", package_extract_file("system.transfer.list"),
                   "system.new.dat", "system.patch.dat");
package_extract_dir("firmware", "/firmware");
package_extract_file("radio.img", "/dev/block/by-name/radio");
write_raw_image("/tmp/boot.img", "/dev/block/by-name/boot");
run_program("/tmp/install-vendor.sh", "--fast");
msm.boot_update("backup");
EOF
(cd "$H" && zip -qr "$W/hand-unsigned.zip" .)
"$BIN/signapk" -w "$DEVKEY" "$W/keys/devkey.pk8" "$W/hand-unsigned.zip" "$W/hand.zip" ||
  fail "signapk"
info 0 "$W/hand.zip"
has '^update-binary +AArch64, 64-bit little-endian, statically linked, 1,064 bytes$'
has '^post-timestamp +1800000000 \(2027-01-15 08:00:00 UTC\)$'
has '^  system  /dev/block/by-name/system$'
has '^      blocks /dev/block/by-name/system from system.new.dat, 4,194,304 bytes$'
has '^      file   /firmware/modem-.*\.bin from firmware/modem-.*\.bin, 777 bytes$'
has '^  msm.boot_update at 4:1$'
has '^  msm.boot_update at 11:1$'
has '^  /tmp/install-vendor.sh at 10:1: 1 argument$'
has '^  write_raw_image at 9:1: the image is a file on the device'
has '^  package_extract_file at 8:1: the package has no entry radio.img$'
has "^writes +$(grouped $((1024 * 4096 + 777))) bytes in total$"
info 0 --json "$W/hand.zip"
jq -e . "$W/out" >/dev/null || fail "--json with a non-UTF-8 file name is not JSON"
[ "$(json '.script.unknown_builtins | map(.name) | join(",")')" = msm.boot_update,msm.boot_update ] ||
  fail "unknown builtins: $(json .script.unknown_builtins)"
[ "$(json .update_binary.machine)" = AArch64 ] || fail "machine: $(json .update_binary)"
ok "hand-made package: vendor builtins, block image, programs, missing entries, AArch64, non-UTF-8 names"

# Unsigned, a shell update-binary, a script that does not parse.
printf '#!/sbin/sh\necho flashing\n' >"$H/META-INF/com/google/android/update-binary"
printf 'ui_print("unterminated);\n' >"$H/META-INF/com/google/android/updater-script"
rm -f "$W/broken.zip"; (cd "$H" && zip -qr "$W/broken.zip" .)
info 0 "$W/broken.zip"
has '^signer +none: '
has '^v1 JAR +no signature files$'
has '^update-binary +[0-9,]+ bytes, a script, not a program \(#!/sbin/sh\)$'
has '^updater-script +[0-9,]+ bytes, 0 calls, DOES NOT PARSE$'
has '^  META-INF/com/google/android/updater-script:1:10: unterminated string literal'
info 1 --key "$DEVKEY" "$W/broken.zip"
ok "unsigned, shell update-binary and broken script are described, not fatal"

# ---- what is not a package, and usage ---------------------------------------
info 1 "$W/missing.zip"
grep -q "missing.zip" "$W/err" || fail "missing file not named: $(cat "$W/err")"
head -c 1000 "$W/full.zip" >"$W/truncated.zip"
info 1 "$W/truncated.zip"
grep -q "truncated.zip" "$W/err" || fail "truncated package not named: $(cat "$W/err")"
info 2
info 2 --frobnicate "$W/full.zip"
info 2 "$W/full.zip" "$W/incr.zip"
info 2 --key
info 0 --help
grep -q '^usage: ota_info \[--json\] \[--key CERT\] PACKAGE.zip' "$W/out" || fail "--help"
ok "unreadable packages exit 1 naming the file; usage errors exit 2"
