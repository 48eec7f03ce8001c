#!/bin/bash
# make_target_files: the target-files layout, metadata from the rootfs or a
# filesystem_config file, prebuilt images, deterministic output, and errors
# that name what is wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_root
[ -x "$BIN/make_target_files" ] || skip "$BIN/make_target_files not built"
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"

W=$(make_tmpdir)
rt_seed "$W/seed"
rt_target_files "$W/tf.zip" "$W/b" 1
list=$(unzip -Z1 "$W/tf.zip")
for e in SYSTEM/ SYSTEM/build.prop SYSTEM/bin/ls BOOT/kernel BOOT/RAMDISK/init BOOT/cmdline \
         RECOVERY/kernel RECOVERY/RAMDISK/sbin/recovery RECOVERY/RAMDISK/etc/recovery.fstab \
         META/misc_info.txt META/filesystem_config.txt; do
  grep -qx "$e" <<<"$list" || fail "no $e in the target-files"
done
unzip -Zl "$W/tf.zip" SYSTEM/bin/ls | grep -q '^lrwx' || fail "SYSTEM/bin/ls is not a symlink entry"
[ "$(unzip -p "$W/tf.zip" SYSTEM/bin/ls)" = toolbox ] || fail "symlink entry's target"
cfg=$(unzip -p "$W/tf.zip" META/filesystem_config.txt)
grep -qx 'system/xbin/su 0 2000 6755' <<<"$cfg" || fail "su's line: $(grep su <<<"$cfg")"
grep -qx 'system/bin/ping 0 0 755 capabilities=0x2000' <<<"$cfg" || fail "ping's capability"
grep -qx 'system/lib/libc.so.6 1000 1000 777' <<<"$cfg" || fail "symlink owner"
grep -qx 'system 0 0 755' <<<"$cfg" || fail "no line for the partition itself"
grep -qx 'recovery_api_version=3' < <(unzip -p "$W/tf.zip" META/misc_info.txt) || fail "misc_info"
ok "layout, symlink entries, metadata from the rootfs"

rt_target_files "$W/tf-again.zip" "$W/b" 1
cmp -s "$W/tf.zip" "$W/tf-again.zip" || fail "the same inputs gave different zips"
ok "deterministic"

# A filesystem_config file wins over the rootfs for the paths it lists.
printf 'system/etc/hosts 1234 5678 600 selabel=u:object_r:hosts:s0\nsystem/bin 0 2000 751\n' > "$W/fs_config"
"$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" --fs-config "$W/fs_config" \
  --prop ro.build.date.utc=5 "$W/tf-cfg.zip" || fail "make_target_files --fs-config"
cfg=$(unzip -p "$W/tf-cfg.zip" META/filesystem_config.txt)
grep -qx 'system/etc/hosts 1234 5678 600 selabel=u:object_r:hosts:s0' <<<"$cfg" || fail "--fs-config line not used"
grep -qx 'system/bin 0 2000 751' <<<"$cfg" || fail "--fs-config dir line not used"
grep -qx 'system/xbin/su 0 2000 6755' <<<"$cfg" || fail "unlisted path lost the rootfs metadata"
unzip -p "$W/tf-cfg.zip" SYSTEM/build.prop | grep -qx 'ro.build.date.utc=5' || fail "--prop not applied"
ok "--fs-config and --prop"

# Prebuilt images are checked and stored under IMAGES/.
"$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" \
  --boot-image "$TESTDATA/recovery/boot.img" "$W/tf-img.zip" 2>"$W/err" ||
  { [ -f "$TESTDATA/recovery/boot.img" ] && fail "prebuilt boot image: $(cat "$W/err")"; }
if [ -f "$TESTDATA/recovery/boot.img" ]; then
  unzip -Z1 "$W/tf-img.zip" | grep -qx IMAGES/boot.img || fail "no IMAGES/boot.img"
  ok "a prebuilt boot image (Android's test boot.img) is stored as IMAGES/boot.img"
fi
echo junk > "$W/junk.img"
if "$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" --boot-image "$W/junk.img" \
  "$W/x.zip" 2>"$W/err"; then fail "a junk boot image was accepted"; fi
grep -q 'junk.img' "$W/err" || fail "the error does not name the image"

# Errors name what is wrong.
sed '/ro.product.device/d' "$W/b/system1/build.prop" > "$W/nodevice.prop"
if "$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" --build-prop "$W/nodevice.prop" \
  "$W/x.zip" 2>"$W/err"; then fail "missing ro.product.device accepted"; fi
grep -q 'ro.product.device' "$W/err" || fail "missing property not named: $(cat "$W/err")"
cp -a "$W/b/system1" "$W/sysdev"
mknod "$W/sysdev/dev-node" c 1 3
if "$BIN/make_target_files" --system "$W/sysdev" --fstab "$W/b/fstab" "$W/x.zip" 2>"$W/err"; then
  fail "a device node was accepted"
fi
grep -q 'dev-node' "$W/err" || fail "the device node is not named"
printf '/data ext4 /dev/block/by-name/data\n' > "$W/nosys.fstab"
if "$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/nosys.fstab" "$W/x.zip" 2>"$W/err"; then
  fail "an fstab without /system was accepted"
fi
grep -q '/system' "$W/err" || fail "the fstab error does not say what is missing"
if "$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" --kernel "$W/seed/kernel1" \
  --pagesize 3000 "$W/x.zip" 2>"$W/err"; then fail "page size 3000 accepted"; fi
grep -q -- '--pagesize' "$W/err" || fail "the page size error does not name the option"
[ -e "$W/x.zip" ] && fail "a failed run left its output"
"$BIN/make_target_files" "$W/x.zip" >/dev/null 2>&1; [ $? = 2 ] || fail "missing --system: not exit 2"
"$BIN/make_target_files" --help | grep -q '^usage: make_target_files' || fail "--help"
ok "errors name the property, the file, the partition; usage errors exit 2"
