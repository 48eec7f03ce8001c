#!/bin/bash
# The applypatch program: Android's command lines (-c, -s, patch mode with
# several SHA1:PATCH pairs, "-" targets, EMMC specs), exit codes and the
# errors for bad input.  Partitions are loop devices when root can have
# them, else files standing in for them.
. "$(dirname "$0")/../lib.sh"

for p in applypatch bsdiff; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
tmp=$(make_tmpdir)
root=$tmp/root
mkdir -p "$root/cache" "$root/system" "$root/dev/block/by-name"
sha() { sha1sum < "$1" | cut -c1-40; }
size() { stat -c %s "$1"; }
AP=$BIN/applypatch

"$AP" --help | grep -q "usage: applypatch" || fail "--help"
for args in "" "-c" "-s" "-s x" "src tgt sha" "src tgt sha notanumber"; do
  rc=0
  # shellcheck disable=SC2086
  "$AP" $args 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q usage "$tmp/err" || fail "usage error for '$args': exit $rc"
done
ok "usage errors exit 2"

seq 1 200000 > "$tmp/old"
{ seq 1 100000; echo changed; seq 100001 210000; } > "$tmp/new"
"$BIN/bsdiff" "$tmp/old" "$tmp/new" "$root/cache/p" || fail bsdiff
O=$(sha "$tmp/old"); N=$(sha "$tmp/new"); NS=$(size "$tmp/new"); OS=$(size "$tmp/old")
# A device folder without /cache: patching in place says where the saved
# copy goes and what to do, and the file is untouched.
mkdir -p "$tmp/nocache/system"
cp "$tmp/old" "$tmp/nocache/system/f"; cp "$root/cache/p" "$tmp/nocache/p"
rc=0; RECOVERY_ROOT=$tmp/nocache "$AP" /system/f - "$N" "$NS" "$O:/p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "patching in place saves a copy of the source as $tmp/nocache/cache/saved.file (RECOVERY_ROOT=$tmp/nocache): create that folder" "$tmp/err" ||
  fail "in place without /cache: exit $rc, $(cat "$tmp/err")"
cmp -s "$tmp/old" "$tmp/nocache/system/f" || fail "in place without /cache changed the file"
if [ ! -e /cache ]; then
  rc=0; env -u RECOVERY_ROOT "$AP" -s 100 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 1 ] && grep -q "on a host set RECOVERY_ROOT=DIR" "$tmp/err" ||
    fail "-s on a host without /cache: exit $rc, $(cat "$tmp/err")"
fi
ok "no /cache: the message says where the saved copy goes and what to do"

export RECOVERY_ROOT=$root

# -c
cp "$tmp/old" "$root/system/f"
"$AP" -c /system/f || fail "-c without SHA-1s"
"$AP" -c /system/f "$N" "$O" || fail "-c with the right SHA-1 second"
rc=0; "$AP" -c /system/f "$N" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "/system/f" "$tmp/err" || fail "-c wrong SHA-1: exit $rc"
rc=0; "$AP" -c /system/missing 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "-c on a missing file: exit $rc"
ok "-c on files (paths under RECOVERY_ROOT)"

# -s
"$AP" -s 1024 || fail "-s 1024"
rc=0; "$AP" -s 999999999999999999 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "/cache" "$tmp/err" || fail "-s too much: exit $rc $(cat "$tmp/err")"
ok "-s: $(cat "$tmp/err")"

# patch mode: the matching one of several patches, to another file
echo garbage > "$root/cache/junk.p"
"$AP" /system/f /system/g "$N" "$NS" "$N:/cache/junk.p" "$O:/cache/p" || fail "patch to new file"
cmp -s "$root/system/g" "$tmp/new" || fail "new file content"
# in place; then again (already done, even with no patches)
"$AP" /system/f - "$N" "$NS" "$O:/cache/p" || fail "in place"
cmp -s "$root/system/f" "$tmp/new" || fail "in-place content"
"$AP" /system/f - "$N" "$NS" || fail "already patched must succeed"
[ ! -e "$root/cache/saved.file" ] || fail "saved copy left"
ok "patch mode: several patches, new file, in place, already done"

# refusals
cp "$tmp/old" "$root/system/f"
echo "previous" > "$root/system/t"
expect_fail() { # what, args...
  local what=$1; shift
  local rc=0
  "$AP" "$@" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 1 ] || fail "$what: exit $rc, want 1"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$what: want one line of error, got: $(cat "$tmp/err")"
  grep -q "previous" "$root/system/t" || fail "$what: target was touched"
  ok "$what: $(cat "$tmp/err")"
}
expect_fail "source matching no SHA-1" /system/f /system/t "$N" "$NS" "$N:/cache/p"
expect_fail "wrong target SHA-1" /system/f /system/t "$O" "$NS" "$O:/cache/p"
head -c 100 "$root/cache/p" > "$root/cache/short.p"
expect_fail "truncated patch" /system/f /system/t "$N" "$NS" "$O:/cache/short.p"
expect_fail "not a patch" /system/f /system/t "$N" "$NS" "$O:/cache/junk.p"
expect_fail "missing patch file" /system/f /system/t "$N" "$NS" "$O:/cache/nope.p"
expect_fail "missing bonus file" -b /cache/nope.bonus /system/f /system/t "$N" "$NS" "$O:/cache/p"
expect_fail "bad SHA-1" /system/f /system/t "xyz" "$NS" "$O:/cache/p"

# EMMC: a loop device (or a file standing in) with leftovers after the image
truncate -s 8M "$tmp/part.img"
if [ "$(id -u)" -eq 0 ] && dev=$(losetup -f --show "$tmp/part.img" 2>/dev/null); then
  on_exit "losetup -d '$dev'"
  kind="loop device"
else
  dev=$tmp/part.img
  kind="file standing in for a partition (no root/loop)"
fi
ln -s "$dev" "$root/dev/block/by-name/boot"
dd if=/dev/urandom of="$dev" bs=1M count=8 conv=fsync status=none
dd if="$tmp/old" of="$dev" conv=notrunc,fsync status=none
P=/dev/block/by-name/boot
"$AP" -c "EMMC:$P:$NS:$N:$OS:$O" || fail "-c EMMC"
rc=0; "$AP" -c "EMMC:$P:$NS:$N" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "-c EMMC with the wrong pair: exit $rc"
"$AP" "EMMC:$P:$OS:$O" "EMMC:$P" "$N" "$NS" "$O:/cache/p" || fail "EMMC in place"
"$AP" -c "EMMC:$P:$NS:$N" || fail "EMMC result"
[ "$(stat -L -c %s "$dev" 2>/dev/null || echo 0)" -ge 0 ] || true
"$AP" "EMMC:$P:$OS:$O" "EMMC:$P" "$N" "$NS" "$O:/cache/p" || fail "EMMC again (already done)"
# EMMC source to a file target
dd if="$tmp/old" of="$dev" conv=notrunc,fsync status=none
"$AP" "EMMC:$P:$OS:$O" /system/h "$N" "$NS" "$O:/cache/p" || fail "EMMC to file"
cmp -s "$root/system/h" "$tmp/new" || fail "EMMC to file content"
ok "EMMC specs on a $kind"

# Paths under RECOVERY_ROOT are used as they are (not prefixed twice).
"$AP" "$root/system/h" - "$N" "$NS" "$O:$root/cache/p" || fail "paths already under the root"

# Android's own patches through the program
if [ -d "$TESTDATA" ]; then
  R=$TESTDATA/recovery
  unset RECOVERY_ROOT
  "$AP" "$R/boot.img" "$tmp/rec1" e1e9672394cdf82befe0528e1a075167f500d5c4 529707 \
    "e7fd9c7180c70ee8860f9839e0f466d5f6eaa8ef:$R/recovery-from-boot-with-bonus.p" || fail "recovery-from-boot-with-bonus.p"
  "$AP" -b "$R/bonus.file" "$R/boot.img" "$tmp/rec2" e1e9672394cdf82befe0528e1a075167f500d5c4 529707 \
    "e7fd9c7180c70ee8860f9839e0f466d5f6eaa8ef:$R/recovery-from-boot.p" || fail "recovery-from-boot.p -b bonus.file"
  cmp -s "$tmp/rec1" "$R/recovery.img" && cmp -s "$tmp/rec2" "$R/recovery.img" || fail "recovery.img differs"
  A=$TESTDATA/applypatch
  "$AP" "$A/old.file" "$tmp/new.file" 7da4c3dba4794bea50e88ade9782d077c13a5532 "$(size "$A/new.file")" \
    "$(sha "$A/old.file"):$A/patch.bsdiff" || fail "patch.bsdiff"
  cmp -s "$tmp/new.file" "$A/new.file" || fail "new.file differs"
  ok "Android's IMGDIFF2 (with and without bonus) and BSDIFF40 test patches"
else
  skip "Android test data not found at $TESTDATA: Android's patches were NOT tested (everything else passed)"
fi
