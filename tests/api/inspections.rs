//! The joint boundary inspection through HTTP on a recorded 嘉善县 | 平湖市 line with three
//! markers: a whole round (open, both sides record — one as an offline batch sent twice —,
//! reconcile, discuss, dispute, tasks, both sign, locked, then 409 on any change and `verify`
//! finding a record altered in the SQLite file behind the service's back); each refusal with
//! nothing stored; offsets against PROJ's `geod`.

use std::process::Command;

use diming::domain::account::Role;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, png_bytes, spawn_app_with};

const LINE: &str = "330421330482";
/// 嘉善县: the smaller code, red on the claim map; the cooperating side here.
const JS: &str = "330421";
/// 平湖市: the lead side (牵头方) of these rounds.
const PH: &str = "330482";
const M1: &str = "330421330482001Q";
const M2: &str = "330421330482002Q";
const M3: &str = "330421330482003Q";

/// The markers as registered (CGCS2000): on the recorded line below.
const MARKERS: [(&str, f64, f64); 3] = [
    (M1, 120.96, 30.802),
    (M2, 121.0, 30.81),
    (M3, 121.04, 30.802),
];

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: &Value) -> Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn ok_json(response: Response, status: StatusCode) -> Value {
    let got = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

struct Tokens {
    admin: String,
    js_inspector: String,
    js_signer: String,
    ph_inspector: String,
    ph_signer: String,
    ph_other: String,
    outsider: String,
}

/// A service with the line recorded (with its agreement and segment leads), three markers on
/// it and the accounts of both sides.
async fn line_with_markers() -> (TestApp, Tokens) {
    let app = spawn_app_with(|_| {}).await;
    for (name, role, side) in [
        ("js.inspector", Role::Inspector, JS),
        ("js.signer", Role::Editor, JS),
        ("ph.inspector", Role::Inspector, PH),
        ("ph.signer", Role::Editor, PH),
        ("ph.other", Role::Inspector, PH),
        ("outsider", Role::Inspector, "330481"),
    ] {
        app.create_account(name, role, &[side]).await;
    }
    let tokens = Tokens {
        admin: app.token("admin").await,
        js_inspector: app.token("js.inspector").await,
        js_signer: app.token("js.signer").await,
        ph_inspector: app.token("ph.inspector").await,
        ph_signer: app.token("ph.signer").await,
        ph_other: app.token("ph.other").await,
        outsider: app.token("outsider").await,
    };
    let stop = |n: u32| format!("{LINE}{n:03}");
    let line = json!({
        "between": [JS, PH],
        "agreement": { "title": "嘉善县与平湖市行政区域界线协议书", "number": "嘉界〔2002〕3号", "signed_on": "2002-09-18" },
        "approved_by": "嘉兴市人民政府",
        "geometry": { "type": "LineString", "coordinates": [[120.95, 30.80], [121.0, 30.81], [121.05, 30.80]] },
        "segment_leads": [
            { "to_marker": stop(1), "lead": JS },
            { "from_marker": stop(1), "to_marker": stop(2), "lead": PH },
            { "from_marker": stop(2), "to_marker": stop(3), "lead": JS },
            { "from_marker": stop(3), "lead": PH },
        ],
        "effective_on": "2002-10-01"
    });
    ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/boundary-lines",
            &tokens.admin,
            &line,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for (number, lon, lat) in MARKERS {
        let marker = json!({
            "marker_number": number, "x": lon, "y": lat, "material": "花岗岩",
            "installed_on": "2003-05-01",
            "references": [{ "name": "电杆", "bearing_deg": 45.0, "distance_m": 12.5 }]
        });
        ok_json(
            send(
                &app,
                Method::POST,
                "/api/v1/markers",
                &tokens.admin,
                &marker,
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    (app, tokens)
}

fn open_body(number: i64) -> Value {
    json!({
        "line_code": LINE,
        "round_number": number,
        "lead_side": PH,
        "planned_start": "2026-04-01",
        "planned_end": "2026-06-30",
        "teams": [
            { "side": PH, "inspectors": ["ph.inspector"], "signer": "ph.signer" },
            { "side": JS, "inspectors": ["js.inspector"], "signer": "js.signer" },
        ]
    })
}

async fn open_round(app: &TestApp, tokens: &Tokens) -> i64 {
    let round = ok_json(
        send(
            app,
            Method::POST,
            "/api/v1/inspections",
            &tokens.admin,
            &open_body(7),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    round["id"].as_i64().unwrap()
}

async fn etag(app: &TestApp, token: &str, id: i64) -> String {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/inspections/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["etag"].to_str().unwrap().to_string()
}

async fn move_round(app: &TestApp, token: &str, id: i64, to: &str) -> Response {
    let tag = etag(app, token, id).await;
    app.client
        .post(app.url(&format!("/api/v1/inspections/{id}/state")))
        .bearer_auth(token)
        .header("If-Match", tag)
        .json(&json!({ "to": to }))
        .send()
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, token: &str, id: i64) -> String {
    let (_, round) = app
        .get_json(&format!("/api/v1/inspections/{id}"), Some(token))
        .await;
    round["state"].as_str().unwrap().to_string()
}

async fn stored_findings(app: &TestApp, id: i64) -> usize {
    app.store
        .inspection_records(id)
        .await
        .unwrap()
        .unwrap()
        .findings
        .len()
}

fn today() -> String {
    diming::app::today().to_string()
}

fn marker_finding(condition: &str, position: Option<Value>) -> Value {
    let mut finding = json!({
        "observed_on": today(),
        "condition": condition,
        "references": [{ "name": "电杆", "found": true, "bearing_deg": 45.2, "distance_m": 12.4 }],
        "present": { PH: ["王平"], JS: ["李善"] },
    });
    if condition != "missing" && condition != "destroyed" {
        finding["inscription"] = json!("legible");
    }
    if let Some(position) = position {
        finding["position"] = position;
    }
    finding
}

fn stretch_finding(identifiable: bool) -> Value {
    json!({ "observed_on": today(), "line_identifiable": identifiable })
}

async fn record(app: &TestApp, token: &str, id: i64, subject: &str, finding: Value) -> Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/findings"),
        token,
        &json!({ "subject": subject, "finding": finding }),
    )
    .await
}

async fn upload_photo(app: &TestApp, token: &str, id: i64) -> i64 {
    let form = Form::new().part(
        "photo",
        Part::bytes(png_bytes(32, 24, false))
            .file_name("m.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/inspections/{id}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    ok_json(response, StatusCode::CREATED).await["photo_id"]
        .as_i64()
        .unwrap()
}

/// 平湖市's team records every item one by one.
async fn lead_side_records(app: &TestApp, tokens: &Tokens, id: i64, photo: i64) {
    let t = &tokens.ph_inspector;
    let mut m1 = marker_finding("intact", Some(json!({ "x": 120.96001, "y": 30.802005 })));
    m1["photo_ids"] = json!([photo]);
    for (subject, finding) in [
        (M1, m1),
        (M2, marker_finding("damaged", None)),
        (
            M3,
            marker_finding("moved", Some(json!({ "x": 121.04002, "y": 30.8021 }))),
        ),
        ("segment-1", stretch_finding(true)),
        ("segment-2", stretch_finding(true)),
        ("segment-3", stretch_finding(true)),
        ("segment-4", stretch_finding(true)),
        ("line", stretch_finding(true)),
    ] {
        ok_json(
            record(app, t, id, subject, finding).await,
            StatusCode::CREATED,
        )
        .await;
    }
}

/// 嘉善县's team's device: every item captured offline, M1 in Gauss–Krüger zone 40.
async fn cooperating_batch(app: &TestApp) -> Value {
    let (_, gk) = app
        .get_json(
            "/api/v1/transform?from=EPSG:4490&to=EPSG:4549&x=120.960012&y=30.802004",
            None,
        )
        .await;
    let m1_position = json!({ "crs": "EPSG:4549", "x": gk["x"], "y": gk["y"] });
    let mut river = stretch_finding(false);
    river["changes"] = json!([{
        "kind": "river",
        "description": "河道东移约20米，界线仍以协议书为准",
        "geometry": { "type": "LineString", "coordinates": [[121.01, 30.808], [121.02, 30.806]] }
    }]);
    let items: Vec<Value> = [
        (M1, marker_finding("intact", Some(m1_position))),
        (M2, marker_finding("missing", None)),
        (
            M3,
            marker_finding("moved", Some(json!({ "x": 121.040021, "y": 30.802101 }))),
        ),
        ("segment-1", stretch_finding(true)),
        ("segment-2", stretch_finding(true)),
        ("segment-3", river),
        ("segment-4", stretch_finding(true)),
        ("line", stretch_finding(true)),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (subject, finding))| {
        json!({
            "client_id": format!("js-tablet-1:{i}"),
            "captured_at": "2026-04-20T02:30:00Z",
            "subject": subject,
            "finding": finding,
        })
    })
    .collect();
    json!({ "items": items })
}

async fn send_batch(app: &TestApp, token: &str, id: i64, batch: &Value) -> Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/findings/batch"),
        token,
        batch,
    )
    .await
}

async fn report(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, report) = app
        .get_json(&format!("/api/v1/inspections/{id}/report"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

async fn sign(app: &TestApp, token: &str, id: i64, side: &str, hash: &str) -> Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/signatures"),
        token,
        &json!({ "side": side, "hash": hash }),
    )
    .await
}

#[tokio::test]
async fn a_whole_round_from_opening_to_the_signed_report_and_its_verification() {
    let (app, tokens) = line_with_markers().await;

    // Only an administrator covering both sides opens a round.
    let refused = send(
        &app,
        Method::POST,
        "/api/v1/inspections",
        &tokens.ph_inspector,
        &open_body(7),
    )
    .await;
    assert_problem(refused, StatusCode::FORBIDDEN, None).await;
    assert!(app.store.inspection_rounds(None).await.unwrap().is_empty());
    let id = open_round(&app, &tokens).await;
    assert!(id > 1 << 32, "a random id: {id}");
    let (_, round) = app
        .get_json(
            &format!("/api/v1/inspections/{id}"),
            Some(&tokens.js_inspector),
        )
        .await;
    assert_eq!(round["state"], "planned");
    assert_eq!(round["label"], "第七轮");
    assert_eq!(round["basis"]["markers"].as_array().unwrap().len(), 3);
    assert_eq!(round["basis"]["segments"].as_array().unwrap().len(), 4);
    assert_eq!(round["basis"]["segments"][1]["lead"], PH);
    assert_eq!(
        round["basis"]["line"]["agreement"]["number"],
        "嘉界〔2002〕3号"
    );
    // A second round of the line while this one runs is a conflict.
    let again = send(
        &app,
        Method::POST,
        "/api/v1/inspections",
        &tokens.admin,
        &open_body(8),
    )
    .await;
    assert_problem(again, StatusCode::CONFLICT, None).await;

    // The lead side's team moves it on; the other side's team does not, nor out of order.
    let refused = move_round(&app, &tokens.js_inspector, id, "office_review").await;
    assert_problem(refused, StatusCode::FORBIDDEN, None).await;
    let skipped = move_round(&app, &tokens.ph_inspector, id, "reconciliation").await;
    assert_problem(skipped, StatusCode::CONFLICT, None).await;
    assert_eq!(state_of(&app, &tokens.admin, id).await, "planned");
    // Findings wait for field work.
    let early = record(
        &app,
        &tokens.ph_inspector,
        id,
        M1,
        marker_finding("intact", None),
    )
    .await;
    assert_problem(early, StatusCode::CONFLICT, None).await;
    for to in ["office_review", "field_work"] {
        ok_json(
            move_round(&app, &tokens.ph_inspector, id, to).await,
            StatusCode::OK,
        )
        .await;
    }

    // 平湖市 records one by one, with a photo of its own.
    let photo = upload_photo(&app, &tokens.ph_inspector, id).await;
    lead_side_records(&app, &tokens, id, photo).await;
    assert_eq!(stored_findings(&app, id).await, 8);

    // 嘉善县's device sends its batch twice: the second time changes nothing.
    let batch = cooperating_batch(&app).await;
    let first = ok_json(
        send_batch(&app, &tokens.js_inspector, id, &batch).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (first["recorded"].as_u64(), first["side"].as_str()),
        (Some(8), Some(JS))
    );
    let audit_before = app
        .get_json("/api/v1/audit?limit=1000", Some(&tokens.admin))
        .await
        .1["entries"]
        .as_array()
        .map(Vec::len);
    let second = ok_json(
        send_batch(&app, &tokens.js_inspector, id, &batch).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (second["recorded"].as_u64(), second["unchanged"].as_u64()),
        (Some(0), Some(8))
    );
    assert!(
        second["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "unchanged" && i["version"] == 1)
    );
    assert_eq!(stored_findings(&app, id).await, 16);
    let audit_after = app
        .get_json("/api/v1/audit?limit=1000", Some(&tokens.admin))
        .await
        .1["entries"]
        .as_array()
        .map(Vec::len);
    assert_eq!(audit_before, audit_after, "nothing written the second time");
    // During field work each side sees its own findings only.
    let (_, mine) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/findings"),
            Some(&tokens.js_inspector),
        )
        .await;
    assert!(
        mine["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["side"] == JS)
    );
    assert_eq!(mine["findings"].as_array().unwrap().len(), 8);

    // A device that saw no finding of M1 yet: its item is a conflict, the others are stored.
    let stale = json!({ "items": [
        { "client_id": "js-tablet-2:0", "subject": M1, "finding": marker_finding("tilted", None) },
    ]});
    let result = ok_json(
        send_batch(&app, &tokens.js_inspector, id, &stale).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["items"][0]["status"], "conflict");
    assert_eq!(result["items"][0]["current_version"], 1);
    assert_eq!(stored_findings(&app, id).await, 16);

    // Reconciliation: the lead side moves on; both sides see both findings.
    ok_json(
        move_round(&app, &tokens.ph_inspector, id, "reconciliation").await,
        StatusCode::OK,
    )
    .await;
    let (_, reconciled) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/reconciliation"),
            Some(&tokens.js_inspector),
        )
        .await;
    let verdict = |subject: &str| {
        reconciled["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["subject"] == subject)
            .unwrap()["verdict"]
            .clone()
    };
    assert_eq!(verdict(M1), "agreed", "{reconciled}");
    assert_eq!(verdict(M2), "differing");
    assert_eq!(verdict(M3), "agreed");
    assert_eq!(verdict("segment-3"), "differing");

    // Discussion of M2: each side comments, both accept 平湖市's finding (damaged).
    for (token, text) in [
        (&tokens.js_inspector, "界桩被推倒后埋入土中，我方未找到"),
        (&tokens.ph_inspector, "已挖出，桩体断裂，见照片"),
    ] {
        ok_json(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/inspections/{id}/threads/{M2}/comments"),
                token,
                &json!({ "body": text }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    for token in [&tokens.ph_inspector, &tokens.js_signer] {
        ok_json(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/inspections/{id}/threads/{M2}/acceptance"),
                token,
                &json!({ "side": PH, "version": 1 }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let (_, thread) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/threads/{M2}"),
            Some(&tokens.admin),
        )
        .await;
    assert_eq!(thread["item"]["verdict"], "settled", "{thread}");
    assert_eq!(thread["comments"].as_array().unwrap().len(), 2);

    // A dispute of segment-3 with both claims: red for 嘉善县 (smaller code), blue for 平湖市.
    let dispute = ok_json(
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/disputes"), &tokens.js_inspector, &json!({
            "subject": "segment-3",
            "description": "河道东移后，双方对河心线走向理解不一",
            "claim": { "type": "LineString", "coordinates": [[121.0, 30.81], [121.02, 30.807], [121.04, 30.802]] }
        })).await,
        StatusCode::CREATED,
    )
    .await;
    let dispute_id = dispute["id"].as_i64().unwrap();
    ok_json(
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/disputes/{dispute_id}/claims"), &tokens.ph_inspector, &json!({
            "line": { "type": "LineString", "coordinates": [[121.0, 30.81], [121.02, 30.805], [121.04, 30.802]] }
        })).await,
        StatusCode::OK,
    )
    .await;
    let resolved_early = send(
        &app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/disputes/{dispute_id}/status"),
        &tokens.ph_inspector,
        &json!({ "to": "resolved", "document": "x" }),
    )
    .await;
    assert_problem(resolved_early, StatusCode::CONFLICT, None).await;
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/inspections/{id}/disputes/{dispute_id}/status"),
            &tokens.ph_inspector,
            &json!({ "to": "negotiated", "note": "2026年5月联席会议未达成一致" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Tasks for the side leading each marker's segment: repair M2 (嘉善县 leads 002–003) and
    // move M3 (平湖市 leads 003–end).
    let repair = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/inspections/{id}/tasks"),
            &tokens.ph_inspector,
            &json!({ "marker_number": M2, "action": "repair", "reason": "桩体断裂" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(repair["side"], JS);
    let move_task = ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/inspections/{id}/tasks"),
            &tokens.js_inspector,
            &json!({
                "marker_number": M3, "action": "move", "reason": "道路拓宽，双方同意移设",
                "new_position": { "x": 121.04002, "y": 30.8021 }
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(move_task["side"], PH);
    let (repair_id, move_id) = (
        repair["id"].as_i64().unwrap(),
        move_task["id"].as_i64().unwrap(),
    );
    let completion = |other: &str| json!({ "completed_on": today(), "present": { JS: ["李善"], PH: ["王平"] }, "notes": format!("{other} present") });
    // The side not doing the work does not complete it; nor without the neighbour present.
    let not_theirs = send(
        &app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/tasks/{repair_id}/completion"),
        &tokens.ph_inspector,
        &completion("js"),
    )
    .await;
    assert_problem(not_theirs, StatusCode::FORBIDDEN, None).await;
    let alone = send(
        &app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/tasks/{repair_id}/completion"),
        &tokens.js_inspector,
        &json!({ "completed_on": today(), "present": { JS: ["李善"] } }),
    )
    .await;
    assert_problem(
        alone,
        StatusCode::BAD_REQUEST,
        Some(&format!("present.{PH}")),
    )
    .await;
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/inspections/{id}/tasks/{repair_id}/completion"),
            &tokens.js_inspector,
            &completion("ph"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    ok_json(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/inspections/{id}/tasks/{move_id}/completion"),
            &tokens.ph_inspector,
            &completion("js"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The move waits for the signed report before it reaches the register.
    assert_eq!(app.store.marker(M3).await.unwrap().unwrap().lon, 121.04);

    // Worklist: 嘉善县's signer has the report to sign once signing starts.
    ok_json(
        move_round(&app, &tokens.ph_inspector, id, "signing").await,
        StatusCode::OK,
    )
    .await;
    let (_, work) = app
        .get_json("/api/v1/inspections/worklist", Some(&tokens.js_signer))
        .await;
    assert_eq!(work["rounds"][0]["to_sign"], true, "{work}");
    let (_, work) = app
        .get_json("/api/v1/inspections/worklist", Some(&tokens.js_inspector))
        .await;
    assert_eq!(
        work["rounds"][0]["items_to_answer"],
        json!(["segment-3"]),
        "{work}"
    );

    // Signing: the report lists the open dispute and the remaining difference.
    let first = report(&app, &tokens.ph_signer, id).await;
    let content = &first["content"];
    assert_eq!(
        content["title"],
        "嘉善县与平湖市行政区域界线第七轮联合检查报告"
    );
    assert_eq!(content["counts"]["markers_checked"], 3);
    assert_eq!(content["counts"]["damaged"], 1);
    assert_eq!(content["counts"]["moved"], 1);
    assert_eq!(content["counts"]["repaired"], 1);
    assert_eq!(content["counts"]["open_disputes"], 1);
    assert_eq!(content["counts"]["differing"], 1);
    assert_eq!(content["disputes"][0]["claims"][0]["colour"], "red");
    assert_eq!(content["disputes"][0]["claims"][0]["side"], JS);
    assert_eq!(content["disputes"][0]["claims"][1]["colour"], "blue");
    assert_eq!(content["photos"][0]["id"], photo);
    let hash = first["hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);

    // Signing for the wrong side is refused with nothing stored.
    let wrong = sign(&app, &tokens.js_signer, id, PH, &hash).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, None).await;
    let inspector = sign(&app, &tokens.js_inspector, id, JS, &hash).await;
    assert_problem(inspector, StatusCode::FORBIDDEN, None).await;
    assert!(
        app.store
            .inspection_signatures(id)
            .await
            .unwrap()
            .is_empty()
    );
    ok_json(
        sign(&app, &tokens.ph_signer, id, PH, &hash).await,
        StatusCode::CREATED,
    )
    .await;

    // A change before the second signature voids the first.
    let revised = send(
        &app,
        Method::POST,
        &format!("/api/v1/inspections/{id}/findings"),
        &tokens.js_inspector,
        &json!({
            "subject": "line", "base_version": 1,
            "finding": { "observed_on": today(), "line_identifiable": true, "notes": "全线可辨认" }
        }),
    )
    .await;
    ok_json(revised, StatusCode::CREATED).await;
    let late = sign(&app, &tokens.js_signer, id, JS, &hash).await;
    assert_problem(late, StatusCode::CONFLICT, None).await;
    let second = report(&app, &tokens.js_signer, id).await;
    assert_eq!(
        second["signatures"][0]["valid"], false,
        "{}",
        second["signatures"]
    );
    let hash = second["hash"].as_str().unwrap().to_string();
    ok_json(
        sign(&app, &tokens.js_signer, id, JS, &hash).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(state_of(&app, &tokens.admin, id).await, "signing");
    let signed = ok_json(
        sign(&app, &tokens.ph_signer, id, PH, &hash).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(signed["state"], "signed");
    assert_eq!(state_of(&app, &tokens.admin, id).await, "signed");

    // The signed report moved M3 in the register, keeping the old position.
    let m3 = app.store.marker(M3).await.unwrap().unwrap();
    assert_eq!((m3.lon, m3.lat), (121.04002, 30.8021));
    let positions = app.store.marker_positions(M3).await.unwrap();
    assert_eq!(
        positions.iter().map(|p| (p.1, p.2)).collect::<Vec<_>>(),
        [(121.04, 30.802), (121.04002, 30.8021)]
    );

    // Locked: every change is 409, nothing stored.
    let count = stored_findings(&app, id).await;
    let changes = [
        record(&app, &tokens.ph_inspector, id, "line", stretch_finding(false)).await,
        send_batch(&app, &tokens.js_inspector, id, &json!({ "items": [{ "client_id": "late", "subject": "line", "base_version": 2, "finding": stretch_finding(false) }] })).await,
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/threads/{M2}/comments"), &tokens.js_inspector, &json!({ "body": "补充" })).await,
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/disputes"), &tokens.js_inspector, &json!({ "subject": "line", "description": "x" })).await,
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/tasks"), &tokens.js_inspector, &json!({ "marker_number": M1, "action": "repair" })).await,
        send(&app, Method::POST, &format!("/api/v1/inspections/{id}/disputes/{dispute_id}/status"), &tokens.ph_inspector, &json!({ "to": "escalated" })).await,
        sign(&app, &tokens.js_signer, id, JS, &hash).await,
        move_round(&app, &tokens.admin, id, "cancelled").await,
    ];
    for response in changes {
        assert_problem(response, StatusCode::CONFLICT, None).await;
    }
    assert_eq!(stored_findings(&app, id).await, count);

    // The outputs: the report page, the register, the findings for Excel, the map.
    let output = |path: String| {
        let (app, token) = (&app, &tokens.js_signer);
        async move {
            let response = app
                .client
                .get(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let media_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            (media_type, response.text().await.unwrap())
        }
    };
    let (media_type, page) = output(format!("/api/v1/inspections/{id}/report.html")).await;
    assert!(media_type.starts_with("text/html"));
    for text in [
        "嘉善县",
        "平湖市",
        M1,
        M2,
        M3,
        hash.as_str(),
        "红线",
        "蓝线",
        "有效",
    ] {
        assert!(page.contains(text), "{text} in the report page");
    }
    let (_, register) = output(format!("/api/v1/inspections/{id}/register.html")).await;
    assert!(register.contains("界桩登记表") && register.contains("本轮移设"));
    let (media_type, csv) = output(format!("/api/v1/inspections/{id}/findings.csv")).await;
    assert!(media_type.starts_with("text/csv"));
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(
        csv.lines().count(),
        1 + 16,
        "a header and both sides' 8 findings"
    );
    let (media_type, map) = output(format!("/api/v1/inspections/{id}/map.svg")).await;
    assert_eq!(media_type, "image/svg+xml");
    assert!(map.contains("stroke=\"#d32f2f\"") && map.contains("stroke=\"#1565c0\""));

    // Verification: the stored records give the signed hash …
    let (_, verified) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/verify"),
            Some(&tokens.js_signer),
        )
        .await;
    assert_eq!(verified["matches"], true, "{verified}");
    assert_eq!(verified["signed_hash"], hash.as_str());

    // … until a finding is altered in the SQLite file behind the service's back (whoever can
    // write the file can drop the append-only trigger too; the hash still tells).
    let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
    sqlx::query("DROP TRIGGER inspection_findings_append_only_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE inspection_findings SET content = json_set(content, '$.condition', 'intact') WHERE subject = ? AND side = ?")
        .bind(M2)
        .bind(PH)
        .execute(&pool)
        .await
        .unwrap();
    let (_, verified) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/verify"),
            Some(&tokens.js_signer),
        )
        .await;
    assert_eq!(verified["matches"], false, "{verified}");
    assert_ne!(verified["recomputed_hash"], verified["signed_hash"]);

    // The next round of the line carries over the unresolved dispute, with both claims, and
    // its basis has M3 where the signed report moved it.
    let next = ok_json(
        send(
            &app,
            Method::POST,
            "/api/v1/inspections",
            &tokens.admin,
            &open_body(8),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(next["previous_round_id"], id);
    assert_eq!(
        next["basis"]["carried"]["disputes"][0]["id"], dispute_id,
        "{}",
        next["basis"]["carried"]
    );
    let m3 = next["basis"]["markers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["number"] == M3)
        .unwrap();
    assert_eq!(
        (m3["lon"].as_f64(), m3["position_version"].as_i64()),
        (Some(121.04002), Some(2))
    );
    let next_id = next["id"].as_i64().unwrap();
    let (_, carried) = app
        .get_json(
            &format!("/api/v1/inspections/{next_id}/disputes"),
            Some(&tokens.js_inspector),
        )
        .await;
    let carried = &carried["disputes"][0];
    assert_eq!(carried["carried_from"], dispute_id);
    assert_eq!(carried["status"], "negotiated");
    assert_eq!(carried["claims"].as_array().unwrap().len(), 2);

    // Every write of the round is in the audit log.
    let (_, log) = app
        .get_json(
            &format!("/api/v1/audit?target_type=inspection_round&target_id={id}&limit=1000"),
            Some(&tokens.admin),
        )
        .await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "inspection.open",
        "inspection.state",
        "inspection.findings",
        "inspection.photo",
        "inspection.comment",
        "inspection.accept",
        "inspection.dispute",
        "inspection.claim",
        "inspection.dispute_status",
        "inspection.task",
        "inspection.task_done",
        "inspection.sign",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn refusals_store_nothing_and_name_the_field() {
    let (app, tokens) = line_with_markers().await;
    let id = open_round(&app, &tokens).await;
    for to in ["office_review", "field_work"] {
        ok_json(
            move_round(&app, &tokens.ph_inspector, id, to).await,
            StatusCode::OK,
        )
        .await;
    }

    // The public, staff of neither side and an unknown id get the same 404.
    let path = format!("/api/v1/inspections/{id}");
    let public = app.get(&path).await;
    let public = assert_problem(public, StatusCode::NOT_FOUND, None).await;
    let (status, outsider) = app.get_json(&path, Some(&tokens.outsider)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(outsider, public);
    let unknown = id ^ 1;
    let (status, missing) = app
        .get_json(
            &format!("/api/v1/inspections/{unknown}"),
            Some(&tokens.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing["detail"],
        public["detail"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), &unknown.to_string())
    );
    for sub in ["report", "findings", "verify", "disputes", "tasks"] {
        let (status, _) = app
            .get_json(&format!("{path}/{sub}"), Some(&tokens.outsider))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{sub}");
    }
    let (_, list) = app
        .get_json("/api/v1/inspections", Some(&tokens.outsider))
        .await;
    assert_eq!(list["rounds"], json!([]));
    // Staff of one side who are not on its team read the round but write nothing.
    let (status, _) = app.get_json(&path, Some(&tokens.ph_other)).await;
    assert_eq!(status, StatusCode::OK);
    let non_member = record(
        &app,
        &tokens.ph_other,
        id,
        M1,
        marker_finding("intact", None),
    )
    .await;
    assert_problem(non_member, StatusCode::FORBIDDEN, None).await;

    // The other side's finding: 嘉善县's inspector cannot write for 平湖市, alone or in a batch.
    let other_side = send(
        &app,
        Method::POST,
        &format!("{path}/findings"),
        &tokens.js_inspector,
        &json!({
            "side": PH, "subject": M1, "finding": marker_finding("intact", None)
        }),
    )
    .await;
    assert_problem(other_side, StatusCode::FORBIDDEN, None).await;
    let other_batch = send_batch(
        &app,
        &tokens.js_inspector,
        id,
        &json!({ "side": PH, "items": [
            { "client_id": "a", "subject": M1, "finding": marker_finding("intact", None) }
        ]}),
    )
    .await;
    assert_problem(other_batch, StatusCode::FORBIDDEN, None).await;

    // A position outside its declared zone: zone 40 without the prefix, sent with it.
    let prefixed = marker_finding(
        "intact",
        Some(json!({ "crs": "EPSG:4549", "x": 40_591_877.931, "y": 3_409_414.474 })),
    );
    let outside = record(&app, &tokens.ph_inspector, id, M1, prefixed).await;
    assert_problem(outside, StatusCode::BAD_REQUEST, Some("finding.position.x")).await;

    // Malformed batches.
    let unknown_condition = json!({ "items": [{ "client_id": "a", "subject": M1, "finding": { "observed_on": today(), "condition": "broken" } }] });
    let body = assert_problem(
        send_batch(&app, &tokens.js_inspector, id, &unknown_condition).await,
        StatusCode::BAD_REQUEST,
        None,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("items[0].finding.condition"),
        "{body}"
    );
    let twice = json!({ "items": [
        { "client_id": "a", "subject": M1, "finding": marker_finding("intact", None) },
        { "client_id": "a", "subject": M2, "finding": marker_finding("intact", None) },
    ]});
    assert_problem(
        send_batch(&app, &tokens.js_inspector, id, &twice).await,
        StatusCode::BAD_REQUEST,
        Some("items[1].client_id"),
    )
    .await;
    let bad_items = json!({ "items": [
        { "client_id": "ok", "subject": M1, "finding": marker_finding("intact", None) },
        { "client_id": "b", "subject": "330421330482009Q", "finding": marker_finding("intact", None) },
        { "client_id": "c", "subject": M3, "finding": { "observed_on": today() } },
    ]});
    let body = assert_problem(
        send_batch(&app, &tokens.js_inspector, id, &bad_items).await,
        StatusCode::BAD_REQUEST,
        Some("items[1].subject"),
    )
    .await;
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "items[2].finding.condition"),
        "{body}"
    );
    assert_problem(
        send_batch(&app, &tokens.js_inspector, id, &json!({ "items": [] })).await,
        StatusCode::BAD_REQUEST,
        Some("items"),
    )
    .await;
    // Another side's photo cannot be attached.
    let photo = upload_photo(&app, &tokens.ph_inspector, id).await;
    let mut borrowed = marker_finding("intact", None);
    borrowed["photo_ids"] = json!([photo]);
    let response = record(&app, &tokens.js_inspector, id, M1, borrowed).await;
    assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        Some("finding.photo_ids[0]"),
    )
    .await;
    assert_eq!(
        stored_findings(&app, id).await,
        0,
        "nothing stored by any refusal"
    );

    // A stale If-Match is 412; cancelling is for the coordinator, with a reason.
    let stale = app
        .client
        .post(app.url(&format!("{path}/state")))
        .bearer_auth(&tokens.ph_inspector)
        .header("If-Match", format!("\"i{id}.v1\""))
        .json(&json!({ "to": "reconciliation" }))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED, None).await;
    let cancel = move_round(&app, &tokens.ph_inspector, id, "cancelled").await;
    assert_problem(cancel, StatusCode::FORBIDDEN, None).await;
    let no_reason = move_round(&app, &tokens.admin, id, "cancelled").await;
    assert_problem(no_reason, StatusCode::BAD_REQUEST, Some("reason")).await;
    assert_eq!(state_of(&app, &tokens.admin, id).await, "field_work");
    // Opening refuses what it cannot take, naming each field.
    let mut bad = open_body(7);
    bad["lead_side"] = json!("330481");
    bad["teams"][1]["inspectors"] = json!(["ph.other"]);
    bad["round_number"] = json!(0);
    let body = assert_problem(
        send(
            &app,
            Method::POST,
            "/api/v1/inspections",
            &tokens.admin,
            &bad,
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("lead_side"),
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"round_number") && fields.contains(&"teams[1].inspectors[0]"),
        "{fields:?}"
    );
}

/// The geodesic distance by PROJ's `geod` (GRS80, the CGCS2000 ellipsoid), when installed.
fn geod_distance(from: (f64, f64), to: (f64, f64)) -> Option<f64> {
    let input = format!("{} {} {} {}\n", from.1, from.0, to.1, to.0);
    let mut child = Command::new("geod")
        .args(["-I", "+ellps=GRS80", "-F", "%.6f"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    String::from_utf8(output.stdout)
        .ok()?
        .split_whitespace()
        .last()?
        .parse()
        .ok()
}

#[tokio::test]
async fn offsets_agree_with_proj_geod_to_the_millimetre() {
    let (app, tokens) = line_with_markers().await;
    let id = open_round(&app, &tokens).await;
    for to in ["office_review", "field_work"] {
        ok_json(
            move_round(&app, &tokens.ph_inspector, id, to).await,
            StatusCode::OK,
        )
        .await;
    }
    // Reference distances computed once with PROJ 9 (`geod -I +ellps=GRS80 -F %.6f`, input
    // "lat1 lon1 lat2 lon2"); the Gauss–Krüger point was converted with
    // `cs2cs +proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +to
    // +proj=longlat +ellps=GRS80` to 120.9600299997, 30.8019799998 first.
    let cases = [
        (
            &tokens.ph_inspector,
            M1,
            json!({ "x": 120.96001, "y": 30.802005 }),
            1.105961,
        ),
        (
            &tokens.ph_inspector,
            M3,
            json!({ "x": 121.04002, "y": 30.8021 }),
            11.250614,
        ),
        (
            &tokens.js_inspector,
            M1,
            json!({ "crs": "EPSG:4549", "x": 591_877.931_2, "y": 3_409_414.473_8 }),
            3.627570,
        ),
    ];
    for (token, subject, position, reference) in cases {
        let registered = MARKERS.iter().find(|m| m.0 == subject).unwrap();
        let stored = ok_json(
            record(
                &app,
                token,
                id,
                subject,
                marker_finding("intact", Some(position)),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let measured = &stored["finding"]["position"];
        let offset = measured["offset_m"].as_f64().unwrap();
        assert!(
            (offset - reference).abs() <= 0.001,
            "{subject}: {offset} against {reference}"
        );
        assert_eq!(
            measured["exceeds_tolerance"], true,
            "beyond the 1 m default"
        );
        let (lon, lat) = (
            measured["lon"].as_f64().unwrap(),
            measured["lat"].as_f64().unwrap(),
        );
        if let Some(geod) = geod_distance((registered.1, registered.2), (lon, lat)) {
            assert!(
                (offset - geod).abs() <= 0.001,
                "{subject}: {offset} against geod {geod}"
            );
        }
    }
}

#[tokio::test]
async fn the_demo_has_a_round_in_reconciliation_on_sample_markers() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_inspection = true;
    })
    .await;
    let signer = app.token("pinghu.signer").await;
    let (_, list) = app
        .get_json(&format!("/api/v1/inspections?line={LINE}"), Some(&signer))
        .await;
    let round = &list["rounds"][0];
    assert_eq!(round["state"], "reconciliation", "{list}");
    assert_eq!(round["markers"], 8);
    let id = round["id"].as_i64().unwrap();
    // The sample markers say what they are.
    let admin = app.token("admin").await;
    let (_, marker) = app
        .get_json(&format!("/api/v1/markers/{LINE}001Q"), Some(&admin))
        .await;
    assert!(
        marker["conditions"][0]["notes"]
            .as_str()
            .unwrap()
            .contains("并非实测成果"),
        "{marker}"
    );
    let (_, reconciled) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/reconciliation"),
            Some(&signer),
        )
        .await;
    let counts = &reconciled["counts"];
    assert_eq!(counts["differing"], 1, "{counts}");
    assert_eq!(counts["settled"], 1);
    assert!(counts["agreed"].as_u64().unwrap() >= 10);
    let (_, thread) = app
        .get_json(
            &format!("/api/v1/inspections/{id}/threads/{LINE}003Q"),
            Some(&signer),
        )
        .await;
    assert_eq!(thread["item"]["verdict"], "differing");
    assert_eq!(thread["comments"].as_array().unwrap().len(), 3);
    let (_, disputes) = app
        .get_json(&format!("/api/v1/inspections/{id}/disputes"), Some(&signer))
        .await;
    assert_eq!(
        disputes["disputes"][0]["claims"].as_array().unwrap().len(),
        2
    );
    let report = report(&app, &signer, id).await;
    let claims = &report["content"]["disputes"][0]["claims"];
    assert_eq!(
        (claims[0]["colour"].as_str(), claims[0]["side"].as_str()),
        (Some("red"), Some(JS))
    );
    assert_eq!(claims[1]["colour"], "blue");
    assert_eq!(report["content"]["counts"]["beyond_tolerance"], 1);
    // Each side's inspector and signer sign in with the demo password.
    for name in ["jiashan.inspector", "jiashan.signer", "pinghu.inspector"] {
        assert_eq!(
            app.login_response(name, diming::demo::DEMO_PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_report_pdf_carries_both_divisions_and_every_marker_number() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_inspection = true;
    })
    .await;
    let signer = app.token("pinghu.signer").await;
    let (_, list) = app
        .get_json(&format!("/api/v1/inspections?line={LINE}"), Some(&signer))
        .await;
    let id = list["rounds"][0]["id"].as_i64().unwrap();
    let report = report(&app, &signer, id).await;
    let numbers: Vec<String> = report["content"]["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(numbers.len(), 8);
    let response = app
        .client
        .get(app.url(&format!("/api/v1/inspections/{id}/report.pdf")))
        .bearer_auth(&signer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, response.bytes().await.unwrap()).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for name in ["嘉善县", "平湖市"] {
        assert!(text.contains(name), "{name} in the report PDF");
    }
    for number in &numbers {
        assert!(text.contains(number.as_str()), "{number} in the report PDF");
    }
    assert!(
        text.contains(report["hash"].as_str().unwrap_or("")),
        "the hash"
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(shots.join("inspection-report-page"))
        .status()
        .unwrap();
    assert!(status.success());
    // The public, and anyone not of the two sides, get the 404 of an unknown round.
    let response = app
        .client
        .get(app.url(&format!("/api/v1/inspections/{id}/report.pdf")))
        .send()
        .await
        .unwrap();
    assert!(
        [StatusCode::NOT_FOUND, StatusCode::UNAUTHORIZED].contains(&response.status()),
        "{}",
        response.status()
    );
}
