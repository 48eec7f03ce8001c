#!/bin/bash
# recovery's command line and a host run without root or loop devices: a
# device laid out in a folder (RECOVERY_ROOT) whose fstab has no /cache or
# /misc, so recovery uses the folders as they are.
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/recovery" ] || skip "recovery not built ($BIN/recovery)"
T=$(make_tmpdir)

"$BIN/recovery" --help > "$T/help" || fail "--help exited non-zero"
grep -q "update_package" "$T/help" || fail "--help does not show the options"
ok "--help"

"$BIN/recovery" --bogus > "$T/out" 2> "$T/err"; rc=$?
[ "$rc" -eq 2 ] || fail "bad argument: exit $rc, expected 2"
grep -q "unknown argument '--bogus'" "$T/err" || fail "bad argument not named: $(cat "$T/err")"
grep -q "^usage:" "$T/err" || fail "usage not on stderr"
"$BIN/recovery" --update_package=relative.zip 2> "$T/err"; rc=$?
[ "$rc" -eq 2 ] || fail "relative package path: exit $rc"
ok "usage errors exit 2 naming the argument"

# Without root and without RECOVERY_ROOT: the cause is said, nothing is tried.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  # the build folder may be closed to other users (a checkout under /root)
  [ ${#as_user[@]} -gt 0 ] && ! "${as_user[@]}" test -x "$BIN/recovery" && as_user=()
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as_user[@]} -gt 0 ]; then
  (cd / && env -u RECOVERY_ROOT "${as_user[@]}" "$BIN/recovery" --just_exit) > "$T/out" 2>&1; rc=$?
  [ "$rc" -eq 5 ] || fail "without root: exit $rc, expected 5: $(cat "$T/out")"
  grep -q "recovery: needs root: .*RECOVERY_ROOT=DIR" "$T/out" || fail "without root: $(cat "$T/out")"
  grep -q "Permission denied" "$T/out" && fail "without root: a bare Permission denied: $(cat "$T/out")"
  ok "without root: 'needs root', exit 5"
else
  echo "note: no way to run $BIN/recovery as another user here: the run without root did not happen"
fi

export RECOVERY_ROOT=$T/root
mkdir -p "$RECOVERY_ROOT"
"$BIN/recovery" --just_exit > "$T/out" 2>&1; rc=$?
[ "$rc" -eq 5 ] || fail "no fstab: exit $rc, expected 5"
grep -q "cannot read the fstab" "$T/out" || fail "missing fstab not explained: $(cat "$T/out")"
ok "a missing fstab is reported (exit 5)"

mkdir -p "$RECOVERY_ROOT/etc" "$RECOVERY_ROOT/sdcard" "$RECOVERY_ROOT/res"
echo "/system ext4 /dev/block/by-name/system" > "$RECOVERY_ROOT/etc/recovery.fstab"
mkdir -p "$RECOVERY_ROOT/cache/recovery"
printf -- '--update_package=/sdcard/none.zip\n' > "$RECOVERY_ROOT/cache/recovery/command"
"$BIN/recovery" > "$T/out" 2>&1; rc=$?
[ "$rc" -eq 3 ] || fail "missing package from the command file: exit $rc, expected 3"
grep -q "cannot open the package /sdcard/none.zip" "$T/out" || fail "reason not shown: $(cat "$T/out")"
[ -e "$RECOVERY_ROOT/cache/recovery/command" ] && fail "command file not removed after a definite failure"
[ "$(cat "$RECOVERY_ROOT/cache/recovery/last_install")" = "/sdcard/none.zip"$'\n'"0" ] || fail "last_install wrong"
grep -q "command from /cache/recovery/command" "$RECOVERY_ROOT/cache/recovery/last_log" || fail "log lacks the command source"
ok "host run: command file, refusal, last_install, last_log"

# A package that is not a zip at all, and keys that are not keys.
head -c 5000 /dev/urandom > "$RECOVERY_ROOT/sdcard/junk.zip"
cp "$TESTDATA/recovery/testkey_v2.x509.pem" "$RECOVERY_ROOT/res/keys" 2>/dev/null \
  || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k" -out "$RECOVERY_ROOT/res/keys" -subj /CN=t >/dev/null 2>&1
"$BIN/recovery" --update_package=/sdcard/junk.zip > "$T/out" 2>&1; rc=$?
[ "$rc" -eq 3 ] || fail "junk package: exit $rc"
grep -q "signature verification failed" "$T/out" || fail "junk package: reason not shown: $(cat "$T/out")"
echo "not a key" > "$RECOVERY_ROOT/res/keys"
"$BIN/recovery" --update_package=/sdcard/junk.zip > "$T/out" 2>&1; rc=$?
[ "$rc" -eq 3 ] || fail "bad keys: exit $rc"
grep -q "cannot load the trusted keys" "$T/out" || fail "bad keys: reason not shown: $(cat "$T/out")"
ok "junk package and unusable keys are refused with the reason"

# Plain output when not a terminal: no escape sequences.
grep -q $'\033' "$T/out" && fail "escape sequences in non-terminal output"
ok "plain lines when the output is not a terminal"

# Log rotation across runs.
for i in 1 2 3; do "$BIN/recovery" --just_exit >/dev/null 2>&1 || fail "--just_exit run $i failed"; done
[ -f "$RECOVERY_ROOT/cache/recovery/last_log.3" ] || fail "logs not rotated"
ok "logs rotate"

# On a terminal the screen is redrawn in place (ANSI), with the title on top.
if command -v script >/dev/null; then
  echo ro.product.device=clidev > "$RECOVERY_ROOT/default.prop"
  TERM=xterm script -qec "'$BIN/recovery' --update_package=/sdcard/junk.zip" /dev/null \
    < /dev/null > "$T/tty-out" 2>&1
  grep -q $'\033\\[H\033\\[2J' "$T/tty-out" || fail "no in-place redraw on a terminal"
  grep -q "Recovery for clidev" "$T/tty-out" || fail "title missing on the terminal"
  grep -q "Error!" "$T/tty-out" || fail "status line missing on the terminal"
  ok "ANSI screen on a terminal"
fi
