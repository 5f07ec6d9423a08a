#!/usr/bin/env bash
# Run the browser tests against `shanting serve --demo` on a free loopback port
# with a fresh embedded database. Usage: tests/browser/run.sh [path/to/shanting]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-"$here/../../target/debug/shanting"}
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)
. "$here/../../bench/lib.sh"
serve_fresh "$bin" browser.db --demo
cd "$here"
BASE_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 tests/ || { echo "--- server log ---"; tail -50 "$tmp/serve.log"; exit 1; }
