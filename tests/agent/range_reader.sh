#!/bin/bash
# The range reader (the byte source of streamed installs) on its own,
# against nginx behind the fault-injecting proxy: a whole file read in
# chunks and single ranges come out exact through random cuts, resets, a
# stall and a server that ignores Range; a file that changes on the server
# mid-read is an error, not a mix.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
need_servers
[ -x "$TOOLS/agent_fetch" ] || skip "agent_fetch not built"
T=$(make_tmpdir)
mkdir -p "$T/www" "$T/nginx"
SIZE=$((3 * 1024 * 1024 + 777))
random_file "$T/www/pkg.zip" "$SIZE" ranges
start_nginx "$T/nginx" "$T/www"
export FETCH_STALL_MS=1000

read_all() { # NAME CHUNK [OFF LEN]...
  local name=$1; shift
  "$TOOLS/agent_fetch" ranges "http://127.0.0.1:$PROXY_PORT/pkg.zip" "$T/$name" "$@" \
    > "$T/out" 2> "$T/err"
}
check_range() { # NAME OFF LEN
  cmp -s <(tail -c +$(($2 + 1)) "$T/www/pkg.zip" | head -c "$3") "$T/$1.$2" ||
    fail "$1: range $2+$3 differs"
}

start_proxy cuts --cuts 20 --seed 5 --span "$SIZE"
read_all cuts 100000 0 1 $((SIZE - 10)) 10 1234567 654321 || fail "ranges with cuts: $(cat "$T/err")"
cmp -s "$T/www/pkg.zip" "$T/cuts" || fail "chunked read with cuts differs"
check_range cuts 0 1; check_range cuts $((SIZE - 10)) 10; check_range cuts 1234567 654321
[ "$(proxy_count cuts)" -ge 10 ] || fail "too few cuts hit: $(proxy_count cuts)"
ratio_below "$(proxy_count down)" $((SIZE + 654321 + 11)) 1.05 ||
  fail "cuts: $(proxy_count down) bytes on the wire"
ok "chunks and ranges through 20 cuts: exact ($(cat "$T/out"))"

start_proxy rst --cuts 10 --seed 9 --span "$SIZE" --cut-mode rst --stall-at 500000 --stall-ms -1
read_all rst 1048576 || fail "ranges with resets: $(cat "$T/err")"
cmp -s "$T/www/pkg.zip" "$T/rst" || fail "read with resets and a stall differs"
ok "resets and a stall: exact"

start_proxy norange --ignore-range --cut-at 2000000
read_all norange 1048576 2000000 5000 || fail "ranges without Range: $(cat "$T/err")"
cmp -s "$T/www/pkg.zip" "$T/norange" || fail "read without Range differs"
check_range norange 2000000 5000
ok "a server ignoring Range: skipped to the offset, exact"

# The file changes between two reads of one reader: refused.  A slow proxy
# gives the test time to replace the file mid-read.
start_proxy slow --rate 1000000
read_all changed 65536 &
pid=$!
sleep 0.5
random_file "$T/www/pkg.new" "$SIZE" other
touch -d '2001-01-01' "$T/www/pkg.new"
mv "$T/www/pkg.new" "$T/www/pkg.zip"
wait $pid && fail "a file that changed mid-read was read without error"
grep -q "changed on the server" "$T/err" || fail "changed file: unclear error: $(cat "$T/err")"
ok "file changed mid-read: refused ($(cat "$T/err"))"
