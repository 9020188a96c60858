//! Naming and renaming through HTTP: a renaming from application to announcement on a clock
//! the test moves (no sleeping through the notice), and the refusals of bad input, of roles and
//! jurisdictions, of stale and out-of-order steps, and of too many public comments.

use chrono::NaiveDate;
use diming::app::naming::Clock;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

async fn spawn(clock: &Clock, comments_per_hour: u32) -> TestApp {
    let clock = clock.clone();
    spawn_app_with(move |s| {
        s.naming.clock = clock;
        s.naming.comments_per_address_per_hour = comments_per_hour;
    })
    .await
}

/// A road in 西塘镇, recorded from 2026-01-01.
fn road(name: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": [[120.889, 30.944], [120.893, 30.945]] },
        "properties": { "standard_name": name, "category": "2532", "division_codes": ["330421101"] },
        "change": { "effective_on": "2026-01-01" }
    })
}

fn renaming(place_id: i64, name: &str) -> Value {
    json!({
        "kind": "renaming",
        "place_id": place_id,
        "proposed_name": name,
        "content": {
            "plan": "塘东路更名为西塘路",
            "reasons": "道路延伸后贯通西塘古镇，原名不能反映道路走向",
            "meaning": "因通往西塘古镇而得名",
            "location": "东起塘东桥，西至西塘古镇南门",
            "extent": "长约 420 米",
            "nature": "城市支路",
            "attachments": [{ "title": "道路规划图", "reference": "善规〔2025〕18号" }]
        }
    })
}

impl TestApp {
    async fn post_step(
        &self,
        token: Option<&str>,
        path: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.unwrap()
    }

    async fn comment(&self, id: i64, text: &str) -> Response {
        self.client
            .post(self.url(&format!("/public/naming/notices/{id}/comments")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("text", text), ("name", "王先生")]).unwrap())
            .send()
            .await
            .unwrap()
    }
}

async fn ok_with_tag(response: Response, status: StatusCode) -> (Value, String) {
    let got = response.status();
    let tag = response
        .headers()
        .get("etag")
        .map(|t| t.to_str().unwrap().to_string());
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    (body, tag.expect("an ETag"))
}

fn report(kind: &str) -> Value {
    json!({
        "kind": kind, "author": "嘉善县地名委员会", "written_on": "2026-03-02",
        "outcome": "favourable", "conclusion": "名称符合地名命名规则，建议采用",
        "files": [{ "title": format!("{kind} 报告") }]
    })
}

/// Files the renaming of 塘东路 to 西塘路 beside 西堂路 and writes its three reports; returns
/// (application id, ETag, place id).
async fn renaming_with_reports(app: &TestApp) -> (i64, String, i64) {
    let (place_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    app.created_place("jiashan", &road("西堂路")).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let response = app
        .post_step(
            Some(&editor),
            "/api/v1/naming/applications",
            None,
            &renaming(place_id, "西塘路"),
        )
        .await;
    assert!(response.headers().get("location").is_some());
    let (filed, mut tag) = ok_with_tag(response, StatusCode::CREATED).await;
    let id = filed["id"].as_i64().unwrap();
    for kind in ["assessment", "expert_review", "consultation"] {
        let path = format!("/api/v1/naming/applications/{id}/reports");
        let response = app
            .post_step(Some(&reviewer), &path, Some(&tag), &report(kind))
            .await;
        tag = ok_with_tag(response, StatusCode::CREATED).await.1;
    }
    (id, tag, place_id)
}

#[tokio::test]
async fn a_renaming_goes_from_application_to_announcement() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let (place_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    app.created_place("jiashan", &road("西堂路")).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    // A door on the road, numbered under its old name (renumbered after the announcement).
    let door = app
        .post_step(
            Some(&editor),
            "/api/v1/addresses",
            None,
            &json!({ "road_id": place_id, "number": 1, "point": [120.891, 30.9446], "status": "assigned" }),
        )
        .await;
    assert_eq!(door.status(), StatusCode::CREATED);
    let renumbering = format!("/api/v1/addresses/roads/{place_id}/renumbering");
    let renumber = json!({ "apply": true, "comment": "道路更名后门牌重编" });

    // Intake: the homophone 西堂路 in the same built-up area is shown.
    let response = app
        .post_step(
            Some(&editor),
            "/api/v1/naming/applications",
            None,
            &renaming(place_id, "西塘路"),
        )
        .await;
    let (filed, mut tag) = ok_with_tag(response, StatusCode::CREATED).await;
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["stage"], "received");
    assert_eq!(filed["current_name"], "塘东路");
    let checks = &filed["intake_checks"];
    assert_eq!(checks["scope"]["rule"], "streets_in_built_up_area");
    let clashes = checks["clashes"].as_array().unwrap();
    assert!(
        clashes
            .iter()
            .any(|c| c["name"] == "西堂路" && c["clash"] == "same_sound"),
        "{checks}"
    );
    assert!(
        clashes.iter().all(|c| c["name"] != "塘东路"),
        "the renamed record is left out"
    );
    assert_eq!(checks["romanization"]["sign"], "Xitang Lu");

    // The three reports.
    for kind in ["assessment", "expert_review", "consultation"] {
        let path = format!("/api/v1/naming/applications/{id}/reports");
        let response = app
            .post_step(Some(&reviewer), &path, Some(&tag), &report(kind))
            .await;
        let (body, next) = ok_with_tag(response, StatusCode::CREATED).await;
        assert_eq!(body["stage"], "in_review");
        tag = next;
    }

    // The public notice, 7 days from today, with a comment of the public.
    let path = format!("/api/v1/naming/applications/{id}/notice");
    let (body, next) = ok_with_tag(
        app.post_step(Some(&reviewer), &path, Some(&tag), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    tag = next;
    assert_eq!(body["notice_starts_on"], "2026-03-02");
    assert_eq!(body["notice_ends_on"], "2026-03-08");
    let page = app
        .get("/public/naming/notices")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("西塘路") && page.contains("塘东路"), "{page}");
    let response = app.comment(id, "支持更名，建议保留塘东桥的桥名").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.text().await.unwrap().contains("意见已收到"));

    // No decision while the notice runs.
    let approval = json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-08", "document_number": "善政发〔2026〕12号" });
    let approve_path = format!("/api/v1/naming/applications/{id}/approve");
    let early = app
        .post_step(Some(&reviewer), &approve_path, Some(&tag), &approval)
        .await;
    assert_problem(early, StatusCode::CONFLICT, None).await;

    // A week on: comments are closed, the name is approved.
    clock.advance_days(7);
    assert_eq!(
        app.comment(id, "太晚的意见").await.status(),
        StatusCode::NOT_FOUND
    );
    let approval = json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-09", "document_number": "善政发〔2026〕12号" });
    let (body, next) = ok_with_tag(
        app.post_step(Some(&reviewer), &approve_path, Some(&tag), &approval)
            .await,
        StatusCode::OK,
    )
    .await;
    tag = next;
    assert_eq!(body["stage"], "approved");
    assert_eq!(body["filing_due_on"], "2026-03-24");
    assert_eq!(body["announcement_due_on"], "2026-03-24");

    // The record is renamed; the old name is historical; the approval is on the version.
    let (status, place) = app
        .get_json(&format!("/api/v1/places/{place_id}"), Some(&editor))
        .await;
    assert_eq!(status, StatusCode::OK);
    let properties = &place["properties"];
    assert_eq!(properties["standard_name"], "西塘路");
    assert_eq!(properties["romanization"], "Xītáng Lù");
    let former = properties["alternate_names"].as_array().unwrap();
    assert!(
        former.iter().any(|a| a["name"] == "塘东路"
            && a["kind"] == "historical"
            && a["valid_to"] == "2026-03-09"),
        "{properties}"
    );
    assert_eq!(
        properties["approval"]["document_number"],
        "善政发〔2026〕12号"
    );
    assert_eq!(place["version"]["version"], 2);
    assert_eq!(place["version"]["effective_on"], "2026-03-09");
    // Search finds the record by its old name too.
    let (_, found) = app
        .get_json(
            &format!("/api/v1/search?q={}", crate::helpers::encoded("塘东路")),
            Some(&editor),
        )
        .await;
    assert!(found.to_string().contains("西塘路"), "{found}");

    // Sixteen days after approval, filing and announcement are overdue.
    clock.advance_days(16);
    let (_, overdue) = app
        .get_json("/api/v1/naming/applications/overdue", Some(&editor))
        .await;
    let late = overdue["overdue"].as_array().unwrap();
    assert_eq!(late.len(), 1, "{overdue}");
    assert_eq!(late[0]["application"]["id"], id);
    assert_eq!(late[0]["overdue"].as_array().unwrap().len(), 2);
    assert_eq!(late[0]["overdue"][0]["days_late"], 1);

    // Approved and in the record, but not announced: the doors keep their numbers.
    let early = app
        .post_step(Some(&editor), &renumbering, None, &renumber)
        .await;
    let problem = assert_problem(early, StatusCode::CONFLICT, None).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not announced"),
        "{problem}"
    );

    // Filing and announcement complete it.
    let filing = json!({ "filed_on": "2026-03-20", "authority": "嘉兴市民政局", "reference": "嘉民备〔2026〕3号" });
    let (_, next) = ok_with_tag(
        app.post_step(
            Some(&editor),
            &format!("/api/v1/naming/applications/{id}/filing"),
            Some(&tag),
            &filing,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    tag = next;
    let (body, _) = ok_with_tag(
        app.post_step(
            Some(&editor),
            &format!("/api/v1/naming/applications/{id}/announcement"),
            Some(&tag),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["stage"], "completed");
    assert_eq!(body["announced_on"], "2026-03-25");
    // Announced: the road's doors are renumbered and the old→new table published.
    let renumbered = app
        .post_step(Some(&editor), &renumbering, None, &renumber)
        .await;
    assert_eq!(renumbered.status(), StatusCode::OK);
    let renumbered: Value = renumbered.json().await.unwrap();
    assert_eq!(
        renumbered["rows"][0]["new_address"],
        "嘉善县西塘镇西塘路1号"
    );
    assert!(renumbered["renumbering_id"].is_i64(), "{renumbered}");
    let (_, overdue) = app
        .get_json("/api/v1/naming/applications/overdue", Some(&editor))
        .await;
    assert_eq!(overdue["overdue"], json!([]));

    // The announcement with its six fields, the page and the feed; each links to the record.
    let (status, listed) = app
        .get_json("/api/v1/naming/announcements?division=330421", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let announcement = &listed["announcements"][0];
    assert_eq!(announcement["standard_name"], "西塘路");
    assert_eq!(announcement["romanization"], "Xītáng Lù");
    assert_eq!(announcement["division_name"], "浙江省嘉兴市嘉善县西塘镇");
    assert_eq!(announcement["location"], "东起塘东桥，西至西塘古镇南门");
    assert_eq!(announcement["approving_authority"], "嘉善县人民政府");
    assert_eq!(announcement["approved_on"], "2026-03-09");
    assert_eq!(announcement["place_id"], place_id);
    let page = app
        .get("/public/naming/announcements?division=330421")
        .await
        .text()
        .await
        .unwrap();
    for text in [
        "西塘路",
        "Xītáng Lù",
        "浙江省嘉兴市嘉善县西塘镇",
        "东起塘东桥",
        "嘉善县人民政府",
        "2026-03-09",
    ] {
        assert!(page.contains(text), "{text}");
    }
    let feed = app.get("/public/naming/announcements.atom").await;
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let feed = feed.text().await.unwrap();
    assert!(feed.contains("<title>西塘路</title>"), "{feed}");
    assert!(
        feed.contains(&format!("/api/v1/places/{place_id}\"")),
        "{feed}"
    );

    // The whole history: every step with who took it.
    let (_, view) = app
        .get_json(&format!("/api/v1/naming/applications/{id}"), Some(&editor))
        .await;
    let actions: Vec<&str> = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "file",
            "report",
            "report",
            "report",
            "notice",
            "approve",
            "file_record",
            "announce"
        ]
    );
    assert_eq!(
        view["comments"][0]["text"],
        "支持更名，建议保留塘东桥的桥名"
    );
    let (_, audit) = app
        .get_json("/api/v1/audit?limit=100", Some(&app.token("admin").await))
        .await;
    assert!(audit.to_string().contains("naming.approve"), "{audit}");
}

#[tokio::test]
async fn a_new_feature_is_named_and_its_record_created_by_the_approval() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let naming = json!({
        "kind": "naming", "proposed_name": "云澜路", "category": "2532",
        "division_codes": ["330421101"],
        "geometry": { "type": "LineString", "coordinates": [[120.889, 30.944], [120.893, 30.946]] },
        "content": { "plan": "新建道路命名为云澜路", "reasons": "新建道路需命名", "location": "西塘镇北部" }
    });
    let (filed, mut tag) = ok_with_tag(
        app.post_step(Some(&editor), "/api/v1/naming/applications", None, &naming)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["place_id"], Value::Null);
    for kind in ["assessment", "expert_review", "consultation"] {
        let path = format!("/api/v1/naming/applications/{id}/reports");
        tag = ok_with_tag(
            app.post_step(Some(&reviewer), &path, Some(&tag), &report(kind))
                .await,
            StatusCode::CREATED,
        )
        .await
        .1;
    }
    let path = format!("/api/v1/naming/applications/{id}/notice");
    tag = ok_with_tag(
        app.post_step(Some(&reviewer), &path, Some(&tag), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await
    .1;
    clock.advance_days(10);
    let before = app.place_count().await;
    let approval = json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-12", "document_number": "善政发〔2026〕20号" });
    let path = format!("/api/v1/naming/applications/{id}/approve");
    let (body, _) = ok_with_tag(
        app.post_step(Some(&reviewer), &path, Some(&tag), &approval)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.place_count().await, before + 1);
    let place_id = body["place_id"].as_i64().unwrap();
    let (_, place) = app
        .get_json(&format!("/api/v1/places/{place_id}"), Some(&editor))
        .await;
    assert_eq!(place["properties"]["standard_name"], "云澜路");
    assert_eq!(place["properties"]["named_on"], "2026-03-12");
    assert_eq!(
        place["properties"]["approval"]["authority"],
        "嘉善县人民政府"
    );
    assert_eq!(place["version"]["action"], "created");
}

#[tokio::test]
async fn bad_applications_are_refused_naming_the_field_and_nothing_is_stored() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let (place_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let editor = app.token("jiashan").await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            {
                let mut b = renaming(place_id, "西塘路");
                b["content"]["plan"] = json!("  ");
                b
            },
            StatusCode::BAD_REQUEST,
            "content.plan",
        ),
        (
            {
                let mut b = renaming(place_id, "西塘路");
                b["content"]["location"] = json!("");
                b
            },
            StatusCode::BAD_REQUEST,
            "content.location",
        ),
        (
            renaming(place_id, "Xitang路"),
            StatusCode::BAD_REQUEST,
            "proposed_name",
        ),
        (
            renaming(place_id, "塘东路"),
            StatusCode::BAD_REQUEST,
            "proposed_name",
        ),
        (
            {
                let mut b = renaming(place_id, "西塘路");
                b["category"] = json!("2532");
                b
            },
            StatusCode::BAD_REQUEST,
            "category",
        ),
        (
            {
                let mut b = renaming(place_id, "西塘路");
                b.as_object_mut().unwrap().remove("place_id");
                b
            },
            StatusCode::BAD_REQUEST,
            "place_id",
        ),
        (
            json!({ "kind": "naming", "proposed_name": "云澜路", "division_codes": ["330421101"],
                 "content": { "plan": "p", "reasons": "r", "location": "l" } }),
            StatusCode::BAD_REQUEST,
            "category",
        ),
        (
            json!({ "kind": "naming", "proposed_name": "云澜路", "category": "2532", "division_codes": ["330421999"],
                 "content": { "plan": "p", "reasons": "r", "location": "l" } }),
            StatusCode::BAD_REQUEST,
            "division_codes[0]",
        ),
        // A geometry abroad.
        (
            json!({ "kind": "naming", "proposed_name": "云澜路", "category": "2532", "division_codes": ["330421101"],
                 "geometry": { "type": "Point", "coordinates": [2.35, 48.85] },
                 "content": { "plan": "p", "reasons": "r", "location": "l" } }),
            StatusCode::BAD_REQUEST,
            "geometry",
        ),
    ];
    for (body, status, field) in cases {
        let response = app
            .post_step(Some(&editor), "/api/v1/naming/applications", None, &body)
            .await;
        let problem = assert_problem(response, status, None).await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(field)),
            "{field}: {problem}"
        );
    }
    // A field the procedure does not know.
    let mut unknown = renaming(place_id, "西塘路");
    unknown["content"]["colour"] = json!("red");
    let response = app
        .post_step(Some(&editor), "/api/v1/naming/applications", None, &unknown)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (_, listed) = app
        .get_json("/api/v1/naming/applications", Some(&editor))
        .await;
    assert_eq!(listed["applications"], json!([]), "nothing stored");
}

#[tokio::test]
async fn steps_are_refused_to_roles_outside_jurisdictions_and_out_of_order() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let (place_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let editor = app.token("jiashan").await;
    let outsider = app.token("pinghu").await;
    let reviewer = app.token("reviewer").await;

    // Signed out: 401; another county's editor cannot rename this record (404 as if unknown).
    let body = renaming(place_id, "西塘路");
    assert_problem(
        app.post_step(None, "/api/v1/naming/applications", None, &body)
            .await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    assert_problem(
        app.post_step(Some(&outsider), "/api/v1/naming/applications", None, &body)
            .await,
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    let (filed, tag) = ok_with_tag(
        app.post_step(Some(&editor), "/api/v1/naming/applications", None, &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = filed["id"].as_i64().unwrap();
    let path = format!("/api/v1/naming/applications/{id}");
    assert_eq!(
        app.get_json(&path, Some(&outsider)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, listed) = app
        .get_json("/api/v1/naming/applications", Some(&outsider))
        .await;
    assert_eq!(listed["applications"], json!([]));

    // An editor does not write reports; the reviewer does, with the current tag only.
    let reports = format!("{path}/reports");
    assert_problem(
        app.post_step(Some(&editor), &reports, Some(&tag), &report("assessment"))
            .await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    assert_eq!(
        app.post_step(Some(&reviewer), &reports, None, &report("assessment"))
            .await
            .status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    assert_problem(
        app.post_step(
            Some(&reviewer),
            &reports,
            Some("\"n1.v9\""),
            &report("assessment"),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
        None,
    )
    .await;
    // Out of order: the notice needs the three reports.
    assert_problem(
        app.post_step(
            Some(&reviewer),
            &format!("{path}/notice"),
            Some(&tag),
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        None,
    )
    .await;
    // A report with a bad field is refused, nothing stored.
    let mut bad = report("assessment");
    bad["written_on"] = json!("2026-04-01");
    assert_problem(
        app.post_step(Some(&reviewer), &reports, Some(&tag), &bad)
            .await,
        StatusCode::BAD_REQUEST,
        Some("written_on"),
    )
    .await;
    let (_, view) = app.get_json(&path, Some(&reviewer)).await;
    assert_eq!(view["reports"], json!([]));
    assert_eq!(view["version"], 1);
    // An unapproved application cannot be filed or announced.
    assert_problem(
        app.post_step(
            Some(&editor),
            &format!("{path}/filing"),
            Some(&tag),
            &json!({ "authority": "嘉兴市民政局" }),
        )
        .await,
        StatusCode::CONFLICT,
        None,
    )
    .await;
    // A rejection needs its reason.
    assert_problem(
        app.post_step(
            Some(&reviewer),
            &format!("{path}/reject"),
            Some(&tag),
            &json!({ "reason": " " }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("reason"),
    )
    .await;
    let (body, _) = ok_with_tag(
        app.post_step(
            Some(&reviewer),
            &format!("{path}/reject"),
            Some(&tag),
            &json!({ "reason": "与西塘镇重名" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["stage"], "rejected");
    assert_eq!(body["rejection_reason"], "与西塘镇重名");
}

#[tokio::test]
async fn fifty_reviewers_racing_on_one_version_make_one_step() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let (place_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let (filed, tag) = ok_with_tag(
        app.post_step(
            Some(&editor),
            "/api/v1/naming/applications",
            None,
            &renaming(place_id, "西塘路"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = filed["id"].as_i64().unwrap();
    let kinds = ["assessment", "expert_review", "consultation"];
    let requests = (0..50).map(|i| {
        let (client, url, token, tag) = (
            app.client.clone(),
            app.url(&format!("/api/v1/naming/applications/{id}/reports")),
            reviewer.clone(),
            tag.clone(),
        );
        let body = report(kinds[i % 3]);
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("If-Match", tag)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_util::future::join_all(requests).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED
            || *s == StatusCode::PRECONDITION_FAILED
            || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    let (_, view) = app
        .get_json(
            &format!("/api/v1/naming/applications/{id}"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(view["reports"].as_array().unwrap().len(), 1);
    assert_eq!(view["version"], 2);
}

#[tokio::test]
async fn public_comments_are_checked_and_rate_limited() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 2).await;
    let (id, tag, _) = renaming_with_reports(&app).await;
    let reviewer = app.token("reviewer").await;
    // Before the notice, no comments.
    assert_eq!(
        app.comment(id, "早到的意见").await.status(),
        StatusCode::NOT_FOUND
    );
    let path = format!("/api/v1/naming/applications/{id}/notice");
    ok_with_tag(
        app.post_step(Some(&reviewer), &path, Some(&tag), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.comment(id, "").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.comment(id, &"长".repeat(1001)).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.comment(id, "含\u{200b}隐藏字符").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.comment(id, "同意").await.status(), StatusCode::CREATED);
    assert_eq!(
        app.comment(id, "同意更名").await.status(),
        StatusCode::CREATED
    );
    let limited = app.comment(id, "第三条").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "3600");
    let (_, view) = app
        .get_json(
            &format!("/api/v1/naming/applications/{id}"),
            Some(&reviewer),
        )
        .await;
    let texts: Vec<&str> = view["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["同意", "同意更名"]);
}

#[tokio::test]
async fn an_approval_outside_the_rules_is_refused_and_changes_nothing() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let (id, tag, place_id) = renaming_with_reports(&app).await;
    let reviewer = app.token("reviewer").await;
    let path = format!("/api/v1/naming/applications/{id}");
    let (_, tag) = ok_with_tag(
        app.post_step(
            Some(&reviewer),
            &format!("{path}/notice"),
            Some(&tag),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    clock.advance_days(8);
    for (body, field) in [
        (
            json!({ "authority": "", "approved_on": "2026-03-10", "document_number": "善政发〔2026〕1号" }),
            "authority",
        ),
        (
            json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-11", "document_number": "善政发〔2026〕1号" }),
            "approved_on",
        ),
        (
            json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-05", "document_number": "善政发〔2026〕1号" }),
            "approved_on",
        ),
        (
            json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-10", "document_number": " " }),
            "document_number",
        ),
    ] {
        let response = app
            .post_step(
                Some(&reviewer),
                &format!("{path}/approve"),
                Some(&tag),
                &body,
            )
            .await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let editor = app.token("jiashan").await;
    let good = json!({ "authority": "嘉善县人民政府", "approved_on": "2026-03-10", "document_number": "善政发〔2026〕1号" });
    assert_problem(
        app.post_step(Some(&editor), &format!("{path}/approve"), Some(&tag), &good)
            .await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    let (_, place) = app
        .get_json(&format!("/api/v1/places/{place_id}"), Some(&editor))
        .await;
    assert_eq!(place["properties"]["standard_name"], "塘东路");
    assert_eq!(place["version"]["version"], 1);
    let (_, view) = app.get_json(&path, Some(&reviewer)).await;
    assert_eq!(view["stage"], "on_notice");
}

fn place_in(name: &str, category: &str, division: &str) -> Value {
    json!({
        "type": "Feature",
        "properties": { "standard_name": name, "category": category, "division_codes": [division] },
        "change": { "effective_on": "2026-01-01" }
    })
}

#[tokio::test]
async fn a_campaign_flags_real_non_standard_names_and_each_is_decided() {
    let clock = Clock::fixed(day("2026-03-02"));
    let app = spawn(&clock, 5).await;
    let mut ids = std::collections::HashMap::new();
    for (name, category, division, user) in [
        ("威尼斯花园", "241", "330421101", "jiashan"),
        ("皇庭花园", "281", "330421101", "jiashan"),
        ("垟头", "242", "330421101", "jiashan"),
        ("人民路", "2532", "330421101", "jiashan"),
        ("人民路", "2532", "330421", "jiashan"),
        ("汤山路", "2532", "330421101", "jiashan"),
        ("唐山路", "2532", "330421", "jiashan"),
        // Not flagged: ordinary names, and a 人民路 of another county.
        ("中山路", "2532", "330421101", "jiashan"),
        ("塘东村", "242", "330421101", "jiashan"),
        ("洋桥", "242", "330421101", "jiashan"),
        ("人民路", "2532", "330482", "pinghu"),
    ] {
        let (id, _) = app
            .created_place(user, &place_in(name, category, division))
            .await;
        ids.entry(name).or_insert_with(Vec::new).push(id);
    }
    let editor = app.token("jiashan").await;
    let outsider = app.token("pinghu").await;

    // Bad input, and a jurisdiction beyond one's own, store nothing.
    let start = |body: Value, token: String| {
        let app = &app;
        async move {
            app.post_step(Some(&token), "/api/v1/naming/campaigns", None, &body)
                .await
        }
    };
    assert_problem(
        start(
            json!({ "title": "", "jurisdiction": "330421" }),
            editor.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("title"),
    )
    .await;
    assert_problem(
        start(
            json!({ "title": "清理", "jurisdiction": "33x" }),
            editor.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("jurisdiction"),
    )
    .await;
    assert_problem(
        start(
            json!({ "title": "清理", "jurisdiction": "3304" }),
            editor.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    assert_eq!(
        app.get_json("/api/v1/naming/campaigns", Some(&editor))
            .await
            .1["campaigns"],
        json!([])
    );

    let response = start(
        json!({ "title": "嘉善县不规范地名清理整治", "jurisdiction": "330421" }),
        editor.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let campaign: Value = response.json().await.unwrap();
    let id = campaign["id"].as_i64().unwrap();
    let (_, items) = app
        .get_json(
            &format!("/api/v1/naming/campaigns/{id}/items"),
            Some(&editor),
        )
        .await;
    let items = items["items"].as_array().unwrap().clone();
    let flagged: std::collections::BTreeSet<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["standard_name"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: std::collections::BTreeSet<(String, String)> = [
        ("威尼斯花园", "foreign"),
        ("皇庭花园", "big"),
        ("垟头", "weird"),
        ("人民路", "duplicate"),
        ("汤山路", "duplicate"),
        ("唐山路", "duplicate"),
    ]
    .iter()
    .map(|(n, k)| (n.to_string(), k.to_string()))
    .collect();
    assert_eq!(flagged, expected, "{items:?}");
    let renmin: Vec<&Value> = items
        .iter()
        .filter(|i| i["standard_name"] == "人民路")
        .collect();
    assert_eq!(renmin.len(), 2, "both 人民路 of 嘉善县, not 平湖市's");
    assert!(
        renmin
            .iter()
            .all(|i| i["reason"].as_str().unwrap().contains("重名"))
    );
    let tang = items
        .iter()
        .find(|i| i["standard_name"] == "汤山路")
        .unwrap();
    assert!(tang["reason"].as_str().unwrap().contains("音近"), "{tang}");
    assert_eq!(campaign["totals"]["items"], 7);
    assert_eq!(campaign["totals"]["by_kind"]["duplicate"]["items"], 4);

    // Another county's editor does not see it.
    assert_eq!(
        app.get_json(&format!("/api/v1/naming/campaigns/{id}"), Some(&outsider))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let item = |name: &str| {
        items
            .iter()
            .find(|i| i["standard_name"] == name)
            .unwrap()
            .clone()
    };
    let decide = |item: &Value, body: Value, token: String| {
        let app = &app;
        let path = format!("/api/v1/naming/campaign-items/{}/decision", item["id"]);
        let tag = format!("\"c{}.v{}\"", item["id"], item["version"]);
        async move { app.post_step(Some(&token), &path, Some(&tag), &body).await }
    };
    // Keep needs its reason; nothing is stored without one.
    let venice = item("威尼斯花园");
    assert_problem(
        decide(
            &venice,
            json!({ "decision": "keep", "reason": "" }),
            editor.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("reason"),
    )
    .await;
    assert_problem(
        decide(
            &venice,
            json!({ "decision": "delete", "reason": "x" }),
            editor.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("decision"),
    )
    .await;
    let reviewer = app.token("reviewer").await;
    let kept = decide(
        &venice,
        json!({ "decision": "keep", "reason": "已有二十年，群众认可，经论证保留" }),
        reviewer,
    )
    .await;
    assert_eq!(kept.status(), StatusCode::OK);
    assert_problem(
        decide(
            &venice,
            json!({ "decision": "keep", "reason": "again" }),
            editor.clone(),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
        None,
    )
    .await;

    // Standardise the writing: the record's next version, the old writing historical.
    let yang = item("垟头");
    let response = decide(
        &yang,
        json!({ "decision": "standardise", "reason": "规范为通用字", "new_writing": "洋头" }),
        editor.clone(),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let place_id = ids["垟头"][0];
    let (_, place) = app
        .get_json(&format!("/api/v1/places/{place_id}"), Some(&editor))
        .await;
    assert_eq!(place["properties"]["standard_name"], "洋头");
    assert_eq!(place["properties"]["alternate_names"][0]["name"], "垟头");

    // Rename: a renaming application is opened with the finding as its reason.
    let palace = item("皇庭花园");
    let decided: Value = decide(
        &palace,
        json!({ "decision": "rename", "reason": "名称夸大", "proposed_name": "塘南花园" }),
        editor.clone(),
    )
    .await
    .json()
    .await
    .unwrap();
    let application = decided["application_id"].as_i64().unwrap();
    let (_, opened) = app
        .get_json(
            &format!("/api/v1/naming/applications/{application}"),
            Some(&editor),
        )
        .await;
    assert_eq!(opened["kind"], "renaming");
    assert_eq!(opened["current_name"], "皇庭花园");
    assert_eq!(opened["proposed_name"], "塘南花园");

    // Progress per division and kind, and the export.
    let (_, view) = app
        .get_json(&format!("/api/v1/naming/campaigns/{id}"), Some(&editor))
        .await;
    assert_eq!(view["totals"]["decided"], 3);
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/naming/campaigns/{id}/items.csv")))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 8, "{csv}");
    assert!(csv.contains("皇庭花园") && csv.contains("rename"));
}
