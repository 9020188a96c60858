//! Division change events (区划变更): administrators propose them and name the reviewers who may
//! see them, decide them, and an approved event is put in force on its effective date (at once
//! when that day has come, otherwise by the hourly job), its place records written by the plan
//! of `domain::division_event::plan` and the indexes rebuilt. A pending or rejected event is
//! confidential: anyone but an admin or a named reviewer gets the same answer as for an event
//! that does not exist, and lists leave it out.

use super::{AppState, Identity, Staff, today};
use crate::domain::account::{AccessError, Actor, Role};
use crate::domain::division_code::DivisionCode;
use crate::domain::division_event::plan::{self, Affected, CurrentRecord, PlaceEffect};
use crate::domain::division_event::{CheckedEvent, EventApproval, EventStatus, Proposal, may_see};
use crate::domain::field_error::{FieldError, FieldErrors};
use crate::domain::geometry::{check_no_height, parse_geometry};
use crate::domain::version::ChangeAction;
use crate::spatial::consistency::check_division_polygon;
use crate::store::StoreError;
use crate::store::audit::Author;
use crate::store::division_events::{ApplyError, Decision, StoredEvent};
use crate::store::places::{Change, StoredPlace};
use geo::{Geometry, MultiPolygon};

/// What can go wrong with a division-event use case.
///
/// ```
/// use diming::app::division_events::DivisionEventError;
/// use diming::domain::division_event::EventStatus;
///
/// let error = DivisionEventError::AlreadyDecided(EventStatus::Approved);
/// assert_eq!(error.to_string(), "the event is already approved");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum DivisionEventError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// A new polygon does not fit the registered ones (outside its parent, over a sibling) or
    /// carries heights; the fields say how.
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The caller may not do this, or not in these divisions.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// No such event, or none the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// The event was decided already.
    #[error("the event is already {}", .0.as_str())]
    AlreadyDecided(EventStatus),
    /// The event cannot be put in force in this state.
    #[error("the event is {0}, not approved")]
    NotApproved(&'static str),
    /// The divisions have changed since the event was proposed (the fields say how).
    #[error("the event no longer fits the divisions in force: {0}")]
    NoLongerFits(FieldErrors),
    /// The database failed, or a record changed under the event three times.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a pending event proposed by an admin whose jurisdiction covers every division it
/// touches, visible to the named `reviewers` (usernames of reviewers or admins). The event must
/// fit the divisions in force, and the place records it will write must pass the census rules.
pub async fn propose(
    state: &AppState,
    staff: &Staff,
    proposal: Proposal,
) -> Result<StoredEvent, DivisionEventError> {
    staff.actor.must_be_admin()?;
    let event = CheckedEvent::parse(
        proposal.kind,
        proposal.effective_on,
        &proposal.summary,
        &proposal.changes,
    )?;
    // An admin's jurisdiction must cover every division the event touches.
    staff.actor.may_edit_places_in(&event.codes())?;
    let reviewers = reviewer_ids(state, &proposal.reviewers).await?;
    state.store.division_event_fits(&event).await??;
    let mut heights = FieldErrors::default();
    for (i, change) in event.changes.iter().enumerate() {
        if let Some(geometry) = &change.geometry
            && let Err(errors) = check_no_height(geometry, &format!("changes[{i}].geometry"))
        {
            heights.extend(errors);
        }
    }
    if !heights.is_empty() {
        return Err(DivisionEventError::Inconsistent(heights));
    }
    // The place records it will write must pass the census rules now (its polygons above all).
    place_effects(state, &event, None).await?;
    check_polygons_fit(state, &event)?;
    let id = state
        .store
        .propose_division_event(&event, &proposal.changes, &reviewers, &staff.author())
        .await?;
    read(state, Some(&staff.actor), &id).await
}

/// Each new polygon of the event nests in its parent's registered area and overlaps no
/// registered division of its level, nor another new polygon of the event, by more than
/// `spatial::consistency::OVERLAP_TOLERANCE` of its area. Divisions the event redraws or
/// abolishes are measured by what the event makes of them, not by their registered areas.
fn check_polygons_fit(state: &AppState, event: &CheckedEvent) -> Result<(), DivisionEventError> {
    let polygons: Vec<(usize, DivisionCode, MultiPolygon<f64>)> = event
        .changes
        .iter()
        .enumerate()
        .filter_map(|(i, change)| {
            let code = change.to.as_ref()?.code.clone();
            let geometry = parse_geometry(change.geometry.as_ref()?, "geometry").ok()?;
            let shape = match geometry {
                Geometry::Polygon(p) => MultiPolygon(vec![p]),
                Geometry::MultiPolygon(m) => m,
                _ => return None,
            };
            Some((i, code, shape))
        })
        .collect();
    if polygons.is_empty() {
        return Ok(());
    }
    let redrawn: Vec<DivisionCode> = event
        .changes
        .iter()
        .filter(|c| c.geometry.is_some() || c.to.is_none())
        .filter_map(|c| c.from.clone())
        .collect();
    let others: Vec<(DivisionCode, MultiPolygon<f64>)> = polygons
        .iter()
        .map(|(_, code, shape)| (code.clone(), shape.clone()))
        .collect();
    let index = state
        .spatial
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut errors = FieldErrors::default();
    for (i, code, shape) in &polygons {
        let field = format!("changes[{i}].geometry");
        if let Err(problems) =
            check_division_polygon(&index, &field, code, shape, &redrawn, &others)
        {
            errors.extend(problems);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DivisionEventError::Inconsistent(errors))
    }
}

/// The user ids of the named reviewers; each must be a reviewer or an admin.
async fn reviewer_ids(state: &AppState, names: &[String]) -> Result<Vec<i64>, DivisionEventError> {
    let mut reviewers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("reviewers[{i}]");
        match state.store.account_by_username(name.trim()).await? {
            Some(account) if matches!(account.actor.role, Role::Reviewer | Role::Admin) => {
                reviewers.push(account.actor.user_id);
            }
            Some(_) => {
                return Err(FieldErrors::one(
                    field,
                    format!(
                        "{name} is not a reviewer; only reviewers and admins review division changes"
                    ),
                )
                .into());
            }
            None => {
                return Err(FieldErrors::one(field, format!("there is no user {name}")).into());
            }
        }
    }
    Ok(reviewers)
}

/// The events the caller may see, newest effective date first: all of them, or those touching
/// `code`, and of one `status` when given.
pub async fn list(
    state: &AppState,
    identity: &Identity,
    code: Option<&DivisionCode>,
    status: Option<EventStatus>,
) -> Result<Vec<StoredEvent>, DivisionEventError> {
    Ok(visible_events(state, identity.actor.as_ref(), code)
        .await?
        .into_iter()
        .filter(|e| status.is_none_or(|s| e.status == s))
        .collect())
}

/// The events touching `code` (or all) that `actor` may see.
pub(super) async fn visible_events(
    state: &AppState,
    actor: Option<&Actor>,
    code: Option<&DivisionCode>,
) -> Result<Vec<StoredEvent>, StoreError> {
    Ok(state
        .store
        .division_events(code.map(DivisionCode::as_str))
        .await?
        .into_iter()
        .filter(|e| may_see(e.status, actor, &e.reviewer_ids))
        .collect())
}

/// Event `id`, if `actor` may see it; otherwise the not-found of an event that does not exist.
pub async fn read(
    state: &AppState,
    actor: Option<&Actor>,
    id: &str,
) -> Result<StoredEvent, DivisionEventError> {
    match state.store.division_event(id.trim()).await? {
        Some(event) if may_see(event.status, actor, &event.reviewer_ids) => Ok(event),
        _ => Err(DivisionEventError::NotFound(format!(
            "there is no division event {id}"
        ))),
    }
}

/// Approves pending event `id` with `approval` (an admin covering its divisions); the event is
/// put in force at once when its effective date has come. Returns the event as it then stands.
pub async fn approve(
    state: &AppState,
    staff: &Staff,
    id: &str,
    approval: EventApproval,
) -> Result<StoredEvent, DivisionEventError> {
    let event = decidable(state, staff, id).await?;
    approval.check(event.effective_on).map_err(|errors| {
        let mut prefixed = FieldErrors::default();
        for FieldError { field, message } in errors.into_vec() {
            prefixed.push(format!("approval.{field}"), message);
        }
        prefixed
    })?;
    let checked = event.checked().map_err(DivisionEventError::NoLongerFits)?;
    state
        .store
        .division_event_fits(&checked)
        .await?
        .map_err(DivisionEventError::NoLongerFits)?;
    state
        .store
        .decide_division_event(&event.id, &Decision::Approve(approval), &staff.author())
        .await?;
    if event.effective_on <= today() {
        put_in_force(state, &event.id, &staff.author()).await?;
    }
    read(state, Some(&staff.actor), &event.id).await
}

/// Rejects pending event `id` for `reason` (1 to 500 characters; an admin or a reviewer named
/// on it, covering its divisions). Returns the event as it then stands.
pub async fn reject(
    state: &AppState,
    staff: &Staff,
    id: &str,
    reason: &str,
) -> Result<StoredEvent, DivisionEventError> {
    let event = decidable(state, staff, id).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(FieldErrors::one("reason", "1 to 500 characters").into());
    }
    state
        .store
        .decide_division_event(
            &event.id,
            &Decision::Reject(reason.to_string()),
            &staff.author(),
        )
        .await?;
    read(state, Some(&staff.actor), &event.id).await
}

/// A pending event an admin covering all its divisions may decide.
async fn decidable(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<StoredEvent, DivisionEventError> {
    // A pending event is read only by administrators and the reviewers named on it.
    let event = read(state, Some(&staff.actor), id).await?;
    let checked = event.checked().map_err(DivisionEventError::NoLongerFits)?;
    staff.actor.may_decide_changes_in(&checked.codes())?;
    if event.status != EventStatus::Pending {
        return Err(DivisionEventError::AlreadyDecided(event.status));
    }
    Ok(event)
}

/// Puts every approved event whose day has come into force: the body of the hourly job (also
/// run at start). A failure is logged and leaves the event for the next run.
pub async fn apply_due_events(state: &AppState) {
    let due = match state.store.due_division_events(today()).await {
        Ok(due) => due,
        Err(error) => return super::jobs::log_failure(&error),
    };
    for id in due {
        if let Err(error) = put_in_force(state, &id, &Author::system("division-events")).await {
            tracing::error!(event = %id, detail = %error, "an approved division change could not be put in force");
        }
    }
}

/// Puts approved event `id` in force: its changes to the divisions and to the place records in
/// one transaction, then the indexes are rebuilt so that search, reverse geocoding and division
/// chains show it.
pub async fn put_in_force(
    state: &AppState,
    id: &str,
    author: &Author,
) -> Result<(), DivisionEventError> {
    let event = state
        .store
        .division_event(id)
        .await?
        .ok_or_else(|| DivisionEventError::NotFound("no such event".into()))?;
    let checked = event.checked().map_err(DivisionEventError::NoLongerFits)?;
    // A record edited between reading it and writing the event's version is read again.
    for attempt in 0..3 {
        let effects = place_effects(state, &checked, event.approval.as_ref()).await?;
        let comment = format!("区划变更 {}: {}", event.summary, event.id);
        let change = Change {
            action: ChangeAction::Updated,
            effective_on: checked.effective_on,
            comment: Some(&comment),
            author,
            correction: None,
        };
        match state
            .store
            .apply_division_event(id, &checked, &effects, &change)
            .await
        {
            Ok(()) => break,
            Err(ApplyError::Store(StoreError::StaleVersion { .. })) if attempt < 2 => continue,
            Err(ApplyError::NoLongerFits(errors)) => {
                return Err(DivisionEventError::NoLongerFits(errors));
            }
            Err(ApplyError::NotApproved(status)) => {
                return Err(DivisionEventError::NotApproved(status));
            }
            Err(ApplyError::Store(error)) => return Err(error.into()),
        }
    }
    state.content_changed();
    state.build_indexes().await?;
    Ok(())
}

/// Reads the current records `event` touches and plans what it does to them.
async fn place_effects(
    state: &AppState,
    event: &CheckedEvent,
    approval: Option<&EventApproval>,
) -> Result<Vec<PlaceEffect>, DivisionEventError> {
    let mut affected = Affected::default();
    for code in plan::re_coded_divisions(event) {
        let records = state
            .store
            .places_in_use_within(code.significant_prefix())
            .await?;
        affected
            .within
            .insert(code.clone(), records.into_iter().map(current).collect());
    }
    for code in plan::own_records_needed(event) {
        if let Some(record) = state.store.division_place(code.as_str()).await? {
            affected.own.insert(code.clone(), current(record));
        }
    }
    Ok(plan::plan(
        event,
        approval,
        &affected,
        &state.catalog,
        today(),
    )?)
}

/// A stored record as the plan reads it.
fn current(place: StoredPlace) -> CurrentRecord {
    CurrentRecord {
        id: place.id,
        version: place.current_version,
        properties: place.properties,
        geometry: place.geometry,
    }
}
