//! The sign inventory, its QR codes (decoded by an independent decoder), the public page a scan
//! opens, and problem reports from the public.

use std::process::Command;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, png_bytes, spawn_app, spawn_app_with, xitang};

/// Registers a place and a sign for it as `jiashan`; returns (sign json, ETag).
async fn sign_for(app: &TestApp, place: &Value) -> (Value, String) {
    let (place_id, _) = app.created_place("jiashan", place).await;
    let token = app.token("jiashan").await;
    let response = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&token)
        .json(&json!({ "place_id": place_id, "kind": "village", "position": [120.8906, 30.9447], "sign_number": "XT-001" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    (response.json().await.unwrap(), etag)
}

fn decode_with_zbar(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("qr.png");
    std::fs::write(&file, png).unwrap();
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&file)
        .output()
        .expect("zbarimg (Debian zbar-tools) is installed");
    assert!(output.status.success(), "zbarimg found no code");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn rasterise_svg(svg: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("qr.svg"), dir.path().join("qr.png"));
    std::fs::write(&input, svg).unwrap();
    let status = Command::new("rsvg-convert")
        .args(["-w", "600", "-o"])
        .arg(&output)
        .arg(&input)
        .status()
        .expect("rsvg-convert (Debian librsvg2-bin) is installed");
    assert!(status.success());
    std::fs::read(output).unwrap()
}

#[tokio::test]
async fn the_qr_code_decodes_to_exactly_the_sign_url() {
    let app = spawn_app().await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let id = sign["sign"]["id"].as_i64().unwrap();
    let url = sign["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!(
            "{}/s/{}",
            app.address,
            sign["sign"]["public_code"].as_str().unwrap()
        )
    );

    let png = app
        .get(&format!("/api/v1/signs/{id}/qr.png?size_mm=40&dpi=300"))
        .await;
    assert_eq!(png.headers()["content-type"], "image/png");
    let etag = png.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(decode_with_zbar(&png.bytes().await.unwrap()), url);

    let svg = app
        .get(&format!("/api/v1/signs/{id}/qr.svg?size_mm=120"))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.bytes().await.unwrap();
    assert!(String::from_utf8_lossy(&svg).contains("width=\"120mm\""));
    assert_eq!(decode_with_zbar(&rasterise_svg(&svg)), url);

    // Rendered once: the same bytes come back, and a revalidation costs nothing.
    let again = app
        .client
        .get(app.url(&format!("/api/v1/signs/{id}/qr.png?size_mm=40&dpi=300")))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let bad = app
        .get(&format!("/api/v1/signs/{id}/qr.png?size_mm=50"))
        .await;
    assert_problem(bad, StatusCode::BAD_REQUEST, Some("size_mm")).await;
}

#[tokio::test]
async fn the_public_page_shows_the_place_and_a_map_and_escapes_text() {
    let app = spawn_app().await;
    let mut place = xitang("<script>alert(1)</script>塘东村");
    place["properties"]["history"] = json!("明代成村。\n<b>不是粗体</b>");
    let (sign, _) = sign_for(&app, &place).await;
    let code = sign["sign"]["public_code"].as_str().unwrap();
    let page = app.get(&format!("/s/{code}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.len() < 30 * 1024,
        "the page is small: {} bytes",
        html.len()
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;塘东村"));
    assert!(
        !html.contains("<script>"),
        "no script runs, from the record or from us"
    );
    assert!(html.contains("&lt;b&gt;不是粗体&lt;/b&gt;"));
    assert!(html.contains("Xitang"), "the romanization");
    assert!(
        html.contains("<svg") && html.contains("class=\"map\""),
        "the map"
    );
    assert!(html.contains("嘉善县"), "the division chain");
    assert!(html.contains("uri.amap.com"), "a link to a map app");
    assert!(html.contains("lang=\"zh-CN\""));

    let english = app
        .client
        .get(app.url(&format!("/s/{code}")))
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let english = english.text().await.unwrap();
    assert!(english.contains("lang=\"en\"") && english.contains("Something wrong with this sign?"));
    let lowercase = app.get(&format!("/s/{}", code.to_lowercase())).await;
    assert_eq!(lowercase.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_mistyped_or_unknown_code_gets_a_friendly_404() {
    let app = spawn_app().await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let code = sign["sign"]["public_code"].as_str().unwrap().to_string();
    let mut chars: Vec<char> = code.chars().collect();
    chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
    let typo: String = chars.into_iter().collect();
    let page = app.get(&format!("/s/{typo}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("有误"),
        "the page says the code has a mistake"
    );
    let unknown = diming::domain::sign::PublicCode::from_random([9, 9, 9, 9, 9]);
    let page = app.get(&format!("/s/{unknown}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("没有与此编码对应的标志牌")
    );
}

#[tokio::test]
async fn a_retired_sign_keeps_resolving_and_links_its_replacement() {
    let app = spawn_app().await;
    let (old, old_tag) = sign_for(&app, &xitang("塘东村")).await;
    let (new, _) = sign_for(&app, &xitang("塘东新村")).await;
    let token = app.token("jiashan").await;
    let old_id = old["sign"]["id"].as_i64().unwrap();
    let response = app
        .client
        .post(app.url(&format!("/api/v1/signs/{old_id}/maintenance")))
        .bearer_auth(&token)
        .header("If-Match", &old_tag)
        .json(&json!({ "action": "replaced", "notes": "换新牌", "replaced_by": new["sign"]["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["sign"]["status"], "retired");
    let page = app
        .get(&format!(
            "/s/{}",
            old["sign"]["public_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("此标志牌已撤除"));
    assert!(html.contains(&format!(
        "/s/{}",
        new["sign"]["public_code"].as_str().unwrap()
    )));
    // A retired sign cannot come back.
    let (_, log) = app
        .get_json(&format!("/api/v1/signs/{old_id}/maintenance"), Some(&token))
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1);
    let (_, current) = app
        .get_json(&format!("/api/v1/signs/{old_id}"), Some(&token))
        .await;
    let tag = format!("\"s{old_id}.v{}\"", current["sign"]["version"]);
    let refused = app
        .client
        .post(app.url(&format!("/api/v1/signs/{old_id}/maintenance")))
        .bearer_auth(&token)
        .header("If-Match", &tag)
        .json(&json!({ "action": "repaired", "status": "installed" }))
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::CONFLICT, None).await;
}

fn report(kind: &str, text: &str) -> Form {
    Form::new()
        .text("kind", kind.to_string())
        .text("text", text.to_string())
        .text("website", "")
}

async fn report_count(app: &TestApp) -> usize {
    let token = app.token("admin").await;
    let (_, reports) = app.get_json("/api/v1/signs/reports", Some(&token)).await;
    reports["reports"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_public_report_opens_a_ticket_that_staff_work_and_close() {
    let app = spawn_app().await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let code = sign["sign"]["public_code"].as_str().unwrap();
    let form = report("damaged", "牌子被撞歪了").part(
        "photo",
        Part::bytes(png_bytes(40, 30, false))
            .file_name("p.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let response = app
        .client
        .post(app.url(&format!("/s/{code}/report")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.text().await.unwrap().contains("感谢"));

    let token = app.token("jiashan").await;
    let (_, reports) = app
        .get_json("/api/v1/signs/reports?status=open", Some(&token))
        .await;
    let ticket = &reports["reports"][0];
    assert_eq!(ticket["text"], "牌子被撞歪了");
    assert_eq!(ticket["kind"], "damaged");
    let photo = app
        .client
        .get(app.url(&format!("/api/v1/signs/photos/{}", ticket["photo_id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        photo.headers()["content-type"],
        "image/jpeg",
        "stored re-encoded, without metadata"
    );

    let pinghu = app.token("pinghu").await;
    let (_, theirs) = app.get_json("/api/v1/signs/reports", Some(&pinghu)).await;
    assert_eq!(
        theirs["reports"].as_array().unwrap().len(),
        0,
        "a neighbour does not see our tickets"
    );
    let id = ticket["id"].as_i64().unwrap();
    let refused = app
        .client
        .post(app.url(&format!("/api/v1/signs/reports/{id}")))
        .bearer_auth(&pinghu)
        .json(&json!({"status": "closed", "resolution": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::FORBIDDEN, None).await;
    let closed = app
        .client
        .post(app.url(&format!("/api/v1/signs/reports/{id}")))
        .bearer_auth(&token)
        .json(&json!({"status": "closed", "resolution": "已扶正加固"}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::OK);
    let (_, open) = app
        .get_json("/api/v1/signs/reports?status=open", Some(&token))
        .await;
    assert_eq!(open["reports"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_reports_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with(|s| s.max_photo_bytes = 64 * 1024).await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let path = format!(
        "/s/{}/report",
        sign["sign"]["public_code"].as_str().unwrap()
    );
    let send = |form: Form| app.client.post(app.url(&path)).multipart(form).send();

    assert_eq!(
        send(report("damaged", "   ")).await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "empty report"
    );
    let honeypot = report("damaged", "spam").text("website", "http://spam.example");
    assert_eq!(
        send(honeypot).await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "honeypot"
    );
    let not_image = report("damaged", "坏了").part(
        "photo",
        Part::bytes(b"%PDF-1.7 fake".to_vec()).file_name("x.jpg"),
    );
    assert_eq!(
        send(not_image).await.unwrap().status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "not an image"
    );
    let huge = report("damaged", "坏了").part(
        "photo",
        Part::bytes(vec![0xFF; 200 * 1024]).file_name("x.jpg"),
    );
    assert_eq!(
        send(huge).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "oversized photo"
    );
    assert_eq!(
        send(report("vandalism", "坏了")).await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "unknown kind"
    );
    assert_eq!(report_count(&app).await, 0);
}

#[tokio::test]
async fn a_flood_of_reports_is_answered_with_429() {
    let app = spawn_app_with(|s| s.reports_per_address_per_hour = 3).await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let path = format!(
        "/s/{}/report",
        sign["sign"]["public_code"].as_str().unwrap()
    );
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = app
            .client
            .post(app.url(&path))
            .multipart(report("dirty", &format!("第{i}次")))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[..3], [StatusCode::CREATED; 3]);
    assert_eq!(statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    assert_eq!(report_count(&app).await, 3);
}

#[tokio::test]
async fn scans_are_counted_per_sign_per_day() {
    let app = spawn_app().await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let code = sign["sign"]["public_code"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/s/{code}")).await.status(),
            StatusCode::OK
        );
    }
    let token = app.token("jiashan").await;
    let (_, scans) = app
        .get_json(
            &format!("/api/v1/signs/{}/scans", sign["sign"]["id"]),
            Some(&token),
        )
        .await;
    assert_eq!(scans["days"][0]["count"], 3);
}

#[tokio::test]
async fn signs_are_written_only_inside_the_jurisdiction() {
    let app = spawn_app().await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let body = json!({ "place_id": place_id, "kind": "village" });
    let anonymous = app
        .client
        .post(app.url("/api/v1/signs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, None).await;
    let pinghu = app.token("pinghu").await;
    let outside = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&pinghu)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(outside, StatusCode::FORBIDDEN, None).await;
    let jiashan = app.token("jiashan").await;
    let door_plate = json!({ "place_id": place_id, "kind": "door_plate_small" });
    let missing_address = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&jiashan)
        .json(&door_plate)
        .send()
        .await
        .unwrap();
    assert_problem(missing_address, StatusCode::BAD_REQUEST, Some("address")).await;
    let (_, signs) = app.get_json("/api/v1/signs", Some(&jiashan)).await;
    assert_eq!(signs["numberMatched"], 0);
}

#[tokio::test]
async fn overdue_signs_are_listed_and_a_print_sheet_lays_out_codes() {
    let app = spawn_app_with(|s| s.maintenance_interval_days = 30).await;
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let mut ids = Vec::new();
    for (installed, number) in [("2020-04-01", "XT-1"), ("2026-11-01", "XT-2")] {
        let response = app
            .client
            .post(app.url("/api/v1/signs"))
            .bearer_auth(&token)
            .json(&json!({ "place_id": place_id, "kind": "village", "installed_on": installed, "sign_number": number }))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        ids.push(body["sign"]["id"].as_i64().unwrap());
    }
    let (_, due) = app
        .get_json("/api/v1/signs?due_for_maintenance=true", Some(&token))
        .await;
    let due: Vec<&str> = due["signs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sign"]["sign_number"].as_str().unwrap())
        .collect();
    assert!(due.contains(&"XT-1"));
    let sheet = app
        .client
        .get(app.url(&format!("/api/v1/signs/qr-sheet?ids={},{}", ids[0], ids[1])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), StatusCode::OK);
    let svg = sheet.text().await.unwrap();
    assert!(svg.contains("width=\"210mm\"") && svg.contains("XT-1") && svg.contains("XT-2"));
    let unknown = app
        .client
        .get(app.url("/api/v1/signs/qr-sheet?ids=999"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(unknown, StatusCode::BAD_REQUEST, Some("ids")).await;
}

#[tokio::test]
async fn the_pdf_print_sheet_carries_every_code_readably() {
    let app = spawn_app().await;
    let (first, _) = sign_for(&app, &xitang("塘东村")).await;
    let (second, _) = sign_for(&app, &xitang("塘西村")).await;
    let token = app.token("jiashan").await;
    let ids = format!("{},{}", first["sign"]["id"], second["sign"]["id"]);
    let sheet = app
        .client
        .get(app.url(&format!(
            "/api/v1/signs/qr-sheet?ids={ids}&size_mm=75&format=pdf"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.headers()["content-type"], "application/pdf");
    let pdf = sheet.bytes().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sheet.pdf"), &pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-singlefile"])
        .arg(dir.path().join("sheet.pdf"))
        .arg(dir.path().join("sheet"))
        .status()
        .expect("pdftoppm (Debian poppler-utils) is installed");
    assert!(status.success());
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(dir.path().join("sheet.png"))
        .output()
        .unwrap();
    let mut decoded: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    decoded.sort();
    let mut expected = vec![
        first["url"].as_str().unwrap().to_string(),
        second["url"].as_str().unwrap().to_string(),
    ];
    expected.sort();
    assert_eq!(decoded, expected);

    // Each label carries the place's Chinese name and the sign's code, as text.
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(dir.path().join("sheet.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in [
        "塘东村",
        "塘西村",
        first["sign"]["public_code"].as_str().unwrap(),
        second["sign"]["public_code"].as_str().unwrap(),
    ] {
        assert!(text.contains(expected), "{expected} on the sheet: {text}");
    }
    let fonts = Command::new("pdffonts")
        .arg(dir.path().join("sheet.pdf"))
        .output()
        .unwrap();
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    assert!(
        fonts.lines().any(|l| l.contains("+NotoSansCJK")),
        "a subset of the CJK font is embedded: {fonts}"
    );
}

#[tokio::test]
async fn without_its_font_the_pdf_sheet_is_unavailable_and_names_the_setting() {
    let app = spawn_app_with(|s| s.pdf.font = "/nonexistent/NotoSansCJK.ttc".into()).await;
    let (sign, _) = sign_for(&app, &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let sheet = app
        .client
        .get(app.url(&format!(
            "/api/v1/signs/qr-sheet?ids={}&format=pdf",
            sign["sign"]["id"]
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(sheet.headers()["content-type"], "application/problem+json");
    let problem: Value = sheet.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "--cjk-font");
    assert!(
        problem["detail"].as_str().unwrap().contains("--cjk-font"),
        "{problem}"
    );
    // The SVG sheet needs no font file.
    let svg = app
        .client
        .get(app.url(&format!(
            "/api/v1/signs/qr-sheet?ids={}",
            sign["sign"]["id"]
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status(), StatusCode::OK);
    assert!(svg.text().await.unwrap().contains("塘东村"));
}
