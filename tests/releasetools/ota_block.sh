#!/bin/bash
# Block-based packages as files: img_from_target_files' system.map names
# each file's blocks in Android's format; ota_from_target_files --block (and
# by default when misc_info has blockimgdiff_versions) writes Android's
# layout (system.transfer.list, system.patch.dat stored, and the new data as
# system.new.dat.br, stored, in full packages and system.new.dat in
# incrementals),
# a script the updater's --check finds clean, the same bytes on every run; Debian's brotli
# reads the new data; wrong options and versions are refused by name.
# (Installing them through the updater: ota_block_install.sh.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
for p in make_target_files ota_from_target_files img_from_target_files updater; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
command -v debugfs >/dev/null || skip "debugfs (e2fsprogs) not installed"

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
rt_target_files "$W/tf1.zip" "$W/b" 1 --misc-info system_size=33554432
rt_target_files "$W/tf2.zip" "$W/b" 2 --misc-info system_size=33554432 \
  --misc-info blockimgdiff_versions=3,4 --misc-info cache_size=16777216

# ---- the block map -----------------------------------------------------------
"$BIN/img_from_target_files" "$W/tf1.zip" "$W/img1" || fail "img_from_target_files"
map=$W/img1/system.map
[ -s "$map" ] || fail "no system.map next to system.img"
grep -vqE '^/system/[^ ]+( [0-9]+(-[0-9]+)?)+$' "$map" && fail "a line of system.map is not 'PATH RANGES': $(grep -vE '^/system/[^ ]+( [0-9]+(-[0-9]+)?)+$' "$map" | head -1)"
LC_ALL=C sort -c "$map" || fail "system.map is not in path order"
line=$(grep '^/system/lib/libc.so ' "$map") || fail "libc.so not in system.map"
: > "$W/libc.from-map"
for r in ${line#* }; do
  first=${r%-*}; last=${r#*-}
  dd if="$W/img1/system.img" bs=4096 skip="$first" count=$((last - first + 1)) status=none >> "$W/libc.from-map"
done
size=$(stat -c %s "$W/b/system1/lib/libc.so")
cmp -n "$size" "$W/libc.from-map" "$W/b/system1/lib/libc.so" || fail "system.map's blocks of libc.so are not its bytes"
"$BIN/img_from_target_files" "$W/tf1.zip" "$W/img1b" || fail "img_from_target_files, again"
cmp -s "$map" "$W/img1b/system.map" || fail "two runs gave different system.map"
ok "system.map: Android's format, path order, blocks that hold each file, reproducible"

# ---- full package --------------------------------------------------------------
"$BIN/ota_from_target_files" --block --verify -n "$W/tf1.zip" "$W/full1.zip" 2>"$W/err" || { cat "$W/err"; fail "full --block"; }
"$BIN/ota_from_target_files" --block -n "$W/tf1.zip" "$W/full1-noverify.zip" 2>"$W/err" || { cat "$W/err"; fail "full --block without --verify"; }
unzip -p "$W/full1-noverify.zip" META-INF/com/google/android/updater-script | grep -q range_sha1 &&
  fail "a full package checks the result without --verify"
unzip -v "$W/full1.zip" > "$W/list"
grep -qE 'Stored .* system\.new\.dat\.br$' "$W/list" || fail "system.new.dat.br missing or not stored"
grep -qE 'Stored .* system\.patch\.dat$' "$W/list" || fail "system.patch.dat missing or not stored"
grep -qE ' system\.transfer\.list$' "$W/list" || fail "system.transfer.list missing"
grep -q ' system/' "$W/list" && fail "a block package carries system/ files"
unzip -p "$W/full1.zip" system.transfer.list > "$W/full.tl"
[ "$(sed -n 1p "$W/full.tl")" = 4 ] || fail "transfer list version is not 4"
sed -n 5p "$W/full.tl" | grep -q '^erase ' || fail "a full list does not erase the free blocks first"
grep -qE '^(bsdiff|imgdiff|move|stash) ' "$W/full.tl" && fail "a full list reads the old contents"
unzip -p "$W/full1.zip" META-INF/com/google/android/updater-script > "$W/full.script"
grep -q '^block_image_update("/dev/block/by-name/system", package_extract_file("system.transfer.list"), "system.new.dat.br", "system.patch.dat")' "$W/full.script" ||
  fail "no block_image_update in the full script"
# the result check: the SHA-1 of the image's used blocks (its care map)
care=$(grep -o '^if range_sha1("/dev/block/by-name/system", "[0-9,]*") == "[0-9a-f]*"' "$W/full.script") ||
  fail "the full script does not check the result"
sets=$(echo "$care" | cut -d'"' -f4); want=$(echo "$care" | cut -d'"' -f6)
blocks_of() { # IMAGE SET: the blocks of an "N,a,b,..." set, in order
  local img=$1 i a b
  IFS=, read -r -a n <<< "$2"
  for ((i = 1; i < ${#n[@]}; i += 2)); do
    dd if="$img" bs=4096 skip="${n[i]}" count=$((n[i + 1] - n[i])) status=none
  done
}
[ "$(blocks_of "$W/img1/system.img" "$sets" | sha1sum | cut -c1-40)" = "$want" ] ||
  fail "the full script's result check is not the SHA-1 of system.img's blocks"
used=$(echo "$sets" | awk -F, '{for (i = 2; i < NF; i += 2) n += $(i + 1) - $i; print n}')
free=$(dumpe2fs -h "$W/img1/system.img" 2>/dev/null | sed -n 's/^Free blocks: *//p')
[ "$used" = $((8192 - free)) ] || fail "the checked blocks ($used) are not the used ones ($((8192 - free)))"
grep -q 'package_extract_dir\|format(' "$W/full.script" && fail "a block script unpacks files"
# the updater's own static check: syntax, every function known, argument counts
"$BIN/updater" --check "$W/full1.zip" > "$W/check" 2>&1 || { cat "$W/check"; fail "updater --check finds errors in the full script"; }
if command -v brotli >/dev/null; then
  unzip -p "$W/full1.zip" system.new.dat.br | brotli -dc > "$W/full.new.dat" || fail "Debian's brotli cannot read system.new.dat.br"
  # the new data of a full list is the image's non-zero runs, front to back
  [ "$(stat -c %s "$W/full.new.dat")" = $(( $(grep -o '^new [0-9,]*' "$W/full.tl" | awk -F'[ ,]' '{for (i = 3; i < NF; i += 2) n += $(i + 1) - $i} END {print n}') * 4096 )) ] ||
    fail "the new data is not the size the new commands write"
  ok "full --block: Android's entries, free blocks erased, no reads, script checks the used blocks; brotli reads the new data"
else
  ok "full --block: Android's entries, free blocks erased, no reads, script checks the used blocks (brotli not installed)"
fi

# ---- incremental, block-based because misc_info says so -----------------------
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr.zip" 2>"$W/err" || { cat "$W/err"; fail "incremental"; }
"$BIN/ota_from_target_files" -t 1 -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr-again.zip" 2>/dev/null || fail "incremental, one thread"
cmp -s "$W/incr.zip" "$W/incr-again.zip" || fail "two runs (all cores, one thread) gave different packages"
unzip -v "$W/incr.zip" > "$W/list"
grep -qE ' system\.new\.dat$' "$W/list" || fail "an incremental's new data is not system.new.dat (Android's layout)"
grep -q 'system\.new\.dat\.br' "$W/list" && fail "an incremental carries brotli new data (Android's carry system.new.dat)"
unzip -p "$W/incr.zip" system.transfer.list > "$W/incr.tl"
grep -qE '^bsdiff ' "$W/incr.tl" || fail "no patches in the incremental list"
unzip -l "$W/incr.zip" | grep -q 'patch/boot.img.p' || fail "boot is not a whole-image patch"
unzip -p "$W/incr.zip" META-INF/com/google/android/updater-script > "$W/incr.script"
grep -q '^if (range_sha1("/dev/block/by-name/system", "[0-9,]*") == "[0-9a-f]\{40\}" || block_image_verify(' "$W/incr.script" ||
  fail "the incremental does not check the source first"
grep -q 'block_image_recover(' "$W/incr.script" || fail "no block_image_recover"
grep -q 'check_first_block(' "$W/incr.script" || fail "no check_first_block"
grep -q '^block_image_update(.*"system.new.dat", "system.patch.dat")' "$W/incr.script" ||
  fail "the incremental's update does not read system.new.dat"
[ "$(grep -n 'block_image_verify' "$W/incr.script" | head -1 | cut -d: -f1)" -lt \
  "$(grep -n '^block_image_update' "$W/incr.script" | cut -d: -f1)" ] || fail "verify does not come before the update"
"$BIN/updater" --check "$W/incr.zip" > "$W/check" 2>&1 || { cat "$W/check"; fail "updater --check finds errors in the incremental script"; }
# cache_size=16 MiB: nothing may stash more than 80% of it
[ "$(sed -n 4p "$W/incr.tl")" -le 3355 ] || fail "more stashed than the cache allows"
ok "incremental: block-based by misc_info, verify before update, boot patched, same bytes on any threads"

# ---- versions and options -------------------------------------------------------------
rt_target_files "$W/tf3.zip" "$W/b3" 2 --misc-info blockimgdiff_versions=1,2,3
"$BIN/ota_from_target_files" -n "$W/tf3.zip" "$W/v3.zip" 2>/dev/null || fail "blockimgdiff_versions=1,2,3"
[ "$(unzip -p "$W/v3.zip" system.transfer.list | head -1)" = 3 ] || fail "version 3 not written for an updater that reads 1-3"
rt_target_files "$W/tf4.zip" "$W/b4" 2 --misc-info blockimgdiff_versions=1,2
if "$BIN/ota_from_target_files" -n "$W/tf4.zip" "$W/v2.zip" 2>"$W/err"; then fail "wrote a list the updater cannot read"; fi
grep -q 'blockimgdiff_versions "1,2"' "$W/err" || fail "the error does not name blockimgdiff_versions: $(cat "$W/err")"
"$BIN/ota_from_target_files" --cache-size 12 "$W/tf1.zip" "$W/x.zip" 2>/dev/null; [ $? = 2 ] || fail "--cache-size 12 accepted"
"$BIN/ota_from_target_files" --stash_threshold 2 "$W/tf1.zip" "$W/x.zip" 2>/dev/null; [ $? = 2 ] || fail "--stash_threshold 2 accepted"
"$BIN/ota_from_target_files" --help | grep -q -- '--block' || fail "--help does not list --block"
ok "version from blockimgdiff_versions (3 when the updater reads up to 3, refused below 3); bad options exit 2"
