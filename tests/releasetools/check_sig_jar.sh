#!/bin/bash
# The v1 JAR checks behind a valid whole-file signature: a package altered
# after JAR signing and then whole-file signed again (with openssl cms) must
# fail, naming what is wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sign_helpers.bash"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v zip >/dev/null || skip "zip is not installed"
d=$(make_tmpdir)
make_input_zip "$d" "$d/in.zip"
make_key "$d" k rsa2048
make_key "$d" other ec
"$BIN/signapk" "$d/k.x509.pem" "$d/k.pk8" "$d/in.zip" "$d/base.zip" || fail "signapk"

# expect NAME REASON: whole-file signs $d/NAME.zip, then requires exit 1
# with REASON in the message.
expect() {
  wholefile_sign "$d/k.x509.pem" "$d/k.key.pem" "$d/$1.zip" "$d/$1-w.zip"
  local out rc
  out=$("$BIN/check_ota_package_signature" "$d/k.x509.pem" "$d/$1-w.zip" 2>&1); rc=$?
  [ $rc -eq 1 ] || fail "$1: exit $rc, expected 1: $out"
  echo "$out" | grep -qF -- "$2" || fail "$1: expected \"$2\" in: $out"
  ok "$1: $(echo "$out" | sed 's/.*NOT verified: //')"
}

cp "$d/base.zip" "$d/good.zip"
wholefile_sign "$d/k.x509.pem" "$d/k.key.pem" "$d/good.zip" "$d/good-w.zip"
"$BIN/check_ota_package_signature" "$d/k.x509.pem" "$d/good-w.zip" | grep -q "v1 JAR signature verified" ||
  fail "the unaltered package does not verify"
ok "unaltered JAR-signed package verifies"

cp "$d/base.zip" "$d/extra.zip"; echo new > "$d/extra.txt"
(cd "$d" && zip -q extra.zip extra.txt)
expect extra "entry extra.txt is not listed in the manifest"

cp "$d/base.zip" "$d/missing.zip"; zip -qd "$d/missing.zip" system/etc/numbers.txt
expect missing "manifest names entry system/etc/numbers.txt, which the package lacks"

cp "$d/base.zip" "$d/changed.zip"; mkdir -p "$d/c/system/etc"; seq 2 20001 > "$d/c/system/etc/numbers.txt"
(cd "$d/c" && zip -q ../changed.zip system/etc/numbers.txt)
expect changed "manifest mismatch on entry system/etc/numbers.txt"

# The manifest edited to match the changed entry: CERT.SF no longer matches.
mkdir -p "$d/m/META-INF"; unzip -p "$d/base.zip" META-INF/MANIFEST.MF > "$d/m/META-INF/MANIFEST.MF"
digest=$(openssl dgst -sha256 -binary "$d/c/system/etc/numbers.txt" | base64)
awk -v dg="$digest" 'prev ~ /^Name: system\/etc\/numbers.txt/ && /^SHA-256-Digest:/ {print "SHA-256-Digest: " dg "\r"; prev=""; next} {print; prev=$0}' \
  "$d/m/META-INF/MANIFEST.MF" > "$d/m/mf" && mv "$d/m/mf" "$d/m/META-INF/MANIFEST.MF"
cp "$d/changed.zip" "$d/mfedit.zip"; (cd "$d/m" && zip -q ../mfedit.zip META-INF/MANIFEST.MF)
expect mfedit "CERT.SF vs META-INF/MANIFEST.MF: SHA-256 digest differs"

# A manifest that is not even well formed, behind a valid CERT.SF: it is
# judged by its digest before a byte of it is parsed.
mkdir -p "$d/g/META-INF"; printf 'this is no manifest\n' > "$d/g/META-INF/MANIFEST.MF"
cp "$d/base.zip" "$d/mfgarbage.zip"; (cd "$d/g" && zip -q ../mfgarbage.zip META-INF/MANIFEST.MF)
expect mfgarbage "CERT.SF vs META-INF/MANIFEST.MF: SHA-256 digest differs"

cp "$d/base.zip" "$d/nosf.zip"; zip -qd "$d/nosf.zip" META-INF/CERT.SF
expect nosf "expected one signer"
cp "$d/base.zip" "$d/nomf.zip"; zip -qd "$d/nomf.zip" META-INF/MANIFEST.MF
expect nomf "no META-INF/MANIFEST.MF"

# CERT.SF altered: the block's signature over it fails.
mkdir -p "$d/s/META-INF"; unzip -p "$d/base.zip" META-INF/CERT.SF | sed 's/1.0 (Android SignApk)/1.1 (Android SignApk)/' > "$d/s/META-INF/CERT.SF"
cp "$d/base.zip" "$d/sfedit.zip"; (cd "$d/s" && zip -q ../sfedit.zip META-INF/CERT.SF)
expect sfedit "META-INF/CERT.RSA: SHA-256 signature does not verify"

# JAR signed by another key than the whole file.
"$BIN/signapk" "$d/other.x509.pem" "$d/other.pk8" "$d/in.zip" "$d/otherjar.zip" || fail "signapk other"
expect otherjar "not by the whole file's certificate"

# Duplicate entry names (made by renaming one entry in place).
mkdir -p "$d/dup"; echo one > "$d/dup/aaaa"; echo two > "$d/dup/aaab"
(cd "$d/dup" && zip -q -X ../dupsrc.zip aaaa aaab)
"$BIN/signapk" "$d/k.x509.pem" "$d/k.pk8" "$d/dupsrc.zip" "$d/dup1.zip" || fail "signapk dup"
LC_ALL=C sed 's/aaab/aaaa/g' "$d/dup1.zip" > "$d/dup.zip"
expect dup "aaaa"
out=$("$BIN/check_ota_package_signature" "$d/k.x509.pem" "$d/dup-w.zip" 2>&1)
echo "$out" | grep -qi "duplicate\|twice" || fail "duplicate names not named as such: $out"

# Signature blocks that are too big, not PKCS#7, or of the wrong type.
mkdir -p "$d/big/META-INF"; head -c 2M /dev/urandom > "$d/big/META-INF/CERT.RSA"
cp "$d/base.zip" "$d/hugeblock.zip"; (cd "$d/big" && zip -q ../hugeblock.zip META-INF/CERT.RSA)
expect hugeblock "entry META-INF/CERT.RSA is 2097152 bytes, over the limit"
head -c 900 /dev/urandom > "$d/big/META-INF/CERT.RSA"
cp "$d/base.zip" "$d/junkblock.zip"; (cd "$d/big" && zip -q ../junkblock.zip META-INF/CERT.RSA)
expect junkblock "META-INF/CERT.RSA: not a PKCS#7 structure"
unzip -p "$d/base.zip" META-INF/CERT.SF > "$d/CERT.SF"
openssl cms -sign -binary -noattr -outform DER -md sha512 -signer "$d/k.x509.pem" \
  -inkey "$d/k.key.pem" -in "$d/CERT.SF" -out "$d/big/META-INF/CERT.RSA" || fail "cms sha512"
cp "$d/base.zip" "$d/sha512.zip"; (cd "$d/big" && zip -q ../sha512.zip META-INF/CERT.RSA)
expect sha512 "digest algorithm sha512 (SHA-1 or SHA-256 expected)"

# A block with signed attributes (content type, digest, signing time) is
# valid PKCS#7 too: the signature then covers the attributes.
openssl cms -sign -binary -outform DER -md sha256 -signer "$d/k.x509.pem" \
  -inkey "$d/k.key.pem" -in "$d/CERT.SF" -out "$d/big/META-INF/CERT.RSA" || fail "cms attrs"
cp "$d/base.zip" "$d/attrs.zip"; (cd "$d/big" && zip -q ../attrs.zip META-INF/CERT.RSA)
wholefile_sign "$d/k.x509.pem" "$d/k.key.pem" "$d/attrs.zip" "$d/attrs-w.zip"
"$BIN/check_ota_package_signature" "$d/k.x509.pem" "$d/attrs-w.zip" >/dev/null ||
  fail "a block with signed attributes does not verify"
ok "a signature block with signed attributes verifies"
# ... and the same attributes over another file do not.
echo "Signature-Version: 1.0" > "$d/other.SF"
openssl cms -sign -binary -outform DER -md sha256 -signer "$d/k.x509.pem" \
  -inkey "$d/k.key.pem" -in "$d/other.SF" -out "$d/big/META-INF/CERT.RSA" || fail "cms other"
cp "$d/base.zip" "$d/attrs2.zip"; (cd "$d/big" && zip -q ../attrs2.zip META-INF/CERT.RSA)
expect attrs2 "signed content does not match its digest"

# A large entry (hashed in a helper thread): intact it verifies, altered
# (with the whole file signed again) its manifest digest fails.
mkdir -p "$d/large"; head -c $((9 << 20)) /dev/urandom > "$d/large/large.bin"
(cd "$d/large" && zip -q -0 ../large-in.zip large.bin)
"$BIN/signapk" "$d/k.x509.pem" "$d/k.pk8" "$d/large-in.zip" "$d/large.zip" || fail "signapk large"
wholefile_sign "$d/k.x509.pem" "$d/k.key.pem" "$d/large.zip" "$d/large-ok.zip"
"$BIN/check_ota_package_signature" "$d/k.x509.pem" "$d/large-ok.zip" >/dev/null ||
  fail "a package with a 9 MiB entry does not verify"
ok "a 9 MiB entry verifies"
head -c $((9 << 20)) /dev/urandom > "$d/large/large.bin"
cp "$d/large.zip" "$d/largebad.zip"; (cd "$d/large" && zip -q -0 ../largebad.zip large.bin)
expect largebad "manifest mismatch on entry large.bin"
