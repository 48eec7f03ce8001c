#!/bin/bash
# updater --check SCRIPT|PACKAGE.zip (docs/updater.md): parses with the core
# and every device builtin, runs nothing, touches nothing, and reports every
# error as FILE:LINE:COL: exit 0 clean, 2 errors in the script, 1 unreadable.
. "$(dirname "$0")/../lib.sh"
UPDATER=$BIN/updater
[ -x "$UPDATER" ] || fail "$UPDATER not built"
command -v zip >/dev/null || skip "zip not installed"
T=$(make_tmpdir)

expect_exit() { # WANT ARGS...
  local want=$1; shift
  "$UPDATER" "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "updater $* exited $rc, expected $want; stderr: $(cat "$T/err")"
}

# Every device builtin of interfaces.md with KitKat's argument lists, in the
# shape ota_from_target_files writes, plus a banner drawn with backslashes.
# Run, it would first leave a mark and overwrite the boot partition, then
# format system: a check must do none of it.
cat >"$T/full.script" <<EOF
run_program("/tmp/mark.sh", "$T/ran");
write_raw_image("/tmp/zeros.img", "/dev/block/by-name/boot");
ui_print("  ___  _____  _    ");
ui_print(" / _ \\|_   _|/ \\   ");
ui_print("| |_| | | | / _ \\  ");
(!less_than_int(1500000000, getprop("ro.build.date.utc"))) || abort("Can't install this package over newer build.");
getprop("ro.product.device") == "testdev" || abort("wrong device");
file_getprop("/system/build.prop", "ro.build.fingerprint");
show_progress(0.750000, 0);
format("ext4", "EMMC", "/dev/block/by-name/system", "0", "/system");
mount("ext4", "EMMC", "/dev/block/by-name/system", "/system");
mount("ext4", "EMMC", "/dev/block/by-name/system", "/system", "barrier=1");
is_mounted("/system") || abort("not mounted");
package_extract_dir("system", "/system");
package_extract_file("boot.img", "/dev/block/by-name/boot");
write_raw_image(package_extract_file("boot.img"), "/dev/block/by-name/boot");
symlink("toolbox", "/system/bin/ls", "/system/bin/cat");
set_perm(0, 0, 0755, "/system/bin/toolbox");
set_perm_recursive(0, 0, 0755, 0644, "/system");
set_metadata("/system/bin/ping", "uid", 0, "gid", 0, "mode", 04755, "capabilities", 0x0);
set_metadata_recursive("/system", "uid", 0, "gid", 0, "dmode", 0755, "fmode", 0644);
delete("/system/a", "/system/b");
delete_recursive("/system/old");
rename("/system/x", "/system/y");
apply_patch_check("/system/etc/a.conf", "0123456789012345678901234567890123456789") || abort("bad");
apply_patch_space(100000) || abort("no space");
apply_patch("/system/etc/a.conf", "-", "0123456789012345678901234567890123456789", 1000,
            "9876543210987654321098765432109876543210", package_extract_file("patch/system/etc/a.conf.p"));
sha1_check(read_file("/system/etc/a.conf"), "0123456789012345678901234567890123456789");
write_value("1", "/sys/power/mark");
wipe_block_device("/dev/block/by-name/cache", 1048576);
set_stage("/dev/block/by-name/misc", "1/3");
get_stage("/dev/block/by-name/misc");
set_progress(1.0);
wipe_cache();
unmount("/system");
EOF
# The watched tree: a RECOVERY_ROOT with a device layout in it.
W=$T/watched
mkdir -p "$W/root/dev/block/by-name" "$W/root/etc" "$W/root/system" "$W/root/tmp"
echo "/system ext4 /dev/block/by-name/system" >"$W/root/etc/recovery.fstab"
truncate -s 1M "$W/system.img" "$W/boot.img" "$W/root/tmp/zeros.img"
printf 'boot' | dd of="$W/boot.img" conv=notrunc status=none
printf '#!/bin/sh\ntouch "$1"\n' >"$W/root/tmp/mark.sh"
chmod 755 "$W/root/tmp/mark.sh"
ln -s "$W/system.img" "$W/root/dev/block/by-name/system"
ln -s "$W/boot.img" "$W/root/dev/block/by-name/boot"
snapshot() { (cd "$W" && find . -printf '%p %y %s %m %T@\n' | sort && md5sum system.img boot.img); }
snapshot >"$T/before"
RECOVERY_ROOT=$W/root expect_exit 0 --check "$T/full.script"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || fail "a clean check printed: $(cat "$T/out" "$T/err")"
[ ! -e "$T/ran" ] || fail "--check ran run_program"
snapshot | diff "$T/before" - >"$T/diff" || fail "--check changed the device: $(cat "$T/diff")"
grep -q " $W/root" /proc/mounts && fail "--check mounted something"
ok "a script calling every device builtin checks clean; nothing ran, nothing changed"

# Errors: every one, in order, FILE:LINE:COL, exit 2.
cat >"$T/bad.script" <<'EOF'
ui_print("flashing");
msm.boot_update("main");
mount("ext4", "EMMC", "/dev/block/by-name/system" "/system");
is_substring("x");
EOF
expect_exit 2 --check "$T/bad.script"
cat >"$T/bad.want" <<EOF
$T/bad.script:2:1: unknown function 'msm.boot_update'
$T/bad.script:3:51: expected an operator, ';', ',' or ')' (for the call to mount at 3:1), found string "/system" (is a ';' missing before it?)
EOF
cmp -s "$T/bad.want" "$T/err" || fail "syntax errors: $(diff "$T/bad.want" "$T/err")"
# Once it parses, argument counts; the core builtins' ranges are known here.
cat >"$T/counts.script" <<'EOF'
ui_print("flashing");
if is_substring("x") then
  abort("a", "b")
endif;
less_than_int(1, 2, 3) || ifelse(t)
EOF
expect_exit 2 --check "$T/counts.script"
cat >"$T/counts.want" <<EOF
$T/counts.script:2:4: is_substring: expects 2 arguments, got 1
$T/counts.script:3:3: abort: expects at most 1 argument, got 2
$T/counts.script:5:1: less_than_int: expects 2 arguments, got 3
$T/counts.script:5:27: ifelse: expects 2 or 3 arguments, got 1
EOF
cmp -s "$T/counts.want" "$T/err" || fail "argument counts: $(diff "$T/counts.want" "$T/err")"
ok "syntax errors, unknown functions and argument counts are reported as FILE:LINE:COL, exit 2"

# A package: the script is read through the zip layer.
mkdir -p "$T/pkg/META-INF/com/google/android" "$T/pkg/system/bin"
cp "$T/full.script" "$T/pkg/META-INF/com/google/android/updater-script"
printf 'toolbox' >"$T/pkg/system/bin/toolbox"
(cd "$T/pkg" && zip -qr "$T/good.zip" .)
expect_exit 0 --check "$T/good.zip"
[ ! -e "$T/ran" ] || fail "--check ran the package's run_program"
cp "$T/counts.script" "$T/pkg/META-INF/com/google/android/updater-script"
(cd "$T/pkg" && zip -qr "$T/bad.zip" .)
expect_exit 2 --check "$T/bad.zip"
S="$T/bad.zip!META-INF/com/google/android/updater-script"
grep -qxF "$S:2:4: is_substring: expects 2 arguments, got 1" "$T/err" || fail "package errors: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" -eq 4 ] || fail "package errors: $(cat "$T/err")"
ok "a package's updater-script is checked in place, errors named PACKAGE!ENTRY:LINE:COL"

# What cannot be checked: exit 1 with the reason.
(cd "$T/pkg" && zip -qr "$T/noscript.zip" system)
expect_exit 1 --check "$T/noscript.zip"
grep -q 'has no META-INF/com/google/android/updater-script' "$T/err" || fail "no script: $(cat "$T/err")"
head -c 100 "$T/good.zip" >"$T/truncated.zip"
expect_exit 1 --check "$T/truncated.zip"
grep -q 'truncated.zip' "$T/err" || fail "truncated package: $(cat "$T/err")"
expect_exit 1 --check "$T/missing.script"
grep -q 'missing.script' "$T/err" || fail "missing file: $(cat "$T/err")"
ok "unreadable scripts and packages exit 1 naming the file"

# Usage; the normal invocation is unchanged.
expect_exit 2 --check
expect_exit 2 --check "$T/full.script" extra
expect_exit 0 --help
grep -q 'updater --check SCRIPT|PACKAGE.zip' "$T/out" || fail "--help does not mention --check"
grep -q '^usage: updater API_VERSION FD PACKAGE.zip' "$T/out" || fail "--help lost the normal usage"
expect_exit 1 3 1 "$T/noscript.zip"
grep -q 'has no META-INF/com/google/android/updater-script' "$T/err" || fail "normal run: $(cat "$T/err")"
ok "usage errors exit 2; updater API FD PACKAGE works as before"
