#!/bin/bash
# Files recovery creates in /cache and /tmp never follow a planted symlink.
# The main system can write /cache: a symlink it leaves where recovery
# keeps its logs (the folder itself, a log, the temporary file a log is
# written through) must be replaced, never written through -- otherwise
# recovery, running as root, overwrites whatever the link names.  The same
# for recovery's own log in /tmp and for the update-binary.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
need_loop
need_recovery_programs
setup_device

V=$T/victims
mkdir -p "$V/dir"
reset_victims() {
  local f
  for f in tmp-log last-log last-install recovery-log binary; do echo "precious $f" > "$V/$f"; done
  rm -rf "$V/dir"; mkdir -p "$V/dir"
}
victims_intact() { # HOW
  local f
  for f in tmp-log last-log last-install recovery-log binary; do
    [ "$(cat "$V/$f")" = "precious $f" ] || fail "$1: recovery wrote through a symlink into $V/$f"
  done
  [ -z "$(ls -A "$V/dir")" ] || fail "$1: recovery wrote into $V/dir through a symlinked folder: $(ls "$V/dir")"
}

# plant CMD...: runs CMD in the mounted cache filesystem (as the main system
# would), then unmounts it.
plant() {
  mount "$DEV_CACHE" "$T/mnt" || fail "mount cache"
  (cd "$T/mnt" && mkdir -p recovery && eval "$*") || { umount "$T/mnt"; fail "planting: $*"; }
  sync; umount "$T/mnt"
}

# 1. symlinks in /cache/recovery: the temporary file logs are written
#    through, last_log.1 (rotation) and last_install; and /tmp/recovery.log.
reset_victims
plant "ln -sfn '$V/tmp-log' recovery/.tmp-log; ln -sfn '$V/last-install' recovery/last_install;
       for i in 0 1 2 3 4 5 6 7 8 9; do ln -sfn '$V/tmp-log' recovery/.tmp-\$i; done"
ln -sfn "$V/recovery-log" "$ROOT/tmp/recovery.log"
write_bcb --update_package=/cache/absent.zip
run_recovery
[ "$RC" -eq 3 ] || { cat "$T/out"; fail "symlinked log files: exit $RC, expected 3"; }
victims_intact "symlinked log files"
[ "$(cache_file recovery/last_install)" = "/cache/absent.zip"$'\n'"0" ] ||
  fail "last_install was not written in place of the symlink"
cache_file recovery/last_log | grep -q "cannot open the package /cache/absent.zip" ||
  fail "last_log was not written"
[ -L "$ROOT/tmp/recovery.log" ] && fail "/tmp/recovery.log is still a symlink"
ok "symlinks planted for the logs are replaced, never written through"

# 2. /cache/recovery itself a symlink to a folder elsewhere.
reset_victims
plant "rm -rf recovery && ln -s '$V/dir' recovery"
run_recovery
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "symlinked log folder: exit $RC"; }
victims_intact "symlinked log folder"
mount -o ro "$DEV_CACHE" "$T/mnt" || fail "mount cache"
[ -d "$T/mnt/recovery" ] && [ ! -L "$T/mnt/recovery" ] && [ -f "$T/mnt/recovery/last_log" ]
ok=$?; umount "$T/mnt"
[ $ok -eq 0 ] || fail "the log folder was not made a real folder with last_log in it"
ok "a symlink in place of /cache/recovery is replaced by a real folder"

# 3. the update-binary: a symlink or a file planted where an older recovery
#    wrote it is neither written through nor run.
reset_victims
make_payload "$T/payload" v2
build_package "$T/update.zip" "$T/payload" 'ui_print("ran the package'"'"'s update-binary");' "$GOOD_METADATA"
put_in_cache "$T/update.zip" update.zip
ln -sfn "$V/binary" "$ROOT/tmp/update-binary"
run_recovery --update_package=/cache/update.zip
[ "$RC" -eq 0 ] || { cat "$T/out"; fail "update-binary: exit $RC"; }
grep -q "ran the package's update-binary" "$T/out" || fail "the package's update-binary did not run"
victims_intact "update-binary"
[ -z "$(ls -d "$ROOT"/tmp/update-binary.* 2>/dev/null)" ] || fail "the update-binary's folder was left behind"
ok "the update-binary goes into a folder of recovery's own, not through a planted symlink"
