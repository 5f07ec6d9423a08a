#!/usr/bin/env bash
# Run the browser tests against `shanting serve --demo` on a free loopback port
# with a fresh embedded database. Usage: tests/browser/run.sh [path/to/shanting]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-"$here/../../target/debug/shanting"}
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
"$bin" serve --demo --db "sqlite://$tmp/browser.db" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.2
done
cd "$here"
BASE_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 tests/ || { echo "--- server log ---"; tail -50 "$tmp/serve.log"; exit 1; }
