//! Bad input gets a 4xx problem+json naming what is wrong, and nothing is stored.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, xitang};

/// Sends `feature` as a new place and checks it is refused with `field` named and nothing stored.
async fn refused(app: &TestApp, token: &str, feature: Value, field: &str) -> Value {
    let before = app.place_count().await;
    let response = app.create_place(Some(token), &feature).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    assert_eq!(app.place_count().await, before, "nothing is stored");
    problem
}

fn with_geometry(geometry: Value) -> Value {
    let mut feature = xitang("塘东村");
    feature["geometry"] = geometry;
    feature
}

#[tokio::test]
async fn malformed_json_is_refused_with_its_position() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let response = app
        .client
        .post(app.url("/api/v1/places"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"type\": \"Feature\",\n \"properties\": {")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, None).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("line 2"),
        "{problem}"
    );
    assert_eq!(app.place_count().await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let response = app
        .client
        .post(app.url("/api/v1/places"))
        .bearer_auth(&token)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, None).await;
}

#[tokio::test]
async fn an_unknown_category_is_refused() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let mut feature = xitang("塘东村");
    feature["properties"]["category"] = json!("外星基地");
    refused(&app, &token, feature, "properties.category").await;
}

#[tokio::test]
async fn invalid_and_unknown_division_codes_are_refused() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let mut malformed = xitang("塘东村");
    malformed["properties"]["division_codes"] = json!(["3304211"]);
    refused(&app, &token, malformed, "properties.division_codes[0]").await;
    let mut unknown = xitang("塘东村");
    unknown["properties"]["division_codes"] = json!(["330421101", "330421999"]);
    let problem = refused(&app, &token, unknown, "properties.division_codes[1]").await;
    assert!(problem["detail"].as_str().unwrap().contains("330421999"));
    let mut wrong_type = xitang("塘东村");
    wrong_type["properties"]["division_codes"] = json!([330421101]);
    refused(&app, &token, wrong_type, "properties.division_codes[0]").await;
}

#[tokio::test]
async fn out_of_range_coordinates_are_refused() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    refused(
        &app,
        &token,
        with_geometry(json!({"type": "Point", "coordinates": [190.0, 30.9]})),
        "geometry.coordinates[0]",
    )
    .await;
    refused(
        &app,
        &token,
        with_geometry(json!({"type": "Point", "coordinates": ["120.9", 30.9]})),
        "geometry.coordinates[0]",
    )
    .await;
}

#[tokio::test]
async fn unclosed_and_self_intersecting_rings_are_refused() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let unclosed = json!({"type": "Polygon", "coordinates": [[[120.88, 30.94], [120.90, 30.94], [120.90, 30.95], [120.88, 30.95]]]});
    let problem = refused(
        &app,
        &token,
        with_geometry(unclosed),
        "geometry.coordinates[0]",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("not closed"));
    let bow_tie = json!({"type": "Polygon", "coordinates": [[[120.88, 30.94], [120.90, 30.95], [120.90, 30.94], [120.88, 30.95], [120.88, 30.94]]]});
    let problem = refused(&app, &token, with_geometry(bow_tie), "geometry").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("self-intersection"),
        "{problem}"
    );
}

#[tokio::test]
async fn swapped_latitude_and_longitude_are_recognised() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let problem = refused(
        &app,
        &token,
        with_geometry(json!({"type": "Point", "coordinates": [30.9447, 120.8906]})),
        "geometry.coordinates[1]",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("swapped"),
        "{problem}"
    );
    // In range both ways, but outside China: the extent check catches it.
    let problem = refused(
        &app,
        &token,
        with_geometry(json!({"type": "Point", "coordinates": [43.8, 87.6]})),
        "geometry",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("swapped"),
        "{problem}"
    );
}

#[tokio::test]
async fn an_empty_standard_name_is_refused() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    refused(&app, &token, xitang("   "), "properties.standard_name").await;
    let mut missing = xitang("x");
    missing["properties"]
        .as_object_mut()
        .unwrap()
        .remove("standard_name");
    refused(&app, &token, missing, "properties.standard_name").await;
}

#[tokio::test]
async fn a_misspelt_field_is_refused_rather_than_dropped() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let mut feature = xitang("塘东村");
    feature["properties"]["meanin"] = json!("typo");
    let problem = refused(&app, &token, feature, "properties.meanin").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app_small_limit().await;
    let token = app.token("jiashan").await;
    let mut feature = xitang("塘东村");
    feature["properties"]["history"] = json!("沿革".repeat(20_000));
    let response = app.create_place(Some(&token), &feature).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    assert_eq!(app.place_count().await, 0);
}

async fn spawn_app_small_limit() -> TestApp {
    crate::helpers::spawn_app_with(|settings| settings.max_body_bytes = 64 * 1024).await
}

#[tokio::test]
async fn every_problem_of_a_record_is_reported_at_once() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let feature = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
        "properties": { "standard_name": "", "category": "99", "division_codes": ["330421101"] }
    });
    let problem = refused(&app, &token, feature, "properties.standard_name").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "properties.standard_name",
            "properties.category",
            "geometry"
        ]
    );
}
