#!/bin/bash
# HTTPS: nginx with a certificate from a test CA made here with openssl.
# The agent trusts it through ca_bundle; with another CA it refuses the
# server; a server that requires a client certificate gets the configured
# one, and refuses an agent without it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/device.bash"
need_servers
need_agent
setup_agent
P=$T/pki
mkdir -p "$P"
ca() { # NAME
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.pem" -days 30 \
    -subj "/CN=agent test $1" >/dev/null 2>&1 || fail "openssl req $1"
}
issue() { # NAME CA EXT
  openssl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$1" \
    >/dev/null 2>&1 || fail "openssl req $1"
  printf '%s\n' "$3" > "$P/$1.ext"
  openssl x509 -req -in "$P/$1.csr" -CA "$P/$2.pem" -CAkey "$P/$2.key" -CAcreateserial \
    -out "$P/$1.pem" -days 30 -extfile "$P/$1.ext" >/dev/null 2>&1 || fail "openssl x509 $1"
}
ca testca
ca wrongca
issue server testca "subjectAltName=IP:127.0.0.1"
issue client testca "extendedKeyUsage=clientAuth"
mkdir -p "$ROOT/etc/pki"
cp "$P/testca.pem" "$P/wrongca.pem" "$P/client.pem" "$P/client.key" "$ROOT/etc/pki/"

# A second nginx with TLS (the plain one of setup_agent stays).
mkdir -p "$T/nginx-tls"
start_nginx "$T/nginx-tls" "$T/www" https "$P/server.pem" "$P/server.key"
HTTPS=https://127.0.0.1:$NGINX_PORT

write_config "$HTTPS" "ca_bundle=/etc/pki/testca.pem"
run_agent check
[ "$RC" -eq 0 ] && grep -q "update available: $FP2" "$T/out" || fail "https with the test CA: $RC $(cat "$T/err")"
run_agent download
[ "$RC" -eq 0 ] && cmp -s "$T/www/incr-1-2.zip" "$ROOT/cache/update.zip" ||
  fail "https download: $(cat "$T/err")"
ok "HTTPS with the test CA: channel checked, package downloaded"

write_config "$HTTPS" "ca_bundle=/etc/pki/wrongca.pem
retries=2"
run_agent check
[ "$RC" -eq 1 ] && grep -qi "certificate" "$T/err" || fail "wrong CA: $RC $(cat "$T/err")"
ok "HTTPS with another CA: refused ($(grep -i -m1 certificate "$T/err" | cut -c1-150))"

# A server that wants a client certificate.
mkdir -p "$T/nginx-mtls"
start_nginx "$T/nginx-mtls" "$T/www" https "$P/server.pem" "$P/server.key" "$P/testca.pem"
MTLS=https://127.0.0.1:$NGINX_PORT
write_config "$MTLS" "ca_bundle=/etc/pki/testca.pem
retries=2"
run_agent check
[ "$RC" -eq 1 ] || fail "no client certificate: accepted"
write_config "$MTLS" "ca_bundle=/etc/pki/testca.pem
client_cert=/etc/pki/client.pem
client_key=/etc/pki/client.key"
run_agent check
[ "$RC" -eq 0 ] || fail "client certificate: $(cat "$T/err")"
ok "a server requiring a client certificate: refused without, accepted with the configured one"
