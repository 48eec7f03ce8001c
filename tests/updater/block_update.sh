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
need_loop
for tool in zip mke2fs debugfs e2fsck brotli cmp; do
  command -v $tool >/dev/null || skip "$tool not installed"
done
for p in updater bsdiff imgdiff; do [ -x "$BIN/$p" ] || fail "$BIN/$p not built"; done

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
