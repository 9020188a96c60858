//! Records classified other than public never reach the anonymous public.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, xitang};

#[tokio::test]
async fn an_internal_record_is_hidden_from_the_public_but_not_from_staff() {
    let app = spawn_app().await;
    let mut draft = xitang("拟命名路");
    draft["properties"]["classification"] = json!("internal");
    let (id, _) = app.created_place("jiashan", &draft).await;
    app.created_place("jiashan", &xitang("塘东村")).await;

    let (status, _) = app.get_json(&format!("/api/v1/places/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_json(&format!("/api/v1/places/{id}/history"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_json(&format!("/api/v1/places/{id}/versions/1"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, public_list) = app.get_json("/api/v1/places?q=拟命名", None).await;
    assert_eq!(public_list["numberMatched"], 0, "not even counted");
    let (_, everything) = app.get_json("/api/v1/places", None).await;
    assert_eq!(everything["numberMatched"], 1);

    let token = app.token("reviewer").await;
    let (status, staff_view) = app
        .get_json(&format!("/api/v1/places/{id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff_view["properties"]["classification"], "internal");
    let (_, staff_list) = app.get_json("/api/v1/places", Some(&token)).await;
    assert_eq!(staff_list["numberMatched"], 2);
}
