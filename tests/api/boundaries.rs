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
    assert_eq!(body["properties"]["recorded"], false);
    let parts: f64 = body["properties"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["length_m"].as_f64().unwrap())
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
            "colour"
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

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_recorded_line_is_versioned_and_only_an_admin_over_both_sides_changes_it() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let jiashan = app.token("jiashan").await;
    let pinghu = app.token("pinghu").await;
    let agreement = serde_json::json!({
        "between": ["330482", "330421"],
        "agreement": { "title": "嘉善县与平湖市行政区域界线协议书", "number": "嘉界〔2002〕3号", "signed_on": "2002-09-18" },
        "approved_by": "嘉兴市人民政府",
        "segment_leads": [{ "lead": "330421" }],
        "effective_on": "2002-10-01"
    });
    for (change, field) in [
        (
            serde_json::json!({ "agreement": { "title": " ", "number": "嘉界〔2002〕3号", "signed_on": "2002-09-18" } }),
            "agreement.title",
        ),
        (
            serde_json::json!({ "approved_by": "府".repeat(101) }),
            "approved_by",
        ),
        (serde_json::json!({ "between": ["330421"] }), "between"),
        (
            serde_json::json!({ "between": ["330421", "33048x"] }),
            "between[1]",
        ),
    ] {
        let mut bad = agreement.clone();
        for (key, value) in change.as_object().unwrap() {
            bad[key] = value.clone();
        }
        let refused = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/boundary-lines",
            &admin,
            None,
            &bad,
        )
        .await;
        assert_problem(refused, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let mut wrong_lead = agreement.clone();
    wrong_lead["segment_leads"] =
        serde_json::json!([{ "lead": "330402", "to_marker": "330421330482001Q" }]);
    let refused = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/boundary-lines",
        &admin,
        None,
        &wrong_lead,
    )
    .await;
    let body = assert_problem(
        refused,
        StatusCode::BAD_REQUEST,
        Some("segment_leads[0].lead"),
    )
    .await;
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        2,
        "lead and marker number: {body}"
    );
    // Neither side's editor may record or change the shared line alone.
    for token in [&jiashan, &pinghu] {
        let refused = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/boundary-lines",
            token,
            None,
            &agreement,
        )
        .await;
        let body = assert_problem(refused, StatusCode::FORBIDDEN, None).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("cannot change it alone"),
            "{body}"
        );
    }
    let created = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/boundary-lines",
        &admin,
        None,
        &agreement,
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let tag = created.headers()["etag"].to_str().unwrap().to_string();
    let line: Value = created.json().await.unwrap();
    assert_eq!(line["properties"]["line_code"], "330421330482");
    assert_eq!(line["properties"]["version"], 1);
    assert_eq!(line["properties"]["agreement"]["number"], "嘉界〔2002〕3号");
    // Without markers each part of the line runs end to end, all led by 嘉善县 here.
    assert!(
        line["properties"]["segments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["lead"] == "330421"),
        "{line}"
    );
    let recorded_length = line["properties"]["length_m"].as_f64().unwrap();
    let reference = independent_length(&county("330421"), &county("330482"));
    assert!((recorded_length - reference).abs() / reference < 0.01);
    let again = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/boundary-lines",
        &admin,
        None,
        &agreement,
    )
    .await;
    assert_problem(again, StatusCode::CONFLICT, None).await;

    // Both sides read it, through either endpoint.
    for token in [&jiashan, &pinghu] {
        let (status, body) = app
            .get_json("/api/v1/boundary-lines/330421330482", Some(token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["properties"]["recorded"], true);
        let (_, between) = app
            .get_json("/api/v1/boundaries?between=330421,330482", Some(token))
            .await;
        assert_eq!(between["properties"]["version"], 1);
    }

    // A change: editors refused whatever they send; the admin needs the current ETag.
    let change = serde_json::json!({
        "geometry": { "type": "LineString", "coordinates": [[120.95, 30.80], [120.96, 30.79], [120.97, 30.78]] },
        "comment": "2026 年联检后修测",
        "effective_on": "2026-10-01"
    });
    let path = "/api/v1/boundary-lines/330421330482";
    let refused = send(
        &app,
        reqwest::Method::PUT,
        path,
        &jiashan,
        Some(&tag),
        &change,
    )
    .await;
    assert_problem(refused, StatusCode::FORBIDDEN, None).await;
    let no_tag = send(&app, reqwest::Method::PUT, path, &admin, None, &change).await;
    assert_eq!(no_tag.status(), StatusCode::PRECONDITION_REQUIRED);
    let point =
        serde_json::json!({ "geometry": { "type": "Point", "coordinates": [120.95, 30.8] } });
    let bad = send(&app, reqwest::Method::PUT, path, &admin, Some(&tag), &point).await;
    assert_problem(bad, StatusCode::BAD_REQUEST, Some("geometry")).await;
    let changed = send(
        &app,
        reqwest::Method::PUT,
        path,
        &admin,
        Some(&tag),
        &change,
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let stale = send(
        &app,
        reqwest::Method::PUT,
        path,
        &admin,
        Some(&tag),
        &change,
    )
    .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);

    let (_, history) = app
        .get_json(&format!("{path}/history"), Some(&pinghu))
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
    let (_, then) = app
        .get_json(&format!("{path}?as_of=2020-01-01"), Some(&pinghu))
        .await;
    assert_eq!(then["properties"]["version"], 1);
    let (_, now) = app.get_json(path, Some(&pinghu)).await;
    assert_eq!(now["properties"]["version"], 2);
    assert_eq!(now["properties"]["derived_from"], "imported geometry");
    assert!(
        (now["properties"]["length_m"].as_f64().unwrap() - 2_900.0).abs() < 200.0,
        "{now}"
    );
}
