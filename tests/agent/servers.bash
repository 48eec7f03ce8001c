# Shared by the agent's integration tests (sourced after tests/lib.sh): a
# real nginx on 127.0.0.1 serving a folder, the fault-injecting proxy in
# front of it, and test keys.  Both servers are stopped by the EXIT trap.

TOOLS=${OTA_TOOLS:-$TOP/${BUILD:-build}/tests/tools}

need_servers() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || skip "nginx not installed"
  command -v openssl >/dev/null || skip "openssl not installed"
  [ -x "$TOOLS/faultproxy" ] || skip "faultproxy not built ($TOOLS/faultproxy)"
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# start_nginx DIR WWW [https CERT KEY [CLIENT_CA]]: nginx with its config,
# logs and temporary files in DIR, serving WWW; sets NGINX_PORT.  A random
# free port is tried until one binds.
start_nginx() {
  local dir=$1 www=$2 tls=${3:-} cert=${4:-} key=${5:-} client_ca=${6:-} try port user listen
  mkdir -p "$dir/tmp"
  user=""
  [ "$(id -u)" -eq 0 ] && user="user root root;"
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 30000))
    listen="listen 127.0.0.1:$port;"
    local ssl=""
    if [ "$tls" = https ]; then
      listen="listen 127.0.0.1:$port ssl;"
      ssl="ssl_certificate $cert; ssl_certificate_key $key;"
      [ -n "$client_ca" ] && ssl="$ssl ssl_client_certificate $client_ca; ssl_verify_client on;"
    fi
    cat > "$dir/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  default_type application/octet-stream;
  sendfile on;
  server {
    $listen
    $ssl
    root $www;
    location / { }
  }
}
CONF
    "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/nginx.out" 2>&1 &
    local pid=$!
    local i
    for i in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        NGINX_PORT=$port
        on_exit "kill $pid; wait $pid"
        return 0
      fi
      sleep 0.05
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    grep -q "Address already in use" "$dir/error.log" "$dir/nginx.out" 2>/dev/null || break
  done
  cat "$dir/error.log" "$dir/nginx.out" >&2 2>/dev/null
  fail "nginx did not start"
}

# start_proxy NAME ARGS...: faultproxy in front of nginx; sets PROXY_PORT
# and PROXY_STATS (its counters file).  Stops the previous proxy of that
# NAME first.
start_proxy() {
  local name=$1; shift
  stop_proxy "$name"
  local pf="$T/proxy-$name.port"
  PROXY_STATS="$T/proxy-$name.stats"
  rm -f "$pf" "$PROXY_STATS"
  "$TOOLS/faultproxy" --upstream "127.0.0.1:$NGINX_PORT" --port 0 --port-file "$pf" \
    --stats "$PROXY_STATS" "$@" 2>"$T/proxy-$name.err" &
  local pid=$!
  echo "$pid" > "$T/proxy-$name.pid"
  on_exit "kill $pid; wait $pid"
  local i
  for i in $(seq 1 100); do
    [ -s "$pf" ] && break
    sleep 0.05
  done
  [ -s "$pf" ] || fail "faultproxy did not start: $(cat "$T/proxy-$name.err")"
  PROXY_PORT=$(cat "$pf")
}

stop_proxy() {
  local pidf="$T/proxy-$1.pid"
  [ -f "$pidf" ] || return 0
  kill "$(cat "$pidf")" 2>/dev/null; wait "$(cat "$pidf")" 2>/dev/null
  rm -f "$pidf"
}

# proxy_count KEY: a counter of the last proxy (down, up, conns, requests, cuts).
proxy_count() {
  tr ' ' '\n' < "$PROXY_STATS" | sed -n "s/^$1=//p"
}

# random_file PATH BYTES SEED: reproducible incompressible bytes.
random_file() {
  openssl enc -aes-128-ctr -pass "pass:$3" -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
    | head -c "$2" > "$1"
}

sha256_of() { sha256sum < "$1" | cut -d' ' -f1; }

# ratio_below A B LIMIT: A/B < LIMIT (decimal), by awk.
ratio_below() {
  awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { exit !(a / b < l) }'
}
