#!/bin/bash
# BSDIFF40 interop with Debian's bsdiff/bspatch, both ways, byte-exact:
# patches made by Debian's bsdiff apply with our bspatch (every apply mode),
# and ours apply with Debian's bspatch, on empty, identical, one-byte,
# grow-only, shrink-only, random and real-binary pairs.
. "$(dirname "$0")/../lib.sh"

[ -x /usr/bin/bsdiff ] && [ -x /usr/bin/bspatch ] || skip "Debian's bsdiff/bspatch not installed (apt-get install bsdiff)"
[ -x "$BIN/bsdiff" ] && [ -x "$BIN/bspatch" ] || fail "our bsdiff/bspatch are not built in $BIN"
d=$(make_tmpdir)
on_exit "rm -rf '$d'"  # make_tmpdir runs in a subshell: register here

# Test pairs: NAME OLD NEW
: > "$d/empty"
printf a > "$d/a"
printf b > "$d/b"
head -c 300000 /dev/urandom > "$d/rand1"
head -c 250000 /dev/urandom > "$d/rand2"
{ cat "$d/rand1"; head -c 50000 /dev/urandom; } > "$d/grown"
head -c 120000 "$d/rand1" > "$d/shrunk"
{ head -c 100000 "$d/rand1"; tail -c 100000 "$d/rand1"; } > "$d/cut"
# A real program and an edited copy: bytes changed every few KB, a block
# inserted, the tail moved -- what a rebuild of a binary looks like.
prog=$(command -v bash)
cp "$prog" "$d/prog1"
python3 - "$d/prog1" "$d/prog2" <<'PY'
import random, sys
random.seed(7)
data = bytearray(open(sys.argv[1], 'rb').read())
for i in range(0, len(data), 3000):
    data[i] = (data[i] + 1) & 0xff
mid = len(data) // 2
data[mid:mid] = bytes(random.randrange(256) for _ in range(5000))
data = data[:100000] + data[200000:] + data[100000:200000]
open(sys.argv[2], 'wb').write(data)
PY

pairs="empty:empty empty:a a:empty a:a a:b rand1:rand1 rand1:rand2 rand1:grown rand1:shrunk rand1:cut prog1:prog2 prog2:prog1"
for pair in $pairs; do
  old=$d/${pair%%:*} new=$d/${pair##*:}
  # Debian's patch, our apply.  Debian's bsdiff cannot mmap an empty file,
  # so for those pairs only our patch (to Debian's bspatch) is tried.
  if [ -s "$old" ] && [ -s "$new" ]; then
    /usr/bin/bsdiff "$old" "$new" "$d/deb.patch" || fail "Debian's bsdiff failed on $pair"
    for mode in --in-memory --bounded --bounded-small; do
      rm -f "$d/out"
      "$BIN/bspatch" $mode "$old" "$d/out" "$d/deb.patch" || fail "our bspatch $mode failed on Debian's patch for $pair"
      cmp -s "$d/out" "$new" || fail "our bspatch $mode on Debian's patch for $pair: wrong result"
    done
    deb_size=$(stat -c %s "$d/deb.patch")
  else
    deb_size="(none)"
  fi
  # Our patch, Debian's apply.
  "$BIN/bsdiff" "$old" "$new" "$d/our.patch" || fail "our bsdiff failed on $pair"
  rm -f "$d/out"
  /usr/bin/bspatch "$old" "$d/out" "$d/our.patch" || fail "Debian's bspatch rejected our patch for $pair"
  cmp -s "$d/out" "$new" || fail "Debian's bspatch on our patch for $pair: wrong result"
  if [ "$deb_size" = "(none)" ]; then
    ok "$pair: ours to Debian's bspatch ($(stat -c %s "$d/our.patch") bytes)"
  else
    ok "$pair both ways ($(stat -c %s "$d/our.patch") bytes ours, $deb_size Debian's)"
  fi
done
echo "all pairs interoperate"
