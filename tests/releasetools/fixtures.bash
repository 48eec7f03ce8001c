# Builds for the release-tools tests (sourced after tests/lib.sh; not a test
# itself).  Two builds of one device, "1" (source) and "2" (target), that
# differ in every way an update can: changed, new and removed files, a
# removed directory, symlinks retargeted or turned into files and back,
# modes, owners and capabilities, and the kernel.

RT_DEVICE=rtdevice

# rt_fstab FILE: the recovery fstab make_device lays out.
rt_fstab() {
  cat > "$1" <<FSTAB
/system ext4 /dev/block/by-name/system
/boot emmc /dev/block/by-name/boot
/recovery emmc /dev/block/by-name/recovery
/cache ext4 /dev/block/by-name/cache
/data ext4 /dev/block/by-name/data
FSTAB
}

# rt_rootfs DIR VARIANT: a system rootfs with owners, modes, links, a capability.
rt_rootfs() {
  local d=$1 v=$2
  mkdir -p "$d"/{bin,xbin,lib,etc,app,empty,vendor/firmware,priv}
  head -c 200000 "$RT_SEED/blob" > "$d/lib/libc.so"
  head -c 90000 "$RT_SEED/blob2" > "$d/bin/toolbox"
  printf '#!/system/bin/sh\necho hi\n' > "$d/bin/sh"
  printf '127.0.0.1 localhost\n' > "$d/etc/hosts"
  head -c 30000 "$RT_SEED/blob3" > "$d/vendor/firmware/fw.bin"
  (cd "$RT_SEED/apk$v" && zip -qX -9 -r "$d/app/Foo.apk" .)
  printf 'secret\n' > "$d/priv/key"
  # a versioned directory that changes name between the builds
  mkdir -p "$d/modules/v$v/sub"
  head -c 50000 "$RT_SEED/blob2" > "$d/modules/v$v/sub/k.ko"
  printf 'module %s\n' "$v" >> "$d/modules/v$v/sub/k.ko"
  ln -sfn toolbox "$d/bin/ls"
  ln -sfn toolbox "$d/bin/cat"
  ln -sfn libc.so "$d/lib/libc.so.6"
  if [ "$v" = 1 ]; then
    printf 'old\n' > "$d/etc/old.conf"
    mkdir -p "$d/olddir/sub"; printf 'x\n' > "$d/olddir/sub/f"; printf 'y\n' > "$d/olddir/g"
    ln -sfn /system/etc/hosts "$d/etc/hosts.link"   # becomes a file in 2
    printf 'file in 1\n' > "$d/etc/becomes.link"  # becomes a symlink in 2
    printf 'ping1\n' > "$d/bin/ping"
  else
    # small edits to the big files (so they get patched), new and changed things
    printf 'PATCHED' | dd of="$d/lib/libc.so" bs=1 seek=5000 conv=notrunc status=none
    printf 'ALSO' | dd of="$d/lib/libc.so" bs=1 seek=150000 conv=notrunc status=none
    head -c 2000 "$RT_SEED/blob3" >> "$d/bin/toolbox"
    printf 'new\n' > "$d/etc/new.conf"
    mkdir -p "$d/newdir/empty2"
    rm "$d/bin/cat"; ln -s sh "$d/bin/cat"
    printf 'file in 2\n' > "$d/etc/hosts.link"
    ln -sfn hosts "$d/etc/becomes.link"
    printf 'ping2\n' > "$d/bin/ping"
    head -c 29000 "$RT_SEED/blob" > "$d/vendor/firmware/fw.bin"   # all new bytes
  fi
  cat > "$d/build.prop" <<PROP
ro.build.fingerprint=rt/rtdevice/rtdevice:1.0/RT$v/$v:user/release-keys
ro.product.device=$RT_DEVICE
ro.build.date=build $v
ro.build.date.utc=$((1700000000 + v))
PROP
  chown -R 0:0 "$d"
  chmod 0755 "$d"/bin/* "$d/bin"
  chmod 0644 "$d/etc/hosts"
  chown 1000:1000 "$d/app" "$d/app/Foo.apk"
  chmod 0771 "$d/app"
  chown 2000:2000 "$d/priv" "$d/priv/key"
  chmod 0700 "$d/priv"; chmod 0600 "$d/priv/key"
  chmod 0750 "$d/empty"; chown 1000:2000 "$d/empty"
  chown -h 1000:1000 "$d/lib/libc.so.6"
  printf 'su\n' > "$d/xbin/su"; chown 0:2000 "$d/xbin/su"; chmod 06755 "$d/xbin/su"
  chmod 0755 "$d/bin/ping"
  if [ "$v" = 1 ]; then
    setcap cap_net_raw+ep "$d/bin/ping"
    chmod 01777 "$d/vendor"
  else
    setcap cap_net_raw,cap_net_admin+ep "$d/bin/ping"
    chmod 0755 "$d/vendor"; chmod 0640 "$d/etc/hosts"
  fi
}

# rt_need PROG...: skips unless these programs are built and the tools the
# builds need (setcap, debugfs) are installed.
rt_need() {
  local p
  for p in "$@"; do
    [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
  done
  command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
  command -v debugfs >/dev/null || skip "debugfs (e2fsprogs) not installed"
}

# rt_seed DIR: the random material both builds share.
rt_seed() {
  RT_SEED=$1
  mkdir -p "$RT_SEED"
  head -c 400000 /dev/urandom > "$RT_SEED/blob"
  head -c 200000 /dev/urandom > "$RT_SEED/blob2"
  head -c 60000 /dev/urandom > "$RT_SEED/blob3"
  local v
  for v in 1 2; do
    mkdir -p "$RT_SEED/apk$v/res"
    seq 1 3000 | sed "s/^/line $v /" > "$RT_SEED/apk$v/res/strings.txt"
    seq 1 2000 > "$RT_SEED/apk$v/classes.dex"
  done
  head -c 300000 "$RT_SEED/blob" > "$RT_SEED/kernel1"
  { head -c 200000 "$RT_SEED/blob"; head -c 120000 "$RT_SEED/blob2"; } > "$RT_SEED/kernel2"
}

# rt_ramdisk DIR VARIANT KIND(boot|recovery)
rt_ramdisk() {
  mkdir -p "$1/etc" "$1/sbin" "$1/dev"
  printf 'init %s %s\n' "$2" "$3" > "$1/init"; chmod 0750 "$1/init"
  seq 1 500 | sed "s/^/$3 $2 /" > "$1/init.rc"
  [ "$3" = recovery ] && printf 'recovery binary\n' > "$1/sbin/recovery"
  ln -sf ../init "$1/sbin/ueventd"
}

# rt_target_files OUT.zip WORK VARIANT [extra make_target_files args]
rt_target_files() {
  local out=$1 work=$2 v=$3; shift 3
  mkdir -p "$work"
  rt_rootfs "$work/system$v" "$v"
  rt_ramdisk "$work/ramdisk$v" "$v" boot
  rt_ramdisk "$work/recovery$v" "$v" recovery
  rt_fstab "$work/fstab"
  "$BIN/make_target_files" --system "$work/system$v" --fstab "$work/fstab" \
    --kernel "$RT_SEED/kernel$v" --ramdisk "$work/ramdisk$v" --cmdline "console=ttyS0 v=$v" \
    --recovery-ramdisk "$work/recovery$v" "$@" "$out" || fail "make_target_files build $v"
}

# rt_device ROOT: the loop-backed device of these builds.
rt_device() {
  make_device "$1" system:48:ext4 boot:4:emmc recovery:4:emmc cache:24:ext4 data:8:ext4
  cp "$1/etc/recovery.fstab" "$1/etc/recovery.fstab.made"
  rt_fstab "$1/etc/recovery.fstab"
  printf 'ro.product.device=%s\nro.build.date.utc=1600000000\nro.build.date=old\n' "$RT_DEVICE" \
    > "$1/default.prop"
}

# rt_tree_dump MOUNTED_DIR: one line per path with kind, owner, mode,
# contents' SHA-1 or link target, and capabilities — what "exactly the
# target tree" is compared by.
rt_tree_dump() {
  (cd "$1" && find . -path ./lost+found -prune -o -print | LC_ALL=C sort | while IFS= read -r p; do
    local st extra=""
    st=$(stat -c '%F %u %g %a' "$p")
    if [ -L "$p" ]; then extra="-> $(readlink "$p")"
    elif [ -f "$p" ]; then extra="$(sha1sum < "$p" | cut -c1-40) $(getcap "$p" | awk '{print $2}')"
    fi
    echo "$p $st $extra"
  done)
}
