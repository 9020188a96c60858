//! Division change events on the demo data: a rename and a 撤县设市 with their approvals, read
//! back as of days before and after; a pending adjustment probed through every public and
//! editor endpoint; bad proposals refused with nothing stored.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encoded, spawn_app_with};

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Proposes an event as `admin` and returns its id.
async fn propose(app: &TestApp, admin: &str, event: &Value) -> String {
    let response = post(app, "/api/v1/division-events", admin, event).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    body["id"].as_str().unwrap().to_string()
}

async fn approve(app: &TestApp, admin: &str, id: &str, approval: Value) -> Value {
    let response = post(
        app,
        &format!("/api/v1/division-events/{id}/approve"),
        admin,
        &json!({ "approval": approval }),
    )
    .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn division(app: &TestApp, code: &str, as_of: &str) -> (StatusCode, Value) {
    app.get_json(&format!("/api/v1/divisions/{code}?as_of={as_of}"), None)
        .await
}

fn codes(list: &Value) -> Vec<String> {
    list["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_rename_and_a_change_of_county_to_city_show_as_of_any_day() {
    let app = demo_app().await;
    let admin = app.token("admin").await;

    let rename = propose(
        &app,
        &admin,
        &json!({
            "kind": "rename", "effective_on": "2026-03-01", "summary": "大云镇更名为云湖镇",
            "changes": [{ "code": "330421102", "becomes": { "code": "330421102", "name": "云湖镇" } }]
        }),
    )
    .await;
    let approved = approve(
        &app,
        &admin,
        &rename,
        json!({ "authority": "浙江省人民政府", "approved_on": "2026-02-10", "document_number": "浙政函〔2026〕8号" }),
    )
    .await;
    assert_eq!(
        approved["status"], "applied",
        "a backdated approval applies at once"
    );

    let city = propose(
        &app,
        &admin,
        &json!({
            "kind": "change_kind", "effective_on": "2026-06-01", "summary": "嘉善县撤县设市",
            "changes": [{ "code": "330421", "becomes": { "code": "330484", "name": "嘉善市", "kind": "县级市" } }]
        }),
    )
    .await;
    approve(
        &app,
        &admin,
        &city,
        json!({ "authority": "国务院", "approved_on": "2026-05-20", "document_number": "国函〔2026〕51号" }),
    )
    .await;

    // The county's polygon as of a day before and after: the same area under either code.
    let (_, county_then) = division(&app, "330421", "2026-05-31").await;
    assert_eq!(county_then["geometry"]["type"], "Polygon", "{county_then}");
    let (_, city_then) = division(&app, "330484", "2026-06-01").await;
    assert_eq!(city_then["geometry"], county_then["geometry"]);
    assert_eq!(city_then["place_id"], county_then["place_id"]);

    // Names as of the days around the rename.
    let (_, before) = division(&app, "330421102", "2026-02-28").await;
    assert_eq!(before["division"]["name"], "大云镇");
    let (_, after) = division(&app, "330421102", "2026-03-01").await;
    assert_eq!(after["division"]["name"], "云湖镇");

    // The county before and after becoming a city: same division (lineage), new code and kind.
    let (_, county) = division(&app, "330421", "2026-05-31").await;
    assert_eq!(county["division"]["name"], "嘉善县");
    assert_eq!(county["division"]["kind"], "县");
    let (gone, _) = division(&app, "330421", "2026-06-01").await;
    assert_eq!(gone, StatusCode::NOT_FOUND);
    let (status, city_now) = division(&app, "330484", "2026-06-01").await;
    assert_eq!(status, StatusCode::OK, "{city_now}");
    assert_eq!(city_now["division"]["name"], "嘉善市");
    assert_eq!(city_now["division"]["kind"], "县级市");
    assert_eq!(
        city_now["division"]["lineage"], "330421",
        "not a new division"
    );
    let names: Vec<&str> = city_now["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["嘉善县", "嘉善市"]);
    assert_eq!(
        city_now["events"][0]["approval"]["document_number"],
        "国函〔2026〕51号"
    );

    // The hierarchy: the prefecture's counties before and after, and the township re-coded
    // under the city with the name the earlier rename gave it.
    let (_, then) = app
        .get_json("/api/v1/divisions?parent=330400&as_of=2026-05-31", None)
        .await;
    assert!(codes(&then).contains(&"330421".to_string()));
    assert!(!codes(&then).contains(&"330484".to_string()));
    let (_, now) = app.get_json("/api/v1/divisions?parent=330400", None).await;
    assert!(codes(&now).contains(&"330484".to_string()));
    assert!(!codes(&now).contains(&"330421".to_string()));
    assert_eq!(then["numberMatched"], now["numberMatched"]);
    let (_, township) = division(&app, "330484102", "2026-06-01").await;
    assert_eq!(township["division"]["name"], "云湖镇");
    assert_eq!(township["division"]["parent_code"], "330484");
    assert_eq!(township["chain"][2]["name"], "嘉善市");
    let (_, township_before) = division(&app, "330421102", "2026-05-31").await;
    assert_eq!(township_before["chain"][2]["name"], "嘉善县");
    assert_eq!(township["division"]["lineage"], "330421102");

    // The county's own record took the new name, code and approval; the old name is kept as a
    // historical name, so search still finds it, and the record's division chain is the city's.
    let (_, record) = app
        .get_json("/api/v1/places?division=330484&category=213", None)
        .await;
    let feature = &record["features"][0];
    assert_eq!(feature["properties"]["standard_name"], "嘉善市");
    assert_eq!(
        feature["properties"]["approval"]["document_number"],
        "国函〔2026〕51号"
    );
    assert!(
        feature["properties"]["alternate_names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "嘉善县"
                && a["kind"] == "historical"
                && a["valid_to"] == "2026-06-01"),
        "{feature}"
    );
    let (_, left) = app
        .get_json("/api/v1/places?division=330421&status=current", None)
        .await;
    assert_eq!(
        left["numberMatched"], 0,
        "every record in use moved to the new code"
    );
    let (_, found) = app
        .get_json(&format!("/api/v1/search?q={}", encoded("嘉善县")), None)
        .await;
    assert_eq!(found["hits"][0]["name_kind"], "historical", "{found}");
    let (_, reverse) = app
        .get_json("/api/v1/reverse?lon=120.8906&lat=30.9447", None)
        .await;
    assert_eq!(reverse["divisions"][2]["code"], "330484", "{reverse}");
    assert_eq!(reverse["divisions"][2]["name"], "嘉善市");

    // A record in use can no longer name the old county.
    let admin_place = app
        .client
        .post(app.url("/api/v1/places"))
        .bearer_auth(&admin)
        .json(&crate::helpers::xitang("塘北村"))
        .send()
        .await
        .unwrap();
    assert_problem(
        admin_place,
        StatusCode::BAD_REQUEST,
        Some("properties.division_codes[0]"),
    )
    .await;

    // The county's signs and its staff's jurisdiction followed it to the new code: its editor
    // works on under 330484.
    let jiashan = app.token("jiashan").await;
    let (_, signs) = app
        .get_json("/api/v1/signs?division=330484&limit=1000", Some(&jiashan))
        .await;
    assert!(signs["numberMatched"].as_i64().unwrap() > 100, "{signs}");
    let (_, left_signs) = app
        .get_json("/api/v1/signs?division=330421&limit=1000", Some(&admin))
        .await;
    assert_eq!(left_signs["numberMatched"], 0);
    let mut moved = crate::helpers::xitang("塘北村");
    moved["properties"]["division_codes"] = json!(["330484101"]);
    let created = app
        .client
        .post(app.url("/api/v1/places"))
        .bearer_auth(&jiashan)
        .json(&moved)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);

    // Applied events are public history.
    let (_, events) = app
        .get_json("/api/v1/division-events?code=330484", None)
        .await;
    assert_eq!(events["numberMatched"], 1);
    assert_eq!(events["events"][0]["id"], city.as_str());
}

/// Text that must not reach anyone who may not see the pending events.
const SECRET_NAMES: [&str; 2] = ["云澜镇", "东湖市"];

async fn body_text(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    // What the caller sent is echoed back (the search query, paging links): leave it out.
    let text = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut body)) => {
            body.remove("query");
            body.remove("links");
            Value::Object(body).to_string()
        }
        _ => text,
    };
    (status, text)
}

/// Every public and editor-level read that could show a division or a count of them.
fn probes(ids: &[String], details: &[String]) -> Vec<String> {
    let mut paths: Vec<String> = details.to_vec();
    paths.extend::<Vec<String>>(vec![
        "/api/v1/division-events".into(),
        "/api/v1/division-events?code=330421".into(),
        "/api/v1/division-events?status=pending".into(),
        "/api/v1/divisions?parent=330421&limit=1000".into(),
        "/api/v1/divisions?within=3304&limit=10000".into(),
        "/api/v1/divisions?within=3304&format=csv&limit=10000".into(),
        "/api/v1/divisions/330421120".into(),
        "/api/v1/divisions/330482".into(),
        "/api/v1/divisions/330421".into(),
        "/api/v1/places?division=330421&limit=1000".into(),
        "/api/v1/places?division=330482&limit=1000".into(),
        format!("/api/v1/places?q={}", encoded("云澜")),
        format!("/api/v1/places?q={}", encoded("东湖")),
        "/api/v1/places?bbox=120.90,30.86,120.92,30.88".into(),
        format!("/api/v1/search?q={}", encoded("云澜")),
        "/api/v1/search?q=yunlan".into(),
        format!("/api/v1/search?q={}", encoded("东湖市")),
        format!("/api/v1/search?q={}", encoded("平湖市")),
        "/api/v1/reverse?lon=120.91&lat=30.87".into(),
        "/api/v1/places/nearest?lon=120.91&lat=30.87&k=20".into(),
        "/api/v1/boundaries?between=330421,330482".into(),
        "/api/v1/romanize/check?division=330421&limit=1000".into(),
        "/api/v1/signs?division=330421&limit=1000".into(),
        "/api/v1/markers?line=330421330482".into(),
    ]);
    for id in ids {
        paths.push(format!("/api/v1/division-events/{id}"));
    }
    paths
}

#[tokio::test]
async fn a_pending_adjustment_shows_nowhere_until_approved_then_from_its_effective_date() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let editors = [app.token("jiashan").await, app.token("pinghu").await];
    let (_, counties_before) = app
        .get_json("/api/v1/divisions?parent=330421&limit=1000", None)
        .await;
    let (_, places_before) = app.get_json("/api/v1/places?division=330421", None).await;

    let township = propose(
        &app,
        &admin,
        &json!({
            "kind": "establish", "effective_on": "2026-01-01", "summary": "设立云澜镇",
            "reviewers": ["reviewer"],
            "changes": [{
                "becomes": { "code": "330421120", "name": "云澜镇", "seat": "云澜路1号" },
                "geometry": { "type": "Polygon", "coordinates": [[[120.90, 30.86], [120.92, 30.86], [120.92, 30.88], [120.90, 30.88], [120.90, 30.86]]] }
            }]
        }),
    )
    .await;
    let rename = propose(
        &app,
        &admin,
        &json!({
            "kind": "rename", "effective_on": "2099-01-01", "summary": "平湖市更名",
            "changes": [{ "code": "330482", "becomes": { "code": "330482", "name": "东湖市" } }]
        }),
    )
    .await;
    let ids = [township.clone(), rename.clone()];
    // The record of 平湖市 itself, its history, and the public page of one of its signs.
    let (_, pinghu_record) = app
        .get_json("/api/v1/places?division=330482&category=213", None)
        .await;
    let pinghu_id = pinghu_record["features"][0]["id"].as_i64().unwrap();
    let (_, signs) = app
        .get_json("/api/v1/signs?division=330482&limit=1", Some(&admin))
        .await;
    let sign_code = signs["signs"][0]["sign"]["public_code"]
        .as_str()
        .expect("a sign in 平湖市")
        .to_string();
    let details = [
        format!("/api/v1/places/{pinghu_id}"),
        format!("/api/v1/places/{pinghu_id}/history"),
        format!("/s/{sign_code}"),
    ];

    // The public and both counties' editors: nothing of either event, and the same counts.
    for token in [None, Some(editors[0].as_str()), Some(editors[1].as_str())] {
        for path in probes(&ids, &details) {
            let (status, text) = body_text(&app, &path, token).await;
            let secrets = SECRET_NAMES
                .into_iter()
                .chain(ids.iter().map(String::as_str));
            // An id the caller sent may come back in the 404's detail; any other may not.
            for secret in secrets.filter(|s| !path.contains(s)) {
                assert!(
                    !text.contains(secret),
                    "{path} as {token:?} shows {secret}: {text}"
                );
            }
            let expected =
                if path.starts_with("/api/v1/division-events/") || path.ends_with("330421120") {
                    StatusCode::NOT_FOUND
                } else if token.is_none()
                    && [
                        "/api/v1/boundaries",
                        "/api/v1/romanize/check",
                        "/api/v1/signs",
                        "/api/v1/markers",
                    ]
                    .iter()
                    .any(|staff_only| path.starts_with(staff_only))
                {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::OK
                };
            assert_eq!(status, expected, "{path} as {token:?}: {text}");
            if path.starts_with("/api/v1/division-events") && status == StatusCode::OK {
                assert!(text.contains("\"numberMatched\":0"), "{path}: {text}");
            }
        }
    }
    let (_, counties_during) = app
        .get_json("/api/v1/divisions?parent=330421&limit=1000", None)
        .await;
    assert_eq!(
        counties_during["numberMatched"],
        counties_before["numberMatched"]
    );
    let (_, places_during) = app.get_json("/api/v1/places?division=330421", None).await;
    assert_eq!(
        places_during["numberMatched"],
        places_before["numberMatched"]
    );

    // Admins see both; the reviewer sees the one naming them.
    let reviewer = app.token("reviewer").await;
    for (token, expected) in [(&reviewer, 1), (&admin, 2)] {
        let (_, events) = app
            .get_json("/api/v1/division-events?status=pending", Some(token))
            .await;
        assert_eq!(events["numberMatched"], expected, "{events}");
    }
    let (status, _) = app
        .get_json(
            &format!("/api/v1/division-events/{rename}"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not named on the rename");

    // Approved: the township is in force from 2026-01-01 (already past), everywhere.
    approve(
        &app,
        &admin,
        &township,
        json!({ "authority": "浙江省人民政府", "approved_on": "2025-12-15", "document_number": "浙政函〔2025〕99号" }),
    )
    .await;
    let (_, listed) = app
        .get_json("/api/v1/divisions?parent=330421&limit=1000", None)
        .await;
    assert!(codes(&listed).contains(&"330421120".to_string()));
    let (_, earlier) = app
        .get_json(
            "/api/v1/divisions?parent=330421&limit=1000&as_of=2025-12-31",
            None,
        )
        .await;
    assert!(!codes(&earlier).contains(&"330421120".to_string()));
    assert_eq!(earlier["numberMatched"], counties_before["numberMatched"]);
    let (_, hits) = app
        .get_json(&format!("/api/v1/search?q={}", encoded("云澜")), None)
        .await;
    assert_eq!(hits["hits"][0]["name"], "云澜镇", "{hits}");
    let (_, reverse) = app
        .get_json("/api/v1/reverse?lon=120.91&lat=30.87", None)
        .await;
    let chain: Vec<&str> = reverse["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["浙江省", "嘉兴市", "嘉善县", "云澜镇"], "{reverse}");
    let (_, csv) = body_text(
        &app,
        "/api/v1/divisions?within=3304&format=csv&limit=10000",
        None,
    )
    .await;
    assert!(
        csv.contains("330421120,云澜镇,township,镇,330421,云澜路1号,2026-01-01"),
        "{csv}"
    );
    // Without a limit an export holds every division asked for (a JSON page holds 100).
    let (_, whole) = body_text(&app, "/api/v1/divisions?within=3304&format=csv", None).await;
    assert!(
        whole.lines().count() > 1_000,
        "{} lines",
        whole.lines().count()
    );

    // The rename is approved for 2099: staff see the decision, the public does not, and the
    // name does not change before its day.
    approve(
        &app,
        &admin,
        &rename,
        json!({ "authority": "国务院", "approved_on": "2026-11-01", "document_number": "国函〔2026〕99号" }),
    )
    .await;
    let (_, pinghu) = division(&app, "330482", "2026-11-01").await;
    assert_eq!(pinghu["division"]["name"], "平湖市");
    let (public_status, _) = app
        .get_json(&format!("/api/v1/division-events/{rename}"), None)
        .await;
    assert_eq!(public_status, StatusCode::NOT_FOUND);
    let (staff_status, _) = app
        .get_json(
            &format!("/api/v1/division-events/{rename}"),
            Some(&editors[1]),
        )
        .await;
    assert_eq!(staff_status, StatusCode::OK);
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    assert!(
        app.store
            .due_division_events(day("2098-12-31"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store
            .due_division_events(day("2099-01-01"))
            .await
            .unwrap(),
        std::slice::from_ref(&rename)
    );
}

#[tokio::test]
async fn bad_proposals_and_decisions_are_refused_with_nothing_stored() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let editor = app.token("jiashan").await;
    let rename = |code: &str, name: &str| {
        json!({ "kind": "rename", "effective_on": "2026-03-01", "summary": "更名",
                "changes": [{ "code": code, "becomes": { "code": code, "name": name } }] })
    };
    let cases: Vec<(Value, &str)> = vec![
        (rename("33042", "新名"), "changes[0].code"),
        (rename("330421", "嘉善县"), "changes[0].becomes.name"),
        (rename("330499", "新县"), "changes[0].code"),
        (
            json!({ "kind": "rename", "effective_on": "2026-03-01", "summary": "更名",
                    "changes": [{ "code": "330421", "becomes": { "code": "330485", "name": "新县" } }] }),
            "changes",
        ),
        (
            json!({ "kind": "abolish", "effective_on": "2026-03-01", "summary": "撤销嘉善县",
                    "changes": [{ "code": "330421" }] }),
            "changes[0].code",
        ),
        (
            json!({ "kind": "establish", "effective_on": "2026-03-01", "summary": "设立",
                    "changes": [{ "becomes": { "code": "330482", "name": "平湖市" } }] }),
            "changes[0].becomes.code",
        ),
        (
            json!({ "kind": "establish", "effective_on": "2026-03-01", "summary": "设立",
                    "changes": [{ "becomes": { "code": "330421121", "name": "新镇" },
                                  "geometry": { "type": "Polygon", "coordinates": [[[120.9, 30.86], [120.92, 30.88], [120.92, 30.86], [120.9, 30.88], [120.9, 30.86]]] } }] }),
            "changes[0].geometry",
        ),
        (
            {
                let mut event = rename("330421", "嘉善市");
                event["reviewers"] = json!(["nobody"]);
                event
            },
            "reviewers[0]",
        ),
        (
            {
                let mut event = rename("330421", "嘉善市");
                event["reviewers"] = json!(["jiashan"]);
                event
            },
            "reviewers[0]",
        ),
    ];
    for (body, field) in cases {
        let response = post(&app, "/api/v1/division-events", &admin, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let misspelt = post(
        &app,
        "/api/v1/division-events",
        &admin,
        &json!({ "kind": "rename", "effective_on": "2026-03-01", "summary": "x", "chagnes": [] }),
    )
    .await;
    assert_problem(misspelt, StatusCode::BAD_REQUEST, None).await;
    let (_, none) = app.get_json("/api/v1/division-events", Some(&admin)).await;
    assert_eq!(none["numberMatched"], 0, "nothing stored");

    // Editors may neither propose nor decide, nor learn that an event exists.
    let forbidden = post(
        &app,
        "/api/v1/division-events",
        &editor,
        &rename("330421", "嘉善市"),
    )
    .await;
    assert_problem(forbidden, StatusCode::FORBIDDEN, None).await;
    let id = propose(&app, &admin, &rename("330421", "嘉善市")).await;
    let approval = json!({ "approval": { "authority": "国务院", "approved_on": "2026-02-01", "document_number": "国函〔2026〕1号" } });
    let hidden = post(
        &app,
        &format!("/api/v1/division-events/{id}/approve"),
        &editor,
        &approval,
    )
    .await;
    assert_problem(hidden, StatusCode::NOT_FOUND, None).await;

    // An approval dated after the effective date, then a second decision on a decided event.
    let late = post(
        &app,
        &format!("/api/v1/division-events/{id}/approve"),
        &admin,
        &json!({ "approval": { "authority": "国务院", "approved_on": "2026-04-01", "document_number": "国函〔2026〕1号" } }),
    )
    .await;
    assert_problem(late, StatusCode::BAD_REQUEST, Some("approval.approved_on")).await;
    let (_, still) = division(&app, "330421", "2026-11-01").await;
    assert_eq!(still["division"]["name"], "嘉善县");
    let rejected = post(
        &app,
        &format!("/api/v1/division-events/{id}/reject"),
        &admin,
        &json!({ "reason": "材料不全" }),
    )
    .await;
    assert_eq!(rejected.status(), StatusCode::OK);
    let again = post(
        &app,
        &format!("/api/v1/division-events/{id}/approve"),
        &admin,
        &approval,
    )
    .await;
    assert_problem(again, StatusCode::CONFLICT, None).await;
    let (_, still) = division(&app, "330421", "2026-11-01").await;
    assert_eq!(still["division"]["name"], "嘉善县");
}

#[tokio::test]
async fn a_merger_gives_the_remaining_division_the_merged_area() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let square = |west: f64| json!({ "type": "Polygon", "coordinates": [[[west, 30.86], [west + 0.02, 30.86], [west + 0.02, 30.88], [west, 30.88], [west, 30.86]]] });
    let established = propose(
        &app,
        &admin,
        &json!({
            "kind": "establish", "effective_on": "2026-01-01", "summary": "设立东西两镇",
            "changes": [
                { "becomes": { "code": "330421120", "name": "澜西镇" }, "geometry": square(120.90) },
                { "becomes": { "code": "330421121", "name": "澜东镇" }, "geometry": square(120.92) }
            ]
        }),
    )
    .await;
    let approval = json!({ "authority": "浙江省人民政府", "approved_on": "2025-12-01", "document_number": "浙政函〔2025〕1号" });
    approve(&app, &admin, &established, approval.clone()).await;
    let (_, east) = app
        .get_json("/api/v1/reverse?lon=120.93&lat=30.87", None)
        .await;
    assert_eq!(east["divisions"][3]["name"], "澜东镇", "{east}");

    let merger = propose(
        &app,
        &admin,
        &json!({
            "kind": "merge", "effective_on": "2026-07-01", "summary": "澜东镇并入澜西镇",
            "changes": [
                { "code": "330421120", "becomes": { "code": "330421120", "name": "澜西镇" } },
                { "code": "330421121", "becomes": null, "merged_into": "330421120" }
            ]
        }),
    )
    .await;
    approve(&app, &admin, &merger, approval).await;
    let (_, east) = app
        .get_json("/api/v1/reverse?lon=120.93&lat=30.87", None)
        .await;
    assert_eq!(
        east["divisions"][3]["name"], "澜西镇",
        "the merged area: {east}"
    );
    let (gone, _) = division(&app, "330421121", "2026-07-01").await;
    assert_eq!(gone, StatusCode::NOT_FOUND);
    let (_, before) = division(&app, "330421121", "2026-06-30").await;
    assert_eq!(before["division"]["name"], "澜东镇");
    let (_, records) = app
        .get_json(
            &format!("/api/v1/places?q={}&status=historical", encoded("澜东镇")),
            None,
        )
        .await;
    assert_eq!(
        records["numberMatched"], 1,
        "the absorbed township's record is historical: {records}"
    );
}

#[tokio::test]
async fn bad_division_and_event_queries_name_the_parameter() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    for (query, field) in [
        ("/api/v1/divisions?level=town", "level"),
        ("/api/v1/divisions?limit=0", "limit"),
        ("/api/v1/divisions?limit=10001", "limit"),
        ("/api/v1/divisions?offset=-1", "offset"),
        ("/api/v1/divisions?format=xlsx", "format"),
        ("/api/v1/divisions?within=33x", "within"),
        ("/api/v1/divisions?parent=3304", "parent"),
        ("/api/v1/divisions?as_of=2026-13-01", "as_of"),
        ("/api/v1/divisions/33042?as_of=2026-01-01", "code"),
        ("/api/v1/division-events?status=done", "status"),
        ("/api/v1/division-events?code=abc", "code"),
    ] {
        let response = app.get(query).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let long = "名".repeat(51);
    let response = app
        .get(&format!("/api/v1/divisions?q={}", encoded(&long)))
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, Some("q")).await;

    // A rejection needs its reason; the event stays pending.
    let id = propose(
        &app,
        &admin,
        &json!({ "kind": "rename", "effective_on": "2026-03-01", "summary": "更名",
                 "changes": [{ "code": "330421", "becomes": { "code": "330421", "name": "嘉善市" } }] }),
    )
    .await;
    let empty = post(
        &app,
        &format!("/api/v1/division-events/{id}/reject"),
        &admin,
        &json!({ "reason": "  " }),
    )
    .await;
    assert_problem(empty, StatusCode::BAD_REQUEST, Some("reason")).await;
    let (_, event) = app
        .get_json(&format!("/api/v1/division-events/{id}"), Some(&admin))
        .await;
    assert_eq!(event["status"], "pending");
}

#[tokio::test]
async fn a_reviewer_named_on_an_event_approves_it_and_an_editor_may_not() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let event = json!({
        "kind": "rename", "effective_on": "2026-03-01", "summary": "大云镇更名为云湖镇",
        "reviewers": ["reviewer"],
        "changes": [{ "code": "330421102", "becomes": { "code": "330421102", "name": "云湖镇" } }]
    });
    let id = propose(&app, &admin, &event).await;
    let approval = json!({ "approval": { "authority": "浙江省人民政府", "approved_on": "2026-02-10", "document_number": "浙政函〔2026〕8号" } });
    let path = format!("/api/v1/division-events/{id}/approve");
    let editor = app.token("jiashan").await;
    let refused = post(&app, &path, &editor, &approval).await;
    // A pending event is confidential: to an editor it does not exist.
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let reviewer = app.token("reviewer").await;
    let approved = post(&app, &path, &reviewer, &approval).await;
    let status = approved.status();
    let body: Value = approved.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "applied");

    // A reviewer of another city, even named on the event, is refused with the reason.
    app.store
        .create_user(
            &diming::domain::account::Username::parse("hz-reviewer").unwrap(),
            &diming::security::hash_password(app.password).unwrap(),
            diming::domain::account::Role::Reviewer,
            &[diming::domain::division_code::Jurisdiction::parse("3301").unwrap()],
            &diming::store::audit::Author::system("test"),
        )
        .await
        .unwrap();
    let id2 = propose(
        &app,
        &admin,
        &json!({
            "kind": "rename", "effective_on": "2026-05-01", "summary": "干窑镇更名",
            "reviewers": ["hz-reviewer"],
            "changes": [{ "code": "330421105", "becomes": { "code": "330421105", "name": "干窑新镇" } }]
        }),
    )
    .await;
    let hz = app.token("hz-reviewer").await;
    let outside = post(
        &app,
        &format!("/api/v1/division-events/{id2}/approve"),
        &hz,
        &approval,
    )
    .await;
    let body = assert_problem(outside, StatusCode::FORBIDDEN, None).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("outside your jurisdiction"),
        "{body}"
    );
    let (_, still) = app
        .get_json(&format!("/api/v1/division-events/{id2}"), Some(&admin))
        .await;
    assert_eq!(still["status"], "pending", "nothing was decided");
}
