//! The GeoJSON Features (RFC 7946) of place-name records as every part of the API answers them:
//! the record in `properties`, its geometry, and the version beside them.

use serde::Serialize;
use serde_json::Value;

use crate::domain::place::PlaceProperties;
use crate::domain::version::VersionMeta;
use crate::store::places::StoredPlace;

/// A place as clients receive it: a GeoJSON Feature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlaceFeature<'a> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^Feature$")]
    kind: &'static str,
    id: i64,
    /// In CGCS2000 longitude, latitude unless another system was asked for; null when the
    /// record has none.
    #[schema(value_type = Option<crate::http::openapi::Geometry>)]
    geometry: &'a Option<Value>,
    properties: &'a PlaceProperties,
    version: VersionView<'a>,
}

/// The version of the record shown, beside the record.
#[derive(Serialize, utoipa::ToSchema)]
struct VersionView<'a> {
    /// The record's code in the register.
    #[schema(value_type = String)]
    code: &'a str,
    /// The newest version of the record (the one shown may be older).
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
