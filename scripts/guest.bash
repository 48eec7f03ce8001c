# The parts every qemu guest image of the project is made of (sourced by
# scripts/build-recovery-image and scripts/ab-sample-system, never run):
# Debian's cloud kernel, the virtio modules that make its disks appear,
# programs copied with the shared libraries they load, and cpio archives.
# Callers set GUEST_TOOL (their name, for messages) and use set -e.

# guest_kernel CACHE_DIR: the kernel linux-image-cloud-amd64 currently
# depends on, downloaded once (apt-get download) and unpacked in CACHE_DIR.
# Sets GUEST_KPKG (the package) and GUEST_KDIR (where it is unpacked:
# boot/vmlinuz-*, lib/modules/).
guest_kernel() {
  local cache=$1 deb
  mkdir -p "$cache"
  GUEST_KPKG=$(_guest_kernel_package)
  if [ -z "$GUEST_KPKG" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true   # package lists may have been cleaned
    GUEST_KPKG=$(_guest_kernel_package)
  fi
  [ -n "$GUEST_KPKG" ] || { echo "${GUEST_TOOL:-guest}: cannot find the linux-image-cloud-amd64 package (run apt-get update)" >&2; return 1; }
  deb=$(ls "$cache"/"${GUEST_KPKG}"_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download "$GUEST_KPKG" >/dev/null 2>&1) ||
      { echo "${GUEST_TOOL:-guest}: apt-get download $GUEST_KPKG failed" >&2; return 1; }
    deb=$(ls "$cache"/"${GUEST_KPKG}"_*.deb | head -n1)
  fi
  GUEST_KDIR=$cache/${GUEST_KPKG}.x
  if [ ! -d "$GUEST_KDIR" ]; then
    rm -rf "$GUEST_KDIR.tmp" && mkdir -p "$GUEST_KDIR.tmp" &&
      dpkg-deb -x "$deb" "$GUEST_KDIR.tmp" && mv "$GUEST_KDIR.tmp" "$GUEST_KDIR"
  fi
}
_guest_kernel_package() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/.*Depends: \(linux-image-[0-9].*-cloud-amd64\).*/\1/p' | head -n1
}

# guest_vmlinuz: the kernel image of the package guest_kernel unpacked.
guest_vmlinuz() {
  ls "$GUEST_KDIR"/boot/vmlinuz-* | head -n1
}

# The cloud kernel builds virtio as modules; loaded in this order they show
# the virtio disks as /dev/vd* (ext4 is built in).
GUEST_VIRTIO_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"

# guest_virtio_modules ROOT: the modules above, uncompressed, into
# ROOT/lib/modules/NAME.ko (busybox's insmod cannot read compressed ones),
# and their names in load order into ROOT/lib/modules/order, which the
# guests' init scripts follow.
guest_virtio_modules() {
  local root=$1 m f
  mkdir -p "$root/lib/modules"
  for m in $GUEST_VIRTIO_MODULES; do
    f=$(find "$GUEST_KDIR/lib/modules" -name "$m.ko*" | head -n1)
    [ -n "$f" ] || { echo "${GUEST_TOOL:-guest}: module $m not in $GUEST_KPKG" >&2; return 1; }
    case $f in
      *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko";;
      *.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko";;
      *) cp "$f" "$root/lib/modules/$m.ko";;
    esac
  done
  echo "$GUEST_VIRTIO_MODULES" | tr ' ' '\n' > "$root/lib/modules/order"
}

# guest_copy_with_libs ROOT PROGRAM DEST: PROGRAM as ROOT/DEST, with every
# shared library it loads at the path the loader looks for it, and the
# loader itself.
guest_copy_with_libs() {
  local root=$1 prog=$2 dest=$3 lib
  mkdir -p "$root/$(dirname "$dest")"
  install -m 0755 "$prog" "$root/$dest"
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done < <({ ldd "$prog" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\t\/lib/{print $1}')
  if [ -e /lib64/ld-linux-x86-64.so.2 ]; then
    mkdir -p "$root/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
  fi
}

# guest_busybox ROOT: busybox-static as ROOT/bin/busybox.
guest_busybox() {
  mkdir -p "$1/bin"
  install -m 0755 /bin/busybox "$1/bin/busybox"
}

# guest_cpio ROOT OUT.cpio.gz: the tree as a reproducible initramfs (sorted,
# owned by root, no timestamps in the gzip header).
guest_cpio() {
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible -R 0:0 --quiet) | gzip -9n > "$2"
}
