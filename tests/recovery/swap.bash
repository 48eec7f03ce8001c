# The package-swap attacks of package_swap.sh and package_swap_wholefile.sh
# (sourced after tests/lib.sh and helpers.bash).  An attacker who can write
# /cache changes the package at the worst moments:
#   a. renames a package signed by another key over it right after
#      verification (before the updater opens it);
#   b. rewrites it in place with that package at the same moment;
#   c. renames the other package over it while the script runs, before a
#      package_extract_dir big enough to use several threads;
#   d. rewrites the bytes of one entry in place while the script runs,
#      before that entry is written to the boot partition.
# The moments are hooks, not timing: in a and b the signed package's
# update-binary is a wrapper that stops at two FIFOs before it runs the
# real updater; in c and d the signed script calls run_program on a hook
# that does the same.  The test does its change while the install waits.
# Never may the attacker's bytes reach a partition.  What happens instead
# depends on how the package is signed (swap_tests KIND):
#   jar        (whole-file and v1 JAR signature: read in place, every entry
#              checked at use) the install goes on with the verified bytes
#              (a, c) or stops with an error naming what changed (b, d),
#              and a retry with the real package then installs it;
#   wholefile  (whole-file signature only, Debian's signapk -w: verified
#              and installed from a sealed copy in memory) the install
#              goes on with the verified bytes in all four.

# swap_setup: the hooks, the payloads and the helpers below.
swap_setup() {
  setup_device
  make_key "$T/keys" other
  H=$T/hook
  mkdir -p "$H"
  export SWAP_HOOK=$H SWAP_UPDATER=$BIN/updater
  mkfifo "$H/ready.fifo" "$H/go.fifo"
  # The wrapper update-binary (a, b) and the script hook (c, d).
  cat > "$T/wrapper" <<'EOS'
#!/bin/sh
# Test hook: recovery has verified the package and started its
# update-binary; the test changes the package now.
echo verified > "$SWAP_HOOK/ready.fifo"
read go < "$SWAP_HOOK/go.fifo"
exec "$SWAP_UPDATER" "$@"
EOS
  cat > "$ROOT/hook.sh" <<'EOS'
#!/bin/sh
echo running > "$SWAP_HOOK/ready.fifo"
read go < "$SWAP_HOOK/go.fifo"
EOS
  chmod 755 "$T/wrapper" "$ROOT/hook.sh"
  # Payloads: the real one and the attacker's (same names, other bytes).
  make_payload "$T/real" real
  make_payload "$T/evil" evil
  real_boot=$(expected_boot_hash "$T/real/boot.img")
  evil_boot=$(expected_boot_hash "$T/evil/boot.img")
}

BOOT_SCRIPT='package_extract_file("boot.img", "/dev/block/by-name/boot");'
DIR_SCRIPT='format("ext4", "EMMC", "/dev/block/by-name/system", "0", "/system");
mount("ext4", "EMMC", "/dev/block/by-name/system", "/system");
run_program("/hook.sh");
package_extract_dir("system", "/system");
unmount("/system");'
HOOK_BOOT_SCRIPT="run_program(\"/hook.sh\");
$BOOT_SCRIPT"

zero_boot() { dd if=/dev/zero of="$DEV_BOOT" bs=1M count=8 conv=fsync status=none; }

# attack NAME ACTION: runs recovery on /cache/update.zip, waits at the hook,
# runs ACTION (a shell command), lets the install go on; sets RC.
attack() {
  local name=$1 action=$2
  setsid "$BIN/recovery" --update_package=/cache/update.zip > "$T/out" 2>&1 < /dev/null &
  local pid=$!
  on_exit "kill -9 -- -$pid"
  if ! timeout 120 cat "$H/ready.fifo" > /dev/null; then
    kill -9 -- "-$pid" 2>/dev/null; wait "$pid"
    cat "$T/out"; unmount_leftovers; fail "$name: the install never reached the hook"
  fi
  eval "$action" || { kill -9 -- "-$pid"; wait "$pid"; unmount_leftovers; fail "$name: the attack itself failed"; }
  echo go > "$H/go.fifo"
  wait "$pid"; RC=$?
  unmount_leftovers
}

# system_has PAYLOAD: every file of PAYLOAD/system is on the system partition.
system_has() {
  mount -o ro "$DEV_SYSTEM" "$T/mnt" || { echo "system does not mount"; return 1; }
  local f bad=0
  for f in build.prop lib/lib1.so lib/lib2.so lib/lib3.so lib/lib4.so lib/lib5.so lib/lib6.so bin/app; do
    cmp -s "$1/system/$f" "$T/mnt/$f" || { echo "/system/$f differs from $1"; bad=1; }
  done
  umount "$T/mnt"
  return $bad
}

# retry_converges NAME: with the real package back in place the install succeeds.
retry_converges() {
  local name=$1
  put_in_cache "$T/$name.zip" update.zip
  run_recovery --update_package=/cache/update.zip
  [ "$RC" -eq 0 ] || { cat "$T/out"; fail "$name: the retry with the real package failed"; }
}

# cache_holds NAME FILE: /cache/update.zip is FILE now (the attack happened).
cache_holds() {
  cache_file update.zip | cmp -s - "$2" || fail "$1: /cache/update.zip is not the attacker's file"
}

# installed_verified NAME: exit 0 and the real boot.img on the boot partition.
installed_verified() {
  [ "$RC" -eq 0 ] || { cat "$T/out"; fail "$1: exit $RC: the verified package should still install"; }
  [ "$(boot_hash)" = "$real_boot" ] || fail "$1: boot is not the verified package's boot.img"
}

# swap_tests jar|wholefile
swap_tests() {
  local kind=$1
  swap_setup
  # ---- a. rename right after verification -------------------------------------
  UPDATE_BINARY=$T/wrapper build_package "$T/a.zip" "$T/real" "$BOOT_SCRIPT" "$GOOD_METADATA"
  build_package "$T/a-evil.zip" "$T/evil" "$BOOT_SCRIPT" "$GOOD_METADATA" other
  zero_boot
  put_in_cache "$T/a.zip" update.zip
  put_in_cache "$T/a-evil.zip" evil.zip keep
  attack rename-after-verify 'mv "$ROOT/cache/evil.zip" "$ROOT/cache/update.zip"'
  [ "$(boot_hash)" != "$evil_boot" ] || fail "a: the package renamed into place after verification was installed"
  installed_verified a
  if [ "$kind" = wholefile ]; then
    cache_file recovery/last_log | grep -q "sealed snapshot" || { cat "$T/out"; fail "a: the log does not say it installed from a sealed snapshot"; }
  fi
  ok "a. $kind: a package renamed into place after verification is never read: the verified one installs"

  # ---- b. in-place rewrite right after verification -----------------------------
  zero_boot
  put_in_cache "$T/a.zip" update.zip
  attack rewrite-after-verify 'cat "$T/a-evil.zip" > "$ROOT/cache/update.zip" && sync'
  [ "$(boot_hash)" != "$evil_boot" ] || fail "b: the package rewritten in place after verification was installed"
  if [ "$kind" = jar ]; then
    [ "$RC" -eq 1 ] || { cat "$T/out"; fail "b: exit $RC, expected 1 (install failed)"; }
    grep -q "changed after recovery verified it" "$T/out" || { cat "$T/out"; fail "b: the reason is not shown"; }
    cmp -s -n 8388608 /dev/zero "$DEV_BOOT" || fail "b: the boot partition was written"
    UPDATE_BINARY=$BIN/updater build_package "$T/b-retry.zip" "$T/real" "$BOOT_SCRIPT" "$GOOD_METADATA"
    retry_converges b-retry
    [ "$(boot_hash)" = "$real_boot" ] || fail "b: the retry did not install the real boot.img"
    ok "b. jar: a package rewritten in place after verification is refused before the script runs; a retry installs"
  else
    cache_holds b "$T/a-evil.zip"
    installed_verified b
    ok "b. wholefile: a package rewritten in place after verification changes nothing: the verified copy installs"
  fi

  # ---- c. rename during the script, before a multi-threaded package_extract_dir --
  build_package "$T/c.zip" "$T/real" "$DIR_SCRIPT" "$GOOD_METADATA"
  build_package "$T/c-evil.zip" "$T/evil" "$DIR_SCRIPT" "$GOOD_METADATA" other
  put_in_cache "$T/c.zip" update.zip
  put_in_cache "$T/c-evil.zip" evil.zip keep
  attack rename-during-script 'mv "$ROOT/cache/evil.zip" "$ROOT/cache/update.zip"'
  system_has "$T/real" > "$T/diff" || { cat "$T/diff" "$T/out"; fail "c: files from the renamed package reached /system"; }
  [ "$RC" -eq 0 ] || { cat "$T/out"; fail "c: exit $RC: the verified package should still install"; }
  ok "c. $kind: every extraction thread reads the verified package, not the one renamed into place"

  # ---- d. one entry rewritten in place during the script ------------------------
  ZIP_OPTS=-0 build_package "$T/d.zip" "$T/real" "$HOOK_BOOT_SCRIPT" "$GOOD_METADATA"
  # offset and size of boot.img's stored data in the package
  read -r off len < <(perl -e '
    local $/; open my $f, "<:raw", $ARGV[0] or die; my $d = <$f>;
    while ($d =~ /PK\x03\x04/g) {
      my $p = pos($d) - 4; my ($csize, $usize, $nl, $xl) = unpack("VVvv", substr($d, $p + 18, 12));
      if (substr($d, $p + 30, $nl) eq "boot.img") { print $p + 30 + $nl + $xl, " $csize\n"; exit }
    }
    die "no local header for boot.img\n"' "$T/d.zip") || fail "d: boot.img not found in the package"
  [ "$len" -eq "$(stat -c %s "$T/real/boot.img")" ] || fail "d: boot.img is not stored"
  zero_boot
  put_in_cache "$T/d.zip" update.zip
  attack rewrite-entry-during-script \
    'dd if="$T/evil/boot.img" of="$ROOT/cache/update.zip" bs=64k oflag=seek_bytes seek="$off" conv=notrunc,fsync status=none'
  [ "$(boot_hash)" != "$evil_boot" ] || fail "d: the rewritten entry was written to the boot partition"
  cmp -s -n 65536 "$T/evil/boot.img" "$DEV_BOOT" && fail "d: the rewritten entry's bytes reached the boot partition"
  if [ "$kind" = jar ]; then
    [ "$RC" -eq 1 ] || { cat "$T/out"; fail "d: exit $RC, expected 1 (install failed)"; }
    grep -q "boot.img" "$T/out" && grep -q "signed manifest" "$T/out" || { cat "$T/out"; fail "d: the entry and the reason are not named"; }
    cmp -s -n 8388608 /dev/zero "$DEV_BOOT" || fail "d: the boot partition was written"
    ZIP_OPTS=-0 build_package "$T/d-retry.zip" "$T/real" "$BOOT_SCRIPT" "$GOOD_METADATA"
    retry_converges d-retry
    [ "$(boot_hash)" = "$real_boot" ] || fail "d: the retry did not install the real boot.img"
    ok "d. jar: an entry rewritten in place is refused before its bytes reach the partition; a retry installs"
  else
    cache_file update.zip | cmp -s - "$T/d.zip" && fail "d: the entry was not rewritten in /cache"
    installed_verified d
    ok "d. wholefile: an entry rewritten in place changes nothing: the verified copy installs"
  fi
}
