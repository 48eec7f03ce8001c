#!/bin/bash
# check_ota_package_signature's command line, exit codes, key formats
# (PEM, several PEMs, otacerts.zip) and clear refusals of bad inputs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sign_helpers.bash"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v zip >/dev/null || skip "zip is not installed"
C=$BIN/check_ota_package_signature
d=$(make_tmpdir)
make_input_zip "$d" "$d/in.zip"
make_key "$d" a rsa2048
make_key "$d" b ec
make_key "$d" weak rsa1024
"$BIN/signapk" -w "$d/a.x509.pem" "$d/a.pk8" "$d/in.zip" "$d/a.zip" || fail "signapk a"
"$BIN/signapk" -w "$d/b.x509.pem" "$d/b.pk8" "$d/in.zip" "$d/b.zip" || fail "signapk b"

"$C" --help | grep -q "usage: check_ota_package_signature" || fail "--help"
"$C" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments: exit not 2"
"$C" "$d/a.x509.pem" >/dev/null 2>&1; [ $? -eq 2 ] || fail "one argument: exit not 2"
"$C" "$d/a.x509.pem" "$d/a.zip" extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "three arguments: exit not 2"
ok "usage: --help exits 0, wrong argument counts exit 2"

# expect_fail KEYS PACKAGE REASON
expect_fail() {
  local out rc
  out=$("$C" "$1" "$2" 2>&1); rc=$?
  [ $rc -eq 1 ] || fail "$1 $2: exit $rc, expected 1: $out"
  echo "$out" | grep -qF -- "$3" || fail "expected \"$3\" in: $out"
  [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "more than one line: $out"
  ok "refused: $out"
}

"$C" "$d/a.x509.pem" "$d/a.zip" >/dev/null || fail "a does not verify"
cat "$d/a.x509.pem" "$d/b.x509.pem" > "$d/both.pem"
"$C" "$d/both.pem" "$d/b.zip" | grep -q "trusted key 2" || fail "second of two PEMs"
ok "several certificates in one PEM file"

mkdir -p "$d/otacerts"; cp "$d/a.x509.pem" "$d/b.x509.pem" "$d/otacerts/"; echo notes > "$d/otacerts/README"
(cd "$d/otacerts" && zip -q ../otacerts.zip a.x509.pem b.x509.pem README)
"$C" "$d/otacerts.zip" "$d/a.zip" >/dev/null || fail "otacerts.zip, key a"
"$C" "$d/otacerts.zip" "$d/b.zip" >/dev/null || fail "otacerts.zip, key b"
ok "otacerts.zip (a zip of *.x509.pem)"
(cd "$d/otacerts" && zip -q ../nocerts.zip README)
expect_fail "$d/nocerts.zip" "$d/a.zip" "holds no *.x509.pem"

expect_fail "$d/b.x509.pem" "$d/a.zip" "no matching key"
expect_fail "$d/a.x509.pem" "$d/in.zip" "no whole-file signature"
expect_fail "$d/a.x509.pem" "$d/missing.zip" "cannot open package $d/missing.zip"
expect_fail "$d/nonexistent.pem" "$d/a.zip" "cannot open keys file $d/nonexistent.pem"
head -c 3000 /dev/urandom > "$d/random.bin"
expect_fail "$d/random.bin" "$d/a.zip" "not a keys file"
expect_fail "$d/a.key.pem" "$d/a.zip" "not a certificate"
expect_fail "$d/weak.x509.pem" "$d/a.zip" "unsupported key RSA-1024"
head -c 600 "$d/a.x509.pem" > "$d/cut.pem"; echo "-----END CERTIFICATE-----" >> "$d/cut.pem"
expect_fail "$d/cut.pem" "$d/a.zip" "cut.pem"
sed '2s/^M/N/' "$d/a.x509.pem" > "$d/bad.pem"
expect_fail "$d/bad.pem" "$d/a.zip" "bad.pem"

# A FIFO (or a device) as the package or the keys file is refused at once,
# never waited on.  (timeout only turns a hang into a failure.)
mkfifo "$d/pkg.fifo" "$d/keys.fifo"
for args in "$d/a.x509.pem $d/pkg.fifo package" "$d/keys.fifo $d/a.zip keys" \
            "$d/a.x509.pem /dev/null package" "/dev/zero $d/a.zip keys"; do
  set -- $args
  out=$(timeout 20 "$C" "$1" "$2" 2>&1); rc=$?
  [ $rc -eq 1 ] || fail "$3 $1 $2: exit $rc (124: it blocked), expected 1: $out"
  echo "$out" | grep -q "not a regular file" || fail "$3 $1 $2: reason not given: $out"
  ok "refused at once: $out"
done

# Truncated packages and a lying comment length.
size=$(stat -c %s "$d/a.zip")
for n in 0 10 21 22 $((size / 2)) $((size - 7)) $((size - 1)); do
  head -c "$n" "$d/a.zip" > "$d/trunc.zip"
  out=$("$C" "$d/a.x509.pem" "$d/trunc.zip" 2>&1); [ $? -eq 1 ] || fail "truncated to $n: $out"
  # Cut inside the signature or before the directory's end: said as such.
  if [ "$n" -ge 22 ]; then
    case $out in *"looks truncated"*) ;; *) fail "truncated to $n: $out";; esac
  fi
done
ok "truncated packages are refused, said to look truncated"
cp "$d/a.zip" "$d/longer.zip"; printf 'xxxxxx' >> "$d/longer.zip"
expect_fail "$d/a.x509.pem" "$d/longer.zip" "no whole-file signature"
