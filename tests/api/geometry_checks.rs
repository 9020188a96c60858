//! Geometry must agree with what the record says: a place lies in the divisions it names, a
//! division's new polygon nests in its parent and overlaps no sibling, a boundary marker stands
//! near its line, a boundary line does not cross itself, and a height is refused. Every refusal
//! is 422 naming the field, and nothing is stored.

use diming::domain::division_code::DivisionCode;
use diming::domain::geometry::parse_geometry;
use diming::spatial::consistency::{check_place_geometry, checking_area};
use diming::spatial::index::{IndexedPlace, SpatialIndex};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, pinghu, spawn_app_with, xitang};

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The message of the error on `field`.
fn message<'a>(body: &'a Value, field: &str) -> &'a str {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error on {field}: {body}"))
}

/// The number of kilometres in "lies 1,083 km from".
fn kilometres(text: &str) -> f64 {
    let after = text.split("lies ").nth(1).unwrap();
    let number = after.split(" km").next().unwrap().replace(',', "");
    number
        .parse()
        .unwrap_or_else(|_| panic!("a distance in km: {text}"))
}

#[tokio::test]
async fn a_point_in_beijing_is_not_in_jiashan() {
    let app = demo_app().await;
    let token = app.token("jiashan").await;
    let before = app.place_count().await;
    let mut beijing = xitang("北京路口");
    beijing["geometry"]["coordinates"] = json!([116.397, 39.909]);
    beijing["properties"]["division_codes"] = json!(["330421"]);
    let body = assert_problem(
        app.create_place(Some(&token), &beijing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry"),
    )
    .await;
    let text = message(&body, "geometry");
    assert!(text.contains("km from 嘉善县 (330421)"), "{text}");
    let km = kilometres(text);
    assert!(
        (1_000.0..1_150.0).contains(&km),
        "Beijing to 嘉善县: {km} km"
    );
    assert!(
        text.contains("in no division with a registered polygon"),
        "{text}"
    );

    // In 平湖市 but said to be in a village of 嘉善县 (checked through 嘉善县): the message
    // names where it is.
    let mut across = xitang("错位村");
    across["geometry"]["coordinates"] = json!([121.0150, 30.6970]);
    let body = assert_problem(
        app.create_place(Some(&token), &across).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry"),
    )
    .await;
    let text = message(&body, "geometry");
    assert!(text.contains("嘉善县 (330421"), "{text}");
    assert!(text.contains("in 平湖市 (330482)"), "{text}");
    assert_eq!(app.place_count().await, before, "nothing stored");

    // A change of a record to a point outside is refused the same way, the record unchanged.
    let (id, etag) = app.created_place("jiashan", &xitang("西塘桥")).await;
    let mut moved = xitang("西塘桥");
    moved["geometry"]["coordinates"] = json!([116.397, 39.909]);
    moved["change"] = json!({ "comment": "移位" });
    assert_problem(
        app.update_place(Some(&token), id, Some(&etag), &moved)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry"),
    )
    .await;
    let (_, record) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(
        record["geometry"]["coordinates"],
        json!([120.8906, 30.9447])
    );
}

#[tokio::test]
async fn a_road_into_pinghu_must_name_pinghu() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let before = app.place_count().await;
    // From 西塘 (嘉善县) to a point well inside 平湖市.
    let road = |codes: Value| {
        json!({
            "type": "Feature",
            "geometry": { "type": "LineString", "coordinates": [[120.8906, 30.9447], [120.95, 30.85], [121.0150, 30.6970]] },
            "properties": { "standard_name": "嘉平公路", "category": "252", "division_codes": codes }
        })
    };
    let body = assert_problem(
        app.create_place(Some(&admin), &road(json!(["330421"])))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry.coordinates[2]"),
    )
    .await;
    let text = message(&body, "geometry.coordinates[2]");
    assert!(text.contains("in 平湖市 (330482)"), "{text}");
    assert_eq!(app.place_count().await, before, "nothing stored");
    let created = app
        .create_place(Some(&admin), &road(json!(["330421", "330482"])))
        .await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
    // The helpers' places lie where they say.
    app.created_place("pinghu", &pinghu("平湖站")).await;
}

#[tokio::test]
async fn a_height_is_refused_naming_it() {
    let app = demo_app().await;
    let token = app.token("jiashan").await;
    let before = app.place_count().await;
    let mut high = xitang("高处");
    high["geometry"]["coordinates"] = json!([120.8906, 30.9447, 4.2]);
    let body = assert_problem(
        app.create_place(Some(&token), &high).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry.coordinates[2]"),
    )
    .await;
    assert!(
        message(&body, "geometry.coordinates[2]").contains("no heights"),
        "{body}"
    );
    assert_eq!(app.place_count().await, before, "nothing stored");
}

#[tokio::test]
async fn a_self_crossing_boundary_line_is_refused() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let line = json!({
        "between": ["330421", "330482"],
        "geometry": { "type": "LineString", "coordinates": [[120.95, 30.80], [120.97, 30.78], [120.97, 30.80], [120.95, 30.78]] },
        "effective_on": "2002-10-01"
    });
    let body = assert_problem(
        send(&app, Method::POST, "/api/v1/boundary-lines", &admin, &line).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry"),
    )
    .await;
    assert!(
        message(&body, "geometry").contains("crosses itself at 120.960000, 30.790000"),
        "{body}"
    );
    let mut high = line.clone();
    high["geometry"] =
        json!({ "type": "LineString", "coordinates": [[120.95, 30.80, 3.0], [120.97, 30.78]] });
    assert_problem(
        send(&app, Method::POST, "/api/v1/boundary-lines", &admin, &high).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("geometry.coordinates[0][2]"),
    )
    .await;
    let (status, _) = app
        .get_json("/api/v1/boundary-lines/330421330482", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing recorded");
    // The simple line is recorded.
    let mut simple = line.clone();
    simple["geometry"] = json!({ "type": "LineString", "coordinates": [[120.95, 30.80], [120.96, 30.79], [120.97, 30.78]] });
    let recorded = send(
        &app,
        Method::POST,
        "/api/v1/boundary-lines",
        &admin,
        &simple,
    )
    .await;
    assert_eq!(
        recorded.status(),
        StatusCode::CREATED,
        "{}",
        recorded.text().await.unwrap()
    );
}

#[tokio::test]
async fn a_marker_far_from_its_line_is_refused() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    // About 2,000 km west of the 嘉善县 | 平湖市 line (derived from the polygons: none recorded).
    let far = json!({ "marker_number": "330421330482009Q", "x": 100.5, "y": 30.8 });
    let body = assert_problem(
        send(&app, Method::POST, "/api/v1/markers", &admin, &far).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("x"),
    )
    .await;
    let text = message(&body, "x");
    assert!(
        text.contains("border of 嘉善县 (330421) and 平湖市 (330482)"),
        "{text}"
    );
    let km = kilometres(text);
    assert!((1_900.0..2_100.0).contains(&km), "{km} km");
    let (status, _) = app
        .get_json("/api/v1/markers/330421330482009Q", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing stored");
}

#[tokio::test]
async fn a_marker_offset_is_a_setting() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.max_marker_offset_m = 3_000_000.0;
    })
    .await;
    let admin = app.token("admin").await;
    let far = json!({ "marker_number": "330421330482009Q", "x": 100.5, "y": 30.8 });
    let created = send(&app, Method::POST, "/api/v1/markers", &admin, &far).await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
}

#[tokio::test]
async fn a_new_county_inside_another_is_refused() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let (_, before) = app.get_json("/api/v1/division-events", Some(&admin)).await;
    // A square of about 4 km² around a point well inside 平湖市.
    let inside_pinghu = json!({ "type": "Polygon", "coordinates": [[[121.005, 30.687], [121.025, 30.687], [121.025, 30.707], [121.005, 30.707], [121.005, 30.687]]] });
    let event = json!({
        "kind": "establish", "effective_on": "2026-01-01", "summary": "设立新县",
        "changes": [{ "becomes": { "code": "330485", "name": "新埭县", "kind": "县" }, "geometry": inside_pinghu }]
    });
    let body = assert_problem(
        send(
            &app,
            Method::POST,
            "/api/v1/division-events",
            &admin,
            &event,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("changes[0].geometry"),
    )
    .await;
    assert!(
        message(&body, "changes[0].geometry").contains("overlaps 平湖市 (330482)"),
        "{body}"
    );

    // A township of 嘉善县 drawn in 平湖市: outside its parent (a township is compared with
    // townships, and 平湖市 has none registered).
    let township = json!({
        "kind": "establish", "effective_on": "2026-01-01", "summary": "设立云澜镇",
        "changes": [{ "becomes": { "code": "330421120", "name": "云澜镇" }, "geometry": inside_pinghu }]
    });
    let body = assert_problem(
        send(
            &app,
            Method::POST,
            "/api/v1/division-events",
            &admin,
            &township,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("changes[0].geometry"),
    )
    .await;
    assert!(
        message(&body, "changes[0].geometry").contains("outside its parent 嘉善县 (330421)"),
        "{body}"
    );
    let mut high = township.clone();
    high["changes"][0]["geometry"] = json!({ "type": "Polygon", "coordinates": [[[120.90, 30.86, 1.0], [120.92, 30.86], [120.92, 30.88], [120.90, 30.86]]] });
    assert_problem(
        send(&app, Method::POST, "/api/v1/division-events", &admin, &high).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("changes[0].geometry.coordinates[0][0][2]"),
    )
    .await;
    let (_, after) = app.get_json("/api/v1/division-events", Some(&admin)).await;
    assert_eq!(after, before, "nothing stored");
}

/// The place rule over every record of the demo data, on an index built from the same file
/// (as the service builds it): how many fail, and which.
#[test]
fn every_demo_record_lies_in_the_divisions_it_names() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/places.geojson");
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let features = collection["features"].as_array().unwrap();
    let mut records = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        let properties = &feature["properties"];
        let codes: Vec<DivisionCode> = properties["division_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| DivisionCode::parse(c.as_str().unwrap()).unwrap())
            .collect();
        let geometry = match &feature["geometry"] {
            Value::Null => None,
            value => Some(parse_geometry(value, "geometry").unwrap()),
        };
        let category = properties["category"].as_str().unwrap().to_string();
        let place = IndexedPlace {
            place_id: i as i64 + 1,
            name: properties["standard_name"].as_str().unwrap().to_string(),
            category,
            division_code: codes.first().map(|c| c.as_str().to_string()),
            public: true,
        };
        records.push((place, codes, geometry));
    }
    let index = SpatialIndex::build(
        records
            .iter()
            .filter_map(|(p, _, g)| Some((p.clone(), g.clone()?))),
    );
    let started = std::time::Instant::now();
    let mut checked = 0;
    let failures: Vec<String> = records
        .iter()
        .filter_map(|(place, codes, geometry)| {
            let geometry = geometry.as_ref()?;
            checked += 1;
            let own = place.category.starts_with("21");
            check_place_geometry(&index, geometry, codes, own)
                .err()
                .map(|e| format!("{} {:?}: {e}", place.name, codes))
        })
        .collect();
    let elapsed = started.elapsed();
    println!(
        "{} of {checked} demo records with a geometry fail the place rule ({elapsed:?} in all)",
        failures.len()
    );
    // How close the demo data comes to the tolerance: points outside the polygon they are
    // checked against, and how far.
    let mut outside: Vec<(String, f64)> = records
        .iter()
        .filter_map(|(place, codes, geometry)| {
            let Some(geo::Geometry::Point(point)) = geometry else {
                return None;
            };
            let own = place.category.starts_with("21");
            let area = checking_area(&index, codes.first()?, own)?;
            let distance = area.distance_m(point.0);
            (distance > 0.0).then(|| (place.name.clone(), distance))
        })
        .collect();
    outside.sort_by(|a, b| b.1.total_cmp(&a.1));
    let measured = records
        .iter()
        .filter(|(place, codes, geometry)| {
            geometry.is_some()
                && codes.first().is_some_and(|code| {
                    checking_area(&index, code, place.category.starts_with("21")).is_some()
                })
        })
        .count();
    println!("{measured} records have a registered polygon to be checked against");
    println!("points outside their division's polygon (within the tolerance): {outside:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_marker_import_checks_the_offset_with_the_same_default() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("register.sqlite").display());
    let url = database.clone();
    let app = spawn_app_with(move |settings| {
        settings.demo = true;
        settings.database_url = url;
    })
    .await;
    let table = dir.path().join("markers.csv");
    std::fs::write(
        &table,
        "marker_number,lon,lat\n330421330482009Q,100.5,30.8\n",
    )
    .unwrap();
    let import = |extra: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
            .args(["--database-url", &database, "import", "markers"])
            .arg(&table)
            .args(["--crs", "EPSG:4490"])
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    };
    let (ok, out) = import(&[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("line 2: x:") && out.contains("border of 嘉善县 (330421)"),
        "{out}"
    );
    assert_eq!(
        app.store.marker_count().await.unwrap(),
        0,
        "nothing imported"
    );
    let (ok, out) = import(&["--max-marker-offset-m", "3000000"]);
    assert!(ok, "{out}");
    assert_eq!(app.store.marker_count().await.unwrap(), 1);
}
