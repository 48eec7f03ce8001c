# Shared by tests/releasetools/signapk_*.sh and check_sig_*.sh (sourced after
# tests/lib.sh): test keys made with openssl, a sample package, and a
# whole-file signer built from OpenSSL's cms tool alone, independent of the
# project's signer, for signing archives a test has altered.

# make_key DIR NAME KIND: DIR/NAME.x509.pem, DIR/NAME.pk8 (DER PKCS#8) and
# DIR/NAME.key.pem.  KIND: rsa3 (RSA-2048 e=3, SHA1withRSA certificate, as
# Android's oldest test keys), rsa2048, rsa4096, ec (P-256), rsa1024.
make_key() {
  local dir=$1 name=$2 kind=$3 gen certmd=sha256
  case $kind in
    rsa3)    gen="-algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3"; certmd=sha1;;
    rsa2048) gen="-algorithm RSA -pkeyopt rsa_keygen_bits:2048";;
    rsa4096) gen="-algorithm RSA -pkeyopt rsa_keygen_bits:4096";;
    rsa1024) gen="-algorithm RSA -pkeyopt rsa_keygen_bits:1024";;
    ec)      gen="-algorithm EC -pkeyopt ec_paramgen_curve:P-256";;
    *) fail "make_key: unknown kind $kind";;
  esac
  # shellcheck disable=SC2086
  openssl genpkey $gen -out "$dir/$name.key.pem" 2>/dev/null || fail "openssl genpkey $kind"
  openssl req -new -x509 -key "$dir/$name.key.pem" -out "$dir/$name.x509.pem" -days 3650 \
    -subj "/O=ota test/CN=$name" "-$certmd" 2>/dev/null || fail "openssl req $name"
  openssl pkcs8 -topk8 -outform DER -nocrypt -in "$dir/$name.key.pem" -out "$dir/$name.pk8" ||
    fail "openssl pkcs8 $name"
}

# make_input_zip DIR OUT.zip: a small package with stored and deflated
# entries, a directory and a nested file.
make_input_zip() {
  local src=$1/input-src
  mkdir -p "$src/META-INF/com/google/android" "$src/system/etc/dir"
  echo 'ui_print("hello");' > "$src/META-INF/com/google/android/updater-script"
  head -c 70000 /dev/urandom > "$src/system/random.bin"
  seq 1 20000 > "$src/system/etc/numbers.txt"
  echo x > "$src/system/etc/dir/small"
  (cd "$src" && zip -qr -X "$2" .) || fail "zip $2"
}

# wholefile_sign CERT.pem KEY.pem IN.zip OUT.zip [sha1|sha256]: IN must end
# in an end-of-central-directory record with an empty comment; everything
# before its 2-byte comment length is signed with `openssl cms`; the
# comment becomes "signed by SignApk" NUL, the PKCS#7 DER and the footer.
wholefile_sign() {
  local cert=$1 key=$2 in=$3 out=$4 md=${5:-sha256} size magic clen siglen total start w
  size=$(stat -c %s "$in")
  [ "$size" -ge 22 ] || fail "wholefile_sign: $in is too short for a zip"
  magic=$(tail -c 22 "$in" | head -c 4 | od -An -tx1 | tr -d ' \n')
  clen=$(tail -c 2 "$in" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = 504b0506 ] && [ "$clen" = 0000 ] ||
    fail "wholefile_sign: $in does not end in an EOCD record with an empty comment"
  w=$(mktemp -d)
  head -c $((size - 2)) "$in" > "$w/data"
  openssl cms -sign -binary -noattr -nosmimecap -outform DER -md "$md" \
    -signer "$cert" -inkey "$key" -in "$w/data" -out "$w/sig.der" || fail "openssl cms -sign"
  siglen=$(stat -c %s "$w/sig.der")
  total=$((18 + siglen + 6)) start=$((siglen + 6))
  {
    cat "$w/data"
    _le16 $total
    printf 'signed by SignApk\0'
    cat "$w/sig.der"
    _le16 $start
    printf '\xff\xff'
    _le16 $total
  } > "$out"
  rm -rf "$w"
}

_le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8)))"; }

# split_wholefile PKG DIR: DIR/data (the signed bytes) and DIR/sig.der.
split_wholefile() {
  local pkg=$1 dir=$2 size clen start
  size=$(stat -c %s "$pkg")
  clen=$(tail -c 2 "$pkg" | od -An -tu2 | tr -d ' ')
  start=$(tail -c 6 "$pkg" | head -c 2 | od -An -tu2 | tr -d ' ')
  head -c $((size - clen - 2)) "$pkg" > "$dir/data"
  tail -c "$start" "$pkg" | head -c $((start - 6)) > "$dir/sig.der"
}
