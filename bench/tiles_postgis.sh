#!/usr/bin/env bash
# The densest zoom-10 vector tile of the China corpus (bench/make_corpus.py: county polygons and
# ~660k township and village points), uncached, against PostGIS ST_AsMVT serving the same
# records (issue 15: target >= 2x):
#   - the service: `cargo bench --bench tiles` (app::tiles::tile with its cache emptied before
#     each call: R-tree query, projection, clipping, simplification, encoding);
#   - PostGIS: one table of the same records, geometry stored in Web Mercator with a GiST index
#     (as tile servers over PostGIS advise), ST_AsMVTGeom with the same extent (4096) and buffer
#     (256) and ST_AsMVT with the same properties, timed by pgbench on one connection.
# PostgreSQL is the local server (127.0.0.1:5432, database test); the schema diming_tiles is
# replaced. PROFILE=dev runs the service's side without a release build (slower, say so).
#
#   bash bench/tiles_postgis.sh [transactions]
set -euo pipefail
cd "$(dirname "$0")/.."
transactions=${1:-50}
profile=${PROFILE:-release}
bash .ci/setup psql:postgresql-client pgbench:postgresql-client \
  /usr/share/postgresql/15/extension/postgis.control:postgresql-15-postgis-3
python3 -c 'import shapely, numpy' 2>/dev/null || pip install -q shapely numpy
[ -f .cache/corpus/counties.geojson ] || python3 bench/make_corpus.py

work=$(mktemp -d)
echo "== the service (cargo bench --profile $profile --bench tiles)"
cargo bench --profile "$profile" --bench tiles -- --noplot >"$work/service.log" 2>&1
grep -E "^(corpus|densest|RESULT)" "$work/service.log"
result() { grep "^RESULT $1 " "$work/service.log" | awk '{print $3}'; }
tile=$(result tile)
IFS=/ read -r z x y <<<"$tile"

echo "== PostGIS: loading the same records"
[ -f .cache/peers/names.csv ] || python3 bench/load_peers.py
export PGHOST=127.0.0.1 PGDATABASE=test PGUSER=${PGUSER:-postgres}
peers=$PWD/.cache/peers
psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION IF NOT EXISTS postgis;
DROP SCHEMA IF EXISTS diming_tiles CASCADE;
CREATE SCHEMA diming_tiles;
SET search_path = diming_tiles, public;
CREATE TABLE counties (code text, name text, wkt text);
\copy counties FROM '$peers/counties.csv' CSV
CREATE TABLE names (id int, code text, name text, lon float8, lat float8);
\copy names FROM '$peers/names.csv' CSV
-- Numbered as the service's benchmark numbers them: counties first, then the names.
CREATE TABLE places (id bigint PRIMARY KEY, standard_name text, category text, division_code text,
                     geom geometry(Geometry, 3857));
INSERT INTO places
  SELECT row_number() OVER (), name, '213', code, ST_Transform(ST_GeomFromText(wkt, 4326), 3857)
  FROM counties;
INSERT INTO places
  SELECT n.id + (SELECT count(*) FROM counties), n.name,
         CASE WHEN length(n.code) = 9 THEN '214' ELSE '22' END, n.code,
         ST_Transform(ST_SetSRID(ST_MakePoint(n.lon, n.lat), 4326), 3857)
  FROM names n;
CREATE INDEX ON places USING gist (geom);
VACUUM ANALYZE places;
SQL
cat >"$work/tile.sql" <<SQL
WITH bounds AS (SELECT ST_TileEnvelope($z, $x, $y) AS tile,
                       ST_TileEnvelope($z, $x, $y, margin => 256.0 / 4096) AS buffered),
features AS (
  SELECT p.id, p.standard_name, p.category, p.division_code, 'current' AS status,
         ST_AsMVTGeom(p.geom, bounds.tile, 4096, 256, true) AS geom
  FROM diming_tiles.places p, bounds
  WHERE p.geom && bounds.buffered)
SELECT length(ST_AsMVT(features.*, 'places', 4096, 'geom', 'id')) FROM features;
SQL
echo "PostGIS tile $tile: $(psql -Atf "$work/tile.sql") bytes"
pgbench -n -c 1 -t "$transactions" -f "$work/tile.sql" >"$work/pgbench.log" 2>&1
postgis_ms=$(awk '/latency average/ {print $4}' "$work/pgbench.log")
service_ms=$(result tile_uncached_ms)
echo
echo "| densest zoom-10 tile $tile, uncached | ms |"
echo "| --- | --- |"
echo "| the service ($profile profile) | $service_ms |"
echo "| PostGIS ST_AsMVT (pgbench, 1 client) | $postgis_ms |"
echo "ratio PostGIS / service: $(awk -v a="$postgis_ms" -v b="$service_ms" 'BEGIN { printf "%.2f", a / b }')x (target >= 2x)"
