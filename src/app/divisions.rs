//! Divisions as of a day: lists (a page, or every division for an export) and one division with
//! its chain of divisions above, its states across code changes, the change events the caller
//! may see and its own place record as it stood that day.

use chrono::NaiveDate;
use serde_json::Value;

use super::division_events::visible_events;
use super::{AppState, Identity};
use crate::domain::division_code::DivisionCode;
use crate::store::StoreError;
use crate::store::division_events::StoredEvent;
use crate::store::divisions::{DivisionFilter, DivisionRecord};

/// What can go wrong reading divisions.
///
/// ```
/// use diming::app::divisions::DivisionError;
///
/// let error = DivisionError::NotFound("no division 330421 was in force on 2026-06-01".into());
/// assert_eq!(error.to_string(), "no division 330421 was in force on 2026-06-01");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum DivisionError {
    /// No such division on that day.
    #[error("{0}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One division as of a day, with what surrounds it.
#[derive(Debug, Clone)]
pub struct DivisionView {
    /// The day it is read as of.
    pub as_of: NaiveDate,
    /// Its state that day.
    pub division: DivisionRecord,
    /// It and the divisions above it that day, from the province down.
    pub chain: Vec<DivisionRecord>,
    /// Every state of it, across code changes.
    pub states: Vec<DivisionRecord>,
    /// The change events touching it that the caller may see, newest first.
    pub events: Vec<StoredEvent>,
    /// Its own place record as it stood that day (public records only for the public).
    pub place_id: Option<i64>,
    /// That record's polygon (or seat point) then.
    pub geometry: Option<Value>,
}

/// The divisions in force on `day` that match `filter`, and how many match in all.
pub async fn list(
    state: &AppState,
    day: NaiveDate,
    filter: &DivisionFilter,
) -> Result<(Vec<DivisionRecord>, i64), DivisionError> {
    Ok(state.store.divisions_as_of(day, filter).await?)
}

/// Division `code` as it stood on `day`, with its chain, states, visible events and own record.
pub async fn read(
    state: &AppState,
    identity: &Identity,
    code: &DivisionCode,
    day: NaiveDate,
) -> Result<DivisionView, DivisionError> {
    let Some(division) = state.store.division_as_of(code, day).await? else {
        return Err(DivisionError::NotFound(format!(
            "no division {code} was in force on {day}"
        )));
    };
    let mut chain = Vec::new();
    for level in code.chain() {
        if let Some(above) = state.store.division_as_of(&level, day).await? {
            chain.push(above);
        }
    }
    let states = state.store.division_states(code).await?;
    let events = visible_events(state, identity.actor.as_ref(), Some(code)).await?;
    // The division's own record as it stood that day: its polygon (or seat point) then.
    let place = state
        .store
        .division_place_as_of(code.as_str(), day, identity.is_public())
        .await?;
    Ok(DivisionView {
        as_of: day,
        division,
        chain,
        states,
        events,
        place_id: place.as_ref().map(|p| p.id),
        geometry: place.and_then(|p| p.geometry),
    })
}
