#!/usr/bin/env bash
# Time the README's test command (.ci/run) on clean clones of two revisions, side by side:
# BEFORE AFTER BEFORE AFTER ..., so that the machine's drift falls on both alike.
#   tools/time_test_command.sh BEFORE_REV AFTER_REV [ROUNDS]   (default 2 rounds)
# Prints one line per run (revision, wall seconds, pytest's last line) and the ratio of the
# means. Keep the machine otherwise idle while it runs.
set -euo pipefail
before=$1 after=$2 rounds=${3:-2}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
declare -A total=([$before]=0 [$after]=0)
for round in $(seq "$rounds"); do
  for rev in "$before" "$after"; do
    dir="$work/$rev-$round"
    git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$rev"
    start=$(date +%s.%N)
    (cd "$dir" && bash .ci/run > "$dir.log" 2>&1) || echo "$rev: the test command failed, see $dir.log"
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    total[$rev]=$(echo "${total[$rev]} + $seconds" | bc)
    echo "round $round $rev ${seconds%.*} s: $(tail -1 "$dir.log")"
    rm -rf "$dir"
  done
done
echo "mean $before $(echo "${total[$before]} / $rounds" | bc) s, $after $(echo "${total[$after]} / $rounds" | bc) s," \
  "after/before $(echo "scale=3; ${total[$after]} / ${total[$before]}" | bc)"
