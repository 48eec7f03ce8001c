#!/bin/bash
# `ota_agent install URL` on an A/B device streams: the slot is written
# while the package downloads from a real nginx on 127.0.0.1 (through the
# fault-injecting proxy), and the package is never stored:
# - an incremental and a full package, straight from nginx: slot B ends
#   byte-identical to build 2, nothing in the cache, bytes on the wire
#   under 1.1x the package (a 12 MiB vendor partition of random bytes makes
#   it larger than the 2 x 4 MiB of windows the agent streams through);
# - 20 random cuts: the same result, under 1.3x on the wire;
# - SIGKILL mid-stream, then run again: resumes and ends in build 2;
# - a byte flipped in flight (the proxy): refused, slot B never bootable;
# - ab_stream=no: the package is downloaded into the cache first.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/ab_device.bash"
need_servers
AB_VENDOR_MB=12
ab_device_setup
mkdir -p "$T/www" "$T/nginx"
cp "$T/incr12.zip" "$T/full2.zip" "$T/www/"
start_nginx "$T/nginx" "$T/www"
FULL=$(stat -c %s "$T/full2.zip"); INCR=$(stat -c %s "$T/incr12.zip")
write_config "retries=30
retry_delay_ms=10
retry_max_delay_ms=200
stall_timeout_ms=2000"
nothing_stored() {
  [ -z "$(find "$ROOT/cache" "$ROOT/data" -type f -size +1M)" ] ||
    fail "$1: the package was stored: $(find "$ROOT/cache" "$ROOT/data" -type f -size +1M)"
}

# ---- 1. straight from nginx ---------------------------------------------------------
run_agent install "http://127.0.0.1:$NGINX_PORT/incr12.zip"
expect_switched "streamed incremental"
nothing_stored "streamed incremental"
grep -q "whole-file signature verified" "$T/err" || fail "no whole-file check in the log: $(cat "$T/err")"
ok "streamed incremental: B is build 2, nothing stored, whole-file signature checked before set-active"

reset_b
start_proxy plain
run_agent install "http://127.0.0.1:$PROXY_PORT/full2.zip"
expect_switched "streamed full"
nothing_stored "streamed full"
DOWN=$(proxy_count down)
ratio_below "$DOWN" "$FULL" 1.1 || fail "streamed full: $DOWN bytes on the wire for $FULL: $(grep -v "^writing" "$T/err")"
ok "streamed full: B is build 2, $DOWN bytes on the wire for $FULL"

# ---- 2. twenty cuts ----------------------------------------------------------------------
reset_b
start_proxy cuts --cuts 20 --seed 7 --span "$FULL"
run_agent install "http://127.0.0.1:$PROXY_PORT/full2.zip"
expect_switched "20 cuts"
DOWN=$(proxy_count down)
[ "$(proxy_count cuts)" -ge 15 ] || fail "only $(proxy_count cuts) cuts hit"
ratio_below "$DOWN" "$FULL" 1.3 || fail "20 cuts: $DOWN bytes on the wire for $FULL"
ok "20 cuts: B is build 2, $DOWN bytes on the wire for $FULL"

# ---- 3. killed mid-stream, run again --------------------------------------------------------
reset_b
start_proxy slow --rate 4000000
"$BIN/ota_agent" install "http://127.0.0.1:$PROXY_PORT/full2.zip" > /dev/null 2> "$T/err1" < /dev/null &
pid=$!
for i in $(seq 1 300); do
  [ "$(proxy_count down 2>/dev/null || echo 0)" -gt $((FULL / 2)) ] && [ "$(status_field state)" = writing ] && break
  sleep 0.05
done
kill -9 $pid; wait $pid 2>/dev/null
[ "$(status_field state)" = writing ] || fail "the kill did not land while writing: $(status_field state)"
bootctl is-slot-bootable B >/dev/null 2>&1 && fail "killed mid-stream: B is bootable"
slot_a_intact "killed mid-stream"
start_proxy plain
run_agent install "http://127.0.0.1:$PROXY_PORT/full2.zip"
expect_switched "after SIGKILL"
grep -q "resuming the install" "$T/err" || fail "the second run did not resume: $(cat "$T/err")"
nothing_stored "after SIGKILL"
ok "SIGKILL mid-stream: B not bootable, A intact; the next run resumes and ends with build 2"

# ---- 4. a byte flipped in flight ---------------------------------------------------------------
reset_b
start_proxy flip --flip-at $((FULL / 2))
run_agent install "http://127.0.0.1:$PROXY_PORT/full2.zip"
[ "$RC" -eq 1 ] || fail "flipped byte: exit $RC: $(cat "$T/err")"
grep -qi "digest\|signature\|SHA\|CRC" "$T/err" || fail "flipped byte: $(cat "$T/err")"
bootctl is-slot-bootable B >/dev/null 2>&1 && fail "flipped byte: B is bootable"
grub-editenv "$ENV" list | grep -qx 'ORDER=A B' || fail "flipped byte: ORDER changed"
slot_a_intact "flipped byte"
[ "$(status_field state)" = failed ] || fail "flipped byte: status $(status_field state)"
ok "a byte flipped in flight: refused, B never bootable, A intact"

# ---- 5. ab_stream=no: downloaded into the cache first, then installed -----------------------
reset_b
write_config "ab_stream=no"
run_agent install "http://127.0.0.1:$NGINX_PORT/full2.zip"
expect_switched "ab_stream=no"
[ -z "$(find "$ROOT/cache" -name '*.zip*')" ] || fail "ab_stream=no: the package was left in the cache"
ok "ab_stream=no: downloaded, verified whole, installed, the download removed"
