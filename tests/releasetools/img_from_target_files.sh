#!/bin/bash
# img_from_target_files: system.img is e2fsck-clean and, mounted, is exactly
# the build's rootfs (owners, modes, links, capabilities); boot.img is the
# Android boot image Debian's mkbootimg makes from the same kernel, ramdisk
# and command line, and its ramdisk unpacks to the ramdisk directory.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_loop
for p in make_target_files img_from_target_files; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
command -v debugfs >/dev/null || skip "debugfs (e2fsprogs) not installed"

W=$(make_tmpdir)
rt_seed "$W/seed"
rt_target_files "$W/tf.zip" "$W/b" 1 --misc-info system_size=33554432
"$BIN/img_from_target_files" "$W/tf.zip" "$W/out" || fail "img_from_target_files"
[ -f "$W/out/system.img" ] && [ -f "$W/out/boot.img" ] && [ -f "$W/out/recovery.img" ] ||
  fail "missing images: $(ls "$W/out")"
[ "$(stat -c %s "$W/out/system.img")" = 33554432 ] || fail "system.img is not system_size bytes"
e2fsck -fn "$W/out/system.img" > "$W/fsck" 2>&1 || { cat "$W/fsck"; fail "system.img is not e2fsck-clean"; }
ok "system.img made, system_size bytes, e2fsck-clean"
"$BIN/img_from_target_files" "$W/tf.zip" "$W/out-again" || fail "second run"
cmp -s "$W/out/system.img" "$W/out-again/system.img" || fail "two runs gave different system.img"
cmp -s "$W/out/boot.img" "$W/out-again/boot.img" || fail "two runs gave different boot.img"
ok "same target-files, byte-identical images"

mkdir -p "$W/mnt"
dev=$(attach_loop "$W/out/system.img")
mount -o ro "$dev" "$W/mnt" || fail "mount system.img"
on_exit "umount '$W/mnt'"
rt_tree_dump "$W/b/system1" > "$W/want"
rt_tree_dump "$W/mnt" | grep -v -e '^./recovery-from-boot.p ' -e '^./etc/install-recovery.sh ' > "$W/got"
diff -u "$W/want" "$W/got" || fail "system.img differs from the rootfs"
[ -f "$W/mnt/recovery-from-boot.p" ] || fail "system.img lacks recovery-from-boot.p"
ok "system.img holds exactly the rootfs (contents, links, owners, modes, capabilities)"

# Without a system_size the image is sized to fit.
rt_target_files "$W/tf-auto.zip" "$W/b-auto" 1
"$BIN/img_from_target_files" "$W/tf-auto.zip" "$W/out2" || fail "img_from_target_files, automatic size"
e2fsck -fn "$W/out2/system.img" >/dev/null 2>&1 || fail "auto-sized system.img not clean"
ok "automatically sized system.img is clean"

# boot.img against Debian's mkbootimg, from the same parts.
head -c 8 "$W/out/boot.img" | grep -q 'ANDROID!' || fail "boot.img has no ANDROID! magic"
if command -v mkbootimg >/dev/null; then
  # the ramdisk: kernel size at 8, ramdisk size at 16, page size at 36
  read -r ksize rsize page < <(od -An -tu4 -j8 -N32 "$W/out/boot.img" | tr -s ' ' '\n' | grep . |
    awk 'NR==1{k=$1} NR==3{r=$1} NR==8{p=$1} END{print k, r, p}')
  kpages=$(( (ksize + page - 1) / page ))
  tail -c +$(( (1 + kpages) * page + 1 )) "$W/out/boot.img" | head -c "$rsize" > "$W/ramdisk.gz"
  mkbootimg --kernel "$W/seed/kernel1" --ramdisk "$W/ramdisk.gz" --cmdline "console=ttyS0 v=1" \
    --base 0x10000000 --pagesize 2048 --header_version 0 -o "$W/mkbootimg.img" 2>"$W/mkb.err" ||
    { cat "$W/mkb.err"; fail "mkbootimg"; }
  cmp "$W/out/boot.img" "$W/mkbootimg.img" || fail "boot.img differs from mkbootimg's"
  ok "boot.img is byte-identical to mkbootimg's from the same parts"
  mkdir -p "$W/rd"
  (cd "$W/rd" && gzip -dc < "$W/ramdisk.gz" | cpio -idm --quiet) || fail "ramdisk does not unpack"
  diff -r "$W/b/ramdisk1" "$W/rd" || fail "ramdisk contents differ from the ramdisk directory"
  [ "$(stat -c %a "$W/rd/init")" = 750 ] || fail "ramdisk lost init's mode"
  ok "the ramdisk unpacks to the ramdisk directory"
else
  echo "note: mkbootimg not installed; boot.img not compared with it"
fi

# Errors name what was wrong.
echo junk > "$W/notazip.zip"
if "$BIN/img_from_target_files" "$W/notazip.zip" "$W/out3" 2>"$W/err"; then fail "accepted junk"; fi
grep -q notazip.zip "$W/err" || fail "error does not name the file: $(cat "$W/err")"
"$BIN/img_from_target_files" 2>/dev/null; [ $? = 2 ] || fail "usage error is not exit 2"
"$BIN/img_from_target_files" --help | grep -q usage || fail "--help"
ok "bad input and usage errors"
