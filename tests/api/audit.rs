//! Every write is in the audit log with the acting user; only admins read it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app, xitang};

#[tokio::test]
async fn every_write_appears_in_the_audit_log_with_its_user() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (id, tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let mut edit = xitang("塘东新村");
    edit["change"] = json!({ "comment": "更名" });
    let updated = app.update_place(Some(&token), id, Some(&tag), &edit).await;
    let tag = updated.headers()["etag"].to_str().unwrap().to_string();
    let retired = app
        .retire(Some(&token), id, &tag, &json!({ "comment": "撤并" }))
        .await;
    assert_eq!(retired.status(), StatusCode::OK);
    app.login_response("jiashan", "wrong-password-here").await;

    let admin = app.token("admin").await;
    let (status, log) = app.get_json("/api/v1/audit?limit=1000", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let entries = log["entries"].as_array().unwrap();
    let find = |action: &str| -> Vec<&Value> {
        entries.iter().filter(|e| e["action"] == action).collect()
    };
    for action in ["place.create", "place.update", "place.retire"] {
        let found = find(action);
        assert_eq!(found.len(), 1, "{action} in {log}");
        assert_eq!(found[0]["username"], "jiashan");
        assert_eq!(found[0]["target_id"], id.to_string());
        assert_eq!(found[0]["remote_addr"], "127.0.0.1");
    }
    assert_eq!(find("place.update")[0]["detail"]["comment"], "更名");
    assert!(!find("auth.login").is_empty());
    assert_eq!(
        find("auth.login_failed")[0]["detail"]["username"],
        "jiashan"
    );
    assert_eq!(find("user.create").len(), 4);

    let (_, only_places) = app
        .get_json(
            &format!("/api/v1/audit?target_type=place&target_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(only_places["entries"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn only_admins_read_the_audit_log() {
    let app = spawn_app().await;
    let editor = app.token("jiashan").await;
    let response = app
        .client
        .get(app.url("/api/v1/audit"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, None).await;
    let response = app.get("/api/v1/audit").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, None).await;
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten() {
    let app = spawn_app().await;
    app.created_place("jiashan", &xitang("塘东村")).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    app.store.backup_to(&copy).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    for statement in [
        "DELETE FROM audit_log",
        "UPDATE place_versions SET standard_name = 'x'",
        "DELETE FROM place_versions",
    ] {
        let refused = sqlx::query(statement).execute(&pool).await.unwrap_err();
        assert!(
            refused.to_string().contains("append-only"),
            "{statement}: {refused}"
        );
    }
}
