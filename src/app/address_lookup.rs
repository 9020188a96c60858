//! Looking up addresses: a written address geocoded to its door point, a point reverse-geocoded
//! to the nearest address, and addresses in the search box. The index is derived from the
//! register (roads and areas in use, divisions, addresses in use); any write marks it stale and
//! the next lookup builds it again from one read of each.

use std::sync::Arc;

use serde::Serialize;

use super::{AppState, Identity};
use crate::domain::address::AddressLevel;
use crate::domain::address::AddressStatus;
use crate::domain::address_parse::AddressGazetteer;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::place::PlaceStatus;
use crate::search::addresses::{AddressIndex, IndexedAddress, MatchLevel};
use crate::store::StoreError;

/// What can go wrong looking up an address.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The query names the field at fault (an address that cannot be read, a bad point).
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// Nothing near enough.
    #[error("{0}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How far from a point its nearest address may be, in metres.
pub const MAX_REVERSE_M: f64 = 500.0;

/// The index, built now if a write made it stale.
pub async fn address_index(state: &AppState) -> Result<Arc<AddressIndex>, StoreError> {
    if let Some(index) = state
        .address_index
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
    {
        return Ok(index);
    }
    let index = Arc::new(build(state).await?);
    *state
        .address_index
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(index.clone());
    Ok(index)
}

async fn build(state: &AppState) -> Result<AddressIndex, StoreError> {
    let mut gazetteer = AddressGazetteer::default();
    for division in state.store.all_divisions().await? {
        gazetteer.add_division(division.code.as_str(), &division.name);
    }
    for place in state.store.all_current_versions().await? {
        let category = &place.properties.category;
        let on_area = category.starts_with("24") || category == "281";
        let road = category.starts_with("253") || category == "252";
        if place.properties.status != PlaceStatus::Current || !(on_area || road) {
            continue;
        }
        let Some(code) = place
            .properties
            .division_codes
            .first()
            .and_then(|c| DivisionCode::parse(c).ok())
        else {
            continue;
        };
        let chain = code
            .chain()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        gazetteer.add_road(place.id, &place.properties.standard_name, chain, on_area);
        if let Some(romanization) = &place.properties.romanization {
            gazetteer.add_road_romanization(place.id, romanization);
        }
    }
    let entries = state
        .store
        .addresses_in_use()
        .await?
        .into_iter()
        .map(|a| IndexedAddress {
            id: a.id,
            road_id: a.record.road_id,
            level: a.record.level,
            path: a.record.path,
            standard_address: a.record.standard_address,
            point: a.record.point,
            assigned: a.record.status == AddressStatus::Assigned,
        })
        .collect();
    Ok(AddressIndex::build(gazetteer, entries))
}

/// A written address as read and found.
#[derive(Debug, Clone, Serialize)]
pub struct GeocodeAnswer {
    /// The text as sent.
    pub query: String,
    /// The road or area record.
    pub road_id: i64,
    /// The division the text named (or the road's).
    pub division_code: String,
    /// The parts read.
    pub parts: crate::domain::address::AddressPath,
    /// How many edits the division part needed.
    pub division_edits: usize,
    /// How much of it the register holds.
    #[serde(rename = "match")]
    pub match_level: MatchLevel,
    /// The registered address found: the exact one, or the nearest level above.
    pub address: Option<IndexedAddress>,
    /// The point of the address, or of the nearest level above with one.
    pub point: Option<[f64; 2]>,
}

/// Geocodes a written address; the public finds assigned addresses only.
pub async fn geocode(
    state: &AppState,
    identity: &Identity,
    text: &str,
) -> Result<GeocodeAnswer, LookupError> {
    let index = address_index(state).await?;
    let found = index
        .geocode(text, identity.is_public())
        .map_err(|e| FieldErrors::one("q", e.to_string()))?;
    Ok(GeocodeAnswer {
        query: text.to_string(),
        road_id: found.parsed.road_id,
        division_code: found.parsed.division_code.clone(),
        parts: found.parsed.path.clone(),
        division_edits: found.parsed.division_edits,
        match_level: found.level,
        address: found.found.cloned(),
        point: found.point,
    })
}

/// The nearest address to a point.
#[derive(Debug, Clone, Serialize)]
pub struct ReverseAnswer {
    /// The address.
    pub address: IndexedAddress,
    /// Its distance from the point, in metres.
    pub distance_m: f64,
}

/// The address nearest to a point within [`MAX_REVERSE_M`].
pub async fn reverse(
    state: &AppState,
    identity: &Identity,
    lon: f64,
    lat: f64,
) -> Result<ReverseAnswer, LookupError> {
    let index = address_index(state).await?;
    match index.nearest(lon, lat, MAX_REVERSE_M, identity.is_public()) {
        Some((address, distance_m)) => Ok(ReverseAnswer {
            address: address.clone(),
            distance_m: (distance_m * 10.0).round() / 10.0,
        }),
        None => Err(LookupError::NotFound(format!(
            "no address within {MAX_REVERSE_M} m of {lon}, {lat}"
        ))),
    }
}

/// Addresses for the search box: the text read as an address when it has a number in it and a
/// registered address matches exactly or above.
pub async fn search(
    state: &AppState,
    identity: &Identity,
    text: &str,
) -> Result<Vec<IndexedAddress>, StoreError> {
    if !text
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return Ok(Vec::new());
    }
    let index = address_index(state).await?;
    Ok(index
        .geocode(text, identity.is_public())
        .ok()
        .and_then(|g| g.found.cloned())
        .filter(|a| a.level != AddressLevel::Door || a.point.is_some())
        .into_iter()
        .collect())
}
