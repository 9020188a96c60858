//! Point queries answered from the in-memory spatial index: which divisions and areas contain a
//! point (reverse geocoding) and which named features are nearest. The public is answered from
//! public records only.

use geo::Coord;
use serde::Serialize;

use super::{AppState, Identity};
use crate::domain::division_code::DivisionCode;
use crate::spatial::index::{IndexedPlace, NearHit};
use crate::store::StoreError;
use crate::store::places::{StoredPlace, VersionSelector};
use crate::store::reference::Division;

/// Administrative areas (行政区域, 21x) make the division chain; other areas are only listed.
const ADMINISTRATIVE_CLASS: &str = "21";

/// A checked point query: CGCS2000 lon/lat, how many features, of which category, how far.
#[derive(Debug, Clone)]
pub struct PointQuery {
    /// The point, CGCS2000 longitude and latitude in degrees.
    pub point: Coord<f64>,
    /// How many nearest features to answer.
    pub k: usize,
    /// Only features of this category code (its sub-categories included).
    pub category: Option<String>,
    /// Only features within this many metres.
    pub within_m: Option<f64>,
}

impl PointQuery {
    /// Whether a record may be answered: public ones only for the public, and of the asked
    /// category (sub-categories included) if one was asked.
    fn admits(&self, place: &IndexedPlace, public_only: bool) -> bool {
        (!public_only || place.public)
            && self
                .category
                .as_ref()
                .is_none_or(|c| place.category.starts_with(c.as_str()))
    }
}

/// A named feature near the point, with its geodesic distance rounded to 0.1 m.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NearFeature {
    id: i64,
    name: String,
    category: String,
    division_code: Option<String>,
    distance_m: f64,
}

impl From<&NearHit<'_>> for NearFeature {
    fn from(hit: &NearHit) -> Self {
        Self {
            id: hit.place.place_id,
            name: hit.place.name.clone(),
            category: hit.place.category.clone(),
            division_code: hit.place.division_code.clone(),
            distance_m: (hit.distance_m * 10.0).round() / 10.0,
        }
    }
}

/// An area record containing the point.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContainingArea {
    id: i64,
    name: String,
    category: String,
    division_code: Option<String>,
}

/// The answer of reverse geocoding.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reverse {
    point: [f64; 2],
    /// Province → … → the deepest administrative division containing the point.
    divisions: Vec<Division>,
    areas: Vec<ContainingArea>,
    nearest: Vec<NearFeature>,
}

/// Which divisions contain the point (province first), every area containing it, and the
/// nearest named features.
pub async fn reverse(
    state: &AppState,
    identity: &Identity,
    query: &PointQuery,
) -> Result<Reverse, StoreError> {
    let public_only = identity.is_public();
    let (areas, nearest) = {
        let index = state
            .spatial
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Owned copies: the lock is released before the division chain is looked up.
        let areas: Vec<ContainingArea> = index
            .areas_containing(query.point, public_only)
            .into_iter()
            .map(|a| ContainingArea {
                id: a.place.place_id,
                name: a.place.name.clone(),
                category: a.place.category.clone(),
                division_code: a.place.division_code.clone(),
            })
            .collect();
        let nearest: Vec<NearFeature> = index
            .nearest(query.point, query.k, query.within_m, |p| {
                query.admits(p, public_only)
            })
            .iter()
            .map(NearFeature::from)
            .collect();
        (areas, nearest)
    };
    // The deepest administrative area gives the chain; its parents come from the code.
    let deepest = areas
        .iter()
        .filter(|a| a.category.starts_with(ADMINISTRATIVE_CLASS))
        .filter_map(|a| {
            a.division_code
                .as_deref()
                .and_then(|c| DivisionCode::parse(c).ok())
        })
        .max_by_key(|code| code.level());
    let divisions = state
        .division_chain(deepest.as_ref().map(DivisionCode::as_str))
        .await?;
    Ok(Reverse {
        point: [query.point.x, query.point.y],
        divisions,
        areas,
        nearest,
    })
}

/// The `k` nearest current records with their geodesic distance in metres, nearest first.
pub async fn nearest(
    state: &AppState,
    identity: &Identity,
    query: &PointQuery,
) -> Result<Vec<(StoredPlace, f64)>, StoreError> {
    let public_only = identity.is_public();
    // (id, distance) pairs: the lock is released before the records are read.
    let hits: Vec<(i64, f64)> = {
        let index = state
            .spatial
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        index
            .nearest(query.point, query.k, query.within_m, |p| {
                query.admits(p, public_only)
            })
            .iter()
            .map(|hit| (hit.place.place_id, hit.distance_m))
            .collect()
    };
    let mut places = Vec::with_capacity(hits.len());
    for (place_id, distance_m) in hits {
        if let Some(place) = state
            .store
            .place(place_id, VersionSelector::Current, public_only)
            .await?
        {
            places.push((place, distance_m));
        }
    }
    Ok(places)
}
