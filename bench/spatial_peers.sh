#!/usr/bin/env bash
# The spatial and search answers against their peers on this machine, printing every ratio of
# issue 3's table in one run:
#   point -> county chain, in-process, China corpus           target <= 1 us
#   reverse geocode over HTTP vs the trivial endpoint           target >= 80%
#   reverse geocode over HTTP vs PostGIS ST_Contains (pgbench)  target >= 3x   (same points, same concurrency)
#   10 nearest among ~617k names, in-process                    target <= 4 us
#     vs PostGIS <-> per query (pgbench, 1 client)              target >= 20x
#     vs Redis GEOSEARCH per query (redis-benchmark, 1 client)  target >= 2x
#   autocomplete over ~617k names, p99                          target <= 2 ms
#     vs PostgreSQL pg_trgm (LIKE '%q%' on a trigram index)     target >= 20x
#   start-up with the whole corpus                              target <= 15 s, <= 1.5 GB
#
# The China corpus (bench/make_corpus.py) feeds the in-process figures, PostGIS, pg_trgm and
# Redis. The HTTP comparison uses the demo data (嘉兴市) on both sides: the service answers from
# its demo database, PostGIS from the same county polygons, for the same 10,000 points.
# PostgreSQL is the local server (127.0.0.1:5432, database test; schema diming_bench is replaced).
#
#   bash bench/spatial_peers.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
connections=${2:-32}
bash .ci/setup wrk:wrk curl:curl redis-server:redis-server psql:postgresql-client pgbench:postgresql-client \
  /usr/share/postgresql/15/extension/postgis.control:postgresql-15-postgis-3
python3 -c 'import shapely, numpy' 2>/dev/null || pip install -q shapely numpy
[ -f .cache/corpus/counties.geojson ] || python3 bench/make_corpus.py

work=$(mktemp -d)
diming_port=18280
redis_port=18281
cleanup() {
  [ -n "${diming_pid:-}" ] && kill "$diming_pid" 2>/dev/null || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT
result() { grep "^RESULT $1 " "$work/inprocess.log" | awk '{print $3}'; }

echo "== in-process (cargo bench --bench spatial)"
cargo bench --bench spatial -- --noplot >"$work/inprocess.log" 2>&1
grep -E "^(corpus|name index|autocomplete|sanity)" "$work/inprocess.log"

echo "== peers: loading PostGIS, pg_trgm and Redis"
python3 bench/load_peers.py
export PGHOST=127.0.0.1 PGDATABASE=test
peers=$PWD/.cache/peers
psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP SCHEMA IF EXISTS diming_bench CASCADE;
CREATE SCHEMA diming_bench;
SET search_path = diming_bench, public;
CREATE TABLE counties (code text, name text, wkt text);
\copy counties FROM '$peers/counties.csv' CSV
ALTER TABLE counties ADD COLUMN geom geometry(Geometry, 4326);
UPDATE counties SET geom = ST_GeomFromText(wkt, 4326);
CREATE INDEX ON counties USING gist (geom);
CREATE TABLE names (id int PRIMARY KEY, code text, name text, lon float8, lat float8);
\copy names FROM '$peers/names.csv' CSV
ALTER TABLE names ADD COLUMN geom geometry(Point, 4326);
UPDATE names SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
CREATE INDEX ON names USING gist (geom);
CREATE INDEX ON names USING gin (name gin_trgm_ops);
CREATE TABLE qpoints (id int PRIMARY KEY, lon float8, lat float8);
\copy qpoints FROM '$peers/points.csv' CSV
ALTER TABLE qpoints ADD COLUMN geom geometry(Point, 4326);
UPDATE qpoints SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
CREATE TABLE demo_counties (code text, wkt text);
\copy demo_counties FROM '$peers/demo_counties.csv' CSV
ALTER TABLE demo_counties ADD COLUMN geom geometry(Geometry, 4326);
UPDATE demo_counties SET geom = ST_GeomFromText(wkt, 4326);
CREATE INDEX ON demo_counties USING gist (geom);
CREATE TABLE demo_points (id int PRIMARY KEY, lon float8, lat float8);
\copy demo_points FROM '$peers/demo_points.csv' CSV
ALTER TABLE demo_points ADD COLUMN geom geometry(Point, 4326);
UPDATE demo_points SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
CREATE TABLE queries (id int PRIMARY KEY, q text);
\copy queries FROM '$peers/queries.csv' CSV
VACUUM ANALYZE;
SQL
query_count=$(psql -Atc "SELECT count(*) FROM diming_bench.queries")

redis-server --port "$redis_port" --save '' --appendonly no --daemonize yes >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" --pipe <"$peers/names.resp" >/dev/null

pgbench_run() { # script clients -> "tps latency_ms"
  printf '%s\n' "$1" >"$work/script.sql"
  pgbench -n -f "$work/script.sql" -c "$2" -j 2 -T "$seconds" 2>/dev/null |
    awk '/^latency average/ {lat=$4} /^tps/ {tps=$3} END {print tps, lat}'
}
echo "== PostGIS and pg_trgm (pgbench, $seconds s each)"
read -r pg_contains_tps _ < <(pgbench_run '\set i random(1, 10000)
SELECT c.code FROM diming_bench.demo_counties c, diming_bench.demo_points p WHERE p.id = :i AND ST_Contains(c.geom, p.geom);' "$connections")
read -r _ pg_nearest_ms < <(pgbench_run '\set i random(1, 100000)
SELECT n.name FROM diming_bench.names n ORDER BY n.geom <-> (SELECT geom FROM diming_bench.qpoints WHERE id = :i) LIMIT 10;' 1)
read -r _ pg_trgm_ms < <(pgbench_run "\\set i random(1, $query_count)
SELECT n.name FROM diming_bench.names n WHERE n.name LIKE '%' || (SELECT q FROM diming_bench.queries WHERE id = :i) || '%' LIMIT 10;" 1)
# The trigram index's best case: queries of three characters or more (shorter ones cannot use it).
long_count=$(psql -Atc "SELECT count(*) FROM diming_bench.queries WHERE length(q) >= 3")
read -r _ pg_trgm3_ms < <(pgbench_run "\\set i random(1, $long_count)
SELECT n.name FROM diming_bench.names n WHERE n.name LIKE '%' || (SELECT q FROM (SELECT q, row_number() OVER (ORDER BY id) AS k FROM diming_bench.queries WHERE length(q) >= 3) s WHERE k = :i) || '%' LIMIT 10;" 1)

echo "== Redis GEOSEARCH (redis-benchmark, 1 client)"
redis_rps=$(redis-benchmark -p "$redis_port" -c 1 -n 50000 -q GEOSEARCH names FROMLONLAT 116.39 39.91 BYRADIUS 5 km ASC COUNT 10 |
  tr '\r' '\n' | awk '/requests per second/ {for (i = 1; i <= NF; i++) if ($(i+1) == "requests") print $i}' | tail -1)

echo "== HTTP (wrk -t2 -c$connections -d${seconds}s, the service with 2 workers on the demo data)"
cargo build --release --locked -q
start_demo_service "$work" "$diming_port"
rps() { awk '/^Requests\/sec/ {print $2}'; }
trivial_rps=$(wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$diming_port/api/v1/version" | rps)
reverse_rps=$(POINTS="$peers/demo_points.lua" wrk -t2 -c"$connections" -d"${seconds}s" -s bench/reverse.lua \
  "http://127.0.0.1:$diming_port" | rps)

chain_us=$(result chain_us)
nearest_us=$(result nearest_us)
p99_us=$(result autocomplete_p99_us)
p50_us=$(result autocomplete_p50_us)
build_s=$(awk -v a="$(result spatial_build_s)" -v b="$(result names_build_s)" 'BEGIN {print a + b}')
memory_mib=$(awk -v a="$(result spatial_memory_mib)" -v b="$(result names_memory_mib)" 'BEGIN {print a + b}')
python3 - "$chain_us" "$reverse_rps" "$trivial_rps" "$pg_contains_tps" "$nearest_us" "$pg_nearest_ms" \
  "$redis_rps" "$p50_us" "$p99_us" "$pg_trgm_ms" "$pg_trgm3_ms" "$build_s" "$memory_mib" <<'PY'
import sys
(chain, reverse, trivial, pg_contains, nearest, pg_nearest_ms, redis_rps, p50, p99, trgm_ms, trgm3_ms, build, memory) = map(float, sys.argv[1:])
rows = [
    ("point -> county chain, in-process", f"{chain:.2f} us", "", "", "<= 1 us"),
    ("reverse over HTTP vs trivial endpoint", f"{reverse:,.0f} req/s", f"{trivial:,.0f} req/s", f"{reverse / trivial:.2f}", ">= 0.80"),
    ("reverse over HTTP vs PostGIS ST_Contains", f"{reverse:,.0f} req/s", f"{pg_contains:,.0f} tps", f"{reverse / pg_contains:.2f}x", ">= 3x"),
    ("10 nearest, in-process", f"{nearest:.2f} us", "", "", "<= 4 us"),
    ("10 nearest vs PostGIS <->", f"{nearest:.2f} us", f"{pg_nearest_ms * 1000:.0f} us", f"{pg_nearest_ms * 1000 / nearest:.0f}x", ">= 20x"),
    ("10 nearest vs Redis GEOSEARCH", f"{nearest:.2f} us", f"{1e6 / redis_rps:.0f} us", f"{1e6 / redis_rps / nearest:.1f}x", ">= 2x"),
    ("autocomplete p99 (p50)", f"{p99 / 1000:.2f} ms ({p50:.0f} us)", "", "", "<= 2 ms"),
    ("autocomplete vs pg_trgm, all queries", f"{p50:.0f} us p50", f"{trgm_ms * 1000:.0f} us", f"{trgm_ms * 1000 / p50:.0f}x", ">= 20x"),
    ("autocomplete vs pg_trgm, 3+ characters", f"{p50:.0f} us p50", f"{trgm3_ms * 1000:.0f} us", f"{trgm3_ms * 1000 / p50:.0f}x", ">= 20x"),
    ("start-up with the whole corpus", f"{build:.1f} s, {memory:,.0f} MiB", "", "", "<= 15 s, <= 1536 MiB"),
]
print()
print(f"{'operation':44} {'diming':>22} {'peer':>14} {'ratio':>8}  target")
for name, ours, peer, ratio, target in rows:
    print(f"{name:44} {ours:>22} {peer:>14} {ratio:>8}  {target}")
PY
