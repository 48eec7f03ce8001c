#!/bin/bash
# Channels: ota_channel signs what openssl verifies independently, and the
# agent accepts a channel signed by openssl; `ota_agent check` picks the
# incremental for the running build, the full package otherwise, says "up
# to date" on the channel's build, and refuses a channel signed by another
# key, a tampered one, one offering a downgrade or a package for another
# device, an older one than it accepted before (replay), one with another
# name.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/device.bash"
need_servers
need_agent
setup_agent
BASE=http://127.0.0.1:$NGINX_PORT
write_config "$BASE" "channel_name=stable"

# The signature is a detached PKCS#7 over the text before the PEM block.
split_channel() { # FILE -> $T/text, $T/sig.pem
  awk '/^-----BEGIN PKCS7-----$/{s=1} !s' "$1" > "$T/text"
  awk '/^-----BEGIN PKCS7-----$/{s=1} s' "$1" > "$T/sig.pem"
}
split_channel "$T/www/channel"
openssl cms -verify -binary -inform PEM -in "$T/sig.pem" -content "$T/text" -noverify \
  -out /dev/null 2>/dev/null || fail "openssl cms does not verify the channel's signature"
grep -q "^package.2.metadata.pre-build=$FP1$" "$T/text" || fail "channel lacks the incremental"
grep -q "^package.1.sha256=$(sha256_of "$T/www/full-2.zip")$" "$T/text" || fail "full sha256"
ok "ota_channel's signature verifies with openssl cms"

run_agent check
[ "$RC" -eq 0 ] || fail "check: exit $RC: $(cat "$T/err")"
grep -q "update available: $FP2 (incremental package" "$T/out" || fail "not the incremental: $(cat "$T/out")"
grep -q "$BASE/incr-1-2.zip" "$T/out" || fail "incremental URL not resolved: $(cat "$T/out")"
agent --json check > "$T/json" 2>/dev/null
json_has "$T/json" '.event == "check" and .update and .kind == "incremental"' || fail "check --json"
ok "check picks the incremental from the running build ($(cat "$T/out"))"

set_build "test/$DEVICE:0/B0/0:user/release-keys" 1500000000
run_agent check
grep -q "update available: $FP2 (full package" "$T/out" || fail "not the full package: $(cat "$T/out" "$T/err")"
ok "another running build gets the full package"

set_build "$FP2" 1700000000
run_agent check
[ "$RC" -eq 3 ] && grep -q "up to date: $FP2" "$T/out" || fail "up to date: $RC $(cat "$T/out" "$T/err")"
ok "the channel's own build is up to date (exit 3)"
set_build "$FP1" 1600000000

# A channel signed by openssl, independently of the project's signer.
cp "$T/www/channel" "$T/channel.good"
sed -i 's/^date=.*/date=1700000200/' "$T/text"
openssl cms -sign -binary -noattr -nosmimecap -outform DER -md sha256 \
  -signer "$T/keys/release.x509.pem" -inkey "$T/keys/release.key.pem" -in "$T/text" \
  -out "$T/sig.der" 2>/dev/null || fail "openssl cms -sign"
{ cat "$T/text"; openssl pkcs7 -inform DER -in "$T/sig.der" -outform PEM; } > "$T/www/channel"
run_agent check
[ "$RC" -eq 0 ] || fail "channel signed by openssl refused: $(cat "$T/err")"
ok "a channel signed by openssl cms is accepted"

expect_refused() { # WHAT PATTERN
  run_agent check
  [ "$RC" -eq 1 ] || fail "$1: exit $RC ($(cat "$T/out" "$T/err"))"
  grep -q "$2" "$T/err" || fail "$1: unclear error: $(cat "$T/err")"
  [ "$(status_field state)" = failed ] || fail "$1: status is $(status_field state)"
  status_field last_error | grep -q "$2" || fail "$1: status lacks the reason"
  ok "$1 refused: $(cut -c1-160 "$T/err")"
}

# Signed by a key the device does not trust.
"$BIN/signapk" -w "$T/keys/other.x509.pem" "$T/keys/other.pk8" "$T/www/full-2.zip" "$T/other-full.zip" \
  || fail signapk
"$BIN/ota_channel" -k "$T/keys/other" --name stable --date 1700000300 "$T/www/channel" "$T/other-full.zip" \
  || fail "ota_channel other"
expect_refused "a channel signed by another key" "no matching key"

# Tampered after signing: one hash changed.
cp "$T/channel.good" "$T/www/channel"
sed -i "s/^package.1.size=.*/package.1.size=1/" "$T/www/channel"
expect_refused "a tampered channel" "signature does not verify"

# Replay: the channel dated 1700000100 after one dated 1700000200 was accepted.
cp "$T/channel.good" "$T/www/channel"
expect_refused "an older channel than one accepted before" "refused as a replay"

# Another name than the device follows.
"$BIN/ota_channel" -k "$T/keys/release" --name beta --date 1700000400 "$T/www/channel" \
  "$T/www/full-2.zip" || fail ota_channel
expect_refused "a channel with another name" "named 'beta'"

# A downgrade: the package is older than the running build.
set_build "$FP1" 1800000000
"$BIN/ota_channel" -k "$T/keys/release" --name stable --date 1700000500 "$T/www/channel" \
  "$T/www/full-2.zip" || fail ota_channel
expect_refused "a channel offering a downgrade" "older than the installed build"
set_build "$FP1" 1600000000

# A package for another device.
make_package "$T/www/other-dev.zip" 1000 "$(md_full | sed "s/pre-device=.*/pre-device=otherdev/")"
"$BIN/ota_channel" -k "$T/keys/release" --name stable --date 1700000600 "$T/www/channel" \
  "$T/www/other-dev.zip" || fail ota_channel
expect_refused "a package for another device" "package is for device 'otherdev'"

# ota_channel itself refuses packages not signed with its key, and mixed builds.
"$BIN/ota_channel" -k "$T/keys/release" "$T/x" "$T/other-full.zip" 2> "$T/err" && fail "foreign package listed"
grep -q "not signed by" "$T/err" || fail "ota_channel: $(cat "$T/err")"
make_package "$T/www/three.zip" 1000 "$(md_full | sed "s|post-build=.*|post-build=fp/3|")"
"$BIN/ota_channel" -k "$T/keys/release" "$T/x" "$T/www/full-2.zip" "$T/www/three.zip" 2> "$T/err" &&
  fail "two builds listed"
grep -q "a channel offers one build" "$T/err" || fail "ota_channel: $(cat "$T/err")"
ok "ota_channel refuses foreign packages and mixed builds"
