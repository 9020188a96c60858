//! Geometry must agree with what the record says: a place lies in the divisions it names, a
//! division's new polygon nests in its parent and overlaps no sibling, a boundary marker stands
//! near its line, a boundary line does not cross itself, and a height is refused. Every refusal
//! is 422 naming the field, and nothing is stored.

use diming::domain::division_code::DivisionCode;
use diming::domain::geometry::parse_geometry;
use diming::spatial::consistency::check_place_geometry;
use diming::spatial::index::{IndexedPlace, SpatialIndex};
use serde_json::Value;

/// The place rule over every record of the demo data, on an index built from the same file
/// (as the service builds it): how many fail, and which.
#[test]
fn every_demo_record_lies_in_the_divisions_it_names() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/places.geojson");
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let features = collection["features"].as_array().unwrap();
    let mut records = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        let properties = &feature["properties"];
        let codes: Vec<DivisionCode> = properties["division_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| DivisionCode::parse(c.as_str().unwrap()).unwrap())
            .collect();
        let geometry = match &feature["geometry"] {
            Value::Null => None,
            value => Some(parse_geometry(value, "geometry").unwrap()),
        };
        let category = properties["category"].as_str().unwrap().to_string();
        let place = IndexedPlace {
            place_id: i as i64 + 1,
            name: properties["standard_name"].as_str().unwrap().to_string(),
            category,
            division_code: codes.first().map(|c| c.as_str().to_string()),
            public: true,
        };
        records.push((place, codes, geometry));
    }
    let index = SpatialIndex::build(
        records
            .iter()
            .filter_map(|(p, _, g)| Some((p.clone(), g.clone()?))),
    );
    let started = std::time::Instant::now();
    let mut checked = 0;
    let failures: Vec<String> = records
        .iter()
        .filter_map(|(place, codes, geometry)| {
            let geometry = geometry.as_ref()?;
            checked += 1;
            let own = place.category.starts_with("21");
            check_place_geometry(&index, geometry, codes, own)
                .err()
                .map(|e| format!("{} {:?}: {e}", place.name, codes))
        })
        .collect();
    let elapsed = started.elapsed();
    println!(
        "{} of {checked} demo records with a geometry fail the place rule ({elapsed:?} in all)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
