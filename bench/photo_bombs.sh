#!/usr/bin/env bash
# PNG "bombs" (a 261-byte PNG whose IHDR declares 9000 x 9000 pixels): 32 in parallel to the
# anonymous report form POST /s/<code>/report, then 16 in parallel to the staff upload
# POST /api/v1/signs/<id>/photos, sampling the service's VmRSS every 50 ms. Prints the idle RSS,
# the peak, the difference (target < 300 MB) and the statuses (expected 413).
# Starts its own service (release binary, 2 workers, no access log, report limits raised to 1000/h)
# on a fresh demo database.
#
#   bash bench/photo_bombs.sh [reports] [staff]
# DIMING_BIN overrides the binary (default target/release/diming).
set -euo pipefail
cd "$(dirname "$0")/.."
reports=${1:-32}
staff=${2:-16}
bin=${DIMING_BIN:-target/release/diming}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${diming_pid:-}" ] && kill "$diming_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

RUST_LOG=warn "$bin" --database-url "sqlite://$work/bench.sqlite" serve --demo \
  --bind "127.0.0.1:$port" --cookie-secure false --workers 2 --access-log false \
  --reports-per-address-per-hour 1000 --reports-per-sign-per-hour 1000 >"$work/diming.log" 2>&1 &
diming_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null || { echo "the service did not start" >&2; cat "$work/diming.log" >&2; exit 1; }

base="http://127.0.0.1:$port"
token=$(curl -fs -H 'content-type: application/json' -d '{"username":"jiashan","password":"diming-demo-2026"}' \
  "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
read -r sign_id code < <(curl -fs -H "authorization: Bearer $token" "$base/api/v1/signs?division=330421&limit=1" |
  python3 -c 'import json,sys; s=json.load(sys.stdin)["signs"][0]["sign"]; print(s["id"], s["public_code"])')
python3 bench/make_png.py bomb "$work/bomb.png" 9000 9000
# Let the service settle after loading the demo, and touch the page once, before the idle figure.
curl -fs -o /dev/null "$base/s/$code"
sleep 2
python3 bench/photo_bombs.py "$port" "$diming_pid" "$code" "$sign_id" "$token" "$work/bomb.png" "$reports" "$staff"
