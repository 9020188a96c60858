//! OGC API - Features at /ogc: the documents, paging, visibility, bbox, datetime and crs
//! (Part 2), writes as QGIS makes them (Part 4), and GDAL's own client (Debian's gdal-bin)
//! listing the collections and copying every visible record.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, pinghu, spawn_app, spawn_app_with, xitang};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const CGCS2000: &str = "http://www.opengis.net/def/crs/EPSG/0/4490";

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, HeaderMap, Value) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

fn hrefs<'a>(document: &'a Value, rel: &str) -> Vec<&'a str> {
    document["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == rel)
        .map(|l| l["href"].as_str().unwrap())
        .collect()
}

fn ids(collection: &Value) -> Vec<i64> {
    collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

fn at(name: &str, lon: f64, lat: f64) -> Value {
    let mut feature = xitang(name);
    feature["geometry"]["coordinates"] = json!([lon, lat]);
    feature
}

#[tokio::test]
async fn the_landing_page_and_conformance_link_everything_by_absolute_urls() {
    let app = spawn_app().await;
    for path in ["/ogc", "/ogc/"] {
        let (status, headers, landing) = get(&app, path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/json");
        for (rel, target) in [
            ("self", "/ogc"),
            ("service-desc", "/ogc/api"),
            ("conformance", "/ogc/conformance"),
            ("data", "/ogc/collections"),
        ] {
            assert_eq!(hrefs(&landing, rel)[0], app.url(target), "{rel}");
        }
        assert!(
            landing["links"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["type"].is_string())
        );
    }
    let (_, _, conformance) = get(&app, "/ogc/conformance", None).await;
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for class in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    ] {
        assert!(classes.contains(&class), "{class}");
    }
    // The API definition names the parameters each collection's items take.
    let response = app.client.get(app.url("/ogc/api")).send().await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let api: Value = response.json().await.unwrap();
    assert_eq!(api["openapi"], "3.0.3");
    assert!(api["paths"]["/collections/places/items"]["post"].is_object());
    assert!(api["paths"]["/collections/divisions/items"]["post"].is_null());
    assert_eq!(
        api["components"]["parameters"]["bbox"]["schema"]["maxItems"],
        6
    );
    // A format the service does not have, and a parameter it does not know, are refused.
    assert_problem(
        app.get("/ogc?f=xml").await,
        StatusCode::BAD_REQUEST,
        Some("f"),
    )
    .await;
    assert_problem(
        app.get("/ogc/conformance?x=1").await,
        StatusCode::BAD_REQUEST,
        Some("x"),
    )
    .await;
}

#[tokio::test]
async fn the_public_sees_its_collections_and_staff_also_boundary_lines_and_markers() {
    let app = spawn_app().await;
    let ids_of = |collections: &Value| -> Vec<String> {
        collections["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, _, public) = get(&app, "/ogc/collections", None).await;
    let public_ids = ids_of(&public);
    assert_eq!(public_ids[0], "places");
    for id in ["places-21", "places-24", "places-29", "divisions", "signs"] {
        assert!(public_ids.contains(&id.to_string()), "{id}");
    }
    assert!(!public_ids.contains(&"markers".to_string()));
    assert!(!public_ids.contains(&"boundary-lines".to_string()));
    assert_eq!(public_ids.len(), 1 + 12 + 2);

    let token = app.token("jiashan").await;
    let (_, _, staff) = get(&app, "/ogc/collections", Some(&token)).await;
    let staff_ids = ids_of(&staff);
    assert!(staff_ids.contains(&"markers".to_string()));
    assert!(staff_ids.contains(&"boundary-lines".to_string()));

    // A collection alone is the same as in the list; its first CRS is CRS84 and it is stored
    // in CGCS2000.
    let listed = &public["collections"][0];
    let (status, _, places) = get(&app, "/ogc/collections/places", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&places, listed);
    assert_eq!(places["crs"][0], CRS84);
    assert_eq!(places["storageCrs"], CGCS2000);
    assert!(
        places["crs"]
            .as_array()
            .unwrap()
            .contains(&json!("http://www.opengis.net/def/crs/EPSG/0/4549"))
    );
    assert_eq!(
        hrefs(&places, "items")[0],
        app.url("/ogc/collections/places/items")
    );

    assert_problem(
        app.get("/ogc/collections/markers").await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    assert_problem(
        app.get("/ogc/collections/markers/items").await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    assert_problem(
        app.get("/ogc/collections/roads").await,
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    assert_problem(
        app.get("/ogc/collections/places-99").await,
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
}

#[tokio::test]
async fn items_come_in_pages_with_links_counts_and_a_time_stamp() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..3 {
        created.push(
            app.created_place("jiashan", &xitang(&format!("塘东{i}村")))
                .await
                .0,
        );
    }
    let (status, headers, first) = get(&app, "/ogc/collections/places/items?limit=2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    assert_eq!(headers["content-crs"], format!("<{CRS84}>"));
    assert_eq!(first["type"], "FeatureCollection");
    assert_eq!(first["numberMatched"], 3);
    assert_eq!(first["numberReturned"], 2);
    assert_eq!(ids(&first), created[..2]);
    assert!(first["timeStamp"].as_str().unwrap().ends_with('Z'));
    assert!(hrefs(&first, "prev").is_empty());
    let next = hrefs(&first, "next")[0];
    assert_eq!(
        next,
        app.url("/ogc/collections/places/items?limit=2&offset=2")
    );
    let second: Value = app
        .client
        .get(next)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&second), created[2..]);
    assert!(hrefs(&second, "next").is_empty());
    assert_eq!(
        hrefs(&second, "prev")[0],
        app.url("/ogc/collections/places/items?limit=2&offset=0")
    );
    // Every feature links to itself and its collection; a place carries its register code and
    // version among its properties.
    let feature = &first["features"][0];
    assert_eq!(
        hrefs(feature, "self")[0],
        app.url(&format!("/ogc/collections/places/items/{}", created[0]))
    );
    assert_eq!(
        hrefs(feature, "collection")[0],
        app.url("/ogc/collections/places")
    );
    assert_eq!(feature["properties"]["version"], 1);
    assert!(
        feature["properties"]["code"]
            .as_str()
            .unwrap()
            .starts_with("330421")
    );

    // Ten by default; a limit beyond the largest page is served as the largest page.
    let (_, _, default) = get(&app, "/ogc/collections/places/items", None).await;
    assert_eq!(default["numberReturned"], 3);
    let (status, _, _) = get(&app, "/ogc/collections/places/items?limit=20000", None).await;
    assert_eq!(status, StatusCode::OK);
    for bad in [
        "limit=unlimited",
        "limit=0",
        "offset=-1",
        "datetime=soon",
        "bbox=1,2,3",
        "ooga=booga",
    ] {
        let response = app
            .get(&format!("/ogc/collections/places/items?{bad}"))
            .await;
        let field = bad.split('=').next().unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    // The standard's own parameters are taken: f, and a crs on the collection documents (which
    // some clients add to every request).
    let (status, _, _) = get(&app, "/ogc/collections/places/items?f=json", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = get(&app, &format!("/ogc/collections?crs={CGCS2000}"), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_public_sees_public_records_and_staff_the_others_too() {
    let app = spawn_app().await;
    let mut internal = xitang("内部地名");
    internal["properties"]["classification"] = json!("internal");
    let (hidden, _) = app.created_place("jiashan", &internal).await;
    let (open, _) = app.created_place("jiashan", &xitang("塘东村")).await;

    let (_, _, public) = get(&app, "/ogc/collections/places/items", None).await;
    assert_eq!(ids(&public), [open]);
    assert_eq!(public["numberMatched"], 1);
    let path = format!("/ogc/collections/places/items/{hidden}");
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, None).await;

    let token = app.token("reviewer").await;
    let (_, _, staff) = get(&app, "/ogc/collections/places/items", Some(&token)).await;
    assert_eq!(ids(&staff), [hidden, open]);
    let (status, _, feature) = get(&app, &path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(feature["properties"]["classification"], "internal");
}

#[tokio::test]
async fn a_class_collection_holds_the_records_of_its_class() {
    let app = spawn_app().await;
    let (village, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let mut town = xitang("西塘镇");
    town["properties"]["category"] = json!("214");
    let (_, _) = app.created_place("jiashan", &town).await;
    let (_, _, settlements) = get(&app, "/ogc/collections/places-24/items", None).await;
    assert_eq!(ids(&settlements), [village]);
    let (_, _, divisions) = get(&app, "/ogc/collections/places-21/items", None).await;
    assert_eq!(divisions["numberMatched"], 1);
    let path = format!("/ogc/collections/places-21/items/{village}");
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn bbox_selects_the_records_in_the_box_in_crs84_or_the_system_named() {
    let app = spawn_app().await;
    let (west, _) = app
        .created_place("jiashan", &at("西村", 120.89, 30.94))
        .await;
    let (east, _) = app.created_place("pinghu", &pinghu("东村")).await;
    let box_of = |query: &str| {
        let app = &app;
        let query = query.to_string();
        async move {
            let (status, _, body) =
                get(app, &format!("/ogc/collections/places/items?{query}"), None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            ids(&body)
        }
    };
    assert_eq!(box_of("bbox=120.8,30.9,120.95,31.0").await, [west]);
    assert_eq!(box_of("bbox=120.8,30.6,121.1,31.0").await, [west, east]);
    assert_eq!(box_of("bbox=100,20,101,21").await, Vec::<i64>::new());
    // With heights; and in CGCS2000, whose axis order is latitude first.
    assert_eq!(box_of("bbox=120.8,30.9,0,120.95,31.0,10").await, [west]);
    assert_eq!(
        box_of(&format!("bbox=30.9,120.8,31.0,120.95&bbox-crs={CGCS2000}")).await,
        [west]
    );
    // In Web Mercator metres: the box around 西村 only.
    let mercator = "http://www.opengis.net/def/crs/EPSG/0/3857";
    assert_eq!(
        box_of(&format!(
            "bbox=13456000,3621000,13460000,3625000&bbox-crs={mercator}"
        ))
        .await,
        [west]
    );
    assert_problem(
        app.get("/ogc/collections/places/items?bbox=121,30,120,31")
            .await,
        StatusCode::BAD_REQUEST,
        Some("bbox"),
    )
    .await;
    assert_problem(
        app.get("/ogc/collections/places/items?bbox=1,2,3,4&bbox-crs=EPSG:9999")
            .await,
        StatusCode::BAD_REQUEST,
        Some("bbox-crs"),
    )
    .await;
}

#[tokio::test]
async fn geometries_are_given_in_the_system_asked_for_in_its_axis_order() {
    let app = spawn_app().await;
    let (id, _) = app.created_place("jiashan", &at("西村", 120.9, 30.9)).await;
    let position = |system: &str| {
        let app = &app;
        let path = format!("/ogc/collections/places/items/{id}?crs={system}");
        let system = system.to_string();
        async move {
            let (status, headers, feature) = get(app, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{feature}");
            assert_eq!(headers["content-crs"], format!("<{system}>"));
            let c = &feature["geometry"]["coordinates"];
            (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
        }
    };
    assert_eq!(position(CRS84).await, (120.9, 30.9));
    assert_eq!(position(CGCS2000).await, (30.9, 120.9), "latitude first");
    assert_eq!(
        position("http://www.opengis.net/def/crs/EPSG/0/4326").await,
        (30.9, 120.9)
    );
    // Zone 40 with its prefix: northing (X) first, as EPSG:4528 defines it (PROJ's figures,
    // as the unit tests of the conversion check them).
    let (north, east) = position("http://www.opengis.net/def/crs/EPSG/0/4528").await;
    assert!((north - 3_420_234.530_1).abs() < 0.001, "{north}");
    assert!((east - 40_586_045.085_7).abs() < 0.001, "{east}");
    // Web Mercator is east first; its formula on the sphere of radius a.
    let (x, y) = position("http://www.opengis.net/def/crs/EPSG/0/3857").await;
    let a = 6_378_137.0_f64;
    let expected_y = a
        * (std::f64::consts::FRAC_PI_4 + 30.9_f64.to_radians() / 2.0)
            .tan()
            .ln();
    assert!((x - a * 120.9_f64.to_radians()).abs() < 0.01, "{x}");
    assert!((y - expected_y).abs() < 0.01, "{y}");
    // A page too.
    let (_, headers, page) = get(
        &app,
        &format!("/ogc/collections/places/items?crs={CGCS2000}"),
        None,
    )
    .await;
    assert_eq!(headers["content-crs"], format!("<{CGCS2000}>"));
    assert_eq!(
        page["features"][0]["geometry"]["coordinates"],
        json!([30.9, 120.9])
    );
    assert_problem(
        app.get("/ogc/collections/places/items?crs=http://www.opengis.net/def/crs/EPSG/0/2416")
            .await,
        StatusCode::BAD_REQUEST,
        Some("crs"),
    )
    .await;
}

#[tokio::test]
async fn datetime_selects_the_records_whose_name_was_in_use() {
    let app = spawn_app().await;
    let mut old = xitang("老街村");
    old["change"] = json!({ "effective_on": "2010-01-01" });
    let (retired, etag) = app.created_place("jiashan", &old).await;
    let token = app.token("jiashan").await;
    let response = app
        .retire(
            Some(&token),
            retired,
            &etag,
            &json!({ "comment": "撤并", "abolished_on": "2015-06-30" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut new = xitang("新街村");
    new["change"] = json!({ "effective_on": "2016-01-01" });
    let (current, _) = app.created_place("jiashan", &new).await;
    let during = |datetime: &str| {
        let app = &app;
        let path = format!("/ogc/collections/places/items?datetime={datetime}");
        async move {
            let (status, _, body) = get(app, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };
    assert_eq!(ids(&during("2009-12-31").await), Vec::<i64>::new());
    assert_eq!(ids(&during("2012-05-01").await), [retired]);
    assert_eq!(
        ids(&during("2015-07-01").await),
        Vec::<i64>::new(),
        "out of use"
    );
    assert_eq!(
        ids(&during("2014-01-01/2016-12-31").await),
        [retired, current]
    );
    assert_eq!(ids(&during("2015-07-01/..").await), [current]);
    assert_eq!(ids(&during("../2011-01-01").await), [retired]);
    // A record is given as it stood at the end of the time asked about.
    let body = during("2014-01-01/2016-12-31").await;
    assert_eq!(body["features"][0]["properties"]["status"], "historical");
    assert_eq!(
        during("2012-05-01").await["features"][0]["properties"]["status"],
        "current"
    );
    // Without datetime every record is there, in use or not.
    assert_eq!(ids(&during("../..").await), [retired, current]);
    let (_, _, all) = get(&app, "/ogc/collections/places/items", None).await;
    assert_eq!(ids(&all), [retired, current]);
    assert_problem(
        app.get("/ogc/collections/places/items?datetime=2020-01-01/2019-01-01")
            .await,
        StatusCode::BAD_REQUEST,
        Some("datetime"),
    )
    .await;
    // Divisions are read as of one day.
    let (status, _, _) = get(
        &app,
        "/ogc/collections/divisions/items?datetime=2020-01-01",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(
        app.get("/ogc/collections/divisions/items?datetime=2019-01-01/2020-01-01")
            .await,
        StatusCode::BAD_REQUEST,
        Some("datetime"),
    )
    .await;
}

#[tokio::test]
async fn a_feature_has_the_etag_of_its_version_and_a_page_for_people() {
    let app = spawn_app().await;
    let (id, etag) = app.created_place("jiashan", &xitang("塘东村")).await;
    let (status, headers, feature) =
        get(&app, &format!("/ogc/collections/places/items/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"].to_str().unwrap(), etag);
    assert_eq!(feature["id"], id);
    assert_eq!(feature["properties"]["standard_name"], "塘东村");
    assert_eq!(
        feature["version"]["version"], 1,
        "the Feature the places API gives"
    );

    let page = app
        .client
        .get(app.url(&format!("/ogc/collections/places/items/{id}")))
        .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("塘东村") && !html.contains("<script"));
    let html = app
        .get("/ogc/collections/places/items?f=html")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<table") && html.contains("塘东村"));
    let html = app
        .get("/ogc/collections?f=html")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("地名") && html.contains("/ogc/collections/places/items?f=html"));
    let (status, _, _) = get(&app, "/ogc/collections/places/items/999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn options(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let mut request = app.client.request(reqwest::Method::OPTIONS, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.headers()["allow"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn records_are_edited_as_qgis_does_it_with_if_match_and_retired_by_delete() {
    let app = spawn_app().await;
    let items = "/ogc/collections/places/items";
    let jiashan = app.token("jiashan").await;
    let pinghu_editor = app.token("pinghu").await;
    let reviewer = app.token("reviewer").await;

    // What each caller may do.
    assert_eq!(options(&app, items, None).await, "GET, HEAD, OPTIONS");
    assert_eq!(
        options(&app, items, Some(&reviewer)).await,
        "GET, HEAD, OPTIONS"
    );
    assert_eq!(
        options(&app, items, Some(&jiashan)).await,
        "GET, HEAD, OPTIONS, POST"
    );
    assert_eq!(
        options(&app, "/ogc/collections/divisions/items", Some(&jiashan)).await,
        "GET, HEAD, OPTIONS"
    );

    // POST a feature as QGIS sends it: every attribute, unset ones as null.
    let mut feature = xitang("塘东村");
    feature["properties"]["history"] = Value::Null;
    feature["properties"]["alternate_names"] = Value::Null;
    let anonymous = app
        .client
        .post(app.url(items))
        .json(&feature)
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, None).await;
    let created = app
        .client
        .post(app.url(items))
        .bearer_auth(&jiashan)
        .header("Content-Type", "application/geo+json")
        .body(feature.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let etag = created.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = created.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, app.url(&format!("{items}/{id}")));
    let item = format!("{items}/{id}");
    assert_eq!(options(&app, &item, None).await, "GET, HEAD, OPTIONS");
    assert_eq!(
        options(&app, &item, Some(&jiashan)).await,
        "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"
    );
    assert_eq!(
        options(&app, &item, Some(&pinghu_editor)).await,
        "GET, HEAD, OPTIONS",
        "outside the editor's jurisdiction"
    );

    // PATCH one property with If-Match; the others stay.
    let patch = |tag: Option<&str>, body: Value| {
        let mut request = app
            .client
            .patch(app.url(&item))
            .bearer_auth(&jiashan)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    let patched = patch(
        Some(&etag),
        json!({ "properties": { "meaning": "塘之东" } }),
    )
    .await
    .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let new_etag = patched.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = patched.json().await.unwrap();
    assert_eq!(body["properties"]["meaning"], "塘之东");
    assert_eq!(body["properties"]["standard_name"], "塘东村");
    assert_eq!(body["properties"]["version"], 2);
    assert_eq!(body["geometry"]["coordinates"], json!([120.8906, 30.9447]));
    let (_, history) = app
        .get_json(&format!("/api/v1/places/{id}/history"), Some(&jiashan))
        .await;
    assert!(
        history["versions"][1]["comment"]
            .as_str()
            .unwrap()
            .contains("OGC API")
    );

    // The old tag is stale; no tag at all is refused before anything is judged.
    let stale = patch(Some(&etag), json!({ "properties": { "meaning": "旧" } }))
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED, None).await;
    let untagged = patch(None, json!({ "properties": { "meaning": "旧" } }))
        .await
        .unwrap();
    assert_problem(untagged, StatusCode::PRECONDITION_REQUIRED, None).await;
    let unknown = patch(
        Some(&new_etag),
        json!({ "properties": { "colour": "red" } }),
    )
    .await
    .unwrap();
    assert_problem(unknown, StatusCode::BAD_REQUEST, None).await;
    // Outside the jurisdiction: the place use case refuses.
    let foreign = app
        .client
        .patch(app.url(&item))
        .bearer_auth(&pinghu_editor)
        .header("If-Match", &new_etag)
        .json(&json!({ "properties": { "meaning": "x" } }))
        .send()
        .await
        .unwrap();
    assert_problem(foreign, StatusCode::FORBIDDEN, None).await;

    // PUT replaces the record; the geometry may come in another system (Content-Crs).
    let mut replacement = xitang("塘东新村");
    replacement["geometry"]["coordinates"] = json!([30.9447, 120.8906]);
    let replaced = app
        .client
        .put(app.url(&item))
        .bearer_auth(&jiashan)
        .header("If-Match", &new_etag)
        .header("Content-Crs", format!("<{CGCS2000}>"))
        .json(&replacement)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let last_etag = replaced.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = replaced.json().await.unwrap();
    assert_eq!(body["properties"]["standard_name"], "塘东新村");
    assert_eq!(body["geometry"]["coordinates"], json!([120.8906, 30.9447]));
    assert!(
        body["properties"]["meaning"]
            .as_str()
            .unwrap()
            .contains("西塘"),
        "replaced whole"
    );

    // DELETE retires: the record stays, historical.
    let delete = |tag: &str| {
        app.client
            .delete(app.url(&item))
            .bearer_auth(&jiashan)
            .header("If-Match", tag)
            .send()
    };
    assert_problem(
        delete(&etag).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
        None,
    )
    .await;
    let retired = delete(&last_etag).await.unwrap();
    assert_eq!(retired.status(), StatusCode::OK);
    let (status, _, feature) = get(&app, &item, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(feature["properties"]["status"], "historical");
    assert_eq!(feature["version"]["action"], "retired");
    let anonymous = app
        .client
        .delete(app.url(&item))
        .header("If-Match", "\"p1.v4\"")
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, None).await;
    // Other collections take no writes.
    let divisions = app
        .client
        .post(app.url("/ogc/collections/divisions/items"))
        .bearer_auth(&jiashan)
        .json(&xitang("x"))
        .send()
        .await
        .unwrap();
    assert_problem(divisions, StatusCode::METHOD_NOT_ALLOWED, None).await;
}

async fn demo_app() -> TestApp {
    spawn_app_with(|settings| settings.demo = true).await
}

#[tokio::test]
async fn divisions_lines_markers_and_signs_are_features_too() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    // A division with its own record's polygon, chosen by the box it overlaps.
    let (_, _, divisions) = get(
        &app,
        "/ogc/collections/divisions/items?bbox=120.85,30.9,120.9,30.95&limit=100",
        None,
    )
    .await;
    let jiashan = divisions["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "330421")
        .expect("嘉善县 overlaps the box");
    assert_eq!(jiashan["properties"]["name"], "嘉善县");
    assert!(
        jiashan["geometry"]["type"]
            .as_str()
            .unwrap()
            .contains("Polygon")
    );
    let (status, headers, one) = get(&app, "/ogc/collections/divisions/items/330421", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["etag"].to_str().unwrap().starts_with("W/"));
    assert_eq!(one["properties"]["level"], "county");

    // A recorded line and a marker on it, for staff of either side.
    let recorded = app
        .client
        .post(app.url("/api/v1/boundary-lines"))
        .bearer_auth(&admin)
        .json(&json!({ "between": ["330421", "330482"], "comment": "联检" }))
        .send()
        .await
        .unwrap();
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let line: Value = recorded.json().await.unwrap();
    let point = &line["geometry"]["coordinates"][0][0];
    let marker = app
        .client
        .post(app.url("/api/v1/markers"))
        .bearer_auth(&admin)
        .json(&json!({ "marker_number": "330421330482001Q", "x": point[0], "y": point[1] }))
        .send()
        .await
        .unwrap();
    assert_eq!(marker.status(), StatusCode::CREATED);
    let pinghu = app.token("pinghu").await;
    let (_, _, lines) = get(&app, "/ogc/collections/boundary-lines/items", Some(&pinghu)).await;
    assert_eq!(lines["numberMatched"], 1);
    assert_eq!(lines["features"][0]["id"], "330421330482");
    assert_eq!(lines["features"][0]["geometry"]["type"], "MultiLineString");
    let (_, headers, _) = get(
        &app,
        "/ogc/collections/boundary-lines/items/330421330482",
        Some(&pinghu),
    )
    .await;
    assert_eq!(
        headers["etag"], "\"b1.v1\"",
        "the tag the boundary-lines API takes"
    );
    let (_, _, markers) = get(&app, "/ogc/collections/markers/items", Some(&pinghu)).await;
    assert_eq!(markers["features"][0]["id"], "330421330482001Q");
    assert_eq!(markers["features"][0]["geometry"]["coordinates"], *point);
    assert_problem(
        app.get("/ogc/collections/boundary-lines/items").await,
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;

    // Signs: the public sees what a sign's public page shows, staff the inventory record.
    let (_, _, public) = get(&app, "/ogc/collections/signs/items?limit=1", None).await;
    assert!(public["numberMatched"].as_i64().unwrap() > 0);
    let sign = &public["features"][0];
    assert!(sign["properties"]["url"].as_str().unwrap().contains("/s/"));
    assert!(sign["properties"].get("sign_number").is_none());
    let (_, _, staff) = get(&app, "/ogc/collections/signs/items?limit=1", Some(&admin)).await;
    assert!(staff["features"][0]["properties"]["sign_number"].is_string());
}

/// Runs a program to its end, off the runtime that serves its requests, and gives its output.
async fn run(program: &str, args: Vec<String>, env: Vec<(&'static str, String)>) -> String {
    let program = program.to_string();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&program)
            .args(&args)
            .envs(env)
            .output()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs a GDAL command line tool (Debian's gdal-bin, installed by .ci/setup).
async fn gdal(program: &'static str, args: Vec<String>) -> String {
    run(program, args, Vec::new()).await
}

/// The features of a GeoPackage layer as GeoJSON, read back by GDAL.
async fn gpkg_features(path: &std::path::Path, layer: &str) -> Vec<Value> {
    let text = gdal(
        "ogr2ogr",
        vec![
            "-f".into(),
            "GeoJSON".into(),
            "/vsistdout/".into(),
            path.display().to_string(),
            layer.into(),
        ],
    )
    .await;
    let collection: Value = serde_json::from_str(&text).unwrap();
    collection["features"].as_array().unwrap().clone()
}

#[tokio::test]
async fn gdal_lists_the_collections_and_copies_every_visible_record() {
    let app = demo_app().await;
    let mut internal = xitang("内部地名");
    internal["properties"]["classification"] = json!("internal");
    app.created_place("jiashan", &internal).await;
    let (_, _, visible) = get(&app, "/api/v1/places?limit=1", None).await;
    let visible = visible["numberMatched"].as_i64().unwrap();
    assert!(visible > 1000, "{visible}");

    let endpoint = format!("OAPIF:{}", app.url("/ogc"));
    let listing = gdal(
        "ogrinfo",
        vec!["-ro".into(), "-so".into(), endpoint.clone()],
    )
    .await;
    // "1: places (Multi Polygon)"
    let layers: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.split_once(": "))
        .filter(|(number, _)| number.parse::<u32>().is_ok())
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .collect();
    assert_eq!(layers.len(), 1 + 12 + 2, "{listing}");
    for layer in ["places", "places-24", "divisions", "signs"] {
        assert!(layers.contains(&layer), "{layer} in {listing}");
    }
    let summary = gdal(
        "ogrinfo",
        vec![
            "-ro".into(),
            "-so".into(),
            endpoint.clone(),
            "places".into(),
        ],
    )
    .await;
    assert!(
        summary.contains(&format!("Feature Count: {visible}")),
        "{summary}"
    );

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("places.gpkg");
    gdal(
        "ogr2ogr",
        vec![
            "-f".into(),
            "GPKG".into(),
            copy.display().to_string(),
            endpoint,
            "places".into(),
            "-oo".into(),
            "PAGE_SIZE=500".into(),
        ],
    )
    .await;
    let copied = gpkg_features(&copy, "places").await;
    assert_eq!(
        copied.len() as i64,
        visible,
        "every visible record, the internal one not"
    );
    let names: Vec<&str> = copied
        .iter()
        .filter_map(|f| f["properties"]["standard_name"].as_str())
        .collect();
    assert!(names.contains(&"嘉善县") && !names.contains(&"内部地名"));

    // Once more in CGCS2000 (EPSG:4490, latitude first). GDAL 3.6's OAPIF driver has no CRS
    // option yet (it came in 3.7); it sends the query of the URL it is given with every
    // request, which is how its users ask for a crs.
    let (_, _, first) = get(&app, "/ogc/collections/places/items?limit=1", None).await;
    let first_code = first["features"][0]["properties"]["code"].clone();
    let in_4490 = dir.path().join("places-4490.gpkg");
    gdal(
        "ogr2ogr",
        vec![
            "-f".into(),
            "GPKG".into(),
            in_4490.display().to_string(),
            format!("OAPIF:{}?crs={CGCS2000}", app.url("/ogc")),
            "places".into(),
            "-oo".into(),
            "PAGE_SIZE=500".into(),
        ],
    )
    .await;
    let copied_4490 = gpkg_features(&in_4490, "places").await;
    assert_eq!(copied_4490.len() as i64, visible);
    let by_code = |features: &[Value]| {
        features
            .iter()
            .find(|f| f["properties"]["code"] == first_code)
            .cloned()
            .unwrap()
    };
    let lon_lat = by_code(&copied)["geometry"]["coordinates"].clone();
    let lat_lon = by_code(&copied_4490)["geometry"]["coordinates"].clone();
    let first_position = |c: &Value| -> (f64, f64) {
        let mut c = c;
        while c[0].is_array() {
            c = &c[0];
        }
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    };
    let (lon, lat) = first_position(&lon_lat);
    let (a, b) = first_position(&lat_lon);
    assert!(
        (a - lat).abs() < 1e-9 && (b - lon).abs() < 1e-9,
        "{lon_lat} / {lat_lon}"
    );
}

/// The PyPI verifier `ogctests` (pinned in .ci/python-requirements.txt, installed into
/// target/pyenv by `.ci/setup --pyenv`): its Part 1 core classes on the landing page, the
/// conformance declaration, the API definition and the collections. `OGCTESTS_PYTHON` names
/// another Python with ogctests installed.
#[tokio::test]
async fn ogctests_passes_its_core_classes_on_the_landing_page_conformance_and_collections() {
    let python =
        std::env::var("OGCTESTS_PYTHON").unwrap_or_else(|_| crate::helpers::python_tool("python"));
    let app = demo_app().await;
    // `python -m ogctests` (0.1.15) finds no `http_client` fixture: its conftest.py lies above
    // the directory pytest takes as its root (features/core). pytest on the same files with the
    // package as the conftest boundary finds it.
    let script = "import os, sys, ogctests, pytest\n\
        package = os.path.dirname(ogctests.__file__)\n\
        files = [os.path.join(package, 'features', 'core', f) for f in sys.argv[1:]]\n\
        sys.exit(pytest.main(files + ['--confcutdir', package, '-p', 'no:cacheprovider', '-rA', '-q']))";
    let mut args = vec!["-c".to_string(), script.to_string()];
    for file in [
        "test_general.py",
        "test_crs.py",
        "test_landingpage.py",
        "test_apidefinition.py",
        "test_conformance.py",
        "test_collections.py",
        "test_collection.py",
        "test_errorconditions.py",
    ] {
        args.push(file.to_string());
    }
    let report = run(&python, args, vec![("INSTANCE_URL", app.url("/ogc"))]).await;
    println!("{report}");
    assert!(report.contains("14 passed"), "{report}");
}
