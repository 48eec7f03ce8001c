#!/bin/bash
# signapk's command line and its refusals: wrong keys, encrypted or PEM
# private keys, unsupported key kinds, inputs that are not zips.  A failed
# signing leaves no output behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sign_helpers.bash"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v zip >/dev/null || skip "zip is not installed"
S=$BIN/signapk
d=$(make_tmpdir)
make_input_zip "$d" "$d/in.zip"
make_key "$d" a rsa2048
make_key "$d" b ec
make_key "$d" weak rsa1024

"$S" --help | grep -q "usage: signapk" || fail "--help"
"$S" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments: exit not 2"
"$S" -w a b c >/dev/null 2>&1; [ $? -eq 2 ] || fail "too few arguments: exit not 2"
"$S" -x a b c d >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option: exit not 2"
ok "usage errors exit 2"

# expect_fail REASON ARGS...: exit 1, REASON in the one-line message, no
# output file and no temporary left in $d/out.
mkdir -p "$d/out"
expect_fail() {
  local reason=$1 out rc; shift
  out=$("$S" "$@" 2>&1); rc=$?
  [ $rc -eq 1 ] || fail "signapk $*: exit $rc, expected 1: $out"
  echo "$out" | grep -qF -- "$reason" || fail "expected \"$reason\" in: $out"
  [ -z "$(ls -A "$d/out")" ] || fail "signapk $* left files: $(ls "$d/out")"
  ok "refused: $out"
}
expect_fail "does not belong to certificate" -w "$d/a.x509.pem" "$d/b.pk8" "$d/in.zip" "$d/out/o.zip"
openssl pkcs8 -topk8 -outform DER -in "$d/a.key.pem" -out "$d/enc.pk8" -passout pass:secret 2>/dev/null ||
  fail "openssl pkcs8 encrypted"
expect_fail "is encrypted" "$d/a.x509.pem" "$d/enc.pk8" "$d/in.zip" "$d/out/o.zip"
expect_fail "not a DER PKCS#8 private key" "$d/a.x509.pem" "$d/a.key.pem" "$d/in.zip" "$d/out/o.zip"
expect_fail "unsupported key RSA-1024" "$d/weak.x509.pem" "$d/weak.pk8" "$d/in.zip" "$d/out/o.zip"
expect_fail "not a PEM X.509 certificate" "$d/a.key.pem" "$d/a.pk8" "$d/in.zip" "$d/out/o.zip"
expect_fail "cannot open private key" "$d/a.x509.pem" "$d/none.pk8" "$d/in.zip" "$d/out/o.zip"
head -c 5000 /dev/urandom > "$d/junk.zip"
expect_fail "junk.zip" -w "$d/a.x509.pem" "$d/a.pk8" "$d/junk.zip" "$d/out/o.zip"
expect_fail "none.zip" -w "$d/a.x509.pem" "$d/a.pk8" "$d/none.zip" "$d/out/o.zip"

# An entry name with a line break cannot be listed in a manifest.
mkdir -p "$d/nl"; echo x > "$d/nl/$(printf 'bad\nname')"
(cd "$d/nl" && zip -q ../nl.zip -- *) || fail "zip nl"
expect_fail "line break" "$d/a.x509.pem" "$d/a.pk8" "$d/nl.zip" "$d/out/o.zip"

# An empty archive still gets a complete signature.
printf 'PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$d/empty.zip"
"$S" -w "$d/a.x509.pem" "$d/a.pk8" "$d/empty.zip" "$d/out/empty-signed.zip" || fail "empty archive"
"$BIN/check_ota_package_signature" "$d/a.x509.pem" "$d/out/empty-signed.zip" >/dev/null ||
  fail "signed empty archive does not verify"
ok "an empty archive is signed (otacert only) and verifies"
