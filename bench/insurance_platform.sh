#!/usr/bin/env bash
# Insurance in the platform, with 1,000,000 residents:
#  1. `shanting import residents` of a 1,000,000-row demo population into a
#     fresh SQLite file and into a fresh PostgreSQL database (target < 30 s each);
#  2. the town statistics page (GET /insurance/stats as an administrator, all
#     ten towns) over the SQLite database (target < 200 ms).
#
# Usage: bench/insurance_platform.sh [path/to/release/shanting]
# PostgreSQL: $PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the script creates and drops its own database. Skipped when psql is absent.
set -euo pipefail
bin=${1:-target/release/shanting}
n=${N:-1000000}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
tmp=$(mktemp -d)
trap 'kill ${pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$bin" demo residents --count "$n" --seed 1 --out "$tmp/residents.csv" >/dev/null
echo "residents: $n ($(du -h "$tmp/residents.csv" | cut -f1))"

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }

echo "import into SQLite: $(t "$bin" import residents "$tmp/residents.csv" --db "sqlite://$tmp/ins.db") s"
echo "re-import of the same file into SQLite (changes nothing): $(t "$bin" import residents "$tmp/residents.csv" --db "sqlite://$tmp/ins.db") s"

if command -v psql >/dev/null; then
  db="shanting_bench_$$"
  psql "$pg" -qc "CREATE DATABASE $db" >/dev/null
  url="${pg%/*}/$db"
  echo "import into PostgreSQL: $(t "$bin" import residents "$tmp/residents.csv" --db "$url") s"
  psql "$pg" -qc "DROP DATABASE $db" >/dev/null
fi

# The statistics page over the SQLite database with the demo accounts.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --demo --db "sqlite://$tmp/ins.db" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
jar="$tmp/jar"
curl -s -c "$jar" "http://127.0.0.1:$port/login" >/dev/null
csrf=$(awk '/shanting_login_csrf/ {print $7}' "$jar")
curl -s -b "$jar" -c "$jar" -d "username=admin&password=shanting-demo&csrf=$csrf" "http://127.0.0.1:$port/login" -o /dev/null
curl -s -b "$jar" "http://127.0.0.1:$port/insurance/stats" -o /dev/null
for i in 1 2 3 4 5; do
  curl -s -b "$jar" "http://127.0.0.1:$port/insurance/stats" -o /dev/null -w "stats page: %{time_total} s (HTTP %{http_code})\n"
done
