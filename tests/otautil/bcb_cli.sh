#!/bin/bash
# bcb on a misc image: what the main system writes for recovery.  Each
# argument becomes one line of the bootloader message, so an argument that
# carries a line break (or any control character) would smuggle in another
# recovery argument (--wipe_data, --keys=...), and one ending in a space
# would be read back as another path: both are refused with a clear error,
# as is anything that does not fit the 768-byte recovery field.  A refused
# command leaves the image exactly as it was.
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/bcb" ] || fail "$BIN/bcb not built"
T=$(make_tmpdir)
MISC=$T/misc.img
head -c 1M /dev/zero > "$MISC"

"$BIN/bcb" "$MISC" update /cache/update.zip --wipe_cache || fail "a plain update was refused"
"$BIN/bcb" "$MISC" show > "$T/show" || fail "show"
grep -qx 'command: boot-recovery' "$T/show" || fail "command not boot-recovery: $(cat "$T/show")"
grep -qx -- '--update_package=/cache/update.zip' "$T/show" || fail "package line missing"
grep -qx -- '--wipe_cache' "$T/show" || fail "extra argument missing"
cp "$MISC" "$T/before.img"
ok "update writes boot-recovery with one line per argument"

# refused CASE PATTERN ARG...: bcb fails (exit 1), says PATTERN, and the
# image is unchanged.
refused() {
  local name=$1 pattern=$2 rc; shift 2
  "$BIN/bcb" "$MISC" "$@" > "$T/out" 2> "$T/err"; rc=$?
  [ $rc -eq 1 ] || fail "$name: exit $rc, expected 1 (stderr: $(cat "$T/err"))"
  grep -q -- "$pattern" "$T/err" || fail "$name: stderr lacks '$pattern': $(cat "$T/err")"
  [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$name: more than one line of error: $(cat "$T/err")"
  cmp -s "$MISC" "$T/before.img" || fail "$name: the misc image was written"
  ok "$name refused: $(cat "$T/err")"
}

refused "line break in the package path" "line break" \
  update $'/cache/update.zip\n--wipe_data'
refused "line break in an extra argument" "line break" \
  update /cache/update.zip $'--wipe_cache\n--keys=/cache/evil.pem'
refused "line break in a recovery argument" "line break" \
  recovery $'--update_package=/cache/u.zip\n--wipe_data'
refused "carriage return in the package path" "control character" \
  update $'/cache/update.zip\r'
refused "tab in the package path" "control character" \
  update $'/cache/up\tdate.zip'
refused "package path ending in a space" "ends in a space" \
  update '/cache/update.zip '
refused "relative package path" "not an absolute path" \
  update cache/update.zip
refused "empty argument" "empty" \
  recovery ''

long=/cache/$(printf 'x%.0s' $(seq 1 760)).zip
refused "package path longer than the recovery field" "not fit in the 768-byte recovery field" update "$long"
args=()
for i in $(seq 1 60); do args+=("--locale=en_US_$i"); done
refused "arguments that together overflow the recovery field" "not fit in the 768-byte recovery field" recovery "${args[@]}"

# Exactly full: "recovery\n" + one line, 767 bytes and the terminating NUL.
prefix=--update_package=/
fill=$((767 - 9 - 1 - ${#prefix}))
exact=/$(printf 'y%.0s' $(seq 1 "$fill"))
"$BIN/bcb" "$MISC" update "$exact" || fail "an argument that exactly fills the field was refused"
dd if="$MISC" of="$T/field" bs=1 skip=64 count=768 status=none
printf 'recovery\n--update_package=%s\n\0' "$exact" > "$T/want"
[ "$(stat -c %s "$T/want")" -eq 768 ] || fail "test error: the expected field is not 768 bytes"
cmp "$T/field" "$T/want" || fail "exactly full field: not the 767 bytes and a NUL expected"
ok "an argument that exactly fills the recovery field is written whole"

"$BIN/bcb" "$MISC" update '/sdcard/my ota.zip' || fail "a space inside the path was refused"
"$BIN/bcb" "$MISC" show | grep -qx -- '--update_package=/sdcard/my ota.zip' || fail "space inside"
ok "spaces inside a path are kept"
