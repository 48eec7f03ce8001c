# Sourced by the updater's integration tests after tests/lib.sh.
#
# make_tmpdir and attach_loop register their cleanup with on_exit from
# inside a $(...) subshell, so the registration is lost when the subshell
# ends.  release_under undoes everything a test created under its temporary
# directory: mounts, loop devices whose image lives there, the directory.
release_under() {
  local dir=$1 dev
  grep -o " $dir/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for dev in $(losetup -n -O NAME,BACK-FILE --list 2>/dev/null |
               awk -v p="$dir" 'index($2, p "/") == 1 || index($2, p ".") == 1 {print $1}'); do
    losetup -d "$dev" 2>/dev/null
  done
  rm -rf "$dir" "$dir".*
}
