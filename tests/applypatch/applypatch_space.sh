#!/bin/bash
# Space: on small tmpfs filesystems, `applypatch -s` frees the cache the
# way Android's recovery does (expendable files only: never the saved copy,
# subfolders or open files), patching is refused before any write when
# there is no room, and a full system partition is patched in place by
# saving the source to the cache first (Android's fallback).
. "$(dirname "$0")/../lib.sh"

need_root
[ -x "$BIN/applypatch" ] && [ -x "$BIN/bsdiff" ] || fail "applypatch/bsdiff not built"
tmp=$(make_tmpdir)
root=$tmp/root
mkdir -p "$root/cache" "$root/system"
mount -t tmpfs -o size=8m tmpfs "$root/cache" || skip "cannot mount tmpfs"
on_exit "umount -l '$root/cache'"
mount -t tmpfs -o size=3m tmpfs "$root/system" || fail "mount tmpfs"
on_exit "umount -l '$root/system'"
export RECOVERY_ROOT=$root
AP=$BIN/applypatch

mkdir -p "$root/cache/recovery"
head -c 1M /dev/urandom > "$root/cache/recovery/last_log"
head -c 2M /dev/urandom > "$root/cache/old-junk"; touch -d '2001-01-01' "$root/cache/old-junk"
head -c 2M /dev/urandom > "$root/cache/new-junk"
head -c 2M /dev/urandom > "$root/cache/saved.file"
head -c 512K /dev/urandom > "$root/cache/package.zip"
exec 3< "$root/cache/package.zip" # held open, like a package being installed
on_exit "exec 3<&-"
free_kb() { df -k --output=avail "$1" | tail -1; }

need=$(( ($(free_kb "$root/cache") + 1024) * 1024 ))
"$AP" -s "$need" || fail "-s $need should succeed by deleting the oldest junk"
[ ! -e "$root/cache/old-junk" ] || fail "the oldest junk file was not deleted"
[ -e "$root/cache/new-junk" ] || fail "deleted more than needed"
ok "-s frees the oldest expendable file first, and only as much as needed"

rc=0; "$AP" -s $((64 * 1024 * 1024)) 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "-s 64M on an 8M cache: exit $rc"
[ -e "$root/cache/new-junk" ] || fail "new-junk deleted although that could not make enough room"
ok "an impossible -s deletes nothing: $(cat "$tmp/err")"
need=$(( ($(free_kb "$root/cache") + 1024) * 1024 ))
"$AP" -s "$need" || fail "-s $need should succeed by deleting new-junk"
for keep in saved.file package.zip recovery/last_log; do
  [ -e "$root/cache/$keep" ] || fail "$keep was deleted"
done
[ ! -e "$root/cache/new-junk" ] || fail "new-junk should be gone"
rc=0; "$AP" -s "$(( ($(free_kb "$root/cache") + 1024) * 1024 ))" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "nothing left to delete, yet -s succeeded"
for keep in saved.file package.zip recovery/last_log; do
  [ -e "$root/cache/$keep" ] || fail "$keep was deleted"
done
ok "-s never deletes the saved copy, open files or subfolders"
rm -f "$root/cache/saved.file"

# A full system partition: 1.2 MB source, 1.9 MB target, 3 MB filesystem.
head -c 1200K /dev/urandom > "$tmp/old"
{ cat "$tmp/old"; head -c 700K /dev/urandom; } > "$tmp/new"
"$BIN/bsdiff" "$tmp/old" "$tmp/new" "$root/cache/p" || fail bsdiff
O=$(sha1sum < "$tmp/old" | cut -c1-40); N=$(sha1sum < "$tmp/new" | cut -c1-40); NS=$(stat -c %s "$tmp/new")
cp "$tmp/old" "$root/system/app"
cp "$tmp/old" "$root/system/other"
# Not in place: no room, refused before writing anything.
rc=0; "$AP" /system/app /system/app2 "$N" "$NS" "$O:/cache/p" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "not enough space" "$tmp/err" || fail "no-room refusal: exit $rc $(cat "$tmp/err")"
[ ! -e "$root/system/app2" ] && [ ! -e "$root/system/app2.patch" ] || fail "something was written"
ok "no room: $(cat "$tmp/err")"
rm -f "$root/system/other"
# In place: fits once the source (saved in the cache) is gone.
"$AP" /system/app - "$N" "$NS" "$O:/cache/p" || fail "in-place patch on a full partition"
cmp -s "$root/system/app" "$tmp/new" || fail "wrong result"
[ ! -e "$root/cache/saved.file" ] || fail "saved copy left"
ok "full partition patched in place via the cache"
