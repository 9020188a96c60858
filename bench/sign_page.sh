#!/usr/bin/env bash
# Speed of what a scan fetches, against nginx serving the very same bytes as static files, on
# this machine, with the same wrk settings, one after the other:
#   /s/<code>            the public sign page   (target: >= 50% of nginx's req/s)
#   /api/v1/.../qr.png   the cached QR PNG      (target: >= 85% of nginx's req/s)
# Both servers get 2 worker processes/threads and no access log (nginx access_log off, diming
# --access-log false). Prints the figures and ratios.
#
#   bash bench/sign_page.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
connections=${2:-32}
bash .ci/setup nginx:nginx wrk:wrk curl:curl
cargo build --release --locked -q
work=$(mktemp -d)
diming_port=18180
nginx_port=18181
cleanup() {
  [ -n "${diming_pid:-}" ] && kill "$diming_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

start_demo_service "$work" "$diming_port"

token=$(curl -fs -H 'content-type: application/json' -d '{"username":"admin","password":"diming-demo-2026"}' \
  "http://127.0.0.1:$diming_port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
read -r sign_id code < <(curl -fs -H "authorization: Bearer $token" \
  "http://127.0.0.1:$diming_port/api/v1/signs?kind=administrative_area&limit=1" |
  python3 -c 'import json,sys; s=json.load(sys.stdin)["signs"][0]["sign"]; print(s["id"], s["public_code"])')
page_url="http://127.0.0.1:$diming_port/s/$code"
qr_url="http://127.0.0.1:$diming_port/api/v1/signs/$sign_id/qr.png?size_mm=40&dpi=300"

mkdir -p "$work/static"
curl -fs -H 'accept-language: zh-CN' "$page_url" -o "$work/static/page.html"
curl -fs "$qr_url" -o "$work/static/qr.png"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; image/png png; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/static;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

rate() {
  wrk -t2 -c"$connections" -d"${seconds}s" -H 'accept-language: zh-CN' "$1" | awk '/Requests\/sec/ {print $2}'
}
# Warm both up so that caches are filled before measuring.
wrk -t1 -c4 -d1s "$page_url" >/dev/null
wrk -t1 -c4 -d1s "$qr_url" >/dev/null

# Rounds alternate between the two servers so that drift on the machine hits both alike; the
# medians are compared.
rounds=3
page_diming=(); page_nginx=(); qr_diming=(); qr_nginx=()
for _ in $(seq 1 $rounds); do
  page_diming+=("$(rate "$page_url")")
  page_nginx+=("$(rate "http://127.0.0.1:$nginx_port/page.html")")
  qr_diming+=("$(rate "$qr_url")")
  qr_nginx+=("$(rate "http://127.0.0.1:$nginx_port/qr.png")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "rounds (req/s): page diming ${page_diming[*]} / nginx ${page_nginx[*]}; QR diming ${qr_diming[*]} / nginx ${qr_nginx[*]}"
page_diming=$(median "${page_diming[@]}"); page_nginx=$(median "${page_nginx[@]}")
qr_diming=$(median "${qr_diming[@]}"); qr_nginx=$(median "${qr_nginx[@]}")

echo "wrk -t2 -c$connections -d${seconds}s, median of $rounds alternating rounds, on $(nproc) cores; page $(wc -c <"$work/static/page.html") bytes, QR PNG $(wc -c <"$work/static/qr.png") bytes"
printf '%-22s %12s %12s %8s %8s\n' "what" "diming req/s" "nginx req/s" "ratio" "target"
python3 - "$page_diming" "$page_nginx" "$qr_diming" "$qr_nginx" <<'PY'
import sys
page_d, page_n, qr_d, qr_n = map(float, sys.argv[1:])
for name, d, n, target in [("/s/<code> page", page_d, page_n, 0.50), ("cached QR PNG", qr_d, qr_n, 0.85)]:
    ratio = d / n
    print(f"{name:<22} {d:12.0f} {n:12.0f} {ratio:8.2f} {'>= %.2f' % target:>8} {'met' if ratio >= target else 'NOT met'}")
PY
