#!/bin/bash
# A full install in the shape ota_from_target_files writes, run by the
# updater against loop devices under a RECOVERY_ROOT: format, mount, extract
# a tree with symlinks, empty directories and odd names, set owners, modes,
# setuid bits, capabilities and labels, patch a file, write raw images, the
# stage field, unmount.  Every result is then read back with debugfs and the
# filesystem checked with e2fsck.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
need_loop
for tool in zip debugfs e2fsck mke2fs; do
  command -v $tool >/dev/null || skip "$tool not installed"
done
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"

T=$(make_tmpdir)
on_exit "release_under '$T'"
ROOT=$T/root
make_device "$ROOT" system:48 boot:4:emmc misc:1:emmc scratch:2:emmc wipeme:2:emmc radio:1:emmc
cat > "$ROOT/default.prop" <<'EOF'
ro.product.device=testdev
ro.build.date.utc=1400000000
ro.build.fingerprint=test/testdev/testdev:4.4/OLD/1:user/release-keys
EOF
mkdir -p "$ROOT/cache"

# ---- the package -----------------------------------------------------------
P=$T/pkg
mkdir -p "$P/system/old-app/sub" "$P/system/bin" "$P/system/lib/hw" "$P/system/empty/nested" "$P/system/etc" \
         "$P/system/odd dir" "$P/system/ünïcödé" "$P/patch/system/etc" "$P/META-INF/com/google/android"
head -c 300000 /dev/urandom > "$P/system/bin/toolbox"
printf '#!/bin/sh\necho hi\n' > "$P/system/bin/run-as"
head -c 5000 /dev/urandom > "$P/system/bin/ping"
head -c 70000 /dev/urandom > "$P/system/lib/hw/gralloc.default.so"
printf 'spaces\n' > "$P/system/odd dir/file with spaces.txt"
echo a > "$P/system/old-app/a"; echo c > "$P/system/old-app/sub/c"; ln -s a "$P/system/old-app/link"
printf 'unicode\n' > "$P/system/ünïcödé/файл ☃.txt"
: > "$P/system/etc/empty-file"
ln -s toolbox "$P/system/bin/ls"
ln -s /system/lib/hw/gralloc.default.so "$P/system/lib/gralloc.so"
cat > "$P/system/build.prop" <<'EOF'
ro.build.fingerprint=test/testdev/testdev:4.4/NEW/2:user/release-keys
ro.build.version.sdk = 19
EOF
# The file that an incremental-style patch will change on the device.
seq 1 20000 > "$T/old.conf"
{ seq 1 9000; echo changed; seq 9001 20000; } > "$T/new.conf"
cp "$T/old.conf" "$P/system/etc/old.conf"
if [ -x "$BIN/bsdiff" ]; then BSDIFF=$BIN/bsdiff; else BSDIFF=$(command -v bsdiff) || skip "no bsdiff"; fi
echo "making the patch with $BSDIFF"
"$BSDIFF" "$T/old.conf" "$T/new.conf" "$P/patch/system/etc/old.conf.p"
OLD_SHA=$(sha1sum < "$T/old.conf" | cut -c1-40)
NEW_SHA=$(sha1sum < "$T/new.conf" | cut -c1-40)
NEW_SIZE=$(stat -c %s "$T/new.conf")
head -c 1500000 /dev/urandom > "$P/boot.img"
head -c 700000 /dev/urandom > "$P/radio.img"
head -c 300000 /dev/urandom > "$P/modem.img"
BOOT_SIZE=$(stat -c %s "$P/boot.img")
BOOT_SHA=$(sha1sum < "$P/boot.img" | cut -c1-40)
# Bytes the raw writes and the wipe must leave alone.
pattern() { head -c $((2 * 1048576)) /dev/zero | tr '\0' '\252'; }
SCRATCH=$(readlink "$ROOT/dev/block/by-name/scratch")
WIPEME=$(readlink "$ROOT/dev/block/by-name/wipeme")
pattern > "$SCRATCH"; pattern > "$WIPEME"
printf '#!/bin/sh\nexit 7\n' > "$ROOT/tmp/seven.sh"
chmod 755 "$ROOT/tmp/seven.sh"

SYS=/dev/block/by-name/system
cat > "$P/META-INF/com/google/android/updater-script" <<EOF
(!less_than_int(1500000000, getprop("ro.build.date.utc"))) || abort("Can't install this package over newer build.");
getprop("ro.product.device") == "testdev" || abort("This package is for \"testdev\" devices; this is a \"" + getprop("ro.product.device") + "\".");
ui_print("Target: test/testdev/testdev:4.4/NEW/2:user/release-keys");
show_progress(0.750000, 0);
format("ext4", "EMMC", "$SYS", "0", "/system");
mount("ext4", "EMMC", "$SYS", "/system", "barrier=1,data=ordered,nosuid,errors=remount-ro");
is_mounted("/system") == "/system" || abort("not mounted");
package_extract_dir("system", "/system");
symlink("toolbox", "/system/bin/cat", "/system/bin/chmod");
symlink("toolbox", "/system/bin/ls");
set_metadata_recursive("/system", "uid", 0, "gid", 0, "dmode", 0755, "fmode", 0644, "capabilities", 0x0, "selabel", "u:object_r:system_file:s0");
set_metadata_recursive("/system/bin", "uid", 0, "gid", 2000, "dmode", 0755, "fmode", 0755, "capabilities", 0x0, "selabel", "u:object_r:system_file:s0");
set_metadata("/system/bin/run-as", "uid", 0, "gid", 2000, "mode", 06750, "capabilities", 0xc0, "selabel", "u:object_r:runas_exec:s0");
set_metadata("/system/bin/ping", "uid", 1000, "gid", 3003, "mode", 0755, "capabilities", 0x400000002000);
set_perm_recursive(0, 0, 0700, 0600, "/system/empty");
set_perm(1000, 1000, 02755, "/system/lib/hw/gralloc.default.so");
show_progress(0.200000, 10);
file_getprop("/system/build.prop", "ro.build.version.sdk") == "19" || abort("file_getprop");
apply_patch_space(100000) || abort("no space for patching");
apply_patch_check("/system/etc/old.conf", "$OLD_SHA") || abort("old.conf is not the expected source");
apply_patch("/system/etc/old.conf", "-", $NEW_SHA, $NEW_SIZE, $OLD_SHA, package_extract_file("patch/system/etc/old.conf.p"));
sha1_check(read_file("/system/etc/old.conf"), "$OLD_SHA", "$NEW_SHA") == "$NEW_SHA" || abort("patch result");
sha1_check(read_file("/system/etc/old.conf")) == "$NEW_SHA" || abort("sha1_check without sha1s");
package_extract_file("boot.img", "/tmp/boot.img");
write_raw_image("/tmp/boot.img", "boot");
sha1_check(read_file("EMMC:/dev/block/by-name/boot:$BOOT_SIZE:$BOOT_SHA")) == "$BOOT_SHA" || abort("boot read back");
write_raw_image(package_extract_file("radio.img"), "/dev/block/by-name/scratch");
package_extract_file("modem.img", "/dev/block/by-name/radio");
delete_recursive("/system/old-app", "/system/no-such-dir") == "1" || abort("delete_recursive count");
wipe_block_device("/dev/block/by-name/wipeme", 1048576);
set_stage("/misc", "2/3");
get_stage("/dev/block/by-name/misc") == "2/3" || abort("stage");
run_program("/tmp/seven.sh") == "7" || abort("run_program status");
rename("/system/etc/empty-file", "/system/etc/moved/renamed-file");
delete("/system/bin/chmod", "/system/no/such/file") == "1" || abort("delete count");
package_extract_file("system/build.prop", "/system/etc/copy.prop");
write_value("42", "/tmp/value");
show_progress(0.100000, 0);
set_progress(0.5);
wipe_cache();
unmount("/system");
is_mounted("/system") == "" || abort("still mounted");
ui_print("done");
EOF
(cd "$P" && zip -qry "$T/update.zip" .) || fail "zip"

# ---- run it ----------------------------------------------------------------
set +e
RECOVERY_ROOT=$ROOT "$BIN/updater" 3 3 "$T/update.zip" 3>"$T/pipe" 2>"$T/stderr"
rc=$?
set -e
cat "$T/stderr"
[ $rc -eq 0 ] || { echo "--- pipe:"; cat "$T/pipe"; fail "updater exited $rc"; }
ok "updater ran the full-OTA-shaped script"

grep -qx 'ui_print Target: test/testdev/testdev:4.4/NEW/2:user/release-keys' "$T/pipe" || fail "ui_print missing on the pipe"
grep -qx 'progress 0.750000 0' "$T/pipe" || fail "progress line missing"
grep -qx 'progress 0.200000 10' "$T/pipe" || fail "progress line missing"
grep -qx 'set_progress 0.500000' "$T/pipe" || fail "set_progress line missing"
grep -qx 'wipe_cache' "$T/pipe" || fail "wipe_cache line missing"
grep -qx 'ui_print done' "$T/pipe" || fail "final ui_print missing"
ok "pipe carries ui_print, progress, set_progress, wipe_cache"

# ---- check the filesystem offline ----------------------------------------------
DEV=$(readlink "$ROOT/dev/block/by-name/system")
grep -q "^$DEV " /proc/mounts && fail "system still mounted"
e2fsck -fn "$DEV" >"$T/fsck" 2>&1 || { cat "$T/fsck"; fail "e2fsck found problems"; }
ok "e2fsck -fn: clean"

dstat() { debugfs -R "stat \"$1\"" "$DEV" 2>/dev/null; }
expect_stat() { # path mode uid gid
  local s; s=$(dstat "$1")
  echo "$s" | grep -q "Mode:  *0*$2 " || { echo "$s" | head -5; fail "$1: mode is not $2"; }
  echo "$s" | grep -Eq "User: +$3 +Group: +$4 " || { echo "$s" | head -5; fail "$1: owner is not $3:$4"; }
}
expect_stat /bin/run-as 6750 0 2000
expect_stat /bin/toolbox 755 0 2000
expect_stat /bin/ping 755 1000 3003
expect_stat /lib/hw 755 0 0
expect_stat /lib/hw/gralloc.default.so 2755 1000 1000
expect_stat /empty 700 0 0
expect_stat /empty/nested 700 0 0
expect_stat "/odd dir/file with spaces.txt" 644 0 0
expect_stat "/ünïcödé/файл ☃.txt" 644 0 0
ok "owners and modes (setuid/setgid kept after chown)"

eas() { debugfs -R "ea_list \"$1\"" "$DEV" 2>/dev/null; }
# VFS cap v2: magic 0x02000001, permitted low/high words little-endian.
eas /bin/run-as | grep -q 'security.capability (20) = 01 00 00 02 c0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00' \
  || { eas /bin/run-as; fail "run-as capabilities"; }
eas /bin/ping | grep -q 'security.capability (20) = 01 00 00 02 00 20 00 00 00 00 00 00 00 40 00 00 00 00 00 00' \
  || { eas /bin/ping; fail "ping capabilities"; }
eas /bin/run-as | grep -q 'security.selinux ([0-9]*) = "u:object_r:runas_exec:s0\\000"' || { eas /bin/run-as; fail "run-as label"; }
eas /lib/hw/gralloc.default.so | grep -q 'security.selinux ([0-9]*) = "u:object_r:system_file:s0\\000"' || fail "recursive label"
eas /bin/toolbox | grep -q 'security.capability' && fail "capabilities 0x0 must leave no attribute"
ok "capabilities and SELinux labels"

dstat /bin/ls | grep -q 'Fast link dest: "toolbox"' || fail "/bin/ls symlink"
dstat /bin/cat | grep -q 'Fast link dest: "toolbox"' || fail "/bin/cat symlink"
dstat /lib/gralloc.so | grep -q 'Fast link dest: "/system/lib/hw/gralloc.default.so"' || fail "absolute symlink"
debugfs -R "stat /bin/chmod" "$DEV" 2>&1 | grep -q 'File not found' || fail "deleted /bin/chmod still there"
ok "symlinks restored and replaced, delete"

OUT=$T/out
mkdir -p "$OUT"
debugfs -R "rdump / $OUT" "$DEV" >/dev/null 2>&1
for f in bin/toolbox bin/run-as bin/ping lib/hw/gralloc.default.so "odd dir/file with spaces.txt" \
         "ünïcödé/файл ☃.txt" build.prop; do
  cmp "$P/system/$f" "$OUT/$f" || fail "content of /system/$f"
done
cmp "$T/new.conf" "$OUT/etc/old.conf" || fail "patched file content"
cmp "$P/system/build.prop" "$OUT/etc/copy.prop" || fail "package_extract_file to a file"
[ -f "$OUT/etc/moved/renamed-file" ] && [ ! -e "$OUT/etc/empty-file" ] || fail "rename"
[ -d "$OUT/empty/nested" ] || fail "empty directories"
[ ! -e "$OUT/old-app" ] || fail "delete_recursive left /system/old-app"
ls -a "$OUT/bin" "$OUT/etc" | grep -q updater-tmp && fail "temporary files left behind"
ok "contents, patch result, rename, empty directories"

BOOT=$(readlink "$ROOT/dev/block/by-name/boot")
cmp -n "$BOOT_SIZE" "$P/boot.img" "$BOOT" || fail "boot partition content"
cmp -n 700000 "$P/radio.img" "$SCRATCH" || fail "raw image from a blob"
cmp -i 700000 -n $((2 * 1048576 - 700000)) <(pattern) "$SCRATCH" || fail "bytes after the image changed"
cmp -n 300000 "$P/modem.img" "$(readlink "$ROOT/dev/block/by-name/radio")" || fail "package_extract_file to a block device"
cmp -n 1048576 /dev/zero "$WIPEME" || fail "wipe_block_device left data"
cmp -i 1048576 -n 1048576 <(pattern) "$WIPEME" || fail "wipe_block_device went past its length"
MISC=$(readlink "$ROOT/dev/block/by-name/misc")
[ "$(dd if="$MISC" bs=1 skip=832 count=3 2>/dev/null)" = "2/3" ] || fail "stage field at offset 832"
[ "$(cat "$ROOT/tmp/value")" = 42 ] || fail "write_value"
ok "raw images (bytes after them kept), wipe_block_device, stage field, write_value"

# ---- the same package again: an interrupted install is simply rerun -------------
set +e
RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$T/update.zip" >"$T/pipe2" 2>"$T/stderr2"
rc=$?
set -e
[ $rc -eq 0 ] || { cat "$T/stderr2"; fail "second run exited $rc"; }
grep -qx 'ui_print done' "$T/pipe2" || fail "FD 1: pipe lines not on stdout"
ok "second run succeeds; FD 1 puts the pipe on stdout"
