#!/bin/bash
# Scripts from before KitKat: the mount() and format() forms of Android
# 1.5-4.3, as lines from real ROM and mod packages write them, run by the
# updater on loop devices.  The block-device forms do what they did there
# (format's fs_size, a whole device without it); the raw NAND (MTD) forms
# fail before touching anything, naming the form and the call to write.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
need_loop
for tool in zip debugfs dumpe2fs; do
  command -v $tool >/dev/null || skip "$tool not installed"
done
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"

T=$(make_tmpdir)
on_exit "release_under '$T'"
ROOT=$T/root
make_device "$ROOT" system:24 cache:8 data:8
SYS=/dev/block/by-name/system CACHE=/dev/block/by-name/cache DATA=/dev/block/by-name/data

# run NAME SCRIPT: a package holding the script and a system/ tree, run by
# the updater; its exit status in $rc, its messages in $T/NAME.err.
run() {
  local name=$1 P=$T/pkg-$1
  mkdir -p "$P/META-INF/com/google/android" "$P/system/app"
  printf '%s\n' "$2" > "$P/META-INF/com/google/android/updater-script"
  echo "installed by $name" > "$P/system/app/marker.txt"
  rm -f "$T/$name.zip"
  (cd "$P" && zip -qry "$T/$name.zip" .) || fail "zip"
  "$BIN/updater" --check "$T/$name.zip" 2>"$T/$name.check" || { cat "$T/$name.check"; fail "$name: updater --check refused the script"; }
  set +e
  RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$T/$name.zip" >"$T/$name.pipe" 2>"$T/$name.err"
  rc=$?
  set -e
}
blocks() { dumpe2fs -h "$(readlink "$ROOT$1")" 2>/dev/null | awk -F: '/^Block count/ {gsub(/ /, "", $2); print $2}'; }
system_file() { debugfs -R "cat /app/marker.txt" "$(readlink "$ROOT$SYS")" 2>/dev/null; }
set -e

# Gingerbread (2.3): format without a size takes the whole device; a
# Froyo-style mount(type, location, mount_point) of a block device.
run gingerbread "$(cat <<EOF
format("ext4", "EMMC", "$SYS");
mount("ext4", "$SYS", "/system");
package_extract_dir("system", "/system");
unmount("/system");
EOF
)"
[ $rc -eq 0 ] || { cat "$T/gingerbread.err"; fail "the Gingerbread forms failed (exit $rc)"; }
[ "$(blocks $SYS)" -eq $((24 * 256)) ] || fail "format() without fs_size: $(blocks $SYS) blocks, not the whole 24 MiB device"
[ "$(system_file)" = "installed by gingerbread" ] || fail "the 3-argument mount did not mount /system"
ok "format(fs_type, partition_type, location) and mount(type, location, mount_point)"

# Ice Cream Sandwich (4.0-4.2): format with fs_size, negative = room left
# at the end (a crypto footer); mount with four arguments.
run ics "$(cat <<EOF
format("ext4", "EMMC", "$CACHE", "-1048576");
format("ext4", "EMMC", "$DATA", "4194304");
mount("ext4", "EMMC", "$SYS", "/system");
package_extract_dir("system", "/system");
unmount("/system");
EOF
)"
[ $rc -eq 0 ] || { cat "$T/ics.err"; fail "the ICS forms failed (exit $rc)"; }
[ "$(blocks $CACHE)" -eq $((7 * 256)) ] || fail "format(..., \"-1048576\"): $(blocks $CACHE) blocks, not 8 MiB - 1 MiB"
[ "$(blocks $DATA)" -eq 1024 ] || fail "format(..., \"4194304\"): $(blocks $DATA) blocks, not 4 MiB"
[ "$(system_file)" = "installed by ics" ] || fail "the 4-argument mount"
ok "format(fs_type, partition_type, location, fs_size), positive and negative"

# Raw NAND (MTD) forms: refused before anything is touched, the message
# naming the form and the call to write (with the fstab's device).
refused() { # name expected-message-part script
  local img before
  img=$(readlink "$ROOT$SYS")
  before=$(sha1sum < "$img")
  run "$1" "$3"
  [ $rc -eq 1 ] || { cat "$T/$1.err"; fail "$1: exit $rc, expected 1"; }
  grep -qF "$2" "$T/$1.err" || { cat "$T/$1.err"; fail "$1: the message does not say: $2"; }
  grep -qF 'this device has block devices only: write' "$T/$1.err" || { cat "$T/$1.err"; fail "$1: no call to write instead"; }
  [ "$(sha1sum < "$img")" = "$before" ] || fail "$1: the system partition changed"
  grep -q "$ROOT/system" /proc/mounts && fail "$1: /system left mounted"
  return 0
}
refused froyo-format 'format("MTD", "system") is the 2-argument format() of Android 1.5-2.2' \
  'format("MTD", "system");
mount("MTD", "system", "/system");'
grep -qF "write format(\"ext4\", \"EMMC\", \"$SYS\", \"0\", \"/system\")" "$T/froyo-format.err" || fail "froyo-format: not the fstab's device"
refused froyo-mount 'mount("MTD", "system", "/system") is the 3-argument mount() of Android 1.5-2.2' \
  'mount("MTD", "system", "/system");
package_extract_dir("system", "/system");'
grep -qF "write mount(\"ext4\", \"EMMC\", \"$SYS\", \"/system\")" "$T/froyo-mount.err" || fail "froyo-mount: not the fstab's device"
refused cm7 'format("yaffs2", "MTD", "system") is the 3-argument format() of Android 2.3' \
  'format("yaffs2", "MTD", "system");
mount("yaffs2", "MTD", "system", "/system");'
refused cm7-mount 'mount("yaffs2", "MTD", "userdata", "/data") is mount() of Android 2.3-4.3' \
  'mount("yaffs2", "MTD", "userdata", "/data");'
grep -qF "write mount(\"ext4\", \"EMMC\", \"$DATA\", \"/data\")" "$T/cm7-mount.err" || fail "cm7-mount: userdata is /data"
ok "MTD forms refused before anything changed, naming the form and what to write"

# A count no Android version had is still refused when the script is checked.
printf 'mount("ext4", "%s");\nformat("ext4");\n' "$SYS" > "$T/bad-counts"
set +e
"$BIN/updater" --check "$T/bad-counts" 2>"$T/bad-counts.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "updater --check: exit $rc for counts no Android had"
grep -q 'bad-counts:1:1: mount: expects 3 to 5 arguments, got 2' "$T/bad-counts.err" || { cat "$T/bad-counts.err"; fail "mount count"; }
grep -q 'bad-counts:2:1: format: expects 2 to 5 arguments, got 1' "$T/bad-counts.err" || { cat "$T/bad-counts.err"; fail "format count"; }
ok "updater --check: mount takes 3-5 arguments, format 2-5"
