#!/bin/bash
# `ota_agent install` on a recovery device, from the channel, through the
# fault-injecting proxy: 20 random cuts, then an agent killed (SIGKILL) and
# restarted mid-download; both end with the package byte-identical in the
# cache, fewer than 1.05x its size on the wire, and the bootloader message
# asking recovery to install it.  A flipped byte is refused and nothing is
# written; after the reboot the status says the build is installed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/device.bash"
need_servers
need_agent
setup_agent
set_build "test/$DEVICE:0/B0/0:user/release-keys" 1500000000   # gets the full package
PKG=$T/www/full-2.zip

expect_staged() { # WHAT
  [ "$RC" -eq 0 ] || fail "$1: exit $RC: $(cat "$T/err")"
  cmp -s "$PKG" "$ROOT/cache/update.zip" || fail "$1: the staged package differs"
  ls "$ROOT/cache" | grep -q part && fail "$1: partial files left: $(ls "$ROOT/cache")"
  bcb_text | grep -q "^boot-recovery" || fail "$1: no boot-recovery in the bootloader message"
  bcb_text | grep -q -- "--update_package=/cache/update.zip" || fail "$1: BCB: $(bcb_text)"
  [ "$(status_field state)" = waiting-for-reboot ] || fail "$1: status $(status_field state)"
  [ "$(status_field target_build)" = "$FP2" ] || fail "$1: target build"
}
reset_device() {
  rm -f "$ROOT/cache/"*
  head -c 1048576 /dev/zero > "$ROOT/dev/block/by-name/misc"
}

# 1. twenty random cuts
start_proxy cuts --cuts 20 --seed 42 --span "$FULL_SIZE"
write_config "http://127.0.0.1:$PROXY_PORT"
run_agent install
expect_staged "20 cuts"
[ "$(proxy_count cuts)" -ge 18 ] || fail "only $(proxy_count cuts) cuts hit"
DOWN=$(proxy_count down)
ratio_below "$DOWN" "$FULL_SIZE" 1.05 || fail "20 cuts: $DOWN bytes on the wire for $FULL_SIZE"
grep -q "downloading" "$T/err" || fail "no progress lines: $(cat "$T/err")"
ok "install through 20 cuts: staged, identical, $DOWN bytes on the wire for $FULL_SIZE ($(awk -v a="$DOWN" -v b="$FULL_SIZE" 'BEGIN{printf "%.4f", a/b}')x)"

# 2. killed with SIGKILL mid-download, then run again
reset_device
start_proxy slow --rate 2500000 --cuts 3 --seed 5 --span "$FULL_SIZE"
write_config "http://127.0.0.1:$PROXY_PORT"
"$BIN/ota_agent" --json install > "$T/json1" 2> "$T/err1" &
pid=$!
for i in $(seq 1 200); do
  [ "$(stat -c %s "$ROOT/cache/update.zip.part" 2>/dev/null || echo 0)" -gt $((FULL_SIZE / 3)) ] && break
  sleep 0.05
done
kill -9 $pid; wait $pid 2>/dev/null
HAD=$(stat -c %s "$ROOT/cache/update.zip.part" 2>/dev/null || echo 0)
[ "$HAD" -gt 0 ] && [ "$HAD" -lt "$FULL_SIZE" ] || fail "the kill did not land mid-download ($HAD bytes)"
[ -e "$ROOT/cache/update.zip" ] && fail "a partial download looks complete"
bcb_clear || fail "the killed agent wrote the bootloader message"
[ "$(status_field state)" = downloading ] && [ "$(status_field running)" = false ] ||
  fail "status after the kill: $(agent status --json)"
run_agent --json install
expect_staged "after SIGKILL"
DOWN=$(proxy_count down)
ratio_below "$DOWN" "$FULL_SIZE" 1.05 || fail "kill+restart: $DOWN bytes on the wire"
json_has "$T/out" '.event == "progress" and .state == "downloading"' ||
  fail "no JSON progress lines"
json_has "$T/out" '.event == "result" and .ok' || fail "no JSON result"
[ "$(grep -c '"progress"' "$T/out")" -le 250 ] || fail "too many progress lines: $(grep -c progress "$T/out")"
grep -q "resumed from $HAD\|resumed from [1-9]" "$ROOT/data/ota_agent/ota_agent.log" ||
  fail "the log does not show the resume"
ok "SIGKILL at $HAD bytes, restarted: resumed, identical, $DOWN bytes on the wire"

# 3. a byte flipped in flight: refused, nothing written
reset_device
start_proxy flip --flip-at $((FULL_SIZE / 2))
write_config "http://127.0.0.1:$PROXY_PORT"
run_agent install
[ "$RC" -eq 1 ] || fail "flipped byte: exit $RC"
grep -q "SHA-256" "$T/err" || fail "flipped byte: $(cat "$T/err")"
bcb_clear || fail "flipped byte: the bootloader message was written"
[ -z "$(ls "$ROOT/cache")" ] || fail "flipped byte: left $(ls "$ROOT/cache")"
[ "$(status_field state)" = failed ] || fail "flipped byte: status"
ok "flipped byte: refused, cache empty, bootloader message untouched"

# 4. a direct URL whose package is signed by another key: refused by the verifier
reset_device
start_proxy plain
write_config "http://127.0.0.1:$PROXY_PORT"
"$BIN/signapk" -w "$T/keys/other.x509.pem" "$T/keys/other.pk8" "$PKG" "$T/www/foreign.zip" || fail signapk
run_agent install "http://127.0.0.1:$PROXY_PORT/foreign.zip"
[ "$RC" -eq 1 ] && grep -q "no matching key" "$T/err" || fail "foreign package: $RC $(cat "$T/err")"
bcb_clear && [ -z "$(ls "$ROOT/cache")" ] || fail "foreign package: something was written"
ok "a package signed by another key: refused by the verifier, nothing written"

# 5. a local package file, then the reboot into the new build
reset_device
cp "$PKG" "$ROOT/data/pkg.zip"
run_agent install /data/pkg.zip
expect_staged "local package"
set_build "$FP2" 1700000000
run_agent check
[ "$RC" -eq 3 ] || fail "after the reboot: check exit $RC: $(cat "$T/err")"
[ "$(status_field state)" = idle ] || fail "after the reboot: $(status_field state)"
grep -q "build $FP2 is installed" "$ROOT/data/ota_agent/ota_agent.log" || fail "not reconciled"
ok "local package staged; after the reboot the status is idle with the build installed"

# 6. one agent at a time
exec 9>"$ROOT/data/ota_agent/lock"
flock 9
run_agent check
[ "$RC" -eq 1 ] && grep -q "another ota_agent is running" "$T/err" || fail "lock: $(cat "$T/err")"
exec 9>&-
ok "a second agent is refused while one runs"
