//! The OpenAPI 3.1 document (`GET /api/v1/openapi.json`): it documents every route and no route
//! that is not there, every error answer is a problem, and schemathesis (PyPI), sending what the
//! document describes, finds no server error and no answer the document does not describe.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::Value;

use crate::hardening::ROUTES;
use crate::helpers::{TestApp, python_tool, spawn_app_with};

/// Routes the document leaves out, each with the reason.
const UNDOCUMENTED: &[(&str, &str, &str)] = &[
    ("GET", "/", "the staff application's page, not an API"),
    (
        "GET",
        "/app/index.html",
        "the staff application's built files, not an API",
    ),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "options", "head"];

/// Whether `path` is an instance of the OpenAPI path `template` (`{name}` stands for one or
/// more characters other than `/`).
fn matches(template: &str, path: &str) -> bool {
    fn go(template: &[u8], path: &[u8]) -> bool {
        match template.first() {
            None => path.is_empty(),
            Some(b'{') => {
                let close = template.iter().position(|&c| c == b'}').unwrap();
                let rest = &template[close + 1..];
                (1..=path.len())
                    .take_while(|&n| path[n - 1] != b'/')
                    .any(|n| go(rest, &path[n..]))
            }
            Some(&c) => path.first() == Some(&c) && go(&template[1..], &path[1..]),
        }
    }
    go(template.as_bytes(), path.as_bytes())
}

/// The documented operations: (METHOD, path template).
fn operations(document: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(*method).is_some() {
                operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

/// Against drift: `ROUTES` (tests/api/hardening.rs) is checked there to have as many entries as
/// `http::router` registers methods, and each entry to reach its handler (it refuses an unknown
/// parameter by name). Here each entry must be a documented operation and each documented
/// operation must be an entry, so a route added without documentation, or documentation left
/// behind by a removed route, fails one of the two.
#[tokio::test]
async fn the_document_lists_every_route_and_only_routes() {
    let app = spawn_app_with(|_| {}).await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    let operations = operations(&document);

    let routed = |method: &str, template: &str| {
        ROUTES
            .iter()
            .any(|(m, path)| *m == method && matches(template, path))
    };
    let undocumented: Vec<_> = ROUTES
        .iter()
        .filter(|(method, path)| {
            !UNDOCUMENTED
                .iter()
                .any(|(m, p, _)| m == method && p == path)
        })
        .filter(|(method, path)| {
            !operations
                .iter()
                .any(|(m, template)| m == method && matches(template, path))
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "routes without documentation (annotate the handler with #[utoipa::path] and list it in src/http/openapi.rs): {undocumented:?}"
    );
    let unrouted: Vec<_> = operations
        .iter()
        .filter(|(method, template)| !routed(method, template))
        .collect();
    assert!(
        unrouted.is_empty(),
        "documented operations that no route answers: {unrouted:?}"
    );
    for (method, path, _) in UNDOCUMENTED {
        assert!(
            !operations
                .iter()
                .any(|(m, template)| m == method && matches(template, path)),
            "{method} {path} is documented now: take it off UNDOCUMENTED"
        );
    }
}

/// Every operation lists the problems it answers, each as `application/problem+json` with the
/// one `Problem` schema, and a route with a path parameter can answer 404.
#[tokio::test]
async fn every_error_answer_of_every_operation_is_a_documented_problem() {
    let app = spawn_app_with(|_| {}).await;
    let document = document(&app).await;
    let responses = &document["components"]["responses"];
    let problem = &document["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail"] {
        assert!(
            problem["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from(field)),
            "{problem}"
        );
    }
    assert!(problem["properties"]["errors"].is_object(), "{problem}");
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let answers = operation["responses"].as_object().unwrap();
            assert!(answers.contains_key("400"), "{method} {path}");
            if path.contains('{') {
                assert!(answers.contains_key("404"), "{method} {path}");
            }
            for (status, answer) in answers {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let answer = match answer["$ref"].as_str() {
                    Some(reference) => &responses[reference.rsplit('/').next().unwrap()],
                    None => answer,
                };
                assert_eq!(
                    answer["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}: {answer}"
                );
            }
        }
    }
}

/// Examples per operation (fuzzing phase; the examples phase adds the documented ones): 168
/// operations × 30 take about 45 s on two cores (some 5,000 requests).
const EXAMPLES: &str = "30";
const SEED: &str = "20261207";

/// schemathesis (PyPI, pinned in .ci/python-requirements.txt) against the document of the demo
/// application, signed in as the demo administrator so that the writes run too.
#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_answer_against_the_document() {
    let schemathesis = python_tool("schemathesis");
    let app = spawn_app_with(|settings| settings.demo = true).await;
    let token = app.token("admin").await;
    let reports = tempfile::tempdir().unwrap();
    let args = vec![
        "run".to_string(),
        app.url("/api/v1/openapi.json"),
        "--checks".into(),
        "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance".into(),
        "--max-examples".into(),
        EXAMPLES.into(),
        "--seed".into(),
        SEED.into(),
        "--phases".into(),
        "examples,fuzzing".into(),
        "--generation-database".into(),
        "none".into(),
        "--header".into(),
        format!("Authorization: Bearer {token}"),
        // Signing out, or a new password for the administrator's own account, would end the
        // session the rest of the run signs with.
        "--exclude-path".into(),
        "/api/v1/auth/logout".into(),
        "--exclude-path".into(),
        "/api/v1/users/{id}/password".into(),
        "--no-color".into(),
        "--report-dir".into(),
        reports.path().display().to_string(),
    ];
    let cwd = reports.path().to_path_buf();
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&schemathesis)
            .args(&args)
            // Its cache goes beside it (.schemathesis/), not into the checkout.
            .current_dir(&cwd)
            .output()
            .unwrap_or_else(|e| panic!("{schemathesis} runs: {e}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}\nschemathesis took {:?}", started.elapsed());
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The document's answer schemas hold for real answers of the demo with its sample markers,
/// inspection and addresses (records schemathesis rarely reaches, its generated ids missing):
/// each answer is validated against the 200 schema its operation documents.
#[tokio::test]
async fn real_answers_of_the_demo_validate_against_their_documented_schemas() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_inspection = true;
        settings.demo_addresses = true;
    })
    .await;
    let token = app.token("admin").await;
    let document: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, addresses) = app
        .get_json("/api/v1/addresses?limit=3", Some(&token))
        .await;
    let address = addresses["addresses"][0]["id"]
        .as_i64()
        .expect("demo addresses");
    let (_, places) = app.get_json("/api/v1/places?limit=1", Some(&token)).await;
    let place = places["features"][0]["id"].as_i64().expect("demo places");
    // A naming application, filed as staff file one (the demo has none).
    let filed = app
        .client
        .post(app.url("/api/v1/naming/applications"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "kind": "naming", "proposed_name": "云澜路", "category": "2532",
            "division_codes": ["330421101"],
            "geometry": { "type": "LineString", "coordinates": [[120.889, 30.944], [120.893, 30.946]] },
            "content": { "plan": "新建道路命名为云澜路", "reasons": "新建道路需命名", "location": "西塘镇北部" }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), StatusCode::CREATED);
    let filed: Value = filed.json().await.unwrap();
    let application = filed["id"].as_i64().unwrap();
    // A division change event, proposed (effective next year, so nothing changes meanwhile).
    let proposed = app
        .client
        .post(app.url("/api/v1/division-events"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "kind": "rename", "effective_on": "2031-03-01", "summary": "大云镇更名为云湖镇",
            "changes": [{ "code": "330421102", "becomes": { "code": "330421102", "name": "云湖镇" } }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let proposed: Value = proposed.json().await.unwrap();
    let event = proposed["id"].as_str().unwrap().to_string();
    let (_, orders) = app
        .get_json(
            "/api/v1/addresses/plate-orders?division=330421",
            Some(&token),
        )
        .await;
    let order = orders["orders"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the demo's sample plate order: {orders}"));
    let answers = [
        (
            "/api/v1/addresses/plate-orders/{id}",
            format!("/api/v1/addresses/plate-orders/{order}"),
        ),
        (
            "/api/v1/division-events/{id}",
            format!("/api/v1/division-events/{event}"),
        ),
        (
            "/api/v1/naming/applications/{id}",
            format!("/api/v1/naming/applications/{application}"),
        ),
        (
            "/api/v1/addresses/{id}",
            format!("/api/v1/addresses/{address}"),
        ),
        (
            "/api/v1/addresses/{id}/versions/{version}",
            format!("/api/v1/addresses/{address}/versions/1"),
        ),
        ("/api/v1/places/{id}", format!("/api/v1/places/{place}")),
        ("/api/v1/places", "/api/v1/places?limit=5".to_string()),
        (
            "/api/v1/places/{id}/history",
            format!("/api/v1/places/{place}/history"),
        ),
        ("/api/v1/divisions", "/api/v1/divisions?limit=5".to_string()),
        (
            "/api/v1/search",
            "/api/v1/search?q=%E8%A5%BF%E5%A1%98".to_string(),
        ),
        (
            "/api/v1/markers",
            "/api/v1/markers?line=330421330482".to_string(),
        ),
        ("/api/v1/signs", "/api/v1/signs".to_string()),
        ("/api/v1/auth/me", "/api/v1/auth/me".to_string()),
        (
            "/api/v1/exchange/places",
            "/api/v1/exchange/places?division=330421101".to_string(),
        ),
    ];
    let mut checked = 0;
    for (template, path) in answers {
        let operation = &document["paths"][template]["get"];
        let content = &operation["responses"]["200"]["content"];
        let schema = ["application/json", "application/geo+json"]
            .iter()
            .find_map(|media| content.get(*media).map(|c| c["schema"].clone()))
            .unwrap_or_else(|| panic!("{template}: no JSON answer documented in {content}"));
        // The answer's schema, resolved against the document's components.
        let mut root = document.clone();
        root["$ref"] = Value::Null;
        let root = match schema.get("$ref") {
            Some(reference) => {
                root["$ref"] = reference.clone();
                root
            }
            None => {
                root["allOf"] = Value::Array(vec![schema.clone()]);
                root.as_object_mut().unwrap().remove("$ref");
                root
            }
        };
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|e| panic!("{template}: the schema does not compile: {e}"));
        let (status, answer) = app.get_json(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        let errors: Vec<String> = validator
            .iter_errors(&answer)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{path} against {template}: {errors:?}");
        // The schema is not vacuous: an answer of another shape does not validate, nor an
        // address without its standard address.
        assert!(
            !validator.is_valid(&serde_json::json!([])),
            "{template}: a schema that takes anything"
        );
        if template == "/api/v1/addresses/{id}" {
            let mut broken = answer.clone();
            broken.as_object_mut().unwrap().remove("standard_address");
            assert!(
                !validator.is_valid(&broken),
                "{template}: standard_address required"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 14);
}
