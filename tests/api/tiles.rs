//! Vector tiles at /tiles: a decoded tile holds exactly the features its extent holds, a write
//! makes the cached tile show the change, confidential records stay out of public tiles, the
//! TileJSON document has the bounds of the data, and bad addresses are problems naming the
//! parameter.

use std::collections::BTreeSet;

use diming::domain::tile::{BUFFER, EXTENT, TileAddress, tile_at};
use geozero::ToGeo;
use geozero::mvt::{Message, Tile};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with, xitang};

fn at(name: &str, lon: f64, lat: f64) -> Value {
    let mut feature = xitang(name);
    feature["geometry"]["coordinates"] = json!([lon, lat]);
    feature
}

fn path(collection: &str, tile: TileAddress) -> String {
    format!("/tiles/{collection}/{}/{}/{}.mvt", tile.z, tile.x, tile.y)
}

/// The tile's bytes (empty for 204), its status and ETag.
async fn fetch(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    if_none_match: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = if_none_match {
        request = request.header("If-None-Match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.mapbox-vector-tile"
        );
    }
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    (status, etag, response.bytes().await.unwrap().to_vec())
}

/// Feature id → standard_name of the tile's one layer `layer`.
fn names(bytes: &[u8], layer: &str) -> Vec<(u64, String)> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let tile = Tile::decode(bytes).unwrap();
    assert_eq!(tile.layers.len(), 1);
    let layer_data = &tile.layers[0];
    assert_eq!(layer_data.name, layer);
    assert_eq!(layer_data.extent, Some(EXTENT));
    let key = layer_data
        .keys
        .iter()
        .position(|k| k == "standard_name")
        .unwrap() as u32;
    layer_data
        .features
        .iter()
        .map(|f| {
            let value = f
                .tags
                .chunks(2)
                .find(|pair| pair[0] == key)
                .map(|pair| layer_data.values[pair[1] as usize].string_value.clone())
                .unwrap()
                .unwrap();
            (f.id.unwrap(), value)
        })
        .collect()
}

fn ids(bytes: &[u8], layer: &str) -> BTreeSet<i64> {
    names(bytes, layer)
        .into_iter()
        .map(|(id, _)| id as i64)
        .collect()
}

#[tokio::test]
async fn a_decoded_tile_holds_exactly_the_features_of_its_extent() {
    // Arrange: places inside a zoom-12 tile, in its buffer, just beyond it, and far away.
    let app = spawn_app().await;
    let tile = tile_at(12, 120.89, 30.94);
    let [west, south, east, north] = tile.lon_lat_bounds(0);
    let (w, h) = (east - west, north - south);
    let mut created = Vec::new();
    for (n, (fx, fy)) in [
        (0.5, 0.5),
        (0.1, 0.9),
        (0.9, 0.2),
        (1.03, 0.5),  // in the buffer (256/4096 = 6.25 % of the side)
        (-0.04, 0.1), // in the buffer
        (1.2, 0.5),   // beyond it
        (0.5, -0.3),  // beyond it
        (30.0, 30.0), // far away
    ]
    .into_iter()
    .enumerate()
    {
        let (id, _) = app
            .created_place(
                "jiashan",
                &at(&format!("村{n}"), west + fx * w, south + fy * h),
            )
            .await;
        created.push(id);
    }

    // Act
    let (status, _, bytes) = fetch(&app, &path("places", tile), None, None).await;

    // Assert: the same records as a bbox query of the tile and its buffer.
    assert_eq!(status, StatusCode::OK);
    let [bw, bs, be, bn] = tile.lon_lat_bounds(BUFFER);
    let (_, items) = app
        .get_json(
            &format!("/ogc/collections/places/items?bbox={bw},{bs},{be},{bn}&limit=1000"),
            None,
        )
        .await;
    let expected: BTreeSet<i64> = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(expected, created[..5].iter().copied().collect());
    assert_eq!(ids(&bytes, "places"), expected);
    // Each point lies where it should in tile units: the first in the middle.
    let decoded = Tile::decode(bytes.as_slice()).unwrap();
    let middle = decoded.layers[0]
        .features
        .iter()
        .find(|f| f.id == Some(created[0] as u64))
        .unwrap();
    let geo::Geometry::Point(point) = middle.to_geo().unwrap() else {
        panic!("a point");
    };
    assert!((point.x() - 2048.0).abs() <= 2.0 && (point.y() - 2048.0).abs() <= 2.0);
    assert!(names(&bytes, "places").contains(&(created[0] as u64, "村0".to_string())));

    // The OGC API - Tiles path answers the same tile (row before column).
    let ogc = format!(
        "/ogc/collections/places/tiles/WebMercatorQuad/{}/{}/{}",
        tile.z, tile.y, tile.x
    );
    let (status, _, same) = fetch(&app, &ogc, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same, bytes);
}

#[tokio::test]
async fn a_write_makes_the_cached_tile_show_the_new_name() {
    let app = spawn_app().await;
    let feature = at("旧名村", 120.89, 30.94);
    let (id, etag) = app.created_place("jiashan", &feature).await;
    let tile = tile_at(14, 120.89, 30.94);
    let (_, tag, bytes) = fetch(&app, &path("places", tile), None, None).await;
    assert_eq!(names(&bytes, "places"), [(id as u64, "旧名村".to_string())]);
    // Unchanged: 304 from the cache.
    let tag = tag.unwrap();
    let (status, _, _) = fetch(&app, &path("places", tile), None, Some(&tag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);

    let token = app.token("jiashan").await;
    let mut renamed = at("新名村", 120.89, 30.94);
    renamed["change"] = json!({ "comment": "更名" });
    let response = app
        .update_place(Some(&token), id, Some(&etag), &renamed)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );

    let (status, new_tag, bytes) = fetch(&app, &path("places", tile), None, Some(&tag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(new_tag.unwrap(), tag);
    assert_eq!(names(&bytes, "places"), [(id as u64, "新名村".to_string())]);
}

#[tokio::test]
async fn a_confidential_record_never_appears_in_a_public_tile() {
    let app = spawn_app().await;
    let mut secret = at("机密点", 120.89, 30.94);
    secret["properties"]["classification"] = json!("confidential");
    let (hidden, _) = app.created_place("jiashan", &secret).await;
    let (open, _) = app
        .created_place("jiashan", &at("公开村", 120.891, 30.941))
        .await;
    let tile = tile_at(12, 120.89, 30.94);
    // Staff first, so that a staff tile is in the cache when the public asks.
    let token = app.token("reviewer").await;
    let (_, _, staff) = fetch(&app, &path("places", tile), Some(&token), None).await;
    assert_eq!(ids(&staff, "places"), [hidden, open].into());

    for collection in ["places", "places-24"] {
        let (status, _, public) = fetch(&app, &path(collection, tile), None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ids(&public, collection), [open].into(), "{collection}");
    }
    // Its bounds do not show where it is either.
    let (_, document) = app.get_json("/tiles/places/tiles.json", None).await;
    assert_eq!(
        document["bounds"],
        json!([120.891, 30.941, 120.891, 30.941])
    );
}

#[tokio::test]
async fn tile_json_names_the_tiles_and_the_bounds_of_the_data() {
    let app = spawn_app().await;
    app.created_place("jiashan", &at("西村", 120.80, 30.90))
        .await;
    app.created_place("jiashan", &at("东村", 120.95, 30.99))
        .await;
    let (status, document) = app.get_json("/tiles/places/tiles.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["tilejson"], "3.0.0");
    assert_eq!(document["bounds"], json!([120.80, 30.90, 120.95, 30.99]));
    assert_eq!(document["minzoom"], 0);
    assert_eq!(document["maxzoom"], 18);
    let template = document["tiles"][0].as_str().unwrap();
    assert!(
        template.ends_with("/tiles/places/{z}/{x}/{y}.mvt"),
        "{template}"
    );
    assert_eq!(document["vector_layers"][0]["id"], "places");
    assert_eq!(
        document["vector_layers"][0]["fields"]["standard_name"],
        "String"
    );
}

#[tokio::test]
async fn a_tile_with_no_feature_is_no_content() {
    let app = spawn_app().await;
    let (status, etag, bytes) = fetch(&app, "/tiles/places/3/0/0.mvt", None, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(etag.is_some() && bytes.is_empty());
}

#[tokio::test]
async fn bad_tile_addresses_are_problems_naming_the_parameter() {
    // Nothing is cached: each request is the first of a fresh service.
    let app = spawn_app().await;
    for (path, status, field) in [
        ("/tiles/places/19/0/0.mvt", StatusCode::BAD_REQUEST, "z"),
        ("/tiles/places/abc/0/0.mvt", StatusCode::BAD_REQUEST, "z"),
        ("/tiles/places/2/4/0.mvt", StatusCode::BAD_REQUEST, "x"),
        ("/tiles/places/2/0/-1.mvt", StatusCode::BAD_REQUEST, "y"),
        ("/tiles/places/12/4096/0.mvt", StatusCode::BAD_REQUEST, "x"),
        (
            "/tiles/roads/2/0/0.mvt",
            StatusCode::NOT_FOUND,
            "collection",
        ),
        (
            "/tiles/roads/tiles.json",
            StatusCode::NOT_FOUND,
            "collection",
        ),
        (
            "/ogc/collections/places/tiles/WebMercatorQuad/3/8/0",
            StatusCode::BAD_REQUEST,
            "y",
        ),
    ] {
        assert_problem(app.get(path).await, status, Some(field)).await;
    }
    // Boundary markers are for staff.
    assert_problem(
        app.get("/tiles/markers/2/0/0.mvt").await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
}

/// The MVT ids of a tile's features (any layer).
fn feature_ids(bytes: &[u8]) -> BTreeSet<u64> {
    if bytes.is_empty() {
        return BTreeSet::new();
    }
    let tile = Tile::decode(bytes).unwrap();
    tile.layers
        .iter()
        .flat_map(|l| l.features.iter().filter_map(|f| f.id))
        .collect()
}

#[tokio::test]
async fn signs_and_divisions_tiles_hold_what_their_items_show() {
    let app = spawn_app_with(|settings| settings.demo = true).await;
    // A public sign, and the tile around it.
    let (_, signs) = app
        .get_json("/ogc/collections/signs/items?limit=1", None)
        .await;
    let position = &signs["features"][0]["geometry"]["coordinates"];
    let (lon, lat) = (position[0].as_f64().unwrap(), position[1].as_f64().unwrap());
    for (collection, z) in [("signs", 13), ("divisions", 9)] {
        let tile = tile_at(z, lon, lat);
        let (status, _, bytes) = fetch(&app, &path(collection, tile), None, None).await;
        assert_eq!(status, StatusCode::OK, "{collection}");
        let [w, s, e, n] = tile.lon_lat_bounds(BUFFER);
        let (_, items) = app
            .get_json(
                &format!("/ogc/collections/{collection}/items?bbox={w},{s},{e},{n}&limit=10000"),
                None,
            )
            .await;
        let expected: BTreeSet<u64> = items["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !f["geometry"].is_null())
            .map(|f| match &f["id"] {
                Value::String(code) => code.parse().unwrap(),
                id => id.as_u64().unwrap(),
            })
            .collect();
        assert!(!expected.is_empty(), "{collection}");
        assert_eq!(feature_ids(&bytes), expected, "{collection}");
    }
}
