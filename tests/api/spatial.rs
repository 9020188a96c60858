//! Reverse geocoding and nearest names on the real polygons of the demo data (嘉兴市).

use geo::{Distance, Geodesic, Point};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

fn chain(body: &Value) -> Vec<String> {
    body["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn points_in_two_neighbouring_counties_resolve_to_them() {
    let app = demo_app().await;
    // The old town of 西塘 (嘉善县) and the centre of 平湖市.
    let (status, xitang) = app
        .get_json("/api/v1/reverse?lon=120.8906&lat=30.9447", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(chain(&xitang), ["浙江省", "嘉兴市", "嘉善县"]);
    assert_eq!(xitang["divisions"][2]["code"], "330421");
    assert_eq!(xitang["divisions"][2]["level"], "county");
    let (_, pinghu) = app
        .get_json("/api/v1/reverse?lon=121.015&lat=30.697", None)
        .await;
    assert_eq!(chain(&pinghu), ["浙江省", "嘉兴市", "平湖市"]);
    assert!(
        !xitang["nearest"].as_array().unwrap().is_empty(),
        "named features near 西塘"
    );
}

#[tokio::test]
async fn a_point_in_the_sea_or_abroad_has_an_empty_chain() {
    let app = demo_app().await;
    for (lon, lat) in [(122.6, 30.4), (2.35, 48.85)] {
        let (status, body) = app
            .get_json(
                &format!("/api/v1/reverse?lon={lon}&lat={lat}&within_m=10000"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["divisions"].as_array().unwrap().is_empty(), "{body}");
    }
}

#[tokio::test]
async fn nearest_distances_agree_with_a_geodesic_reference() {
    let app = demo_app().await;
    let (lon, lat) = (120.95, 30.85);
    let (status, body) = app
        .get_json(
            &format!("/api/v1/places/nearest?lon={lon}&lat={lat}&k=5&category=214"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 5);
    let mut previous = 0.0;
    for feature in features {
        assert_eq!(feature["properties"]["category"], "214");
        let coordinates = &feature["geometry"]["coordinates"];
        let town = Point::new(
            coordinates[0].as_f64().unwrap(),
            coordinates[1].as_f64().unwrap(),
        );
        let reference = Geodesic.distance(Point::new(lon, lat), town);
        let distance = feature["distance_m"].as_f64().unwrap();
        assert!(
            (distance - reference).abs() <= reference * 0.001 + 0.1,
            "{distance} vs {reference}"
        );
        assert!(distance >= previous, "nearest first");
        previous = distance;
    }
    // A county polygon counts from its edge: a point inside it is 0 m away.
    let (_, county) = app
        .get_json(
            &format!("/api/v1/places/nearest?lon={lon}&lat={lat}&k=1&category=213"),
            None,
        )
        .await;
    assert_eq!(county["features"][0]["distance_m"], 0.0);
}

#[tokio::test]
async fn an_edit_is_found_at_once_and_a_retired_name_is_gone() {
    let app = demo_app().await;
    let login = app
        .login_response("jiashan", diming::demo::DEMO_PASSWORD)
        .await;
    let token = login.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let new_place = json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [120.9001, 30.9001] },
        "properties": { "standard_name": "新建桥", "category": "254", "division_codes": ["330421"] }
    });
    let created = app.create_place(Some(&token), &new_place).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let tag = created.headers()["etag"].to_str().unwrap().to_string();
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let nearest_name = |body: &Value| {
        body["features"][0]["properties"]["standard_name"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let (_, found) = app
        .get_json(
            "/api/v1/places/nearest?lon=120.9&lat=30.9&k=1&category=254",
            None,
        )
        .await;
    assert_eq!(nearest_name(&found), "新建桥");

    let mut renamed = new_place.clone();
    renamed["properties"]["standard_name"] = json!("长兴桥");
    renamed["change"] = json!({ "comment": "更名" });
    let updated = app
        .update_place(Some(&token), id, Some(&tag), &renamed)
        .await;
    let tag = updated.headers()["etag"].to_str().unwrap().to_string();
    let (_, found) = app
        .get_json(
            "/api/v1/places/nearest?lon=120.9&lat=30.9&k=1&category=254",
            None,
        )
        .await;
    assert_eq!(nearest_name(&found), "长兴桥");

    assert_eq!(
        app.retire(Some(&token), id, &tag, &json!({ "comment": "拆除" }))
            .await
            .status(),
        StatusCode::OK
    );
    let (_, found) = app
        .get_json(
            "/api/v1/places/nearest?lon=120.9&lat=30.9&k=1&category=254",
            None,
        )
        .await;
    assert_ne!(
        found["features"][0]["id"].as_i64(),
        Some(id),
        "a historical name is not offered as near"
    );
}

#[tokio::test]
async fn bad_points_and_limits_are_named() {
    let app = demo_app().await;
    for (query, field) in [
        ("lon=abc&lat=30", "lon"),
        ("lon=120&lat=95", "lat"),
        ("lat=30", "lon"),
        ("lon=120&lat=30&k=1000", "k"),
        ("lon=120&lat=30&k=0", "k"),
        ("lon=120&lat=30&within_m=-5", "within_m"),
        ("lon=120&lat=30&category=火星", "category"),
    ] {
        for path in ["/api/v1/reverse", "/api/v1/places/nearest"] {
            let response = app.get(&format!("{path}?{query}")).await;
            assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
        }
    }
}

#[tokio::test]
async fn a_point_may_be_given_in_a_survey_system() {
    let app = demo_app().await;
    let (_, zone) = app
        .get_json(
            "/api/v1/transform?from=EPSG:4490&to=EPSG:4528&x=120.8906&y=30.9447",
            None,
        )
        .await;
    let (x, y) = (zone["x"].as_f64().unwrap(), zone["y"].as_f64().unwrap());
    let (status, body) = app
        .get_json(&format!("/api/v1/reverse?crs=EPSG:4528&x={x}&y={y}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(chain(&body), ["浙江省", "嘉兴市", "嘉善县"]);
    assert!((body["point"][0].as_f64().unwrap() - 120.8906).abs() < 1e-9);
    // The same easting declared in the unprefixed zone does not fit it.
    let wrong = app
        .get(&format!("/api/v1/reverse?crs=EPSG:4549&x={x}&y={y}"))
        .await;
    assert_problem(wrong, StatusCode::BAD_REQUEST, Some("x")).await;
    let legacy = app
        .get(&format!("/api/v1/places/nearest?crs=EPSG:2416&x={x}&y={y}"))
        .await;
    assert_problem(legacy, StatusCode::BAD_REQUEST, Some("helmert")).await;
}
