//! `/api/v1/search` on the demo data (嘉兴市): every input form, polyphones, typos, historical
//! names and aliases, freshness after an edit, visibility, and bad input.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encoded, spawn_app_with, xitang};

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

async fn search(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/search?{query}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

fn names(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_input_form_finds_xitang() {
    let app = demo_app().await;
    for q in [
        "西塘镇",
        "西塘",
        "塘镇",
        "xitangzhen",
        "xitang",
        "xi tang",
        "Xītáng",
        "xtz",
        "西t",
        "西tang",
        "xi塘",
    ] {
        let body = search(&app, &format!("q={}&limit=20", encoded(q)), None).await;
        assert!(names(&body).contains(&"西塘镇".to_string()), "{q}: {body}");
    }
    let exact = search(&app, &format!("q={}", encoded("西塘镇")), None).await;
    let first = &exact["hits"][0];
    assert_eq!(first["name"], "西塘镇");
    assert_eq!(first["match"], "exact");
    let chain: Vec<&str> = first["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(chain[..3], ["浙江省", "嘉兴市", "嘉善县"]);
    // Prefix before infix: 西塘镇 and 西塘社区 before 东西塘… names that only contain it.
    let prefix = search(&app, &format!("q={}&limit=50", encoded("西塘")), None).await;
    let kinds: Vec<&str> = prefix["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["match"].as_str().unwrap())
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| {
        ["exact", "prefix", "infix", "fuzzy"]
            .iter()
            .position(|o| o == k)
    });
    assert_eq!(kinds, sorted);
}

#[tokio::test]
async fn both_readings_of_a_polyphone_find_it() {
    let app = demo_app().await;
    for q in ["changanzhen", "zhanganzhen", "长an"] {
        let body = search(&app, &format!("q={q}"), None).await;
        assert!(names(&body).contains(&"长安镇".to_string()), "{q}: {body}");
    }
    // The place-name reading ranks as well as the other: both are prefix matches of the name.
    let body = search(&app, "q=changanzhen", None).await;
    assert_eq!(body["hits"][0]["name"], "长安镇");
}

#[tokio::test]
async fn one_typo_is_forgiven() {
    let app = demo_app().await;
    let body = search(&app, "q=xitnagzhen", None).await;
    assert_eq!(body["hits"][0]["name"], "西塘镇", "{body}");
    assert_eq!(body["hits"][0]["match"], "fuzzy");
}

#[tokio::test]
async fn identical_names_are_ranked_by_distance_and_told_apart_by_their_chain() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let mut near_pinghu = xitang("新村");
    near_pinghu["geometry"] = json!({ "type": "Point", "coordinates": [121.015, 30.697] });
    near_pinghu["properties"]["division_codes"] = json!(["330482"]);
    let mut near_xitang = xitang("新村");
    near_xitang["properties"]["division_codes"] = json!(["330421"]);
    for feature in [&near_pinghu, &near_xitang] {
        assert_eq!(
            app.create_place(Some(&token), feature).await.status(),
            StatusCode::CREATED
        );
    }
    let body = search(
        &app,
        &format!("q={}&near=121.01,30.70", encoded("新村")),
        None,
    )
    .await;
    let first = &body["hits"][0];
    assert_eq!(first["name"], "新村");
    assert_eq!(first["divisions"][2]["name"], "平湖市");
    assert!(first["distance_m"].as_f64().unwrap() < 1_000.0);
    let body = search(
        &app,
        &format!("q={}&near=120.89,30.94", encoded("新村")),
        None,
    )
    .await;
    assert_eq!(body["hits"][0]["divisions"][2]["name"], "嘉善县");
}

#[tokio::test]
async fn historical_names_and_aliases_are_found_and_say_what_they_are() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let mut feature = xitang("西塘古镇");
    feature["properties"]["alternate_names"] = json!([
        { "name": "斜塘", "kind": "historical" },
        { "name": "平川", "kind": "alias" }
    ]);
    assert_eq!(
        app.create_place(Some(&token), &feature).await.status(),
        StatusCode::CREATED
    );
    let body = search(&app, &format!("q={}", encoded("斜塘")), None).await;
    let hit = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "西塘古镇")
        .expect("found by its old name");
    assert_eq!(hit["matched_name"], "斜塘");
    assert_eq!(hit["name_kind"], "historical");
    let body = search(&app, "q=pingchuan", None).await;
    assert_eq!(body["hits"][0]["name_kind"], "alias");
}

#[tokio::test]
async fn an_edited_name_is_found_by_its_new_name_at_once_and_not_its_old_one() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let (id, etag) = app.created_place("admin", &xitang("烟雨长廊")).await;
    assert_eq!(
        search(&app, "q=yanyuchanglang", None).await["hits"][0]["id"],
        id
    );
    let mut renamed = xitang("廊棚");
    renamed["change"] = json!({ "comment": "更名" });
    let response = app
        .update_place(Some(&token), id, Some(&etag), &renamed)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(search(&app, "q=langpeng", None).await["hits"][0]["id"], id);
    let old = search(&app, &format!("q={}", encoded("烟雨长廊")), None).await;
    assert!(
        old["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != id),
        "{old}"
    );
}

#[tokio::test]
async fn records_that_are_not_public_are_found_by_staff_only() {
    let app = demo_app().await;
    let token = app.token("admin").await;
    let mut feature = xitang("内部测绘点");
    feature["properties"]["classification"] = json!("internal");
    assert_eq!(
        app.create_place(Some(&token), &feature).await.status(),
        StatusCode::CREATED
    );
    let q = format!("q={}", encoded("内部测绘点"));
    assert!(
        search(&app, &q, None).await["hits"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        search(&app, &q, Some(&token)).await["hits"][0]["name"],
        "内部测绘点"
    );
}

#[tokio::test]
async fn filters_narrow_the_hits() {
    let app = demo_app().await;
    let body = search(
        &app,
        &format!("q={}&division=330482&limit=50", encoded("社区")),
        None,
    )
    .await;
    assert!(!body["hits"].as_array().unwrap().is_empty());
    for hit in body["hits"].as_array().unwrap() {
        assert_eq!(hit["divisions"][2]["code"], "330482", "{hit}");
    }
    let body = search(&app, &format!("q={}&category=214", encoded("西塘")), None).await;
    assert_eq!(names(&body), ["西塘镇", "西塘桥街道"]);
    let body = search(&app, &format!("q={}&category=221", encoded("西塘")), None).await;
    assert_eq!(names(&body), ["西塘社区"]);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_at_fault() {
    let app = demo_app().await;
    let long = "长".repeat(51);
    for (query, field) in [
        ("q=".to_string(), "q"),
        ("limit=5".to_string(), "q"),
        (format!("q={}", encoded(&long)), "q"),
        ("q=xitang&near=120.9".to_string(), "near"),
        ("q=xitang&near=200,30".to_string(), "near"),
        ("q=xitang&near=abc,def".to_string(), "near"),
        ("q=xitang&limit=0".to_string(), "limit"),
        ("q=xitang&limit=51".to_string(), "limit"),
        ("q=xitang&division=33x".to_string(), "division"),
        (
            format!("q=xitang&category={}", encoded("河流湖泊")),
            "category",
        ),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/search?{query}")))
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
}
