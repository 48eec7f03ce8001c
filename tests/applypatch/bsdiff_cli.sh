#!/bin/bash
# The bsdiff and bspatch command lines: --help, usage errors (exit 2),
# --compress (BSDF2), one
# clear line naming the file on failure (exit 1), NEW untouched and no
# temporary file left when a patch is bad, patching a file in place.
. "$(dirname "$0")/../lib.sh"
d=$(make_tmpdir)
on_exit "rm -rf '$d'"  # make_tmpdir runs in a subshell: register here
for p in bsdiff bspatch; do
  "$BIN/$p" --help > "$d/help" || fail "$p --help exited non-zero"
  grep -q "usage: $p" "$d/help" || fail "$p --help printed no usage"
  "$BIN/$p" a b 2> "$d/err"; [ $? -eq 2 ] || fail "$p with two arguments did not exit 2"
  grep -q "usage: $p" "$d/err" || fail "$p usage error printed no usage on stderr"
done
"$BIN/bspatch" --fast a b c 2>/dev/null; [ $? -eq 2 ] || fail "bspatch with an unknown option did not exit 2"
ok "--help and usage errors"

head -c 100000 /dev/urandom > "$d/old"
{ head -c 60000 "$d/old"; echo inserted; tail -c 30000 "$d/old"; } > "$d/new"
"$BIN/bsdiff" "$d/old" "$d/new" "$d/patch" || fail "bsdiff failed"

"$BIN/bsdiff" "$d/missing" "$d/new" "$d/p2" 2> "$d/err"; rc=$?
[ $rc -eq 1 ] && grep -q "missing" "$d/err" || fail "bsdiff on a missing file: exit $rc, '$(cat "$d/err")'"
ok "bsdiff names a missing input"

echo "keep me" > "$d/target"
head -c $(( $(stat -c %s "$d/patch") - 20 )) "$d/patch" > "$d/truncated"
for bad in truncated old; do
  "$BIN/bspatch" "$d/old" "$d/target" "$d/$bad" 2> "$d/err"; rc=$?
  [ $rc -eq 1 ] || fail "bspatch with patch '$bad' exited $rc"
  [ "$(wc -l < "$d/err")" -eq 1 ] && grep -q "$d/$bad" "$d/err" || fail "bspatch error for '$bad' is not one line naming it: $(cat "$d/err")"
  [ "$(cat "$d/target")" = "keep me" ] || fail "a failed bspatch changed its target"
  ls "$d" | grep -q bspatch- && fail "a failed bspatch left a temporary file"
  ok "bad patch ($bad): $(cat "$d/err")"
done

"$BIN/bsdiff" --compress=gzip "$d/old" "$d/new" "$d/p3" 2>/dev/null; [ $? -eq 2 ] || fail "bsdiff --compress=gzip did not exit 2"
for c in android all xz zstd brotli,xz; do
  "$BIN/bsdiff" --compress=$c "$d/old" "$d/new" "$d/p.$c" || fail "bsdiff --compress=$c failed"
  [ "$(head -c 5 "$d/p.$c")" = BSDF2 ] || fail "bsdiff --compress=$c did not write BSDF2"
  for mode in --in-memory --bounded; do
    "$BIN/bspatch" $mode "$d/old" "$d/out" "$d/p.$c" && cmp -s "$d/out" "$d/new" || fail "bspatch $mode of a --compress=$c patch"
  done
done
ok "bsdiff --compress writes BSDF2 that bspatch applies"

cp "$d/old" "$d/inplace"
"$BIN/bspatch" "$d/inplace" "$d/inplace" "$d/patch" || fail "bspatch in place failed"
cmp -s "$d/inplace" "$d/new" || fail "bspatch in place: wrong result"
cp "$d/old" "$d/inplace"
"$BIN/bspatch" --bounded "$d/inplace" "$d/inplace" "$d/patch" || fail "bspatch --bounded in place failed"
cmp -s "$d/inplace" "$d/new" || fail "bspatch --bounded in place: wrong result"
ok "patching a file in place"

# From 64 MiB of source + patch on, bspatch picks the bounded-memory apply
# by itself: peak memory stays far below the source's size.
[ -x /usr/bin/time ] || skip "/usr/bin/time not installed (needed to measure memory)"
truncate -s 64M "$d/big-old"
python3 - "$d/big.patch" <<'PY'
import bz2, struct, sys
def off(v):
    return struct.pack('<Q', abs(v) | (1 << 63 if v < 0 else 0))
new = b"hello from the far end of a big source"
ctrl = bz2.compress(off(0) + off(0) + off(60 << 20) + off(len(new)) + off(0) + off(0), 9)
diff = bz2.compress(new, 9)  # the source is zeros there
extra = bz2.compress(b"", 9)
open(sys.argv[1], 'wb').write(b"BSDIFF40" + off(len(ctrl)) + off(len(diff)) + off(len(new)) + ctrl + diff + extra)
PY
/usr/bin/time -f %M -o "$d/rss" "$BIN/bspatch" "$d/big-old" "$d/big-new" "$d/big.patch" || fail "bspatch of a 64 MiB source failed"
[ "$(cat "$d/big-new")" = "hello from the far end of a big source" ] || fail "bspatch of a 64 MiB source: wrong result"
rss=$(tail -n1 "$d/rss")
[ "$rss" -lt 40000 ] || fail "bspatch held $rss KB for a 64 MiB source: not the bounded apply"
ok "a 64 MiB source is patched in bounded memory ($rss KB peak)"
