# Shell functions shared by the scripts that drive a running `shanting serve`
# (bench/emergency_platform.sh, bench/subsidy_api.sh, tests/browser/run.sh).
# Source it: `. bench/lib.sh`; it defines functions and runs nothing.

# serve_fresh BIN DB_FILE [SERVE_ARGS…]: start `BIN serve SERVE_ARGS…` on a
# free loopback port over a fresh SQLite file DB_FILE in a new temporary
# folder, and wait until it answers /healthz (two minutes at most); if it dies
# first, print its log and exit 1. Sets `port`, `pid` and `tmp` (the folder,
# which holds serve.log); on exit the server is stopped and the folder removed.
# Variables assigned before the call reach the server (`RUST_LOG=warn serve_fresh …`).
serve_fresh() {
  local bin=$1 db=$2
  shift 2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  tmp=$(mktemp -d)
  "$bin" serve "$@" --db "sqlite://$tmp/$db" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 $pid 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
    sleep 0.2
  done
}
