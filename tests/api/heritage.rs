//! Heritage names through HTTP: a nomination with its evidence, the review that lists it, its
//! public page and the link from the public page of a sign that shows it, de-listing; and the
//! refusals: bad evidence, roles, jurisdictions, stale and out-of-order steps, and the public
//! never seeing a nomination that is not listed.

use chrono::NaiveDate;
use diming::app::naming::Clock;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with, xitang};

async fn spawn(today: &str) -> TestApp {
    let clock = Clock::fixed(NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap());
    spawn_app_with(move |s| s.naming.clock = clock).await
}

fn nomination(place_id: i64) -> Value {
    json!({
        "place_id": place_id,
        "evidence": {
            "attested_since": "明代",
            "age_years": 600,
            "documents": [
                { "title": "《嘉善县志》（1995）卷二", "reference": "嘉善县档案馆" },
                { "title": "光绪《重修嘉善县志》" }
            ],
            "story": "村因古塘而聚，明代已见于县志，沿用至今。"
        }
    })
}

async fn post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    tag: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.client.post(app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = tag {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

async fn answer(response: Response, status: StatusCode) -> (Value, String) {
    let got = response.status();
    let tag = response
        .headers()
        .get("etag")
        .map(|t| t.to_str().unwrap().to_string());
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    (body, tag.expect("an ETag"))
}

async fn html(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.get(path).await;
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_name_is_nominated_listed_shown_to_the_public_and_delisted() {
    let app = spawn("2026-05-01").await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let sign = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&editor)
        .json(&json!({ "place_id": place_id, "kind": "village", "position": [120.8906, 30.9447] }))
        .send()
        .await
        .unwrap();
    assert_eq!(sign.status(), StatusCode::CREATED);
    let sign: Value = sign.json().await.unwrap();
    let sign_page = format!("/s/{}", sign["sign"]["public_code"].as_str().unwrap());
    let (_, before) = html(&app, &sign_page).await;
    assert!(!before.contains("/public/naming/heritage/"));

    let response = post(
        &app,
        Some(&editor),
        "/api/v1/naming/heritage",
        None,
        &nomination(place_id),
    )
    .await;
    assert!(response.headers().get("location").is_some());
    let (nominated, tag) = answer(response, StatusCode::CREATED).await;
    let id = nominated["id"].as_i64().unwrap();
    assert_eq!(nominated["status"], "nominated");
    assert_eq!(nominated["name"], "塘东村");
    assert_eq!(tag, format!("\"h{id}.v1\""));

    // Not listed yet: the public sees nothing of it.
    let public = format!("/public/naming/heritage/{id}");
    assert_eq!(app.get(&public).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = html(&app, "/public/naming/heritage").await;
    assert!(!list.contains("塘东村"));

    // An editor does not review; a second nomination of the same name is refused.
    let listing = json!({ "listed_on": "2026-05-01", "list_batch": "第一批", "protection": ["设立地名标志", "编入地名志"] });
    let path = format!("/api/v1/naming/heritage/{id}/list");
    assert_problem(
        post(&app, Some(&editor), &path, Some(&tag), &listing).await,
        StatusCode::FORBIDDEN,
        None,
    )
    .await;
    assert_problem(
        post(
            &app,
            Some(&editor),
            "/api/v1/naming/heritage",
            None,
            &nomination(place_id),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("place_id"),
    )
    .await;

    let (listed, tag) = answer(
        post(&app, Some(&reviewer), &path, Some(&tag), &listing).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["status"], "listed");
    assert_eq!(listed["protection"], json!(["设立地名标志", "编入地名志"]));

    let (status, page) = html(&app, &public).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "塘东村",
        "明代",
        "600",
        "第一批",
        "设立地名标志",
        "《嘉善县志》（1995）卷二（嘉善县档案馆）",
        "村因古塘而聚",
    ] {
        assert!(page.contains(text), "{text} missing from the heritage page");
    }
    let (_, list) = html(&app, "/public/naming/heritage?division=330421").await;
    assert!(list.contains(&public));
    // The sign's cached page was drawn before the listing: it links to the heritage page now.
    let (_, after) = html(&app, &sign_page).await;
    assert!(
        after.contains(&public),
        "the sign page links to the heritage page"
    );

    // A stale tag is 412; de-listing needs a reason; then the public page is gone.
    let delist = format!("/api/v1/naming/heritage/{id}/delist");
    let stale = format!("\"h{id}.v1\"");
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &delist,
            Some(&stale),
            &json!({ "reason": "x" }),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
        None,
    )
    .await;
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &delist,
            Some(&tag),
            &json!({ "reason": " " }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("reason"),
    )
    .await;
    let (delisted, _) = answer(
        post(
            &app,
            Some(&reviewer),
            &delist,
            Some(&tag),
            &json!({ "reason": "村庄撤并，地名已不再使用" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(delisted["status"], "delisted");
    assert_eq!(delisted["delisted_on"], "2026-05-01");
    assert_eq!(app.get(&public).await.status(), StatusCode::NOT_FOUND);
    let (_, after) = html(&app, &sign_page).await;
    assert!(!after.contains(&public));

    // Every step is in the audit log.
    let admin = app.token("admin").await;
    let (_, audit) = app.get_json("/api/v1/audit?limit=50", Some(&admin)).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["heritage.nominate", "heritage.listed", "heritage.delisted"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn bad_nominations_and_steps_are_refused_and_nothing_is_stored() {
    let app = spawn("2026-05-01").await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let editor = app.token("jiashan").await;
    let outsider = app.token("pinghu").await;
    let reviewer = app.token("reviewer").await;

    // Each bad field is named; nothing is stored.
    let mut bad = nomination(place_id);
    bad["evidence"]["documents"] = json!([{ "title": "" }]);
    assert_problem(
        post(&app, Some(&editor), "/api/v1/naming/heritage", None, &bad).await,
        StatusCode::BAD_REQUEST,
        Some("evidence.documents[0].title"),
    )
    .await;
    let mut bad = nomination(place_id);
    bad["evidence"]["age_years"] = json!(0);
    assert_problem(
        post(&app, Some(&editor), "/api/v1/naming/heritage", None, &bad).await,
        StatusCode::BAD_REQUEST,
        Some("evidence.age_years"),
    )
    .await;
    let mut bad = nomination(place_id);
    bad["evidence"]["source"] = json!("x");
    assert_problem(
        post(&app, Some(&editor), "/api/v1/naming/heritage", None, &bad).await,
        StatusCode::BAD_REQUEST,
        None,
    )
    .await;
    // Signed out 401; another county's editor: the record does not exist for them.
    assert_problem(
        post(
            &app,
            None,
            "/api/v1/naming/heritage",
            None,
            &nomination(place_id),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    assert_problem(
        post(
            &app,
            Some(&outsider),
            "/api/v1/naming/heritage",
            None,
            &nomination(place_id),
        )
        .await,
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    let (_, listed) = app.get_json("/api/v1/naming/heritage", Some(&editor)).await;
    assert_eq!(listed["nominations"], json!([]));

    let (nominated, tag) = answer(
        post(
            &app,
            Some(&editor),
            "/api/v1/naming/heritage",
            None,
            &nomination(place_id),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = nominated["id"].as_i64().unwrap();
    // The other county neither reads nor lists it.
    assert_eq!(
        app.get_json(&format!("/api/v1/naming/heritage/{id}"), Some(&outsider))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = app
        .get_json("/api/v1/naming/heritage", Some(&outsider))
        .await;
    assert_eq!(theirs["nominations"], json!([]));

    // A listing in the future, without measures, or without If-Match is refused.
    let path = format!("/api/v1/naming/heritage/{id}/list");
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &path,
            Some(&tag),
            &json!({ "listed_on": "2026-06-01", "protection": ["设立地名标志"] }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("listed_on"),
    )
    .await;
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &path,
            Some(&tag),
            &json!({ "listed_on": "2026-05-01", "protection": [] }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        Some("protection"),
    )
    .await;
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &path,
            None,
            &json!({ "listed_on": "2026-05-01", "protection": ["设立地名标志"] }),
        )
        .await,
        StatusCode::PRECONDITION_REQUIRED,
        None,
    )
    .await;
    // A nomination is not de-listed before it is listed (409); it is rejected with a reason.
    let delist = format!("/api/v1/naming/heritage/{id}/delist");
    assert_problem(
        post(
            &app,
            Some(&reviewer),
            &delist,
            Some(&tag),
            &json!({ "reason": "x" }),
        )
        .await,
        StatusCode::CONFLICT,
        None,
    )
    .await;
    let (_, still) = app
        .get_json(&format!("/api/v1/naming/heritage/{id}"), Some(&editor))
        .await;
    assert_eq!(still["status"], "nominated");
    assert_eq!(still["version"], 1);
    let reject = format!("/api/v1/naming/heritage/{id}/reject");
    let (rejected, _) = answer(
        post(
            &app,
            Some(&reviewer),
            &reject,
            Some(&tag),
            &json!({ "reason": "文献不足以证明地名的历史" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        app.get(&format!("/public/naming/heritage/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // An unknown parameter on the public list is refused like everywhere else.
    assert_eq!(
        app.get("/public/naming/heritage?page=2").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn fifty_editors_nominating_one_name_at_once_make_one_nomination() {
    let app = spawn("2026-05-01").await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let editor = app.token("jiashan").await;
    let body = nomination(place_id);
    let answers = futures_util::future::join_all(
        (0..50).map(|_| post(&app, Some(&editor), "/api/v1/naming/heritage", None, &body)),
    )
    .await;
    let created = answers
        .iter()
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    assert!(
        answers
            .iter()
            .all(|r| [201, 409, 422].contains(&r.status().as_u16()))
    );
    let (_, listed) = app.get_json("/api/v1/naming/heritage", Some(&editor)).await;
    assert_eq!(listed["nominations"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn fifty_reviewers_racing_on_one_nomination_make_one_listing() {
    let app = spawn("2026-05-01").await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let editor = app.token("jiashan").await;
    let reviewer = app.token("reviewer").await;
    let (nominated, tag) = answer(
        post(
            &app,
            Some(&editor),
            "/api/v1/naming/heritage",
            None,
            &nomination(place_id),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/naming/heritage/{}/list", nominated["id"]);
    let listing = json!({ "listed_on": "2026-05-01", "protection": ["设立地名标志"] });
    let answers = futures_util::future::join_all(
        (0..50).map(|_| post(&app, Some(&reviewer), &path, Some(&tag), &listing)),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 412),
        "{statuses:?}"
    );
}
