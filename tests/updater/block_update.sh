#!/bin/bash
# Block-based updates through the real updater, on a loop device, with
# packages in Android's layout (tests/updater/block_images.bash):
#  - an incremental (version 4 list with stashes, a mixed source, imgdiff,
#    bsdiff over its own source, zero, new, erase) turns the source ext4
#    image into the target bit for bit; run again it says "already
#    updated";
#  - a source with one changed block is refused by block_image_verify,
#    which names the blocks, and the device is left exactly as it was;
#  - a full package (erase + new of the whole image) reproduces the target
#    from zeros, plain and brotli-compressed;
#  - range_sha1 and check_first_block give Android's answers.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
. "$(dirname "$0")/block_images.bash"
bi_require

W=$(make_tmpdir)
on_exit "release_under '$W'"
ROOT=$W/root
bi_make_images "$W"
bi_make_incremental "$W"
bi_make_device "$ROOT" "$W"
ok "images: $(wc -l < "$W/diff.blocks") of 4096 blocks differ; list: $(grep -c . "$W/inc/system.transfer.list") lines"

# ---- incremental ------------------------------------------------------------
bi_reset_device "$W/S.img"
bi_run_updater "$W/inc.zip" || { echo "$OUT"; fail "the incremental failed"; }
cmp "$DEV" "$W/T.img" || fail "after the incremental the device is not the target image"
e2fsck -fn "$DEV" >/dev/null 2>&1 || fail "e2fsck of the updated device"
echo "$OUT" | grep -q "Verified system image" || fail "the script did not verify the source first"
echo "$OUT" | grep -q "stashed" || fail "nothing was stashed"
[ -z "$(ls -A "$ROOT/cache/recovery")" ] || fail "stashes or last_command left in /cache/recovery"
ok "incremental: source -> target bit for bit, e2fsck clean, nothing left in /cache/recovery"

bi_run_updater "$W/inc.zip" || { echo "$OUT"; fail "running the incremental again failed"; }
echo "$OUT" | grep -q "system already updated" || fail "a second run did not see the update done"
ok "incremental again: already updated"

# ---- one changed block: refused, nothing written -----------------------------
changed=$(bi_blocks_of "$INC_BIG" | sed -n 5p)
bi_reset_device "$W/S.img"
printf '\x55' | dd of="$DEV" bs=1 seek=$((changed * BS + 777)) conv=notrunc,fsync status=none
before=$(sha1sum < "$DEV")
bi_run_updater "$W/inc.zip" && { echo "$OUT"; fail "the update ran on a changed source"; }
echo "$OUT" | grep -q "E1004: system partition fails to recover" || { echo "$OUT"; fail "no E1004 abort"; }
echo "$OUT" | grep -q "block_image_verify: transfer list line .* (bsdiff): the partition does not hold what this update was made from: source blocks $INC_BIG have SHA-1" ||
  { echo "$OUT"; fail "block_image_verify did not name the changed blocks ($INC_BIG, block $changed)"; }
echo "$OUT" | grep -q "block_image_recover: no error correction data" || fail "block_image_recover did not report"
[ "$(sha1sum < "$DEV")" = "$before" ] || fail "the refused update changed the device"
[ -z "$(ls -A "$ROOT/cache/recovery")" ] || fail "the refused update left files in /cache/recovery"
ok "one changed block (block $changed): verify names $INC_BIG, device untouched"

# ---- full packages from zeros -------------------------------------------------
for kind in plain br; do
  bi_make_full "$W" "$kind"
  dd if=/dev/zero of="$DEV" bs=1M count=16 conv=fsync status=none
  rm -rf "$ROOT/cache/recovery"; mkdir -p "$ROOT/cache/recovery"
  bi_run_updater "$W/full.zip" || { echo "$OUT"; fail "the full ($kind) package failed"; }
  cmp "$DEV" "$W/T.img" || fail "the full ($kind) package did not reproduce the image"
  ok "full package ($kind, $(stat -c %s "$W"/full/system.new.dat* ) bytes of new data): the image bit for bit"
done

# ---- range_sha1 and check_first_block ------------------------------------------
P=$W/probe; mkdir -p "$P/META-INF/com/google/android"
s0=$(bi_sha "$W/T.img" "4,1,3,7,9")
cat > "$P/META-INF/com/google/android/updater-script" <<EOF
range_sha1("/dev/block/by-name/system", "4,1,3,7,9") == "$s0" || abort("range_sha1 differs");
check_first_block("/dev/block/by-name/system");
ui_print("probe done");
EOF
(cd "$P" && zip -q -r "$W/probe.zip" META-INF)
bi_run_updater "$W/probe.zip" || { echo "$OUT"; fail "range_sha1/check_first_block"; }
# T was mounted once to make it: its superblock says so.
echo "$OUT" | grep -q "Device was remounted R/W 1 times" || { echo "$OUT"; fail "check_first_block did not report the mount"; }
ok "range_sha1 of 4,1,3,7,9 matches sha1sum; check_first_block reports the one mount"

# ---- erase discards on a block device ------------------------------------------
head -c 16M /dev/urandom > "$W/noise"
dd if="$W/noise" of="$DEV" bs=1M conv=fsync status=none
used_before=$(du -k "$W/dev.img" | cut -f1)
E=$W/erase; mkdir -p "$E/META-INF/com/google/android"
printf '4\n1\n0\n0\nerase 2,16,4096\nzero 2,0,1\n' > "$E/system.transfer.list"
: > "$E/system.new.dat"; : > "$E/system.patch.dat"
echo 'block_image_update("/dev/block/by-name/system", package_extract_file("system.transfer.list"), "system.new.dat", "system.patch.dat") || abort("E1001");' \
  > "$E/META-INF/com/google/android/updater-script"
bi_zip "$E" "$W/erase.zip"
bi_run_updater "$W/erase.zip" || { echo "$OUT"; fail "the erase package failed"; }
used_after=$(du -k "$W/dev.img" | cut -f1)
# The loop driver discards by punching holes in its backing file.
[ "$used_after" -lt $((used_before / 2)) ] || fail "erase did not discard (backing file ${used_before}k -> ${used_after}k)"
ok "erase: BLKDISCARD on the loop device (backing file ${used_before}k -> ${used_after}k)"

# ---- broken packages: script errors naming the problem, device untouched ----------
bi_reset_device "$W/S.img"
before=$(sha1sum < "$DEV")
bad() { # NAME LIST_TEXT SCRIPT_ARGS EXPECTED
  local B=$W/bad-$1; mkdir -p "$B/META-INF/com/google/android"
  printf '%b' "$2" > "$B/system.transfer.list"
  : > "$B/system.new.dat"; : > "$B/system.patch.dat"
  echo "block_image_update($3) || abort(\"E1001\");" > "$B/META-INF/com/google/android/updater-script"
  bi_zip "$B" "$W/bad-$1.zip"
  bi_run_updater "$W/bad-$1.zip" && { echo "$OUT"; fail "bad package $1 succeeded"; }
  echo "$OUT" | grep -qF "$4" || { echo "$OUT"; fail "bad package $1: no \"$4\""; }
  [ "$(sha1sum < "$DEV")" = "$before" ] || fail "bad package $1 changed the device"
}
args='"/dev/block/by-name/system", package_extract_file("system.transfer.list"), "system.new.dat", "system.patch.dat"'
bad command '4\n1\n0\n0\nzero 2,0,1\nfrobnicate 2,0,1\n' "$args" 'transfer list line 6: unknown command "frobnicate"'
bad version '5\n1\n0\n0\nzero 2,0,1\n' "$args" 'transfer list line 1: version "5" is not a number from 1 to 4'
bad toolarge '4\n1\n0\n0\nzero 2,0,1\nnew 2,4000,4097\n' "$args" 'past the end of the target partition (4096 blocks)'
bad shortdata '4\n1\n0\n0\nnew 2,0,1\n' "$args" 'line 5 (new): the new data ends 4096 bytes short'
bad entry '4\n1\n0\n0\nzero 2,0,1\n' \
  '"/dev/block/by-name/system", package_extract_file("system.transfer.list"), "vendor.new.dat", "system.patch.dat"' \
  'no entry "vendor.new.dat" in the package'
bad argc '4\n1\n0\n0\nzero 2,0,1\n' \
  '"/dev/block/by-name/system", package_extract_file("system.transfer.list"), "system.new.dat"' \
  'expects 4 arguments, got 3'
ok "broken packages (unknown command, version, past the end, short new data, missing entry, 3 arguments): refused with the reason, device untouched"
