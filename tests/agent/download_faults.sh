#!/bin/bash
# The download module against a real nginx behind the fault-injecting
# proxy: random cuts (FIN and RST), 5xx answers, a stall, a server that
# ignores Range, a flipped byte, a wrong size.  Every completed download is
# byte-identical to the file; every bad one is refused and leaves nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
need_servers
[ -x "$TOOLS/agent_fetch" ] || skip "agent_fetch not built"
T=$(make_tmpdir)
mkdir -p "$T/www" "$T/nginx" "$T/dl"
SIZE=$((6 * 1024 * 1024 + 12345))
random_file "$T/www/pkg.zip" "$SIZE" cuts
SHA=$(sha256_of "$T/www/pkg.zip")
start_nginx "$T/nginx" "$T/www"
export FETCH_STALL_MS=1000

fetch() { # NAME [SIZE SHA]: downloads pkg.zip through the proxy into dl/NAME
  "$TOOLS/agent_fetch" download "http://127.0.0.1:$PROXY_PORT/pkg.zip" "$T/dl/$@" \
    > "$T/fetch.out" 2> "$T/fetch.err"
}

# 1. twenty random cuts, closed normally (truncated bodies)
start_proxy cuts --cuts 20 --seed 7 --span "$SIZE"
fetch cuts.zip "$SIZE" "$SHA" || fail "download with cuts: $(cat "$T/fetch.err")"
cmp -s "$T/www/pkg.zip" "$T/dl/cuts.zip" || fail "download with cuts differs"
[ "$(proxy_count cuts)" -ge 19 ] || fail "the proxy cut only $(proxy_count cuts) times"
ratio_below "$(proxy_count down)" "$SIZE" 1.05 ||
  fail "bytes on the wire $(proxy_count down) for $SIZE bytes (>= 1.05x)"
[ ! -e "$T/dl/cuts.zip.part" ] && [ ! -e "$T/dl/cuts.zip.part.state" ] || fail "partial files left"
ok "20 random cuts: identical, $(proxy_count down) bytes on the wire for $SIZE"

# 2. the same with connection resets
start_proxy rst --cuts 20 --seed 11 --span "$SIZE" --cut-mode rst
fetch rst.zip "$SIZE" "$SHA" || fail "download with resets: $(cat "$T/fetch.err")"
cmp -s "$T/www/pkg.zip" "$T/dl/rst.zip" || fail "download with resets differs"
# A reset makes the kernel drop what sat in the socket buffers on either
# side, so the proxy's count includes bytes that never reached the agent:
# what the agent itself received is the measure here.
got=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$T/fetch.out")
ratio_below "$got" "$SIZE" 1.05 || fail "resets: the agent received $got bytes for $SIZE"
ok "20 resets: identical, $got bytes received for $SIZE"

# 3. the first three requests get 503, then a stall mid-file
start_proxy flaky --fail-first 3 --stall-at $((SIZE / 3)) --stall-ms -1
fetch flaky.zip "$SIZE" "$SHA" || fail "download through 503s and a stall: $(cat "$T/fetch.err")"
cmp -s "$T/www/pkg.zip" "$T/dl/flaky.zip" || fail "download through 503s differs"
ok "503 answers and a stall: retried, resumed, identical"

# 4. a server that ignores Range: a cut costs a restart, never a mixed file
start_proxy norange --ignore-range --cut-at $((SIZE / 2))
fetch norange.zip "$SIZE" "$SHA" || fail "download without Range: $(cat "$T/fetch.err")"
cmp -s "$T/www/pkg.zip" "$T/dl/norange.zip" || fail "download without Range differs"
grep -q "restarts=1" "$T/fetch.out" || fail "expected one restart: $(cat "$T/fetch.out")"
ok "Range ignored: one restart from byte 0, identical"

# 5. without the expected size and hash (a plain URL), cuts still resume
start_proxy plain --cuts 5 --seed 3 --span "$SIZE"
fetch plain.zip || fail "download without size/hash: $(cat "$T/fetch.err")"
cmp -s "$T/www/pkg.zip" "$T/dl/plain.zip" || fail "download without size/hash differs"
ok "unknown size and hash: resumed with the server's validator, identical"

# 6. a flipped byte: refused, nothing left behind
start_proxy flip --flip-at $((SIZE / 2 + 7))
fetch flip.zip "$SIZE" "$SHA" && fail "a download with a flipped byte was accepted"
grep -q "SHA-256" "$T/fetch.err" || fail "flipped byte: unclear error: $(cat "$T/fetch.err")"
[ -z "$(ls "$T/dl" | grep flip)" ] || fail "flipped byte: files left: $(ls "$T/dl")"
ok "flipped byte: refused ($(cat "$T/fetch.err")), nothing left"

# 7. the wrong expected size is refused before writing the body
start_proxy plain2
fetch size.zip $((SIZE + 1)) "$SHA" && fail "a wrong size was accepted"
grep -q "expected $((SIZE + 1))" "$T/fetch.err" || fail "wrong size: $(cat "$T/fetch.err")"
ok "wrong size refused"

# 8. a missing file is not retried forever
"$TOOLS/agent_fetch" download "http://127.0.0.1:$PROXY_PORT/none.zip" "$T/dl/none.zip" \
  > /dev/null 2> "$T/fetch.err" && fail "404 accepted"
grep -q "HTTP 404" "$T/fetch.err" || fail "404: $(cat "$T/fetch.err")"
ok "404 refused at once"
