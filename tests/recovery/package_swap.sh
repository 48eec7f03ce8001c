#!/bin/bash
# One verified snapshot: from the moment verification starts to the last
# byte the updater reads, every byte used is a byte that was verified --
# for a package with a v1 JAR signature, read in place with every entry
# checked against the signed manifest when it is used.  The attacks and the
# hooks that time them: tests/recovery/swap.bash.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/helpers.bash"
. "$(dirname "$0")/swap.bash"
need_loop
need_recovery_programs
command -v perl >/dev/null || skip "perl not installed"
swap_tests jar
