#!/bin/bash
# Android's own BSDIFF40 test files (KitKat applypatch/testdata): old.file
# patched with patch.bsdiff gives new.file, in every apply mode; our bsdiff
# on the same pair makes a patch Debian's bspatch applies too.
. "$(dirname "$0")/../lib.sh"
need_testdata
src=$TESTDATA/applypatch
[ -f "$src/old.file" ] && [ -f "$src/patch.bsdiff" ] || skip "Android test files missing in $src"
want=7da4c3dba4794bea50e88ade9782d077c13a5532
d=$(make_tmpdir)
on_exit "rm -rf '$d'"  # make_tmpdir runs in a subshell: register here

for mode in "" --in-memory --bounded --bounded-small; do
  rm -f "$d/new"
  "$BIN/bspatch" $mode "$src/old.file" "$d/new" "$src/patch.bsdiff" || fail "bspatch $mode failed on Android's patch"
  got=$(sha1sum < "$d/new" | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "bspatch $mode: SHA-1 $got, expected $want"
  ok "Android's patch.bsdiff applies ${mode:-(default mode)}"
done

"$BIN/bsdiff" "$src/old.file" "$src/new.file" "$d/our.patch" || fail "bsdiff on Android's files failed"
"$BIN/bspatch" "$src/old.file" "$d/ours" "$d/our.patch" || fail "bspatch of our own patch failed"
cmp -s "$d/ours" "$src/new.file" || fail "our patch does not rebuild new.file"
ok "our patch rebuilds new.file ($(stat -c %s "$d/our.patch") bytes; Android's is $(stat -c %s "$src/patch.bsdiff"))"
if [ -x /usr/bin/bspatch ]; then
  /usr/bin/bspatch "$src/old.file" "$d/deb" "$d/our.patch" || fail "Debian's bspatch rejected our patch"
  cmp -s "$d/deb" "$src/new.file" || fail "Debian's bspatch on our patch: wrong result"
  ok "Debian's bspatch applies our patch of Android's files"
fi
