#!/bin/bash
# Packages that must fail, clearly and without leaving a partial file under
# the target's name: zip-slip entries (.., absolute, through a symlink in
# the package or on the device), a missing entry, a syntax error, a patch for
# the wrong source, a full filesystem, a corrupt entry.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
need_loop
for tool in zip debugfs e2fsck perl; do
  command -v $tool >/dev/null || skip "$tool not installed"
done
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"

T=$(make_tmpdir)
on_exit "release_under '$T'"
ROOT=$T/root
make_device "$ROOT" system:8 boot:1:emmc
mkdir -p "$ROOT/cache"
SYS=/dev/block/by-name/system
DEV=$(readlink "$ROOT/dev/block/by-name/system")
OUTSIDE=$T/outside
mkdir -p "$OUTSIDE"

# new_pkg NAME: an empty package tree at $T/NAME with the script from stdin.
new_pkg() {
  rm -rf "${T:?}/$1"
  mkdir -p "$T/$1/META-INF/com/google/android"
  cat > "$T/$1/META-INF/com/google/android/updater-script"
}
zip_pkg() { (cd "$T/$1" && rm -f "../$1.zip" && zip -qry "../$1.zip" .) || fail "zip $1"; }

# expect_failure NAME PATTERN: the updater fails, says PATTERN on stderr and
# on the pipe; /system is unmounted afterwards for the next case.
expect_failure() {
  local name=$1 pattern=$2 rc
  set +e
  RECOVERY_ROOT=$ROOT "$BIN/updater" 3 3 "$T/$name.zip" 3>"$T/$name.pipe" 2>"$T/$name.err"
  rc=$?
  set -e
  [ $rc -ne 0 ] || fail "$name: updater succeeded"
  # What the failed script mounted, the updater unmounted.
  if grep -q " $ROOT/system " /proc/mounts; then
    umount "$ROOT/system"; fail "$name: /system left mounted after the failure"
  fi
  grep -q -- "$pattern" "$T/$name.err" || { cat "$T/$name.err"; fail "$name: stderr lacks '$pattern'"; }
  grep -q "^ui_print .*$pattern" "$T/$name.pipe" || { cat "$T/$name.pipe"; fail "$name: pipe lacks '$pattern'"; }
  e2fsck -fn "$DEV" >/dev/null 2>&1 || fail "$name: filesystem not clean afterwards"
}
# absent PATH...: none of these exist on the system filesystem.
absent() {
  local p
  for p in "$@"; do
    debugfs -R "stat \"$p\"" "$DEV" 2>&1 | grep -q 'File not found' || fail "$p exists"
  done
}
no_temp_files() {
  debugfs -R "ls -l $1" "$DEV" 2>/dev/null | grep -q updater-tmp && fail "temporary file left in $1"
  return 0
}
mount_and() { echo "mount(\"ext4\", \"EMMC\", \"$SYS\", \"/system\");"; }

# ---- zip-slip: ".." -----------------------------------------------------------
# zip will not store "..", so the name is patched in the archive afterwards
# (same length, local header and central directory alike).
new_pkg slip <<EOF
$(mount_and)
package_extract_dir("system", "/system");
EOF
mkdir -p "$T/slip/system/a"
echo good > "$T/slip/system/a/good"
XNAME=$(printf 'X%.0s' $(seq 1 200))
echo evil > "$T/slip/system/$XNAME"
zip_pkg slip
evil_rel=$(printf '../%.0s' $(seq 1 20))${OUTSIDE#/}/evil
pad=$(printf 'X%.0s' $(seq 1 $((200 - ${#evil_rel}))))
[ ${#evil_rel} -lt 200 ] || skip "temporary directory path too long for the zip-slip name"
perl -pi -e "s|$XNAME|$evil_rel$pad|g" "$T/slip.zip" || fail "patching the zip-slip name"
unzip -l "$T/slip.zip" | grep -q '\.\./' || fail "zip-slip name not in the archive"
expect_failure slip '".."'
[ -z "$(ls -A "$OUTSIDE")" ] || fail "zip-slip wrote outside the destination"
absent /a/good
ok "zip-slip with ..: refused before anything was written"

# ---- absolute entry name -------------------------------------------------------
new_pkg abs <<EOF
$(mount_and)
package_extract_dir("system", "/system");
EOF
mkdir -p "$T/abs/system"
echo evil > "$T/abs/system/Xtmp-evil"
zip_pkg abs
perl -pi -e 's|system/Xtmp-evil|system//tmp-evil|g' "$T/abs.zip"
expect_failure abs 'absolute'
absent /tmp-evil
ok "absolute entry name refused"

# ---- through a symlink entry of the package --------------------------------------
new_pkg via_link <<EOF
$(mount_and)
package_extract_dir("system", "/system");
EOF
mkdir -p "$T/via_link/system/lnx"
ln -s "$OUTSIDE" "$T/via_link/system/lnk"
echo evil > "$T/via_link/system/lnx/evil"
zip_pkg via_link
perl -pi -e 's|system/lnx/evil|system/lnk/evil|g' "$T/via_link.zip"
expect_failure via_link 'symlink'
[ -z "$(ls -A "$OUTSIDE")" ] || fail "wrote through the package's symlink"
absent /lnk
ok "entry below a symlink entry refused"

# ---- through a symlink already on the device ------------------------------------
new_pkg via_device_link <<EOF
$(mount_and)
symlink("$OUTSIDE", "/system/lib");
package_extract_dir("system", "/system");
EOF
mkdir -p "$T/via_device_link/system/lib"
echo evil > "$T/via_device_link/system/lib/evil.so"
zip_pkg via_device_link
expect_failure via_device_link 'symlink'
[ -z "$(ls -A "$OUTSIDE")" ] || fail "wrote through the device's symlink"
ok "path through a symlink on the device refused"

# ---- paths that would leave RECOVERY_ROOT ---------------------------------------------
# ".." in a script's path, or a relative path, must not reach outside the
# device laid out under the root.
new_pkg root_escape <<EOF
package_extract_file("data", "/system/../../escaped");
EOF
echo evil > "$T/root_escape/data"
zip_pkg root_escape
expect_failure root_escape 'leaves RECOVERY_ROOT'
[ ! -e "$T/escaped" ] || fail "root_escape: wrote $T/escaped, outside RECOVERY_ROOT"
new_pkg root_relative <<EOF
package_extract_file("data", "escaped-relative");
EOF
echo evil > "$T/root_relative/data"
zip_pkg root_relative
(cd "$T" && expect_failure root_relative 'not absolute')
[ ! -e "$T/escaped-relative" ] || fail "root_relative: wrote $T/escaped-relative, outside RECOVERY_ROOT"
ok "script paths with .. above the root, or relative, refused"

# ---- missing entry -----------------------------------------------------------
new_pkg missing <<EOF
$(mount_and)
package_extract_file("nope.img", "/system/nope.img");
EOF
zip_pkg missing
expect_failure missing 'nope.img'
absent /nope.img
grep -q 'line 2' "$T/missing.err" || fail "missing: the script line is not named"
ok "missing entry: named, with the script line"

# ---- syntax error ---------------------------------------------------------------
new_pkg syntax <<'EOF'
ui_print("fine");
ui_print("unterminated);
EOF
zip_pkg syntax
expect_failure syntax ':2:'
ok "syntax error reported with line:column"

# ---- patch for the wrong source ---------------------------------------------------
if [ -x "$BIN/bsdiff" ]; then BSDIFF=$BIN/bsdiff; else BSDIFF=$(command -v bsdiff) || skip "no bsdiff"; fi
seq 1 5000 > "$T/src"; seq 2 5001 > "$T/tgt"; seq 3 5002 > "$T/other"
"$BSDIFF" "$T/src" "$T/tgt" "$T/p.bsdiff"
SRC_SHA=$(sha1sum < "$T/src" | cut -c1-40); TGT_SHA=$(sha1sum < "$T/tgt" | cut -c1-40)
new_pkg wrong_src <<EOF
$(mount_and)
package_extract_file("other", "/system/file");
apply_patch("/system/file", "-", $TGT_SHA, $(stat -c %s "$T/tgt"), $SRC_SHA, package_extract_file("file.p"));
EOF
cp "$T/other" "$T/wrong_src/other"; cp "$T/p.bsdiff" "$T/wrong_src/file.p"
zip_pkg wrong_src
expect_failure wrong_src 'apply_patch'
debugfs -R "dump /file $T/after" "$DEV" >/dev/null 2>&1
cmp "$T/other" "$T/after" || fail "the wrong source was changed"
no_temp_files /
ok "patch for the wrong source: refused, file untouched"

# ---- full filesystem ----------------------------------------------------------------
new_pkg full <<EOF
format("ext4", "EMMC", "$SYS", "0", "/system");
$(mount_and)
package_extract_dir("system", "/system");
EOF
mkdir -p "$T/full/system/app"
head -c 20000000 /dev/urandom > "$T/full/system/app/huge.apk"
zip_pkg full
expect_failure full 'No space left'
absent /app/huge.apk
no_temp_files /app
ok "full filesystem: fails clearly, no partial file"

# ---- corrupt entry (CRC mismatch) ------------------------------------------------------
new_pkg corrupt <<EOF
$(mount_and)
package_extract_file("data.bin", "/system/data.bin");
EOF
head -c 4000 /dev/zero | tr '\0' 'A' > "$T/corrupt/data.bin"
(cd "$T/corrupt" && zip -q0 ../corrupt.zip META-INF/com/google/android/updater-script data.bin)
perl -pi -e 's/AAAAAAAAAAAAAAAA/AAAAAAAABAAAAAAA/' "$T/corrupt.zip"
expect_failure corrupt 'data.bin'
absent /data.bin
ok "corrupt entry: fails, nothing under the target name"

# ---- an image larger than its partition ----------------------------------------------
new_pkg too_big <<EOF
write_raw_image(package_extract_file("boot.img"), "boot");
EOF
head -c 1048577 /dev/urandom > "$T/too_big/boot.img"
zip_pkg too_big
BOOT=$(readlink "$ROOT/dev/block/by-name/boot")
expect_failure too_big 'does not fit'
cmp -n 1048576 /dev/zero "$BOOT" || fail "too_big: the partition was written"
ok "image larger than the partition: refused before writing"

# ---- a mount left behind by an earlier attempt does not block format ----------------
new_pkg leftover <<EOF
format("ext4", "EMMC", "$SYS", "0", "/system");
$(mount_and)
package_extract_file("data", "/system/data");
unmount("/system");
EOF
echo fresh > "$T/leftover/data"
zip_pkg leftover
mkdir -p "$ROOT/system"
mount "$DEV" "$ROOT/system" || fail "mounting by hand"
RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$T/leftover.zip" >"$T/leftover.out" 2>&1 ||
  { umount "$ROOT/system" 2>/dev/null; cat "$T/leftover.out"; fail "leftover: updater failed"; }
grep -q 'unmounted /dev/block/by-name/system from /system before formatting it' "$T/leftover.out" ||
  fail "leftover: the unmount is not reported"
grep -q " $ROOT/system " /proc/mounts && fail "leftover: still mounted"
debugfs -R "cat /data" "$DEV" 2>/dev/null | grep -qx fresh || fail "leftover: content"
ok "a mount left by an earlier attempt is undone before format"

new_pkg remount <<EOF
$(mount_and)
package_extract_file("data", "/system/again");
unmount("/system");
EOF
echo again > "$T/remount/data"
zip_pkg remount
mount "$DEV" "$ROOT/system" || fail "mounting by hand"
RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$T/remount.zip" >"$T/remount.out" 2>&1 ||
  { umount "$ROOT/system" 2>/dev/null; cat "$T/remount.out"; fail "remount: updater failed"; }
grep -q 'already mounted at /system' "$T/remount.out" || fail "remount: not reported"
debugfs -R "cat /again" "$DEV" 2>/dev/null | grep -qx again || fail "remount: content"
ok "mounting what an earlier attempt left mounted succeeds"

# ---- usage ------------------------------------------------------------------------------
set +e
"$BIN/updater" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments: exit 2 expected"
"$BIN/updater" --help | grep -q 'API_VERSION' || fail "--help"
"$BIN/updater" 2 1 "$T/full.zip" >/dev/null 2>"$T/api.err"; [ $? -ne 0 ] || fail "API 2 accepted"
grep -q 'API version 2' "$T/api.err" || fail "API error message"
RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$T/no-such.zip" >/dev/null 2>"$T/nozip.err"; [ $? -ne 0 ] || fail "missing package accepted"
grep -q 'no-such.zip' "$T/nozip.err" || fail "missing package not named"
set -e
ok "usage and argument errors"
