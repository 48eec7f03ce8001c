#!/bin/bash
# Nothing is written or mounted read-write before the package verifies: a
# refused package leaves every partition byte-identical -- system, boot,
# and the filesystem the package lies on, its ext4 superblock included
# (mounting read-write alone rewrites it: mount count, times).  A package
# on /data is read from /data mounted read-only.  Recovery's own records
# (its log on /cache, clearing the command) come after the verdict.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device
make_key "$T/keys" other

mkdir -p "$T/payload"
head -c 300000 /dev/urandom > "$T/payload/boot.img"
SCRIPT='package_extract_file("boot.img", "/dev/block/by-name/boot");'
build_package "$T/foreign.zip" "$T/payload" "$SCRIPT" "$GOOD_METADATA" other
build_package "$T/unsigned.zip" "$T/payload" "$SCRIPT" "$GOOD_METADATA" -
build_package "$T/good.zip" "$T/payload" "$SCRIPT" "$GOOD_METADATA"

# put_in_data FILE: /data/ota/update.zip
put_in_data() {
  mount "$DEV_DATA" "$T/mnt" || fail "mount data"
  mkdir -p "$T/mnt/ota" && cp "$1" "$T/mnt/ota/update.zip" && sync
  umount "$T/mnt"
}
images() { sha256sum < "$DEV_DATA"; sha256sum < "$DEV_SYSTEM"; sha256sum < "$DEV_BOOT"; }

for pkg in foreign unsigned; do
  put_in_data "$T/$pkg.zip"
  before=$(images)
  run_recovery --update_package=/data/ota/update.zip
  [ "$RC" -eq 3 ] || { cat "$T/out"; fail "$pkg: exit $RC, expected 3 (refused)"; }
  [ "$(sha256sum < "$DEV_DATA")" = "$(echo "$before" | sed -n 1p)" ] ||
    fail "$pkg: the data partition holding the refused package changed (mounted read-write?)"
  [ "$(images)" = "$before" ] || fail "$pkg: a partition changed"
  grep -qs " $ROOT" /proc/mounts && fail "$pkg: recovery left something mounted"
  ok "$pkg package on /data refused; /data, system and boot byte-identical"
done

# The verified package on /data still installs: its volume is made
# writable again only once it verified.
put_in_data "$T/good.zip"
run_recovery --update_package=/data/ota/update.zip
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "good package on /data: exit $RC"; }
cmp -s -n 300000 "$T/payload/boot.img" "$DEV_BOOT" || fail "good package on /data: not installed"
ok "a verified package on /data installs"
