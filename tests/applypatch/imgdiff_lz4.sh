#!/bin/bash
# LZ4 chunks end to end with the lz4 tool: a bzImage-like image whose
# kernel is an LZ4 legacy stream made by `lz4 -l -9` (as Debian's kernel
# is), and an lz4 frame made with the tool's defaults.  imgdiff --extended
# must write IMGDIFFX with an LZ4 chunk, far smaller than the IMGDIFF2
# patch, which applies with applypatch and with bspatch in memory and in
# bounded memory; the result is byte-exact.  Without --extended the patch
# stays IMGDIFF2.
. "$(dirname "$0")/../lib.sh"

for p in imgdiff applypatch bspatch; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
command -v lz4 >/dev/null || skip "the lz4 tool is not installed (scripts/install-deps)"
command -v python3 >/dev/null || skip "python3 is not installed"
tmp=$(make_tmpdir)
on_exit "rm -rf '$tmp'"
sha() { sha1sum < "$1" | cut -c1-40; }
size() { stat -c %s "$1"; }

# Two "kernels": code-like data, the second rebuilt with small changes all
# over and an insertion (so every compressed block differs).
python3 - "$tmp" <<'PY'
import random, sys
d = sys.argv[1]
r = random.Random(7)
words = [bytes(r.getrandbits(8) for _ in range(r.randint(4, 40))) for _ in range(3000)]
k1 = bytearray()
while len(k1) < 9_500_000:
    k1 += r.choice(words)
k2 = bytearray(k1[:2_000_000]) + b"INSERTED" * 500 + k1[2_000_000:]
for i in range(3_000_000, len(k2), 2_500):
    k2[i] ^= 0x40
open(d + "/k1", "wb").write(k1)
open(d + "/k2", "wb").write(k2)
PY
for v in 1 2; do
  lz4 -q -l -9 -c "$tmp/k$v" > "$tmp/k$v.lz4" || fail "lz4 -l failed"
  # setup code, the LZ4 payload, its size (as the kernel's build appends), padding
  { head -c 16384 /dev/zero | tr '\0' 'S'; cat "$tmp/k$v.lz4"; printf '%08x' "$(size "$tmp/k$v")" | xxd -r -p;
    head -c 4096 /dev/zero; } > "$tmp/img$v"
  lz4 -q -9 -c "$tmp/k$v" > "$tmp/frame$v.lz4" || fail "lz4 failed"
done

for kind in img frame; do
  src=$tmp/${kind}1 tgt=$tmp/${kind}2
  [ $kind = frame ] && src=$tmp/frame1.lz4 tgt=$tmp/frame2.lz4
  "$BIN/imgdiff" "$src" "$tgt" "$tmp/$kind.p2" || fail "$kind: imgdiff failed"
  [ "$(head -c 8 "$tmp/$kind.p2")" = IMGDIFF2 ] || fail "$kind: without --extended the patch is not IMGDIFF2"
  "$BIN/imgdiff" --best "$src" "$tgt" "$tmp/$kind.px" || fail "$kind: imgdiff --best failed"
  [ "$(head -c 8 "$tmp/$kind.px")" = IMGDIFFX ] || fail "$kind: imgdiff --best did not use an LZ4 chunk"
  p2=$(size "$tmp/$kind.p2") px=$(size "$tmp/$kind.px")
  [ "$px" -lt $((p2 / 2)) ] || fail "$kind: IMGDIFFX patch $px bytes is not under half the IMGDIFF2 patch ($p2)"
  "$BIN/applypatch" "$src" "$tmp/out" "$(sha "$tgt")" "$(size "$tgt")" "$(sha "$src"):$tmp/$kind.px" ||
    fail "$kind: applypatch failed"
  cmp -s "$tmp/out" "$tgt" || fail "$kind: applypatch result differs"
  for mode in --in-memory --bounded; do
    rm -f "$tmp/out"
    "$BIN/bspatch" $mode "$src" "$tmp/out" "$tmp/$kind.px" || fail "$kind: bspatch $mode failed"
    cmp -s "$tmp/out" "$tgt" || fail "$kind: bspatch $mode result differs"
  done
  ok "$kind: IMGDIFFX $px bytes against IMGDIFF2 $p2, byte-exact through applypatch and bspatch (memory, bounded)"
done

# A damaged source kernel: a clear error, the target untouched.
cp "$tmp/img1" "$tmp/bad"
printf 'XXXXXXXX' | dd of="$tmp/bad" bs=1 seek=20000 conv=notrunc 2>/dev/null
echo keep > "$tmp/out"
rc=0; "$BIN/bspatch" --bounded "$tmp/bad" "$tmp/out" "$tmp/img.px" 2>"$tmp/err" || rc=$?
[ $rc -eq 1 ] && [ "$(cat "$tmp/out")" = keep ] || fail "damaged source: exit $rc, $(cat "$tmp/err")"
ok "damaged source: $(cat "$tmp/err")"
