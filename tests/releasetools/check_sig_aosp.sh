#!/bin/bash
# Android's own signed test packages through the program: each verifies
# with its key (PEM and old text format) and with no other.
. "$(dirname "$0")/../lib.sh"
need_testdata
R=$TESTDATA/recovery
C=$BIN/check_ota_package_signature
for p in v1 v2 v3 v4 v5 4096bits; do
  for k in v1 v2 v3 v4 v5 4096bits; do
    out=$("$C" "$R/testkey_$k.x509.pem" "$R/otasigned_$p.zip" 2>&1); rc=$?
    if [ "$p" = "$k" ]; then [ $rc -eq 0 ] || fail "otasigned_$p with testkey_$k: $out"
    else [ $rc -eq 1 ] || fail "otasigned_$p verified with testkey_$k (exit $rc)"; fi
  done
  [ -f "$R/testkey_$p.txt" ] && { "$C" "$R/testkey_$p.txt" "$R/otasigned_$p.zip" >/dev/null ||
    fail "otasigned_$p with testkey_$p.txt"; }
done
ok "each of Android's signed packages verifies with its own key only"
for bad in fake-eocd random; do
  out=$("$C" "$R/testkey_v1.x509.pem" "$R/$bad.zip" 2>&1); [ $? -eq 1 ] || fail "$bad.zip accepted"
  ok "$bad.zip refused: $out"
done
