#!/bin/bash
# Interruption of block-based updates: the updater running an incremental
# package (version 4 list with stashes, imgdiff, bsdiff over its own
# source) or a full one (brotli new data) on a loop device is killed with
# SIGKILL at random moments, one to three times per round, then run again
# from the start; the last run must always end with the target image bit
# for bit and leave nothing in /cache/recovery.  Between kills nothing is
# reset: the stashes and /cache/recovery/last_command of the killed runs
# are what the next run resumes from (and the incremental script's
# block_image_verify must accept the half-updated partition).
# ROUNDS=N sets the rounds for the incremental (default 30; the full
# package gets a third as many).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cleanup.bash"
. "$(dirname "$0")/block_images.bash"
bi_require
ROUNDS=${ROUNDS:-30}

W=$(make_tmpdir)
on_exit "release_under '$W'"
ROOT=$W/root
bi_make_images "$W"
bi_make_incremental "$W"
cp "$W/inc.zip" "$W/incremental.zip"
bi_make_full "$W" br
bi_make_device "$ROOT" "$W"

now_ms() { date +%s%3N; }
rand_delay() { printf '0.%03d' $(( RANDOM % ($1 + 1) )); }

scenario() { # NAME PACKAGE START_IMAGE ROUNDS
  local name=$1 pkg=$2 start=$3 rounds=$4
  bi_reset_device "$start"
  local t0 t1 full
  t0=$(now_ms); bi_run_updater "$pkg" || { echo "$OUT"; fail "$name: the uninterrupted run failed"; }; t1=$(now_ms)
  cmp -s "$DEV" "$W/T.img" || fail "$name: the uninterrupted run did not reach the target"
  full=$(( t1 - t0 + 20 )); [ "$full" -gt 999 ] && full=999
  local round k kills pid rc mid=0 late=0 resumed=0 done_before=0 at=""
  for ((round = 1; round <= rounds; round++)); do
    bi_reset_device "$start"
    kills=$(( RANDOM % 3 + 1 ))
    for ((k = 0; k < kills; k++)); do
      RECOVERY_ROOT=$ROOT "$BIN/updater" 3 1 "$pkg" >/dev/null 2>&1 &
      pid=$!
      sleep "$(rand_delay "$full")"
      kill -9 "$pid" 2>/dev/null
      rc=0; { wait "$pid"; } 2>/dev/null || rc=$?
      case $rc in
        137) mid=$((mid + 1))
             if [ -e "$ROOT/cache/recovery/last_command" ]; then
               resumed=$((resumed + 1)); at="$at $(head -n1 "$ROOT/cache/recovery/last_command")"
             else at="$at -"; fi;;
        0) late=$((late + 1)); break;;  # it finished: nothing left to interrupt
        *) fail "$name round $round: the updater failed (exit $rc) before it was killed";;
      esac
    done
    bi_run_updater "$pkg" || { echo "$OUT"; fail "$name round $round: the run after $kills kill(s) failed"; }
    cmp -s "$DEV" "$W/T.img" || fail "$name round $round: the device is not the target image"
    if echo "$OUT" | grep -q "system already updated"; then
      # A killed run had finished the partition: the script's range_sha1
      # skips block_image_update, which would have cleaned up (as on
      # Android); the next update of this partition reuses or drops it.
      done_before=$((done_before + 1))
    elif [ -n "$(ls -A "$ROOT/cache/recovery")" ]; then
      ls -laR "$ROOT/cache/recovery"; echo "$OUT"
      fail "$name round $round: files left in /cache/recovery"
    fi
  done
  ok "$name: $rounds rounds, $mid kills mid-run ($resumed with progress recorded in last_command) and $late after the end (a run takes ~$((t1 - t0)) ms); every last run reached the target bit for bit ($done_before found it already done)"
  echo "  where the kills landed (last finished command, - for none):$(echo $at | tr ' ' '\n' | sort | uniq -c | awk '{printf " %s:%sx", $2, $1}')"
}

scenario "incremental" "$W/incremental.zip" "$W/S.img" "$ROUNDS"
zeros=$W/zeros.img; truncate -s 16M "$zeros"
scenario "full (brotli)" "$W/full.zip" "$zeros" $(( (ROUNDS + 2) / 3 ))
