#!/usr/bin/env bash
# Emergency platform figures: GET /alerts/feed.atom throughput (wrk on
# loopback) and the delay from issuing a warning to its presence in the feed
# and at its CAP URL. Usage: bench/emergency_platform.sh [path/to/shanting]
# (build with `cargo build --release -p shanting`; needs wrk and python3).
set -euo pipefail
bin=${1:-target/release/shanting}
. "$(dirname "$0")/lib.sh"
RUST_LOG=warn serve_fresh "$bin" bench.db --demo
base="http://127.0.0.1:$port"
echo "== GET /alerts/feed.atom (wrk -t2 -c64 -d15s, after a 3 s warm-up)"
wrk -t2 -c64 -d3s "$base/alerts/feed.atom" >/dev/null
wrk -t2 -c64 -d15s --latency "$base/alerts/feed.atom"

echo "== issue → feed and CAP URL (10 warnings)"
BASE="$base" python3 - <<'PY'
import http.cookiejar, os, re, time, urllib.parse, urllib.request
base = os.environ["BASE"]

def session(user):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = op.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    op.open(base + "/login", urllib.parse.urlencode({"csrf": csrf, "username": user, "password": "shanting-demo", "next": "/"}).encode())
    home = op.open(base + "/").read().decode()
    return op, re.search(r'name="csrf" value="([^"]+)"', home).group(1)

em, ecsrf = session("emergency")
admin, acsrf = session("admin")
delays = []
for n in range(10):
    headline = f"基准测试预警{n}-{time.time_ns()}"
    form = [("csrf", ecsrf), ("headline", headline), ("incident_type", "气象灾害"), ("level", "4"),
            ("description", "基准测试"), ("instruction", "基准测试"), ("areas", "水泉镇")]
    r = em.open(base + "/emergency/warnings", urllib.parse.urlencode(form).encode())
    url = r.geturl()
    admin.open(url + "/approve", urllib.parse.urlencode({"csrf": acsrf}).encode())
    t0 = time.monotonic()
    admin.open(url + "/issue", urllib.parse.urlencode({"csrf": acsrf}).encode())
    wid = url.rsplit("/", 1)[1]
    cap = f"{base}/alerts/SHANTING-YJ-{wid}-1.xml"
    feed_ok = cap_ok = None
    while feed_ok is None or cap_ok is None:
        now = time.monotonic() - t0
        if now > 5:
            raise SystemExit(f"not published within 5 s: {headline}")
        if feed_ok is None and headline in urllib.request.urlopen(base + "/alerts/feed.atom").read().decode():
            feed_ok = time.monotonic() - t0
        if cap_ok is None:
            try:
                if urllib.request.urlopen(cap).status == 200:
                    cap_ok = time.monotonic() - t0
            except Exception:
                pass
        time.sleep(0.005)
    delays.append((feed_ok, cap_ok))
    admin.open(url + "/lift", urllib.parse.urlencode({"csrf": acsrf}).encode())
feed = sorted(d[0] for d in delays); capd = sorted(d[1] for d in delays)
print(f"feed:  median {feed[len(feed)//2]*1000:.0f} ms, max {feed[-1]*1000:.0f} ms (from the issue request's start; includes the request itself)")
print(f"CAP:   median {capd[len(capd)//2]*1000:.0f} ms, max {capd[-1]*1000:.0f} ms")
PY
