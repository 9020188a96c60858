//! Spawning the application and talking to it as a client would.

use std::sync::OnceLock;

use diming::domain::account::{Role, Username};
use diming::domain::division_code::{DivisionCode, Jurisdiction};
use diming::domain::division_table::DivisionRow;
use diming::security::hash_password;
use diming::startup::{Application, Settings};
use diming::store::audit::Author;
use diming::store::{Store, StoreError};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const PASSWORD: &str = "test-password-123";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub store: Store,
    /// The staff password: the demo accounts' when the demo data is loaded.
    pub password: &'static str,
    /// The SQLite file behind the service, for tests that change it behind the service's back.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// Hashing is slow on purpose; every test account shares one hash of `PASSWORD`.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("register.sqlite").display());
    let mut settings = Settings::for_database(&url);
    settings.data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    adjust(&mut settings);
    let password = if settings.demo {
        diming::demo::DEMO_PASSWORD
    } else {
        PASSWORD
    };
    let app = Application::build(settings)
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    tokio::spawn(app.run_until_stopped());
    let test_app = TestApp {
        address,
        client: Client::new(),
        store,
        password,
        database_url: url,
        _dir: dir,
    };
    test_app.seed().await;
    test_app
}

impl TestApp {
    async fn seed(&self) {
        let author = Author::system("test");
        let divisions: Vec<DivisionRow> = [
            ("330000", "浙江省"),
            ("330400", "嘉兴市"),
            ("330421", "嘉善县"),
            ("330421101", "西塘镇"),
            ("330482", "平湖市"),
        ]
        .iter()
        .map(|(c, n)| DivisionRow {
            code: DivisionCode::parse(c).unwrap(),
            name: n.to_string(),
        })
        .collect();
        self.store
            .import_divisions(&divisions, &author, |_| {})
            .await
            .unwrap();
        for (name, role, jurisdictions) in [
            ("admin", Role::Admin, vec![]),
            ("jiashan", Role::Editor, vec!["330421"]),
            ("pinghu", Role::Editor, vec!["330482"]),
            ("reviewer", Role::Reviewer, vec!["3304"]),
        ] {
            let jurisdictions: Vec<Jurisdiction> = jurisdictions
                .iter()
                .map(|j| Jurisdiction::parse(j).unwrap())
                .collect();
            let created = self
                .store
                .create_user(
                    &Username::parse(name).unwrap(),
                    password_hash(),
                    role,
                    &jurisdictions,
                    &author,
                )
                .await;
            // With the demo data loaded the demo accounts exist already, with the demo password.
            assert!(
                matches!(created, Ok(_) | Err(StoreError::AlreadyExists(_))),
                "{created:?}"
            );
        }
    }

    /// Creates an account with the test password; answers its id.
    pub async fn create_account(&self, name: &str, role: Role, jurisdictions: &[&str]) -> i64 {
        let jurisdictions: Vec<Jurisdiction> = jurisdictions
            .iter()
            .map(|j| Jurisdiction::parse(j).unwrap())
            .collect();
        self.store
            .create_user(
                &Username::parse(name).unwrap(),
                password_hash(),
                role,
                &jurisdictions,
                &Author::system("test"),
            )
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn login_response(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let response = self.login_response(username, self.password).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {username}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn create_place(&self, token: Option<&str>, feature: &Value) -> Response {
        let mut request = self.client.post(self.url("/api/v1/places")).json(feature);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Creates a place as `username` and returns (id, ETag).
    pub async fn created_place(&self, username: &str, feature: &Value) -> (i64, String) {
        let token = self.token(username).await;
        let response = self.create_place(Some(&token), feature).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        let body: Value = response.json().await.unwrap();
        (body["id"].as_i64().unwrap(), etag)
    }

    pub async fn update_place(
        &self,
        token: Option<&str>,
        id: i64,
        if_match: Option<&str>,
        feature: &Value,
    ) -> Response {
        let mut request = self
            .client
            .put(self.url(&format!("/api/v1/places/{id}")))
            .json(feature);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.unwrap()
    }

    pub async fn retire(
        &self,
        token: Option<&str>,
        id: i64,
        if_match: &str,
        body: &Value,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/v1/places/{id}/retire")))
            .header("If-Match", if_match)
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn place_count(&self) -> i64 {
        self.store.place_count().await.unwrap()
    }
}

/// A valid place in 西塘镇, 嘉善县.
pub fn xitang(name: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [120.8906, 30.9447] },
        "properties": {
            "standard_name": name,
            "category": "居民点",
            "division_codes": ["330421101"],
            "meaning": "因地处西塘而得名",
            "romanization": "Xitang"
        }
    })
}

/// A valid place in 平湖市.
pub fn pinghu(name: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [121.0150, 30.6970] },
        "properties": { "standard_name": name, "category": "241", "division_codes": ["330482"] }
    })
}

/// Asserts an RFC 7807 answer with `status` and, when given, the field at fault.
pub async fn assert_problem(response: Response, status: StatusCode, field: Option<&str>) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "a detail for a person: {body}"
    );
    if let Some(field) = field {
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(fields.contains(&field), "expected field {field} in {body}");
    }
    body
}

/// A query-string value, percent-encoded (Chinese names in URLs).
pub fn encoded(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A PNG image; a noisy one does not compress (to exceed size limits).
pub fn png_bytes(width: u32, height: u32, noisy: bool) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        if noisy {
            let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
            image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
        } else {
            image::Rgb([120, 120, 120])
        }
    });
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// A PNG that declares `width` × `height` pixels but carries the data of one small row: a
/// decompression bomb as a header reader sees it (a few hundred bytes on the wire).
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_bytes(64, 1, false);
    // Signature (8), IHDR length (4) and type (4), then width and height; the CRC of the IHDR
    // chunk (type and data, bytes 12..29) follows at 29..33.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let mut crc = 0xFFFF_FFFFu32;
    for byte in &bytes[12..29] {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

/// A program of the tests' Python virtualenv (schemathesis, ogctests' python): `DIMING_PYENV`,
/// or `target/pyenv` as `.ci/setup --pyenv` makes it.
pub fn python_tool(name: &str) -> String {
    let pyenv = std::env::var("DIMING_PYENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/pyenv").to_string());
    let program = format!("{pyenv}/bin/{name}");
    assert!(
        std::path::Path::new(&program).exists(),
        "{program} is missing: `bash .ci/setup --pyenv` creates the virtualenv"
    );
    program
}
