//! The address register (门牌): versions and If-Match, as-of reads, the checks of an address
//! against its road, authorisation by jurisdiction and by the roles the numbering rule names,
//! number proposals for a door and for a whole road.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with, xitang};

/// 塘东路, an east–west road of 西塘镇 drawn from west to east (about 955 m): numbered from its
/// eastern end, odd numbers on the north side.
pub(crate) fn road(name: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": [[120.888, 30.944], [120.898, 30.944]] },
        "properties": {
            "standard_name": name,
            "category": "2532",
            "division_codes": ["330421101"],
            "romanization": "Tangdong Lu"
        }
    })
}

/// A point `metres_from_east` along the road from its eastern end, 11 m north (or south).
pub(crate) fn door(metres_from_east: f64, north: bool) -> [f64; 2] {
    let lon = 120.898 - metres_from_east / (111_195.0 * 30.944_f64.to_radians().cos());
    [lon, if north { 30.9441 } else { 30.9439 }]
}

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put(
    app: &TestApp,
    token: &str,
    path: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.client.put(app.url(path)).bearer_auth(token).json(body);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

/// Registers an address as `token`, asserting 201; answers (body, ETag).
pub(crate) async fn registered(app: &TestApp, token: &str, body: &Value) -> (Value, String) {
    let response = post(app, token, "/api/v1/addresses", body).await;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|t| t.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body, etag)
}

async fn count(app: &TestApp) -> i64 {
    app.store.address_count().await.unwrap()
}

#[tokio::test]
async fn a_door_is_registered_changed_and_read_as_it_stood() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;

    let (created, etag) = registered(
        &app,
        &token,
        &json!({
            "road_id": road_id, "number": 1, "point": door(20.0, true),
            "change": { "comment": "新建住宅", "effective_on": "2025-03-01" }
        }),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["standard_address"], "嘉善县西塘镇塘东路1号");
    assert_eq!(created["status"], "proposed");
    assert_eq!(created["plate"], "门牌");
    assert_eq!(created["placement"]["side"], "right");
    assert!((created["placement"]["distance_m"].as_f64().unwrap() - 20.0).abs() < 1.0);
    assert_eq!(etag, format!("\"a{id}.v1\""));

    let assigned = put(
        &app,
        &token,
        &format!("/api/v1/addresses/{id}"),
        Some(&etag),
        &json!({
            "road_id": road_id, "number": 1, "point": door(20.0, true), "status": "assigned",
            "change": { "comment": "编号已审定" }
        }),
    )
    .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let new_tag = assigned.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(new_tag, format!("\"a{id}.v2\""));

    let (_, history) = app
        .get_json(&format!("/api/v1/addresses/{id}/history"), Some(&token))
        .await;
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["comment"], "编号已审定");
    let (status, then) = app
        .get_json(
            &format!("/api/v1/addresses/{id}?as_of=2025-06-01"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(then["status"], "proposed");
    let (status, _) = app
        .get_json(
            &format!("/api/v1/addresses/{id}?as_of=2025-01-01"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, now) = app
        .get_json(&format!("/api/v1/addresses/{id}"), Some(&token))
        .await;
    assert_eq!(now["status"], "assigned");

    // A building, a unit and a flat under the door.
    for body in [
        json!({ "road_id": road_id, "number": 1, "building": "3" }),
        json!({ "road_id": road_id, "number": 1, "building": "3", "unit": "2" }),
        json!({ "road_id": road_id, "number": 1, "building": "3", "unit": "2", "flat": "401" }),
    ] {
        registered(&app, &token, &body).await;
    }
    let (_, list) = app
        .get_json(
            &format!("/api/v1/addresses?road_id={road_id}"),
            Some(&token),
        )
        .await;
    let written: Vec<&str> = list["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["standard_address"].as_str().unwrap())
        .collect();
    assert_eq!(
        written,
        [
            "嘉善县西塘镇塘东路1号",
            "嘉善县西塘镇塘东路1号3幢",
            "嘉善县西塘镇塘东路1号3幢2单元",
            "嘉善县西塘镇塘东路1号3幢2单元401室"
        ]
    );

    // Retired, the number is free again.
    let retired = app
        .client
        .post(app.url(&format!("/api/v1/addresses/{id}/retire")))
        .bearer_auth(&token)
        .header("If-Match", &new_tag)
        .json(&json!({ "comment": "房屋拆除" }))
        .send()
        .await
        .unwrap();
    assert_eq!(retired.status(), StatusCode::OK);
    registered(
        &app,
        &token,
        &json!({ "road_id": road_id, "number": 1, "point": door(25.0, true) }),
    )
    .await;
}

#[tokio::test]
async fn each_bad_address_is_refused_by_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    registered(
        &app,
        &token,
        &json!({ "road_id": road_id, "number": 1, "point": door(20.0, true) }),
    )
    .await;
    let mut memorial = road("西塘纪念碑");
    memorial["properties"]["category"] = json!("271");
    memorial["geometry"] = json!({ "type": "Point", "coordinates": [120.89, 30.944] });
    let (memorial_id, _) = app.created_place("jiashan", &memorial).await;
    let (old_road, old_tag) = app.created_place("jiashan", &road("旧塘路")).await;
    let retired = app
        .retire(
            Some(&token),
            old_road,
            &old_tag,
            &json!({ "comment": "道路撤销" }),
        )
        .await;
    assert_eq!(retired.status(), StatusCode::OK);
    let before = count(&app).await;

    let cases = [
        // An even number on the north side (odd numbers there).
        (
            json!({ "road_id": road_id, "number": 2, "point": door(40.0, true) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "number",
        ),
        // Number 1 is taken.
        (
            json!({ "road_id": road_id, "number": 1, "point": door(60.0, true) }),
            StatusCode::CONFLICT,
            "number",
        ),
        // 650 m north of the road.
        (
            json!({ "road_id": road_id, "number": 3, "point": [120.897, 30.95] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "point",
        ),
        // Not a road.
        (
            json!({ "road_id": memorial_id, "number": 3, "point": door(40.0, true) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "road_id",
        ),
        // A road no longer in use.
        (
            json!({ "road_id": old_road, "number": 3, "point": door(40.0, true) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "road_id",
        ),
        // No such place at all.
        (
            json!({ "road_id": 999_999, "number": 3, "point": door(40.0, true) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "road_id",
        ),
        // A flat under building 3, which is not registered.
        (
            json!({ "road_id": road_id, "number": 1, "building": "3", "flat": "401" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "building",
        ),
        // A building under door 5, which is not registered.
        (
            json!({ "road_id": road_id, "number": 5, "building": "1" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "number",
        ),
        // A door without its point.
        (
            json!({ "road_id": road_id, "number": 3 }),
            StatusCode::BAD_REQUEST,
            "point",
        ),
        // A unit without its building.
        (
            json!({ "road_id": road_id, "number": 1, "unit": "2" }),
            StatusCode::BAD_REQUEST,
            "building",
        ),
        // Number 0.
        (
            json!({ "road_id": road_id, "number": 0, "point": door(40.0, true) }),
            StatusCode::BAD_REQUEST,
            "number",
        ),
    ];
    for (body, status, field) in cases {
        let response = post(&app, &token, "/api/v1/addresses", &body).await;
        assert_problem(response, status, Some(field)).await;
    }
    assert_eq!(count(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn writes_are_authorised_by_role_jurisdiction_and_version() {
    let app = spawn_app().await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let body = json!({ "road_id": road_id, "number": 1, "point": door(20.0, true) });
    for name in ["reviewer", "pinghu"] {
        let token = app.token(name).await;
        let response = post(&app, &token, "/api/v1/addresses", &body).await;
        assert_problem(response, StatusCode::FORBIDDEN, None).await;
    }
    let anonymous = app
        .client
        .post(app.url("/api/v1/addresses"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(count(&app).await, 0);

    let token = app.token("jiashan").await;
    let (created, etag) = registered(&app, &token, &body).await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/addresses/{id}");
    let change = json!({
        "road_id": road_id, "number": 1, "point": door(21.0, true), "status": "assigned",
        "change": { "comment": "点位校正" }
    });
    let ok = put(&app, &token, &path, Some(&etag), &change).await;
    assert_eq!(ok.status(), StatusCode::OK);
    // The first tag is stale now; without a tag the edit is refused before it is read.
    let stale = put(&app, &token, &path, Some(&etag), &change).await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED, None).await;
    let untagged = put(&app, &token, &path, None, &change).await;
    assert_eq!(untagged.status(), StatusCode::PRECONDITION_REQUIRED);
    let pinghu = app.token("pinghu").await;
    let other = put(
        &app,
        &pinghu,
        &path,
        Some(&format!("\"a{id}.v2\"")),
        &change,
    )
    .await;
    assert_problem(other, StatusCode::FORBIDDEN, None).await;

    // 嘉善县's rule gives numbering to administrators only: the county's editor is refused.
    let admin = app.token("admin").await;
    let rules = put(
        &app,
        &admin,
        "/api/v1/addresses/rules/330421",
        None,
        &json!({ "assigning_roles": ["admin"] }),
    )
    .await;
    assert_eq!(rules.status(), StatusCode::OK);
    let refused = post(
        &app,
        &token,
        "/api/v1/addresses",
        &json!({ "road_id": road_id, "number": 3, "point": door(40.0, true) }),
    )
    .await;
    let problem = assert_problem(refused, StatusCode::FORBIDDEN, None).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("does not assign house numbers")
    );
    let not_admin = put(
        &app,
        &token,
        "/api/v1/addresses/rules/330421",
        None,
        &json!({}),
    )
    .await;
    assert_problem(not_admin, StatusCode::FORBIDDEN, None).await;
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn a_door_between_two_numbers_is_proposed_a_suffix() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    for (number, metres) in [(1, 20.0), (3, 40.0)] {
        registered(
            &app,
            &token,
            &json!({ "road_id": road_id, "number": number, "point": door(metres, true) }),
        )
        .await;
    }
    let between = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(30.0, true) }),
    )
    .await;
    assert_eq!(between.status(), StatusCode::OK);
    let between: Value = between.json().await.unwrap();
    assert_eq!(between["written"], "1-1号");
    assert_eq!(between["standard_address"], "嘉善县西塘镇塘东路1-1号");
    assert_eq!(between["after"]["number"]["number"], 1);
    assert_eq!(between["before"]["number"]["number"], 3);
    assert!(between["reason"].as_str().unwrap().contains("suffix"));
    let south: Value = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(30.0, false) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(south["written"], "2号");
    assert_eq!(south["placement"]["side"], "left");

    // 之 style and distance numbering set for the county: 30 m at 10 m a pair is the 4th pair.
    let admin = app.token("admin").await;
    put(
        &app,
        &admin,
        "/api/v1/addresses/rules/330421",
        None,
        &json!({ "scheme": { "kind": "distance", "metres_per_pair": 10 }, "suffix_style": "zhi" }),
    )
    .await;
    let by_distance: Value = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(45.0, false) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(by_distance["written"], "10号", "{by_distance}");
    let far = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": [120.897, 30.95] }),
    )
    .await;
    assert_problem(far, StatusCode::UNPROCESSABLE_ENTITY, Some("point")).await;
}

#[tokio::test]
async fn a_new_road_is_numbered_at_once() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    let doors: Vec<[f64; 2]> = (0..10)
        .flat_map(|k| {
            let m = 15.0 + 30.0 * f64::from(k);
            [door(m, true), door(m, false)]
        })
        .collect();
    let path = format!("/api/v1/addresses/roads/{road_id}/numbering");
    let preview = post(&app, &token, &path, &json!({ "doors": doors })).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.unwrap();
    let written: Vec<&str> = preview["doors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["written"].as_str().unwrap())
        .collect();
    assert_eq!(written[..4], ["1号", "2号", "3号", "4号"]);
    assert_eq!(written[18..], ["19号", "20号"]);
    assert_eq!(count(&app).await, 0, "a preview stores nothing");

    let stored = post(
        &app,
        &token,
        &path,
        &json!({ "doors": doors, "register": true }),
    )
    .await;
    assert_eq!(stored.status(), StatusCode::CREATED);
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["registered"].as_array().unwrap().len(), 20);
    assert_eq!(count(&app).await, 20);
    // Numbered once: a second numbering is refused, new doors go between their neighbours.
    let again = post(&app, &token, &path, &json!({ "doors": doors })).await;
    assert_problem(again, StatusCode::CONFLICT, None).await;

    // Turning the road (numbered from its western end now) changes the side of each door.
    let settings = put(
        &app,
        &token,
        &format!("/api/v1/addresses/roads/{road_id}"),
        None,
        &json!({ "start": [120.888, 30.944] }),
    )
    .await;
    assert_eq!(settings.status(), StatusCode::OK);
    let turned: Value = post(
        &app,
        &token,
        "/api/v1/addresses/proposals",
        &json!({ "road_id": road_id, "point": door(900.0, false) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(turned["placement"]["side"], "right", "{turned}");
    // A village (a residential area) has buildings, not doors along it.
    let (village, _) = app.created_place("jiashan", &xitang("塘东村")).await;
    let refused = post(
        &app,
        &token,
        &format!("/api/v1/addresses/roads/{village}/numbering"),
        &json!({ "doors": doors }),
    )
    .await;
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, Some("road_id")).await;
}

/// The written forms of one demo address: the standard form, with the province and prefecture,
/// without the county, short division names, full-width digits, spaces, typos in the division
/// part, and the variants of the number and building.
fn written_forms(road: &str, number: Option<(u64, Option<u64>)>, rest: &Rest) -> Vec<String> {
    let full_width = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                '-' => '－',
                _ => c,
            })
            .collect()
    };
    let zh = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let numbers: Vec<String> = match number {
        None => vec![String::new()],
        // Without 号 only when nothing follows: 15 3栋 would read as 153栋.
        Some((n, None)) if rest.building.is_none() => vec![format!("{n}号"), format!("{n}")],
        Some((n, None)) => vec![format!("{n}号")],
        Some((n, Some(s))) => vec![
            format!("{n}-{s}号"),
            format!("{n}之{}号", zh[s as usize]),
            format!("{n}号之{}", zh[s as usize]),
            format!("{n}之{s}号"),
            format!("{n}—{s}号"),
        ],
    };
    let buildings: Vec<String> = match &rest.building {
        None => vec![String::new()],
        Some(b) => vec![
            format!("{b}幢"),
            format!("{b}栋"),
            format!("{b}号楼"),
            format!("{b}#"),
        ],
    };
    let tail = format!(
        "{}{}",
        rest.unit
            .as_ref()
            .map(|u| format!("{u}单元"))
            .unwrap_or_default(),
        rest.flat
            .as_ref()
            .map(|f| format!("{f}室"))
            .unwrap_or_default()
    );
    let divisions = [
        "嘉善县罗星街道",
        "浙江省嘉兴市嘉善县罗星街道",
        "罗星街道",
        "嘉善罗星",
        "浙江嘉善县罗星街道",
        "嘉喜县罗星街道",
        "嘉善县罗兴街道",
        "浙江省嘉兴市嘉善县罗星",
    ];
    let mut forms = Vec::new();
    for (i, division) in divisions.iter().enumerate() {
        let number = &numbers[i % numbers.len()];
        let building = &buildings[i % buildings.len()];
        let text = format!("{division}{road}{number}{building}{tail}");
        forms.push(match i {
            3 => full_width(&text),
            4 => format!("{division} {road} {number}{building} {tail}"),
            _ => text,
        });
    }
    forms
}

struct Rest {
    building: Option<String>,
    unit: Option<String>,
    flat: Option<String>,
}

#[tokio::test]
async fn written_forms_of_the_demo_addresses_are_read_and_found() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_addresses = true;
    })
    .await;
    let token = app.token("admin").await;
    let (_, list) = app
        .get_json("/api/v1/addresses?status=assigned&limit=1000", Some(&token))
        .await;
    let addresses = list["addresses"].as_array().unwrap();
    assert!(addresses.len() >= 50, "{}", addresses.len());
    let suffixed: Vec<&Value> = addresses
        .iter()
        .filter(|a| a["number"]["suffix"].is_u64())
        .collect();
    assert_eq!(suffixed.len(), 1, "the demo's inserted door");
    assert_eq!(
        suffixed[0]["standard_address"],
        "嘉善县罗星街道亭桥路13-1号"
    );
    let mut names = std::collections::HashMap::new();
    let (mut tried, mut right) = (0usize, 0usize);
    let mut wrong = Vec::new();
    for address in addresses {
        let road_id = address["road_id"].as_i64().unwrap();
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(road_id) {
            let (_, road) = app
                .get_json(&format!("/api/v1/places/{road_id}"), None)
                .await;
            let name = road["properties"]["standard_name"].as_str().unwrap();
            slot.insert(name.to_string());
        }
        let number = address["number"]["number"]
            .as_u64()
            .map(|n| (n, address["number"]["suffix"].as_u64()));
        let label = |key: &str| address[key].as_str().map(str::to_string);
        let rest = Rest {
            building: label("building"),
            unit: label("unit"),
            flat: label("flat"),
        };
        for text in written_forms(&names[&road_id], number, &rest) {
            tried += 1;
            let (status, found) = app
                .get_json(
                    &format!(
                        "/api/v1/addresses/geocode?q={}",
                        crate::helpers::encoded(&text)
                    ),
                    None,
                )
                .await;
            let parts_right = status == StatusCode::OK
                && found["match"] == "exact"
                && found["address"]["id"] == address["id"]
                && found["road_id"] == address["road_id"]
                && found["division_code"] == "330421002"
                && found["parts"]["number"] == address["number"]
                && found["parts"]["building"] == address["building"]
                && found["parts"]["unit"] == address["unit"]
                && found["parts"]["flat"] == address["flat"]
                && found["point"].is_array();
            if parts_right {
                right += 1;
            } else {
                wrong.push(format!("{text}: {found}"));
            }
        }
    }
    assert!(tried >= 200, "{tried} forms");
    assert!(
        right * 100 >= tried * 99,
        "{right} of {tried} right; wrong: {wrong:#?}"
    );
    eprintln!("{right} of {tried} written forms read and found exactly; wrong: {wrong:#?}");

    // A point 5 m from a door finds it; far from every door, nothing.
    let door = addresses.iter().find(|a| a["level"] == "door").unwrap();
    let [lon, lat] = [
        door["point"][0].as_f64().unwrap(),
        door["point"][1].as_f64().unwrap(),
    ];
    let (status, near) = app
        .get_json(
            &format!(
                "/api/v1/addresses/reverse?lon={}&lat={}",
                lon + 0.00005,
                lat
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(near["address"]["id"], door["id"]);
    assert!(near["distance_m"].as_f64().unwrap() < 6.0);
    let (status, _) = app
        .get_json("/api/v1/addresses/reverse?lon=121.5&lat=30.8", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The search box finds the address beside the names.
    let text = door["standard_address"].as_str().unwrap();
    let (_, search) = app
        .get_json(
            &format!("/api/v1/search?q={}", crate::helpers::encoded(text)),
            None,
        )
        .await;
    assert_eq!(search["addresses"][0]["id"], door["id"], "{search}");
    // A proposed address is not found by the public.
    let (_, proposed) = app
        .get_json("/api/v1/addresses?status=proposed&limit=1", Some(&token))
        .await;
    let proposed = &proposed["addresses"][0];
    let (_, found) = app
        .get_json(
            &format!(
                "/api/v1/addresses/geocode?q={}",
                crate::helpers::encoded(proposed["standard_address"].as_str().unwrap())
            ),
            None,
        )
        .await;
    assert_eq!(found["match"], "road");
}

#[tokio::test]
async fn a_renamed_road_is_renumbered_with_its_old_to_new_table() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, road_tag) = app.created_place("jiashan", &road("塘东路")).await;
    let doors = [door(15.0, true), door(45.0, true), door(25.0, false)];
    let numbered = post(
        &app,
        &token,
        &format!("/api/v1/addresses/roads/{road_id}/numbering"),
        &json!({ "doors": doors, "register": true }),
    )
    .await;
    assert_eq!(numbered.status(), StatusCode::CREATED);
    registered(
        &app,
        &token,
        &json!({ "road_id": road_id, "number": 3, "building": "2" }),
    )
    .await;
    let path = format!("/api/v1/addresses/roads/{road_id}/renumbering");
    // Not renamed yet: nothing to renumber.
    let early = post(&app, &token, &path, &json!({})).await;
    assert_problem(early, StatusCode::CONFLICT, None).await;

    // The renaming is approved and the road's record carries the new name; the county now
    // numbers by distance, one pair per 10 m.
    let mut renamed = road("塘东大道");
    renamed["change"] = json!({ "comment": "经批准更名为塘东大道" });
    let response = app
        .update_place(Some(&token), road_id, Some(&road_tag), &renamed)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let admin = app.token("admin").await;
    put(
        &app,
        &admin,
        "/api/v1/addresses/rules/330421",
        None,
        &json!({ "scheme": { "kind": "distance", "metres_per_pair": 10 } }),
    )
    .await;
    let preview = post(&app, &token, &path, &json!({})).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.unwrap();
    let table: Vec<(&str, &str)> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["old_address"].as_str().unwrap(),
                r["new_address"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        table,
        [
            ("嘉善县西塘镇塘东路1号", "嘉善县西塘镇塘东大道3号"),
            ("嘉善县西塘镇塘东路2号", "嘉善县西塘镇塘东大道6号"),
            ("嘉善县西塘镇塘东路3号", "嘉善县西塘镇塘东大道9号"),
            ("嘉善县西塘镇塘东路3号2幢", "嘉善县西塘镇塘东大道9号2幢"),
        ]
    );
    assert_eq!(count(&app).await, 4, "a preview changes nothing");
    // The renaming was entered in the record, not announced through the naming procedure.
    let unannounced = post(
        &app,
        &token,
        &path,
        &json!({ "apply": true, "comment": "道路更名后门牌重编" }),
    )
    .await;
    let problem = assert_problem(unannounced, StatusCode::CONFLICT, None).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not announced"),
        "{problem}"
    );
    assert_eq!(count(&app).await, 4);
    // Where renamings decided before the register are entered directly, the rule says so.
    put(
        &app,
        &admin,
        "/api/v1/addresses/rules/330421",
        None,
        &json!({ "scheme": { "kind": "distance", "metres_per_pair": 10 }, "renumber_after_announcement": false }),
    )
    .await;
    let unexplained = post(&app, &token, &path, &json!({ "apply": true })).await;
    assert_problem(unexplained, StatusCode::BAD_REQUEST, Some("comment")).await;
    let applied = post(
        &app,
        &token,
        &path,
        &json!({ "apply": true, "comment": "道路更名后门牌重编" }),
    )
    .await;
    assert_eq!(applied.status(), StatusCode::OK);
    let applied: Value = applied.json().await.unwrap();
    assert_eq!(applied["new_ids"].as_array().unwrap().len(), 4);
    let (_, list) = app
        .get_json(
            &format!("/api/v1/addresses?road_id={road_id}&status=assigned"),
            Some(&token),
        )
        .await;
    let now: Vec<&str> = list["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["standard_address"].as_str().unwrap())
        .collect();
    assert_eq!(now.len(), 4);
    assert!(now.contains(&"嘉善县西塘镇塘东大道9号2幢"));
    let (_, retired) = app
        .get_json(
            &format!("/api/v1/addresses?road_id={road_id}&status=retired"),
            Some(&token),
        )
        .await;
    assert_eq!(retired["numberMatched"], 4);
    // Renumbered once, the road's addresses carry its name.
    let again = post(&app, &token, &path, &json!({})).await;
    assert_problem(again, StatusCode::CONFLICT, None).await;
}

#[tokio::test]
async fn the_certificate_holds_the_full_standard_address_and_the_plate_qr_code() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_addresses = true;
    })
    .await;
    let token = app.token("jiashan").await;
    let (_, list) = app
        .get_json("/api/v1/addresses?status=assigned&limit=1000", Some(&token))
        .await;
    let door = list["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["standard_address"] == "嘉善县罗星街道亭桥路1号")
        .expect("the first door of 亭桥路")
        .clone();
    let id = door["id"].as_i64().unwrap();
    let response = app
        .client
        .get(app.url(&format!("/api/v1/addresses/{id}/certificate.pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    let text: String = String::from_utf8(output.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for expected in [
        "门牌证",
        "浙江省嘉兴市嘉善县罗星街道亭桥路1号",
        "嘉善县罗星街道亭桥路1号",
        "亭桥路（TingqiaoLu）",
        "嘉善县民政局",
        "/s/",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The QR code opens the door plate's public page: the standard address, the road's name,
    // its meaning and history.
    let code: String = text
        .split("/s/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let page = app.get(&format!("/s/{code}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for expected in [
        "嘉善县罗星街道亭桥路1号",
        "亭桥路",
        "以路东端的亭桥得名",
        "2020年新建道路",
    ] {
        assert!(page.contains(expected), "{expected} on the plate's page");
    }
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(shots.join("address-certificate"))
        .status()
        .unwrap();
    assert!(status.success());

    // Another county's staff, and a proposed address, get no certificate.
    let pinghu = app.token("pinghu").await;
    let other = app
        .client
        .get(app.url(&format!("/api/v1/addresses/{id}/certificate.pdf")))
        .bearer_auth(&pinghu)
        .send()
        .await
        .unwrap();
    assert_problem(other, StatusCode::FORBIDDEN, None).await;
    let (_, proposed) = app
        .get_json("/api/v1/addresses?status=proposed&limit=1", Some(&token))
        .await;
    let proposed = proposed["addresses"][0]["id"].as_i64().unwrap();
    let refused = app
        .client
        .get(app.url(&format!("/api/v1/addresses/{proposed}/certificate.pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::CONFLICT, None).await;
}

#[tokio::test]
async fn the_plates_campaign_counts_every_state_per_road_and_lists_what_is_missing() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_addresses = true;
    })
    .await;
    let token = app.token("jiashan").await;
    let (status, progress) = app
        .get_json("/api/v1/addresses/plates?division=330421", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    let roads = progress["roads"].as_array().unwrap();
    let names: Vec<&str> = roads
        .iter()
        .map(|r| r["road_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["亭桥路", "晋阳东路", "车站南路", "星河小区"]);
    let total = &progress["total"];
    // Every stage of the campaign, and every problem but 重, occurs in the demo.
    let stages = ["no_plate", "ordered", "produced", "installed", "verified"];
    for key in stages.iter().chain(&["wrong", "missing", "damaged"]) {
        assert!(total[*key].as_u64().unwrap() > 0, "{key}: {total}");
    }
    let sum: u64 = stages.iter().map(|s| total[*s].as_u64().unwrap()).sum();
    assert_eq!(sum, total["assigned"].as_u64().unwrap());
    let worklist = progress["worklist"].as_array().unwrap();
    let not_on_wall = worklist
        .iter()
        .filter(|w| !["installed", "verified"].contains(&w["plate"].as_str().unwrap()))
        .count() as u64;
    assert_eq!(
        not_on_wall,
        ["no_plate", "ordered", "produced"]
            .iter()
            .map(|s| total[*s].as_u64().unwrap())
            .sum::<u64>()
    );
    assert!(worklist.iter().any(|w| w["plate"] == "none"
        && w["problems"][0]["problem"] == "missing"
        && w["problems"][0]["source"] == "register"));
    assert!(worklist.iter().any(|w| {
        w["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["source"] == "field_check" && p["problem"] == "wrong")
    }));
    let divisions = progress["divisions"].as_array().unwrap();
    assert_eq!(divisions.len(), 1);
    assert_eq!(divisions[0]["name"], "罗星街道");
    assert_eq!(divisions[0]["assigned"], total["assigned"]);

    let text = |query: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let response = app
                .client
                .get(app.url(&format!("/api/v1/addresses/plates?division=330421&{query}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            response.text().await.unwrap()
        }
    };
    let csv = text("format=csv").await;
    assert!(csv.lines().next().unwrap().contains("上墙率"));
    assert_eq!(csv.lines().count(), 1 + roads.len() + 1);
    let csv = text("format=csv&table=divisions").await;
    assert!(csv.contains("330421002,罗星街道,"), "{csv}");
    let csv = text("format=csv&table=worklist").await;
    assert_eq!(csv.lines().count(), 1 + worklist.len());
    let svg = text("format=svg").await;
    assert!(svg.starts_with("<svg") && svg.contains("亭桥路") && svg.contains("已核验"));
    for bad in ["format=xlsx", "table=villages", "format=svg&table=worklist"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/addresses/plates?division=330421&{bad}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let field = if bad.starts_with("format=x") {
            "format"
        } else {
            "table"
        };
        assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
    }
    let pinghu = app.token("pinghu").await;
    let (status, _) = app
        .get_json("/api/v1/addresses/plates?division=330421", Some(&pinghu))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_owners_application_is_decided_within_its_working_days_and_assigns_the_number() {
    let app = spawn_app().await;
    let token = app.token("jiashan").await;
    let (road_id, _) = app.created_place("jiashan", &road("塘东路")).await;
    registered(
        &app,
        &token,
        &json!({ "road_id": road_id, "number": 1, "point": door(20.0, true), "status": "assigned" }),
    )
    .await;
    let body = json!({
        "road_id": road_id, "applicant": "嘉善县某置业有限公司", "point": door(60.0, true),
        "documents": ["建设工程规划许可证", "总平面图"]
    });
    // Refusals: nothing filed.
    let mut no_documents = body.clone();
    no_documents["documents"] = json!([]);
    let response = post(
        &app,
        &token,
        "/api/v1/addresses/applications",
        &no_documents,
    )
    .await;
    assert_problem(response, StatusCode::BAD_REQUEST, Some("documents")).await;
    let mut far = body.clone();
    far["point"] = json!([120.897, 30.95]);
    let response = post(&app, &token, "/api/v1/addresses/applications", &far).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, Some("point")).await;
    let reviewer = app.token("reviewer").await;
    let response = post(&app, &reviewer, "/api/v1/addresses/applications", &body).await;
    assert_problem(response, StatusCode::FORBIDDEN, None).await;

    let filed = post(&app, &token, "/api/v1/addresses/applications", &body).await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let tag = filed.headers()["etag"].to_str().unwrap().to_string();
    let filed: Value = filed.json().await.unwrap();
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["state"], "filed");
    assert_eq!(filed["overdue"], false);
    let filed_on =
        chrono::NaiveDate::parse_from_str(filed["filed_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let due =
        chrono::NaiveDate::parse_from_str(filed["decision_due"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    // Ten working days by default (weekends not counted).
    assert_eq!(
        due,
        diming::domain::address_application::decision_due(filed_on, 10)
    );
    assert!((12..=14).contains(&(due - filed_on).num_days()));
    let (_, overdue) = app
        .get_json(
            "/api/v1/addresses/applications?division=330421&overdue=true",
            Some(&token),
        )
        .await;
    assert_eq!(overdue["applications"].as_array().unwrap().len(), 0);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/addresses/applications/{id}"),
            Some(&app.token("pinghu").await),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another county does not see it"
    );

    let path = format!("/api/v1/addresses/applications/{id}/decision");
    let rejected_without_reason = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &tag)
        .json(&json!({ "approve": false }))
        .send()
        .await
        .unwrap();
    assert_problem(
        rejected_without_reason,
        StatusCode::BAD_REQUEST,
        Some("note"),
    )
    .await;
    let approved = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &tag)
        .json(&json!({ "approve": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!(approved["state"], "approved");
    let address_id = approved["address_id"].as_i64().unwrap();
    let (_, address) = app
        .get_json(&format!("/api/v1/addresses/{address_id}"), Some(&token))
        .await;
    assert_eq!(address["standard_address"], "嘉善县西塘镇塘东路3号");
    assert_eq!(address["status"], "assigned");
    // Decided once: the old tag is stale, and a second decision is refused.
    let again = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &tag)
        .json(&json!({ "approve": false, "note": "重复" }))
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::PRECONDITION_FAILED, None).await;
    let again = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", format!("\"q{id}.v2\""))
        .json(&json!({ "approve": false, "note": "重复" }))
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::CONFLICT, None).await;
}
