//! `/api/v1/division-events`: administrators propose division changes, name the reviewers who
//! may see them, and record the approval that puts them in force on their effective date.
//! A pending event is confidential: anyone else gets the same 404 as for an event that does
//! not exist, and lists and counts leave it out.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::problem::Problem;
use crate::app::{Identity, Staff};
use crate::domain::account::{Actor, Role};
use crate::domain::boundary::merged_area;
use crate::domain::division_code::DivisionCode;
use crate::domain::division_event::{
    CheckedEvent, EventApproval, EventStatus, Proposal, category_of, may_see, recode,
};
use crate::domain::field_error::{FieldError, FieldErrors};
use crate::domain::place::{
    AlternateName, AlternateNameKind, Approval, PlaceProperties, PlaceStatus, ValidPlace,
};
use crate::domain::version::ChangeAction;
use crate::store::StoreError;
use crate::store::audit::Author;
use crate::store::division_events::{ApplyError, Decision, PlaceEffect, StoredEvent};
use crate::store::places::{Change, StoredPlace};

pub async fn propose(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(proposal): JsonBody<Proposal>,
) -> Result<HttpResponse, Problem> {
    staff.actor.must_be_admin()?;
    let event = CheckedEvent::parse(
        proposal.kind,
        proposal.effective_on,
        &proposal.summary,
        &proposal.changes,
    )
    .map_err(|e| Problem::invalid(e.into_vec()))?;
    // An admin's jurisdiction must cover every division the event touches.
    staff.actor.may_edit_places_in(&event.codes())?;
    let mut reviewers = Vec::new();
    for (i, name) in proposal.reviewers.iter().enumerate() {
        let field = format!("reviewers[{i}]");
        match state.store.account_by_username(name.trim()).await? {
            Some(account) if matches!(account.actor.role, Role::Reviewer | Role::Admin) => {
                reviewers.push(account.actor.user_id);
            }
            Some(_) => {
                return Err(Problem::invalid_field(
                    &field,
                    format!(
                        "{name} is not a reviewer; only reviewers and admins review division changes"
                    ),
                ));
            }
            None => {
                return Err(Problem::invalid_field(
                    &field,
                    format!("there is no user {name}"),
                ));
            }
        }
    }
    if let Err(errors) = state.store.division_event_fits(&event).await? {
        return Err(Problem::invalid(errors.into_vec()));
    }
    // The place records it will write must pass the census rules now (its polygons above all).
    place_effects(&state, &event, None).await?;
    let id = state
        .store
        .propose_division_event(&event, &proposal.changes, &reviewers, &staff.author())
        .await?;
    let stored = read_visible(&state, Some(&staff.actor), &id).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/division-events/{id}")))
        .json(stored))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    code: Option<String>,
    status: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            EventStatus::parse(s.trim()).ok_or_else(|| {
                Problem::invalid_field(
                    "status",
                    format!("{s:?} is not one of pending, approved, applied, rejected"),
                )
            })
        })
        .transpose()?;
    let code = query
        .code
        .as_deref()
        .map(|c| {
            DivisionCode::parse(c.trim())
                .map_err(|e| Problem::invalid_field("code", format!("{c}: {e}")))
        })
        .transpose()?;
    let actor = identity.actor.as_ref();
    let events: Vec<StoredEvent> = state
        .store
        .division_events(code.as_ref().map(|c| c.as_str()))
        .await?
        .into_iter()
        .filter(|e| may_see(e.status, actor, &e.reviewer_ids))
        .filter(|e| status.is_none_or(|s| e.status == s))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "numberMatched": events.len(), "events": events })))
}

pub async fn read(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let event = read_visible(&state, identity.actor.as_ref(), &path).await?;
    Ok(HttpResponse::Ok().json(event))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    approval: EventApproval,
}

pub async fn approve(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(request): JsonBody<ApproveRequest>,
) -> Result<HttpResponse, Problem> {
    let event = decidable(&state, &staff, &path).await?;
    request.approval.check(event.effective_on).map_err(|e| {
        Problem::invalid(
            e.into_vec()
                .into_iter()
                .map(|f| FieldError::new(format!("approval.{}", f.field), f.message))
                .collect(),
        )
    })?;
    let checked = event.checked().map_err(no_longer_fits)?;
    if let Err(errors) = state.store.division_event_fits(&checked).await? {
        return Err(no_longer_fits(errors));
    }
    state
        .store
        .decide_division_event(
            &event.id,
            &Decision::Approve(request.approval),
            &staff.author(),
        )
        .await?;
    if event.effective_on <= super::today() {
        put_in_force(&state, &event.id, &staff.author()).await?;
    }
    let stored = read_visible(&state, Some(&staff.actor), &event.id).await?;
    Ok(HttpResponse::Ok().json(stored))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    reason: String,
}

pub async fn reject(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(request): JsonBody<RejectRequest>,
) -> Result<HttpResponse, Problem> {
    let event = decidable(&state, &staff, &path).await?;
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Problem::invalid_field("reason", "1 to 500 characters"));
    }
    state
        .store
        .decide_division_event(
            &event.id,
            &Decision::Reject(reason.to_string()),
            &staff.author(),
        )
        .await?;
    let stored = read_visible(&state, Some(&staff.actor), &event.id).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// Puts every approved event whose day has come into force (run at start and every hour).
pub async fn apply_due_events(state: &AppState) {
    let due = match state.store.due_division_events(super::today()).await {
        Ok(due) => due,
        Err(error) => return super::problem::log_internal(&error),
    };
    for id in due {
        if let Err(problem) = put_in_force(state, &id, &Author::system("division-events")).await {
            tracing::error!(event = %id, detail = %problem.detail, "an approved division change could not be put in force");
        }
    }
}

/// Applies an approved event: its changes to the divisions and to the place records, then the
/// indexes are rebuilt so that search, reverse geocoding and division chains show it.
async fn put_in_force(state: &AppState, id: &str, author: &Author) -> Result<(), Problem> {
    let event = state
        .store
        .division_event(id)
        .await?
        .ok_or_else(|| Problem::not_found("no such event"))?;
    let checked = event.checked().map_err(no_longer_fits)?;
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
            Err(ApplyError::NoLongerFits(errors)) => return Err(no_longer_fits(errors)),
            Err(ApplyError::NotApproved(status)) => {
                return Err(Problem::conflict(format!(
                    "the event is {status}, not approved"
                )));
            }
            Err(ApplyError::Store(error)) => return Err(error.into()),
        }
    }
    state.content_changed();
    state.build_indexes().await?;
    Ok(())
}

/// The place records an event writes: each division's own record takes its new name (the old
/// one kept as a historical name), code, polygon and approval, or is retired; records lying in
/// a re-coded division take the new codes; an established division gets a record.
async fn place_effects(
    state: &AppState,
    event: &CheckedEvent,
    approval: Option<&EventApproval>,
) -> Result<Vec<PlaceEffect>, Problem> {
    let day = event.effective_on;
    let place_approval = approval.map(|a| Approval {
        authority: Some(a.authority.clone()),
        approved_on: Some(a.approved_on),
        document_number: Some(a.document_number.clone()),
    });
    let mut edits: BTreeMap<i64, (StoredPlace, PlaceProperties, Option<Value>, usize)> =
        BTreeMap::new();
    let mut created = Vec::new();
    // Each changed division's own record, by code (its entry in `edits`).
    let mut own_records: std::collections::HashMap<&DivisionCode, i64> =
        std::collections::HashMap::new();
    for (i, change) in event.changes.iter().enumerate() {
        match (&change.from, &change.to) {
            (Some(from), to) => {
                if let Some(to) = to.as_ref().filter(|t| t.code != *from) {
                    for place in state
                        .store
                        .places_in_use_within(from.significant_prefix())
                        .await?
                    {
                        let entry = edits.entry(place.id).or_insert_with(|| {
                            let properties = place.properties.clone();
                            let geometry = place.geometry.clone();
                            (place, properties, geometry, i)
                        });
                        for code in &mut entry.1.division_codes {
                            if let Some(new) = DivisionCode::parse(code)
                                .ok()
                                .and_then(|c| recode(&c, from, &to.code))
                            {
                                *code = new.as_str().to_string();
                            }
                        }
                    }
                }
                let Some(own) = state.store.division_place(from.as_str()).await? else {
                    continue;
                };
                own_records.insert(from, own.id);
                let entry = edits.entry(own.id).or_insert_with(|| {
                    let properties = own.properties.clone();
                    let geometry = own.geometry.clone();
                    (own, properties, geometry, i)
                });
                entry.3 = i;
                let properties = &mut entry.1;
                match to {
                    Some(to) => {
                        if to.name != properties.standard_name {
                            properties.alternate_names.push(AlternateName {
                                name: properties.standard_name.clone(),
                                kind: AlternateNameKind::Historical,
                                language: None,
                                valid_from: None,
                                valid_to: Some(day),
                                note: Some(event.summary.clone()),
                            });
                            properties.standard_name = to.name.clone();
                            properties.romanization = None;
                            properties.generic_romanization = None;
                        }
                        if place_approval.is_some() {
                            properties.approval = place_approval.clone();
                        }
                        if change.geometry.is_some() {
                            entry.2 = change.geometry.clone();
                        }
                    }
                    None => {
                        properties.status = PlaceStatus::Historical;
                        properties.abolished_year = Some(chrono::Datelike::year(&day));
                    }
                }
            }
            (None, Some(to)) => {
                let properties = PlaceProperties {
                    standard_name: to.name.clone(),
                    category: category_of(to.code.level(), &to.name).to_string(),
                    division_codes: vec![to.code.as_str().to_string()],
                    named_on: Some(day),
                    established_year: Some(chrono::Datelike::year(&day)),
                    approval: place_approval.clone(),
                    history: Some(event.summary.clone()),
                    ..PlaceProperties::default()
                };
                created.push((properties, change.geometry.clone(), i));
            }
            (None, None) => {}
        }
    }
    // A division others merge into takes their area when the event gives it no new polygon.
    for change in &event.changes {
        let Some(to) = &change.to else { continue };
        let absorbed: Vec<&DivisionCode> = event
            .changes
            .iter()
            .filter(|c| c.merged_into.as_ref() == Some(&to.code))
            .filter_map(|c| c.from.as_ref())
            .collect();
        if absorbed.is_empty() || change.geometry.is_some() {
            continue;
        }
        let parts: Vec<geo::Geometry<f64>> = absorbed
            .into_iter()
            .chain(change.from.as_ref())
            .filter_map(|code| edits.get(own_records.get(code)?))
            .filter_map(|(stored, ..)| crate::app::indexes::place_geometry(stored))
            .collect();
        let Some(area) = merged_area(&parts) else {
            continue;
        };
        let area =
            serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(&area)))
                .map_err(|_| Problem::internal())?;
        let target = change
            .from
            .as_ref()
            .and_then(|from| own_records.get(from))
            .and_then(|id| edits.get_mut(id));
        match target {
            Some(entry) => entry.2 = Some(area),
            None => {
                if let Some(entry) = created.iter_mut().find(|(p, _, _)| {
                    p.division_codes.first().map(String::as_str) == Some(to.code.as_str())
                }) {
                    entry.1 = Some(area);
                }
            }
        }
    }
    let mut errors = FieldErrors::default();
    let mut effects = Vec::new();
    let today = super::today();
    let mut build =
        |properties: PlaceProperties, geometry: Option<&Value>, i: usize| match ValidPlace::parse(
            properties,
            geometry,
            &state.catalog,
            today,
        ) {
            Ok(place) => Some(place.romanized_by_rules(&state.catalog)),
            Err(problems) => {
                for problem in problems.into_vec() {
                    errors.push(format!("changes[{i}].{}", problem.field), problem.message);
                }
                None
            }
        };
    for (_, (stored, properties, geometry, i)) in edits {
        if let Some(place) = build(properties, geometry.as_ref(), i) {
            effects.push(PlaceEffect::Append {
                id: stored.id,
                expected_version: stored.current_version,
                place,
            });
        }
    }
    for (properties, geometry, i) in created {
        if let Some(place) = build(properties, geometry.as_ref(), i) {
            effects.push(PlaceEffect::Create(place));
        }
    }
    errors
        .into_result(effects)
        .map_err(|e| Problem::invalid(e.into_vec()))
}

/// The event, if the actor may see it; otherwise the 404 of an event that does not exist.
async fn read_visible(
    state: &AppState,
    actor: Option<&Actor>,
    id: &str,
) -> Result<StoredEvent, Problem> {
    match state.store.division_event(id.trim()).await? {
        Some(event) if may_see(event.status, actor, &event.reviewer_ids) => Ok(event),
        _ => Err(Problem::not_found(format!(
            "there is no division event {id}"
        ))),
    }
}

/// A pending event an admin covering all its divisions may decide.
async fn decidable(state: &AppState, staff: &Staff, id: &str) -> Result<StoredEvent, Problem> {
    let event = read_visible(state, Some(&staff.actor), id).await?;
    staff.actor.must_be_admin()?;
    let checked = event.checked().map_err(no_longer_fits)?;
    staff.actor.may_edit_places_in(&checked.codes())?;
    if event.status != EventStatus::Pending {
        return Err(Problem::conflict(format!(
            "the event is already {}",
            event.status.as_str()
        )));
    }
    Ok(event)
}

fn no_longer_fits(errors: FieldErrors) -> Problem {
    let mut problem = Problem::conflict(
        "the divisions have changed since this event was proposed; it no longer fits them (see errors)",
    );
    problem.errors = errors.into_vec();
    problem
}
