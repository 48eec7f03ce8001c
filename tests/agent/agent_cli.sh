#!/bin/bash
# ota_agent's command line: usage and exit codes, a missing or wrong
# configuration, the status of a fresh device (text and JSON), and an A/B
# device whose boot control is not configured.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/device.bash"
need_agent
T=$(make_tmpdir)
ROOT=$T/root
export RECOVERY_ROOT=$ROOT
mkdir -p "$ROOT/etc" "$ROOT/system"

agent --help | grep -q "usage: ota_agent" || fail "--help"
agent > /dev/null 2>&1; [ $? -eq 2 ] || fail "no command: not exit 2"
agent frobnicate > /dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command: not exit 2"
agent check extra > /dev/null 2>&1; [ $? -eq 2 ] || fail "extra argument: not exit 2"
ok "usage errors exit 2, --help exits 0"

run_agent status
[ "$RC" -eq 1 ] && grep -q "configuration $ROOT/etc/ota_agent.conf does not exist" "$T/err" ||
  fail "missing config: $RC $(cat "$T/err")"
echo "chanel_url=http://x/" > "$ROOT/etc/ota_agent.conf"
run_agent status
grep -q "unknown setting 'chanel_url'" "$T/err" || fail "misspelt key: $(cat "$T/err")"
echo "device_kind=tablet" > "$ROOT/etc/ota_agent.conf"
run_agent status
grep -q "device_kind=tablet" "$T/err" || fail "bad device_kind: $(cat "$T/err")"
echo "retries=many" > "$ROOT/etc/ota_agent.conf"
run_agent status
grep -q "retries=many is not a number" "$T/err" || fail "bad number: $(cat "$T/err")"
ok "configuration errors name the file and the setting"

mkdir -p "$ROOT/data"
printf 'ro.build.fingerprint=fp/1\nro.product.device=dev\n' > "$ROOT/system/build.prop"
write_config http://127.0.0.1:9
run_agent status
[ "$RC" -eq 0 ] && grep -q "^state: idle" "$T/out" || fail "fresh status: $(cat "$T/out" "$T/err")"
agent status --json | jq -e '.state == "idle" and .running == false and .bytes_done == 0' \
  > /dev/null || fail "fresh status JSON: $(agent status --json)"
ok "a fresh device is idle (text and JSON)"

# mark-good on a single-slot device has nothing to do
run_agent mark-good
[ "$RC" -eq 0 ] || fail "mark-good on a recovery device: $(cat "$T/err")"

# A/B devices without boot control configured: a clear error naming it
write_config http://127.0.0.1:9 "device_kind=ab"
sed -i '/^device_kind=recovery/d' "$ROOT/etc/ota_agent.conf"
run_agent mark-good
[ "$RC" -eq 1 ] && grep -q "boot control" "$T/err" || fail "A/B mark-good without bootctl.conf: $RC $(cat "$T/err")"
ok "A/B mark-good without boot control configured: refused, naming it"

# An unreachable channel: a clear error, the status says so
mkdir -p "$ROOT/etc/security"; openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$ROOT/etc/security/otacerts.pem" -subj /CN=k >/dev/null 2>&1
write_config http://127.0.0.1:9 "retries=1"
run_agent check
[ "$RC" -eq 1 ] && grep -q "127.0.0.1:9" "$T/err" || fail "unreachable channel: $(cat "$T/err")"
[ "$(status_field state)" = failed ] || fail "unreachable: status"
ok "unreachable channel: exit 1, reason in the status"
