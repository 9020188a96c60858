//! Import and export of the place register (issue 15 item 4): every format round-trips without
//! changing anything, an edited row becomes one new version, every bad row is listed with
//! nothing stored, GB18030 tables from Excel are read, and GDAL reads the GeoPackage.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, pinghu, spawn_app, xitang};

/// Every record's (id, current version), in id order: what an import must leave alone.
async fn versions(app: &TestApp) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = app
        .store
        .all_current_versions()
        .await
        .unwrap()
        .iter()
        .map(|p| (p.id, p.meta.version))
        .collect();
    all.sort_unstable();
    all
}

async fn export(app: &TestApp, token: Option<&str>, query: &str) -> (StatusCode, Vec<u8>) {
    let mut request = app
        .client
        .get(app.url(&format!("/api/v1/exchange/places?{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn import(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/exchange/places?{query}")))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The (row, field) pairs a 422 lists.
fn listed(body: &Value) -> Vec<(u64, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of errors: {body}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A register of three records: a full census record with a comma, a quote and a line break
/// in its texts, a village in 西塘镇, and one in 平湖市 with a polygon.
async fn register() -> TestApp {
    let app = spawn_app().await;
    let mut full = xitang("西塘镇");
    full["properties"] = json!({
        "standard_name": "西塘镇",
        "alternate_names": [{"name": "斜塘", "kind": "historical", "valid_to": "1950-01-01"}],
        "romanization": "Xitang Zhen",
        "generic_romanization": "Zhen",
        "named_on": "1990-05-01",
        "established_year": 1990,
        "classification": "internal",
        "category": "居民点",
        "division_codes": ["330421101"],
        "survey_method": "surveyed",
        "elevation_m": 3.25,
        "meaning": "因地处西塘而得名, \"塘\"\n第二行",
        "source": "第二次全国地名普查",
        "registered_on": "2016-03-02",
        "registered_by": "李明",
        "approval": {"authority": "嘉善县人民政府", "approved_on": "1990-04-01", "document_number": "善政〔1990〕12号"},
        "sign_count": 4
    });
    app.created_place("admin", &full).await;
    app.created_place("jiashan", &xitang("西塘村")).await;
    let mut polygon = pinghu("东湖村");
    polygon["geometry"] = json!({"type": "Polygon", "coordinates": [[[121.01, 30.69], [121.02, 30.69], [121.02, 30.70], [121.01, 30.69]]]});
    app.created_place("pinghu", &polygon).await;
    app
}

#[tokio::test]
async fn every_format_round_trips_without_changing_anything() {
    let app = register().await;
    let admin = app.token("admin").await;
    let before = versions(&app).await;
    assert_eq!(before.len(), 3);
    for (format, content_type) in [
        ("geojson", "application/geo+json"),
        ("geojsonseq", "application/geo+json-seq"),
        ("csv", "text/csv"),
        ("gpkg", "application/geopackage+sqlite3"),
        // Shapefiles travel as one zip of every file set (here a point and a polygon set).
        ("shp", "application/zip"),
    ] {
        let (status, file) = export(&app, Some(&admin), &format!("format={format}")).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        let (status, body) = import(&app, Some(&admin), "", content_type, file).await;
        assert_eq!(status, StatusCode::OK, "{format}: {body}");
        assert_eq!(
            (&body["created"], &body["updated"], &body["unchanged"]),
            (&json!(0), &json!(0), &json!(3)),
            "{format}: {body}"
        );
        assert_eq!(versions(&app).await, before, "{format}");
    }
}

#[tokio::test]
async fn the_exports_hold_every_field_in_their_own_shape() {
    let app = register().await;
    let admin = app.token("admin").await;
    let (_, csv) = export(&app, Some(&admin), "format=csv").await;
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF], "a BOM for Excel");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.starts_with("id,code,version,standard_name,"), "{text}");
    assert!(text.contains("善政〔1990〕12号"), "{text}");

    let (_, seq) = export(&app, Some(&admin), "format=geojsonseq").await;
    let records: Vec<&[u8]> = seq.split(|b| *b == 0x1E).skip(1).collect();
    assert_eq!(records.len(), 3);
    let first: Value = serde_json::from_slice(records[0]).unwrap();
    assert_eq!(
        first["properties"]["approval"]["authority"],
        "嘉善县人民政府"
    );

    let (_, collection) = export(&app, Some(&admin), "format=geojson&division=330482").await;
    let collection: Value = serde_json::from_slice(&collection).unwrap();
    assert_eq!(collection["type"], "FeatureCollection");
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "only 平湖市's");
    assert_eq!(features[0]["geometry"]["type"], "Polygon");

    let (_, gbk) = export(&app, Some(&admin), "format=csv&encoding=gb18030").await;
    let (decoded, _, bad) = encoding_rs::GB18030.decode(&gbk);
    assert!(!bad && decoded.contains("西塘镇"));
}

#[tokio::test]
async fn an_edited_row_becomes_one_new_version_and_a_row_without_id_a_new_record() {
    let app = register().await;
    let admin = app.token("admin").await;
    let before = versions(&app).await;
    let (_, file) = export(&app, Some(&admin), "format=geojson").await;
    let mut collection: Value = serde_json::from_slice(&file).unwrap();
    collection["features"][1]["properties"]["meaning"] = json!("新的含义");
    let mut new = xitang("西塘新村");
    new["properties"]["romanization"] = json!("Xitang Xincun");
    collection["features"].as_array_mut().unwrap().push(new);
    let body = serde_json::to_vec(&collection).unwrap();
    let (status, counts) = import(&app, Some(&admin), "", "application/geo+json", body).await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(
        (&counts["created"], &counts["updated"], &counts["unchanged"]),
        (&json!(1), &json!(1), &json!(2))
    );
    let after = versions(&app).await;
    assert_eq!(after.len(), 4);
    assert_eq!(after[1], (before[1].0, before[1].1 + 1));
    assert_eq!(after[0], before[0]);
    let (_, record) = app
        .get_json(&format!("/api/v1/places/{}", before[1].0), Some(&admin))
        .await;
    assert_eq!(record["properties"]["meaning"], "新的含义");

    // The same file again is stale for the edited record: its row names the old version.
    let (status, problem) = import(
        &app,
        Some(&admin),
        "",
        "application/geo+json",
        serde_json::to_vec(&collection).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(listed(&problem), [(2, "properties.version".to_string())]);
    assert_eq!(versions(&app).await, after, "nothing stored");
}

#[tokio::test]
async fn a_csv_saved_by_excel_in_china_is_read_as_gb18030() {
    let app = spawn_app().await;
    let jiashan = app.token("jiashan").await;
    let table = "standard_name,category,division_codes,lon,lat,meaning\r\n西塘村,居民点,330421101,120.8906,30.9447,因塘得名\r\n塘东村,居民点,330421101,120.891,30.945,\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(table);
    let (status, counts) =
        import(&app, Some(&jiashan), "format=csv", "text/csv", gbk.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(counts["created"], 2);
    let names: Vec<String> = app
        .store
        .all_current_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.properties.standard_name)
        .collect();
    assert!(
        names.contains(&"西塘村".to_string()) && names.contains(&"塘东村".to_string()),
        "{names:?}"
    );

    // Declared UTF-8, the same bytes are refused as a whole, nothing stored.
    let (status, problem) = import(
        &app,
        Some(&jiashan),
        "format=csv&encoding=utf-8",
        "text/csv",
        gbk.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed(&problem), [(0, "encoding".to_string())]);
    assert_eq!(app.place_count().await, 2);
}

#[tokio::test]
async fn grid_coordinates_with_a_declared_system_are_converted_to_cgcs2000() {
    let app = spawn_app().await;
    let jiashan = app.token("jiashan").await;
    let table = "standard_name,category,division_codes,north,east\n西塘村,居民点,330421101,3420234.530,586045.086\n";
    let (status, counts) = import(
        &app,
        Some(&jiashan),
        "format=csv&crs=EPSG:4549",
        "text/csv",
        table.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    let stored = app.store.all_current_versions().await.unwrap();
    let at = &stored[0].geometry.as_ref().unwrap()["coordinates"];
    assert!((at[0].as_f64().unwrap() - 120.9).abs() < 1e-6, "{at}");
    assert!((at[1].as_f64().unwrap() - 30.9).abs() < 1e-6, "{at}");
}

#[tokio::test]
async fn every_bad_row_is_listed_and_nothing_is_stored() {
    let app = register().await;
    let jiashan = app.token("jiashan").await;
    let before = versions(&app).await;
    let table = "standard_name,category,division_codes,lon,lat\n\
        好村,居民点,330421101,120.8906,30.9447\n\
        坏坐标村,居民点,330421101,东经120度,30.9447\n\
        类别村,不存在的类别,330421101,120.8906,30.9447\n\
        平湖村,居民点,330482,121.0150,30.6970\n";
    let (status, problem) = import(
        &app,
        Some(&jiashan),
        "format=csv&file=村.csv",
        "text/csv",
        table.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        listed(&problem),
        [
            (3, "lon".to_string()),
            (4, "category".to_string()),
            (5, "division_codes".to_string())
        ],
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["file"], "村.csv");
    assert!(
        problem["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("outside your jurisdiction"),
        "{problem}"
    );
    assert_eq!(versions(&app).await, before);

    // Changing another jurisdiction's record through its exported row is refused too.
    let admin = app.token("admin").await;
    let (_, file) = export(&app, Some(&admin), "format=geojson&division=330482").await;
    let mut collection: Value = serde_json::from_slice(&file).unwrap();
    collection["features"][0]["properties"]["meaning"] = json!("改");
    let (status, problem) = import(
        &app,
        Some(&jiashan),
        "",
        "application/geo+json",
        serde_json::to_vec(&collection).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        listed(&problem)[0],
        (1, "properties.division_codes".to_string())
    );
    assert_eq!(versions(&app).await, before);
}

#[tokio::test]
async fn malformed_and_truncated_files_are_refused_whole() {
    let app = register().await;
    let admin = app.token("admin").await;
    let before = versions(&app).await;

    let missing_column = "standard_name,category,lon,lat\n好村,居民点,120.8906,30.9447\n";
    let (status, problem) = import(
        &app,
        Some(&admin),
        "format=csv",
        "text/csv",
        missing_column.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed(&problem), [(1, "division_codes".to_string())]);

    let (status, problem) = import(
        &app,
        Some(&admin),
        "",
        "application/geo+json",
        br#"{"type": "FeatureCollection", "features": [{"type": "Feature""#.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed(&problem), [(0, String::new())]);

    let (_, seq) = export(&app, Some(&admin), "format=geojsonseq").await;
    let truncated = seq[..seq.len() - 20].to_vec();
    let (status, problem) = import(
        &app,
        Some(&admin),
        "",
        "application/geo+json-seq",
        truncated,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed(&problem), [(3, String::new())]);

    let (_, gpkg) = export(&app, Some(&admin), "format=gpkg").await;
    let truncated = gpkg[..gpkg.len() / 3].to_vec();
    let (status, problem) = import(
        &app,
        Some(&admin),
        "format=gpkg",
        "application/octet-stream",
        truncated,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(listed(&problem)[0].0, 0, "{problem}");

    assert_eq!(versions(&app).await, before);
}

#[tokio::test]
async fn readers_and_the_public_may_not_import_and_the_public_may_not_export() {
    let app = register().await;
    let reviewer = app.token("reviewer").await;
    let admin = app.token("admin").await;
    let (_, file) = export(&app, Some(&admin), "format=geojson").await;
    let (status, problem) = import(
        &app,
        Some(&reviewer),
        "",
        "application/geo+json",
        file.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = import(&app, None, "", "application/geo+json", file).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = export(&app, None, "format=geojson").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A reader-role member of staff reads the register, so may export it.
    let (status, _) = export(&app, Some(&reviewer), "format=csv").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn gdal_reads_the_geopackage_with_its_count_and_system() {
    let app = register().await;
    let admin = app.token("admin").await;
    let (status, gpkg) = export(&app, Some(&admin), "format=gpkg").await;
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.gpkg");
    std::fs::write(&path, gpkg).unwrap();
    let output = std::process::Command::new("ogrinfo")
        .arg("-so")
        .arg(&path)
        .arg("places")
        .output()
        .expect("ogrinfo (Debian gdal-bin) is installed");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("Feature Count: 3"), "{text}");
    assert!(
        text.contains("China Geodetic Coordinate System 2000"),
        "{text}"
    );
    assert!(
        text.contains("ID[\"EPSG\",4490]") || text.contains("EPSG\",\"4490"),
        "{text}"
    );
    assert!(text.contains("standard_name: String"), "{text}");
}

/// The reference layers of the GeoPackage, read by GDAL: every division, the recorded line and
/// every marker of the demo, the lines and markers in EPSG:4490 with their attributes, the
/// surveyed coordinates and their system kept beside each marker.
#[tokio::test]
async fn the_geopackage_holds_the_divisions_lines_and_markers_and_gdal_reads_them() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_inspection = true;
    })
    .await;
    let admin = app.token("admin").await;
    let (status, markers) = app
        .get_json("/api/v1/markers?line=330421330482", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{markers}");
    let marker_count = markers["markers"].as_array().unwrap().len();
    assert!(marker_count > 0, "{markers}");
    let (status, divisions) = app
        .get_json("/api/v1/divisions?limit=5000", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{divisions}");
    let (status, gpkg) = export(&app, Some(&admin), "format=gpkg").await;
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.gpkg");
    std::fs::write(&path, gpkg).unwrap();
    let ogrinfo = |args: &[&str]| {
        let output = std::process::Command::new("ogrinfo")
            .args(args)
            .arg(&path)
            .output()
            .expect("ogrinfo (Debian gdal-bin) is installed");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let layers = ogrinfo(&["-so", "-q"]);
    for layer in ["places", "divisions", "boundary_lines", "markers (Point)"] {
        assert!(layers.contains(layer), "{layer} in {layers}");
    }
    let summary = |layer: &str| {
        let output = std::process::Command::new("ogrinfo")
            .args(["-so"])
            .arg(&path)
            .arg(layer)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let text = summary("markers");
    assert!(
        text.contains(&format!("Feature Count: {marker_count}")),
        "{text}"
    );
    assert!(text.contains("ID[\"EPSG\",4490]"), "{text}");
    for column in [
        "marker_number: String",
        "surveyed_x: Real",
        "surveyed_crs: String",
    ] {
        assert!(text.contains(column), "{column} in {text}");
    }
    let text = summary("boundary_lines");
    assert!(text.contains("Feature Count: 1"), "{text}");
    assert!(text.contains("ID[\"EPSG\",4490]"), "{text}");
    assert!(text.contains("line_code: String"), "{text}");
    let text = summary("divisions");
    let listed = divisions["numberMatched"].as_u64().unwrap();
    assert!(
        text.contains(&format!("Feature Count: {listed}")),
        "{listed} in {text}"
    );
    // A marker's point is where the register has it, in longitude/latitude order.
    let first = &markers["markers"][0];
    let number = first["marker_number"].as_str().unwrap();
    let detail = std::process::Command::new("ogrinfo")
        .args(["-q", "-where", &format!("marker_number = '{number}'")])
        .arg(&path)
        .arg("markers")
        .output()
        .unwrap();
    let detail = String::from_utf8_lossy(&detail.stdout).to_string();
    assert!(detail.contains("POINT ("), "{detail}");
    assert!(
        detail.contains(&format!("marker_number (String) = {number}")),
        "{detail}"
    );

    // Lines and markers are for the staff of their two sides: an editor of 海盐县 gets the
    // places and divisions, and neither the 嘉善县 | 平湖市 line nor its markers.
    app.create_account("haiyan", diming::domain::account::Role::Editor, &["330424"])
        .await;
    let haiyan = app.login_response("haiyan", crate::helpers::PASSWORD).await;
    let haiyan = haiyan.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, gpkg) = export(&app, Some(&haiyan), "format=gpkg").await;
    assert_eq!(status, StatusCode::OK);
    std::fs::write(&path, gpkg).unwrap();
    let text = summary("markers");
    assert!(text.contains("Feature Count: 0"), "{text}");
    let text = summary("boundary_lines");
    assert!(text.contains("Feature Count: 0"), "{text}");
    let text = summary("divisions");
    assert!(text.contains(&format!("Feature Count: {listed}")), "{text}");
}

/// More rows than one statement takes (a thousand versions each): 2,100 new records get
/// consecutive ids with their register codes, every version and division row; an export with
/// 1,100 of them renamed appends exactly those versions, the rest unchanged.
#[tokio::test]
async fn an_import_larger_than_one_statement_writes_every_record_and_version() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let features: Vec<Value> = (0..2100)
        .map(|i| {
            let mut feature = xitang(&format!("第{i}村"));
            feature["geometry"] = json!({"type": "Point", "coordinates": [120.89 + (i % 50) as f64 * 0.0001, 30.94 + (i / 50) as f64 * 0.0001]});
            feature
        })
        .collect();
    let collection = json!({"type": "FeatureCollection", "features": features});
    let (status, body) = import(
        &app,
        Some(&admin),
        "",
        "application/geo+json",
        collection.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2100, "{body}");
    let (status, file) = export(&app, Some(&admin), "format=geojson").await;
    assert_eq!(status, StatusCode::OK);
    let mut exported: Value = serde_json::from_slice(&file).unwrap();
    let records = exported["features"].as_array_mut().unwrap();
    assert_eq!(records.len(), 2100);
    let mut ids: Vec<i64> = records.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids.last().unwrap() - ids[0], 2099, "consecutive ids");
    for record in records.iter() {
        let id = record["id"].as_i64().unwrap();
        let code = record["properties"]["code"].as_str().unwrap();
        assert!(code.ends_with(&format!("{id:07}")), "{id} {code}");
        assert_eq!(record["properties"]["version"], 1);
        assert_eq!(record["properties"]["division_codes"], json!(["330421101"]));
    }
    for record in records.iter_mut().take(1100) {
        let name = record["properties"]["standard_name"]
            .as_str()
            .unwrap()
            .to_string();
        record["properties"]["standard_name"] = json!(name.replace('村', "新村"));
        record["properties"]["romanization"] = Value::Null;
    }
    let (status, body) = import(
        &app,
        Some(&admin),
        "",
        "application/geo+json",
        exported.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["updated"].as_u64(), body["unchanged"].as_u64()),
        (Some(1100), Some(1000)),
        "{body}"
    );
    let (_, renamed) = app
        .get_json(&format!("/api/v1/places/{}/history", ids[0]), Some(&admin))
        .await;
    assert_eq!(
        renamed["versions"].as_array().unwrap().len(),
        2,
        "{renamed}"
    );
}

/// Runs one statement on a GeoPackage file (a test's edit of an export).
async fn edit_gpkg(path: &std::path::Path, sql: &str) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// The markers layer of a GeoPackage imports: the demo's export back into the demo changes
/// nothing; a marker registered with another material is a bad row with nothing stored; into a
/// register without markers it registers them all (once: a second import changes nothing), and
/// an editor of one side of the line may not.
#[tokio::test]
async fn the_markers_layer_of_a_geopackage_imports_all_or_nothing() {
    let with_markers = crate::helpers::spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_inspection = true;
    })
    .await;
    let admin = with_markers.token("admin").await;
    let (status, gpkg) = export(&with_markers, Some(&admin), "format=gpkg").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = import(
        &with_markers,
        Some(&admin),
        "file=demo.gpkg",
        "application/geopackage+sqlite3",
        gpkg.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["markers"]["created"], 0, "{body}");
    let markers = body["markers"]["unchanged"].as_u64().unwrap();
    assert!(markers > 0, "{body}");
    assert_eq!(body["created"], 0, "{body}");
    assert_eq!(body["updated"], 0, "{body}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("markers.gpkg");
    std::fs::write(&path, &gpkg).unwrap();
    edit_gpkg(
        &path,
        "UPDATE markers SET material = '混凝土' WHERE fid = 1",
    )
    .await;
    let (status, problem) = import(
        &with_markers,
        Some(&admin),
        "file=markers.gpkg",
        "application/geopackage+sqlite3",
        std::fs::read(&path).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["row"], 1, "{problem}");
    assert_eq!(errors[0]["field"], "material", "{problem}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("joint inspection"),
        "{problem}"
    );

    // A new marker that would mix kinds under a registered number, and one whose surveyed
    // system is not a system, are bad rows of their own (the other rows are unchanged).
    let path = dir.path().join("bad-markers.gpkg");
    std::fs::write(&path, &gpkg).unwrap();
    edit_gpkg(
        &path,
        "INSERT INTO markers (geom, marker_number, line_code, sequence, marker_type, surveyed_x, surveyed_y, surveyed_crs)
           SELECT geom, '330421330482001A', line_code, sequence, 'A', surveyed_x, surveyed_y, surveyed_crs FROM markers WHERE fid = 1;
         INSERT INTO markers (geom, marker_number, line_code, sequence, marker_type, surveyed_x, surveyed_y, surveyed_crs)
           SELECT geom, '330421330482090Q', line_code, 90, 'Q', surveyed_x, surveyed_y, 'EPSG:999999' FROM markers WHERE fid = 1;",
    )
    .await;
    let (status, problem) = import(
        &with_markers,
        Some(&admin),
        "file=bad-markers.gpkg",
        "application/geopackage+sqlite3",
        std::fs::read(&path).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].to_string(), e["message"].to_string()))
        .collect();
    assert_eq!(fields.len(), 2, "{problem}");
    assert!(
        fields[0].0.contains("marker_number") && fields[0].1.contains("mix kinds"),
        "{problem}"
    );
    assert!(fields[1].0.contains("surveyed_crs"), "{problem}");

    // Only the markers go to a register that has the demo's divisions and lines but no markers.
    let without = crate::helpers::spawn_app_with(|settings| settings.demo = true).await;
    let path = dir.path().join("only-markers.gpkg");
    std::fs::write(&path, &gpkg).unwrap();
    edit_gpkg(&path, "DELETE FROM places").await;
    let only_markers = std::fs::read(&path).unwrap();
    let line = "/api/v1/markers?line=330421330482";
    let editor = without.token("jiashan").await;
    let (status, problem) = import(
        &without,
        Some(&editor),
        "file=only-markers.gpkg",
        "application/geopackage+sqlite3",
        only_markers.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem["errors"].as_array().unwrap().len() as u64,
        markers,
        "{problem}"
    );
    let admin = without.token("admin").await;
    let (_, listed) = without.get_json(line, Some(&admin)).await;
    assert_eq!(
        listed["markers"].as_array().unwrap().len(),
        0,
        "nothing stored: {listed}"
    );
    let (status, body) = import(
        &without,
        Some(&admin),
        "file=only-markers.gpkg",
        "application/geopackage+sqlite3",
        only_markers.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["markers"]["created"].as_u64(), Some(markers), "{body}");
    let (_, listed) = without.get_json(line, Some(&admin)).await;
    let original_admin = with_markers.token("admin").await;
    let (_, original) = with_markers.get_json(line, Some(&original_admin)).await;
    let positions = |list: &Value| -> Vec<(String, String)> {
        list["markers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["marker_number"].to_string(), m["position"].to_string()))
            .collect()
    };
    assert_eq!(positions(&listed), positions(&original));
    let (status, body) = import(
        &without,
        Some(&admin),
        "file=only-markers.gpkg",
        "application/geopackage+sqlite3",
        only_markers,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["markers"]["unchanged"].as_u64(),
        Some(markers),
        "{body}"
    );
}

/// Over HTTP a Shapefile is a zip: one that climbs out of its folder, one that is not a zip and
/// one without a .shp are refused whole with the reason, and nothing is stored; the exchange
/// package downloads as a zip of the GeoPackage and its manifest.
#[tokio::test]
async fn zipped_shapefiles_are_read_as_hostile_and_the_package_downloads_as_a_zip() {
    use std::io::Write;
    let app = register().await;
    let admin = app.token("admin").await;
    let before = versions(&app).await;
    let (status, zip) = export(&app, Some(&admin), "format=shp").await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    for name in [
        "places_point.shp",
        "places_point.dbf",
        "places_point.cpg",
        "places_point.prj",
        "places_polygon.shp",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let mut shp = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("places_point.shp").unwrap(), &mut shp)
        .unwrap();

    let mut climbing = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    climbing
        .start_file(
            "../../places_point.shp",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    climbing.write_all(&shp).unwrap();
    let climbing = climbing.finish().unwrap().into_inner();
    let mut readme_only = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    readme_only
        .start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    readme_only.write_all(b"no shapefile here").unwrap();
    let readme_only = readme_only.finish().unwrap().into_inner();
    for (body, expected) in [
        (climbing, "not a safe file name"),
        (b"PK\x03\x04 truncated".to_vec(), "not a readable zip"),
        (readme_only, "no .shp file"),
    ] {
        let (status, problem) = import(
            &app,
            Some(&admin),
            "file=upload.zip",
            "application/zip",
            body,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem.to_string().contains(expected),
            "{expected}: {problem}"
        );
    }
    assert_eq!(versions(&app).await, before, "nothing was stored");

    let (status, package) = export(&app, Some(&admin), "format=exchange").await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["crs"], "EPSG:4490", "{manifest}");
    assert!(archive.by_name("places.gpkg").unwrap().size() > 0);
    let (status, _) = export(&app, None, "format=exchange").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn the_command_line_exports_and_reimports_every_format_unchanged() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(register());
    let dir = tempfile::tempdir().unwrap();
    for format in ["geojson", "geojsonseq", "csv", "gpkg"] {
        let to = dir.path().join(format!("out.{format}"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
            .args([
                "--database-url",
                &app.database_url,
                "export",
                "places",
                "--format",
                format,
                "--to",
            ])
            .arg(&to)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains("3 records written"), "{text}");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
            .args([
                "--database-url",
                &app.database_url,
                "import",
                "places",
                "--format",
                format,
                "--user",
                "admin",
            ])
            .arg(&to)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            text.contains("0 created, 0 updated, 3 unchanged"),
            "{format}: {text}"
        );
    }
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "standard_name,category,division_codes\n好村,不存在,330421101\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
        .args([
            "--database-url",
            &app.database_url,
            "import",
            "places",
            "--user",
            "jiashan",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success());
    assert!(text.contains("bad.csv row 2: category"), "{text}");
}

#[test]
fn shapefiles_round_trip_with_their_cpg_and_prj_and_gdal_reads_them() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(register());
    let before = runtime.block_on(versions(&app));
    // A history longer than a dBase field holds is cut in the Shapefile and kept on re-import.
    runtime.block_on(async {
        let admin = app.token("admin").await;
        let (id, etag) = app.created_place("admin", &xitang("长史村")).await;
        let mut long = xitang("长史村");
        long["properties"]["history"] = json!("明清两代为市镇，".repeat(40));
        long["change"] = json!({"comment": "沿革"});
        let response = app.update_place(Some(&admin), id, Some(&etag), &long).await;
        assert_eq!(response.status(), StatusCode::OK);
    });
    let after_edit = runtime.block_on(versions(&app));
    assert_eq!(after_edit.len(), before.len() + 1);
    let dir = tempfile::tempdir().unwrap();
    for encoding in ["gbk", "utf-8"] {
        let to = dir.path().join(format!("places-{encoding}.shp"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
            .args([
                "--database-url",
                &app.database_url,
                "export",
                "places",
                "--format",
                "shp",
                "--encoding",
                encoding,
                "--to",
            ])
            .arg(&to)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains("4 records written in Shapefiles"), "{text}");
        let points = dir.path().join(format!("places-{encoding}_point.shp"));
        let cpg = std::fs::read_to_string(points.with_extension("cpg")).unwrap();
        assert_eq!(cpg, if encoding == "gbk" { "GBK" } else { "UTF-8" });

        let output = std::process::Command::new("ogrinfo")
            .arg("-so")
            .arg(&points)
            .arg(format!("places-{encoding}_point"))
            .output()
            .expect("ogrinfo (Debian gdal-bin) is installed");
        let info = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(output.status.success(), "{info}");
        assert!(info.contains("Feature Count: 3"), "{info}");
        assert!(
            info.contains("China Geodetic Coordinate System 2000") || info.contains("China_2000"),
            "{info}"
        );
        assert!(info.contains("std_name: String"), "{info}");
        // GDAL reads the names in the encoding the .cpg names.
        let output = std::process::Command::new("ogrinfo")
            .args(["-q", "-where", "id=2"])
            .arg(&points)
            .arg(format!("places-{encoding}_point"))
            .output()
            .unwrap();
        let features = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(features.contains("西塘村"), "{features}");

        for kind in ["point", "polygon"] {
            let shp = dir.path().join(format!("places-{encoding}_{kind}.shp"));
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
                .args([
                    "--database-url",
                    &app.database_url,
                    "import",
                    "places",
                    "--user",
                    "admin",
                ])
                .arg(&shp)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout).to_string();
            assert!(
                output.status.success(),
                "{kind}: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let unchanged = if kind == "point" { 3 } else { 1 };
            assert!(
                text.contains(&format!("0 created, 0 updated, {unchanged} unchanged")),
                "{encoding} {kind}: {text}"
            );
        }
    }
    assert_eq!(runtime.block_on(versions(&app)), after_edit);

    // A truncated .shp is refused whole.
    let points = dir.path().join("places-gbk_point.shp");
    let bytes = std::fs::read(&points).unwrap();
    std::fs::write(&points, &bytes[..bytes.len() - 10]).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
        .args([
            "--database-url",
            &app.database_url,
            "import",
            "places",
            "--user",
            "admin",
        ])
        .arg(&points)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("nothing was imported"), "{text}");
    assert_eq!(runtime.block_on(versions(&app)), after_edit);
}

#[test]
fn the_exchange_package_holds_every_version_and_approval_with_a_manifest() {
    use sha2::Digest;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(register());
    // A second version of the full record.
    runtime.block_on(async {
        let admin = app.token("admin").await;
        let (_, file) = export(&app, Some(&admin), "format=geojson").await;
        let mut collection: Value = serde_json::from_slice(&file).unwrap();
        collection["features"][0]["properties"]["sign_count"] = json!(5);
        let (status, body) = import(
            &app,
            Some(&admin),
            "",
            "application/geo+json",
            serde_json::to_vec(&collection).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated"], 1);
    });
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("package");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
        .args([
            "--database-url",
            &app.database_url,
            "export",
            "places",
            "--format",
            "exchange",
            "--to",
        ])
        .arg(&folder)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["counts"],
        json!({"places": 3, "versions": 4, "approvals": 2}),
        "{manifest}"
    );
    assert_eq!(manifest["crs"], "EPSG:4490");
    assert_eq!(manifest["service_version"], env!("CARGO_PKG_VERSION"));
    assert!(manifest["exported_at"].as_str().unwrap().ends_with('Z'));
    let gpkg = std::fs::read(folder.join("places.gpkg")).unwrap();
    let digest: String = sha2::Sha256::digest(&gpkg)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["files"][0]["sha256"], digest.as_str());
    assert_eq!(manifest["files"][0]["bytes"], gpkg.len());

    // GDAL sees the feature table and the two attribute tables.
    let output = std::process::Command::new("ogrinfo")
        .arg("-so")
        .arg(folder.join("places.gpkg"))
        .arg("place_versions")
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{info}");
    assert!(info.contains("Feature Count: 4"), "{info}");
    assert!(info.contains("recorded_by: String"), "{info}");

    // Its places table imports as an export does: nothing changes.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_diming"))
        .args([
            "--database-url",
            &app.database_url,
            "import",
            "places",
            "--user",
            "admin",
        ])
        .arg(folder.join("places.gpkg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        text.contains("0 created, 0 updated, 3 unchanged"),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
