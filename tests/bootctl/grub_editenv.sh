#!/bin/bash
# The grub backend against GRUB's own grub-editenv, both ways: grub-editenv
# lists what bootctl wrote, bootctl reads what grub-editenv set, and the
# block stays a 1024-byte file GRUB can rewrite in place.
. "$(dirname "$0")/../lib.sh"
command -v grub-editenv >/dev/null || skip "grub-editenv not installed (grub-common)"
[ -x "$BIN/bootctl" ] || fail "bootctl not built"
d=$(make_tmpdir)
env=$d/grubenv
bc() { "$BIN/bootctl" --backend=grub --storage="$env" "$@"; }
var() { grub-editenv "$env" list | sed -n "s/^$1=//p"; }

# A block as grub-editenv makes it, with a variable of someone else's.
grub-editenv "$env" create
grub-editenv "$env" set saved_entry=1 ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
[ "$(bc get-number-slots)" = 2 ] || fail "two slots"
bc is-slot-bootable 0 || fail "A_OK=1 A_TRY=0 is bootable"
bc is-slot-bootable 1; [ $? = 1 ] || fail "B_OK=0 is not bootable (exit 1)"
[ "$(bc get-active-boot-slot)" = 0 ] || fail "ORDER=\"A B\": A is active"
ok "bootctl reads what grub-editenv set"

# set-active writes RAUC's set-primary: B_OK=1 B_TRY=0, B first in ORDER.
bc set-active-boot-slot 1 || fail "set-active-boot-slot 1"
[ "$(var ORDER)" = "B A" ] || fail "ORDER is $(var ORDER)"
[ "$(var B_OK)" = 1 ] && [ "$(var B_TRY)" = 0 ] || fail "B_OK/B_TRY: $(grub-editenv "$env" list)"
[ "$(var saved_entry)" = 1 ] || fail "another variable was lost"
[ "$(stat -c %s "$env")" = 1024 ] || fail "the block is not 1024 bytes"
[ "$(head -c 25 "$env")" = "# GRUB Environment Block" ] || fail "signature"
ok "grub-editenv lists what bootctl wrote"

# GRUB tries B (save_env B_TRY=1); without a mark-good the try is used up.
grub-editenv "$env" set B_TRY=1
out=$(BOOTCTL_CURRENT_SLOT=A bc status) || fail "status"
echo "$out" | grep -q "^rolled-back: yes" || fail "a used try of the active slot is a rollback: $out"
BOOTCTL_CURRENT_SLOT=B bc is-slot-bootable B || fail "the running slot in its try is bootable"
BOOTCTL_CURRENT_SLOT=B bc is-slot-marked-successful B; [ $? = 1 ] || fail "not yet successful"
# The booted system marks itself good: RAUC's mark-good plus our B_SUCCESSFUL.
BOOTCTL_CURRENT_SLOT=B bc mark-boot-successful || fail "mark-boot-successful"
[ "$(var B_OK)" = 1 ] && [ "$(var B_TRY)" = 0 ] && [ "$(var B_SUCCESSFUL)" = 1 ] ||
  fail "mark-good: $(grub-editenv "$env" list)"
bc is-slot-marked-successful 1 || fail "B is marked successful"
ok "a try, a rollback and a mark-good read and written both ways"

# set-slot-as-unbootable: RAUC's mark-bad.
bc set-slot-as-unbootable _a || fail "set-slot-as-unbootable"
[ "$(var A_OK)" = 0 ] && [ "$(var A_TRY)" = 0 ] || fail "mark-bad: $(grub-editenv "$env" list)"
[ -z "$(var A_SUCCESSFUL)" ] || fail "A_SUCCESSFUL stays after unbootable"
# grub-editenv can still change the block bootctl wrote (GRUB's save_env
# needs the same: a whole 1024-byte block), and bootctl reads it again.
grub-editenv "$env" set A_OK=1 || fail "grub-editenv set on bootctl's block"
bc is-slot-bootable 0 || fail "bootctl reads grub-editenv's change"
ok "mark-bad, and grub-editenv edits bootctl's block"

# A block too full for a change is refused, and left as it was: fill it to
# 10 bytes short of its end (the signature holds the only other '#').
used=$(( $(tr -d '#' < "$env" | wc -c) + 1 ))
grub-editenv "$env" set filler="$(head -c $((1024 - used - 8 - 10)) /dev/zero | tr '\0' x)"
cp "$env" "$d/before"
BOOTCTL_CURRENT_SLOT=A bc mark-boot-successful && fail "an overfull block was written"
cmp -s "$env" "$d/before" || fail "a refused change touched the block"
ok "a change that does not fit is refused and loses nothing"
