#!/usr/bin/env bash
# 100,000 applicants from one JSON file through `shanting subsidy assess`
# (issue 3 figure: under 1 s). Builds the release binary if needed.
#
#   bench/subsidy_100k.sh [N]        # default N = 100000
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
file="${TMPDIR:-/tmp}/subsidy_${n}.json"
[ -s "$file" ] || python3 bench/subsidy_gen.py "$n" "$file"
cargo build --release -p shanting --bin shanting >/dev/null
bin=target/release/shanting
echo "input: $file ($(du -h "$file" | cut -f1), $n applicants)"
"$bin" subsidy assess "$file" >/dev/null   # warm the page cache
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$bin" subsidy assess "$file" >/dev/null
  end=$(date +%s.%N)
  echo "run $i: $(echo "$end - $start" | bc) s"
done
"$bin" subsidy assess "$file" | head -c 300; echo
