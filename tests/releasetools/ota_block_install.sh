#!/bin/bash
# Block-based packages through the real updater on loop devices (build 1
# and 2 of the fixtures: files changed, grown, renamed, deleted, new):
#   - the full block package turns a partition of zeros, or of garbage, into
#     build 1's system.img bit for bit (it writes the blocks the filesystem
#     uses and erases the free ones, which a loop device then reads as zeros);
#   - the incremental turns build 1's image into build 2's bit for bit (boot
#     patched too), and running it again changes nothing;
#   - killed (-9) at random moments and run again, it still ends at build 2
#     bit for bit;
#   - on a source with one changed block it stops in the verify phase,
#     naming the changed blocks, and writes nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_loop
for p in make_target_files ota_from_target_files img_from_target_files updater; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
grep -q block_image_update "$BIN/updater" || skip "the updater has no block_image_update"

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
SIZE=33554432
rt_target_files "$W/tf1.zip" "$W/b" 1 --misc-info system_size=$SIZE --misc-info blockimgdiff_versions=3,4
rt_target_files "$W/tf2.zip" "$W/b" 2 --misc-info system_size=$SIZE --misc-info blockimgdiff_versions=3,4
for v in 1 2; do
  "$BIN/img_from_target_files" "$W/tf$v.zip" "$W/img$v" || fail "img_from_target_files $v"
  "$BIN/ota_from_target_files" -n "$W/tf$v.zip" "$W/full$v.zip" 2>/dev/null || fail "full block package $v"
  unzip -p "$W/full$v.zip" boot.img > "$W/boot$v.img"
done
# a small cache, so that the list stashes and cuts pieces
"$BIN/ota_from_target_files" --cache-size 1048576 -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr.zip" 2>/dev/null ||
  fail "incremental block package"
unzip -p "$W/incr.zip" system.transfer.list | grep -q '^stash ' || fail "the incremental does not stash (the test wants it to)"

R=$W/dev
rt_device "$R"
sysdev=$R/dev/block/by-name/system
bootdev=$R/dev/block/by-name/boot
install() { # PACKAGE LOG
  RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$1" > "$2" 2>&1
}
holds() { # IMAGE DEVICE: the device starts with the image's bytes
  cmp -s -n "$(stat -c %s "$1")" "$1" "$2"
}
put() { # IMAGE DEVICE
  dd if="$1" of="$2" bs=1M conv=fsync status=none || fail "dd $1"
}

# ---- full -------------------------------------------------------------------------
dd if=/dev/zero of="$sysdev" bs=1M conv=fsync status=none 2>/dev/null
install "$W/full1.zip" "$W/log" || { cat "$W/log"; fail "full block package on zeros"; }
holds "$W/img1/system.img" "$sysdev" || fail "full package on zeros: not build 1's system.img"
holds "$W/boot1.img" "$bootdev" || fail "full package: boot is not build 1's"
head -c 48M /dev/urandom | dd of="$sysdev" bs=1M conv=fsync status=none 2>/dev/null
install "$W/full1.zip" "$W/log" || { cat "$W/log"; fail "full block package on garbage"; }
holds "$W/img1/system.img" "$sysdev" || fail "full package on garbage: not build 1's system.img"
e2fsck -fn "$sysdev" >/dev/null 2>&1 || fail "the installed system is not e2fsck-clean"
ok "full block package: build 1's system.img bit for bit, from zeros and from garbage"

# ---- incremental -----------------------------------------------------------------------
install "$W/incr.zip" "$W/log" || { cat "$W/log"; fail "incremental on build 1"; }
holds "$W/img2/system.img" "$sysdev" || fail "incremental: not build 2's system.img"
holds "$W/boot2.img" "$bootdev" || fail "incremental: boot is not build 2's"
install "$W/incr.zip" "$W/log" || { cat "$W/log"; fail "re-running the finished incremental"; }
holds "$W/img2/system.img" "$sysdev" || fail "re-running changed the partition"
ok "incremental: build 2's system.img and boot bit for bit; running it again changes nothing"

# ---- killed and run again ----------------------------------------------------------------
put "$W/img1/system.img" "$sysdev"; put "$W/boot1.img" "$bootdev"
start=$(date +%s%N)
install "$W/incr.zip" "$W/log" || fail "timing run"
span_ms=$(( ($(date +%s%N) - start) / 1000000 + 1 ))
killed=0
for round in 1 2 3 4 5 6 7 8; do
  put "$W/img1/system.img" "$sysdev"; put "$W/boot1.img" "$bootdev"
  for k in 1 2; do
    RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/incr.zip" > "$W/log" 2>&1 &
    pid=$!
    ms=$((RANDOM % span_ms))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
  done
  install "$W/incr.zip" "$W/log" || { cat "$W/log"; fail "re-run after kill -9 failed (round $round)"; }
  holds "$W/img2/system.img" "$sysdev" || fail "killed and re-run: not build 2's system.img (round $round)"
  holds "$W/boot2.img" "$bootdev" || fail "killed and re-run: boot is not build 2's (round $round)"
done
ok "killed $killed times at random moments (within ${span_ms} ms runs) and re-run: build 2 bit for bit"

# ---- a source with one changed block -------------------------------------------------------
put "$W/img1/system.img" "$sysdev"; put "$W/boot1.img" "$bootdev"
# the first block the update reads (from the script's range_sha1 check)
ranges=$(unzip -p "$W/incr.zip" META-INF/com/google/android/updater-script |
  grep -o '^if (range_sha1("[^"]*", "[0-9,]*"' | grep -o '"[0-9,]*"$' | tr -d '"')
# the last range's first block: file data, far from the metadata at the start
blk=$(echo "$ranges" | awk -F, '{print $(NF - 1)}')
[ -n "$blk" ] || fail "no range_sha1 source check in the script"
printf 'X' | dd of="$sysdev" bs=1 seek=$((blk * 4096 + 100)) conv=notrunc,fsync status=none
before=$(sha1sum < "$sysdev"); boot_before=$(sha1sum < "$bootdev")
if install "$W/incr.zip" "$W/log"; then fail "incremental applied to a changed source"; fi
grep -q 'E1004\|fails to recover' "$W/log" || { cat "$W/log"; fail "the failure is not the verify phase's"; }
# a range set the failure names ("N,a,b,...") holds the changed block
named=0
for set in $(grep -oE '\b[0-9]+(,[0-9]+)+' "$W/log"); do
  echo "$set" | awk -F, -v b="$blk" '{for (i = 2; i < NF; i += 2) if (b >= $i && b < $(i + 1)) f = 1} END {exit !f}' && named=1
done
[ "$named" = 1 ] || { cat "$W/log"; fail "the failure names no range holding the changed block $blk"; }
[ "$(sha1sum < "$sysdev")" = "$before" ] || fail "a failed verify wrote to the system partition"
[ "$(sha1sum < "$bootdev")" = "$boot_before" ] || fail "a failed verify wrote to boot"
ok "one changed block (block $blk): refused in the verify phase, named, nothing written"
