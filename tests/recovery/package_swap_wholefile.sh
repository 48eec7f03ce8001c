#!/bin/bash
# The package-swap attacks of tests/recovery/swap.bash on packages signed
# as Android's release tools sign them: Debian's signapk -w, the whole-file
# signature only.  Recovery verifies and installs such a package from a
# sealed copy in memory, so renaming or rewriting the file in /cache after
# verification changes nothing: the verified bytes install every time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
. "$(dirname "$0")/swap.bash"
need_loop
need_recovery_programs
need_android_signapk
command -v perl >/dev/null || skip "perl not installed"
export SIGNER=android
swap_tests wholefile
