#!/bin/bash
# Patches made by Android's own tools, applied by updater-scripts: a BSDIFF40
# patch of a file on an ext4 /system and an IMGDIFF2 patch of a partition in
# place ("EMMC:..." source, as incremental OTAs patch boot), both checked
# first with apply_patch_check and afterwards with sha1_check(read_file()).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
need_loop
need_testdata
command -v zip >/dev/null || skip "zip not installed"
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"
AP=$TESTDATA/applypatch
RC=$TESTDATA/recovery
for f in "$AP/old.file" "$AP/patch.bsdiff" "$AP/new.file" "$RC/boot.img" \
         "$RC/recovery-from-boot-with-bonus.p" "$RC/recovery.img"; do
  [ -f "$f" ] || skip "Android test file $f missing"
done

T=$(make_tmpdir)
on_exit "release_under '$T'"
ROOT=$T/root
make_device "$ROOT" system:16 boot:2:emmc
mkdir -p "$ROOT/cache"
SYS=/dev/block/by-name/system
BOOT_DEV=/dev/block/by-name/boot
OLD_SHA=3d118e1139b0d6dabc6cebc5a0071c9a42dd6b16
NEW_SHA=7da4c3dba4794bea50e88ade9782d077c13a5532
BOOT_SHA=e7fd9c7180c70ee8860f9839e0f466d5f6eaa8ef
REC_SHA=e1e9672394cdf82befe0528e1a075167f500d5c4
BOOT_SIZE=$(stat -c %s "$RC/boot.img")
REC_SIZE=$(stat -c %s "$RC/recovery.img")
NEW_SIZE=$(stat -c %s "$AP/new.file")

P=$T/pkg
mkdir -p "$P/META-INF/com/google/android" "$P/patch"
cp "$AP/old.file" "$P/old.file"
cp "$AP/patch.bsdiff" "$P/patch/old.file.p"
cp "$RC/boot.img" "$P/boot.img"
cp "$RC/recovery-from-boot-with-bonus.p" "$P/patch/boot.img.p"
cat > "$P/META-INF/com/google/android/updater-script" <<EOF
format("ext4", "EMMC", "$SYS", "0", "/system");
mount("ext4", "EMMC", "$SYS", "/system");
package_extract_file("old.file", "/system/old.file");
write_raw_image(package_extract_file("boot.img"), "boot");
ui_print("Verifying current system...");
apply_patch_check("/system/old.file", "$OLD_SHA") || abort("\"/system/old.file\" has unexpected contents.");
apply_patch_check("EMMC:$BOOT_DEV:$BOOT_SIZE:$BOOT_SHA:$REC_SIZE:$REC_SHA") || abort("\"boot\" has unexpected contents.");
apply_patch_space($NEW_SIZE) || abort("Not enough free space on /cache to apply patches.");
ui_print("Patching system files...");
apply_patch("/system/old.file", "-", $NEW_SHA, $NEW_SIZE, $OLD_SHA, package_extract_file("patch/old.file.p"));
ui_print("Patching boot image...");
apply_patch("EMMC:$BOOT_DEV:$BOOT_SIZE:$BOOT_SHA:$REC_SIZE:$REC_SHA", "-", $REC_SHA, $REC_SIZE, $BOOT_SHA, package_extract_file("patch/boot.img.p"));
sha1_check(read_file("/system/old.file")) == "$NEW_SHA" || abort("file patch result");
sha1_check(read_file("EMMC:$BOOT_DEV:$REC_SIZE:$REC_SHA"), "$REC_SHA") == "$REC_SHA" || abort("boot patch result");
unmount("/system");
EOF
(cd "$P" && zip -qry "$T/update.zip" .) || fail zip

run() {
  RECOVERY_ROOT=$ROOT "$BIN/updater" 3 3 "$T/update.zip" 3>"$T/pipe" 2>"$T/err"
}
run || { cat "$T/err"; fail "updater failed"; }
DEV=$(readlink "$ROOT/dev/block/by-name/system")
debugfs -R "dump /old.file $T/patched" "$DEV" >/dev/null 2>&1
cmp "$T/patched" "$AP/new.file" || fail "BSDIFF40 result differs from new.file"
cmp -n "$REC_SIZE" "$RC/recovery.img" "$(readlink "$ROOT/dev/block/by-name/boot")" || fail "IMGDIFF2 result differs from recovery.img"
e2fsck -fn "$DEV" >/dev/null 2>&1 || fail "filesystem not clean"
ok "Android's BSDIFF40 (file) and IMGDIFF2 (partition, in place) patches applied"
