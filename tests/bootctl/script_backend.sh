#!/bin/bash
# The script backend with a real device maker's script (RAUC's custom
# backend commands), keeping its state in files, and one that hangs.
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/bootctl" ] || fail "bootctl not built"
d=$(make_tmpdir)
mkdir -p "$d/state"
cat > "$d/board-boot" <<SCRIPT
#!/bin/sh
# A board keeps its primary slot and each slot's state in files.
s=$d/state
echo "\$*" >> \$s/calls
case "\$1" in
  get-primary) cat \$s/primary ;;
  set-primary) echo "\$2" > \$s/primary; echo good > \$s/\$2 ;;
  get-state)   [ -f \$s/\$2 ] && cat \$s/\$2 || echo bad ;;
  set-state)   echo "\$3" > \$s/\$2 ;;
  get-current) cat \$s/current ;;
  *) echo "unknown command \$1" >&2; exit 1 ;;
esac
SCRIPT
chmod +x "$d/board-boot"
echo A > "$d/state/primary"; echo good > "$d/state/A"; echo A > "$d/state/current"
bc() { "$BIN/bootctl" --backend=script --storage="$d/board-boot" "$@"; }

[ "$(bc get-current-slot)" = 0 ] || fail "get-current names A"
[ "$(bc get-active-boot-slot)" = 0 ] || fail "get-primary names A"
bc is-slot-bootable 1; [ $? = 1 ] || fail "B has no state: bad"
bc set-active-boot-slot 1 || fail "set-active-boot-slot"
[ "$(cat "$d/state/primary")" = B ] || fail "set-primary B was not called"
grep -qx "set-primary B" "$d/state/calls" || fail "calls: $(cat "$d/state/calls")"
bc is-slot-bootable _b || fail "B good"
ok "get-current, get-primary, set-primary, get-state"

# The board booted A again (B failed): the script says so.
echo bad > "$d/state/B"
out=$(bc status) || fail "status"
echo "$out" | grep -q "^rolled-back: yes" || fail "$out"
echo "$out" | grep -q "tries-left=unknown" || fail "tries are unknown to the script: $out"
# The command line wins over get-current.
echo "rauc.slot=B" > "$d/cmdline"
printf 'backend=script\nstorage=%s\ncmdline=%s\n' "$d/board-boot" "$d/cmdline" > "$d/bootctl.conf"
[ "$("$BIN/bootctl" --config="$d/bootctl.conf" get-current-slot)" = 1 ] || fail "rauc.slot=B"
BOOTCTL_CURRENT_SLOT=A bc mark-boot-successful || fail "mark-boot-successful"
grep -qx "set-state A good" "$d/state/calls" || fail "mark-good: $(cat "$d/state/calls")"
bc set-slot-as-unbootable B || fail "set-slot-as-unbootable"
grep -qx "set-state B bad" "$d/state/calls" || fail "mark-bad"
ok "rollback seen, set-state good and bad"

# Failures name the script and the command; a bad answer is an error.
echo C > "$d/state/primary"
out=$(bc get-active-boot-slot 2>&1) && fail "a slot that does not exist was accepted"
echo "$out" | grep -q 'get-primary printed "C"' || fail "$out"
echo maybe > "$d/state/A"
bc is-slot-bootable A; [ $? = 3 ] || fail "an answer neither good nor bad must exit 3"
ok "bad answers are errors (exit 3 on is- commands)"

# A script that hangs is killed after script.timeout, with what it started.
cat > "$d/hang" <<'SCRIPT'
#!/bin/sh
sleep 300 &
echo $! > "$(dirname "$0")/child"
wait
SCRIPT
chmod +x "$d/hang"
printf 'backend=script\nstorage=%s\nscript.timeout=1\n' "$d/hang" > "$d/hang.conf"
out=$("$BIN/bootctl" --config="$d/hang.conf" get-active-boot-slot 2>&1) && fail "a hanging script answered"
echo "$out" | grep -qi "killed\|time" || fail "the error does not say it timed out: $out"
# Its child was killed with it (a zombie not yet reaped by init counts as gone).
child=$(cat "$d/child")
for _ in 1 2 3 4 5 6 7 8 9 10; do
  state=$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null) || break
  [ "$state" = Z ] && break
  sleep 0.1
done
if [ -n "${state:-}" ] && [ "$state" != Z ] && kill -0 "$child" 2>/dev/null; then
  kill "$child"; fail "the script's child was left running"
fi
ok "a hanging script is killed with its children: $out"
