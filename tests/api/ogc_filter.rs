//! OGC API Features Part 3 at /ogc: CQL2 filters in text and JSON on the queryables each
//! collection declares, with paging, `crs` and `filter-crs`; the refusals naming the parameter
//! at fault; and a filter never showing more than the caller may see.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, pinghu, spawn_app, spawn_app_with, xitang};

const CGCS2000: &str = "http://www.opengis.net/def/crs/EPSG/0/4490";

fn at(name: &str, lon: f64, lat: f64) -> Value {
    let mut feature = xitang(name);
    feature["geometry"]["coordinates"] = json!([lon, lat]);
    feature
}

fn url(app: &TestApp, collection: &str, query: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(query).unwrap();
    app.url(&format!("/ogc/collections/{collection}/items?{query}"))
}

async fn items(
    app: &TestApp,
    collection: &str,
    query: &[(&str, &str)],
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app.client.get(url(app, collection, query));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ids(app: &TestApp, query: &[(&str, &str)]) -> Vec<i64> {
    let (status, body) = items(app, "places", query, None).await;
    assert_eq!(status, StatusCode::OK, "{query:?}: {body}");
    let mut found: Vec<i64> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    found.sort_unstable();
    found
}

async fn refused(app: &TestApp, collection: &str, query: &[(&str, &str)], field: &str) -> Value {
    let response = app
        .client
        .get(url(app, collection, query))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await
}

#[tokio::test]
async fn cql2_text_and_json_select_the_same_features_with_paging_and_systems() {
    let app = spawn_app().await;
    let (xicun, _) = app
        .created_place("jiashan", &at("西村", 120.89, 30.94))
        .await;
    let (xitangcun, _) = app
        .created_place("jiashan", &at("西塘村", 120.91, 30.95))
        .await;
    let (dongcun, _) = app.created_place("pinghu", &pinghu("东村")).await;

    assert_eq!(
        ids(&app, &[("filter", "standard_name LIKE '西%'")]).await,
        [xicun, xitangcun]
    );
    let json_filter =
        json!({ "op": "like", "args": [{ "property": "standard_name" }, "西%"] }).to_string();
    assert_eq!(
        ids(
            &app,
            &[("filter", &json_filter), ("filter-lang", "cql2-json")]
        )
        .await,
        [xicun, xitangcun]
    );
    assert_eq!(
        ids(&app, &[("filter", "standard_name IN ('西村', '东村')")]).await,
        [xicun, dongcun]
    );
    assert_eq!(
        ids(
            &app,
            &[(
                "filter",
                "S_INTERSECTS(geometry, BBOX(120.8, 30.9, 120.9, 31.0)) OR standard_name = '东村'"
            )]
        )
        .await,
        [xicun, dongcun]
    );
    assert_eq!(
        ids(
            &app,
            &[("filter", "NOT (standard_name LIKE '%村') OR version > 1")]
        )
        .await,
        Vec::<i64>::new()
    );
    // A filter and a bbox together: both hold.
    assert_eq!(
        ids(
            &app,
            &[
                ("filter", "standard_name LIKE '%村'"),
                ("bbox", "120.8,30.9,120.95,31.0")
            ]
        )
        .await,
        [xicun, xitangcun]
    );
    // The filter's geometry in CGCS2000, latitude first.
    assert_eq!(
        ids(
            &app,
            &[
                (
                    "filter",
                    "S_INTERSECTS(geometry, BBOX(30.9, 120.8, 31.0, 120.9))"
                ),
                ("filter-crs", CGCS2000)
            ]
        )
        .await,
        [xicun]
    );

    // Paging counts what the filter keeps, and the next link carries the filter.
    let (status, page) = items(
        &app,
        "places",
        &[("filter", "standard_name LIKE '%村'"), ("limit", "2")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["numberMatched"], 3);
    assert_eq!(page["numberReturned"], 2);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .expect("a next page");
    let next = next["href"].as_str().unwrap();
    assert!(next.contains("filter="), "{next}");
    let rest: Value = app
        .client
        .get(next)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["numberReturned"], 1);

    // Geometries in the system asked for: EPSG:4490 is latitude first.
    let (_, one) = items(
        &app,
        "places",
        &[("filter", "standard_name = '西村'"), ("crs", CGCS2000)],
        None,
    )
    .await;
    assert_eq!(
        one["features"][0]["geometry"]["coordinates"],
        json!([30.94, 120.89])
    );
}

#[tokio::test]
async fn a_bad_filter_is_refused_naming_the_parameter_and_what_to_change() {
    let app = spawn_app().await;
    let unknown = refused(&app, "places", &[("filter", "colour = 'red'")], "filter").await;
    assert!(
        unknown.to_string().contains("standard_name"),
        "the queryables are listed: {unknown}"
    );
    refused(
        &app,
        "places",
        &[("filter", "standard_name LIKE")],
        "filter",
    )
    .await;
    refused(&app, "places", &[("filter", "version = 'two'")], "filter").await;
    refused(
        &app,
        "places",
        &[("filter", "S_CROSSES(geometry, POINT(120 30))")],
        "filter",
    )
    .await;
    refused(
        &app,
        "places",
        &[("filter", "{\"op\":"), ("filter-lang", "cql2-json")],
        "filter",
    )
    .await;
    refused(&app, "places", &[("filter", " ")], "filter").await;
    refused(
        &app,
        "places",
        &[("filter", "version = 1"), ("filter-lang", "ecql")],
        "filter-lang",
    )
    .await;
    refused(
        &app,
        "places",
        &[
            ("filter", "version = 1"),
            ("filter-crs", "http://www.opengis.net/def/crs/EPSG/0/3857"),
        ],
        "filter-crs",
    )
    .await;
    refused(&app, "places", &[("filter-lang", "cql2-text")], "filter").await;
}

#[tokio::test]
async fn the_queryables_are_declared_and_the_public_filters_signs_only_by_what_it_may_see() {
    let app = spawn_app_with(|settings| settings.demo = true).await;
    let (status, queryables) = {
        let response = app.get("/ogc/collections/places/queryables").await;
        let status = response.status();
        (status, response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    for name in [
        "standard_name",
        "category",
        "status",
        "named_on",
        "geometry",
    ] {
        assert!(
            queryables["properties"][name].is_object(),
            "{name} in {queryables}"
        );
    }
    assert_eq!(queryables["properties"]["named_on"]["format"], "date");
    let (_, collection) = {
        let response = app.get("/ogc/collections/places").await;
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert!(
        collection["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"),
        "{collection}"
    );
    let conformance: Value = app.get("/ogc/conformance").await.json().await.unwrap();
    let classes = conformance["conformsTo"].to_string();
    assert!(
        classes.contains("ogcapi-features-3/1.0/conf/filter")
            && classes.contains("cql2/1.0/conf/cql2-text"),
        "{classes}"
    );

    // Signs: the public's queryables are what the public page shows; staff have more.
    let public_signs: Value = app
        .get("/ogc/collections/signs/queryables")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        public_signs["properties"]["division_code"].is_null(),
        "{public_signs}"
    );
    refused(
        &app,
        "signs",
        &[("filter", "division_code = '330421'")],
        "filter",
    )
    .await;
    let admin = app.token("admin").await;
    let (status, staff) = items(
        &app,
        "signs",
        &[("filter", "division_code = '330421'"), ("limit", "1000")],
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{staff}");
    let everywhere: i64 = items(&app, "signs", &[("limit", "1")], Some(&admin))
        .await
        .1["numberMatched"]
        .as_i64()
        .unwrap();
    let matched = staff["numberMatched"].as_i64().unwrap();
    assert!(
        matched > 0 && matched < everywhere,
        "{matched} of {everywhere}"
    );
    assert!(
        staff["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["division_code"] == "330421")
    );

    // A filter never widens what the caller sees: every record the public passes is one it
    // sees without a filter.
    let (_, all) = items(&app, "places", &[("limit", "10000")], None).await;
    let (_, filtered) = items(
        &app,
        "places",
        &[
            ("filter", "code LIKE '%' OR code IS NULL"),
            ("limit", "10000"),
        ],
        None,
    )
    .await;
    assert_eq!(all["numberMatched"], filtered["numberMatched"]);
    let (_, drafts) = items(
        &app,
        "places",
        &[("filter", "status = 'proposed'"), ("limit", "10000")],
        None,
    )
    .await;
    assert!(
        drafts["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["status"] == "proposed")
    );
}
