#!/bin/bash
# Device builtins (updater/device_extensions.h): an updater built with
# UPDATER_EXTENSIONS=updater/extensions/example.c knows example.check_board
# for --check and for a run, stays static, and the function works on a
# device laid out under RECOVERY_ROOT; the plain updater keeps refusing the
# unknown function when it parses the script.
. "$(dirname "$0")/../lib.sh"
[ -x "$BIN/updater" ] || fail "$BIN/updater not built"
command -v zip >/dev/null || skip "zip not installed"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(make_tmpdir)

# The extension build reuses this build's objects (copied with their times,
# so only the example is compiled and the updater linked), with the same
# sanitizer setting.
B=$T/build
mkdir -p "$B"
cp -a "$BIN/../obj" "$BIN/../lib" "$B/"
san=
file -b "$BIN/updater" | grep -q 'dynamically linked' && ldd "$BIN/updater" 2>/dev/null | grep -q libasan && san=1
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$TOP" BUILD="$B" SANITIZE=$san \
  UPDATER_EXTENSIONS=updater/extensions/example.c "$B/bin/updater" >"$T/build.log" 2>&1 ||
  fail "make UPDATER_EXTENSIONS=...: $(tail -5 "$T/build.log")"
grep -q "extensions/example.c" "$T/build.log" || fail "the example was not compiled: $(cat "$T/build.log")"
U=$B/bin/updater
if [ -z "$san" ]; then
  file -b "$U" | grep -q 'statically linked' || fail "the updater with extensions is not static: $(file -b "$U")"
fi
ok "make UPDATER_EXTENSIONS=updater/extensions/example.c builds a static updater with them"

# pkg NAME SCRIPT: a package holding SCRIPT.
pkg() {
  local P=$T/pkg-$1
  mkdir -p "$P/META-INF/com/google/android"
  printf '%s\n' "$2" >"$P/META-INF/com/google/android/updater-script"
  (cd "$P" && zip -qr "$T/$1.zip" .) || fail zip
}
pkg good 'ui_print("board " + example.check_board("acme-b1", "acme-b2"));'
pkg wrong 'example.check_board("acme-x1");'

"$U" --check "$T/good.zip" 2>"$T/err" || fail "updater with extensions --check: $(cat "$T/err")"
rc=0; "$BIN/updater" --check "$T/good.zip" 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown function 'example.check_board'" "$T/err" ||
  fail "the plain updater --check: exit $rc, $(cat "$T/err")"
ok "--check knows the device builtin; the plain updater refuses it at parse time"

R=$T/root
mkdir -p "$R/proc/device-tree" "$R/tmp"
echo acme-b2 >"$R/proc/device-tree/board-id"
RECOVERY_ROOT=$R "$U" 3 1 "$T/good.zip" >"$T/pipe" 2>"$T/err" || fail "the good package failed: $(cat "$T/err")"
grep -qx "ui_print board acme-b2" "$T/pipe" || fail "no ui_print of the board: $(cat "$T/pipe")"
rc=0; RECOVERY_ROOT=$R "$U" 3 1 "$T/wrong.zip" >"$T/pipe" 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "a package for another board succeeded"
grep -q 'this package is for boards acme-x1; this board is "acme-b2"' "$T/pipe" "$T/err" ||
  fail "the refusal does not name the boards: $(cat "$T/pipe" "$T/err")"
rc=0; RECOVERY_ROOT=$R "$BIN/updater" 3 1 "$T/good.zip" >"$T/pipe" 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] && grep -q "unknown function 'example.check_board'" "$T/pipe" "$T/err" ||
  fail "the plain updater ran the package: exit $rc"
ok "example.check_board runs: the right board passes, another is refused naming both"
