#!/bin/bash
# The imgdiff program: command line, and round trips through applypatch on
# Android's image and zip test files, with patch sizes compared to
# Debian's bsdiff (imgdiff must be at most half on gzip data).
. "$(dirname "$0")/../lib.sh"

for p in imgdiff applypatch; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
tmp=$(make_tmpdir)

"$BIN/imgdiff" --help | grep -q "usage: imgdiff" || fail "--help"
rc=0; "$BIN/imgdiff" a b 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q usage "$tmp/err" || fail "missing argument: exit $rc, want 2 and usage"
rc=0; "$BIN/imgdiff" -q a b c 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "unknown option: exit $rc"
rc=0; "$BIN/imgdiff" "$tmp/nope" "$tmp/nope2" "$tmp/p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "$tmp/nope" "$tmp/err" || fail "missing source: exit $rc, $(cat "$tmp/err")"
echo "not a zip" > "$tmp/nz"
rc=0; "$BIN/imgdiff" -z "$tmp/nz" "$tmp/nz" "$tmp/p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "zip" "$tmp/err" || fail "-z on a non-zip: exit $rc, $(cat "$tmp/err")"
ok "command line"

need_testdata
R=$TESTDATA/recovery
sha() { sha1sum < "$1" | cut -c1-40; }
size() { stat -c %s "$1"; }

# round_trip NAME SOURCE TARGET [imgdiff options]: patch, apply with
# applypatch, compare; prints the patch size.
round_trip() {
  local name=$1 src=$2 tgt=$3; shift 3
  local bonus=()
  [ "${1:-}" = -b ] && bonus=(-b "$2")
  "$BIN/imgdiff" "$@" "$src" "$tgt" "$tmp/$name.p" || fail "$name: imgdiff failed"
  "$BIN/applypatch" "${bonus[@]}" "$src" "$tmp/$name.out" "$(sha "$tgt")" "$(size "$tgt")" \
    "$(sha "$src"):$tmp/$name.p" || fail "$name: applypatch failed"
  cmp -s "$tmp/$name.out" "$tgt" || fail "$name: result differs"
  size "$tmp/$name.p"
}

img=$(round_trip boot "$R/boot.img" "$R/recovery.img")
bonus=$(round_trip bonus "$R/boot.img" "$R/recovery.img" -b "$R/bonus.file")
gz=$(round_trip gz "$R/gzipped_source" "$R/gzipped_target")
zip=$(round_trip zip "$R/deflate_src.zip" "$R/deflate_tgt.zip" -z)
ok "round trips: boot->recovery $img bytes ($bonus with bonus), gzip $gz, zip $zip"

# The bonus patch needs the bonus; without it a clear error, no target.
rc=0; "$BIN/applypatch" "$R/boot.img" "$tmp/nobonus" "$(sha "$R/recovery.img")" "$(size "$R/recovery.img")" \
  "$(sha "$R/boot.img"):$tmp/bonus.p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q bonus "$tmp/err" && [ ! -e "$tmp/nobonus" ] || fail "bonus patch without bonus: exit $rc"
ok "bonus patch refused without its bonus: $(cat "$tmp/err")"

if command -v bsdiff >/dev/null; then
  bsdiff "$R/gzipped_source" "$R/gzipped_target" "$tmp/gz.bsdiff"
  deb=$(size "$tmp/gz.bsdiff")
  [ $((gz * 2)) -le "$deb" ] || fail "gzip: imgdiff $gz bytes is more than half of bsdiff's $deb"
  bsdiff "$R/boot.img" "$R/recovery.img" "$tmp/boot.bsdiff"
  ok "sizes vs Debian bsdiff: gzip $gz / $deb, boot->recovery $img / $(size "$tmp/boot.bsdiff")"
else
  echo "Debian bsdiff not installed: size comparison not made"
fi
