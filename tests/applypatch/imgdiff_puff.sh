#!/bin/bash
# Re-encoded deflate chunks end to end, on streams zlib cannot remake: a
# tarball compressed by GNU gzip -9, and zip archives made by Info-ZIP.
# imgdiff --best must write IMGDIFFX with re-encoded chunks, at most half
# the size of the IMGDIFF2 patch (which can only diff the compressed bytes)
# and of Debian's bsdiff; the patches apply byte-exact with applypatch and
# with bspatch in memory and in bounded memory.
. "$(dirname "$0")/../lib.sh"

for p in imgdiff applypatch bspatch; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
command -v gzip >/dev/null && command -v zip >/dev/null || skip "gzip or zip is not installed"
tmp=$(make_tmpdir)
on_exit "rm -rf '$tmp'"
sha() { sha1sum < "$1" | cut -c1-40; }
size() { stat -c %s "$1"; }

# Two versions of a source tree (the kernel headers installed here, or
# generated text when they are not), the second edited here and there.
tree=/usr/include/linux
mkdir -p "$tmp/v1" "$tmp/v2"
if [ -d "$tree" ]; then
  cp -r "$tree" "$tmp/v1/tree"
else
  mkdir -p "$tmp/v1/tree"
  for i in $(seq 1 300); do seq $i $((i * 40)) | sed "s/^/#define NAME_$i /" > "$tmp/v1/tree/f$i.h"; done
fi
cp -r "$tmp/v1/tree" "$tmp/v2/tree"
n=0
for f in $(cd "$tmp/v2" && find tree -type f | sort | awk 'NR % 25 == 0'); do
  sed -i '1i /* changed in version 2 */' "$tmp/v2/$f"; n=$((n + 1))
done
for v in v1 v2; do
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/$v" -cf "$tmp/$v.tar" tree
  gzip -9 -n -c "$tmp/$v.tar" > "$tmp/$v.tar.gz"
  (cd "$tmp/$v" && find tree | sort | TZ=UTC zip -q -X -9 -@ "$tmp/$v.zip")
done

check() { # NAME SRC TGT [imgdiff options]
  local name=$1 src=$2 tgt=$3; shift 3
  "$BIN/imgdiff" "$@" "$src" "$tgt" "$tmp/$name.p2" || fail "$name: imgdiff failed"
  "$BIN/imgdiff" --best "$@" "$src" "$tgt" "$tmp/$name.px" || fail "$name: imgdiff --best failed"
  [ "$(head -c 8 "$tmp/$name.px")" = IMGDIFFX ] || fail "$name: no re-encoded chunk was used"
  local p2 px deb=0
  p2=$(size "$tmp/$name.p2") px=$(size "$tmp/$name.px")
  if [ -x /usr/bin/bsdiff ]; then
    /usr/bin/bsdiff "$src" "$tgt" "$tmp/$name.deb" && deb=$(size "$tmp/$name.deb")
  fi
  [ "$px" -le $((p2 / 2)) ] || fail "$name: IMGDIFFX $px bytes is more than half of IMGDIFF2's $p2"
  [ "$deb" = 0 ] || [ "$px" -le $((deb / 2)) ] || fail "$name: IMGDIFFX $px bytes is more than half of Debian bsdiff's $deb"
  "$BIN/applypatch" "$src" "$tmp/out" "$(sha "$tgt")" "$(size "$tgt")" "$(sha "$src"):$tmp/$name.px" ||
    fail "$name: applypatch failed"
  cmp -s "$tmp/out" "$tgt" || fail "$name: applypatch result differs"
  for mode in --in-memory --bounded; do
    rm -f "$tmp/out"
    "$BIN/bspatch" $mode "$src" "$tmp/out" "$tmp/$name.px" || fail "$name: bspatch $mode failed"
    cmp -s "$tmp/out" "$tgt" || fail "$name: bspatch $mode result differs"
  done
  ok "$name: IMGDIFFX $px bytes, IMGDIFF2 $p2, Debian bsdiff $deb; byte-exact through applypatch and bspatch"
}
check "tar.gz (GNU gzip -9, $n files edited)" "$tmp/v1.tar.gz" "$tmp/v2.tar.gz"
check "zip (Info-ZIP -9)" "$tmp/v1.zip" "$tmp/v2.zip" -z
