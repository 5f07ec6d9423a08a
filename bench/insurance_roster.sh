#!/usr/bin/env bash
# 1,000,000 residents from `demo residents` through `insurance roster`, CSV to
# CSV (issue 4 figure: under 0.5 s wall, under 100 MiB peak memory).
#
#   bench/insurance_roster.sh [N] [OUTDIR]   # default N = 1000000, OUTDIR = $TMPDIR or /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
dir="${2:-${TMPDIR:-/tmp}}"
cargo build --release -p shanting --bin shanting >/dev/null
bin=target/release/shanting
in="$dir/residents_${n}.csv"
[ -s "$in" ] || "$bin" demo residents --count "$n" --seed 1 --out "$in"
echo "input: $in ($(du -h "$in" | cut -f1), $n residents); load: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { "$bin" insurance roster "$in" --year 2023 --as-of 2022-10-01 --out "$dir/roster_${n}.csv" >/dev/null; }
run # warm the page cache
/usr/bin/time -f "one run: wall %e s, user %U s, sys %S s, max RSS %M KiB" \
  "$bin" insurance roster "$in" --year 2023 --as-of 2022-10-01 --out "$dir/roster_${n}.csv" >/dev/null
# Ten more runs: the machine's two cores are shared, so report the spread.
for _ in $(seq 1 10); do
  s=$(date +%s.%N); run; e=$(date +%s.%N); echo "$e - $s" | bc
done | sort -n | awk '{ t[NR] = $1 } END { printf "10 runs: min %.3f s, median %.3f s, max %.3f s\n", t[1], (t[5] + t[6]) / 2, t[NR] }'
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 \
    "$bin insurance roster $in --year 2023 --as-of 2022-10-01 --out $dir/roster_${n}.csv"
fi
