#!/bin/bash
# --payload-compression: full packages whose new files and images are xz
# (zip method 95), zstd (93) or the smallest of deflate/xz/zstd per entry.
# META-INF/ keeps its methods, the metadata names what a reader needs, the
# package is deterministic and verifies; the real updater installs each
# exactly, and recovery (through scripts/simulate-device) verifies and
# installs an xz package signed by our signapk.  Debian's signapk cannot
# read such an archive (the JDK's zip refuses methods other than stored and
# deflate): checked here so the limit documented in docs/releasetools.md
# stays true, and its output verified should a later JDK accept them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixtures.bash"
need_loop
for p in make_target_files ota_from_target_files updater check_ota_package_signature recovery bcb signapk; do
  [ -x "$BIN/$p" ] || skip "$BIN/$p not built"
done
command -v python3 >/dev/null || skip "python3 not installed"
command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"

W=$(make_tmpdir)
rt_seed "$W/seed"
rt_target_files "$W/tf.zip" "$W/b" 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/release.x509.pem" -days 30 \
  -subj /CN=release -sha256 >/dev/null 2>&1 || fail "openssl key"
openssl pkcs8 -topk8 -nocrypt -in "$W/k.pem" -outform DER -out "$W/release.pk8" || fail "openssl pk8"

# name method compressed-size, one line per entry
methods() { # PACKAGE: "NAME METHOD SIZE" per entry (a space in NAME as %20)
  python3 -c 'import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    print(i.filename.replace(" ", "%20"), i.compress_type, i.compress_size)' "$1"
}
metadata_key() { unzip -p "$1" META-INF/com/android/metadata | sed -n 's/^ota-payload-compression=//p'; }

for m in deflate xz zstd auto; do
  "$BIN/ota_from_target_files" -k "$W/release" --payload-compression $m "$W/tf.zip" "$W/$m.zip" 2>"$W/err" ||
    { cat "$W/err"; fail "ota_from_target_files --payload-compression $m"; }
  "$BIN/check_ota_package_signature" "$W/release.x509.pem" "$W/$m.zip" >/dev/null ||
    fail "$m package does not verify"
  methods "$W/$m.zip" > "$W/$m.methods"
  echo "  $m: $(stat -c %s "$W/$m.zip") bytes"
done
"$BIN/ota_from_target_files" -k "$W/release" "$W/tf.zip" "$W/default.zip" 2>/dev/null || fail "default package"
cmp -s "$W/default.zip" "$W/deflate.zip" || fail "deflate is not the default"
[ -z "$(metadata_key "$W/deflate.zip")" ] || fail "a deflate package names a payload compression"
ok "deflate/xz/zstd/auto packages built and verified; deflate is the default, with no metadata key"

# Every entry the deflate package deflates outside META-INF/ is xz (zstd) in
# the other; everything else keeps its method.
for pair in xz:95 zstd:93; do
  m=${pair%:*} want=${pair#*:}
  paste -d' ' "$W/deflate.methods" "$W/$m.methods" | while read -r name dm ds name2 mm ms; do
    [ "$name" = "$name2" ] || fail "$m: entries differ ($name, $name2)"
    case $name in
      META-INF/*) [ "$mm" = "$dm" ] || fail "$m: $name is method $mm, not $dm";;
      *) if [ "$dm" = 8 ]; then [ "$mm" = "$want" ] || fail "$m: $name is method $mm, not $want"
         else [ "$mm" = "$dm" ] || fail "$m: $name (method $dm) became $mm"; fi;;
    esac
  done || exit 1
  [ "$(metadata_key "$W/$m.zip")" = "$m" ] || fail "$m: metadata says '$(metadata_key "$W/$m.zip")'"
  grep -q " $want " "$W/$m.methods" || fail "$m: no entry uses method $want"
done
# auto: each payload entry is the smallest of the three.
paste -d' ' "$W/deflate.methods" "$W/xz.methods" "$W/zstd.methods" "$W/auto.methods" |
  while read -r name _ ds _ _ xs _ _ zs _ am as; do
    case $name in META-INF/*) continue;; esac
    min=$ds; [ "$xs" -lt "$min" ] && min=$xs; [ "$zs" -lt "$min" ] && min=$zs
    [ "$as" = "$min" ] || fail "auto: $name is $as bytes (method $am), the smallest is $min"
  done || exit 1
used=$(awk '$1 !~ /^META-INF\// && ($2 == 93 || $2 == 95) {print $2}' "$W/auto.methods" | sort -u | tr '\n' ' ')
case "$used" in
  "") want="";; "93 ") want=zstd;; "95 ") want=xz;; *) want=xz,zstd;;
esac
[ "$(metadata_key "$W/auto.zip")" = "$want" ] || fail "auto: metadata says '$(metadata_key "$W/auto.zip")', methods used: $used"
ok "xz and zstd packages compress exactly the payload; auto keeps the smallest of each entry and says which"

"$BIN/ota_from_target_files" -k "$W/release" --payload-compression auto "$W/tf.zip" "$W/auto2.zip" 2>/dev/null ||
  fail "second auto run"
cmp -s "$W/auto.zip" "$W/auto2.zip" || fail "two auto runs gave different packages"
ls "$W"/*.tmp >/dev/null 2>&1 && fail "scratch archives left behind: $(ls "$W"/*.tmp)"
"$BIN/ota_from_target_files" --payload-compression lzma "$W/tf.zip" "$W/x.zip" 2>"$W/err"
[ $? = 2 ] || fail "an unknown method is not a usage error"
grep -q 'deflate, xz, zstd or auto' "$W/err" || fail "the usage error does not list the methods: $(cat "$W/err")"
ok "deterministic, no scratch files left, unknown methods refused"

# The real updater installs each exactly.
R=$W/dev
rt_device "$R"
rm -f "$W/b/system1/.keep"
rt_tree_dump "$W/b/system1" > "$W/want"
mkdir -p "$W/mnt"
for m in xz zstd auto; do
  RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/$m.zip" > "$W/pipe" 2> "$W/log" ||
    { cat "$W/log" "$W/pipe"; fail "updater failed on the $m package"; }
  mount -o ro "$R/dev/block/by-name/system" "$W/mnt" || fail "mount system"
  rt_tree_dump "$W/mnt" | grep -v -e '^./recovery-from-boot.p ' -e '^./etc/install-recovery.sh ' > "$W/got"
  umount "$W/mnt"
  diff -u "$W/want" "$W/got" || fail "$m: installed system differs from the build's rootfs"
  unzip -p "$W/deflate.zip" boot.img > "$W/boot.img"
  cmp -n "$(stat -c %s "$W/boot.img")" "$W/boot.img" "$R/dev/block/by-name/boot" || fail "$m: boot partition"
done
ok "the updater installs the xz, zstd and auto packages exactly (system tree, boot image)"

# Block packages: the full one keeps Android's stored brotli new data; the
# incremental's new data and boot patch become xz, and it installs bit for
# bit (the block engine streams new data through the zip layer too).
if grep -q block_image_update "$BIN/updater" && [ -x "$BIN/img_from_target_files" ]; then
  SIZE=33554432
  for v in 1 2; do
    rt_target_files "$W/btf$v.zip" "$W/bb" $v --misc-info system_size=$SIZE --misc-info blockimgdiff_versions=3,4
    "$BIN/img_from_target_files" "$W/btf$v.zip" "$W/bimg$v" || fail "img_from_target_files $v"
  done
  "$BIN/ota_from_target_files" -k "$W/release" -n "$W/btf1.zip" "$W/bfull1.zip" 2>/dev/null || fail "full block package"
  "$BIN/ota_from_target_files" -k "$W/release" --payload-compression xz -n "$W/btf1.zip" "$W/bfull1-xz.zip" 2>/dev/null ||
    fail "full block package, xz"
  "$BIN/ota_from_target_files" -k "$W/release" --payload-compression xz -i "$W/btf1.zip" "$W/btf2.zip" "$W/bincr-xz.zip" \
    2>/dev/null || fail "incremental block package, xz"
  methods "$W/bfull1-xz.zip" > "$W/bfull.methods"
  methods "$W/bincr-xz.zip" > "$W/bincr.methods"
  grep -q '^system.new.dat.br 0 ' "$W/bfull.methods" || fail "full block xz: new.dat.br is not stored: $(cat "$W/bfull.methods")"
  grep -q '^boot.img 95 ' "$W/bfull.methods" || fail "full block xz: boot.img is not xz"
  grep -q '^system.new.dat 95 ' "$W/bincr.methods" || fail "incremental block xz: new.dat is not xz: $(cat "$W/bincr.methods")"
  grep -q '^system.patch.dat 0 ' "$W/bincr.methods" || fail "incremental block xz: patch.dat is not stored"
  "$BIN/check_ota_package_signature" "$W/release.x509.pem" "$W/bincr-xz.zip" >/dev/null || fail "block xz package does not verify"
  dd if=/dev/zero of="$R/dev/block/by-name/system" bs=1M conv=fsync status=none 2>/dev/null
  RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/bfull1.zip" > "$W/log" 2>&1 || { cat "$W/log"; fail "full block install"; }
  RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$W/bincr-xz.zip" > "$W/log" 2>&1 || { cat "$W/log"; fail "xz block incremental install"; }
  cmp -s -n "$(stat -c %s "$W/bimg2/system.img")" "$W/bimg2/system.img" "$R/dev/block/by-name/system" ||
    fail "the xz block incremental did not make build 2's system.img"
  grep -q '^patch/boot.img.p 95 ' "$W/bincr.methods" || fail "incremental block xz: the boot patch is not xz"
  cmp -s -n "$(stat -c %s "$W/bimg2/boot.img")" "$W/bimg2/boot.img" "$R/dev/block/by-name/boot" ||
    fail "the xz block incremental did not make build 2's boot image"
  ok "block packages: brotli new data stays stored; an xz incremental (new data, boot patch) installs bit for bit"
fi

# Recovery: our signapk re-signs the xz package; recovery verifies it (v1
# digests over the decoded entries, whole-file signature) and installs it.
SIM=$TOP/scripts/simulate-device
export OTA_BIN=$BIN
on_exit "[ -e '$W/d/.simulated-device' ] && '$SIM' teardown '$W/d'"
"$BIN/signapk" -w "$W/release.x509.pem" "$W/release.pk8" "$W/xz.zip" "$W/xz-resigned.zip" ||
  fail "our signapk cannot sign the xz package"
"$SIM" setup "$W/d" --keys "$W/release.x509.pem" --device "$RT_DEVICE" >"$W/out" 2>&1 ||
  fail "simulate-device setup: $(cat "$W/out")"
"$SIM" install "$W/d" "$W/xz-resigned.zip" >"$W/out" 2>&1 || fail "recovery did not install the xz package: $(tail -20 "$W/out")"
"$SIM" mount "$W/d" >"$W/out" 2>&1 || fail "simulate-device mount: $(cat "$W/out")"
for line in 'whole-file signature verified' 'Install of /cache/xz-resigned.zip complete'; do
  grep -q "$line" "$W/d/cache/recovery/last_log" || fail "recovery's log lacks '$line'"
done
rt_tree_dump "$W/d/system" | grep -v -e '^./recovery-from-boot.p ' -e '^./etc/install-recovery.sh ' > "$W/got"
"$SIM" umount "$W/d" >/dev/null 2>&1
diff -u "$W/want" "$W/got" || fail "recovery's install of the xz package differs from the rootfs"
"$SIM" teardown "$W/d" >/dev/null 2>&1 || fail "teardown"
ok "recovery verifies and installs an xz package signed by our signapk"

if [ -r /usr/bin/signapk ] && command -v java >/dev/null; then
  if java -jar /usr/bin/signapk -w "$W/release.x509.pem" "$W/release.pk8" "$W/xz.zip" "$W/xz-debian.zip" \
       >"$W/jout" 2>&1; then
    "$BIN/check_ota_package_signature" "$W/release.x509.pem" "$W/xz-debian.zip" >/dev/null ||
      fail "Debian's signapk signed the xz package but the result does not verify"
    ok "Debian's signapk signs the xz package and it verifies"
  else
    grep -q 'compression method' "$W/jout" || fail "Debian's signapk failed for another reason: $(head -3 "$W/jout")"
    ok "Debian's signapk refuses xz entries (the JDK's zip: $(grep -o 'bad compression method: [0-9]*' "$W/jout" | head -1)), as documented"
  fi
fi
