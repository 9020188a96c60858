//! The address index: written addresses read against the road and division names
//! (`domain::address_parse`) and found in the register by road and path, falling back to the
//! nearest registered level above (the building of an unregistered flat, the door of a
//! building); and the nearest address to a point (an R-tree of door and building points).

use std::collections::HashMap;

use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::domain::address::{AddressLevel, AddressPath, path_key};
use crate::domain::address_parse::{AddressGazetteer, AddressParseError, ParsedAddress};

/// An address as the index keeps it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndexedAddress {
    /// The record's id.
    pub id: i64,
    /// Its road or area.
    pub road_id: i64,
    /// Door, building, unit or flat.
    pub level: AddressLevel,
    /// Its path below the road.
    #[serde(skip)]
    pub path: AddressPath,
    /// The standard address as written.
    pub standard_address: String,
    /// Its point, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<[f64; 2]>,
    /// Whether it is assigned (what the public may look up); proposed ones are for staff.
    #[serde(skip)]
    pub assigned: bool,
}

/// How much of a written address the register holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchLevel {
    /// The address as written is registered.
    Exact,
    /// Only a level above it (the building of a flat, the door of a building) is.
    Above,
    /// Only the road is known.
    Road,
}

/// A written address looked up.
#[derive(Debug, Clone)]
pub struct Geocoded<'a> {
    /// The parts read from the text.
    pub parsed: ParsedAddress,
    /// The registered address found (the exact one or the nearest above).
    pub found: Option<&'a IndexedAddress>,
    /// How much matched.
    pub level: MatchLevel,
    /// The point of the address found or of the nearest level above with one.
    pub point: Option<[f64; 2]>,
}

/// Mean Earth radius in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The index of the addresses in use.
#[derive(Debug, Default)]
pub struct AddressIndex {
    gazetteer: AddressGazetteer,
    entries: Vec<IndexedAddress>,
    by_path: HashMap<(i64, String), usize>,
    /// Points as (longitude × cos latitude, latitude), so that degree distances are nearly
    /// proportional to metres within a county.
    tree: RTree<GeomWithData<[f64; 2], usize>>,
}

impl AddressIndex {
    /// The index of `entries`, read against `gazetteer`.
    pub fn build(gazetteer: AddressGazetteer, entries: Vec<IndexedAddress>) -> Self {
        let by_path = entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.road_id, path_key(&e.path)), i))
            .collect();
        let points = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.point.map(|p| GeomWithData::new(scaled(p), i)))
            .collect();
        Self {
            gazetteer,
            entries,
            by_path,
            tree: RTree::bulk_load(points),
        }
    }

    /// How many addresses it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads `text` and finds it in the register; `public_only` finds assigned addresses only.
    pub fn geocode(
        &self,
        text: &str,
        public_only: bool,
    ) -> Result<Geocoded<'_>, AddressParseError> {
        let parsed = self.gazetteer.parse(text)?;
        let visible = |i: &usize| !public_only || self.entries[*i].assigned;
        let lookup = |path: &AddressPath| {
            self.by_path
                .get(&(parsed.road_id, path_key(path)))
                .filter(|i| visible(i))
                .map(|&i| &self.entries[i])
        };
        let mut found = None;
        let mut level = MatchLevel::Road;
        let mut point = None;
        let mut path = Some(parsed.path.clone());
        let mut first = true;
        while let Some(current) = path {
            if let Some(entry) = lookup(&current) {
                if found.is_none() {
                    found = Some(entry);
                    level = if first {
                        MatchLevel::Exact
                    } else {
                        MatchLevel::Above
                    };
                }
                if entry.point.is_some() {
                    point = entry.point;
                    break;
                }
            }
            first = false;
            path = current.parent();
        }
        Ok(Geocoded {
            parsed,
            found,
            level,
            point,
        })
    }

    /// The address nearest to a point, with its distance in metres (within `max_m`).
    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        max_m: f64,
        public_only: bool,
    ) -> Option<(&IndexedAddress, f64)> {
        self.tree
            .nearest_neighbor_iter(&scaled([lon, lat]))
            .map(|item| &self.entries[item.data])
            .filter(|e| !public_only || e.assigned)
            .map(|e| (e, haversine_m([lon, lat], e.point.unwrap_or_default())))
            .take_while(|(_, d)| *d <= max_m * 1.01)
            .find(|(_, d)| *d <= max_m)
    }
}

fn scaled([lon, lat]: [f64; 2]) -> [f64; 2] {
    [lon * lat.to_radians().cos(), lat]
}

/// The great-circle distance of two points in metres.
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dla = la2 - la1;
    let dlo = (b[0] - a[0]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::HouseNumber;

    fn index() -> AddressIndex {
        let mut names = AddressGazetteer::default();
        names.add_division("330421", "嘉善县");
        names.add_road(7, "亭桥路", vec!["330421".into()], false);
        let door = |id: i64, n: u32, lon: f64, assigned: bool| IndexedAddress {
            id,
            road_id: 7,
            level: AddressLevel::Door,
            path: AddressPath {
                number: Some(HouseNumber::plain(n)),
                ..Default::default()
            },
            standard_address: format!("嘉善县亭桥路{n}号"),
            point: Some([lon, 30.84]),
            assigned,
        };
        let building = IndexedAddress {
            id: 3,
            level: AddressLevel::Building,
            path: AddressPath {
                number: Some(HouseNumber::plain(12)),
                building: Some("3".into()),
                ..Default::default()
            },
            standard_address: "嘉善县亭桥路12号3幢".into(),
            point: None,
            ..door(0, 0, 0.0, true)
        };
        AddressIndex::build(
            names,
            vec![
                door(1, 12, 120.90, true),
                door(2, 14, 120.901, false),
                building,
            ],
        )
    }

    #[test]
    fn an_unregistered_flat_is_found_at_its_building_with_the_door_point() {
        let index = index();
        let found = index
            .geocode("嘉善县亭桥路12号3幢2单元401室", true)
            .unwrap();
        assert_eq!(found.level, MatchLevel::Above);
        assert_eq!(found.found.unwrap().id, 3);
        assert_eq!(found.point, Some([120.90, 30.84]));
        let exact = index.geocode("亭桥路12号", true).unwrap();
        assert_eq!(
            (exact.level, exact.found.unwrap().id),
            (MatchLevel::Exact, 1)
        );
    }

    #[test]
    fn proposed_addresses_are_for_staff_only() {
        let index = index();
        assert_eq!(
            index.geocode("亭桥路14号", true).unwrap().level,
            MatchLevel::Road
        );
        assert_eq!(
            index.geocode("亭桥路14号", false).unwrap().level,
            MatchLevel::Exact
        );
        let (near, _) = index.nearest(120.9011, 30.8401, 500.0, true).unwrap();
        assert_eq!(near.id, 1);
        let (near, d) = index.nearest(120.9011, 30.8401, 500.0, false).unwrap();
        assert_eq!(near.id, 2);
        assert!(d < 20.0);
        assert!(index.nearest(121.5, 30.84, 500.0, false).is_none());
    }
}
