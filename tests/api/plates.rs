//! The plates campaign (门牌设置上墙): production orders with print sheets, plates moved through
//! produced → installed → verified (all or none, never twice under 20 parallel requests), the
//! problems field checks and the public find, a renamed road's table published with its plates
//! replaced, owners' documents, and the refusals of each.

use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::addresses::{door, post, registered, road};
use crate::helpers::{TestApp, assert_problem, png_bytes, spawn_app};

/// A road of 西塘镇 with doors 1, 2 and 3 and building 2 of door 3, all assigned; answers the
/// road's id and the four address ids.
async fn numbered_road(app: &TestApp, token: &str, name: &str) -> (i64, String, Vec<i64>) {
    let (road_id, tag) = app.created_place("jiashan", &road(name)).await;
    let mut ids = Vec::new();
    for body in [
        json!({ "road_id": road_id, "number": 1, "point": door(15.0, true), "status": "assigned" }),
        json!({ "road_id": road_id, "number": 2, "point": door(25.0, false), "status": "assigned" }),
        json!({ "road_id": road_id, "number": 3, "point": door(45.0, true), "status": "assigned" }),
        json!({ "road_id": road_id, "number": 3, "building": "2", "status": "assigned" }),
    ] {
        let (address, _) = registered(app, token, &body).await;
        ids.push(address["id"].as_i64().unwrap());
    }
    (road_id, tag, ids)
}

async fn progress(app: &TestApp, token: &str) -> Value {
    let (status, body) = app
        .get_json("/api/v1/addresses/plates?division=330421101", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn stage(app: &TestApp, token: &str, order: i64, body: Value) -> Response {
    post(
        app,
        token,
        &format!("/api/v1/addresses/plate-orders/{order}/stage"),
        &body,
    )
    .await
}

async fn orders(app: &TestApp, token: &str) -> usize {
    let (_, body) = app
        .get_json(
            "/api/v1/addresses/plate-orders?division=330421",
            Some(token),
        )
        .await;
    body["orders"].as_array().unwrap().len()
}

fn problems_of(progress: &Value, address: i64) -> Vec<(&str, &str)> {
    progress["worklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["address_id"] == address)
        .flat_map(|w| w["problems"].as_array().unwrap())
        .map(|p| {
            (
                p["problem"].as_str().unwrap(),
                p["source"].as_str().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_order_takes_its_plates_from_the_print_shop_to_the_wall() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _, ids) = numbered_road(&app, &token, "塘东路").await;
    let before = progress(&app, &token).await;
    assert_eq!(before["total"]["no_plate"], 4);
    assert_eq!(before["total"]["missing"], 4);

    // Refusals, each with nothing stored.
    let path = "/api/v1/addresses/plate-orders";
    let pinghu = app.token("pinghu").await;
    let other = post(&app, &pinghu, path, &json!({ "road_id": road_id })).await;
    assert_problem(other, StatusCode::FORBIDDEN, None).await;
    let public = app
        .client
        .post(app.url(path))
        .json(&json!({ "road_id": road_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::UNAUTHORIZED);
    let neither = post(&app, &token, path, &json!({})).await;
    assert_problem(neither, StatusCode::BAD_REQUEST, Some("road_id")).await;
    let both = post(
        &app,
        &token,
        path,
        &json!({ "road_id": road_id, "division_code": "330421101" }),
    )
    .await;
    assert_problem(both, StatusCode::BAD_REQUEST, Some("road_id")).await;
    let bad_day = post(
        &app,
        &token,
        path,
        &json!({ "road_id": road_id, "due_on": "next week" }),
    )
    .await;
    assert_problem(bad_day, StatusCode::BAD_REQUEST, Some("due_on")).await;
    assert_eq!(orders(&app, &token).await, 0);

    let created = post(
        &app,
        &token,
        path,
        &json!({ "road_id": road_id, "due_on": "2027-03-31", "note": "第一批" }),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let order: Value = created.json().await.unwrap();
    let order_id = order["id"].as_i64().unwrap();
    assert_eq!(order["items"].as_array().unwrap().len(), 4);
    assert_eq!(order["stages"]["ordered"], 4);
    let first = &order["items"][0];
    assert_eq!(first["address_id"], ids[0]);
    assert_eq!(first["standard_address"], "嘉善县西塘镇塘东路1号");
    let sign_id = first["sign_id"].as_i64().unwrap();
    let (_, sign) = app
        .get_json(&format!("/api/v1/signs/{sign_id}"), Some(&token))
        .await;
    assert_eq!(
        (
            sign["sign"]["status"].as_str(),
            sign["sign"]["kind"].as_str()
        ),
        (Some("planned"), Some("door_plate_large"))
    );
    let (_, building) = app
        .get_json(
            &format!("/api/v1/signs/{}", order["items"][3]["sign_id"]),
            Some(&token),
        )
        .await;
    assert_eq!(building["sign"]["kind"], "building");
    // Everything is on an order now: a second one has nothing to take.
    let again = post(&app, &token, path, &json!({ "road_id": road_id })).await;
    assert_problem(again, StatusCode::CONFLICT, None).await;
    assert_eq!(progress(&app, &token).await["total"]["ordered"], 4);

    // A plate is made before it is put up.
    let early = stage(&app, &token, order_id, json!({ "stage": "installed" })).await;
    assert_problem(early, StatusCode::CONFLICT, None).await;
    let named = stage(
        &app,
        &token,
        order_id,
        json!({ "stage": "installed", "address_ids": [ids[0]] }),
    )
    .await;
    assert_problem(named, StatusCode::UNPROCESSABLE_ENTITY, Some("address_ids")).await;
    for (body, field) in [
        (json!({ "stage": "ordered" }), "stage"),
        (
            json!({ "stage": "produced", "address_ids": [] }),
            "address_ids",
        ),
        (
            json!({ "stage": "produced", "done_on": "2999-01-01" }),
            "done_on",
        ),
    ] {
        let response = stage(&app, &token, order_id, body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let foreign = stage(&app, &pinghu, order_id, json!({ "stage": "produced" })).await;
    assert_problem(foreign, StatusCode::FORBIDDEN, None).await;

    let produced = stage(&app, &token, order_id, json!({ "stage": "produced" })).await;
    assert_eq!(produced.status(), StatusCode::OK);
    let produced: Value = produced.json().await.unwrap();
    assert_eq!(produced["stages"]["produced"], 4);

    // Twenty people put the same plate up at once: it goes up once.
    let attempts = (0..20).map(|_| {
        stage(
            &app,
            &token,
            order_id,
            json!({ "stage": "installed", "address_ids": [ids[0]] }),
        )
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(Response::status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| {
        [
            StatusCode::OK,
            StatusCode::CONFLICT,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::SERVICE_UNAVAILABLE,
        ]
        .contains(s)
    }));
    let (_, log) = app
        .get_json(
            &format!("/api/v1/signs/{sign_id}/maintenance"),
            Some(&token),
        )
        .await;
    assert_eq!(log["entries"].as_array().map(Vec::len), Some(1), "{log}");
    let (_, sign) = app
        .get_json(&format!("/api/v1/signs/{sign_id}"), Some(&token))
        .await;
    assert_eq!(sign["sign"]["status"], "installed");
    assert!(sign["sign"]["installed_on"].is_string());

    // The second plate goes up with its photo, which must be one of its own sign's.
    let second_sign = order["items"][1]["sign_id"].as_i64().unwrap();
    let upload = app
        .client
        .post(app.url(&format!("/api/v1/signs/{second_sign}/photos")))
        .bearer_auth(&token)
        .multipart(
            Form::new().part(
                "photo",
                Part::bytes(png_bytes(64, 48, true))
                    .file_name("p.png")
                    .mime_str("image/png")
                    .unwrap(),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let photo: Value = upload.json().await.unwrap();
    let photo_id = photo["photo_id"].as_i64().unwrap();
    let wrong_plate = stage(
        &app,
        &token,
        order_id,
        json!({ "stage": "installed", "address_ids": [ids[2]], "photo_id": photo_id }),
    )
    .await;
    assert_problem(
        wrong_plate,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("photo_id"),
    )
    .await;
    let with_photo = stage(
        &app,
        &token,
        order_id,
        json!({ "stage": "installed", "address_ids": [ids[1]], "photo_id": photo_id }),
    )
    .await;
    assert_eq!(with_photo.status(), StatusCode::OK);
    let with_photo: Value = with_photo.json().await.unwrap();
    assert_eq!(with_photo["items"][1]["photo_id"], photo_id);

    let verified = stage(
        &app,
        &token,
        order_id,
        json!({ "stage": "verified", "address_ids": [ids[0]] }),
    )
    .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["items"][0]["verified_by_name"], "jiashan");
    let now = progress(&app, &token).await;
    let total = &now["total"];
    assert_eq!(
        (
            &total["verified"],
            &total["installed"],
            &total["produced"],
            &total["no_plate"]
        ),
        (&json!(1), &json!(1), &json!(2), &json!(0))
    );
    assert_eq!(total["percent_on_wall"], 50.0);

    // The print sheets carry every plate's address and code.
    let sheet = app
        .client
        .get(app.url(&format!(
            "/api/v1/addresses/plate-orders/{order_id}/sheet.pdf"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), StatusCode::OK);
    let pdf = sheet.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sheet.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    let text: String = String::from_utf8(output.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for item in order["items"].as_array().unwrap() {
        assert!(
            text.contains(item["public_code"].as_str().unwrap()),
            "{text}"
        );
    }
    assert!(text.contains("塘东路3号2幢"), "{text}");
    let big = app
        .client
        .get(app.url(&format!(
            "/api/v1/addresses/plate-orders/{order_id}/sheet.pdf?size_mm=500"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(big, StatusCode::BAD_REQUEST, Some("size_mm")).await;
    let (status, _) = app
        .get_json(
            &format!("/api/v1/addresses/plate-orders/{order_id}"),
            Some(&pinghu),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn field_checks_and_the_public_flag_problems_until_they_are_put_right() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _, ids) = numbered_road(&app, &token, "塘东路").await;
    let created = post(
        &app,
        &token,
        "/api/v1/addresses/plate-orders",
        &json!({ "road_id": road_id }),
    )
    .await;
    let order: Value = created.json().await.unwrap();
    let order_id = order["id"].as_i64().unwrap();
    for to in ["produced", "installed"] {
        let response = stage(&app, &token, order_id, json!({ "stage": to })).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(progress(&app, &token).await["worklist"], json!([]));

    let flags = format!("/api/v1/addresses/{}/plate-flags", ids[0]);
    for (body, field) in [
        (json!({ "problem": "broken", "note": "x" }), "problem"),
        (json!({ "problem": "damaged", "note": "  " }), "note"),
    ] {
        let response = post(&app, &token, &flags, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let not_a_plate = post(
        &app,
        &token,
        &flags,
        &json!({ "problem": "damaged", "note": "x", "sign_id": 999_999 }),
    )
    .await;
    assert_problem(
        not_a_plate,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("sign_id"),
    )
    .await;
    let pinghu = app.token("pinghu").await;
    let foreign = post(
        &app,
        &pinghu,
        &flags,
        &json!({ "problem": "damaged", "note": "牌面开裂" }),
    )
    .await;
    assert_problem(foreign, StatusCode::FORBIDDEN, None).await;
    assert_eq!(progress(&app, &token).await["total"]["damaged"], 0);

    let raised = post(
        &app,
        &token,
        &flags,
        &json!({ "problem": "damaged", "note": "牌面开裂" }),
    )
    .await;
    assert_eq!(raised.status(), StatusCode::CREATED);
    let flag: Value = raised.json().await.unwrap();
    let now = progress(&app, &token).await;
    assert_eq!(now["total"]["damaged"], 1);
    assert_eq!(problems_of(&now, ids[0]), [("damaged", "field_check")]);

    // A passer-by reports that the second plate says the wrong thing.
    let code = order["items"][1]["public_code"].as_str().unwrap();
    let report = app
        .client
        .post(app.url(&format!("/s/{code}/report")))
        .multipart(
            Form::new()
                .text("kind", "wrong_text")
                .text("text", "门牌号写错了")
                .text("website", ""),
        )
        .send()
        .await
        .unwrap();
    assert!(report.status().is_success(), "{}", report.status());
    let now = progress(&app, &token).await;
    assert_eq!(problems_of(&now, ids[1]), [("wrong", "public_report")]);
    assert_eq!(now["total"]["wrong"], 1);

    let resolve = format!(
        "/api/v1/addresses/plate-flags/{}/resolve",
        flag["id"].as_i64().unwrap()
    );
    let empty = post(&app, &token, &resolve, &json!({ "resolution": "" })).await;
    assert_problem(empty, StatusCode::BAD_REQUEST, Some("resolution")).await;
    let done = post(
        &app,
        &token,
        &resolve,
        &json!({ "resolution": "已更换新牌" }),
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    let twice = post(
        &app,
        &token,
        &resolve,
        &json!({ "resolution": "已更换新牌" }),
    )
    .await;
    assert_problem(twice, StatusCode::CONFLICT, None).await;
    let now = progress(&app, &token).await;
    assert_eq!(now["total"]["damaged"], 0);
    assert!(problems_of(&now, ids[0]).is_empty());
}

#[tokio::test]
async fn a_renamed_road_publishes_its_table_and_its_plates_are_replaced() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, tag, ids) = numbered_road(&app, &token, "塘东路").await;
    let order: Value = post(
        &app,
        &token,
        "/api/v1/addresses/plate-orders",
        &json!({ "road_id": road_id }),
    )
    .await
    .json()
    .await
    .unwrap();
    let first_order = order["id"].as_i64().unwrap();
    for to in ["produced", "installed"] {
        stage(&app, &token, first_order, json!({ "stage": to })).await;
    }
    let old_signs: Vec<i64> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sign_id"].as_i64().unwrap())
        .collect();

    let mut renamed = road("塘东大道");
    renamed["change"] = json!({ "comment": "经批准更名为塘东大道" });
    let response = app
        .update_place(Some(&token), road_id, Some(&tag), &renamed)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The renaming is entered in the record directly here, not announced through the procedure.
    let admin = app.token("admin").await;
    let rules = app
        .client
        .put(app.url("/api/v1/addresses/rules/330421"))
        .bearer_auth(&admin)
        .json(&json!({ "renumber_after_announcement": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(rules.status(), StatusCode::OK);
    let applied = post(
        &app,
        &token,
        &format!("/api/v1/addresses/roads/{road_id}/renumbering"),
        &json!({ "apply": true, "comment": "道路更名后门牌重编" }),
    )
    .await;
    assert_eq!(applied.status(), StatusCode::OK);
    let applied: Value = applied.json().await.unwrap();
    let table_id = applied["renumbering_id"].as_i64().unwrap();
    let replacement = applied["order_id"].as_i64().unwrap();

    // The table is public, with every old and new address.
    let page = app
        .get(&format!("/public/addresses/renumberings/{table_id}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for expected in [
        "塘东大道门牌号变更对照表",
        "嘉善县西塘镇塘东路1号",
        "嘉善县西塘镇塘东大道1号",
        "嘉善县西塘镇塘东路3号2幢",
        "塘东路更名为塘东大道",
    ] {
        assert!(html.contains(expected), "{expected}: {html}");
    }
    let list = app
        .get("/public/addresses/renumberings")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&format!("/public/addresses/renumberings/{table_id}")));
    let (status, json_table) = app
        .get_json(
            &format!("/public/addresses/renumberings/{table_id}?format=json"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let new_ids: Vec<i64> = json_table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["new_address_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        new_ids,
        applied["new_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        app.get("/public/addresses/renumberings/999").await.status(),
        StatusCode::NOT_FOUND
    );

    // The replacement order makes a new plate for every new address, each replacing the old.
    let (_, order) = app
        .get_json(
            &format!("/api/v1/addresses/plate-orders/{replacement}"),
            Some(&token),
        )
        .await;
    assert_eq!(order["purpose"], "replacement");
    assert_eq!(order["renumbering_id"], table_id);
    assert!(order["due_on"].is_string());
    let replaced: Vec<i64> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["replaces_sign_id"].as_i64().unwrap())
        .collect();
    let mut sorted = replaced.clone();
    sorted.sort();
    assert_eq!(sorted, old_signs);
    // Until the new plates are up, the old ones say the wrong address.
    let now = progress(&app, &token).await;
    assert_eq!(now["total"]["wrong"], 4, "{}", now["total"]);
    assert_eq!(now["total"]["ordered"], 4);
    assert!(
        ids.iter().all(|id| problems_of(&now, *id).is_empty()),
        "the old addresses are retired"
    );
    for to in ["produced", "installed"] {
        let response = stage(&app, &token, replacement, json!({ "stage": to })).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let now = progress(&app, &token).await;
    assert_eq!(now["total"]["wrong"], 0);
    assert_eq!(now["total"]["installed"], 4);
    let new_first = order["items"][0]["sign_id"].as_i64().unwrap();
    let (_, old) = app
        .get_json(&format!("/api/v1/signs/{}", replaced[0]), Some(&token))
        .await;
    assert_eq!(old["sign"]["status"], "retired");
    assert_eq!(old["sign"]["replaced_by"], new_first);
}

#[tokio::test]
async fn an_applications_documents_are_kept_as_received_and_checked() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let filed = post(
        &app,
        &token,
        "/api/v1/addresses/applications",
        &json!({ "road_id": road_id, "applicant": "某公司", "point": door(15.0, true),
                 "documents": ["建设工程规划许可证"] }),
    )
    .await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let filed: Value = filed.json().await.unwrap();
    let path = format!(
        "/api/v1/addresses/applications/{}/documents",
        filed["id"].as_i64().unwrap()
    );
    let send = |title: Option<&'static str>, bytes: Vec<u8>, token: String| {
        let mut url = app.url(&path);
        if let Some(title) = title {
            url = format!("{url}?title={}", crate::helpers::encoded(title));
        }
        let request = app.client.post(url).bearer_auth(token).body(bytes);
        async move { request.send().await.unwrap() }
    };
    let pdf = b"%PDF-1.4\n% a scanned permit\n".to_vec();
    let untitled = send(None, pdf.clone(), token.clone()).await;
    assert_problem(untitled, StatusCode::BAD_REQUEST, Some("title")).await;
    let program = send(
        Some("总平面图"),
        b"MZ\x90\x00binary".to_vec(),
        token.clone(),
    )
    .await;
    assert_problem(program, StatusCode::BAD_REQUEST, Some("document")).await;
    let huge = send(Some("总平面图"), vec![b'%'; 11 << 20], token.clone()).await;
    assert_problem(huge, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    let pinghu = app.token("pinghu").await;
    let foreign = send(Some("总平面图"), pdf.clone(), pinghu).await;
    assert_problem(foreign, StatusCode::NOT_FOUND, None).await;
    let (_, listed) = app.get_json(&path, Some(&token)).await;
    assert_eq!(
        listed["documents"],
        json!([]),
        "nothing kept from the refusals"
    );

    let kept = send(Some("建设工程规划许可证"), pdf.clone(), token.clone()).await;
    assert_eq!(kept.status(), StatusCode::CREATED);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["media_type"], "application/pdf");
    assert_eq!(kept["title"], "建设工程规划许可证");
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(kept["sha256"], digest);
    let download = app
        .client
        .get(app.url(&format!("{path}/{}", kept["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
}

#[tokio::test]
async fn a_door_is_found_typed_in_pinyin_or_with_chinese_numerals() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    numbered_road(&app, &token, "塘东路").await;
    for text in [
        "Tangdong Lu 3 hao 2 zhuang",
        "tangdonglu3hao2zhuang",
        "塘东路三号2幢",
    ] {
        let (status, found) = app
            .get_json(
                &format!(
                    "/api/v1/addresses/geocode?q={}",
                    crate::helpers::encoded(text)
                ),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}: {found}");
        assert_eq!(
            found["address"]["standard_address"], "嘉善县西塘镇塘东路3号2幢",
            "{text}: {found}"
        );
    }
}

#[tokio::test]
async fn a_one_sided_road_takes_doors_on_its_side_only() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    // Numbered from the east, the north side is on the right: doors on the north only.
    let settings = app
        .client
        .put(app.url(&format!("/api/v1/addresses/roads/{road_id}")))
        .bearer_auth(&token)
        .json(&json!({ "doors_on": "right" }))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), StatusCode::OK);
    let south = post(
        &app,
        &token,
        "/api/v1/addresses",
        &json!({ "road_id": road_id, "number": 2, "point": door(25.0, false) }),
    )
    .await;
    let problem = assert_problem(south, StatusCode::UNPROCESSABLE_ENTITY, Some("point")).await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("one-sided"),
        "{problem}"
    );
    let proposal = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(25.0, false) }),
    )
    .await;
    assert_problem(proposal, StatusCode::UNPROCESSABLE_ENTITY, Some("point")).await;
    assert_eq!(app.store.address_count().await.unwrap(), 0);
    let north = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(25.0, true) }),
    )
    .await;
    assert_eq!(north.status(), StatusCode::OK);
    let north: Value = north.json().await.unwrap();
    assert_eq!(north["number"]["number"], 1, "{north}");
}
