#!/bin/bash
# A package whose mount() or format() names a device this device lacks
# says which mount point is missing and what the device's fstab has for
# it, not a bare "No such file or directory"; check_partition_size refuses
# a partition too small before anything is formatted.
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"
command -v zip >/dev/null || skip "zip not installed"
T=$(make_tmpdir)
R=$T/root
mkdir -p "$R/etc" "$R/dev/block/by-name" "$R/tmp"
# This device has /system on mmcblk0p5 (not by-name) and no /vendor.
cat >"$R/etc/recovery.fstab" <<'FSTAB'
/system ext4 /dev/block/mmcblk0p5
/cache  ext4 /dev/block/by-name/cache
FSTAB

# run NAME SCRIPT: the updater on a package holding SCRIPT; exit in $rc.
run() {
  local P=$T/pkg-$1
  mkdir -p "$P/META-INF/com/google/android"
  printf '%s\n' "$2" >"$P/META-INF/com/google/android/updater-script"
  (cd "$P" && zip -qr "$T/$1.zip" .) || fail zip
  rc=0
  RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$T/$1.zip" >"$T/$1.pipe" 2>"$T/$1.err" || rc=$?
  [ "$rc" -ne 0 ] || fail "$1: succeeded on a missing device"
  grep -q "No such file or directory" "$T/$1.pipe" "$T/$1.err" &&
    fail "$1: a bare 'No such file or directory': $(cat "$T/$1.err")"
  return 0
}
says() { grep -qF "$2" "$T/$1.pipe" "$T/$1.err" || fail "$1 does not say '$2': $(cat "$T/$1.pipe" "$T/$1.err")"; }

run no-entry 'format("ext4", "EMMC", "/dev/block/by-name/vendor", "0", "/vendor");'
says no-entry "cannot format /vendor: /dev/block/by-name/vendor does not exist, and /etc/recovery.fstab has no /vendor entry"
run other-layout 'format("ext4", "EMMC", "/dev/block/by-name/system", "0", "/system");'
says other-layout "this device's /etc/recovery.fstab has /system on /dev/block/mmcblk0p5 (the package was made for another layout)"
run no-link 'format("ext4", "EMMC", "/dev/block/by-name/cache", "0", "/cache");'
says no-link "/dev/block/by-name/cache, the device of /cache in /etc/recovery.fstab, does not exist"
ok "format(): the missing device named with what the fstab has for its mount point"

# A partition too small for what the package writes: refused before the
# format, the partition (here a 1 MiB file standing in for it) untouched.
head -c 1048576 /dev/urandom >"$R/dev/block/by-name/cache"
cp "$R/dev/block/by-name/cache" "$T/cache.before"
run too-small 'check_partition_size("/dev/block/by-name/cache", "4194304");
format("ext4", "EMMC", "/dev/block/by-name/cache", "0", "/cache");'
says too-small "/dev/block/by-name/cache holds 1048576 bytes, and this package needs at least 4194304 there"
cmp -s "$R/dev/block/by-name/cache" "$T/cache.before" || fail "too-small: the partition changed"
run fits 'check_partition_size("/cache", "1048576") && abort("size ok");'
says fits "size ok"
rm "$R/dev/block/by-name/cache"
ok "check_partition_size: a partition too small is refused before the format; one large enough passes"

if [ "$(id -u)" -eq 0 ]; then
  run mount-no-entry 'mount("ext4", "EMMC", "/dev/block/by-name/vendor", "/vendor");'
  says mount-no-entry "cannot mount /vendor: /dev/block/by-name/vendor does not exist, and /etc/recovery.fstab has no /vendor entry"
  run mount-other 'mount("ext4", "EMMC", "/dev/block/by-name/system", "/system");'
  says mount-other "cannot mount /system: /dev/block/by-name/system does not exist; this device's /etc/recovery.fstab has /system on /dev/block/mmcblk0p5"
  ok "mount(): the same"
else
  echo "note: not root: mount(2) refuses before it looks for the device; the mount() cases did not run"
fi
