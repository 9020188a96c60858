#!/usr/bin/env bash
# Starts the service (release binary, 2 workers, no access log) on a fresh demo database on a free
# port and runs bench/load_and_fault.py against it: 60 s of scans, searches, edits, photo uploads
# and a hostile client; per route class requests, req/s, p50/p99 and 5xx (target: zero 5xx).
#
#   bash bench/load_and_fault.sh [seconds]
# DIMING_BIN overrides the binary (default target/release/diming).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=${DIMING_BIN:-target/release/diming}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${diming_pid:-}" ] && kill "$diming_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
RUST_LOG=warn "$bin" --database-url "sqlite://$work/bench.sqlite" serve --demo \
  --bind "127.0.0.1:$port" --cookie-secure false --workers 2 --access-log false >"$work/diming.log" 2>&1 &
diming_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null || { echo "the service did not start" >&2; cat "$work/diming.log" >&2; exit 1; }
timeout $((seconds + 120)) python3 bench/load_and_fault.py "$port" "$seconds"
kill -0 "$diming_pid" 2>/dev/null && echo "service still up after the run" || { echo "SERVICE DIED"; tail -30 "$work/diming.log"; }
if grep -qiE 'panic|ERROR' "$work/diming.log"; then echo "service log errors:"; grep -iE 'panic|ERROR' "$work/diming.log" | head -10; fi
