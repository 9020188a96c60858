#!/usr/bin/env python3
"""Writes the corpus (bench/make_corpus.py) and the demo data in the forms the peers load, into
.cache/peers/: CSV for PostgreSQL's COPY (WKT geometries), the Redis protocol for GEOADD, the query
points for pgbench and wrk (the same points for both), and the Chinese autocomplete queries.

    python3 bench/load_peers.py        # called by bench/spatial_peers.sh
"""

import csv
import json
import random
from pathlib import Path

from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".cache" / "corpus"
OUT = ROOT / ".cache" / "peers"
HAN = lambda text: all("\u3400" <= c <= "\u9fff" for c in text)


def resp(*parts):
    encoded = [str(p).encode() for p in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    counties = json.loads((CORPUS / "counties.geojson").read_text())
    with open(OUT / "counties.csv", "w", newline="") as out:
        writer = csv.writer(out)
        for feature in counties["features"]:
            writer.writerow([feature["properties"]["code"], feature["properties"]["name"], shape(feature["geometry"]).wkt])
    with open(CORPUS / "names.csv") as names, open(OUT / "names.csv", "w", newline="") as out, \
            open(OUT / "names.resp", "wb") as redis:
        writer = csv.writer(out)
        for i, row in enumerate(csv.DictReader(names)):
            writer.writerow([i + 1, row["code"], row["name"], row["lon"], row["lat"]])
            redis.write(resp("GEOADD", "names", row["lon"], row["lat"], f"{row['code']}:{row['name']}"))
    with open(CORPUS / "points.csv") as points, open(OUT / "points.csv", "w", newline="") as out:
        writer = csv.writer(out)
        for i, row in enumerate(csv.DictReader(points)):
            writer.writerow([i + 1, row["lon"], row["lat"]])
    # The demo's county polygons and points inside 嘉兴市, for the HTTP comparison: the service
    # answers them from its demo database, PostGIS from the same polygons.
    demo = json.loads((ROOT / "data" / "places.geojson").read_text())
    areas = [f for f in demo["features"] if f["properties"]["category"] == "213" and f["geometry"]["type"].endswith("Polygon")]
    with open(OUT / "demo_counties.csv", "w", newline="") as out:
        writer = csv.writer(out)
        for feature in areas:
            writer.writerow([feature["properties"]["division_codes"][0], shape(feature["geometry"]).wkt])
    shapes = [shape(f["geometry"]) for f in areas]
    min_x = min(s.bounds[0] for s in shapes); min_y = min(s.bounds[1] for s in shapes)
    max_x = max(s.bounds[2] for s in shapes); max_y = max(s.bounds[3] for s in shapes)
    generator = random.Random(2026)
    with open(OUT / "demo_points.csv", "w", newline="") as out, open(OUT / "demo_points.lua", "w") as lua:
        writer = csv.writer(out)
        lua.write("points = {\n")
        for i in range(10_000):
            x = round(generator.uniform(min_x, max_x), 6)
            y = round(generator.uniform(min_y, max_y), 6)
            writer.writerow([i + 1, x, y])
            lua.write(f'  "lon={x}&lat={y}",\n')
        lua.write("}\n")
    queries = (CORPUS / "autocomplete-queries.txt").read_text().split("\n")
    with open(OUT / "queries.csv", "w", newline="") as out:
        writer = csv.writer(out)
        for i, query in enumerate(q for q in queries if q and HAN(q)):
            writer.writerow([i + 1, query])


if __name__ == "__main__":
    main()
