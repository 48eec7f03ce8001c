# Shared by the A/B install tests (sourced after tests/lib.sh): builds 1
# and 2 from the release tools' fixtures (system, boot, and a single-copy
# bootloader image), their A/B packages (full2.zip, incr12.zip) and an A/B
# device under ROOT: loop devices for system_b, boot_b and bootloader, slot
# A's system_a and boot_a holding build 1 and attached READ-ONLY (any open
# of them for writing fails), GRUB's environment for the grub backend, and
# helpers that check the slots.  AB_VENDOR_MB=N adds a slotted vendor
# partition of N MiB of incompressible data (a package large enough to
# stream through several windows).
. "$(dirname "${BASH_SOURCE[0]}")/../releasetools/fixtures.bash"

ab_device_setup() {
rt_need ota_agent bootctl make_target_files ota_from_target_files img_from_target_files
command -v grub-editenv >/dev/null || skip "grub-editenv (grub-common) not installed"
command -v jq >/dev/null || skip "jq not installed"
need_loop

T=$(make_tmpdir)
ROOT=$T/root
export RECOVERY_ROOT=$ROOT
export OTA_DEVKEY_DIR=$T/keys
unset BOOTCTL_CURRENT_SLOT

# ---- builds and packages ------------------------------------------------------
rt_seed "$T/seed"
head -c 200000 /dev/urandom > "$T/bootloader1.img"
{ head -c 100000 "$T/bootloader1.img"; head -c 100000 /dev/urandom; } > "$T/bootloader2.img"
SLOTTED="system boot"
if [ -n "${AB_VENDOR_MB:-}" ]; then
  SLOTTED="system boot vendor"
  head -c $((AB_VENDOR_MB * 1048576)) /dev/urandom > "$T/vendor1.img"
  cp "$T/vendor1.img" "$T/vendor2.img"
  head -c 300000 /dev/urandom | dd of="$T/vendor2.img" bs=4096 seek=100 conv=notrunc status=none
fi
for v in 1 2; do
  rt_target_files "$T/tf$v.zip" "$T/b" $v --misc-info system_size=16777216 \
    --misc-info ab_update=true --misc-info "ab_partitions=$SLOTTED"
  mkdir -p "$T/extra$v/IMAGES" && cp "$T/bootloader$v.img" "$T/extra$v/IMAGES/bootloader.img"
  [ -f "$T/vendor$v.img" ] && cp "$T/vendor$v.img" "$T/extra$v/IMAGES/vendor.img"
  (cd "$T/extra$v" && zip -q "$T/tf$v.zip" IMAGES/*.img) || fail "zip bootloader $v"
  "$BIN/img_from_target_files" "$T/tf$v.zip" "$T/img$v" >/dev/null || fail "img_from_target_files $v"
  [ -f "$T/vendor$v.img" ] && cp "$T/vendor$v.img" "$T/img$v/vendor.img"
done
"$BIN/ota_from_target_files" "$T/tf2.zip" "$T/full2.zip" 2>"$T/err" || { cat "$T/err"; fail "full package"; }
"$BIN/ota_from_target_files" -i "$T/tf1.zip" "$T/tf2.zip" "$T/incr12.zip" 2>"$T/err" || { cat "$T/err"; fail "incremental"; }
FP1=$(unzip -p "$T/incr12.zip" META-INF/com/android/metadata | sed -n 's/^pre-build=//p')
FP2=$(unzip -p "$T/incr12.zip" META-INF/com/android/metadata | sed -n 's/^post-build=//p')

# ---- the device ------------------------------------------------------------------
size_mb() { case $1 in system) echo 20;; boot) echo 4;; vendor) echo $((AB_VENDOR_MB + 1));; esac; }
make_device "$ROOT" bootloader:1:emmc $(for p in $SLOTTED; do echo "${p}_b:$(size_mb $p):emmc"; done)
for part in $SLOTTED; do        # slot A: build 1, attached read-only
  cp "$T/img1/$part.img" "$ROOT.img/${part}_a.img"
  truncate -s "$(size_mb $part)M" "$ROOT.img/${part}_a.img"
  dev=$(losetup -r -f --show "$ROOT.img/${part}_a.img") || fail "losetup -r"
  on_exit "losetup -d '$dev'"
  ln -sf "$dev" "$ROOT/dev/block/by-name/${part}_a"
done
dd if="$T/bootloader1.img" of="$ROOT/dev/block/by-name/bootloader" conv=notrunc status=none
mkdir -p "$ROOT/boot/grub" "$ROOT/system" "$ROOT/etc/security" "$ROOT/data" "$ROOT/hooks" "$ROOT/cache"
ENV=$ROOT/boot/grub/grubenv
grub-editenv "$ENV" create
grub-editenv "$ENV" set ORDER="A B" A_OK=1 A_TRY=0 A_SUCCESSFUL=1 B_OK=0 B_TRY=0
cp "$T/keys/devkey.x509.pem" "$ROOT/etc/security/otacerts.pem"
boot_into() { # SLOT FINGERPRINT
  echo "console=ttyS0 rauc.slot=$1" > "$ROOT/etc/cmdline"
  printf 'ro.build.fingerprint=%s\nro.product.device=%s\nro.build.date.utc=%s\n' \
    "$2" "${DEV_NAME:-$RT_DEVICE}" "${DEV_DATE:-1600000000}" > "$ROOT/system/build.prop"
}
boot_into A "$FP1"
printf 'backend=grub\nstorage=/boot/grub/grubenv\ncmdline=/etc/cmdline\n' > "$ROOT/etc/bootctl.conf"
write_config() {
  cat > "$ROOT/etc/ota_agent.conf" <<CONF
device_kind=ab
keys=/etc/security/otacerts.pem
hooks_dir=/hooks
state_dir=/data/ota_agent
cache_dir=/cache
bootctl_config=/etc/bootctl.conf
slot_device=/dev/block/by-name/%p%s
hook_timeout_ms=5000
${1:-}
CONF
}
write_config
run_agent() { "$BIN/ota_agent" "$@" > "$T/out" 2> "$T/err" < /dev/null; RC=$?; }
status_field() { "$BIN/ota_agent" status --json | jq -r ".$1"; }
bootctl() { "$BIN/bootctl" "$@"; }
sum() { sha256sum < "$1" | cut -c1-64; }
prefix_sum() { head -c "$(stat -c %s "$2")" "$1" | sha256sum | cut -c1-64; }
slot_a_sums() { for part in $SLOTTED; do sum "$ROOT/dev/block/by-name/${part}_a"; done; }
A_SUMS=$(slot_a_sums)
slot_a_intact() {
  [ "$(slot_a_sums)" = "$A_SUMS" ] || fail "$1: slot A changed"
}
slot_b_is_build2() {
  for part in $SLOTTED; do
    [ "$(prefix_sum "$ROOT/dev/block/by-name/${part}_b" "$T/img2/$part.img")" = "$(sum "$T/img2/$part.img")" ] ||
      fail "$1: ${part}_b is not build 2's $part.img"
  done
  [ "$(prefix_sum "$ROOT/dev/block/by-name/bootloader" "$T/bootloader2.img")" = "$(sum "$T/bootloader2.img")" ] ||
    fail "$1: the bootloader is not build 2's"
}
expect_switched() {
  [ "$RC" -eq 0 ] || fail "$1: exit $RC: $(cat "$T/err")"
  slot_a_intact "$1"
  slot_b_is_build2 "$1"
  grub-editenv "$ENV" list > "$T/env"
  grep -qx 'ORDER=B A' "$T/env" && grep -qx 'B_OK=1' "$T/env" && grep -qx 'B_TRY=0' "$T/env" ||
    fail "$1: grubenv after the install: $(cat "$T/env")"
  grep -q 'B_SUCCESSFUL=1' "$T/env" && fail "$1: B marked successful before it booted"
  [ "$(status_field state)" = waiting-for-reboot ] || fail "$1: status $(status_field state)"
  [ "$(status_field target_build)" = "$FP2" ] || fail "$1: target build $(status_field target_build)"
}
reset_b() { # B back to "not installed"
  for part in $SLOTTED; do
    dd if=/dev/zero of="$ROOT/dev/block/by-name/${part}_b" bs=1M count="$(size_mb $part)" conv=notrunc status=none
  done
  dd if="$T/bootloader1.img" of="$ROOT/dev/block/by-name/bootloader" conv=notrunc status=none
  grub-editenv "$ENV" set ORDER="A B" A_OK=1 A_TRY=0 A_SUCCESSFUL=1 B_OK=0 B_TRY=0
  grub-editenv "$ENV" unset B_SUCCESSFUL
  rm -rf "$ROOT/data/ota_agent"
}
}
