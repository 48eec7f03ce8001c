#!/bin/bash
# Packages signed by Debian's signapk (Android's, in Java) verify with ours:
# -w (whole-file signature and otacert only), and v1-only signatures
# (--min-sdk-version 9: SHA-1, 18: SHA-256) once given a whole-file
# signature by openssl cms.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sign_helpers.bash"
command -v java >/dev/null || skip "java is not installed"
[ -f /usr/bin/signapk ] || skip "Debian's signapk is not installed (package signapk)"
command -v openssl >/dev/null || skip "openssl is not installed"
d=$(make_tmpdir)
make_input_zip "$d" "$d/in.zip"
jsign() { java -jar /usr/bin/signapk "$@" > "$d/java.log" 2>&1 || fail "Debian signapk $*: $(tail -3 "$d/java.log")"; }

for k in rsa3 rsa2048 rsa4096 ec; do
  make_key "$d" "$k" "$k"
  jsign -w "$d/$k.x509.pem" "$d/$k.pk8" "$d/in.zip" "$d/$k-w.zip"
  out=$("$BIN/check_ota_package_signature" "$d/$k.x509.pem" "$d/$k-w.zip") || fail "$k -w: $out"
  ok "$k: Debian signapk -w verifies ($out)"
  md=sha256; [ "$k" = rsa3 ] && md=sha1
  sdks="9 18"; [ "$k" = ec ] && sdks=18  # EC needs API level 18
  for sdk in $sdks; do
    jsign --min-sdk-version "$sdk" --disable-v2 "$d/$k.x509.pem" "$d/$k.pk8" "$d/in.zip" "$d/$k-$sdk.zip"
    wholefile_sign "$d/$k.x509.pem" "$d/$k.key.pem" "$d/$k-$sdk.zip" "$d/$k-$sdk-w.zip" "$md"
    out=$("$BIN/check_ota_package_signature" "$d/$k.x509.pem" "$d/$k-$sdk-w.zip") ||
      fail "$k v1 sdk $sdk: $out"
    echo "$out" | grep -q "v1 JAR signature verified" || fail "$k sdk $sdk: JAR not checked: $out"
    ok "$k: Debian signapk v1 (min sdk $sdk) verifies"
  done
done
out=$("$BIN/check_ota_package_signature" "$d/rsa2048.x509.pem" "$d/ec-w.zip" 2>&1)
[ $? -eq 1 ] || fail "wrong key did not give exit 1"
echo "$out" | grep -q "no matching key" || fail "wrong key: $out"
ok "a Debian-signed package with the wrong key: $out"
