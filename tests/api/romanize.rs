//! `/api/v1/romanize`, romanization filled in on create, learned corrections and the check for
//! clean-up campaigns, and `diming romanize`.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encoded, spawn_app, xitang};

async fn romanize(app: &TestApp, query: &str, token: Option<&str>) -> (StatusCode, Value) {
    app.get_json(&format!("/api/v1/romanize?{query}"), token)
        .await
}

#[tokio::test]
async fn a_name_is_romanized_with_its_reasons() {
    let app = spawn_app().await;
    let (status, body) = romanize(
        &app,
        &format!(
            "name={}&category={}",
            encoded("长治市"),
            encoded("行政区域")
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["standard"], "Chángzhì Shì");
    assert_eq!(body["sign"], "Changzhi Shi");
    assert_eq!(body["proper"]["sign"], "Changzhi");
    assert_eq!(body["generic"]["chinese"], "市");
    let chang = body["readings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["char"] == "长")
        .unwrap();
    assert_eq!(chang["reading"], "cháng");
    assert!(chang["decided_by"].as_str().unwrap().contains("GeoNames"));

    // The category decides the generic term; a category code or a sub-category works too.
    let (_, river) = romanize(
        &app,
        &format!("name={}&category=121", encoded("黑龙江")),
        None,
    )
    .await;
    assert_eq!(river["sign"], "Heilong Jiang");
    let (_, street) = romanize(
        &app,
        &format!(
            "name={}&category={}",
            encoded("景山后街"),
            encoded("城市道路")
        ),
        None,
    )
    .await;
    assert_eq!(street["sign"], "Jingshan Houjie");
    // A local reading needs the division.
    let (_, beijing) = romanize(
        &app,
        &format!("name={}&category=24&division=110105", encoded("十里堡")),
        None,
    )
    .await;
    assert_eq!(beijing["sign"], "Shilipu");
    // An explicit split.
    let (_, split) = romanize(
        &app,
        &format!(
            "name={}&proper={}",
            encoded("王府井大街"),
            encoded("王府井")
        ),
        None,
    )
    .await;
    assert_eq!(split["sign"], "Wangfujing Dajie");
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_at_fault() {
    let app = spawn_app().await;
    for (query, field) in [
        ("name=".to_string(), "name"),
        ("category=21".to_string(), "name"),
        (format!("name={}", encoded("Beijing路")), "name"),
        (format!("name={}", encoded("北京-路")), "name"),
        // U+2A6D6: a character the reading tables do not have; it is reported, not guessed.
        (format!("name={}", encoded("\u{2A6D6}村")), "name"),
        (
            format!(
                "name={}&category={}",
                encoded("北京市"),
                encoded("河流湖泊")
            ),
            "category",
        ),
        (
            format!("name={}&division=33x", encoded("北京市")),
            "division",
        ),
        (
            format!("name={}&proper={}", encoded("王府井大街"), encoded("东单")),
            "proper",
        ),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/romanize?{query}")))
            .send()
            .await
            .unwrap();
        let body = assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
        if query.contains("%F0%AA%9B%96") {
            assert!(
                body["detail"].as_str().unwrap().contains('\u{2A6D6}'),
                "{body}"
            );
        }
    }
    let response = app
        .client
        .get(app.url("/api/v1/romanize?name=x&colour=red"))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, Some("colour")).await;
}

fn place(name: &str, category: &str, division: &str, romanization: Option<&str>) -> Value {
    let mut feature = xitang(name);
    feature["properties"]["category"] = json!(category);
    feature["properties"]["division_codes"] = json!([division]);
    match romanization {
        Some(text) => feature["properties"]["romanization"] = json!(text),
        None => {
            feature["properties"]
                .as_object_mut()
                .unwrap()
                .remove("romanization");
        }
    }
    feature
}

#[tokio::test]
async fn a_record_without_romanization_gets_the_rules_one() {
    let app = spawn_app().await;
    let (id, _) = app
        .created_place("jiashan", &place("西塘镇", "214", "330421101", None))
        .await;
    let (_, body) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(body["properties"]["romanization"], "Xītáng Zhèn");
    assert_eq!(body["properties"]["generic_romanization"], "Zhèn");
    // A romanization given at registration is kept as given.
    let (id, _) = app
        .created_place("jiashan", &place("西塘", "24", "330421101", Some("Xitang")))
        .await;
    let (_, body) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(body["properties"]["romanization"], "Xitang");
    assert_eq!(app.store.correction_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_correction_is_learned_with_who_and_why_and_used_from_then_on() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, etag) = app
        .created_place("jiashan", &place("十里堡村", "24", "330421101", None))
        .await;
    let (_, before) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(before["properties"]["romanization"], "Shílǐbǔcūn");

    // Staff correct it: the village says Shilipu.
    let mut corrected = place("十里堡村", "24", "330421101", Some("Shílǐpùcūn"));
    corrected["change"] = json!({ "comment": "村民读作 pù, confirmed on site" });
    let response = app
        .update_place(Some(&token), id, Some(&etag), &corrected)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    assert_eq!(app.store.correction_count().await.unwrap(), 1);

    // The romanizer now answers with the correction for that name in that division, and says
    // who made it and why, to staff.
    let query = format!(
        "name={}&category=24&division=330421101",
        encoded("十里堡村")
    );
    let (_, staff_view) = romanize(&app, &query, Some(&token)).await;
    assert_eq!(staff_view["sign"], "Shilipucun");
    let reason = staff_view["reasons"][0]["detail"].as_str().unwrap();
    assert!(
        reason.contains("jiashan") && reason.contains("confirmed on site"),
        "{reason}"
    );
    // The public gets the corrected spelling of a public record, without the staff member's name.
    let (_, public_view) = romanize(&app, &query, None).await;
    assert_eq!(public_view["sign"], "Shilipucun");
    assert!(!public_view.to_string().contains("jiashan"));
    // Elsewhere the rules still apply.
    let (_, elsewhere) = romanize(
        &app,
        &format!("name={}&category=24&division=330482", encoded("十里堡村")),
        Some(&token),
    )
    .await;
    assert_eq!(elsewhere["sign"], "Shilibucun");

    // A new record of that name in that division is filled in with the correction.
    let (other, _) = app
        .created_place("jiashan", &place("十里堡村", "24", "330421101", None))
        .await;
    let (_, body) = app.get_json(&format!("/api/v1/places/{other}"), None).await;
    assert_eq!(body["properties"]["romanization"], "Shílǐpùcūn");
}

#[tokio::test]
async fn corrections_on_records_that_are_not_public_do_not_reach_the_public() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let mut secret = place("十里堡村", "24", "330421101", None);
    secret["properties"]["classification"] = json!("internal");
    let (id, etag) = app.created_place("jiashan", &secret).await;
    let mut corrected = secret.clone();
    corrected["properties"]["romanization"] = json!("Shilipucun");
    corrected["change"] = json!({ "comment": "local reading" });
    let response = app
        .update_place(Some(&token), id, Some(&etag), &corrected)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let query = format!(
        "name={}&category=24&division=330421101",
        encoded("十里堡村")
    );
    let (_, public_view) = romanize(&app, &query, None).await;
    assert_eq!(public_view["sign"], "Shilibucun");
    let (_, staff_view) = romanize(&app, &query, Some(&token)).await;
    assert_eq!(staff_view["sign"], "Shilipucun");
}

#[tokio::test]
async fn the_check_lists_records_that_disagree_with_the_rules() {
    let app = spawn_app().await;
    let (wrong, _) = app
        .created_place(
            "jiashan",
            &place("西塘镇", "214", "330421101", Some("Xitang")),
        )
        .await;
    let (right, _) = app
        .created_place(
            "jiashan",
            &place("西塘镇", "214", "330421101", Some("Xitang Zhen")),
        )
        .await;
    let (filled, _) = app
        .created_place("jiashan", &place("西塘镇", "214", "330421101", None))
        .await;

    let response = app.get("/api/v1/romanize/check").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;

    let token = app.token("reviewer").await;
    let (status, body) = app
        .get_json("/api/v1/romanize/check?division=330421", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids: Vec<i64> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&wrong), "{body}");
    assert!(!ids.contains(&right) && !ids.contains(&filled), "{body}");
    let record = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == wrong)
        .unwrap();
    assert_eq!(record["finding"], "differs");
    assert_eq!(record["stored"], "Xitang");
    assert_eq!(record["expected_sign"], "Xitang Zhen");
    assert_eq!(body["checked"], 3);

    let (_, other_county) = app
        .get_json("/api/v1/romanize/check?division=330482", Some(&token))
        .await;
    assert_eq!(other_county["numberMatched"], 0);
    let response = app
        .client
        .get(app.url("/api/v1/romanize/check?limit=0"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, Some("limit")).await;
}

#[test]
fn the_command_line_romanizes_and_explains() {
    let output = Command::new(env!("CARGO_BIN_EXE_diming"))
        .args(["romanize", "朝阳门内南小街", "--category", "交通运输设施"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Cháoyángménnèi Nánxiǎojiē"));
    assert_eq!(lines.next(), Some("Chaoyangmennei Nanxiaojie"));
    assert!(text.contains("rule 2"), "{text}");

    let refused = Command::new(env!("CARGO_BIN_EXE_diming"))
        .args(["romanize", "Beijing", "--category", "行政区域"])
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not Chinese"));
}
