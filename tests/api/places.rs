//! Place records: versions, optimistic concurrency, as-of reads, retirement, lists.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app, xitang};

fn with_change(mut feature: Value, comment: &str, effective_on: Option<&str>) -> Value {
    feature["change"] = json!({ "comment": comment, "effective_on": effective_on });
    feature
}

#[tokio::test]
async fn a_record_is_created_read_updated_and_has_two_versions() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;

    let created = app.create_place(Some(&token), &xitang("塘东村")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let etag = created.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = created.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/places/{id}"));
    assert_eq!(body["version"]["version"], 1);
    assert_eq!(body["version"]["recorded_by"], "jiashan");
    assert_eq!(
        body["properties"]["category"], "24",
        "category names are stored as codes"
    );

    let read = app.get(&location).await;
    assert_eq!(read.headers()["etag"].to_str().unwrap(), etag);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["properties"]["standard_name"], "塘东村");
    assert_eq!(read["geometry"]["coordinates"], json!([120.8906, 30.9447]));

    let renamed = with_change(xitang("塘东新村"), "2024 年更名", None);
    let updated = app
        .update_place(Some(&token), id, Some(&etag), &renamed)
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_ne!(updated.headers()["etag"].to_str().unwrap(), etag);

    let (status, history) = app
        .get_json(&format!("/api/v1/places/{id}/history"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["action"], "created");
    assert_eq!(versions[1]["action"], "updated");
    assert_eq!(versions[1]["comment"], "2024 年更名");
    assert_eq!(versions[1]["recorded_by"], "jiashan");

    let (_, first) = app
        .get_json(&format!("/api/v1/places/{id}/versions/1"), None)
        .await;
    assert_eq!(first["properties"]["standard_name"], "塘东村");
    let (_, current) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(current["properties"]["standard_name"], "塘东新村");
}

#[tokio::test]
async fn a_stale_edit_gets_412_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, first_tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let ok = app
        .update_place(
            Some(&token),
            id,
            Some(&first_tag),
            &with_change(xitang("甲"), "first edit", None),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    let stale = app
        .update_place(
            Some(&token),
            id,
            Some(&first_tag),
            &with_change(xitang("乙"), "second edit from a stale copy", None),
        )
        .await;
    let problem = assert_problem(stale, StatusCode::PRECONDITION_FAILED, None).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("version 2"),
        "{problem}"
    );

    let (_, current) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(current["properties"]["standard_name"], "甲");
    let (_, history) = app
        .get_json(&format!("/api/v1/places/{id}/history"), None)
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_edit_without_if_match_is_refused_with_428() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let response = app
        .update_place(
            Some(&token),
            id,
            None,
            &with_change(xitang("甲"), "edit", None),
        )
        .await;
    assert_problem(response, StatusCode::PRECONDITION_REQUIRED, None).await;
    let garbage = app
        .update_place(
            Some(&token),
            id,
            Some("\"p999.v1\""),
            &with_change(xitang("甲"), "edit", None),
        )
        .await;
    assert_problem(garbage, StatusCode::PRECONDITION_FAILED, None).await;
}

#[tokio::test]
async fn an_update_must_say_why() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let response = app
        .update_place(Some(&token), id, Some(&tag), &xitang("甲"))
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, Some("change.comment")).await;
}

#[tokio::test]
async fn as_of_returns_the_state_in_force_on_that_day() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let created = app
        .create_place(
            Some(&token),
            &with_change(xitang("塘东村"), "普查登记", Some("2019-01-01")),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let tag = created.headers()["etag"].to_str().unwrap().to_string();
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let renamed = with_change(
        xitang("塘东新村"),
        "更名 (嘉善县政府 2020 年批复)",
        Some("2020-03-01"),
    );
    assert_eq!(
        app.update_place(Some(&token), id, Some(&tag), &renamed)
            .await
            .status(),
        StatusCode::OK
    );

    let (_, in_2019) = app
        .get_json(&format!("/api/v1/places/{id}?as_of=2019-06-30"), None)
        .await;
    assert_eq!(in_2019["properties"]["standard_name"], "塘东村");
    assert_eq!(in_2019["version"]["version"], 1);
    let (_, in_2021) = app
        .get_json(&format!("/api/v1/places/{id}?as_of=2021-01-01"), None)
        .await;
    assert_eq!(in_2021["properties"]["standard_name"], "塘东新村");
    let (status, _) = app
        .get_json(&format!("/api/v1/places/{id}?as_of=2018-01-01"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing was recorded in force before 2019"
    );

    let (_, list_2019) = app
        .get_json("/api/v1/places?division=330421&as_of=2019-06-30", None)
        .await;
    let names: Vec<&str> = list_2019["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["standard_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["塘东村"]);
    let (_, list_2018) = app
        .get_json("/api/v1/places?division=330421&as_of=2018-06-30", None)
        .await;
    assert_eq!(list_2018["numberMatched"], 0);

    let bad = app
        .get(&format!("/api/v1/places/{id}?as_of=30/06/2019"))
        .await;
    assert_problem(bad, StatusCode::BAD_REQUEST, Some("as_of")).await;
}

#[tokio::test]
async fn retiring_keeps_the_record_as_historical() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, tag) = app
        .created_place(
            "jiashan",
            &with_change(xitang("塘东村"), "登记", Some("2019-01-01")),
        )
        .await;

    let without_reason = app.retire(Some(&token), id, &tag, &json!({})).await;
    assert_problem(without_reason, StatusCode::BAD_REQUEST, Some("comment")).await;

    let retired = app
        .retire(
            Some(&token),
            id,
            &tag,
            &json!({ "comment": "村庄撤并", "abolished_on": "2023-05-01" }),
        )
        .await;
    assert_eq!(retired.status(), StatusCode::OK);
    let retired: Value = retired.json().await.unwrap();
    assert_eq!(retired["properties"]["status"], "historical");
    assert_eq!(retired["properties"]["abolished_year"], 2023);
    assert_eq!(retired["version"]["action"], "retired");

    let (status, still_there) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(still_there["properties"]["standard_name"], "塘东村");
    let (_, before) = app
        .get_json(&format!("/api/v1/places/{id}?as_of=2022-12-31"), None)
        .await;
    assert_eq!(before["properties"]["status"], "current");
    let (_, historical) = app.get_json("/api/v1/places?status=historical", None).await;
    assert_eq!(historical["numberMatched"], 1);
    let (_, current) = app.get_json("/api/v1/places?status=current", None).await;
    assert_eq!(current["numberMatched"], 0);
}

#[tokio::test]
async fn lists_filter_and_page() {
    let app = spawn_app().await;
    for name in ["塘东村", "塘西村", "北港村"] {
        app.created_place("jiashan", &xitang(name)).await;
    }
    let (_, contains) = app.get_json("/api/v1/places?q=塘", None).await;
    assert_eq!(contains["numberMatched"], 2);
    let (_, by_category) = app
        .get_json("/api/v1/places?category=24&division=330400", None)
        .await;
    assert_eq!(by_category["numberMatched"], 3);
    let (_, elsewhere) = app.get_json("/api/v1/places?division=330482", None).await;
    assert_eq!(elsewhere["numberMatched"], 0);
    let (_, other_category) = app.get_json("/api/v1/places?category=25", None).await;
    assert_eq!(other_category["numberMatched"], 0);
    let (_, in_box) = app
        .get_json("/api/v1/places?bbox=120.8,30.9,121.0,31.0", None)
        .await;
    assert_eq!(in_box["numberMatched"], 3);
    let (_, out_of_box) = app
        .get_json("/api/v1/places?bbox=121.0,30.0,121.5,30.5", None)
        .await;
    assert_eq!(out_of_box["numberMatched"], 0);
    let (_, since) = app
        .get_json("/api/v1/places?updated_since=2000-01-01", None)
        .await;
    assert_eq!(since["numberMatched"], 3);

    let (_, page) = app.get_json("/api/v1/places?limit=2", None).await;
    assert_eq!(page["numberReturned"], 2);
    assert_eq!(page["numberMatched"], 3);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, second) = app.get_json(&next, None).await;
    assert_eq!(second["numberReturned"], 1);
    assert!(
        second["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["rel"] != "next")
    );
}

#[tokio::test]
async fn bad_list_parameters_are_named() {
    let app = spawn_app().await;
    for (query, field) in [
        ("division=33x", "division"),
        ("category=不存在", "category"),
        ("status=gone", "status"),
        ("limit=5000", "limit"),
        ("offset=-1", "offset"),
        ("bbox=121,30,120,31", "bbox"),
        ("bbox=100,20,121,31", "bbox"),
        ("updated_since=yesterday", "updated_since"),
        ("q=", "q"),
    ] {
        let response = app.get(&format!("/api/v1/places?{query}")).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
}

#[tokio::test]
async fn an_unknown_record_or_path_is_a_problem_404() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/places/999").await;
    assert_problem(response, StatusCode::NOT_FOUND, None).await;
    let response = app.get("/api/v1/nothing-here").await;
    assert_problem(response, StatusCode::NOT_FOUND, None).await;
    let response = app.get("/api/v1/places/not-a-number").await;
    assert_problem(response, StatusCode::NOT_FOUND, None).await;
}
