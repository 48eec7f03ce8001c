#!/bin/bash
# signapk's output checked by tools that are not ours: the whole-file
# signature with `openssl cms -verify`, the v1 JAR signature with the JDK's
# `jarsigner -verify`; and by our own verifier.  RSA output is deterministic.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sign_helpers.bash"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v zip >/dev/null || skip "zip is not installed"
command -v jarsigner >/dev/null || skip "jarsigner (openjdk) is not installed"
d=$(make_tmpdir)
make_input_zip "$d" "$d/in.zip"
for k in rsa3 rsa2048 rsa4096 ec; do make_key "$d" "$k" "$k"; done

for k in rsa3 rsa2048 rsa4096 ec; do
  "$BIN/signapk" -w "$d/$k.x509.pem" "$d/$k.pk8" "$d/in.zip" "$d/$k-w.zip" || fail "signapk -w $k"
  out=$("$BIN/check_ota_package_signature" "$d/$k.x509.pem" "$d/$k-w.zip") || fail "$k: $out"
  echo "$out" | grep -q "v1 JAR signature verified" || fail "$k: no JAR signature: $out"
  mkdir -p "$d/split-$k"
  split_wholefile "$d/$k-w.zip" "$d/split-$k"
  openssl cms -verify -binary -inform DER -in "$d/split-$k/sig.der" -content "$d/split-$k/data" \
    -noverify -out /dev/null 2>"$d/cms.log" || fail "$k: openssl cms -verify: $(cat "$d/cms.log")"
  unzip -Z1 "$d/$k-w.zip" | head -1 | grep -qx META-INF/MANIFEST.MF || fail "$k: manifest not first"
  unzip -Z1 "$d/$k-w.zip" | grep -qx META-INF/com/android/otacert || fail "$k: no otacert"
  cmp -s <(unzip -p "$d/$k-w.zip" META-INF/com/android/otacert) "$d/$k.x509.pem" ||
    fail "$k: otacert is not the certificate"
  ok "$k: -w output verifies with ours and with openssl cms"

  "$BIN/signapk" "$d/$k.x509.pem" "$d/$k.pk8" "$d/in.zip" "$d/$k-v1.zip" || fail "signapk $k"
  unzip -Z1 "$d/$k-v1.zip" | grep -q otacert && fail "$k: otacert without -w"
  [ "$(tail -c 2 "$d/$k-v1.zip" | od -An -tx1 | tr -d ' \n')" = 0000 ] ||
    fail "$k: v1-only output has a zip comment"
  if [ "$k" = rsa3 ]; then
    # SHA1withRSA certificate: SHA-1 digests, as Android's signapk; the JDK
    # treats those as unsigned, so jarsigner cannot judge this one.
    unzip -p "$d/$k-v1.zip" META-INF/MANIFEST.MF | grep -q '^SHA1-Digest: ' || fail "$k: not SHA-1"
  else
    unzip -p "$d/$k-v1.zip" META-INF/MANIFEST.MF | grep -q '^SHA-256-Digest: ' ||
      fail "$k: not SHA-256"
    for f in "$d/$k-v1.zip" "$d/$k-w.zip"; do
      jarsigner -verify "$f" > "$d/js.log" 2>&1
      grep -q "^jar verified." "$d/js.log" || fail "$k: jarsigner -verify $f: $(cat "$d/js.log")"
    done
    ok "$k: jarsigner -verify accepts the v1 signature"
  fi
done
unzip -Z1 "$d/ec-w.zip" | grep -qx META-INF/CERT.EC || fail "EC block is not CERT.EC"
unzip -Z1 "$d/rsa2048-w.zip" | grep -qx META-INF/CERT.RSA || fail "RSA block is not CERT.RSA"

# Deterministic for RSA: same inputs, same bytes; re-signing a signed
# package replaces its signature and gives the same bytes again.
for k in rsa3 rsa2048 rsa4096; do
  "$BIN/signapk" -w "$d/$k.x509.pem" "$d/$k.pk8" "$d/in.zip" "$d/$k-again.zip" || fail "again $k"
  cmp "$d/$k-w.zip" "$d/$k-again.zip" || fail "$k: two signings differ"
  "$BIN/signapk" -w "$d/$k.x509.pem" "$d/$k.pk8" "$d/$k-w.zip" "$d/$k-resigned.zip" ||
    fail "re-sign $k"
  cmp "$d/$k-w.zip" "$d/$k-resigned.zip" || fail "$k: re-signing changed the bytes"
done
ok "RSA signing is deterministic, also when re-signing"

# Re-signed with another key: only the new key verifies.
"$BIN/signapk" -w "$d/ec.x509.pem" "$d/ec.pk8" "$d/rsa2048-w.zip" "$d/swapped.zip" || fail "swap"
"$BIN/check_ota_package_signature" "$d/ec.x509.pem" "$d/swapped.zip" >/dev/null || fail "swap"
"$BIN/check_ota_package_signature" "$d/rsa2048.x509.pem" "$d/swapped.zip" 2>/dev/null &&
  fail "old key still verifies after re-signing"
ok "re-signing with another key replaces the signature"
