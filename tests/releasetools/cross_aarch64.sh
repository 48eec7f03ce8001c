#!/bin/bash
# The aarch64 cross build (docs/integration.md): make CROSS_COMPILE=
# aarch64-linux-gnu- builds the device programs with Debian's cross
# toolchain and arm64 multiarch libraries, the update-binary static; the
# results are aarch64 ELF files that run (under qemu-aarch64): the updater
# checks scripts and installs a package into a RECOVERY_ROOT, recovery
# starts, and bcb writes the bootloader message at Android's offsets.
# CC=aarch64-linux-gnu-gcc selects the same build.  The release tools carry
# the aarch64 updater into a package, and ota_info names its machine.
. "$(dirname "$0")/../lib.sh"
CROSS=aarch64-linux-gnu
command -v $CROSS-gcc >/dev/null ||
  skip "no $CROSS-gcc: the cross toolchain is not installed (scripts/install-deps installs gcc-aarch64-linux-gnu)"
missing=""
for lib in libminizip.a libcrypto.a libz.a libbz2.a libdivsufsort.so libc.so; do
  [ -e /usr/lib/$CROSS/$lib ] || missing="$missing $lib"
done
[ -z "$missing" ] ||
  skip "arm64 libraries missing in /usr/lib/$CROSS:$missing (scripts/install-deps installs the :arm64 -dev packages)"
command -v qemu-aarch64 >/dev/null ||
  skip "no qemu-aarch64 to run the aarch64 programs (scripts/install-deps installs qemu-user)"
for tool in file zip unzip; do command -v $tool >/dev/null || skip "$tool not installed"; done
for p in make_target_files ota_from_target_files ota_info; do
  [ -x "$BIN/$p" ] || fail "$BIN/$p (host) not built: run make first"
done

T=$(make_tmpdir)
OUT=$T/cross
# A clean make: nothing from the calling make (SANITIZE, -j, BUILD) leaks in.
cross_make() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u CC -u BUILD make -C "$TOP" SANITIZE= "$@"; }
cross_make -j2 CROSS_COMPILE=$CROSS- BUILD="$OUT" >"$T/build.log" 2>&1 ||
  { tail -30 "$T/build.log"; fail "make CROSS_COMPILE=$CROSS- failed"; }
grep -q "^cross build for $CROSS: " "$T/build.log" || fail "no summary line: $(tail -3 "$T/build.log")"
for p in updater recovery applypatch bcb; do
  [ -x "$OUT/bin/$p" ] || fail "$p not built"
  file -b "$OUT/bin/$p" | grep -q 'ARM aarch64' || fail "$p is $(file -b "$OUT/bin/$p")"
done
file -b "$OUT/bin/updater" | grep -q 'statically linked' ||
  fail "the update-binary is not static: $(file -b "$OUT/bin/updater")"
file -b "$OUT/bin/recovery" | grep -q 'interpreter /lib/ld-linux-aarch64.so.1' ||
  fail "recovery: $(file -b "$OUT/bin/recovery")"
for p in edify ota_from_target_files signapk; do
  [ ! -e "$OUT/bin/$p" ] || fail "host-only $p was cross-built"
done
ok "CROSS_COMPILE=$CROSS- builds updater (static), recovery, applypatch and bcb for ARM aarch64"

# CC= names the same build; other targets are refused with the reason.
cross_make -n CC=$CROSS-gcc BUILD="$T/cc" >"$T/dry.log" 2>&1 || fail "make -n CC=$CROSS-gcc: $(tail -3 "$T/dry.log")"
grep -q "^$CROSS-gcc .* -static -s -o $T/cc/bin/updater " "$T/dry.log" ||
  fail "CC=$CROSS-gcc does not link a static updater: $(grep 'bin/updater' "$T/dry.log")"
grep -q "^$CROSS-gcc .*-c -o $T/cc/obj/otautil/zip_read.o" "$T/dry.log" || fail "CC= does not compile with it"
grep -q "^$CROSS-ar rcs" "$T/dry.log" && fail "CC= alone must not pick the cross ar (only CROSS_COMPILE does)"
cross_make CROSS_COMPILE=$CROSS- BUILD="$OUT" check >"$T/check.log" 2>&1 && fail "make check ran in a cross build"
grep -q "makes the device programs only" "$T/check.log" || fail "cross check refused without a reason: $(cat "$T/check.log")"
ok "CC=$CROSS-gcc selects the cross build; make check in it is refused with the reason"

# The programs run: updater --check, an install into a RECOVERY_ROOT.
Q="qemu-aarch64"
printf 'ui_print("  / _ \\ ");\nis_substring("x");\n' >"$T/bad.script"
$Q "$OUT/bin/updater" --check "$T/bad.script" >"$T/out" 2>"$T/err"
[ $? -eq 2 ] || fail "aarch64 updater --check: exit $?, $(cat "$T/err")"
grep -qx "$T/bad.script:2:1: is_substring: expects 2 arguments, got 1" "$T/err" ||
  fail "aarch64 updater --check said: $(cat "$T/err")"
P=$T/pkg
mkdir -p "$P/META-INF/com/google/android" "$P/system/bin" "$P/system/etc"
head -c 70000 /dev/urandom >"$P/system/bin/toolbox"
echo "ro.build.id=cross" >"$P/system/build.prop"
ln -s toolbox "$P/system/bin/ls"
cat >"$P/META-INF/com/google/android/updater-script" <<'EOF'
ui_print("aarch64 updater at work");
package_extract_dir("system", "/system");
set_perm(0, 0, 0750, "/system/bin/toolbox");
assert(file_getprop("/system/build.prop", "ro.build.id") == "cross");
EOF
(cd "$P" && zip -qry "$T/pkg.zip" .)
R=$T/root
mkdir -p "$R/system" "$R/tmp"
RECOVERY_ROOT=$R $Q "$OUT/bin/updater" 3 1 "$T/pkg.zip" >"$T/pipe" 2>"$T/log" ||
  { cat "$T/log"; fail "the aarch64 updater failed to install the package"; }
grep -q '^ui_print aarch64 updater at work$' "$T/pipe" || fail "no ui_print on the pipe: $(cat "$T/pipe")"
cmp -s "$P/system/bin/toolbox" "$R/system/bin/toolbox" || fail "toolbox not extracted exactly"
[ "$(readlink "$R/system/bin/ls")" = toolbox ] || fail "symlink not extracted"
[ "$(stat -c %a "$R/system/bin/toolbox")" = 750 ] || fail "set_perm not applied"
ok "the aarch64 updater checks scripts and installs a package (under qemu-aarch64)"

export QEMU_LD_PREFIX=/ # the arm64 loader and libraries are multiarch, under /
$Q "$OUT/bin/recovery" --help >"$T/out" 2>&1 || fail "aarch64 recovery --help: $(cat "$T/out")"
grep -q '^usage: recovery' "$T/out" || fail "aarch64 recovery --help said: $(cat "$T/out")"
head -c 16384 /dev/zero >"$T/misc.img"
$Q "$OUT/bin/bcb" "$T/misc.img" update /cache/update.zip >"$T/out" 2>&1 || fail "aarch64 bcb: $(cat "$T/out")"
# The message's layout does not depend on the machine: command at 0,
# recovery's arguments at 64 (otautil/bootloader.h).
[ "$(head -c 32 "$T/misc.img" | tr -d '\0')" = boot-recovery ] ||
  fail "command field: $(head -c 32 "$T/misc.img" | od -c | head -2)"
[ "$(dd if="$T/misc.img" bs=1 skip=64 count=768 status=none | tr -d '\0')" = \
  "$(printf 'recovery\n--update_package=/cache/update.zip\n')" ] ||
  fail "recovery field: $(dd if="$T/misc.img" bs=1 skip=64 count=768 status=none | od -c | head -4)"
ok "aarch64 recovery runs; aarch64 bcb writes the bootloader message at Android's offsets"

# The release tools put the aarch64 update-binary into packages when the
# target-files carries it (make_target_files --updater), and ota_info reads
# its machine from the package.
mkdir -p "$T/rootfs/bin"
echo hi >"$T/rootfs/bin/hi"
echo "/system ext4 /dev/block/by-name/system" >"$T/fstab"
"$BIN/make_target_files" --system "$T/rootfs" --fstab "$T/fstab" --updater "$OUT/bin/updater" \
  --prop ro.build.fingerprint=a/b/c:1/1/1:user/release-keys --prop ro.product.device=board \
  --prop ro.build.date.utc=1 "$T/tf.zip" >"$T/out" 2>&1 || fail "make_target_files --updater: $(cat "$T/out")"
OTA_DEVKEY_DIR=$T/keys "$BIN/ota_from_target_files" "$T/tf.zip" "$T/arm.zip" >"$T/out" 2>&1 ||
  fail "ota_from_target_files: $(cat "$T/out")"
unzip -p "$T/arm.zip" META-INF/com/google/android/update-binary | cmp -s - "$OUT/bin/updater" ||
  fail "the package's update-binary is not the aarch64 updater"
grep -q "host's updater" "$T/out" && fail "warned about the host's updater although --updater was given"
unzip -p "$T/arm.zip" META-INF/com/android/metadata | grep -qx 'update-binary-machine=AArch64' ||
  fail "metadata lacks update-binary-machine=AArch64: $(unzip -p "$T/arm.zip" META-INF/com/android/metadata)"
"$BIN/ota_info" "$T/arm.zip" >"$T/out" 2>&1 || fail "ota_info: $(cat "$T/out")"
grep -q '^update-binary   AArch64, 64-bit little-endian, statically linked, ' "$T/out" ||
  fail "ota_info on the aarch64 package: $(grep update-binary "$T/out")"
ok "make_target_files --updater carries the aarch64 updater into packages; ota_info reads its machine"
