# Shared shell helpers for integration tests (source it: . tests/lib.sh).
# Every resource a test takes (temp dirs, loop devices, mounts) is registered
# and released by an EXIT trap, also when the test fails.
# Exit codes: 0 passed, 77 skipped (say why with `skip`), anything else failed.
set -u
TOP=${OTA_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BIN=${OTA_BIN:-$TOP/${BUILD:-build}/bin}
TESTDATA=${OTA_TESTDATA:-$TOP/../shared/testdata/aosp}

# Cleanup commands go to a file, not a shell array, so that helpers called in
# a $(...) subshell (d=$(make_tmpdir), dev=$(attach_loop IMG)) register them
# with the test's own shell; its EXIT trap runs them newest first.
_cleanup_file=$(mktemp "${TMPDIR:-/tmp}/ota-cleanup.XXXXXX")
_run_cleanup() {
  local cmd
  while IFS= read -r cmd; do eval "$cmd" >/dev/null 2>&1 || true; done < <(tac "$_cleanup_file")
  rm -f "$_cleanup_file"
}
trap _run_cleanup EXIT
on_exit() { printf '%s\n' "$*" >> "$_cleanup_file"; }

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# A fresh temporary directory, removed at exit (after unmounting under it).
make_tmpdir() {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/ota-test.XXXXXX")
  on_exit "rm -rf '$d'"
  on_exit "grep -o ' $d[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"
  echo "$d"
}

need_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (loop devices, mount)"
}

need_loop() {
  need_root
  command -v losetup >/dev/null || skip "losetup not installed"
  local probe
  probe=$(mktemp "${TMPDIR:-/tmp}/ota-loopprobe.XXXXXX")
  truncate -s 1M "$probe"
  local dev
  dev=$(losetup -f --show "$probe" 2>/dev/null) || { rm -f "$probe"; skip "no loop devices available"; }
  losetup -d "$dev"; rm -f "$probe"
}

need_testdata() {
  [ -d "$TESTDATA" ] || skip "Android test data not found at $TESTDATA"
}

# For scripts where only some cases need Android's data: left_out CASE
# records one that could not run; end_of_cases, the script's last line,
# exits 77 naming them (after every other case passed), so a fresh clone
# runs all it can and never counts the rest as passed.
LEFT_OUT=
left_out() { LEFT_OUT="${LEFT_OUT:+$LEFT_OUT; }$*"; }
end_of_cases() {
  [ -z "$LEFT_OUT" ] || skip "not run, Android's test data not found at $TESTDATA: $LEFT_OUT (every other case passed)"
  return 0
}

# attach_loop IMAGE -> prints the loop device; detached at exit.
attach_loop() {
  local dev
  dev=$(losetup -f --show "$1") || fail "losetup $1"
  on_exit "losetup -d '$dev'"
  echo "$dev"
}

# make_ext4 IMAGE SIZE_MB -> an empty ext4 image file.
make_ext4() {
  rm -f "$1"
  truncate -s "${2}M" "$1"
  mke2fs -q -F -t ext4 "$1" >/dev/null || fail "mke2fs $1"
}

# make_device ROOT: lays out a device under ROOT (RECOVERY_ROOT) with loop-
# backed images for the partitions given as NAME:SIZE_MB[:ext4|emmc] ...
# Creates ROOT/dev/block/by-name/NAME -> loop device, ROOT/etc/recovery.fstab,
# mount points, ROOT/tmp and ROOT/cache/recovery.  Images live in ROOT/../img.
make_device() {
  local root=$1; shift
  local imgdir="$root.img"
  mkdir -p "$root/dev/block/by-name" "$root/etc" "$root/tmp" "$imgdir"
  : > "$root/etc/recovery.fstab"
  local spec name size type img dev
  for spec in "$@"; do
    IFS=: read -r name size type <<<"$spec"
    type=${type:-ext4}
    img="$imgdir/$name.img"
    if [ "$type" = ext4 ]; then make_ext4 "$img" "$size"; else rm -f "$img"; truncate -s "${size}M" "$img"; fi
    dev=$(attach_loop "$img")
    ln -sf "$dev" "$root/dev/block/by-name/$name"
    echo "/$name $type /dev/block/by-name/$name" >> "$root/etc/recovery.fstab"
    [ "$type" = ext4 ] && mkdir -p "$root/$name"
  done
  on_exit "rm -rf '$imgdir'"
  mkdir -p "$root/cache/recovery" 2>/dev/null || true
}
