# Shared by the agent's integration tests (sourced after tests/lib.sh and
# servers.bash): a device laid out under ROOT (RECOVERY_ROOT) running build
# fp/1, release keys, signed packages of build fp/2 served by nginx, and
# the channel listing them.

DEVICE=agentdev
FP1="test/$DEVICE:1/B1/1:user/release-keys"
FP2="test/$DEVICE:2/B2/2:user/release-keys"

need_agent() {
  for p in ota_agent ota_channel signapk; do
    [ -x "$BIN/$p" ] || skip "$p not built ($BIN/$p)"
  done
  command -v zip >/dev/null || skip "zip not installed"
  command -v jq >/dev/null || skip "jq not installed"
}

# make_key DIR NAME: DIR/NAME.x509.pem, DIR/NAME.pk8, DIR/NAME.key.pem.
make_key() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/$2.key.pem" -out "$1/$2.x509.pem" \
    -days 3650 -subj "/CN=agent test $2" >/dev/null 2>&1 || fail "openssl req"
  openssl pkcs8 -topk8 -outform DER -nocrypt -in "$1/$2.key.pem" -out "$1/$2.pk8" ||
    fail "openssl pkcs8"
}

# make_package OUT SIZE METADATA [KEY]: a signed package with SIZE bytes of
# payload and that metadata (KEY: a key name in $T/keys, default release).
make_package() {
  local out=$1 size=$2 md=$3 key=${4:-release} s
  s=$(mktemp -d "$T/pkg.XXXXXX")
  mkdir -p "$s/META-INF/com/android" "$s/META-INF/com/google/android"
  printf '%s\n' "$md" > "$s/META-INF/com/android/metadata"
  echo 'ui_print("agent test package");' > "$s/META-INF/com/google/android/updater-script"
  random_file "$s/payload.bin" "$size" "$out"
  (cd "$s" && zip -q -0 -r -X "$s.zip" .) || fail "zip $out"
  "$BIN/signapk" -w "$T/keys/$key.x509.pem" "$T/keys/$key.pk8" "$s.zip" "$out" ||
    fail "signapk $out"
  rm -rf "$s" "$s.zip"
}

md_full() { printf 'post-build=%s\npost-timestamp=%s\npre-device=%s' "$FP2" "${1:-1700000000}" "$DEVICE"; }
md_incr() { printf '%s\npre-build=%s' "$(md_full "${1:-1700000000}")" "$FP1"; }

# setup_agent: T, ROOT, keys, www/ with full-2.zip, incr-1-2.zip and
# channel, nginx.  The device runs FP1.
setup_agent() {
  T=$(make_tmpdir)
  ROOT=$T/root
  export RECOVERY_ROOT=$ROOT
  mkdir -p "$T/keys" "$T/www" "$T/nginx" "$ROOT/system" "$ROOT/etc/security" "$ROOT/cache" \
    "$ROOT/data" "$ROOT/dev/block/by-name" "$ROOT/hooks"
  make_key "$T/keys" release
  make_key "$T/keys" other
  cp "$T/keys/release.x509.pem" "$ROOT/etc/security/otacerts.pem"
  set_build "$FP1" 1600000000
  head -c 1048576 /dev/zero > "$ROOT/dev/block/by-name/misc"
  FULL_SIZE=$((5 * 1024 * 1024 + 4321))
  make_package "$T/www/full-2.zip" "$FULL_SIZE" "$(md_full)"
  make_package "$T/www/incr-1-2.zip" $((2 * 1024 * 1024 + 99)) "$(md_incr)"
  "$BIN/ota_channel" -k "$T/keys/release" --name stable --date 1700000100 \
    "$T/www/channel" "$T/www/full-2.zip" "$T/www/incr-1-2.zip" || fail "ota_channel"
  start_nginx "$T/nginx" "$T/www"
}

set_build() { # FINGERPRINT DATE
  printf 'ro.build.fingerprint=%s\nro.product.device=%s\nro.build.date.utc=%s\n' \
    "$1" "$DEVICE" "$2" > "$ROOT/system/build.prop"
}

# write_config BASE_URL [EXTRA LINES]: the agent's configuration.
write_config() {
  cat > "$ROOT/etc/ota_agent.conf" <<CONF
# agent test device
device_kind=recovery
channel_url=$1/channel
keys=/etc/security/otacerts.pem
hooks_dir=/hooks
state_dir=/data/ota_agent
cache_dir=/cache
misc_device=/dev/block/by-name/misc
connect_timeout_ms=5000
stall_timeout_ms=1000
retries=30
retry_delay_ms=10
retry_max_delay_ms=200
hook_timeout_ms=5000
${2:-}
CONF
}

agent() { "$BIN/ota_agent" "$@"; }

# run_agent ARGS...: output in $T/out and $T/err, exit status in RC.
run_agent() {
  "$BIN/ota_agent" "$@" > "$T/out" 2> "$T/err" < /dev/null
  RC=$?
}

status_field() { "$BIN/ota_agent" status --json | jq -r ".$1"; }

bcb_text() { head -c 2048 "$ROOT/dev/block/by-name/misc" | tr -d '\0'; }
bcb_clear() { cmp -s -n 2048 "$ROOT/dev/block/by-name/misc" /dev/zero; }

# json_has FILE FILTER: some JSON line of FILE satisfies FILTER.
json_has() { jq -s -e "any(.[]; $2)" "$1" > /dev/null; }
