//! `/api/v1/transform` against PROJ's own command-line tool `cs2cs` (Debian proj-bin), for
//! points in several Gauss–Krüger zones, and its refusals.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

/// Runs cs2cs with `args` on one line of input; the first two numbers of its answer.
fn run_cs2cs(args: &[&str], input: String) -> (f64, f64) {
    let output = Command::new("cs2cs")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes())?;
            child.wait_with_output()
        })
        .expect("cs2cs (Debian proj-bin) runs");
    let text = String::from_utf8(output.stdout).unwrap();
    let numbers: Vec<f64> = text
        .split_whitespace()
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    (numbers[0], numbers[1])
}

/// cs2cs in the systems' authority axis order: latitude, longitude in; northing, easting out.
fn cs2cs(to: &str, lon: f64, lat: f64) -> (f64, f64) {
    let (north, east) = run_cs2cs(&["-f", "%.6f", "EPSG:4490", to], format!("{lat} {lon}\n"));
    (east, north)
}

#[tokio::test]
async fn conversions_agree_with_cs2cs_in_several_zones_and_round_trip() {
    let app = spawn_app().await;
    for (lon, lat) in [
        (75.99, 39.47),
        (87.62, 43.83),
        (104.07, 30.67),
        (116.40, 39.90),
        (120.89, 30.94),
        (126.53, 45.80),
    ] {
        let zone = (lon / 3.0_f64).round() as u32;
        for epsg in [4513 + zone - 25, 4534 + zone - 25] {
            let to = format!("EPSG:{epsg}");
            let (status, body) = app
                .get_json(
                    &format!("/api/v1/transform?from=EPSG:4490&to={to}&x={lon}&y={lat}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (east, north) = (body["x"].as_f64().unwrap(), body["y"].as_f64().unwrap());
            let (reference_east, reference_north) = cs2cs(&to, lon, lat);
            assert!(
                (east - reference_east).abs() < 0.001 && (north - reference_north).abs() < 0.001,
                "{to} {lon},{lat}: {east},{north} vs cs2cs {reference_east},{reference_north}"
            );
            let (_, back) = app
                .get_json(
                    &format!("/api/v1/transform?from={to}&to=EPSG:4490&x={east}&y={north}"),
                    None,
                )
                .await;
            let (_, again) = app
                .get_json(
                    &format!(
                        "/api/v1/transform?from=EPSG:4490&to={to}&x={}&y={}",
                        back["x"], back["y"]
                    ),
                    None,
                )
                .await;
            assert!(
                (again["x"].as_f64().unwrap() - east).abs() < 0.001
                    && (again["y"].as_f64().unwrap() - north).abs() < 0.001,
                "round trip in {to}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_systems_and_eastings_outside_their_zone_are_refused() {
    let app = spawn_app().await;
    for (query, field) in [
        ("from=EPSG:9999&to=EPSG:4490&x=1&y=2", "from"),
        ("from=EPSG:4490&to=WGS85&x=120&y=30", "to"),
        ("from=EPSG:4490&to=EPSG:4528&x=abc&y=30", "x"),
        ("from=EPSG:4490&to=EPSG:4528&x=120", "y"),
        // Zone 40 declared, but Y carries zone 39's prefix.
        ("from=EPSG:4528&to=EPSG:4490&x=39586045&y=3420234", "x"),
        // No zone prefix declared, but Y has one.
        ("from=EPSG:4549&to=EPSG:4490&x=40586045&y=3420234", "x"),
        ("from=EPSG:4490&to=EPSG:4528&x=120&y=95", "y"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/transform?{query}")))
            .send()
            .await
            .unwrap();
        let body: Value = assert_problem(response, StatusCode::BAD_REQUEST, Some(field)).await;
        assert!(body["detail"].as_str().unwrap().len() > 10);
    }
}

/// cs2cs with PROJ strings (east/longitude first): the legacy zone with `+towgs84`, which PROJ
/// applies as a position-vector Helmert through geocentric coordinates, to GRS80 longitude and
/// latitude.
fn cs2cs_legacy(from: &str, east: f64, north: f64) -> (f64, f64) {
    let mut args: Vec<&str> = vec!["-f", "%.10f"];
    args.extend(from.split(' '));
    args.extend(["+to", "+proj=longlat", "+ellps=GRS80", "+towgs84=0,0,0"]);
    run_cs2cs(&args, format!("{east} {north}\n"))
}

#[tokio::test]
async fn legacy_beijing_and_xian_zones_agree_with_cs2cs_given_the_parameters() {
    let app = spawn_app().await;
    let helmert = "-15.9,147.4,30.2,0.4,-0.3,1.1,2.5";
    // (system, ellipsoid, zone, zone prefix on Y, east, north)
    for (epsg, ellipsoid, zone, prefixed, east, north) in [
        ("EPSG:2416", "krass", 40, true, 40_586_100.0, 3_420_300.0),
        ("EPSG:2437", "krass", 40, false, 586_100.0, 3_420_300.0),
        ("EPSG:2364", "IAU76", 40, true, 40_412_000.0, 3_380_000.0),
        ("EPSG:2379", "IAU76", 34, false, 433_000.0, 4_420_000.0),
    ] {
        let false_easting = if prefixed {
            zone * 1_000_000 + 500_000
        } else {
            500_000
        };
        let definition = format!(
            "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={false_easting} +y_0=0 +ellps={ellipsoid} +towgs84={helmert}",
            zone * 3
        );
        let (status, body) = app
            .get_json(
                &format!("/api/v1/transform?from={epsg}&to=EPSG:4490&x={east}&y={north}&helmert={helmert}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{epsg}: {body}");
        let (lon, lat) = (body["x"].as_f64().unwrap(), body["y"].as_f64().unwrap());
        let (reference_lon, reference_lat) = cs2cs_legacy(&definition, east, north);
        // 1e-8 degrees is about a millimetre.
        assert!(
            (lon - reference_lon).abs() < 1e-8 && (lat - reference_lat).abs() < 1e-8,
            "{epsg}: service {lon},{lat}; cs2cs {reference_lon},{reference_lat}"
        );
        let (_, back) = app
            .get_json(
                &format!(
                    "/api/v1/transform?from=EPSG:4490&to={epsg}&x={lon}&y={lat}&helmert={helmert}"
                ),
                None,
            )
            .await;
        assert!(
            (back["x"].as_f64().unwrap() - east).abs() < 0.001
                && (back["y"].as_f64().unwrap() - north).abs() < 0.001,
            "{epsg} round trip: {back}"
        );
    }
    // Without parameters, or with parameters in the wrong units, the field is named.
    for query in [
        "from=EPSG:2416&to=EPSG:4490&x=40586100&y=3420300",
        "from=EPSG:2416&to=EPSG:4490&x=40586100&y=3420300&helmert=1,2,3",
        "from=EPSG:2416&to=EPSG:4490&x=40586100&y=3420300&helmert=1,2,3,0.1,0.1,0.1,1000000",
    ] {
        assert_problem(
            app.get(&format!("/api/v1/transform?{query}")).await,
            StatusCode::BAD_REQUEST,
            Some("helmert"),
        )
        .await;
    }
}
