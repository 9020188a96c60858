//! The gazetteer (地名志) of the demo 嘉善县 through HTTP: every township with its pinyin, the
//! indexes, only public records; and the refusals (signed out, another county, a bad day or
//! format, a division not yet in force).

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, spawn_app_with, xitang};

/// The townships of 嘉善县 with the romanization of their records.
async fn townships(app: &TestApp) -> Vec<(String, String)> {
    let (_, divisions) = app
        .get_json("/api/v1/divisions?parent=330421&limit=100", None)
        .await;
    let (_, places) = app
        .get_json("/api/v1/places?division=330421&limit=1000", None)
        .await;
    let features = places["features"].as_array().unwrap();
    divisions["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let name = d["name"].as_str().unwrap().to_string();
            let record: &Value = features
                .iter()
                .find(|f| f["properties"]["standard_name"] == name.as_str())
                .unwrap_or_else(|| panic!("a record of {name}"));
            let pinyin = record["properties"]["romanization"]
                .as_str()
                .unwrap()
                .to_string();
            (name, pinyin)
        })
        .collect()
}

#[tokio::test]
async fn the_book_of_the_demo_county_holds_every_township_and_only_public_records() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let editor = app.token("jiashan").await;
    let mut secret = xitang("内部试验场");
    secret["properties"]["classification"] = serde_json::json!("internal");
    app.created_place("jiashan", &secret).await;

    let townships = townships(&app).await;
    assert!(townships.len() >= 9, "{townships:?}");
    let response = app
        .client
        .get(app.url("/api/v1/naming/gazetteer/330421"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let book = response.text().await.unwrap();
    assert!(book.contains("嘉善县地名志"));
    for (name, pinyin) in &townships {
        assert!(book.contains(name.as_str()), "{name} in the book");
        assert!(
            book.contains(pinyin.as_str()),
            "{pinyin} of {name} in the book"
        );
    }
    for part in [
        "目录",
        "概述",
        "大事记",
        "汉语拼音索引",
        "笔画索引",
        "附录：地名变更一览",
    ] {
        assert!(book.contains(part), "{part}");
    }
    assert!(
        !book.contains("内部试验场"),
        "an internal record stays out of the book"
    );

    // JSON: every entry is in both indexes; the stroke index is in stroke order.
    let (status, json) = app
        .get_json("/api/v1/naming/gazetteer/330421?format=json", Some(&editor))
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries: usize = json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entries"].as_array().unwrap().len())
        .sum();
    assert!(entries > 50, "{entries}");
    assert_eq!(json["pinyin_index"].as_array().unwrap().len(), entries);
    assert_eq!(json["stroke_index"].as_array().unwrap().len(), entries);
    let first_strokes: Vec<u8> = json["stroke_index"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| {
            diming::domain::gazetteer::strokes(l["name"].as_str().unwrap().chars().next().unwrap())
        })
        .collect();
    assert!(
        first_strokes.windows(2).all(|w| w[0] <= w[1]),
        "stroke order"
    );
}

#[tokio::test]
async fn the_book_is_refused_outside_the_jurisdiction_and_for_bad_input() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let outsider = app.token("pinghu").await;
    let editor = app.token("jiashan").await;
    assert_problem(
        app.get("/api/v1/naming/gazetteer/330421").await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    let response = app
        .client
        .get(app.url("/api/v1/naming/gazetteer/330421"))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, None).await;
    for (query, field) in [
        ("/api/v1/naming/gazetteer/33x421", "division"),
        ("/api/v1/naming/gazetteer/330421?as_of=2026-13-01", "as_of"),
        ("/api/v1/naming/gazetteer/330421?format=docx", "format"),
    ] {
        let response = app
            .client
            .get(app.url(query))
            .bearer_auth(&editor)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let response = app
        .client
        .get(app.url("/api/v1/naming/gazetteer/330499"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn the_pdf_of_the_demo_county_carries_every_township_and_its_pinyin() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let editor = app.token("jiashan").await;
    let townships = townships(&app).await;
    let response = app
        .client
        .get(app.url("/api/v1/naming/gazetteer/330421?format=pdf"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("嘉善县地名志"));
    for (name, pinyin) in &townships {
        assert!(text.contains(name.as_str()), "{name} in the PDF");
        assert!(
            text.contains(pinyin.as_str()),
            "{pinyin} of {name} in the PDF"
        );
    }
    for part in ["目录", "概述", "汉语拼音索引", "笔画索引"] {
        assert!(text.contains(part), "{part}");
    }
    // The font is embedded as a subset.
    let fonts = std::process::Command::new("pdffonts")
        .arg(&file)
        .output()
        .unwrap();
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    assert!(
        fonts.contains("NotoSansCJK") && fonts.contains('+'),
        "{fonts}"
    );
    // A page of entries, rendered, for a person to look at.
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "5", "-l", "5", "-singlefile"])
        .arg(&file)
        .arg(shots.join("gazetteer-page"))
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn a_missing_pdf_font_is_a_503_naming_the_setting() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.pdf.font = "/nonexistent/font.ttc".into();
    })
    .await;
    let editor = app.token("jiashan").await;
    let response = app
        .client
        .get(app.url("/api/v1/naming/gazetteer/330421?format=pdf"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        Some("--cjk-font"),
    )
    .await;
}
