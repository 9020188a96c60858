//! The GeoJSON Features (RFC 7946) of place-name records as every part of the API answers them:
//! the record in `properties`, its geometry, and the version beside them.

use serde::Serialize;
use serde_json::Value;

use crate::domain::place::PlaceProperties;
use crate::domain::version::VersionMeta;
use crate::store::places::StoredPlace;

/// A place as clients receive it.
#[derive(Serialize)]
pub struct PlaceFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: i64,
    geometry: &'a Option<Value>,
    properties: &'a PlaceProperties,
    version: VersionView<'a>,
}

#[derive(Serialize)]
struct VersionView<'a> {
    code: &'a str,
    current_version: i64,
    #[serde(flatten)]
    meta: &'a VersionMeta,
}

impl<'a> PlaceFeature<'a> {
    /// The feature of `place` with `geometry` (its own, or the same converted to another
    /// coordinate system).
    pub fn of(place: &'a StoredPlace, geometry: &'a Option<Value>) -> Self {
        Self {
            kind: "Feature",
            id: place.id,
            geometry,
            properties: &place.properties,
            version: VersionView {
                code: &place.code,
                current_version: place.current_version,
                meta: &place.meta,
            },
        }
    }
}
