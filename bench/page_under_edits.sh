#!/usr/bin/env bash
# The public sign page /s/<code> alone, then while 8 editors change place records of 嘉善县:
# throughput and p99 of the page (wrk -t2 -c32 --latency, 20 s each), the ratio (target >= 0.80),
# the p99 with editors (target <= 50 ms) and the editors' PUT statuses (target: zero 5xx).
# Starts its own service (release binary, 2 workers, no access log) on a fresh demo database.
#
#   bash bench/page_under_edits.sh [seconds] [editors] [pause]
# pause: seconds each editor waits after a save (default 0, as fast as answered; see edit_loop.py).
# DIMING_BIN overrides the binary (default target/release/diming).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
editors=${2:-8}
pause=${3:-0}
bin=${DIMING_BIN:-target/release/diming}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${diming_pid:-}" ] && kill "$diming_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

RUST_LOG=warn "$bin" --database-url "sqlite://$work/bench.sqlite" serve --demo \
  --bind "127.0.0.1:$port" --cookie-secure false --workers 2 --access-log false >"$work/diming.log" 2>&1 &
diming_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null || { echo "the service did not start" >&2; cat "$work/diming.log" >&2; exit 1; }

base="http://127.0.0.1:$port"
token=$(curl -fs -H 'content-type: application/json' -d '{"username":"jiashan","password":"diming-demo-2026"}' \
  "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
code=$(curl -fs -H "authorization: Bearer $token" "$base/api/v1/signs?division=330421&limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["signs"][0]["sign"]["public_code"])')
page="$base/s/$code"
curl -fs -o /dev/null "$page"

run_wrk() { wrk -t2 -c32 -d"${seconds}s" --latency -H 'accept-language: zh-CN' "$page" >"$work/$1.txt"; }
rps() { awk '/Requests\/sec/ {print $2}' "$work/$1.txt"; }
p99() { awk '$1 == "99%" {print $2}' "$work/$1.txt"; }
errs() { awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$work/$1.txt"; }

wrk -t1 -c4 -d1s "$page" >/dev/null   # warm up
run_wrk alone
python3 bench/edit_loop.py "$port" "$((seconds + 2))" "$editors" "$pause" >"$work/edits.json" 2>"$work/edits.err" &
editors_pid=$!
sleep 1
run_wrk edits
wait "$editors_pid"

echo "page /s/$code ($(curl -fs "$page" | wc -c) bytes), wrk -t2 -c32 -d${seconds}s, $editors editors pausing ${pause}s, $(nproc) cores"
printf '%-28s %10s %10s\n' "" "req/s" "p99"
printf '%-28s %10s %10s %s\n' "page alone" "$(rps alone)" "$(p99 alone)" "$(errs alone)"
printf '%-28s %10s %10s %s\n' "page with $editors editors" "$(rps edits)" "$(p99 edits)" "$(errs edits)"
python3 - "$(rps alone)" "$(rps edits)" "$(p99 edits)" "$work/edits.json" <<'PY'
import json, re, sys
alone, edits, p99, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
m = re.fullmatch(r"([\d.]+)(us|ms|s)", p99)
p99_ms = float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000}[m[2]]
ratio = edits / alone
e = json.load(open(path))
fivexx = sum(v for k, v in e["put_status"].items() if k.startswith("5") or k.startswith("error"))
print(f"ratio with/alone            {ratio:10.2f}   target >= 0.80  {'met' if ratio >= 0.80 else 'NOT met'}")
print(f"p99 with editors            {p99_ms:8.2f}ms   target <= 50 ms {'met' if p99_ms <= 50 else 'NOT met'}")
print(f"edits (PUT) by status       {e['put_status']}  (failed GETs {e['get_failures']}; PUT p50 {e['put_p50_ms']} ms, p99 {e['put_p99_ms']} ms)")
print(f"edits 5xx/errors            {fivexx:10d}   target 0        {'met' if fivexx == 0 else 'NOT met'}")
PY
[ -s "$work/edits.err" ] && { echo "editor stderr:"; head -20 "$work/edits.err"; }
true
