#!/usr/bin/env bash
# A town's roster (~100,000 rows) as XLSX (issue 12 §8: under 2 s; the web
# export took ~4.3 s). In-process with criterion: roster::xlsx::write_rows
# against rust_xlsxwriter (the export before), and 100,000 residents through
# the CSV pipeline; then the CLI end to end, CSV in, XLSX out.
#
#   bench/roster_xlsx.sh [N] [OUTDIR]   # default N = 100000, OUTDIR = $TMPDIR or /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
dir="${2:-${TMPDIR:-/tmp}}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -p roster --bench roster -- --warm-up-time 1 --measurement-time 5 2>&1 | grep -E "^(xlsx|csv)/|time:"
cargo build --release -p shanting --bin shanting >/dev/null
bin=target/release/shanting
in="$dir/residents_${n}.csv"
[ -s "$in" ] || "$bin" demo residents --count "$n" --seed 1 --out "$in"
"$bin" insurance roster "$in" --year 2023 --as-of 2022-10-01 --out "$dir/roster_${n}.xlsx" >/dev/null # warm
/usr/bin/time -f "CLI, $n residents CSV -> roster XLSX: wall %e s, user %U s, sys %S s, max RSS %M KiB" \
  "$bin" insurance roster "$in" --year 2023 --as-of 2022-10-01 --out "$dir/roster_${n}.xlsx" >/dev/null
ls -l "$dir/roster_${n}.xlsx" | awk '{ printf "XLSX size: %.1f MB\n", $5 / 1e6 }'
