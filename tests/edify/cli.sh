#!/bin/bash
# The edify host program's contract (docs/edify.md, interfaces.md):
# value + newline and exit 0; evaluation failure exit 1; syntax errors as
# FILE:LINE:COL: message, exit 2; -e counts as file <expr>; --help / usage.
. "$(dirname "$0")/../lib.sh"

EDIFY=$BIN/edify
[ -x "$EDIFY" ] || fail "$EDIFY not built"
T=$(make_tmpdir)

# expect_run EXIT STDOUT_FILE STDERR_FILE ARGS... : runs edify, checks the exit.
expect_exit() {
  local want=$1; shift
  "$EDIFY" "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "edify $* exited $rc, expected $want; stderr: $(cat "$T/err")"
}

# Values and the trailing newline.
expect_exit 0 -e 'a + b == ab'
[ "$(cat "$T/out")" = t ] || fail "a + b == ab printed '$(cat "$T/out")'"
[ ! -s "$T/err" ] || fail "stderr not empty on success"
expect_exit 0 -e '"" == "" && b'
printf 'b\n' | cmp -s - "$T/out" || fail "value must be followed by exactly one newline"
expect_exit 0 -e '"a\x00b"'
printf 'a\0b\n' | cmp -s - "$T/out" || fail "blob value not written byte for byte"
ok "values print with a newline, exit 0"

# A script file, with comments, stdout() output before the value.
cat >"$T/ok.edify" <<'EOF'
# An updater-script fragment using only core builtins.
assert(less_than_int(1, 2), is_substring("maguro", "maguro-userdebug"));
stdout("checking " + "build\n");
if greater_than_int(10, 9) then
  concat("all", " ", "good")
else
  abort("unreachable")
endif;
EOF
expect_exit 0 "$T/ok.edify"
printf 'checking build\nall good\n' | cmp -s - "$T/out" || fail "file script output: $(cat "$T/out")"
ok "script file runs"

# Evaluation failures: exit 1, one line naming file, position, function, reason.
printf 'concat("x");\n\n  abort("cannot install over a newer build")\n' >"$T/abort.edify"
expect_exit 1 "$T/abort.edify"
[ ! -s "$T/out" ] || fail "a failed run printed a value"
grep -qx "$T/abort.edify:3:3: abort: cannot install over a newer build" "$T/err" \
  || fail "abort message: $(cat "$T/err")"
expect_exit 1 -e 'assert(t, a == b)'
grep -qx '<expr>:1:1: assert: assert failed: a == b' "$T/err" || fail "assert message: $(cat "$T/err")"
expect_exit 1 -e 'sleep()'
grep -q 'sleep: expects 1 argument' "$T/err" || fail "arg count message: $(cat "$T/err")"
ok "evaluation failures exit 1 with FILE:LINE:COL: FUNCTION: REASON"

# Syntax errors: all of them, FILE:LINE:COL: message, exit 2.
printf 'a b;\nfoo(1);\nconcat(x,\n' >"$T/bad.edify"
expect_exit 2 "$T/bad.edify"
[ "$(wc -l <"$T/err")" -eq 3 ] || fail "expected 3 errors, got: $(cat "$T/err")"
grep -qF "$T/bad.edify:1:3: expected an operator or ';', found word b (is a ';' missing before it?)" "$T/err" || fail "first error: $(cat "$T/err")"
grep -q "^$T/bad.edify:2:1: unknown function 'foo'$" "$T/err" || fail "unknown function: $(cat "$T/err")"
grep -q "^$T/bad.edify:4:1: expected an expression" "$T/err" || fail "unterminated call: $(cat "$T/err")"
expect_exit 2 -e '("con" + "cat")(a, b)'
grep -q '^<expr>:1:16: ' "$T/err" || fail "-e errors are in file <expr>: $(cat "$T/err")"
expect_exit 2 -e 'stdout("  \_/ \");'
grep -q '^<expr>:1:8: unterminated string literal.*the \\" at 1:15 is an escaped quote' "$T/err" \
  || fail "backslash before the closing quote: $(cat "$T/err")"
ok "syntax errors exit 2, every one as FILE:LINE:COL: message"

# Backslashes as Android's lexer takes them: one that starts no escape is
# kept (ASCII art in real updater-scripts), \x without two hex digits too.
cat >"$T/art.edify" <<'EOF'
# The banner of a published ROM's updater-script.
stdout("  ____  ____  __  __ \n");
stdout(" |  _ \/ __ \|  \/  |\n");
stdout(" | |_) | |  | | \  / |\n");
concat("\x4", "\q", "\x41")
EOF
expect_exit 0 "$T/art.edify"
cat >"$T/art.want" <<'EOF'
  ____  ____  __  __ 
 |  _ \/ __ \|  \/  |
 | |_) | |  | | \  / |
\x4\qA
EOF
cmp -s "$T/art.want" "$T/out" || fail "ASCII art printed as: $(cat "$T/out")"
ok "a backslash that starts no escape is a literal backslash, as in Android"

# Hostile input: no crash, a clear error.
printf 'a\0b' >"$T/nul.edify"
expect_exit 2 "$T/nul.edify"
grep -q ':1:2: NUL byte' "$T/err" || fail "NUL byte: $(cat "$T/err")"
head -c 100000 /dev/zero | tr '\0' '(' >"$T/deep.edify"
expect_exit 2 "$T/deep.edify"
grep -q 'nested deeper than 1000 levels' "$T/err" || fail "deep nesting: $(cat "$T/err")"
{ for i in $(seq 100000); do printf 'if a then '; done; printf b; for i in $(seq 100000); do printf ' endif'; done; } >"$T/deepif.edify"
expect_exit 2 "$T/deepif.edify"
grep -q 'nested deeper than 1000 levels' "$T/err" || fail "deep ifs: $(cat "$T/err")"
ok "NUL bytes and 100,000-deep nesting are reported, not crashed on"

# The deepest scripts the limit allows run within Android's default 8 MB
# stack (the bound is enforced here, not inherited from an unlimited shell).
{ for i in $(seq 999); do printf 'if t then '; done; printf deep; for i in $(seq 999); do printf ' endif'; done; } >"$T/maxif.edify"
{ for i in $(seq 499); do printf 'concat(x + '; done; printf y; for i in $(seq 499); do printf ')'; done; } >"$T/maxcall.edify"
{ for i in $(seq 998); do printf 'assert('; done; printf t; for i in $(seq 998); do printf ')'; done; } >"$T/maxassert.edify"
(ulimit -s 8192; "$EDIFY" "$T/maxif.edify") >"$T/out" 2>"$T/err" || fail "999 nested ifs: $(cat "$T/err")"
[ "$(cat "$T/out")" = deep ] || fail "999 nested ifs gave $(cat "$T/out")"
(ulimit -s 8192; "$EDIFY" "$T/maxcall.edify") >"$T/out" 2>"$T/err" || fail "499 nested calls: $(cat "$T/err")"
[ "$(wc -c <"$T/out")" -eq 501 ] || fail "499 nested calls gave $(wc -c <"$T/out") bytes"
(ulimit -s 8192; "$EDIFY" "$T/maxassert.edify") >"$T/out" 2>"$T/err"
# assert's value is "" (false), so the second-innermost assert fails.
[ $? -eq 1 ] || fail "998 nested asserts should fail: $(cat "$T/err")"
grep -q ':1:6973: assert: assert failed: assert(t)$' "$T/err" || fail "nested assert message: $(cat "$T/err")"
ok "nesting at the depth limit evaluates under an 8 MB stack"

# --check: runs nothing, reports every error, exit 0 / 2 / 1.
cat >"$T/side-effect.edify" <<'EOF'
stdout("this must not be printed\n");
abort("nor this")
EOF
expect_exit 0 --check "$T/side-effect.edify"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || fail "--check ran the script: $(cat "$T/out" "$T/err")"
expect_exit 0 --check "$T/art.edify"
cat >"$T/counts.edify" <<'EOF'
ifelse(is_substring("a"), stdout("x"));
if less_than_int(1) then
  sleep(1, 2)
endif;
assert()
EOF
expect_exit 2 --check "$T/counts.edify"
cat >"$T/counts.want" <<EOF
$T/counts.edify:1:8: is_substring: expects 2 arguments, got 1
$T/counts.edify:2:4: less_than_int: expects 2 arguments, got 1
$T/counts.edify:3:3: sleep: expects 1 argument, got 2
$T/counts.edify:5:1: assert: expects at least 1 argument, got 0
EOF
cmp -s "$T/counts.want" "$T/err" || fail "--check argument counts: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "--check printed a value"
# Running it would have reported only the first of them, after running stdout().
expect_exit 1 "$T/counts.edify"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "a run reports one failure: $(cat "$T/err")"
expect_exit 2 --check "$T/bad.edify"
[ "$(wc -l <"$T/err")" -eq 3 ] || fail "--check on syntax errors: $(cat "$T/err")"
grep -q "^$T/bad.edify:2:1: unknown function 'foo'$" "$T/err" || fail "--check unknown function: $(cat "$T/err")"
expect_exit 1 --check "$T/does-not-exist"
grep -q "does-not-exist" "$T/err" || fail "--check on a missing file: $(cat "$T/err")"
expect_exit 2 --check
ok "--check runs nothing and reports syntax errors and argument counts as FILE:LINE:COL"

# Usage.
expect_exit 0 --help
grep -q '^usage: edify FILE' "$T/out" || fail "--help goes to stdout"
expect_exit 2
grep -q '^usage:' "$T/err" || fail "usage error goes to stderr"
expect_exit 2 -e
expect_exit 2 -x foo
expect_exit 1 "$T/does-not-exist"
grep -q "does-not-exist" "$T/err" || fail "missing file not named: $(cat "$T/err")"
ok "usage, --help and unreadable files"
