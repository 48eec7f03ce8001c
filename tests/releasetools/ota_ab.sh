#!/bin/bash
# A/B packages: ota_from_target_files --ab (and by default when misc_info has
# ab_update=true) writes metadata with ota-type=AB, the signed record
# META-INF/com/android/ab_partitions (each partition's size and the SHA-256
# of exactly img_from_target_files' image), per-partition transfer lists
# that never stash (the source is the other slot) and, in incrementals, the
# source blocks read with their SHA-256 -- the hash of exactly those blocks
# of the source build's image.  An updater-script that aborts, so recovery
# refuses it by name; the same bytes on every run.  (Installing them:
# tests/agent/agent_ab_*.sh.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
rt_need make_target_files ota_from_target_files img_from_target_files

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
rt_target_files "$W/tf1.zip" "$W/b" 1 --misc-info system_size=33554432
rt_target_files "$W/tf2.zip" "$W/b" 2 --misc-info system_size=33554432 --misc-info ab_update=true
"$BIN/img_from_target_files" "$W/tf1.zip" "$W/img1" >/dev/null || fail "img_from_target_files 1"
"$BIN/img_from_target_files" "$W/tf2.zip" "$W/img2" >/dev/null || fail "img_from_target_files 2"

record() { unzip -p "$1" META-INF/com/android/ab_partitions | sed -n "s/^$2=//p"; }
blocks_of() { # IMAGE SET: the blocks of an "N,a,b,..." set, in order
  local i
  IFS=, read -r -a n <<< "$2"
  for ((i = 1; i < ${#n[@]}; i += 2)); do
    dd if="$1" bs=4096 skip="${n[i]}" count=$((n[i + 1] - n[i])) status=none
  done
}

# ---- full ------------------------------------------------------------------------
"$BIN/ota_from_target_files" --ab "$W/tf1.zip" "$W/full1.zip" 2>"$W/err" || { cat "$W/err"; fail "full --ab"; }
"$BIN/ota_from_target_files" "$W/tf2.zip" "$W/full2.zip" 2>"$W/err" || { cat "$W/err"; fail "full, ab_update=true"; }
for z in full1 full2; do
  unzip -p "$W/$z.zip" META-INF/com/android/metadata | grep -qx 'ota-type=AB' || fail "$z: metadata lacks ota-type=AB"
  unzip -l "$W/$z.zip" | grep -q ' META-INF/com/android/ab_partitions$' || fail "$z: no ab_partitions"
  [ "$(record "$W/$z.zip" partitions)" = boot,system ] || fail "$z: partitions=$(record "$W/$z.zip" partitions)"
  v=${z#full}
  for part in boot system; do
    [ "$(record "$W/$z.zip" $part.sha256)" = "$(sha256sum < "$W/img$v/$part.img" | cut -c1-64)" ] ||
      fail "$z: $part.sha256 is not the SHA-256 of img_from_target_files' $part.img"
    [ "$(record "$W/$z.zip" $part.size)" = "$(stat -c %s "$W/img$v/$part.img")" ] || fail "$z: $part.size"
    [ "$(record "$W/$z.zip" $part.slotted)" = yes ] || fail "$z: $part not slotted"
    [ -z "$(record "$W/$z.zip" $part.source-ranges)" ] || fail "$z: a full package reads a source"
    unzip -p "$W/$z.zip" $part.transfer.list > "$W/tl"
    grep -qE '^(move|bsdiff|imgdiff|stash|free) ' "$W/tl" && fail "$z: $part's list reads the old slot"
    [ "$(sed -n 2p "$W/tl")" = $(( ($(stat -c %s "$W/img$v/$part.img") + 4095) / 4096 )) ] ||
      fail "$z: $part's list does not write every block of the image"
  done
  unzip -v "$W/$z.zip" | grep -qE 'Stored .* system\.new\.dat\.br$' || fail "$z: system.new.dat.br missing or not stored"
  unzip -p "$W/$z.zip" META-INF/com/google/android/updater-script | grep -q 'abort("A/B package' ||
    fail "$z: the updater-script does not refuse recovery"
  unzip -l "$W/$z.zip" | grep -q 'update-binary' && fail "$z: an A/B package carries an update-binary"
done
"$BIN/ota_from_target_files" --ab "$W/tf1.zip" "$W/full1-again.zip" 2>/dev/null || fail "full --ab again"
cmp -s "$W/full1.zip" "$W/full1-again.zip" || fail "two runs gave different A/B packages"
"$BIN/ota_from_target_files" "$W/tf1.zip" "$W/plain.zip" 2>/dev/null || fail "full, no ab"
unzip -p "$W/plain.zip" META-INF/com/android/metadata | grep -q 'ota-type' && fail "a non-A/B package says ota-type"
ok "full A/B: ota-type=AB by --ab and by ab_update=true, images' sizes and SHA-256, every block written, nothing read, recovery refused, reproducible"

# ---- incremental -----------------------------------------------------------------
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr.zip" 2>"$W/err" || { cat "$W/err"; fail "incremental"; }
"$BIN/ota_from_target_files" -t 1 -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr-again.zip" 2>/dev/null || fail "incremental, one thread"
cmp -s "$W/incr.zip" "$W/incr-again.zip" || fail "two runs (all cores, one thread) gave different incrementals"
unzip -p "$W/incr.zip" META-INF/com/android/metadata > "$W/md"
grep -qx 'ota-type=AB' "$W/md" && grep -q '^pre-build=' "$W/md" || fail "incremental metadata: $(cat "$W/md")"
for part in boot system; do
  ranges=$(record "$W/incr.zip" $part.source-ranges)
  [ -n "$ranges" ] || fail "$part: an incremental records no source blocks"
  cp "$W/img1/$part.img" "$W/src.img"   # as a slot holds it: whole blocks, zero-padded
  truncate -s $(( ($(stat -c %s "$W/src.img") + 4095) / 4096 * 4096 )) "$W/src.img"
  [ "$(blocks_of "$W/src.img" "$ranges" | sha256sum | cut -c1-64)" = "$(record "$W/incr.zip" $part.source-sha256)" ] ||
    fail "$part.source-sha256 is not the SHA-256 of those blocks of the source image"
  [ "$(record "$W/incr.zip" $part.sha256)" = "$(sha256sum < "$W/img2/$part.img" | cut -c1-64)" ] ||
    fail "$part.sha256 is not the target image's"
  unzip -p "$W/incr.zip" $part.transfer.list > "$W/tl"
  grep -qE '^(stash|free) ' "$W/tl" && fail "$part: an A/B list stashes"
  [ "$(sed -n 3,4p "$W/tl" | tr '\n' ' ')" = "0 0 " ] || fail "$part: the list's stash header is not 0 0"
  [ "$(sed -n 2p "$W/tl")" = $(( ($(stat -c %s "$W/img2/$part.img") + 4095) / 4096 )) ] ||
    fail "$part: the incremental does not write every block of the image"
done
grep -qE '^(bsdiff|imgdiff|move) ' "$W/tl" || fail "the incremental reads nothing from the active slot"
# new data first, so the device reads the package's data in one pass
first_other=$(grep -nE '^(zero|move|bsdiff|imgdiff) ' "$W/tl" | head -1 | cut -d: -f1)
last_new=$(grep -nE '^new ' "$W/tl" | tail -1 | cut -d: -f1)
[ -z "$last_new" ] || [ "$last_new" -lt "$first_other" ] || fail "a new command comes after a move or patch"
[ "$(stat -c %s "$W/incr.zip")" -lt "$(stat -c %s "$W/full2.zip")" ] || fail "the incremental is not smaller than the full package"
ok "incremental A/B: source blocks and their SHA-256 recorded, no stashes, every block written, new data first, reproducible"

# ---- bad input -------------------------------------------------------------------
rt_target_files "$W/tf3.zip" "$W/b3" 2 --misc-info ab_update=true --misc-info "ab_partitions=system vendor"
"$BIN/ota_from_target_files" "$W/tf3.zip" "$W/x.zip" 2>"$W/err" && fail "ab_partitions naming a missing image accepted"
grep -q 'vendor' "$W/err" || fail "the error does not name vendor: $(cat "$W/err")"
"$BIN/ota_from_target_files" --help | grep -q -- '--ab' || fail "--help does not list --ab"
"$BIN/ota_from_target_files" --ab --payload-compression xz "$W/tf1.zip" "$W/x.zip" 2>"$W/err" &&
  fail "--ab with --payload-compression xz accepted"
grep -q 'brotli new data already' "$W/err" || fail "--ab --payload-compression: $(cat "$W/err")"
[ ! -e "$W/x.zip" ] || fail "--ab --payload-compression left a package"
ok "ab_partitions naming an image the build lacks is refused by name; --help lists --ab; --payload-compression is refused for A/B packages"
