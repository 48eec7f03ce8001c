# Sourced by the block-update tests after tests/lib.sh: two real ext4
# images and the packages that turn one into the other, built by hand in
# the layout Android's generator writes (system.transfer.list,
# system.new.dat[.br], system.patch.dat, an updater-script that verifies the
# source before changing anything).
#
#   bi_make_images DIR   DIR/S.img (the device's build), DIR/T.img (the new one):
#                        16 MiB ext4 (4 KiB blocks, no journal) made with
#                        mke2fs -d; T is S mounted and edited, so files keep
#                        their blocks: two files swap contents (a cycle: a
#                        stash), one is rebuilt from itself and a piece of a
#                        swapped file (mixed source: blocks, locs, a stash),
#                        a gzip file changes (imgdiff), a binary changes in
#                        place (bsdiff over its own source), one is zeroed
#                        (zero), one is new and the metadata changes (new),
#                        free space (erase).
#   bi_make_incremental DIR   DIR/inc/ and DIR/inc.zip: a version 4 list
#   bi_make_full DIR [br]     DIR/full/ and DIR/full.zip: erase + new of T
#
# Block numbers come from debugfs; hashes from sha1sum; patches from our
# bsdiff and imgdiff.

BS=4096

# Skips (77) without root, loop devices or the tools; fails when ours are not built.
bi_require() {
  need_loop
  local tool p
  for tool in zip mke2fs debugfs e2fsck brotli cmp; do
    command -v $tool >/dev/null || skip "$tool not installed"
  done
  for p in updater bsdiff imgdiff; do [ -x "$BIN/$p" ] || fail "$BIN/$p not built"; done
}

# Blocks (one per argument, ascending or not) -> Android's range set text.
bi_ranges() {
  local out="" n=0 start="" prev="" b
  for b in "$@"; do
    if [ -n "$prev" ] && [ "$b" -eq $((prev + 1)) ]; then prev=$b; continue; fi
    [ -n "$start" ] && { out="$out,$start,$((prev + 1))"; n=$((n + 2)); }
    start=$b; prev=$b
  done
  [ -n "$start" ] && { out="$out,$start,$((prev + 1))"; n=$((n + 2)); }
  echo "$n$out"
}

# The blocks of a range set, one per line.
bi_blocks_of() {
  local IFS=,; set -- $1; shift
  while [ $# -ge 2 ]; do seq "$1" $(($2 - 1)); shift 2; done
}

# The bytes of a range set's blocks of IMG, in order, to stdout.
bi_extract() {
  local img=$1 IFS=,; set -- $2; shift
  while [ $# -ge 2 ]; do
    dd if="$img" bs=$BS skip="$1" count=$(($2 - $1)) status=none
    shift 2
  done
}

bi_sha() { bi_extract "$1" "$2" | sha1sum | cut -c1-40; }

# A file's blocks in an image.
bi_file_blocks() {
  debugfs -R "blocks $2" "$1" 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+$'
}

bi_text() { # N VARIANT: text that compresses
  awk -v n="$1" -v v="$2" 'BEGIN{for(i=0;i<n;i++) printf "entry %d of the %s table: %d\n", i, (v?"new":"old"), (v && i%41==7) ? i*3 : i}'
}

bi_make_images() {
  local d=$1 m=$1/mnt
  mkdir -p "$d/src" "$m"
  head -c $((8 * BS)) /dev/urandom > "$d/src/a.bin"
  head -c $((8 * BS)) /dev/urandom > "$d/src/b.bin"
  head -c $((4 * BS)) /dev/urandom > "$d/src/c.bin"
  head -c $((12 * BS)) /dev/urandom > "$d/src/big.bin"
  head -c $((3 * BS)) /dev/urandom > "$d/src/zeroed.bin"
  bi_text 3100 0 | gzip -9 > "$d/src/lib.gz"
  bi_text 200 0 > "$d/src/same.txt"
  rm -f "$d/S.img"; truncate -s 16M "$d/S.img"
  mke2fs -q -F -t ext4 -b $BS -O ^has_journal -U 6b8f3d1c-0000-4000-8000-000000000001 \
    -E root_owner=0:0,hash_seed=6b8f3d1c-0000-4000-8000-000000000002 -d "$d/src" "$d/S.img" ||
    fail "mke2fs of the source image"
  cp "$d/S.img" "$d/T.img"
  mount -o loop,noatime "$d/T.img" "$m" || fail "mount of the target image"
  # swap a and b in place
  cp "$m/a.bin" "$d/a.old"; cp "$m/b.bin" "$d/b.old"
  dd if="$d/b.old" of="$m/a.bin" conv=notrunc status=none
  dd if="$d/a.old" of="$m/b.bin" conv=notrunc status=none
  # c: its first half, then b's first half (as it was), one byte changed
  { head -c $((2 * BS)) "$d/src/c.bin"; head -c $((2 * BS)) "$d/b.old"; } > "$d/c.new"
  printf 'X' | dd of="$d/c.new" bs=1 seek=$((3 * BS + 5)) conv=notrunc status=none
  dd if="$d/c.new" of="$m/c.bin" conv=notrunc status=none
  # lib.gz: other text, padded to the same size
  bi_text 3000 1 | gzip -9 > "$d/lib.new"
  local old new; old=$(stat -c %s "$m/lib.gz"); new=$(stat -c %s "$d/lib.new")
  [ "$new" -le "$old" ] || fail "the new gzip member is larger than the old one"
  { cat "$d/lib.new"; head -c $((old - new)) /dev/zero; } | dd of="$m/lib.gz" conv=notrunc status=none
  # big: a few bytes changed in place
  for off in 100 9000 30000 45000; do printf 'changed' | dd of="$m/big.bin" bs=1 seek=$off conv=notrunc status=none; done
  dd if=/dev/zero of="$m/zeroed.bin" bs=$BS count=3 conv=notrunc status=none
  head -c $((5 * BS)) /dev/urandom > "$m/new.bin"
  umount "$m" || fail "umount of the target image"
  e2fsck -fn "$d/T.img" >/dev/null 2>&1 || fail "the target image does not pass e2fsck"
}

# Blocks (one per line) that differ between two images.
bi_differing_blocks() {
  cmp -l "$1" "$2" | awk -v bs=$BS '{print int(($1 - 1) / bs)}' | uniq
}

# Blocks of IMG that are entirely zero, among those given on stdin.
bi_zero_blocks_of() {
  local img=$1 b
  while read -r b; do
    dd if="$img" bs=$BS skip="$b" count=1 status=none | cmp -s - <(head -c $BS /dev/zero) && echo "$b"
  done
}

bi_updater_script() { # DIR/pkg SRC_RANGES SRC_SHA TGT_RANGES TGT_SHA
  local dev=/dev/block/by-name/system
  local args="\"$dev\", package_extract_file(\"system.transfer.list\"), \"system.new.dat$NEWEXT\", \"system.patch.dat\""
  mkdir -p "$1/META-INF/com/google/android"
  cat > "$1/META-INF/com/google/android/updater-script" <<EOF
ui_print("Verifying the system partition...");
if (range_sha1("$dev", "$4") == "$5") then
  ui_print("system already updated");
else
  if (range_sha1("$dev", "$2") == "$3" || block_image_verify($args)) then
    ui_print("Verified system image...");
  else
    check_first_block("$dev");
    ifelse (block_image_recover("$dev", "$2") && block_image_verify($args),
            ui_print("system recovered successfully."),
            abort("E1004: system partition fails to recover"));
  endif;
  ui_print("Patching system image after verification.");
  block_image_update($args) || abort("E1001: Failed to update system image.");
endif;
range_sha1("$dev", "$4") == "$5" || abort("E1005: the system partition is not what the update makes");
ui_print("done");
EOF
}

bi_zip() { # DIR/pkg OUT.zip
  rm -f "$2"
  (cd "$1" && zip -q -X -r "$2" META-INF system.transfer.list system.new.dat* &&
     zip -q -X -0 "$2" system.patch.dat) || fail "zip of $2"
}

bi_make_incremental() {
  local d=$1 p=$1/inc S=$1/S.img T=$1/T.img
  mkdir -p "$p"
  local A B C GZ BIG ZR B01 C01
  A=$(bi_ranges $(bi_file_blocks "$S" /a.bin)); B=$(bi_ranges $(bi_file_blocks "$S" /b.bin))
  C=$(bi_ranges $(bi_file_blocks "$S" /c.bin)); GZ=$(bi_ranges $(bi_file_blocks "$S" /lib.gz))
  BIG=$(bi_ranges $(bi_file_blocks "$S" /big.bin)); ZR=$(bi_ranges $(bi_file_blocks "$S" /zeroed.bin))
  B01=$(bi_ranges $(bi_file_blocks "$S" /b.bin | head -2)); C01=$(bi_ranges $(bi_file_blocks "$S" /c.bin | head -2))
  local nb; nb=$(bi_blocks_of "$GZ" | wc -l)
  [ "$(bi_blocks_of "$A" | wc -l)" = 8 ] && [ "$(bi_blocks_of "$C" | wc -l)" = 4 ] || fail "unexpected file layout"

  # patches, concatenated in command order
  : > "$p/system.patch.dat"
  local off=0 len
  patch_of() { # NAME SRCDATA TGTDATA TOOL... -> appends, sets $P (OFFSET LEN)
    "${@:4}" "$2" "$3" "$d/$1.p" || fail "$4 for $1"
    len=$(stat -c %s "$d/$1.p"); cat "$d/$1.p" >> "$p/system.patch.dat"
    P="$off $len"; off=$((off + len))
  }
  { bi_extract "$S" "$C01"; bi_extract "$S" "$B01"; } > "$d/c.src"; bi_extract "$T" "$C" > "$d/c.tgt"
  bi_extract "$S" "$GZ" > "$d/gz.src"; bi_extract "$T" "$GZ" > "$d/gz.tgt"
  bi_extract "$S" "$BIG" > "$d/big.src"; bi_extract "$T" "$BIG" > "$d/big.tgt"
  patch_of c "$d/c.src" "$d/c.tgt" "$BIN/bsdiff"; local PC=$P
  patch_of gz "$d/gz.src" "$d/gz.tgt" "$BIN/imgdiff"; local PG=$P
  head -c 8 "$d/gz.p" | grep -q IMGDIFF2 || fail "imgdiff did not make an IMGDIFF2 patch"
  patch_of big "$d/big.src" "$d/big.tgt" "$BIN/bsdiff"; local PB=$P

  local HA HB01 HC HCT
  HA=$(bi_sha "$S" "$A"); HB01=$(bi_sha "$S" "$B01")
  HC=$(sha1sum < "$d/c.src" | cut -c1-40); HCT=$(bi_sha "$T" "$C")

  # Every other block that differs: zero when T has zeros there, else new.
  declare -A covered=()
  local b
  for b in $(bi_blocks_of "$A") $(bi_blocks_of "$B") $(bi_blocks_of "$C") $(bi_blocks_of "$GZ") \
           $(bi_blocks_of "$BIG") $(bi_blocks_of "$ZR"); do covered[$b]=1; done
  bi_differing_blocks "$S" "$T" > "$d/diff.blocks"
  local rest=() zeros=()
  while read -r b; do [ -n "${covered[$b]:-}" ] || rest+=("$b"); done < "$d/diff.blocks"
  mapfile -t zeros < <(printf '%s\n' "${rest[@]}" | bi_zero_blocks_of "$T")
  declare -A zset=(); for b in "${zeros[@]}"; do zset[$b]=1; done
  local news=(); for b in "${rest[@]}"; do [ -n "${zset[$b]:-}" ] || news+=("$b"); done
  local NEW ZERO; NEW=$(bi_ranges "${news[@]}"); ZERO=$(bi_ranges $(bi_blocks_of "$ZR") "${zeros[@]}")
  bi_extract "$T" "$NEW" > "$p/system.new.dat"
  # Free space: zero in both images and written by no command.
  local total; total=$(( $(stat -c %s "$T") / BS ))
  cmp -l "$S" <(head -c $((total * BS)) /dev/zero) | awk -v bs=$BS '{print int(($1 - 1) / bs)}' | uniq > "$d/s.nonzero"
  cmp -l "$T" <(head -c $((total * BS)) /dev/zero) | awk -v bs=$BS '{print int(($1 - 1) / bs)}' | uniq > "$d/t.nonzero"
  local ERASE; ERASE=$(bi_ranges $(seq 0 $((total - 1)) | sort | comm -23 - <(sort -u "$d/s.nonzero" "$d/t.nonzero") | sort -n))

  local nnew nzero written
  nnew=$(bi_blocks_of "$NEW" | wc -l); nzero=$(bi_blocks_of "$ZERO" | wc -l)
  written=$((8 + 8 + 4 + nb + 12 + nzero + nnew))
  cat > "$p/system.transfer.list" <<EOF
4
$written
2
10
stash $HA $A
stash $HB01 $B01
move $(bi_sha "$S" "$B") $A 8 $B
move $HA $B 8 - $HA:2,0,8
free $HA
bsdiff $PC $HC $HCT $C 4 $C01 2,0,2 $HB01:2,2,4
free $HB01
imgdiff $PG $(bi_sha "$S" "$GZ") $(bi_sha "$T" "$GZ") $GZ $nb $GZ
bsdiff $PB $(bi_sha "$S" "$BIG") $(bi_sha "$T" "$BIG") $BIG 12 $BIG
zero $ZERO
new $NEW
erase $ERASE
EOF
  brotli -q 6 -f -o "$p/system.new.dat.br" "$p/system.new.dat" || fail "brotli"
  rm -f "$p/system.new.dat"
  # The source check covers every block the list reads.
  SRC_RANGES=$(bi_ranges $(for r in "$A" "$B" "$C" "$GZ" "$BIG"; do bi_blocks_of "$r"; done | sort -n))
  SRC_SHA=$(bi_sha "$S" "$SRC_RANGES")
  ALL="2,0,$total"; TGT_SHA=$(bi_sha "$T" "$ALL")
  NEWEXT=.br bi_updater_script "$p" "$SRC_RANGES" "$SRC_SHA" "$ALL" "$TGT_SHA"
  bi_zip "$p" "$d/inc.zip"
  INC_BIG=$BIG
}

bi_make_full() { # DIR [br]
  local d=$1 p=$1/full T=$1/T.img
  mkdir -p "$p"
  local total; total=$(( $(stat -c %s "$T") / BS ))
  printf '4\n%d\n0\n0\nerase 2,0,%d\nnew 2,0,%d\n' "$total" "$total" "$total" > "$p/system.transfer.list"
  : > "$p/system.patch.dat"
  rm -f "$p"/system.new.dat*
  if [ "${2:-}" = br ]; then
    brotli -q 6 -f -o "$p/system.new.dat.br" "$T" || fail "brotli"; NEWEXT=.br
  else
    cp "$T" "$p/system.new.dat"; NEWEXT=""
  fi
  mkdir -p "$p/META-INF/com/google/android"
  cat > "$p/META-INF/com/google/android/updater-script" <<EOF
ui_print("Patching system image unconditionally...");
block_image_update("/dev/block/by-name/system", package_extract_file("system.transfer.list"), "system.new.dat$NEWEXT", "system.patch.dat") || abort("E1001: Failed to update system image.");
range_sha1("/dev/block/by-name/system", "2,0,$total") == "$(bi_sha "$T" "2,0,$total")" || abort("E1005: wrong result");
EOF
  bi_zip "$p" "$d/full.zip"
}

# A device under ROOT: system -> a loop device over DIR/dev.img (16 MiB).
bi_make_device() { # ROOT DIR
  mkdir -p "$1/dev/block/by-name" "$1/etc" "$1/cache/recovery" "$1/tmp"
  truncate -s 16M "$2/dev.img"
  local dev; dev=$(losetup -f --show "$2/dev.img") || fail "losetup"
  on_exit "losetup -d '$dev'"
  ln -sf "$dev" "$1/dev/block/by-name/system"
  echo "/system ext4 /dev/block/by-name/system" > "$1/etc/recovery.fstab"
  DEV=$dev
}

# Puts IMG on the device and forgets any earlier attempt's progress.
bi_reset_device() { # IMG
  dd if="$1" of="$DEV" bs=1M conv=fsync status=none || fail "writing $1 to $DEV"
  rm -rf "$ROOT/cache/recovery"; mkdir -p "$ROOT/cache/recovery"
}

bi_run_updater() { # PACKAGE -> the updater's output in $OUT, its exit status returned
  OUT=$(RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$1" 2>&1)
}
