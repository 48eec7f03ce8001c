#!/bin/bash
# An incremental package from build 1 to build 2, with the real updater on
# loop devices: applied to a system installed from build 1 it gives exactly
# build 2; applied to another build it fails in the verify phase and changes
# nothing; killed at random points and run again it still ends exactly at
# build 2.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_loop
for p in make_target_files ota_from_target_files updater; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"

W=$(make_tmpdir)
export OTA_DEVKEY_DIR=$W/keys
rt_seed "$W/seed"
rt_target_files "$W/tf1.zip" "$W/b" 1
rt_target_files "$W/tf2.zip" "$W/b" 2
"$BIN/ota_from_target_files" -n "$W/tf1.zip" "$W/full1.zip" 2>/dev/null || fail "full package of build 1"
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr.zip" 2>/dev/null ||
  fail "incremental package"
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr-again.zip" 2>/dev/null ||
  fail "incremental package, second run"
cmp -s "$W/incr.zip" "$W/incr-again.zip" || fail "two runs gave different incremental packages"
ok "incremental built; byte-identical on a second run"

unzip -p "$W/incr.zip" META-INF/com/android/metadata > "$W/metadata"
grep -q '^pre-build=rt/rtdevice/rtdevice:1.0/RT1/' "$W/metadata" || fail "metadata has no pre-build"
grep -q '^post-build=rt/rtdevice/rtdevice:1.0/RT2/' "$W/metadata" || fail "metadata has no post-build"
unzip -l "$W/incr.zip" | grep -q 'patch/system/lib/libc.so.p' || fail "libc.so not sent as a patch"
unzip -l "$W/incr.zip" | grep -q 'patch/boot.img.p' || fail "boot image not sent as a patch"
unzip -l "$W/incr.zip" | grep -q ' system/vendor/firmware/fw.bin' || fail "rewritten fw.bin not sent whole"
unzip -l "$W/incr.zip" | grep -q ' system/lib/libc.so$' && fail "unchanged-size libc.so sent whole"
unzip -l "$W/incr.zip" | grep -q 'patch/system/modules/v2/sub/k.ko.p' ||
  fail "a file in a renamed directory not patched from its old path"
ok "changed files are patches (also across a renamed directory), rewritten files whole"

patch_magics() { # PACKAGE: the first 8 bytes of each patch, one per line, sorted, unique
  unzip -Z1 "$1" 'patch/*' | while read -r e; do
    unzip -p "$1" "$e" | head -c 8; echo
  done | sed 's/^BSDF2.*/BSDF2/' | sort -u
}
patch_magics "$W/incr.zip" > "$W/magics-ours"
echo "patch formats with this project's updater: $(tr '\n' ' ' < "$W/magics-ours")"
grep -q -x -e BSDF2 -e IMGDIFFX "$W/magics-ours" ||
  fail "the package carries this project's updater but no patch uses BSDF2 or IMGDIFFX"
# A target-files whose OTA/bin/updater is not this project's (Android's
# own; here /bin/true stands in, a program without the IMGDIFFX reader): only the formats every
# Android updater reads; the same with --patch-formats android.
python3 - "$W/tf2.zip" "$W/tf2-foreign.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        if info.filename != "OTA/bin/updater":
            dst.writestr(info, src.read(info))
    dst.writestr("OTA/bin/updater", open("/bin/true", "rb").read())
PY
unzip -l "$W/tf2-foreign.zip" | grep -q ' OTA/bin/updater$' || fail "the stand-in updater is not in the target-files"
"$BIN/ota_from_target_files" -i "$W/tf1.zip" "$W/tf2-foreign.zip" "$W/incr-foreign.zip" 2>/dev/null ||
  fail "incremental with a foreign updater"
"$BIN/ota_from_target_files" --patch-formats android -i "$W/tf1.zip" "$W/tf2.zip" "$W/incr-android.zip" \
  2>/dev/null || fail "incremental with --patch-formats android"
for pkg in incr-foreign incr-android; do
  bad=$(patch_magics "$W/$pkg.zip" | grep -v -x -e BSDIFF40 -e IMGDIFF2) &&
    fail "$pkg: patches in formats Android's updaters do not read: $bad"
done
"$BIN/ota_from_target_files" --payload-compression xz -i "$W/tf1.zip" "$W/tf2-foreign.zip" "$W/x.zip" \
  2>"$W/err" && fail "xz payload accepted for a package carrying a foreign updater"
grep -q "is not this project's updater" "$W/err" || fail "xz payload, foreign updater: $(cat "$W/err")"
"$BIN/ota_from_target_files" --patch-formats zstd "$W/tf2.zip" "$W/x.zip" 2>"$W/err" &&
  fail "--patch-formats zstd accepted"
grep -q 'patch-formats: "android" or "extended" expected' "$W/err" || fail "bad --patch-formats: $(cat "$W/err")"
ok "patch formats follow the update-binary: BSDF2/IMGDIFFX for ours, BSDIFF40/IMGDIFF2 for another and with --patch-formats android; no xz payload for another updater"

dump_system() { # ROOT OUT
  mkdir -p "$W/mnt"
  mount -o ro "$1/dev/block/by-name/system" "$W/mnt" || fail "mount system"
  rt_tree_dump "$W/mnt" | grep -v -e '^./recovery-from-boot.p ' -e '^./etc/install-recovery.sh ' > "$2"
  umount "$W/mnt"
}
unmount_under() { # ROOT: what an updater left mounted (a failed one does)
  grep -o " $1/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
}
install() { # ROOT PACKAGE LOG
  local rc=0
  RECOVERY_ROOT=$1 "$BIN/updater" 3 1 "$2" > "$3" 2>&1 || rc=$?
  unmount_under "$1"
  return $rc
}
rt_tree_dump "$W/b/system2" > "$W/want2"

R=$W/dev
rt_device "$R"
install "$R" "$W/full1.zip" "$W/log1" || { cat "$W/log1"; fail "installing build 1"; }
install "$R" "$W/incr.zip" "$W/log2" || { cat "$W/log2"; fail "incremental on build 1"; }
dump_system "$R" "$W/got2"
diff -u "$W/want2" "$W/got2" || fail "system after the incremental differs from build 2"
unzip -p "$W/tf2.zip" BOOT/kernel > /dev/null
"$BIN/ota_from_target_files" -n "$W/tf2.zip" "$W/full2.zip" 2>/dev/null || fail "full package of build 2"
unzip -p "$W/full2.zip" boot.img > "$W/boot2.img"
cmp -n "$(stat -c %s "$W/boot2.img")" "$W/boot2.img" "$R/dev/block/by-name/boot" ||
  fail "boot partition does not hold build 2's boot image"
ok "incremental on build 1 gives exactly build 2 (system and boot)"

# The package in Android's patch formats installs the same with our updater.
RA=$W/dev-android
rt_device "$RA"
install "$RA" "$W/full1.zip" "$W/logA1" || fail "installing build 1 (android formats device)"
install "$RA" "$W/incr-android.zip" "$W/logA2" || { cat "$W/logA2"; fail "incremental in Android's formats"; }
dump_system "$RA" "$W/gotA"
diff -u "$W/want2" "$W/gotA" || fail "system after the incremental in Android's formats differs"
ok "the incremental in Android's patch formats gives exactly build 2 as well"

# Applied again to the finished device: everything is already in place.
install "$R" "$W/incr.zip" "$W/log3" || { cat "$W/log3"; fail "re-running the finished incremental"; }
dump_system "$R" "$W/got3"
diff -u "$W/want2" "$W/got3" >/dev/null || fail "re-running changed the system"
ok "re-running a completed incremental is harmless"

# Another build (build 1 with one file changed): verify fails, nothing changes.
R2=$W/dev2
rt_device "$R2"
install "$R2" "$W/full1.zip" "$W/log4" || fail "installing build 1 on the second device"
mkdir -p "$W/mnt"
mount "$R2/dev/block/by-name/system" "$W/mnt" || fail "mount"
printf 'tampered' | dd of="$W/mnt/lib/libc.so" bs=1 seek=100 conv=notrunc status=none
umount "$W/mnt" || fail "umount after tampering"
dump_system "$R2" "$W/before"
cp "$R2.img/boot.img" "$W/boot-before"
if install "$R2" "$W/incr.zip" "$W/log5"; then fail "incremental applied to a modified build"; fi
grep -q 'libc.so' "$W/log5" || { cat "$W/log5"; fail "the failure does not name the file"; }
grep -q 'Removing unneeded files\|Patching system files' "$W/log5" && fail "went past the verify phase"
dump_system "$R2" "$W/after"
diff -u "$W/before" "$W/after" || fail "a failed verify changed the system"
cmp -s "$W/boot-before" "$R2.img/boot.img" || fail "a failed verify changed boot"
ok "on another build: fails in the verify phase, changes nothing"

# A device on a different build altogether (build 2's fingerprint check).
sed -i 's/RT1/RTX/' "$W/b/system1/build.prop"
R3=$W/dev3
rt_device "$R3"
install "$R3" "$W/full1.zip" "$W/log6" || fail "installing build 1 on the third device"
mount "$R3/dev/block/by-name/system" "$W/mnt" || fail "mount"
sed -i 's/RT1/RTX/' "$W/mnt/build.prop"
umount "$W/mnt" || fail "umount after tampering"
dump_system "$R3" "$W/before3"
if install "$R3" "$W/incr.zip" "$W/log7"; then fail "incremental applied to another fingerprint"; fi
grep -q 'fingerprint' "$W/log7" || { cat "$W/log7"; fail "the failure does not mention the fingerprint"; }
dump_system "$R3" "$W/after3"
diff -u "$W/before3" "$W/after3" || fail "a failed fingerprint check changed the system"
ok "on another fingerprint: refused, nothing changed"
sed -i 's/RTX/RT1/' "$W/b/system1/build.prop"

# Interrupted between any two statements: the script cut after each of its
# statements (then an abort), run, and the whole package run after it.
R5=$W/dev5
rt_device "$R5"
mkdir -p "$W/cut/META-INF/com/google/android"
unzip -p "$W/incr.zip" META-INF/com/google/android/updater-script > "$W/script"
cp "$W/incr.zip" "$W/cut.zip"
# statements start at lines that do not begin with white space
mapfile -t starts < <(grep -n -v '^[[:space:]]' "$W/script" | cut -d: -f1)
cuts=0
for ((i = 1; i < ${#starts[@]}; i++)); do
  end=$((starts[i] - 1))
  { head -n "$end" "$W/script"; echo 'abort("interrupted here");'; } \
    > "$W/cut/META-INF/com/google/android/updater-script"
  (cd "$W/cut" && zip -q "$W/cut.zip" META-INF/com/google/android/updater-script)
  install "$R5" "$W/full1.zip" "$W/log11" || fail "installing build 1 (cut $i)"
  if install "$R5" "$W/cut.zip" "$W/log12"; then fail "the cut script did not stop"; fi
  install "$R5" "$W/incr.zip" "$W/log13" || { cat "$W/log13"; fail "re-run after a stop at line $end failed"; }
  dump_system "$R5" "$W/got5"
  diff -u "$W/want2" "$W/got5" || fail "stopped after line $end and re-run: system differs from build 2"
  cuts=$((cuts + 1))
done
[ "$cuts" -gt 10 ] || fail "only $cuts statement boundaries found in the script"
ok "stopped after each of $cuts statements and re-run: ends exactly at build 2"

# Killed (-9) at random moments inside statements, then run to the end.  The
# moments are spread over how long an install takes on this machine.
R4=$W/dev4
rt_device "$R4"
install "$R4" "$W/full1.zip" "$W/log8" || fail "installing build 1"
start=$(date +%s%N)
install "$R4" "$W/incr.zip" "$W/log8" || fail "timing run"
span_ms=$(( ($(date +%s%N) - start) / 1000000 + 1 ))
killed=0
for round in 1 2 3 4 5 6; do
  install "$R4" "$W/full1.zip" "$W/log8" || fail "installing build 1 (round $round)"
  for kill in 1 2; do
    RECOVERY_ROOT=$R4 "$BIN/updater" 3 1 "$W/incr.zip" > "$W/log9" 2>&1 &
    pid=$!
    ms=$((RANDOM % span_ms))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    unmount_under "$R4"
  done
  install "$R4" "$W/incr.zip" "$W/log10" || { cat "$W/log10"; fail "re-run after kill -9 failed (round $round)"; }
  dump_system "$R4" "$W/got4"
  diff -u "$W/want2" "$W/got4" || fail "killed and re-run: system differs from build 2 (round $round)"
  cmp -n "$(stat -c %s "$W/boot2.img")" "$W/boot2.img" "$R4/dev/block/by-name/boot" ||
    fail "killed and re-run: boot differs (round $round)"
done
ok "killed $killed times at random moments (within ${span_ms} ms runs) and re-run: ends exactly at build 2"
