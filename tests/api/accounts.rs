//! Accounts managed over HTTP by administrators within their own jurisdiction: create, change
//! role and jurisdictions, disable, reset the password; every refusal leaves nothing stored.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

const NEW_PASSWORD: &str = "a long enough password";

async fn create(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/users"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Every account, as the national administrator lists them.
async fn users(app: &TestApp) -> Vec<Value> {
    let admin = app.token("admin").await;
    let (status, body) = app.get_json("/api/v1/users", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    body["users"].as_array().unwrap().clone()
}

async fn user_count(app: &TestApp) -> usize {
    users(app).await.len()
}

async fn id_of(app: &TestApp, name: &str) -> i64 {
    users(app)
        .await
        .iter()
        .find(|u| u["username"] == name)
        .and_then(|u| u["id"].as_i64())
        .unwrap()
}

/// An administrator of 嘉兴市 (3304) only, made by the national administrator.
async fn jiaxing_admin(app: &TestApp) -> String {
    let admin = app.token("admin").await;
    let response = create(
        app,
        &admin,
        &json!({ "username": "jx-admin", "password": NEW_PASSWORD, "role": "admin", "jurisdictions": ["3304"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let login = app.login_response("jx-admin", NEW_PASSWORD).await;
    let body: Value = login.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_administrator_creates_an_editor_who_can_then_sign_in() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let response = create(
        &app,
        &admin,
        &json!({ "username": "Xitang.Editor", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["330421101"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["username"], "xitang.editor", "normalised");
    assert_eq!(body["user"]["jurisdictions"], json!(["330421101"]));
    assert!(
        body["user"].get("password_hash").is_none(),
        "the hash never leaves"
    );
    assert_eq!(location, format!("/api/v1/users/{}", body["user"]["id"]));
    assert!(etag.ends_with(".v1\""), "{etag}");

    let login = app.login_response("xitang.editor", NEW_PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let (_, log) = app
        .get_json("/api/v1/audit?target_type=user&limit=100", Some(&admin))
        .await;
    let entries = log["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "user.create" && e["username"] == "admin"),
        "{log}"
    );
}

#[tokio::test]
async fn bad_accounts_are_refused_field_by_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let before = user_count(&app).await;
    let cases = [
        (
            json!({ "username": "a b", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["330421"] }),
            "username",
        ),
        (
            json!({ "username": "shorty", "password": "short", "role": "editor", "jurisdictions": ["330421"] }),
            "password",
        ),
        (
            json!({ "username": "boss", "password": NEW_PASSWORD, "role": "superuser", "jurisdictions": ["330421"] }),
            "role",
        ),
        (
            json!({ "username": "nowhere", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": [] }),
            "jurisdictions",
        ),
        (
            json!({ "username": "wrongplace", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["99x"] }),
            "jurisdictions[0]",
        ),
    ];
    for (body, field) in cases {
        let response = create(&app, &admin, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let unknown_field = create(
        &app,
        &admin,
        &json!({ "username": "extra", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["330421"], "superpower": true }),
    )
    .await;
    assert_eq!(unknown_field.status(), StatusCode::BAD_REQUEST);
    let taken = create(
        &app,
        &admin,
        &json!({ "username": "jiashan", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["330421"] }),
    )
    .await;
    assert_problem(taken, StatusCode::CONFLICT, None).await;
    assert_eq!(user_count(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn only_administrators_manage_accounts() {
    let app = spawn_app().await;
    let before = user_count(&app).await;
    for who in ["jiashan", "reviewer"] {
        let token = app.token(who).await;
        let response = create(
            &app,
            &token,
            &json!({ "username": "sneaky", "password": NEW_PASSWORD, "role": "admin" }),
        )
        .await;
        assert_problem(response, StatusCode::FORBIDDEN, None).await;
        let list = app
            .client
            .get(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), StatusCode::FORBIDDEN);
    }
    let anonymous = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({ "username": "sneaky", "password": NEW_PASSWORD, "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(user_count(&app).await, before);
}

#[tokio::test]
async fn an_administrator_of_a_city_manages_only_accounts_inside_it() {
    let app = spawn_app().await;
    let jx = jiaxing_admin(&app).await;
    let before = user_count(&app).await;
    // Outside 3304, or everywhere: refused with the reason, nothing stored.
    for jurisdictions in [json!(["3305"]), json!(["330421", "3301"])] {
        let response = create(
            &app,
            &jx,
            &json!({ "username": "hz-editor", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": jurisdictions }),
        )
        .await;
        let body = assert_problem(response, StatusCode::FORBIDDEN, None).await;
        assert!(
            body["detail"].as_str().unwrap().contains("jurisdiction"),
            "{body}"
        );
    }
    let everywhere = create(
        &app,
        &jx,
        &json!({ "username": "national", "password": NEW_PASSWORD, "role": "admin", "jurisdictions": [] }),
    )
    .await;
    assert_problem(everywhere, StatusCode::FORBIDDEN, None).await;
    assert_eq!(user_count(&app).await, before);

    // The list holds the accounts inside 3304 and not the national administrator; reading that
    // one is as for an unknown id.
    let (status, list) = app.get_json("/api/v1/users", Some(&jx)).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"jiashan") && names.contains(&"pinghu"),
        "{names:?}"
    );
    assert!(!names.contains(&"admin"), "{names:?}");
    let admin_id = id_of(&app, "admin").await;
    let (status, _) = app
        .get_json(&format!("/api/v1/users/{admin_id}"), Some(&jx))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let inside = create(
        &app,
        &jx,
        &json!({ "username": "jiashan2", "password": NEW_PASSWORD, "role": "editor", "jurisdictions": ["330421"] }),
    )
    .await;
    assert_eq!(inside.status(), StatusCode::CREATED);
}

async fn user_of(app: &TestApp, token: &str, name: &str) -> (i64, String) {
    let id = id_of(app, name).await;
    let response = app
        .client
        .get(app.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    (id, response.headers()["etag"].to_str().unwrap().to_string())
}

async fn change(
    app: &TestApp,
    token: &str,
    id: i64,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .put(app.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(token)
        .json(body);
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_a_stale_change_is_refused() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let editor = app.token("jiashan").await;
    let (id, etag) = user_of(&app, &admin, "jiashan").await;

    let without_tag = change(
        &app,
        &admin,
        id,
        None,
        &json!({ "role": "editor", "jurisdictions": ["330421"], "disabled": true }),
    )
    .await;
    assert_eq!(without_tag.status(), StatusCode::PRECONDITION_REQUIRED);

    let disabled = change(
        &app,
        &admin,
        id,
        Some(&etag),
        &json!({ "role": "editor", "jurisdictions": ["330421"], "disabled": true }),
    )
    .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let body: Value = disabled.json().await.unwrap();
    assert_eq!(body["user"]["disabled"], true);
    let me = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "the session ended");
    assert_eq!(
        app.login_response("jiashan", app.password).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let stale = change(
        &app,
        &admin,
        id,
        Some(&etag),
        &json!({ "role": "reviewer", "jurisdictions": ["330421"] }),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED, None).await;
    let (_, now) = app
        .get_json(&format!("/api/v1/users/{id}"), Some(&admin))
        .await;
    assert_eq!(
        now["user"]["role"], "editor",
        "the stale change wrote nothing"
    );
    assert_eq!(now["user"]["version"], 2);
}

#[tokio::test]
async fn an_administrator_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (id, etag) = user_of(&app, &admin, "admin").await;
    let response = change(
        &app,
        &admin,
        id,
        Some(&etag),
        &json!({ "role": "admin", "disabled": true }),
    )
    .await;
    assert_problem(response, StatusCode::CONFLICT, None).await;
    let demote = change(
        &app,
        &admin,
        id,
        Some(&etag),
        &json!({ "role": "editor", "jurisdictions": ["33"] }),
    )
    .await;
    assert_problem(demote, StatusCode::CONFLICT, None).await;
}

#[tokio::test]
async fn moving_an_account_out_of_the_administrators_jurisdiction_is_refused() {
    let app = spawn_app().await;
    let jx = jiaxing_admin(&app).await;
    let (id, etag) = user_of(&app, &jx, "jiashan").await;
    let response = change(
        &app,
        &jx,
        id,
        Some(&etag),
        &json!({ "role": "editor", "jurisdictions": ["3301"] }),
    )
    .await;
    assert_problem(response, StatusCode::FORBIDDEN, None).await;
    let bad = change(
        &app,
        &jx,
        id,
        Some(&etag),
        &json!({ "role": "editor", "jurisdictions": [] }),
    )
    .await;
    assert_problem(bad, StatusCode::BAD_REQUEST, Some("jurisdictions")).await;
}

#[tokio::test]
async fn a_reset_password_replaces_the_old_one_and_signs_the_account_out() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let editor = app.token("pinghu").await;
    let (id, _) = user_of(&app, &admin, "pinghu").await;
    let reset = |password: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/users/{id}/password")))
            .bearer_auth(&admin)
            .json(&json!({ "password": password }))
            .send()
    };
    assert_problem(
        reset("short").await.unwrap(),
        StatusCode::BAD_REQUEST,
        Some("password"),
    )
    .await;
    assert_eq!(
        app.login_response("pinghu", app.password).await.status(),
        StatusCode::OK,
        "unchanged"
    );
    assert_eq!(reset(NEW_PASSWORD).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        app.login_response("pinghu", app.password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_response("pinghu", NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let me = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let (_, log) = app
        .get_json("/api/v1/audit?target_type=user&limit=100", Some(&admin))
        .await;
    assert!(log.to_string().contains("user.reset_password"));
    assert!(
        !log.to_string().contains(NEW_PASSWORD),
        "the password is never logged"
    );
}

#[tokio::test]
async fn fifty_administrators_changing_one_account_at_once_make_exactly_one_change() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (id, etag) = user_of(&app, &admin, "jiashan").await;
    let bodies: Vec<Value> = (0..50)
        .map(|i| {
            let jurisdictions = if i % 2 == 0 {
                json!(["330421"])
            } else {
                json!(["330421", "330482"])
            };
            json!({ "role": "editor", "jurisdictions": jurisdictions })
        })
        .collect();
    let requests = bodies
        .iter()
        .map(|body| change(&app, &admin, id, Some(&etag), body));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.status())
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((ok, stale), (1, 49), "{statuses:?}");
    let (_, now) = app
        .get_json(&format!("/api/v1/users/{id}"), Some(&admin))
        .await;
    assert_eq!(now["user"]["version"], 2);
}

#[tokio::test]
async fn fifty_accounts_created_at_once_are_all_stored() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let before = user_count(&app).await;
    let requests = (0..50).map(|i| {
        let body = json!({ "username": format!("crew-{i:02}"), "password": NEW_PASSWORD, "role": "inspector", "jurisdictions": ["330421"] });
        let client = app.client.clone();
        let url = app.url("/api/v1/users");
        let token = admin.clone();
        async move { client.post(url).bearer_auth(token).json(&body).send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    assert_eq!(user_count(&app).await, before + 50);
}
