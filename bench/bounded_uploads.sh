#!/usr/bin/env bash
# Bounded uploads: peak memory (VmHWM) of a release `serve --demo` while
# 100 MB of junk is uploaded to /insurance/import, once as one line without
# a newline and once as random bytes, then a 300 MB upload over the 256 MiB
# limit, then the 1.5 KB XLSX bomb (A1 + XFD1048576). Figure to meet: peak
# RSS under 300 MiB (before: 1.8 GB for the 100 MB upload).
#
#   bench/bounded_uploads.sh [PORT]   # default 18093; work files in $TMPDIR or /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-18093}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/bounded.XXXXXX")"
cargo build --release -p shanting --bin shanting >/dev/null
bin="$PWD/target/release/shanting"
(cd "$dir" && exec "$bin" serve --demo --db "sqlite://$dir/shanting.db" --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.2; done
spid=$pid # the subshell execs the server
hwm() { awk '/VmHWM/ { printf "%d MiB", $2 / 1024 }' /proc/$spid/status; }
echo "after start: peak RSS $(hwm)"

# Log in as admin: the login form's token, then the session's token.
jar="$dir/cookies"
tok=$(curl -fs -c "$jar" "$url/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$tok" -d "username=admin&password=shanting-demo&next=/" "$url/login"
csrf=$(curl -fs -b "$jar" "$url/" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)

upload() { # FILE NAME → status, time, and the page's error line
  curl -s -b "$jar" -o "$dir/resp.html" -w "HTTP %{http_code} in %{time_total} s" -F "file=@$1;filename=$2" "$url/insurance/import?csrf=$csrf"
  echo " — $(grep -o '<p class="error"[^>]*>[^<]*' "$dir/resp.html" | head -1 | sed 's/<[^>]*>//' | cut -c 1-120)"
}
head -c 100000000 /dev/zero | tr '\0' 'x' >"$dir/oneline.csv"
echo "100 MB, one line:      $(upload "$dir/oneline.csv" residents.csv); peak RSS $(hwm)"
head -c 100000000 /dev/urandom >"$dir/random.csv"
echo "100 MB, random bytes:  $(upload "$dir/random.csv" residents.csv); peak RSS $(hwm)"
head -c 300000000 /dev/zero >"$dir/big.csv"
echo "300 MB (over 256 MiB): $(upload "$dir/big.csv" residents.csv); peak RSS $(hwm)"
python3 - "$dir/bomb.xlsx" <<'PY'
import sys, zipfile
ws = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id_number</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
wb = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("xl/workbook.xml", wb); z.writestr("xl/_rels/workbook.xml.rels", rels); z.writestr("xl/worksheets/sheet1.xml", ws)
PY
echo "XLSX bomb ($(stat -c %s "$dir/bomb.xlsx") bytes): $(upload "$dir/bomb.xlsx" residents.xlsx); peak RSS $(hwm)"
curl -fs "$url/healthz" >/dev/null && echo "server still answering"
