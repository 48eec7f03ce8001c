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
else
  left_out "a prebuilt boot image (Android's recovery/boot.img)"
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

# What the target-files cannot carry is said: --fs-config lines for paths
# the rootfs lacks, hard links (a zip has none).  A target-files without
# META/filesystem_config.txt gets a warning from ota_from_target_files.
cp -a "$W/b/system1" "$W/syslinks"
ln "$W/syslinks/etc/hosts" "$W/syslinks/etc/hosts.hard"
printf 'system/bin/sh 0 2000 755\nsystem/bin/no-such-file 0 0 755\n' > "$W/typo.fsconfig"
"$BIN/make_target_files" --system "$W/syslinks" --fstab "$W/b/fstab" --fs-config "$W/typo.fsconfig" \
  "$W/links.zip" 2>"$W/err" || fail "make_target_files with warnings: $(cat "$W/err")"
grep -q "warning: $W/typo.fsconfig: 1 line for paths not under $W/syslinks, ignored: system/bin/no-such-file" "$W/err" ||
  fail "no warning about the unmatched fs_config line: $(cat "$W/err")"
grep -q "warning: $W/syslinks: 1 hard-linked name stored as separate copies (a zip has no hard links): etc/hosts.hard = etc/hosts" "$W/err" ||
  fail "no warning about the hard link: $(cat "$W/err")"
"$BIN/make_target_files" --system "$W/b/system1" --fstab "$W/b/fstab" "$W/quiet.zip" 2>"$W/err" ||
  fail "make_target_files: $(cat "$W/err")"
[ -s "$W/err" ] && fail "warnings on a clean rootfs: $(cat "$W/err")"
mkdir -p "$W/nocfg" && (cd "$W/nocfg" && unzip -q "$W/quiet.zip" && rm META/filesystem_config.txt &&
  zip -qr "$W/nocfg.zip" .)
OTA_DEVKEY_DIR=$W/keys "$BIN/ota_from_target_files" "$W/nocfg.zip" "$W/nocfg-ota.zip" 2>"$W/err" ||
  fail "ota_from_target_files without filesystem_config: $(cat "$W/err")"
grep -q "warning: $W/nocfg.zip has no META/filesystem_config.txt: every file is installed owned by 0:0" "$W/err" ||
  fail "no warning about the missing filesystem_config: $(cat "$W/err")"
ok "warnings: fs_config lines matching nothing, hard links, no filesystem_config.txt"

# On a terminal, the long steps show their progress.
if command -v script >/dev/null; then
  script -qec "'$BIN/make_target_files' --system '$W/b/system1' --fstab '$W/b/fstab' '$W/tty.zip'" \
    /dev/null </dev/null >"$W/tty-out" 2>&1
  grep -q "make_target_files: writing 100%" "$W/tty-out" || fail "no progress on a terminal: $(cat -v "$W/tty-out")"
  cmp -s "$W/tty.zip" "$W/quiet.zip" || fail "the run on a terminal wrote another target-files"
  ok "progress on a terminal, nothing when stderr is not one"
fi
end_of_cases
