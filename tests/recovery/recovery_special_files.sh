#!/bin/bash
# A FIFO, socket or device where recovery expects a file (the command file,
# the package, the keys file) is refused at once with a clear reason; recovery
# never blocks on it.  (timeout only turns a hang into a failure: exit 124.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device

run_bounded() { # ARG...: recovery with a deadline; sets RC
  timeout 60 setsid "$BIN/recovery" "$@" > "$T/out" 2>&1 < /dev/null
  RC=$?
  [ "$RC" -ne 124 ] || { unmount_leftovers; fail "recovery blocked (killed after 60 s): $*"; }
}

# 1. /cache/recovery/command is a FIFO nobody writes to.
mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
mkdir -p "$T/mnt/recovery" && mkfifo "$T/mnt/recovery/command"
umount "$T/mnt"
run_bounded
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "FIFO command file: exit $RC"; }
grep -q "recovery/command is a FIFO, not a regular file" "$T/out" ||
  { cat "$T/out"; fail "FIFO command file: reason not shown"; }
grep -q "No command" "$T/out" || fail "FIFO command file: recovery did not go on to the BCB"
ok "a FIFO as the command file is refused at once: $(grep -m1 FIFO "$T/out")"
mount "$DEV_CACHE" "$T/mnt" && rm -f "$T/mnt/recovery/command" && umount "$T/mnt"

# 2. the package is a FIFO.
mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
mkfifo "$T/mnt/update.zip"
umount "$T/mnt"
run_bounded --update_package=/cache/update.zip
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "FIFO package: exit $RC, expected 3"; }
grep -q "update.zip is a FIFO, not a regular file" "$T/out" || { cat "$T/out"; fail "FIFO package: no reason"; }
ok "a FIFO as the package is refused at once"
mount "$DEV_CACHE" "$T/mnt" && rm -f "$T/mnt/update.zip" && umount "$T/mnt"

# 3. the keys file is a FIFO (or a device).
printf 'not a package' > "$T/pkg.zip"
put_in_cache "$T/pkg.zip" update.zip
rm -f "$ROOT/res/keys"; mkfifo "$ROOT/res/keys"
run_bounded --update_package=/cache/update.zip
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "FIFO keys: exit $RC, expected 3"; }
grep -q "keys file /res/keys is a FIFO, not a regular file" "$T/out" || { cat "$T/out"; fail "FIFO keys: no reason"; }
ok "a FIFO as the keys file is refused at once"
rm -f "$ROOT/res/keys"; ln -s /dev/zero "$ROOT/res/keys"
run_bounded --update_package=/cache/update.zip
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "device keys: exit $RC, expected 3"; }
grep -q "keys file /res/keys is a character device, not a regular file" "$T/out" ||
  { cat "$T/out"; fail "device keys: no reason"; }
ok "a device as the keys file is refused"
