#!/bin/bash
# End to end on a recovery device (loop devices): the agent, running on the
# main system with /cache mounted, installs a real package (the project's
# updater as update-binary) from the channel through cuts; then the device
# "reboots": recovery, started with no arguments, finds the bootloader
# message the agent wrote, verifies and installs the package; the next
# agent run sees the new build and records it installed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/servers.bash"
. "$(dirname "$0")/../recovery/helpers.bash"
need_loop
need_servers
need_recovery_programs
for p in ota_agent ota_channel; do [ -x "$BIN/$p" ] || skip "$p not built"; done
setup_device
mkdir -p "$T/www" "$T/nginx" "$ROOT/data/ota_agent" "$ROOT/etc/security"
cp "$T/keys/good.x509.pem" "$ROOT/etc/security/otacerts.pem"
# The running system: build 1, the same device name as recovery's.
mount "$DEV_SYSTEM" "$T/mnt" || fail "mount system"
printf 'ro.build.fingerprint=test/testdev:1\nro.product.device=testdev\nro.build.date.utc=1600000000\n' \
  > "$T/mnt/build.prop"
umount "$T/mnt"

make_payload "$T/payload" 2   # its build.prop: test/testdev:2, the post-build
build_package "$T/www/full-2.zip" "$T/payload" "$FULL_SCRIPT" "$GOOD_METADATA"
"$BIN/ota_channel" -k "$T/keys/good" --name stable "$T/www/channel" "$T/www/full-2.zip" ||
  fail "ota_channel"
start_nginx "$T/nginx" "$T/www"
SIZE=$(stat -c %s "$T/www/full-2.zip")
start_proxy cuts --cuts 20 --seed 99 --span "$SIZE"
cat > "$ROOT/etc/ota_agent.conf" <<CONF
channel_url=http://127.0.0.1:$PROXY_PORT/channel
keys=/etc/security/otacerts.pem
build_props=/system/build.prop
state_dir=/data/ota_agent
misc_device=/dev/block/by-name/misc
stall_timeout_ms=1000
retries=30
retry_delay_ms=10
CONF

# The main system: /system and /cache mounted, as on a device.
mount -o ro "$DEV_SYSTEM" "$ROOT/system" || fail "mount system"
mount "$DEV_CACHE" "$ROOT/cache" || fail "mount cache"
"$BIN/ota_agent" install > "$T/agent.out" 2> "$T/agent.err"
rc=$?
umount "$ROOT/cache"; umount "$ROOT/system"
[ "$rc" -eq 0 ] || fail "ota_agent install: $(cat "$T/agent.err")"
bcb_text | grep -q -- "--update_package=/cache/update.zip" || fail "no bootloader message: $(bcb_text)"
ok "agent staged the package through $(proxy_count cuts) cuts ($(proxy_count down) bytes for $SIZE)"

# The reboot into recovery: its command comes from the bootloader message.
run_recovery
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "recovery exited $RC"; }
cache_file recovery/last_log > "$T/last_log" || fail "no last_log"
grep -q "command from the bootloader message" "$T/last_log" ||
  fail "recovery did not take the agent's bootloader message"
bcb_is_clear || fail "recovery left the bootloader message"
mount -o ro "$DEV_SYSTEM" "$T/mnt" || fail "mount system"
cmp -s "$T/payload/system/lib/lib3.so" "$T/mnt/lib/lib3.so" || { umount "$T/mnt"; fail "system not installed"; }
umount "$T/mnt"
[ "$(boot_hash)" = "$(expected_boot_hash "$T/payload/boot.img")" ] || fail "boot not installed"
ok "recovery installed the agent's package from the bootloader message"

# Back in the main system, now build 2: the agent records the install.
mount -o ro "$DEV_SYSTEM" "$ROOT/system" || fail "mount system"
"$BIN/ota_agent" check > "$T/agent.out" 2> "$T/agent.err"
rc=$?
umount "$ROOT/system"
[ "$rc" -eq 3 ] || fail "after the install: check exit $rc: $(cat "$T/agent.err" "$T/agent.out")"
[ "$("$BIN/ota_agent" status --json | jq -r .state)" = idle ] || fail "status after the install"
ok "after the reboot the agent sees build 2 running: up to date, idle"
