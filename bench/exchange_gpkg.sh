#!/usr/bin/env bash
# Importing N place records from a GeoPackage: `diming import places` (every row checked as an
# API write, all rows in one transaction) against GDAL's `ogr2ogr -f GPKG` copying the same file
# into a new GeoPackage (no checks), measured in the same run. Prints both times and the ratio.
#
#     cargo build && bench/exchange_gpkg.sh 10000        # DIMING_BIN=target/release/diming for release
#
# The input: N synthetic villages of 西塘镇 (names from a few common characters, points spread over
# the town) written as CSV and turned into a GeoPackage by ogr2ogr itself (layer places, EPSG:4490),
# imported into a fresh register that knows the divisions of the path 浙江省 › 嘉兴市 › 嘉善县 › 西塘镇.
set -euo pipefail
N=${1:-10000}
BIN=${DIMING_BIN:-${CARGO_TARGET_DIR:-target}/debug/diming}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/bench.sqlite"

mkdir "$work/divisions"
printf 'code,name\n33,浙江省\n' >"$work/divisions/provinces.csv"
printf 'code,name,provinceCode\n3304,嘉兴市,33\n' >"$work/divisions/cities.csv"
printf 'code,name,cityCode\n330421,嘉善县,3304\n' >"$work/divisions/areas.csv"
printf 'code,name,areaCode\n330421101,西塘镇,330421\n' >"$work/divisions/streets.csv"
printf 'code,name,streetCode\n' >"$work/divisions/villages.csv"
"$BIN" --database-url "$db" import divisions "$work/divisions" >/dev/null
echo "bench-password-1234" | "$BIN" --database-url "$db" user add --username bench --role admin --password-stdin >/dev/null

python3 - "$N" "$work/places.csv" <<'PY'
import csv, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
first, second = "东西南北新大小上下前后", "塘桥河湾浜港庄店埭圩"
rng = random.Random(42)
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["standard_name", "category", "division_codes", "romanization", "lon", "lat"])
    for i in range(n):
        name = rng.choice(first) + rng.choice(second) + "村"
        w.writerow([name, "居民点", "330421101", "", f"{120.85 + rng.random() * 0.08:.6f}", f"{30.90 + rng.random() * 0.08:.6f}"])
PY
ogr2ogr -f GPKG "$work/in.gpkg" "$work/places.csv" -nln places -a_srs EPSG:4490 \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO

start=$(date +%s.%N)
ogr2ogr -f GPKG "$work/peer.gpkg" "$work/in.gpkg" places
peer=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
"$BIN" --database-url "$db" import places "$work/in.gpkg" --user bench 2>${BENCH_STDERR:-/dev/null}
ours=$(echo "$(date +%s.%N) - $start" | bc)

count=$(ogrinfo -so "$work/peer.gpkg" places | sed -n 's/Feature Count: //p')
printf 'N=%s  ogr2ogr -f GPKG: %.2f s (%s features)  diming import places: %.2f s  ratio (ogr2ogr time / diming time): %.3f\n' \
  "$N" "$peer" "$count" "$ours" "$(echo "$peer / $ours" | bc -l)"
