//! Boundary markers over HTTP on the 嘉善县 | 平湖市 line of the demo data: entered in a
//! Gauss–Krüger zone and read back in another, a pair with its companion, reference objects,
//! inspections and photos by either side, segments of the line split at the markers, and every
//! kind of bad input refused with nothing stored.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, png_bytes, spawn_app_with};

const LINE: &str = "330421330482";

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| {
        settings.demo = true;
        settings.max_photo_bytes = 64 * 1024;
    })
    .await
}

/// Two vertices of the shared line, a third and two thirds of the way along its longest part.
async fn points_on_line(app: &TestApp, token: &str) -> [(f64, f64); 2] {
    let (_, line) = app
        .get_json("/api/v1/boundaries?between=330421,330482", Some(token))
        .await;
    let parts = line["geometry"]["coordinates"].as_array().unwrap();
    let longest = parts
        .iter()
        .max_by_key(|p| p.as_array().unwrap().len())
        .unwrap()
        .as_array()
        .unwrap();
    let at = |i: usize| {
        let p = &longest[i];
        (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
    };
    [at(longest.len() / 3), at(2 * longest.len() / 3)]
}

async fn to_zone(app: &TestApp, (lon, lat): (f64, f64), crs: &str) -> (f64, f64) {
    let (_, body) = app
        .get_json(
            &format!("/api/v1/transform?from=EPSG:4490&to={crs}&x={lon}&y={lat}"),
            None,
        )
        .await;
    (body["x"].as_f64().unwrap(), body["y"].as_f64().unwrap())
}

async fn post_marker(app: &TestApp, token: &str, query: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/markers{query}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn upload(
    app: &TestApp,
    token: &str,
    number: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> reqwest::Response {
    let form = Form::new().part(
        "photo",
        Part::bytes(bytes)
            .file_name("photo")
            .mime_str(mime)
            .unwrap(),
    );
    app.client
        .post(app.url(&format!("/api/v1/markers/{number}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_pair_of_markers_is_entered_in_one_zone_and_read_in_another_by_both_sides() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let jiashan = app.token("jiashan").await;
    let pinghu = app.token("pinghu").await;
    let [first, second] = points_on_line(&app, &admin).await;
    let (east, north) = to_zone(&app, first, "EPSG:4549").await;

    let a = json!({
        "marker_number": format!("{LINE}001A"), "x": east, "y": north, "material": "花岗岩",
        "installed_on": "2002-09-20",
        "references": [{ "name": "高压电杆 JS-117", "bearing_deg": 47.5, "distance_m": 23.6 },
                       { "name": "桥头石碑", "bearing_deg": 301.0, "distance_m": 58.2 }]
    });
    // Neither county's editor sets a marker on the shared line alone.
    assert_problem(
        post_marker(&app, &jiashan, "?crs=EPSG:4549", &a).await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    let created = post_marker(&app, &admin, "?crs=EPSG:4549", &a).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let (b_east, b_north) = to_zone(&app, (first.0 + 0.00002, first.1), "EPSG:4549").await;
    let b = json!({ "marker_number": format!("{LINE}001B"), "x": b_east, "y": b_north });
    assert_eq!(
        post_marker(&app, &admin, "?crs=EPSG:4549", &b)
            .await
            .status(),
        StatusCode::CREATED
    );
    let single = json!({ "marker_number": format!("{LINE}002Q"), "x": second.0, "y": second.1 });
    assert_eq!(
        post_marker(&app, &admin, "", &single).await.status(),
        StatusCode::CREATED
    );

    // Both sides read it; in the prefixed zone the easting gains the zone number, and the
    // surveyed values stay exactly as entered.
    for token in [&jiashan, &pinghu] {
        let (status, marker) = app
            .get_json(
                &format!("/api/v1/markers/{LINE}001A?crs=EPSG:4528"),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{marker}");
        assert!(
            (marker["position"]["x"].as_f64().unwrap() - (east + 40_000_000.0)).abs() < 0.001,
            "{marker}"
        );
        assert!((marker["position"]["y"].as_f64().unwrap() - north).abs() < 0.001);
        assert_eq!(marker["surveyed"]["crs"], "EPSG:4549");
        assert_eq!(marker["surveyed"]["x"].as_f64().unwrap(), east);
        assert_eq!(marker["group"], "pair");
        assert_eq!(
            marker["companions"],
            json!([{ "marker_number": format!("{LINE}001B"), "registered": true }])
        );
        assert_eq!(marker["references"][1]["name"], "桥头石碑");
        assert_eq!(marker["references"][0]["bearing_deg"], 47.5);
    }
    let (_, geographic) = app
        .get_json(&format!("/api/v1/markers/{LINE}001A"), Some(&admin))
        .await;
    assert!((geographic["position"]["x"].as_f64().unwrap() - first.0).abs() < 1e-8);

    // Inspections and photos from either side, kept in order.
    let inspect = |token: &str, day: &str, condition: &str| {
        app.client
            .post(app.url(&format!("/api/v1/markers/{LINE}001A/conditions")))
            .bearer_auth(token.to_string())
            .json(&json!({ "observed_on": day, "condition": condition, "notes": "联检" }))
            .send()
    };
    assert_eq!(
        inspect(&jiashan, "2025-10-12", "intact")
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let photo = upload(
        &app,
        &pinghu,
        &format!("{LINE}001A"),
        png_bytes(40, 30, false),
        "image/png",
    )
    .await;
    assert_eq!(photo.status(), StatusCode::CREATED);
    let photo: Value = photo.json().await.unwrap();
    assert_eq!(
        inspect(&pinghu, "2026-10-15", "tilted")
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let (_, marker) = app
        .get_json(&format!("/api/v1/markers/{LINE}001A"), Some(&jiashan))
        .await;
    let history: Vec<&str> = marker["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["condition"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["intact", "tilted"]);
    let image = app
        .client
        .get(app.url(photo["url"].as_str().unwrap()))
        .bearer_auth(&jiashan)
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert!(
        image.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/")
    );

    // The line's list, with the latest condition, and the line split at its markers.
    let (_, list) = app
        .get_json(
            &format!("/api/v1/markers?line={LINE}&crs=EPSG:4549"),
            Some(&pinghu),
        )
        .await;
    assert_eq!(list["markers"].as_array().unwrap().len(), 3);
    assert_eq!(list["markers"][0]["condition"], "tilted");
    let (_, line) = app
        .get_json("/api/v1/boundaries?between=330421,330482", Some(&pinghu))
        .await;
    let segments = line["properties"]["segments"].as_array().unwrap();
    let ends: Vec<&str> = segments
        .iter()
        .filter_map(|s| s["to_marker"].as_str())
        .collect();
    // The pair 001A/B is one stop; the single 002Q another.
    assert_eq!(
        ends,
        [format!("{LINE}001"), format!("{LINE}002")],
        "{segments:?}"
    );
    let total: f64 = segments
        .iter()
        .map(|s| s["length_m"].as_f64().unwrap())
        .sum();
    assert!((total - line["properties"]["length_m"].as_f64().unwrap()).abs() < 1.0);
}

#[tokio::test]
async fn bad_markers_photos_and_inspections_are_refused_and_nothing_is_stored() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let jiashan = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let [first, _] = points_on_line(&app, &admin).await;
    let (east, north) = to_zone(&app, first, "EPSG:4549").await;
    let marker = |number: &str| json!({ "marker_number": number, "x": east, "y": north });
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "?crs=EPSG:4549",
            marker("330421330482007X"),
            "marker_number",
        ),
        (
            "?crs=EPSG:4549",
            marker("330421330482000Q"),
            "marker_number",
        ),
        (
            "?crs=EPSG:4549",
            marker("330482330421001Q"),
            "marker_number",
        ),
        // A Y with zone 40's prefix declared in the unprefixed system, and the reverse.
        (
            "?crs=EPSG:4549",
            json!({ "marker_number": "330421330482003Q", "x": east + 40_000_000.0, "y": north }),
            "x",
        ),
        ("?crs=EPSG:4528", marker("330421330482003Q"), "x"),
        ("?crs=EPSG:9999", marker("330421330482003Q"), "crs"),
        ("?crs=EPSG:2437", marker("330421330482003Q"), "helmert"),
        (
            "?crs=EPSG:4549",
            json!({ "marker_number": "330421330482003Q", "x": east, "y": north,
                    "references": [{ "name": "电杆", "bearing_deg": 400.0, "distance_m": 12.0 }] }),
            "references[0].bearing_deg",
        ),
        (
            "?crs=EPSG:4549",
            json!({ "marker_number": "330421330482003Q", "x": east, "y": north, "material": "石".repeat(51) }),
            "material",
        ),
    ];
    for (query, body, field) in cases {
        let response = post_marker(&app, &admin, query, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    assert_eq!(app.store.marker_count().await.unwrap(), 0, "nothing stored");

    // A number is one single marker, pair or triple.
    assert_eq!(
        post_marker(&app, &admin, "?crs=EPSG:4549", &marker("330421330482004A"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let mixed = post_marker(&app, &admin, "?crs=EPSG:4549", &marker("330421330482004Q")).await;
    assert_problem(mixed, StatusCode::CONFLICT, None).await;
    let twice = post_marker(&app, &admin, "?crs=EPSG:4549", &marker("330421330482004A")).await;
    assert_problem(twice, StatusCode::CONFLICT, None).await;
    assert_eq!(app.store.marker_count().await.unwrap(), 1);

    // Photos: not an image, too large (64 KiB here), from a reviewer.
    let number = "330421330482004A";
    let text = upload(
        &app,
        &jiashan,
        number,
        b"just text, not a photo".to_vec(),
        "image/png",
    )
    .await;
    assert_problem(text, StatusCode::UNSUPPORTED_MEDIA_TYPE, None).await;
    let large = upload(
        &app,
        &jiashan,
        number,
        png_bytes(400, 400, true),
        "image/png",
    )
    .await;
    assert_problem(large, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    let reviewer_photo = upload(
        &app,
        &reviewer,
        number,
        png_bytes(10, 10, false),
        "image/png",
    )
    .await;
    assert_problem(reviewer_photo, StatusCode::FORBIDDEN, None).await;
    let (_, stored) = app
        .get_json(&format!("/api/v1/markers/{number}"), Some(&admin))
        .await;
    assert_eq!(stored["photos"], json!([]), "no photo stored");

    // Inspections: an unknown condition, a future day, a photo of another marker.
    for (body, field) in [
        (
            json!({ "observed_on": "2026-01-01", "condition": "gone" }),
            None,
        ),
        (
            json!({ "observed_on": "2999-01-01", "condition": "intact" }),
            Some("observed_on"),
        ),
        (
            json!({ "observed_on": "2026-01-01", "condition": "intact", "photo_id": 999 }),
            Some("photo_id"),
        ),
    ] {
        let response = app
            .client
            .post(app.url(&format!("/api/v1/markers/{number}/conditions")))
            .bearer_auth(&jiashan)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, field).await;
    }
    let (_, stored) = app
        .get_json(&format!("/api/v1/markers/{number}"), Some(&admin))
        .await;
    assert_eq!(stored["conditions"], json!([]), "no inspection stored");
    let unknown = app
        .get_json("/api/v1/markers/330421330482099Q", Some(&admin))
        .await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
}
