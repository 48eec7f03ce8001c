#!/bin/bash
# Interruption: applypatch patching in place is killed with SIGKILL at
# random moments (several times per round), then run again to completion.
# After every kill, the file or partition still has the old content, the
# new content, or the saved copy in the cache holds the old content
# (checked with `applypatch -c`); the final run always produces the exact
# target and removes the saved copy.  Two layouts: a file on a mounted
# ext4 loop image (or a plain folder without root), and an EMMC partition
# on a loop device (or a file standing in for one without root).
# ROUNDS=N changes the number of rounds per layout (default 30).
. "$(dirname "$0")/../lib.sh"

for p in applypatch bsdiff; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
ROUNDS=${ROUNDS:-30}
tmp=$(make_tmpdir)
root=$tmp/root
mkdir -p "$root/cache" "$root/system" "$root/dev/block/by-name"

# ~9 MB of text and a version with a change every 5000 lines.
awk 'BEGIN{srand(7); for(i=0;i<300000;i++) printf "line %d value %d %s\n", i, int(rand()*1e6), (i%7?"alpha":"beta")}' > "$tmp/old"
awk 'BEGIN{srand(7); for(i=0;i<300000;i++) { v=int(rand()*1e6); if (i%5000==17) v++; printf "line %d value %d %s\n", i, v, (i%7?"alpha":"beta")}}' > "$tmp/new"
"$BIN/bsdiff" "$tmp/old" "$tmp/new" "$tmp/patch" || fail "bsdiff"
old_sha=$(sha1sum < "$tmp/old" | cut -c1-40); new_sha=$(sha1sum < "$tmp/new" | cut -c1-40)
old_size=$(stat -c %s "$tmp/old"); new_size=$(stat -c %s "$tmp/new")
cp "$tmp/patch" "$root/cache/update.p"

# Without root the "partitions" are files; with root they are real.
if [ "$(id -u)" -eq 0 ] && command -v losetup >/dev/null && dev=$(losetup -f --show "$(truncate -s 16M "$tmp/part.img" && echo "$tmp/part.img")" 2>/dev/null); then
  on_exit "losetup -d '$dev'"
  ln -s "$dev" "$root/dev/block/by-name/boot"
  make_ext4 "$tmp/system.img" 64
  mount -o loop "$tmp/system.img" "$root/system" || fail "mount system image"
  on_exit "umount -l '$root/system'"
  layout="loop device and mounted ext4"
else
  truncate -s 16M "$tmp/part.img"
  ln -s "$tmp/part.img" "$root/dev/block/by-name/boot"
  layout="files (no root or loop devices: not testing real devices)"
fi
echo "layout: $layout"
export RECOVERY_ROOT=$root

rand_delay() { # seconds, uniform in [0, $1 ms]
  local ms=$(( RANDOM % ($1 + 1) ))
  printf '0.%03d' "$ms"
}

now_ms() { date +%s%3N; }

# scenario NAME RESET_FN CHECK_SPEC APPLY_ARGS...
scenario() {
  local name=$1 reset=$2 spec=$3; shift 3
  "$reset"
  local t0 t1 full
  t0=$(now_ms); "$BIN/applypatch" "$@" || fail "$name: uninterrupted run failed"; t1=$(now_ms)
  full=$(( t1 - t0 + 20 ))
  [ "$full" -gt 999 ] && full=999
  local round kills k pid rc mid=0 late=0 st_copy=0 st_done=0 st_before=0
  for ((round = 1; round <= ROUNDS; round++)); do
    "$reset"
    kills=$(( RANDOM % 3 + 1 ))
    for ((k = 0; k < kills; k++)); do
      "$BIN/applypatch" "$@" >/dev/null 2>&1 &
      pid=$!
      sleep "$(rand_delay "$full")"
      kill -9 "$pid" 2>/dev/null
      rc=0; { wait "$pid"; } 2>/dev/null || rc=$?
      if [ "$rc" -eq 137 ]; then mid=$((mid + 1)); else late=$((late + 1)); fi
      [ "$rc" -eq 0 ] || [ "$rc" -eq 137 ] || fail "$name round $round: applypatch failed (exit $rc) before the kill"
      # The invariant: a good source or the finished target is always there.
      "$BIN/applypatch" -c "$spec" "$old_sha" "$new_sha" ||
        fail "$name round $round: after a kill neither the target, the source nor the saved copy is valid"
      # Where the kills landed, for the record.
      if [ -e "$root/cache/saved.file" ]; then st_copy=$((st_copy + 1))
      elif "$BIN/applypatch" -c "$spec" "$new_sha" 2>/dev/null; then st_done=$((st_done + 1))
      else st_before=$((st_before + 1)); fi
    done
    "$BIN/applypatch" "$@" || fail "$name round $round: the run after $kills kill(s) failed"
    "$BIN/applypatch" -c "$spec" "$new_sha" || fail "$name round $round: wrong result"
    [ ! -e "$root/cache/saved.file" ] || fail "$name round $round: saved copy left behind"
  done
  ok "$name: $ROUNDS rounds, $mid kills mid-run and $late after the end (full run ~$((t1 - t0)) ms); left: $st_before source only, $st_copy with saved copy, $st_done finished"
}

reset_file() {
  rm -f "$root/cache/saved.file" "$root/system/app.bin.patch"
  cp "$tmp/old" "$root/system/app.bin"
  sync
}
scenario "file in place" reset_file /system/app.bin \
  /system/app.bin - "$new_sha" "$new_size" "$old_sha:/cache/update.p"

reset_part() {
  rm -f "$root/cache/saved.file"
  dd if=/dev/urandom of="$root/dev/block/by-name/boot" bs=1M count=16 conv=notrunc,fsync status=none 2>/dev/null
  dd if="$tmp/old" of="$root/dev/block/by-name/boot" conv=notrunc,fsync status=none
}
part=/dev/block/by-name/boot
scenario "EMMC partition in place" reset_part "EMMC:$part:$old_size:$old_sha:$new_size:$new_sha" \
  "EMMC:$part:$old_size:$old_sha" - "$new_sha" "$new_size" "$old_sha:/cache/update.p"
