//! Sign-in, sign-out and the refusals: anonymous writes, other jurisdictions, other roles,
//! wrong passwords, repeated failures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, pinghu, spawn_app, xitang};

#[tokio::test]
async fn an_anonymous_write_is_401() {
    let app = spawn_app().await;
    let response = app.create_place(None, &xitang("塘东村")).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
    let (id, tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let response = app.update_place(None, id, Some(&tag), &xitang("甲")).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
    let response = app.retire(None, id, &tag, &json!({"comment": "x"})).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
    assert_eq!(app.place_count().await, 1);
}

#[tokio::test]
async fn an_editor_cannot_write_outside_the_jurisdiction() {
    let app = spawn_app().await;
    let jiashan = app.token("jiashan").await;
    let response = app.create_place(Some(&jiashan), &pinghu("钟埭村")).await;
    let problem = assert_problem(response, StatusCode::FORBIDDEN, None).await;
    assert!(problem["detail"].as_str().unwrap().contains("330482"));
    assert_eq!(app.place_count().await, 0);

    // Nor change a neighbour's record, nor move one's own record into the neighbour's area.
    let (pinghu_id, pinghu_tag) = app.created_place("pinghu", &pinghu("钟埭村")).await;
    let mut edit = pinghu("钟埭新村");
    edit["change"] = json!({"comment": "x"});
    let response = app
        .update_place(Some(&jiashan), pinghu_id, Some(&pinghu_tag), &edit)
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, None).await;
    let (own_id, own_tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let response = app
        .update_place(Some(&jiashan), own_id, Some(&own_tag), &edit)
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, None).await;
    let (_, unchanged) = app
        .get_json(&format!("/api/v1/places/{pinghu_id}"), None)
        .await;
    assert_eq!(unchanged["properties"]["standard_name"], "钟埭村");
}

#[tokio::test]
async fn a_reviewer_cannot_edit_records() {
    let app = spawn_app().await;
    let token = app.token("reviewer").await;
    let response = app.create_place(Some(&token), &xitang("塘东村")).await;
    assert_problem(response, StatusCode::FORBIDDEN, None).await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    let wrong_password = app.login_response("jiashan", "not-the-password").await;
    let a = assert_problem(wrong_password, StatusCode::UNAUTHORIZED, None).await;
    let unknown_user = app.login_response("nobody", PASSWORD).await;
    let b = assert_problem(unknown_user, StatusCode::UNAUTHORIZED, None).await;
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["detail"], "the username or password is wrong");
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_username() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let response = app.login_response("jiashan", "guess-guess-guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now: even the right password is turned away, with a time to come back.
    let response = app.login_response("jiashan", PASSWORD).await;
    assert!(response.headers().get("retry-after").is_some());
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, None).await;
    // An unknown username locks the same way, so a lock tells nothing about who exists.
    for _ in 0..5 {
        app.login_response("nobody", "guess-guess-guess").await;
    }
    assert_eq!(
        app.login_response("nobody", "x").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other users are not affected.
    assert_eq!(
        app.login_response("pinghu", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_signed_out_token_no_longer_works() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (status, me) = app.get_json("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["username"], "jiashan");
    assert_eq!(me["user"]["jurisdictions"], json!(["330421"]));
    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.create_place(Some(&token), &xitang("塘东村")).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_refused_cross_site() {
    let app = spawn_app().await;
    let response = app.login_response("jiashan", PASSWORD).await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert!(body["expires_at"].is_string());

    let (status, _) = {
        let r = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        (r.status(), ())
    };
    assert_eq!(status, StatusCode::OK);
    let same_site = app
        .client
        .post(app.url("/api/v1/places"))
        .header("cookie", &session)
        .header("origin", &app.address)
        .json(&xitang("塘东村"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::CREATED);
    let cross_site = app
        .client
        .post(app.url("/api/v1/places"))
        .header("cookie", &session)
        .header("origin", "http://evil.example")
        .json(&xitang("塘西村"))
        .send()
        .await
        .unwrap();
    assert_problem(cross_site, StatusCode::FORBIDDEN, None).await;
    assert_eq!(app.place_count().await, 1);
}

#[tokio::test]
async fn an_expired_or_made_up_token_is_401() {
    let app = spawn_app().await;
    let response = app
        .create_place(Some("made-up-token"), &xitang("塘东村"))
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
    let response = app
        .client
        .get(app.url("/api/v1/places"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn a_token_stops_working_when_it_expires() {
    let app = crate::helpers::spawn_app_with(|settings| settings.session_ttl_minutes = 0).await;
    let token = app.token("jiashan").await;
    let (status, _) = app.get_json("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
