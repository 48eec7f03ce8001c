#!/bin/bash
# Vendor hooks, each a real executable in the hooks folder: check-network
# saying "not now", upgrade-start vetoing, upgrade-start hanging (killed
# with everything it started at the timeout), a download hook fetching
# instead of libcurl, upgrade-finish getting its arguments and environment,
# and a failing upgrade-finish putting the old bootloader message back.
# Every refusal leaves the device as it was, with the reason in the status
# and the log.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/device.bash"
need_servers
need_agent
setup_agent
BASE=http://127.0.0.1:$NGINX_PORT
write_config "$BASE" "hook_timeout_ms=1500"
H=$ROOT/hooks
LOG=$ROOT/data/ota_agent/ota_agent.log

hook() { # NAME BODY
  printf '#!/bin/sh\n%s\n' "$2" > "$H/$1"
  chmod 755 "$H/$1"
}
reset_device() {
  rm -f "$ROOT/cache/"* "$H/"*
  head -c 1048576 /dev/zero > "$ROOT/dev/block/by-name/misc"
}
expect_untouched() { # WHAT
  bcb_clear || fail "$1: the bootloader message was written: $(bcb_text)"
}

# check-network: not now
hook check-network 'echo "metered connection"; exit 1'
run_agent check
[ "$RC" -eq 1 ] && grep -q "not now: the network check refused.*metered connection" "$T/err" ||
  fail "check-network: $RC $(cat "$T/err")"
status_field last_error | grep -q "metered connection" || fail "check-network: not in the status"
grep -q "hook check-network: metered connection" "$LOG" || fail "check-network: not logged"
[ -z "$(ls "$ROOT/cache")" ] || fail "check-network: something was downloaded"
ok "check-network says not now: nothing fetched, reason in status and log"

# upgrade-start vetoes
reset_device
hook upgrade-start 'echo "battery at 12%, need 30%" >&2; exit 1'
run_agent install
[ "$RC" -eq 1 ] && grep -q "install refused: hook upgrade-start exited with status 1: battery at 12%" "$T/err" ||
  fail "veto: $RC $(cat "$T/err")"
expect_untouched "veto"
[ "$(status_field state)" = failed ] && status_field last_error | grep -q "battery at 12%" ||
  fail "veto: status $(agent status --json)"
cmp -s "$T/www/incr-1-2.zip" "$ROOT/cache/update.zip" || fail "veto: the verified package was not kept"
ok "upgrade-start vetoes: bootloader message untouched, reason in the status"

# upgrade-start hangs, with a child of its own
reset_device
hook upgrade-start "sleep 300 & echo \$! > $T/child.pid; wait"
run_agent install
[ "$RC" -eq 1 ] && grep -q "did not finish within 1500 ms and was killed" "$T/err" || fail "hanging hook: $RC $(cat "$T/err")"
expect_untouched "hanging hook"
child=$(cat "$T/child.pid")
# (a killed child whose parent died may stay a zombie until init reaps it)
alive() { [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
for i in 1 2 3 4 5 6 7 8 9 10; do alive "$child" || break; sleep 0.1; done
alive "$child" && { kill "$child"; fail "the hook's child survived the timeout"; }
status_field last_error | grep -q "upgrade-start" || fail "hanging hook: not in the status"
ok "a hanging upgrade-start is killed with its children at the timeout; nothing written"

# a download hook fetches instead of libcurl; upgrade-finish records
reset_device
hook download "echo \"\$@\" > $T/download.args; env | grep ^OTA_ | sort > $T/download.env
curl -sf -o \"\$2\" \"\$1\""
hook upgrade-finish "echo \"\$@\" > $T/finish.args; env | grep ^OTA_ | sort > $T/finish.env"
run_agent install
[ "$RC" -eq 0 ] || fail "download hook: $(cat "$T/err")"
cmp -s "$T/www/incr-1-2.zip" "$ROOT/cache/update.zip" || fail "download hook: package differs"
grep -q "^$BASE/incr-1-2.zip $ROOT/cache/update.zip.part$" "$T/download.args" ||
  fail "download hook args: $(cat "$T/download.args")"
grep -q "^OTA_EXPECTED_SHA256=$(sha256_of "$T/www/incr-1-2.zip")$" "$T/download.env" ||
  fail "download hook env: $(cat "$T/download.env")"
[ "$(cat "$T/finish.args")" = "$FP2 /cache/update.zip" ] || fail "finish args: $(cat "$T/finish.args")"
grep -q "^OTA_TARGET_BUILD=$FP2$" "$T/finish.env" && grep -q "^OTA_CURRENT_BUILD=$FP1$" "$T/finish.env" &&
  grep -q "^OTA_DEVICE_KIND=recovery$" "$T/finish.env" && grep -q "^OTA_HOOK=upgrade-finish$" "$T/finish.env" ||
  fail "finish env: $(cat "$T/finish.env")"
bcb_text | grep -q -- "--update_package=/cache/update.zip" || fail "download hook: BCB"
ok "download hook used instead of libcurl; upgrade-finish gets the target build, package and environment"

# a download hook that fetches the wrong bytes: refused
reset_device
hook download 'case "$1" in *.zip) head -c 1000 /dev/urandom > "$2";; *) curl -sf -o "$2" "$1";; esac'
run_agent install
[ "$RC" -eq 1 ] && grep -q "expected" "$T/err" || fail "bad download hook: $(cat "$T/err")"
expect_untouched "bad download hook"
ok "a download hook's wrong file is refused"

# upgrade-finish fails: the old bootloader message comes back
reset_device
printf 'boot-recovery' | dd of="$ROOT/dev/block/by-name/misc" conv=notrunc status=none
printf 'recovery\n--wipe_cache\n' | dd of="$ROOT/dev/block/by-name/misc" bs=1 seek=64 conv=notrunc status=none
head -c 2048 "$ROOT/dev/block/by-name/misc" > "$T/bcb.before"
hook upgrade-finish 'echo "cannot record the version"; exit 3'
run_agent install
[ "$RC" -eq 1 ] && grep -q "hook upgrade-finish exited with status 3: cannot record the version" "$T/err" ||
  fail "failing finish: $(cat "$T/err")"
cmp -s -n 2048 "$T/bcb.before" "$ROOT/dev/block/by-name/misc" || fail "failing finish: BCB not restored"
grep -q "bootloader message restored" "$LOG" || fail "failing finish: not logged"
ok "a failing upgrade-finish: the previous bootloader message is put back"
