#!/usr/bin/env bash
# POST /api/v1/subsidy/assess, one applicant per request, measured with wrk on loopback.
# Usage: bench/subsidy_api.sh [path/to/release/shanting]   (needs Debian's wrk)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-"$here/../target/release/shanting"}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
. "$here/lib.sh"
SHANTING_LOG=warn serve_fresh "$bin" bench.db
# The public worked example of ecommerce.md (41,800,000 fen).
body='{"uscc":"91370406MA3C7K1020","name":"示例","year":2023,"registered_in_district":true,"statistically_included":true,"entered_on":"2022-03-01","net_tax_yuan":1200000,"online_retail_yuan":62000000,"online_retail_prev_yuan":51000000,"platform_fees":{"annual_transactions_yuan":62000000,"agreement_signed":true,"fees_paid_yuan":80000},"express":{"sells_and_ships_local":true,"parcels":260000,"online_sales_yuan":62000000}}'
curl -fsS -X POST -H 'content-type: application/json' --data "$body" "http://127.0.0.1:$port/api/v1/subsidy/assess" | grep -q '"total_fen":41800000'
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA
wrk -t2 -c${CONNECTIONS:-32} -d${DURATION:-10s} --latency -s "$tmp/post.lua" "http://127.0.0.1:$port/api/v1/subsidy/assess"
