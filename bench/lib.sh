# Shared by the bench scripts (sourced, not run).

# Starts the release binary on the demo data in a fresh database under $1 on port $2, the way
# every benchmark runs it (2 workers, no access log), sets diming_pid, and waits until it answers.
start_demo_service() {
  local work=$1 port=$2
  RUST_LOG=warn target/release/diming --database-url "sqlite://$work/bench.sqlite" serve --demo \
    --bind "127.0.0.1:$port" --cookie-secure false --workers 2 --access-log false >"$work/diming.log" 2>&1 &
  diming_pid=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && return 0
    sleep 0.5
  done
  echo "the service did not start; see $work/diming.log" >&2
  return 1
}
