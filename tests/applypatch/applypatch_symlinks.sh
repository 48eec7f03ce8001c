#!/bin/bash
# applypatch never writes through a planted symlink: /cache is the main
# system's to write, so /cache/saved.file (the copy of a source patched in
# place) may be a symlink to something precious when applypatch runs; and
# TARGET.patch, the temporary the result is written to before it is renamed
# over the target, may be one too.  Both are replaced, never followed, and
# the patch still applies.  A symlink where the saved copy should be is not
# taken for one either.
. "$(dirname "$0")/../lib.sh"

for p in applypatch bsdiff; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built"; done
tmp=$(make_tmpdir)
root=$tmp/root
mkdir -p "$root/cache" "$root/system"
sha() { sha1sum < "$1" | cut -c1-40; }
AP=$BIN/applypatch
export RECOVERY_ROOT=$root

seq 1 200000 > "$tmp/old"
{ seq 1 100000; echo changed; seq 100001 210000; } > "$tmp/new"
"$BIN/bsdiff" "$tmp/old" "$tmp/new" "$root/cache/p" || fail bsdiff
O=$(sha "$tmp/old"); N=$(sha "$tmp/new"); NS=$(stat -c %s "$tmp/new")
echo precious > "$tmp/victim-saved"
echo precious > "$tmp/victim-temp"

# 1. /cache/saved.file is a symlink while a file is patched in place.
cp "$tmp/old" "$root/system/f"
ln -s "$tmp/victim-saved" "$root/cache/saved.file"
"$AP" /system/f - "$N" "$NS" "$O:/cache/p" 2>"$tmp/err" || fail "in place with a planted saved.file: $(cat "$tmp/err")"
[ "$(cat "$tmp/victim-saved")" = precious ] || fail "the source was saved through the symlink /cache/saved.file"
cmp -s "$root/system/f" "$tmp/new" || fail "in place: wrong result"
[ ! -e "$root/cache/saved.file" ] && [ ! -L "$root/cache/saved.file" ] || fail "saved copy (or the symlink) left behind"
ok "a symlink at /cache/saved.file is replaced, not written through"

# 2. TARGET.patch is a symlink.
cp "$tmp/old" "$root/system/f"
ln -s "$tmp/victim-temp" "$root/system/g.patch"
"$AP" /system/f /system/g "$N" "$NS" "$O:/cache/p" 2>"$tmp/err" || fail "with a planted g.patch: $(cat "$tmp/err")"
[ "$(cat "$tmp/victim-temp")" = precious ] || fail "the result was written through the symlink /system/g.patch"
[ -f "$root/system/g" ] && [ ! -L "$root/system/g" ] || fail "the target is not a regular file"
cmp -s "$root/system/g" "$tmp/new" || fail "new file: wrong result"
ok "a symlink at TARGET.patch is replaced, not written through"

# 3. a symlink where the saved copy would be is no saved copy: it names a
# file with the old contents, but applypatch must not read through it.
cp "$tmp/new" "$root/system/f"
echo "damaged" > "$root/system/f"
ln -s "$tmp/old" "$root/cache/saved.file"
rc=0; "$AP" /system/f - "$N" "$NS" "$O:/cache/p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "a symlink taken for the saved copy: exit $rc"
grep -q "saved.file" "$tmp/err" || fail "the saved copy is not named: $(cat "$tmp/err")"
[ "$(cat "$root/system/f")" = damaged ] || fail "the file was changed from the symlinked copy"
ok "a symlink is not taken for the saved copy: $(cat "$tmp/err")"
