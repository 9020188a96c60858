//! `/api/v1/boundaries?between=A,B` on the real county polygons of the demo data.

use geo::{Distance, Euclidean, Geometry, Haversine, Length, Line, LinesIter, MultiPolygon, Point};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

fn county(code: &str) -> MultiPolygon<f64> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/places.geojson"))
        .unwrap();
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    let feature = collection
        .features
        .into_iter()
        .find(|f| {
            f.property("category").and_then(Value::as_str) == Some("213")
                && f.property("division_codes").and_then(|d| d[0].as_str()) == Some(code)
        })
        .unwrap();
    match Geometry::<f64>::try_from(&feature.geometry.unwrap().value).unwrap() {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        Geometry::MultiPolygon(m) => m,
        other => panic!("{other:?}"),
    }
}

/// An independent measure of the shared boundary: A's edges whose midpoint lies on B's
/// boundary (a geometric test, not the service's exact-edge matching), measured on the sphere
/// (haversine, not the service's ellipsoid).
fn independent_length(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let b_edges: Vec<Line<f64>> = b.lines_iter().collect();
    a.lines_iter()
        .filter(|edge| {
            let middle =
                Point::from(edge.start) + (Point::from(edge.end) - Point::from(edge.start)) * 0.5;
            b_edges
                .iter()
                .any(|other| Euclidean.distance(&middle, other) < 1e-9)
        })
        .map(|edge| Haversine.length(&edge))
        .sum()
}

async fn get(app: &TestApp, query: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("/api/v1/boundaries?{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_line_between_jiashan_and_pinghu_has_its_geodesic_length() {
    let app = demo_app().await;
    let token = app.token("jiashan").await;
    let response = get(&app, "between=330421,330482", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["geometry"]["type"], "MultiLineString");
    assert_eq!(body["properties"]["between"][0]["name"], "嘉善县");
    assert_eq!(body["properties"]["between"][1]["name"], "平湖市");
    let length = body["properties"]["length_m"].as_f64().unwrap();
    let reference = independent_length(&county("330421"), &county("330482"));
    println!(
        "嘉善县 | 平湖市: {length:.1} m on the ellipsoid; independent reference {reference:.1} m"
    );
    assert!(reference > 1_000.0, "{reference}");
    assert!(
        (length - reference).abs() / reference < 0.01,
        "service {length} m, reference {reference} m"
    );
    let parts: f64 = body["properties"]["segment_lengths_m"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_f64().unwrap())
        .sum();
    assert!((parts - length).abs() < 1.0);
}

#[tokio::test]
async fn both_sides_read_the_line_and_others_do_not() {
    let app = demo_app().await;
    for user in ["jiashan", "pinghu", "reviewer", "admin"] {
        let token = app.token(user).await;
        assert_eq!(
            get(&app, "between=330482,330421", Some(&token))
                .await
                .status(),
            StatusCode::OK,
            "{user}"
        );
    }
    assert_problem(
        get(&app, "between=330421,330482", None).await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    // An editor of 桐乡市 (330483) is on neither side.
    let hash = diming::security::hash_password(app.password).unwrap();
    let username = diming::domain::account::Username::parse("tongxiang").unwrap();
    let jurisdiction = [diming::domain::division_code::Jurisdiction::parse("330483").unwrap()];
    app.store
        .create_user(
            &username,
            &hash,
            diming::domain::account::Role::Editor,
            &jurisdiction,
            &diming::store::audit::Author::system("test"),
        )
        .await
        .unwrap();
    let token = app.token("tongxiang").await;
    assert_problem(
        get(&app, "between=330421,330482", Some(&token)).await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
}

#[tokio::test]
async fn bad_or_impossible_pairs_are_refused() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    for query in [
        "between=330421",
        "between=330421,33042x",
        "between=330421,330421",
        "between=330421,330421101",
        "colour=red",
    ] {
        let field = if query.starts_with("colour") {
            "query"
        } else {
            "between"
        };
        assert_problem(
            get(&app, query, Some(&token)).await,
            StatusCode::BAD_REQUEST,
            Some(field),
        )
        .await;
    }
    // 嘉善县 and 桐乡市 do not touch.
    assert_problem(
        get(&app, "between=330421,330483", Some(&token)).await,
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
}
