#!/bin/bash
# Power loss during an install: recovery and its updater (the whole process
# group) are killed with SIGKILL at random points of a real install, what
# was left mounted is unmounted, and recovery is run again with no
# arguments, as after a reboot: it finds its command in the bootloader
# message and finishes.  Every time, system and boot must be exactly what a
# clean install gives.  Done for a full package and for an incremental one
# that patches files and the boot partition in place (apply_patch).
# ROUNDS (default 20) sets how many kills each kind gets; the random delays
# are printed so a failure can be replayed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
command -v bsdiff >/dev/null || skip "bsdiff not installed (Debian's, for the patches)"
ROUNDS=${ROUNDS:-20}
setup_device

now_ms() { date +%s%3N; }

# One clean install from the BCB; prints how long it took (ms), to scale
# the kill points (not asserted).
clean_install() {
  write_bcb --update_package=/cache/$1
  local start; start=$(now_ms)
  run_recovery
  [ "$RC" -eq 0 ] || { cat "$T/out" >&2; fail "clean install of $1: exit $RC"; }
  echo $(( $(now_ms) - start ))
}

# kill_at MS [ARG...]: starts recovery with ARGs, kills its process group
# after MS milliseconds, waits until every process of the group is gone and
# unmounts what it left.
kill_at() {
  rm -f "$T/pgid"
  # The shell records its pid once setsid has made it a session and group
  # leader, then becomes recovery.
  local ms=$1; shift
  setsid bash -c 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1" && shift && exec "$@"' _ "$T/pgid" \
    "$BIN/recovery" "$@" > "$T/killed-out" 2>&1 < /dev/null &
  local pid=$!
  while [ ! -s "$T/pgid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  local pgid; pgid=$(cat "$T/pgid" 2>/dev/null) || fail "recovery did not start"
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -KILL -- "-$pgid" 2>/dev/null
  wait "$pid" 2>/dev/null
  while kill -0 -- "-$pgid" 2>/dev/null; do sleep 0.05; done
  unmount_leftovers
}

# power_loss_rounds PACKAGE RESET_FN REF_MANIFEST REF_BOOT DURATION_MS
power_loss_rounds() {
  local pkg=$1 reset=$2 ref_manifest=$3 ref_boot=$4 dur=$5 i ms interrupted=0
  for ((i = 1; i <= ROUNDS; i++)); do
    $reset
    write_bcb --update_package=/cache/$pkg
    ms=$(( RANDOM * (dur + dur / 5 + 1) / 32768 ))
    kill_at "$ms"
    local was_interrupted=0 counted=0
    bcb_is_clear || { was_interrupted=1; interrupted=$((interrupted + 1)); }
    bcb_text | grep -q -- "--retry_count=1" && counted=1
    run_recovery   # no arguments: the command comes from the BCB
    [ "$RC" -eq 0 ] || { cat "$T/out"; fail "$pkg round $i (killed at ${ms}ms): resume exited $RC"; }
    bcb_is_clear || fail "$pkg round $i: BCB not cleared after the resumed install"
    [ "$(system_manifest)" = "$ref_manifest" ] \
      || fail "$pkg round $i (killed at ${ms}ms): system differs from a clean install"
    [ "$(boot_hash)" = "$ref_boot" ] \
      || fail "$pkg round $i (killed at ${ms}ms): boot differs from a clean install"
    cache_file recovery/last_install | grep -qx 1 || fail "$pkg round $i: last_install not 1"
    if [ "$was_interrupted" = 1 ]; then
      cache_file recovery/last_log | grep -q "command from the bootloader message" \
        || fail "$pkg round $i: the resumed run's log does not say where its command came from"
      # Once the killed run had counted its attempt in the BCB, the resumed
      # run says that it resumes.
      if [ "$counted" = 1 ]; then
        grep -q "Resuming after 1 interrupted attempt" "$T/out" \
          || fail "$pkg round $i: the resumed run does not say it resumes: $(cat "$T/out")"
      fi
      # Once the updater had shown progress, the killed run had saved its
      # log up to the start of the install: it is now last_log.1.
      if grep -q "^progress:" "$T/killed-out"; then
        cache_file recovery/last_log.1 | grep -q "Installing update\.\.\." \
          || fail "$pkg round $i: the interrupted run's log (last_log.1) does not show the install starting"
      fi
      echo "  round $i: killed at ${ms}ms (screen: $(tail -n1 "$T/killed-out")), resumed from the BCB, result identical"
    else
      grep -q "No command" "$T/out" || fail "$pkg round $i: finished run left a command behind"
      echo "  round $i: killed at ${ms}ms, after the install had finished; result identical"
    fi
  done
  [ "$interrupted" -gt 0 ] || fail "$pkg: no kill landed before the install ended; the test proved nothing"
  ok "$pkg: $ROUNDS kills ($interrupted mid-run), every resume gave the clean result"
}

# ---- full package ----------------------------------------------------------
make_payload "$T/v1" v1
build_package "$T/full-v1.zip" "$T/v1" "$FULL_SCRIPT" "$GOOD_METADATA"
put_in_cache "$T/full-v1.zip" full-v1.zip

reset_blank() {
  mke2fs -q -F -t ext4 "$DEV_SYSTEM" >/dev/null
  dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 conv=fsync status=none
}
reset_blank
dur=$(clean_install full-v1.zip) || exit 1
ref_v1=$(system_manifest)
boot_v1=$(boot_hash)
[ "$boot_v1" = "$(expected_boot_hash "$T/v1/boot.img")" ] || fail "clean full install: boot wrong"
echo "clean full install took ${dur}ms (scales the kill points only)"
power_loss_rounds full-v1.zip reset_blank "$ref_v1" "$boot_v1" "$dur"

# Started from its arguments (no BCB written by the test), recovery must
# itself write the BCB before it changes anything: after a kill either the
# BCB holds the command, or the install had not begun (system and boot
# untouched) or had finished.
set_bcb_seen=0
for ((i = 1; i <= ROUNDS / 2; i++)); do
  reset_blank
  before=$(image_hashes)
  ms=$(( RANDOM * (dur + 1) / 32768 ))
  kill_at "$ms" --update_package=/cache/full-v1.zip
  if bcb_is_clear; then
    if [ "$(image_hashes)" != "$before" ]; then
      [ "$(system_manifest)" = "$ref_v1" ] && [ "$(boot_hash)" = "$boot_v1" ] \
        || fail "args round $i (killed at ${ms}ms): partitions changed while the BCB was clear"
    fi
    echo "  args round $i: killed at ${ms}ms, before the BCB was written or after the end"
  else
    bcb_text | grep -q -- "--update_package=/cache/full-v1.zip" || fail "args round $i: BCB is '$(bcb_text)'"
    set_bcb_seen=$((set_bcb_seen + 1))
    run_recovery
    [ "$RC" -eq 0 ] && [ "$(system_manifest)" = "$ref_v1" ] && [ "$(boot_hash)" = "$boot_v1" ] \
      || fail "args round $i (killed at ${ms}ms): resume did not give the clean result"
    echo "  args round $i: killed at ${ms}ms, BCB held the command, resumed"
  fi
done
[ "$set_bcb_seen" -gt 0 ] || fail "no kill found the BCB written by recovery itself"
ok "recovery started from arguments writes the BCB before it changes anything"

# The command in /cache/recovery/command instead (the framework's other
# way): it stays until the run ends, so the resumed run takes it from there
# and still knows, from the BCB, that it resumes.
for ((i = 1; i <= ROUNDS / 4 + 1; i++)); do
  reset_blank
  dd if=/dev/zero of="$DEV_MISC" bs=2048 count=1 conv=fsync status=none
  write_command_file --update_package=/cache/full-v1.zip
  ms=$(( RANDOM * (dur + 1) / 32768 ))
  kill_at "$ms"
  counted=0
  bcb_text | grep -q -- "--retry_count=1" && counted=1
  run_recovery
  [ "$RC" -eq 0 ] && [ "$(system_manifest)" = "$ref_v1" ] && [ "$(boot_hash)" = "$boot_v1" ] \
    || { cat "$T/out"; fail "command-file round $i (killed at ${ms}ms): resume did not give the clean result"; }
  cache_file recovery/command >/dev/null && fail "command-file round $i: command file left behind"
  bcb_is_clear || fail "command-file round $i: BCB not cleared"
  if [ "$counted" = 1 ]; then
    grep -q "Resuming after 1 interrupted attempt" "$T/out" || fail "command-file round $i: resume not reported"
  fi
  echo "  command-file round $i: killed at ${ms}ms, resumed (attempt counted: $counted)"
done
ok "an interrupted command from the command file is resumed from it"

# ---- incremental package: apply_patch in place -----------------------------
# v2 changes part of every file of v1, so the patches are real bsdiff work.
cp -a "$T/v1" "$T/v2"
printf 'ro.build.fingerprint=test/testdev:v2\nro.product.device=testdev\n' > "$T/v2/system/build.prop"
for f in system/lib/lib1.so system/lib/lib2.so system/lib/lib3.so system/lib/lib4.so \
         system/lib/lib5.so system/lib/lib6.so boot.img; do
  head -c 300000 /dev/urandom | dd of="$T/v2/$f" bs=1 seek=200000 conv=notrunc status=none
done
mkdir -p "$T/inc/patch/system/lib"
sha1() { sha1sum < "$1" | cut -d' ' -f1; }
script='ui_print("Patching the test build");
mount("ext4", "EMMC", "/dev/block/by-name/system", "/system");
show_progress(0.8, 0);'
n=0
for i in 1 2 3 4 5 6; do
  f=system/lib/lib$i.so
  bsdiff "$T/v1/$f" "$T/v2/$f" "$T/inc/patch/$f.p" || fail "bsdiff $f"
  script+="
assert(apply_patch_check(\"/$f\", \"$(sha1 "$T/v2/$f")\", \"$(sha1 "$T/v1/$f")\"));"
done
bsdiff "$T/v1/boot.img" "$T/v2/boot.img" "$T/inc/patch/boot.img.p" || fail "bsdiff boot"
boot_src="EMMC:/dev/block/by-name/boot:$(stat -c %s "$T/v1/boot.img"):$(sha1 "$T/v1/boot.img"):$(stat -c %s "$T/v2/boot.img"):$(sha1 "$T/v2/boot.img")"
script+="
assert(apply_patch_check(\"$boot_src\"));"
for i in 1 2 3 4 5 6; do
  f=system/lib/lib$i.so
  n=$((n + 1))
  script+="
apply_patch(\"/$f\", \"-\", \"$(sha1 "$T/v2/$f")\", $(stat -c %s "$T/v2/$f"), \"$(sha1 "$T/v1/$f")\", package_extract_file(\"patch/$f.p\"));
set_progress($(printf '0.%02d' $((n * 100 / 7))));"
done
script+="
apply_patch(\"$boot_src\", \"-\", \"$(sha1 "$T/v2/boot.img")\", $(stat -c %s "$T/v2/boot.img"), \"$(sha1 "$T/v1/boot.img")\", package_extract_file(\"patch/boot.img.p\"));
set_progress(1.0);
show_progress(0.2, 0);
package_extract_file(\"system/build.prop\", \"/system/build.prop\");
set_perm(0, 0, 0644, \"/system/build.prop\");
unmount(\"/system\");
ui_print(\"Patched\");"
mkdir -p "$T/inc/system"
cp "$T/v2/system/build.prop" "$T/inc/system/build.prop"
build_package "$T/inc.zip" "$T/inc" "$script" "$(printf 'pre-build=test/testdev:v1\npost-build=test/testdev:v2\npost-timestamp=1700000001\npre-device=testdev')"
put_in_cache "$T/inc.zip" inc.zip keep

# Back to a clean v1 the fast way: the v1 system saved once, boot rewritten.
reset_blank; clean_install full-v1.zip >/dev/null || exit 1
dd if="$DEV_SYSTEM" of="$T/system-v1.img" bs=1M status=none
reset_v1() {
  dd if="$T/system-v1.img" of="$DEV_SYSTEM" bs=1M conv=fsync status=none
  dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 conv=fsync status=none
  dd if="$T/v1/boot.img" of="$DEV_BOOT" conv=fsync,notrunc status=none
  mount "$DEV_CACHE" "$T/mnt" && rm -f "$T/mnt/saved.file" && umount "$T/mnt"
}
reset_v1
dur=$(clean_install inc.zip) || exit 1
ref_v2=$(system_manifest)
boot_v2=$(boot_hash)
[ "$boot_v2" = "$(expected_boot_hash "$T/v2/boot.img")" ] || fail "clean incremental: boot wrong"
mount -o ro "$DEV_SYSTEM" "$T/mnt" && cmp -s "$T/mnt/lib/lib3.so" "$T/v2/system/lib/lib3.so"; same=$?
umount "$T/mnt"
[ "$same" -eq 0 ] || fail "clean incremental: lib3.so not patched"
echo "clean incremental install took ${dur}ms"
power_loss_rounds inc.zip reset_v1 "$ref_v2" "$boot_v2" "$dur"
