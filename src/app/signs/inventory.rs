//! The sign inventory: register a sign for a current place, edit its description (not its
//! status: that goes through the maintenance log), read it, list signs by division, status,
//! kind, place or maintenance due.
#![warn(missing_docs)]

use chrono::Duration;

use super::{SignError, division_of, existing_sign, may_edit};
use crate::app::{AppState, Staff, today};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::place::PlaceStatus;
use crate::domain::sign::{PublicCode, Sign, SignInput, SignKind, SignStatus};
use crate::store::places::VersionSelector;
use crate::store::signs::SignFilter;

/// Which signs a staff listing asks for, as the client sent it (checked by [`list`]).
#[derive(Debug, Clone, Default)]
pub struct SignListing {
    /// A division code or prefix (jurisdiction) the signs lie in.
    pub division: Option<String>,
    /// A status name.
    pub status: Option<String>,
    /// A kind name.
    pub kind: Option<String>,
    /// The place the signs show.
    pub place_id: Option<i64>,
    /// Only signs in service whose maintenance is due.
    pub due_for_maintenance: bool,
    /// Page size, 1 to 1000 (100 when not given).
    pub limit: Option<i64>,
    /// Signs to skip (0 when not given).
    pub offset: Option<i64>,
}

/// The division a sign belongs to: the main division of the place it shows, which must be a
/// current, known record.
async fn place_division(state: &AppState, place_id: i64) -> Result<DivisionCode, SignError> {
    let place = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| FieldErrors::one("place_id", format!("there is no place {place_id}")))?;
    if place.properties.status == PlaceStatus::Historical {
        return Err(FieldErrors::one(
            "place_id",
            "the place's name is historical: a new sign shows a current name",
        )
        .into());
    }
    let code = place
        .properties
        .division_codes
        .first()
        .ok_or_else(|| SignError::Internal(format!("place {place_id} names no division")))?;
    DivisionCode::parse(code).map_err(|_| {
        SignError::Internal(format!(
            "place {place_id} names the malformed division {code:?}"
        ))
    })
}

pub(crate) fn random_code() -> PublicCode {
    let mut bytes = [0u8; 5];
    // getrandom reads the kernel's generator; it cannot fail on a running Linux system.
    getrandom::fill(&mut bytes).expect("the system random generator is available");
    PublicCode::from_random(bytes)
}

/// Registers a sign of a current place, in the place's main division, under a new code.
pub async fn create(state: &AppState, staff: &Staff, input: SignInput) -> Result<Sign, SignError> {
    let input = input.validate(today())?;
    let division = place_division(state, input.place_id).await?;
    may_edit(&staff.actor, &division)?;
    let sign = state
        .store
        .create_sign(&input, division.as_str(), random_code, &staff.author())
        .await?;
    state.freshness.sign_written(&sign.public_code);
    Ok(sign)
}

/// Sign `id`.
pub async fn read(state: &AppState, _staff: &Staff, id: i64) -> Result<Sign, SignError> {
    existing_sign(state, id).await
}

/// Replaces the description of sign `id`, which must still be at version `expected`; both its
/// old and its new division must be the caller's.
pub async fn update(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    mut input: SignInput,
) -> Result<Sign, SignError> {
    let current = existing_sign(state, id).await?;
    may_edit(&staff.actor, &division_of(&current)?)?;
    crate::store::expect_version(expected, current.version)?;
    match input.status.take() {
        Some(status) if status != current.status => {
            return Err(FieldErrors::one(
                "status",
                "change a sign's status through its maintenance log (POST .../maintenance)",
            )
            .into());
        }
        _ => {}
    }
    let input = input.validate(today())?;
    let division = place_division(state, input.place_id).await?;
    may_edit(&staff.actor, &division)?;
    let sign = state
        .store
        .update_sign(id, expected, &input, division.as_str(), &staff.author())
        .await?;
    state.freshness.sign_written(&sign.public_code);
    Ok(sign)
}

/// A page of the signs `listing` asks for, with the number that match in all.
pub async fn list(
    state: &AppState,
    _staff: &Staff,
    listing: SignListing,
) -> Result<(Vec<Sign>, i64), SignError> {
    let mut filter = SignFilter {
        limit: listing.limit.unwrap_or(100),
        offset: listing.offset.unwrap_or(0),
        place_id: listing.place_id,
        ..Default::default()
    };
    if !(1..=1000).contains(&filter.limit) || filter.offset < 0 {
        return Err(FieldErrors::one("limit", "limit 1 to 1000, offset from 0").into());
    }
    if let Some(division) = &listing.division {
        let prefix = Jurisdiction::parse(division)
            .map_err(|e| FieldErrors::one("division", format!("{division:?}: {e}")))?;
        filter.division_prefix = Some(prefix.as_str().to_string());
    }
    if let Some(status) = &listing.status {
        filter.status = Some(SignStatus::parse(status).ok_or_else(|| {
            FieldErrors::one("status", "planned, installed, damaged, missing or retired")
        })?);
    }
    if let Some(kind) = &listing.kind {
        filter.kind = Some(SignKind::parse(kind).ok_or_else(|| {
            FieldErrors::one(
                "kind",
                "a sign kind such as street, lane, village, door_plate_large",
            )
        })?);
    }
    if listing.due_for_maintenance {
        filter.maintained_before =
            Some(today() - Duration::days(state.settings.maintenance_interval_days));
    }
    Ok(state.store.list_signs(&filter).await?)
}
