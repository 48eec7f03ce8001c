# Shared by the recovery integration tests (sourced after tests/lib.sh): a
# device under RECOVERY_ROOT on loop devices, keys, and signed packages whose
# update-binary is the project's updater.

# The programs the tests need; skips when one is missing.
need_recovery_programs() {
  [ -x "$BIN/recovery" ] || skip "recovery not built ($BIN/recovery)"
  [ -x "$BIN/updater" ] || skip "updater not built ($BIN/updater): build it first"
  command -v openssl >/dev/null || skip "openssl not installed"
  command -v zip >/dev/null || skip "zip not installed"
  # Packages are signed by ours (whole-file and v1 JAR signature) unless a
  # test asks for Android's (SIGNER=android: whole-file signature only).
  if [ -x "$BIN/signapk" ]; then
    SIGNAPK=("$BIN/signapk")
  elif [ -x "$TOP/build/bin/signapk" ]; then
    SIGNAPK=("$TOP/build/bin/signapk")
  else
    skip "signapk not built ($BIN/signapk): recovery needs packages with a v1 JAR signature"
  fi
}

# need_android_signapk: Debian's signapk (Android's Java signapk), whose -w
# writes the whole-file signature only, as Android's release tools do.
need_android_signapk() {
  command -v java >/dev/null || skip "java not installed (Debian's signapk needs it)"
  [ -f /usr/bin/signapk ] || skip "Debian's signapk is not installed (package signapk)"
}

# make_key DIR NAME: DIR/NAME.x509.pem and DIR/NAME.pk8 (RSA-2048).
make_key() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/$2.key.pem" -out "$1/$2.x509.pem" \
    -days 3650 -subj "/CN=recovery test $2" >/dev/null 2>&1 || fail "openssl req"
  openssl pkcs8 -topk8 -outform DER -nocrypt -in "$1/$2.key.pem" -out "$1/$2.pk8" \
    || fail "openssl pkcs8"
}

# setup_device: T (work dir), ROOT (RECOVERY_ROOT) with misc, system, cache,
# data and boot on loop devices, /default.prop, the test key in /res/keys.
setup_device() {
  T=$(make_tmpdir)
  ROOT=$T/root
  make_device "$ROOT" misc:1:emmc system:64 cache:32 data:32 boot:8:emmc
  printf 'ro.product.device=testdev\nro.build.date.utc=1600000000\n' > "$ROOT/default.prop"
  mkdir -p "$ROOT/res" "$T/keys" "$T/mnt"
  make_key "$T/keys" good
  cp "$T/keys/good.x509.pem" "$ROOT/res/keys"
  DEV_MISC=$(readlink "$ROOT/dev/block/by-name/misc")
  DEV_SYSTEM=$(readlink "$ROOT/dev/block/by-name/system")
  DEV_CACHE=$(readlink "$ROOT/dev/block/by-name/cache")
  DEV_DATA=$(readlink "$ROOT/dev/block/by-name/data")
  DEV_BOOT=$(readlink "$ROOT/dev/block/by-name/boot")
  export RECOVERY_ROOT=$ROOT
}

# The payload of the test build: files (some large enough that an install
# takes a moment), a symlink, and a boot image.
make_payload() { # DIR SEED
  local d=$1 seed=$2 i
  mkdir -p "$d/system/bin" "$d/system/lib" "$d/system/etc"
  printf 'ro.build.fingerprint=test/testdev:%s\nro.product.device=testdev\n' "$seed" \
    > "$d/system/build.prop"
  for i in 1 2 3 4 5 6; do
    openssl enc -aes-128-ctr -pass "pass:$seed$i" -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
      | head -c $((1024 * 1024 + i * 4099)) > "$d/system/lib/lib$i.so"
  done
  printf '#!/bin/sh\necho %s\n' "$seed" > "$d/system/bin/app"
  openssl enc -aes-128-ctr -pass "pass:boot$seed" -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
    | head -c $((3 * 1024 * 1024 + 123)) > "$d/boot.img"
}

FULL_SCRIPT='ui_print("Installing the test build");
show_progress(0.1, 0);
format("ext4", "EMMC", "/dev/block/by-name/system", "0", "/system");
mount("ext4", "EMMC", "/dev/block/by-name/system", "/system");
show_progress(0.7, 0);
package_extract_dir("system", "/system");
symlink("app", "/system/bin/app-link");
set_perm_recursive(0, 0, 0755, 0644, "/system");
set_perm(0, 2000, 0755, "/system/bin/app");
set_progress(1.0);
show_progress(0.2, 0);
package_extract_file("boot.img", "/dev/block/by-name/boot");
set_progress(1.0);
unmount("/system");
ui_print("Test build installed");'

# build_package OUT PAYLOAD_DIR SCRIPT METADATA [KEYNAME|-]: a signed OTA
# package ("-": unsigned).  $UPDATE_BINARY (default: the updater) becomes
# its update-binary; $ZIP_OPTS go to zip (-0: every entry stored).
# SIGNER=android signs with Debian's signapk -w (whole-file signature and
# otacert only, no v1 JAR signature), otherwise ours signs (both).
build_package() {
  local out=$1 payload=$2 script=$3 metadata=$4 key=${5:-good}
  local s; s=$(mktemp -d "$T/pkg.XXXXXX")
  mkdir -p "$s/META-INF/com/google/android" "$s/META-INF/com/android"
  cp "${UPDATE_BINARY:-$BIN/updater}" "$s/META-INF/com/google/android/update-binary"
  printf '%s\n' "$script" > "$s/META-INF/com/google/android/updater-script"
  printf '%s\n' "$metadata" > "$s/META-INF/com/android/metadata"
  (cd "$payload" && cp -a . "$s/")
  # symlinks stay symlinks in the zip (-y); the script recreates them anyway
  rm -f "$s.zip"
  (cd "$s" && zip -qry -X ${ZIP_OPTS:-} "$s.zip" .) || fail "zip"
  if [ "$key" = - ]; then
    mv "$s.zip" "$out"
  elif [ "${SIGNER:-}" = android ]; then
    java -jar /usr/bin/signapk -w "$T/keys/$key.x509.pem" "$T/keys/$key.pk8" "$s.zip" "$out" \
      > "$s.log" 2>&1 || fail "Debian's signapk -w $out: $(tail -3 "$s.log")"
    unzip -l "$out" | grep -q 'META-INF/MANIFEST.MF' && fail "Debian's signapk -w wrote a v1 JAR signature"
    rm -f "$s.zip" "$s.log"
  else
    "${SIGNAPK[@]}" -w "$T/keys/$key.x509.pem" "$T/keys/$key.pk8" "$s.zip" "$out" \
      >/dev/null 2>&1 || fail "signapk $out"
    rm -f "$s.zip"
  fi
  rm -rf "$s"
}

GOOD_METADATA='post-build=test/testdev:2
post-timestamp=1700000000
pre-device=testdev'

# put_in_cache FILE NAME: copies FILE into the cache filesystem as
# /cache/NAME, replacing the packages copied there before (the cache is
# small) unless a third argument "keep" is given.
put_in_cache() {
  mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
  [ "${3:-}" = keep ] || rm -f "$T/mnt"/*.zip
  cp "$1" "$T/mnt/$2" && sync || { umount "$T/mnt"; fail "cannot copy $1 to the cache"; }
  umount "$T/mnt"
}

# cache_file NAME: prints /cache/NAME from the cache filesystem.
cache_file() {
  mount -o ro "$DEV_CACHE" "$T/mnt" || fail "mount cache"
  cat "$T/mnt/$1" 2>/dev/null; local rc=$?
  umount "$T/mnt"
  return $rc
}

# write_command_file TEXT: /cache/recovery/command.
write_command_file() {
  mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
  mkdir -p "$T/mnt/recovery"
  printf '%s\n' "$1" > "$T/mnt/recovery/command"
  sync; umount "$T/mnt"
}

# write_bcb ARG...: boot-recovery with these arguments, as the framework does.
write_bcb() {
  local text="recovery"$'\n' a
  for a in "$@"; do text+="$a"$'\n'; done
  head -c 2048 /dev/zero > "$T/bcb"
  printf 'boot-recovery' | dd of="$T/bcb" conv=notrunc status=none
  printf '%s' "$text" | dd of="$T/bcb" bs=1 seek=64 conv=notrunc status=none
  dd if="$T/bcb" of="$DEV_MISC" conv=fsync status=none
}

# bcb_is_clear: the first 2048 bytes of misc are zero.
bcb_is_clear() {
  cmp -s -n 2048 "$DEV_MISC" /dev/zero
}

bcb_text() { head -c 2048 "$DEV_MISC" | tr -d '\0'; }

# State of what an install writes: the system tree (names, types, modes,
# owners, contents) and the boot partition.
system_manifest() {
  mount -o ro "$DEV_SYSTEM" "$T/mnt" || { echo "system does not mount"; return; }
  (cd "$T/mnt" && find . -path ./lost+found -prune -o -printf '%p %y %m %U %G %l\n' | sort &&
     find . -type f ! -path './lost+found/*' -exec sha256sum {} + | sort -k2)
  umount "$T/mnt"
}
boot_hash() { sha256sum < "$DEV_BOOT" | cut -d' ' -f1; }
image_hashes() { sha256sum < "$DEV_SYSTEM"; sha256sum < "$DEV_BOOT"; }

# unmount_leftovers: what a killed run left mounted under ROOT.
unmount_leftovers() {
  local m
  for m in $(grep -o " $ROOT[^ ]*" /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}

# run_recovery ARG...: recovery in its own session (process group), output
# to $T/out; sets RC.
run_recovery() {
  setsid "$BIN/recovery" "$@" > "$T/out" 2>&1 < /dev/null
  RC=$?
}

# The boot partition's hash once IMG has been written at its start.
expected_boot_hash() {
  head -c 8M "$1" | cat - /dev/zero | head -c 8M | sha256sum | cut -d' ' -f1
}
