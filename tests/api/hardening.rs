//! Defects found by probing the running service from outside, each kept fixed by a test:
//! image bombs, the smaller byte limit of anonymous uploads.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, png_bomb, png_bytes, spawn_app_with, xitang};

/// Registers a place and a sign for it as `jiashan`; returns the sign's id and public code.
async fn a_sign(app: &TestApp) -> (i64, String) {
    let (place_id, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let response = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&token)
        .json(&json!({ "place_id": place_id, "kind": "village", "position": [120.8906, 30.9447] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let sign: Value = response.json().await.unwrap();
    (
        sign["sign"]["id"].as_i64().unwrap(),
        sign["sign"]["public_code"].as_str().unwrap().to_string(),
    )
}

fn photo_form(bytes: Vec<u8>) -> Form {
    Form::new().part(
        "photo",
        Part::bytes(bytes)
            .file_name("p.png")
            .mime_str("image/png")
            .unwrap(),
    )
}

fn report_with_photo(bytes: Vec<u8>) -> Form {
    photo_form(bytes)
        .text("kind", "damaged")
        .text("text", "牌子倒了")
        .text("website", "")
}

async fn open_reports(app: &TestApp) -> usize {
    let token = app.token("admin").await;
    let (_, reports) = app.get_json("/api/v1/signs/reports", Some(&token)).await;
    reports["reports"].as_array().unwrap().len()
}

#[tokio::test]
async fn an_image_declaring_81_megapixels_is_refused_from_its_header_by_staff_and_public_routes() {
    let app = spawn_app_with(|_| {}).await;
    let (id, code) = a_sign(&app).await;
    let bomb = png_bomb(9000, 9000);
    assert!(bomb.len() < 1024);

    let token = app.token("jiashan").await;
    let staff = app
        .client
        .post(app.url(&format!("/api/v1/signs/{id}/photos")))
        .bearer_auth(&token)
        .multipart(photo_form(bomb.clone()))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(staff, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("9000 × 9000"),
        "{problem}"
    );

    let public = app
        .client
        .post(app.url(&format!("/s/{code}/report")))
        .multipart(report_with_photo(bomb))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(public.text().await.unwrap().contains("9000"));
    assert_eq!(open_reports(&app).await, 0, "nothing stored");

    // Thirty-two bombs at once: every one refused, the service still answers.
    let sends = (0..32).map(|_| {
        app.client
            .post(app.url(&format!("/s/{code}/report")))
            .multipart(report_with_photo(png_bomb(9000, 9000)))
            .send()
    });
    for response in futures_util::future::join_all(sends).await {
        let status = response.unwrap().status();
        assert!(
            status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
    }
    assert_eq!(app.get("/api/v1/health").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_anonymous_report_takes_a_smaller_photo_than_a_staff_upload() {
    let app = spawn_app_with(|s| {
        s.max_photo_bytes = 256 * 1024;
        s.max_report_photo_bytes = 64 * 1024;
    })
    .await;
    let (id, code) = a_sign(&app).await;
    // A noisy 200×200 PNG does not compress: about 120 KB, between the two limits.
    let photo = png_bytes(200, 200, true);
    assert!(
        (64 * 1024..256 * 1024).contains(&photo.len()),
        "{}",
        photo.len()
    );

    let public = app
        .client
        .post(app.url(&format!("/s/{code}/report")))
        .multipart(report_with_photo(photo.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(open_reports(&app).await, 0);

    let token = app.token("jiashan").await;
    let staff = app
        .client
        .post(app.url(&format!("/api/v1/signs/{id}/photos")))
        .bearer_auth(&token)
        .multipart(photo_form(photo))
        .send()
        .await
        .unwrap();
    assert!(staff.status().is_success(), "{}", staff.status());
}

fn edit(name: &str) -> Value {
    let mut feature = xitang(name);
    feature["change"] = json!({ "comment": "parallel edit" });
    feature
}

#[tokio::test]
async fn fifty_editors_racing_on_one_etag_give_one_200_and_49_412() {
    let app = spawn_app_with(|_| {}).await;
    let (id, etag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let edits = (0..50).map(|i| {
        let feature = edit(&format!("塘东{i}村"));
        let (app, token, etag) = (&app, &token, &etag);
        async move {
            app.update_place(Some(token), id, Some(etag), &feature)
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(edits).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((ok, stale), (1, 49), "{statuses:?}");
    let (_, history) = app
        .get_json(&format!("/api/v1/places/{id}/history"), Some(&token))
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn fifty_parallel_edits_of_fifty_records_all_succeed() {
    let app = spawn_app_with(|_| {}).await;
    let mut records = Vec::new();
    for i in 0..50 {
        records.push(
            app.created_place("jiashan", &xitang(&format!("新{i}村")))
                .await,
        );
    }
    let token = app.token("jiashan").await;
    let edits = records.iter().enumerate().map(|(i, (id, etag))| {
        let feature = edit(&format!("改{i}村"));
        let (app, token) = (&app, &token);
        async move {
            app.update_place(Some(token), *id, Some(etag), &feature)
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(edits).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn sign_ins_during_a_large_import_succeed() {
    use diming::domain::division_code::DivisionCode;
    use diming::domain::division_table::DivisionRow;
    let app = spawn_app_with(|_| {}).await;
    // 100 townships of 200 villages each, imported in one transaction while staff sign in.
    let mut rows = Vec::new();
    for town in 100..200 {
        let town_code = format!("330421{town}");
        rows.push(DivisionRow {
            code: DivisionCode::parse(&town_code).unwrap(),
            name: format!("样例{town}镇"),
        });
        for village in 1..=200 {
            rows.push(DivisionRow {
                code: DivisionCode::parse(&format!("{town_code}{village:03}")).unwrap(),
                name: format!("样例{town}-{village}村"),
            });
        }
    }
    let store = app.store.clone();
    let import = tokio::spawn(async move {
        store
            .import_divisions(&rows, &diming::store::audit::Author::system("test"), |_| {})
            .await
    });
    let sign_ins = (0..20).map(|i| {
        let app = &app;
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(i * 20)).await;
            app.login_response(
                ["jiashan", "pinghu", "admin", "reviewer"][i as usize % 4],
                app.password,
            )
            .await
            .status()
        }
    });
    let statuses = futures_util::future::join_all(sign_ins).await;
    import.await.unwrap().unwrap();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(app.store.division_count().await.unwrap() > 20_000);
}

#[tokio::test]
async fn text_that_hides_characters_and_keys_given_twice_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with(|_| {}).await;
    let token = app.token("jiashan").await;
    for (name, code_point) in [
        ("西\u{202E}塘村", "U+202E"),
        ("西\u{200B}塘村", "U+200B"),
        ("西\u{0007}塘村", "U+0007"),
        ("西\u{0085}塘村", "U+0085"),
    ] {
        let response = app.create_place(Some(&token), &xitang(name)).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("properties.standard_name"),
        )
        .await;
        assert!(
            problem["detail"].as_str().unwrap().contains(code_point),
            "{problem}"
        );
    }
    let twice = r#"{"type": "Feature", "geometry": null, "properties": {"standard_name": "甲村", "standard_name": "乙村", "category": "居民点", "division_codes": ["330421101"]}}"#;
    let response = app
        .client
        .post(app.url("/api/v1/places"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(twice)
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("properties.standard_name"),
    )
    .await;
    assert_eq!(app.place_count().await, 0);

    // A rare character of CJK Extension B is a real village name; a compatibility ideograph is
    // stored in its unified form (NFC).
    let (id, _) = app.created_place("jiashan", &xitang("𠀀\u{F900}村")).await;
    let (_, place) = app
        .get_json(&format!("/api/v1/places/{id}"), Some(&token))
        .await;
    assert_eq!(place["properties"]["standard_name"], "𠀀\u{8C48}村");
}

#[tokio::test]
async fn retiring_with_a_stale_tag_is_412_even_when_someone_retired_it_meanwhile() {
    let app = spawn_app_with(|_| {}).await;
    let token = app.token("jiashan").await;
    let (id, tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let first = app
        .retire(Some(&token), id, &tag, &json!({ "comment": "村庄撤并" }))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .retire(Some(&token), id, &tag, &json!({ "comment": "村庄撤并" }))
        .await;
    assert_problem(second, StatusCode::PRECONDITION_FAILED, None).await;
}

async fn session_cookie(app: &TestApp) -> String {
    let response = app.login_response("jiashan", app.password).await;
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn cookie_write(
    app: &TestApp,
    cookie: &str,
    headers: &[(&str, &str)],
    name: &str,
) -> StatusCode {
    let mut request = app
        .client
        .post(app.url("/api/v1/places"))
        .header("cookie", cookie)
        .json(&xitang(name));
    for (header, value) in headers {
        request = request.header(*header, *value);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_cookie_write_must_come_from_this_origin_scheme_included_and_forwarded_headers_count_only_from_a_trusted_proxy()
 {
    let app = spawn_app_with(|_| {}).await;
    let cookie = session_cookie(&app).await;
    let host = app.address.trim_start_matches("http://").to_string();
    let https_origin = format!("https://{host}");
    assert_eq!(
        cookie_write(&app, &cookie, &[("origin", &https_origin)], "甲村").await,
        StatusCode::FORBIDDEN,
        "the scheme differs"
    );
    assert_eq!(
        cookie_write(
            &app,
            &cookie,
            &[
                ("origin", "https://evil.example"),
                ("x-forwarded-host", "evil.example"),
                ("x-forwarded-proto", "https")
            ],
            "乙村"
        )
        .await,
        StatusCode::FORBIDDEN,
        "forwarded headers from an untrusted client are ignored"
    );
    assert_eq!(
        cookie_write(&app, &cookie, &[("origin", &app.address)], "丙村").await,
        StatusCode::CREATED
    );
    assert_eq!(app.place_count().await, 1);

    let behind_proxy =
        spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let cookie = session_cookie(&behind_proxy).await;
    let forwarded = [
        ("origin", "https://dm.example.gov.cn"),
        ("x-forwarded-host", "dm.example.gov.cn"),
        ("x-forwarded-proto", "https"),
    ];
    assert_eq!(
        cookie_write(&behind_proxy, &cookie, &forwarded, "丁村").await,
        StatusCode::CREATED,
        "the proxy says what the browser used"
    );
    let downgraded = [
        ("origin", "http://dm.example.gov.cn"),
        ("x-forwarded-host", "dm.example.gov.cn"),
        ("x-forwarded-proto", "https"),
    ];
    assert_eq!(
        cookie_write(&behind_proxy, &cookie, &downgraded, "戊村").await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_address_over_the_limit_is_414_problem_json() {
    let app = spawn_app_with(|_| {}).await;
    let long = format!("/api/v1/places?q={}", "a".repeat(9000));
    let problem = assert_problem(app.get(&long).await, StatusCode::URI_TOO_LONG, None).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("8192"),
        "{problem}"
    );
    let fine = format!("/api/v1/places?q={}", "a".repeat(40));
    assert_eq!(app.get(&fine).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_report_photo_is_read_only_by_staff_of_the_signs_jurisdiction_under_a_random_id() {
    let app = spawn_app_with(|_| {}).await;
    let (_, code) = a_sign(&app).await;
    let response = app
        .client
        .post(app.url(&format!("/s/{code}/report")))
        .multipart(report_with_photo(png_bytes(40, 30, false)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = app.token("jiashan").await;
    let (_, reports) = app.get_json("/api/v1/signs/reports", Some(&token)).await;
    let photo_id = reports["reports"][0]["photo_id"].as_i64().unwrap();
    assert!(photo_id > 1 << 32, "not a small sequential id: {photo_id}");
    let path = format!("/api/v1/signs/photos/{photo_id}");
    let read_as = |user: &'static str| {
        let (app, path) = (&app, &path);
        async move {
            let token = app.token(user).await;
            app.client
                .get(app.url(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(read_as("jiashan").await, StatusCode::OK);
    assert_eq!(
        read_as("reviewer").await,
        StatusCode::OK,
        "3304 holds 嘉善县"
    );
    assert_eq!(read_as("admin").await, StatusCode::OK);
    assert_eq!(
        read_as("pinghu").await,
        StatusCode::NOT_FOUND,
        "outside the jurisdiction"
    );
    assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED);
}

/// Every route of the service with sample path parameters: (method, path). The OpenAPI test
/// (`openapi.rs`) checks the document against it.
pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/signs/1/qr.svg"),
    ("GET", "/api/v1/signs"),
    ("POST", "/api/v1/signs"),
    ("GET", "/api/v1/signs/qr-sheet"),
    ("GET", "/api/v1/signs/reports"),
    ("POST", "/api/v1/signs/reports/1"),
    ("GET", "/api/v1/signs/photos/1"),
    ("GET", "/api/v1/signs/1"),
    ("PUT", "/api/v1/signs/1"),
    ("GET", "/api/v1/signs/1/maintenance"),
    ("POST", "/api/v1/signs/1/maintenance"),
    ("POST", "/api/v1/signs/1/photos"),
    ("GET", "/api/v1/signs/1/scans"),
    ("GET", "/api/v1/addresses"),
    ("POST", "/api/v1/addresses"),
    ("POST", "/api/v1/addresses/proposals"),
    ("GET", "/api/v1/addresses/geocode"),
    ("GET", "/api/v1/addresses/reverse"),
    ("GET", "/api/v1/addresses/plates"),
    ("GET", "/api/v1/addresses/plate-orders"),
    ("POST", "/api/v1/addresses/plate-orders"),
    ("GET", "/api/v1/addresses/plate-orders/1"),
    ("POST", "/api/v1/addresses/plate-orders/1/stage"),
    ("GET", "/api/v1/addresses/plate-orders/1/sheet.pdf"),
    ("POST", "/api/v1/addresses/plate-flags/1/resolve"),
    ("POST", "/api/v1/addresses/1/plate-flags"),
    ("GET", "/api/v1/addresses/applications/1/documents"),
    ("POST", "/api/v1/addresses/applications/1/documents"),
    ("GET", "/api/v1/addresses/applications/1/documents/1"),
    ("GET", "/public/addresses/renumberings"),
    ("GET", "/public/addresses/renumberings/1"),
    ("GET", "/api/v1/addresses/applications"),
    ("POST", "/api/v1/addresses/applications"),
    ("GET", "/api/v1/addresses/applications/1"),
    ("POST", "/api/v1/addresses/applications/1/decision"),
    ("GET", "/api/v1/addresses/rules/330421"),
    ("PUT", "/api/v1/addresses/rules/330421"),
    ("PUT", "/api/v1/addresses/roads/1"),
    ("POST", "/api/v1/addresses/roads/1/numbering"),
    ("POST", "/api/v1/addresses/roads/1/renumbering"),
    ("GET", "/api/v1/addresses/1"),
    ("PUT", "/api/v1/addresses/1"),
    ("POST", "/api/v1/addresses/1/retire"),
    ("GET", "/api/v1/addresses/1/certificate.pdf"),
    ("GET", "/api/v1/addresses/1/history"),
    ("GET", "/api/v1/addresses/1/versions/1"),
    ("GET", "/api/v1/places"),
    ("POST", "/api/v1/places"),
    ("GET", "/api/v1/places/nearest"),
    ("GET", "/api/v1/places/1"),
    ("PUT", "/api/v1/places/1"),
    ("POST", "/api/v1/places/1/retire"),
    ("GET", "/api/v1/places/1/history"),
    ("GET", "/api/v1/places/1/versions/1"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/divisions"),
    ("GET", "/api/v1/divisions/330421"),
    ("GET", "/api/v1/division-events"),
    ("POST", "/api/v1/division-events"),
    ("GET", "/api/v1/division-events/x"),
    ("POST", "/api/v1/division-events/x/approve"),
    ("POST", "/api/v1/division-events/x/reject"),
    ("GET", "/api/v1/romanize"),
    ("GET", "/api/v1/romanize/check"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/markers"),
    ("POST", "/api/v1/markers"),
    ("GET", "/api/v1/markers/photos/1"),
    ("GET", "/api/v1/markers/330421330482-J001"),
    ("POST", "/api/v1/markers/330421330482-J001/conditions"),
    ("POST", "/api/v1/markers/330421330482-J001/photos"),
    ("GET", "/api/v1/inspections"),
    ("POST", "/api/v1/inspections"),
    ("GET", "/api/v1/inspections/worklist"),
    ("GET", "/api/v1/inspections/1"),
    ("POST", "/api/v1/inspections/1/state"),
    ("GET", "/api/v1/inspections/1/findings"),
    ("POST", "/api/v1/inspections/1/findings"),
    ("POST", "/api/v1/inspections/1/findings/batch"),
    ("GET", "/api/v1/inspections/1/reconciliation"),
    ("GET", "/api/v1/inspections/1/threads/line"),
    ("POST", "/api/v1/inspections/1/threads/line/comments"),
    ("POST", "/api/v1/inspections/1/threads/line/acceptance"),
    ("GET", "/api/v1/inspections/1/disputes"),
    ("POST", "/api/v1/inspections/1/disputes"),
    ("POST", "/api/v1/inspections/1/disputes/1/claims"),
    ("POST", "/api/v1/inspections/1/disputes/1/status"),
    ("GET", "/api/v1/inspections/1/tasks"),
    ("POST", "/api/v1/inspections/1/tasks"),
    ("POST", "/api/v1/inspections/1/tasks/1/completion"),
    ("POST", "/api/v1/inspections/1/photos"),
    ("GET", "/api/v1/inspections/1/photos/1"),
    ("GET", "/api/v1/inspections/1/report"),
    ("GET", "/api/v1/inspections/1/report.html"),
    ("GET", "/api/v1/inspections/1/report.pdf"),
    ("GET", "/api/v1/inspections/1/register.html"),
    ("GET", "/api/v1/inspections/1/findings.csv"),
    ("GET", "/api/v1/inspections/1/map.svg"),
    ("POST", "/api/v1/inspections/1/signatures"),
    ("GET", "/api/v1/inspections/1/verify"),
    ("GET", "/api/v1/boundaries"),
    ("POST", "/api/v1/boundary-lines"),
    ("GET", "/api/v1/boundary-lines/330421330482"),
    ("PUT", "/api/v1/boundary-lines/330421330482"),
    ("GET", "/api/v1/boundary-lines/330421330482/history"),
    ("GET", "/api/v1/transform"),
    ("GET", "/api/v1/reverse"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/version"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/audit"),
    ("GET", "/s/ABCDEF"),
    ("POST", "/s/ABCDEF/report"),
    ("GET", "/api/v1/naming/applications"),
    ("POST", "/api/v1/naming/applications"),
    ("GET", "/api/v1/naming/applications/overdue"),
    ("GET", "/api/v1/naming/applications/1"),
    ("POST", "/api/v1/naming/applications/1/reports"),
    ("POST", "/api/v1/naming/applications/1/notice"),
    ("POST", "/api/v1/naming/applications/1/approve"),
    ("POST", "/api/v1/naming/applications/1/reject"),
    ("POST", "/api/v1/naming/applications/1/filing"),
    ("POST", "/api/v1/naming/applications/1/announcement"),
    ("GET", "/api/v1/naming/checks"),
    ("GET", "/api/v1/naming/announcements"),
    ("GET", "/public/naming/notices"),
    ("POST", "/public/naming/notices/1/comments"),
    ("GET", "/public/naming/announcements"),
    ("GET", "/public/naming/announcements.atom"),
    ("GET", "/api/v1/naming/campaigns"),
    ("POST", "/api/v1/naming/campaigns"),
    ("GET", "/api/v1/naming/campaigns/1"),
    ("GET", "/api/v1/naming/campaigns/1/items"),
    ("GET", "/api/v1/naming/campaigns/1/items.csv"),
    ("POST", "/api/v1/naming/campaign-items/1/decision"),
    ("GET", "/api/v1/naming/heritage"),
    ("POST", "/api/v1/naming/heritage"),
    ("GET", "/api/v1/naming/heritage/1"),
    ("POST", "/api/v1/naming/heritage/1/list"),
    ("POST", "/api/v1/naming/heritage/1/reject"),
    ("POST", "/api/v1/naming/heritage/1/delist"),
    ("GET", "/api/v1/naming/gazetteer/330421"),
    ("GET", "/public/naming/heritage"),
    ("GET", "/public/naming/heritage/1"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/1"),
    ("PUT", "/api/v1/users/1"),
    ("POST", "/api/v1/users/1/password"),
    ("GET", "/"),
    ("GET", "/app/index.html"),
    ("GET", "/ogc"),
    ("GET", "/ogc/"),
    ("GET", "/ogc/conformance"),
    ("GET", "/ogc/api"),
    ("GET", "/ogc/collections"),
    ("GET", "/ogc/collections/places"),
    ("GET", "/ogc/collections/places/queryables"),
    ("GET", "/ogc/collections/places/items"),
    ("POST", "/ogc/collections/places/items"),
    ("OPTIONS", "/ogc/collections/places/items"),
    ("GET", "/ogc/collections/places/items/1"),
    ("PUT", "/ogc/collections/places/items/1"),
    ("PATCH", "/ogc/collections/places/items/1"),
    ("DELETE", "/ogc/collections/places/items/1"),
    ("OPTIONS", "/ogc/collections/places/items/1"),
    ("GET", "/ogc/collections/places/tiles/WebMercatorQuad/3/2/6"),
    ("GET", "/tiles/places/3/6/2.mvt"),
    ("GET", "/tiles/places/tiles.json"),
    ("GET", "/api/v1/exchange/places"),
    ("POST", "/api/v1/exchange/places"),
];

#[tokio::test]
async fn every_route_refuses_a_query_parameter_it_does_not_know() {
    // The table covers every route the routers register.
    let registered = ["/src/http/mod.rs", "/src/http/ogc/mod.rs"]
        .iter()
        .map(|file| {
            let router =
                std::fs::read_to_string(format!("{}{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            [
                ".get(",
                ".post(",
                ".put(",
                ".patch(",
                ".delete(",
                ".options(",
            ]
            .iter()
            .map(|m| router.matches(m).count())
            .sum::<usize>()
        })
        .sum::<usize>();
    assert_eq!(
        ROUTES.len(),
        registered,
        "a route is missing from the table"
    );

    let app = spawn_app_with(|_| {}).await;
    let token = app.token("admin").await;
    for (method, path) in ROUTES {
        let url = app.url(&format!("{path}?bogus=1"));
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = app.client.request(method.clone(), url);
        let response = request.bearer_auth(&token).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {body}");
        assert_eq!(
            body["errors"][0]["field"], "bogus",
            "{method} {path}: {body}"
        );
    }
}

#[tokio::test]
async fn a_cached_public_page_follows_an_edit_of_its_place() {
    let app = spawn_app_with(|_| {}).await;
    let (place_id, etag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let response = app
        .client
        .post(app.url("/api/v1/signs"))
        .bearer_auth(&token)
        .json(&json!({ "place_id": place_id, "kind": "village", "position": [120.8906, 30.9447] }))
        .send()
        .await
        .unwrap();
    let sign: Value = response.json().await.unwrap();
    let code = sign["sign"]["public_code"].as_str().unwrap().to_string();
    let page = |app: &TestApp| {
        let url = app.url(&format!("/s/{code}"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(page(&app).await.contains("塘东村"));
    assert!(page(&app).await.contains("塘东村"), "served from the cache");
    let renamed = app
        .update_place(Some(&token), place_id, Some(&etag), &edit("塘东新村"))
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let html = page(&app).await;
    assert!(html.contains("塘东新村"), "the edit shows at once");
}

#[tokio::test]
async fn the_public_page_is_sent_compressed_to_a_client_that_accepts_it() {
    let app = spawn_app_with(|_| {}).await;
    let (_, code) = a_sign(&app).await;
    // reqwest here has no gzip decoder: the bytes arrive as the server sent them.
    let response = app
        .client
        .get(app.url(&format!("/s/{code}")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.unwrap();
    let plain = app.get(&format!("/s/{code}")).await.bytes().await.unwrap();
    assert!(plain.len() <= 8 * 1024, "{} bytes", plain.len());
    assert!(
        compressed.len() < plain.len(),
        "{} < {}",
        compressed.len(),
        plain.len()
    );
}

#[tokio::test]
async fn a_boundary_is_answered_in_the_system_asked_for() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let token = app.token("admin").await;
    let (status, lonlat) = app
        .get_json("/api/v1/boundaries?between=330421,330482", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{lonlat}");
    let (status, gk) = app
        .get_json(
            "/api/v1/boundaries?between=330421,330482&crs=EPSG:4549",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{gk}");
    assert_eq!(gk["properties"]["crs"], "EPSG:4549");
    let first = |feature: &Value| feature["geometry"]["coordinates"][0][0].clone();
    let (lon, lat) = (
        first(&lonlat)[0].as_f64().unwrap(),
        first(&lonlat)[1].as_f64().unwrap(),
    );
    let (status, converted) = app
        .get_json(
            &format!("/api/v1/transform?from=EPSG:4490&to=EPSG:4549&x={lon}&y={lat}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{converted}");
    let (x, y) = (
        first(&gk)[0].as_f64().unwrap(),
        first(&gk)[1].as_f64().unwrap(),
    );
    assert!(
        (x - converted["x"].as_f64().unwrap()).abs() < 0.001,
        "{x} vs {converted}"
    );
    assert!(
        (y - converted["y"].as_f64().unwrap()).abs() < 0.001,
        "{y} vs {converted}"
    );
    assert_eq!(
        gk["properties"]["length_m"],
        lonlat["properties"]["length_m"]
    );

    let (status, _) = app
        .get_json(
            "/api/v1/boundaries?between=330421,330482&crs=EPSG:9999",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn identity_then_if_match_are_judged_before_the_body_every_time() {
    let app = spawn_app_with(|_| {}).await;
    let (id, first_tag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let token = app.token("jiashan").await;
    let second = app
        .update_place(Some(&token), id, Some(&first_tag), &edit("塘东一村"))
        .await;
    assert_eq!(second.status(), StatusCode::OK);
    // A body that is not JSON, a body of the wrong shape and an invalid record: with a made-up
    // token each is 401 on every one of 50 parallel tries (the body used to win some of the
    // races between the extractors with 400). With a stale If-Match, a record that parses but
    // breaks the rules is 412 (the precondition comes before the content is judged, RFC 9110
    // 13.2.1); a body that is no record at all stays 400.
    let broken = [
        ("not json", "{\"type\": ".to_string()),
        ("wrong shape", json!({ "type": 7 }).to_string()),
        ("invalid record", {
            let mut feature = edit("塘东二村");
            feature["properties"]["category"] = json!("999");
            feature.to_string()
        }),
    ];
    for (what, body) in &broken {
        let tries = (0..50).map(|_| {
            app.client
                .put(app.url(&format!("/api/v1/places/{id}")))
                .bearer_auth("made-up-token")
                .header("If-Match", &first_tag)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
        });
        let statuses: Vec<_> = futures_util::future::join_all(tries)
            .await
            .into_iter()
            .map(|r| r.unwrap().status())
            .collect();
        assert!(
            statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
            "{what}: {statuses:?}"
        );
        let expected = if *what == "invalid record" {
            StatusCode::PRECONDITION_FAILED
        } else {
            StatusCode::BAD_REQUEST
        };
        let stale = app
            .client
            .put(app.url(&format!("/api/v1/places/{id}")))
            .bearer_auth(&token)
            .header("If-Match", &first_tag)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), expected, "{what}");
    }
    let (_, history) = app
        .get_json(&format!("/api/v1/places/{id}/history"), Some(&token))
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
}
