//! Each side's findings: one at a time, or a batch captured offline on a device (each item with
//! the device's own id and capture time: the same batch sent twice changes nothing the second
//! time, and an item whose finding changed on the server since the device saw it is a conflict
//! of that item, not overwritten). A measured position is kept as surveyed, converted through
//! PROJ, and measured against the registered position by its geodesic offset. One side's team
//! never writes the other side's findings; during field work a side sees only its own.
#![warn(missing_docs)]

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{InspectionError, RoundAccess, access, check_photos, gated};
use crate::app::{AppState, Identity, Staff, today};
use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{RecordKind, RoundState, Subject};
use crate::domain::inspection_finding::{
    Finding, FindingInput, MeasuredPosition, PositionInput, check_input, finding_from,
    geodesic_offset_m,
};
use crate::domain::inspection_records::{FindingRecord, RoundRecord};
use crate::spatial::reproject::convert_with;
use crate::store::StoreError;
use crate::store::inspections::{FindingOutcome, NewFinding};

/// The most items one batch carries.
pub const MAX_BATCH_ITEMS: usize = 500;
/// How far ahead of the server's clock a device's capture time may be (clocks drift).
const CLOCK_SKEW_MINUTES: i64 = 10;

/// One finding as sent: its subject, the version of the side's finding the sender last saw
/// (0: none) and the finding.
#[derive(Debug, Clone)]
pub struct Submission {
    /// `330421330482001A`, `segment-3` or `line`.
    pub subject: String,
    /// The version the sender last saw.
    pub base_version: i64,
    /// The finding.
    pub finding: FindingInput,
}

/// One item of an offline batch.
#[derive(Debug, Clone)]
pub struct BatchItem {
    /// The device's id of the capture.
    pub client_id: String,
    /// When the device captured it.
    pub captured_at: Option<DateTime<Utc>>,
    /// The finding.
    pub submission: Submission,
}

/// What became of one item of a batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// The device's id.
    pub client_id: String,
    /// The subject.
    pub subject: String,
    /// `recorded`, `unchanged` (sent before), `conflict` (changed on the server since the
    /// device saw it) or `client_id_taken` (the id names another finding).
    pub status: &'static str,
    /// The version stored (recorded or unchanged).
    pub version: Option<i64>,
    /// The server's current version, for a conflict.
    pub current_version: Option<i64>,
}

/// What a batch did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchResult {
    /// The side recorded for.
    pub side: String,
    /// Each item, in the order sent.
    pub items: Vec<ItemResult>,
    /// How many were stored now.
    pub recorded: usize,
    /// How many were stored before.
    pub unchanged: usize,
    /// How many were not stored.
    pub conflicts: usize,
}

/// Records one finding of the caller's side (`side`, when given, must be it); a finding
/// changed since `base_version` is a stale edit (nothing stored).
pub async fn record(
    state: &AppState,
    staff: &Staff,
    id: i64,
    side: Option<&str>,
    submission: Submission,
) -> Result<FindingRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Finding)?;
    let side = access.team_side(side)?;
    let (subject, finding) = prepare(state, &access.round, &side, &submission, "").await?;
    let item = NewFinding {
        subject: subject.to_string(),
        base_version: submission.base_version,
        finding,
        client_id: None,
        captured_at: None,
    };
    let outcome = gated(
        state
            .store
            .record_findings(
                id,
                &side,
                std::slice::from_ref(&item),
                &RoundState::taking(RecordKind::Finding),
                &staff.author(),
            )
            .await?,
        RecordKind::Finding,
    )?;
    match outcome.first() {
        Some(FindingOutcome::Recorded(_)) => {}
        Some(FindingOutcome::Conflict { current }) => {
            return Err(StoreError::StaleVersion {
                expected: submission.base_version,
                current: *current,
            }
            .into());
        }
        _ => return Err(StoreError::Corrupt("a finding without its outcome".into()).into()),
    }
    current_of(state, id, &side, &item.subject).await
}

async fn current_of(
    state: &AppState,
    id: i64,
    side: &str,
    subject: &str,
) -> Result<FindingRecord, InspectionError> {
    state
        .store
        .finding_history(id, subject)
        .await?
        .into_iter()
        .rfind(|f| f.side == side)
        .ok_or_else(|| StoreError::NotFound.into())
}

/// Records a batch captured offline for the caller's side. The batch is checked whole first
/// (every field at fault named, `items[2].finding.condition`; nothing stored when any is);
/// then each item is stored, found stored before, or reported as a conflict.
pub async fn record_batch(
    state: &AppState,
    staff: &Staff,
    id: i64,
    side: Option<&str>,
    items: Vec<BatchItem>,
) -> Result<BatchResult, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Finding)?;
    let side = access.team_side(side)?;
    let mut errors = FieldErrors::default();
    if items.is_empty() || items.len() > MAX_BATCH_ITEMS {
        errors.push("items", format!("1 to {MAX_BATCH_ITEMS} findings"));
    }
    let latest = Utc::now() + Duration::minutes(CLOCK_SKEW_MINUTES);
    let mut client_ids = HashSet::new();
    let mut subjects = HashSet::new();
    let mut prepared = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("items[{i}].");
        let client_id = item.client_id.trim();
        let well_formed = (1..=64).contains(&client_id.len())
            && client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if !well_formed {
            errors.push(
                format!("{prefix}client_id"),
                "the device's id of the capture: 1 to 64 letters, digits, '-', '_', '.' or ':'",
            );
        } else if !client_ids.insert(client_id.to_string()) {
            errors.push(
                format!("{prefix}client_id"),
                format!("{client_id:?} appears twice in the batch"),
            );
        }
        if item.captured_at.is_some_and(|at| at > latest) {
            errors.push(
                format!("{prefix}captured_at"),
                "a capture cannot lie in the future",
            );
        }
        match prepare(state, &access.round, &side, &item.submission, &prefix).await {
            Ok((subject, finding)) => {
                if !subjects.insert(subject.to_string()) {
                    errors.push(
                        format!("{prefix}subject"),
                        format!(
                            "{subject} appears twice in the batch: send its latest capture only"
                        ),
                    );
                }
                prepared.push(NewFinding {
                    subject: subject.to_string(),
                    base_version: item.submission.base_version,
                    finding,
                    client_id: Some(client_id.to_string()),
                    captured_at: item.captured_at,
                });
            }
            Err(InspectionError::Invalid(problems)) => errors.extend(problems),
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let outcomes = gated(
        state
            .store
            .record_findings(
                id,
                &side,
                &prepared,
                &RoundState::taking(RecordKind::Finding),
                &staff.author(),
            )
            .await?,
        RecordKind::Finding,
    )?;
    let mut result = BatchResult {
        side,
        items: Vec::with_capacity(prepared.len()),
        recorded: 0,
        unchanged: 0,
        conflicts: 0,
    };
    for (item, outcome) in prepared.iter().zip(outcomes) {
        let (status, version, current_version) = match outcome {
            FindingOutcome::Recorded(v) => {
                result.recorded += 1;
                ("recorded", Some(v), None)
            }
            FindingOutcome::Unchanged(v) => {
                result.unchanged += 1;
                ("unchanged", Some(v), None)
            }
            FindingOutcome::Conflict { current } => {
                result.conflicts += 1;
                ("conflict", None, Some(current))
            }
            FindingOutcome::ClientIdTaken => {
                result.conflicts += 1;
                ("client_id_taken", None, None)
            }
        };
        result.items.push(ItemResult {
            client_id: item.client_id.clone().unwrap_or_default(),
            subject: item.subject.clone(),
            status,
            version,
            current_version,
        });
    }
    Ok(result)
}

/// Checks a submission against the round (its subject in the basis, the finding's fields, its
/// photos the side's own) and measures its position; fields are named below `prefix`.
async fn prepare(
    state: &AppState,
    round: &RoundRecord,
    side: &str,
    submission: &Submission,
    prefix: &str,
) -> Result<(Subject, Finding), InspectionError> {
    let mut errors = FieldErrors::default();
    if submission.base_version < 0 {
        errors.push(
            format!("{prefix}base_version"),
            "the version of your side's finding you last saw: 0 for none",
        );
    }
    let subject = match Subject::parse(&submission.subject) {
        Ok(subject) if round.basis.has(&subject) => Some(subject),
        Ok(subject) => {
            errors.push(
                format!("{prefix}subject"),
                format!("{subject} is not an item of this round: a marker of its basis, segment-1 to segment-{} or line", round.basis.segments.len()),
            );
            None
        }
        Err(message) => {
            errors.push(format!("{prefix}subject"), message);
            None
        }
    };
    let Some(subject) = subject else {
        return Err(errors.into());
    };
    let input = &submission.finding;
    let field = format!("{prefix}finding");
    let sides = round.basis.line.sides.each_ref().map(|s| s.code.as_str());
    errors.extend(check_input(&subject, input, sides, today(), &field));
    let position = match (&subject, &input.position) {
        (Subject::Marker(number), Some(position)) => {
            match measure(round, number, position, &format!("{field}.position")) {
                Ok(measured) => Some(measured),
                Err(problems) => {
                    errors.extend(problems);
                    None
                }
            }
        }
        _ => None,
    };
    let mut photos: Vec<(String, i64)> = input
        .photo_ids
        .iter()
        .enumerate()
        .map(|(j, id)| (format!("{field}.photo_ids[{j}]"), *id))
        .collect();
    for (k, change) in input.changes.iter().enumerate() {
        photos.extend(
            change
                .photo_ids
                .iter()
                .enumerate()
                .map(|(j, id)| (format!("{field}.changes[{k}].photo_ids[{j}]"), *id)),
        );
    }
    check_photos(state, round.id, side, &photos, &mut errors).await?;
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok((subject, finding_from(input.clone(), position)))
}

/// A marker's measured position: kept as surveyed, converted to CGCS2000 through PROJ (a
/// position outside its declared zone is refused naming `x`), and its geodesic offset from the
/// registered position in the basis.
fn measure(
    round: &RoundRecord,
    number: &str,
    input: &PositionInput,
    field: &str,
) -> Result<MeasuredPosition, FieldErrors> {
    let crs = Crs::parse(input.crs.as_deref().unwrap_or("EPSG:4490"))
        .map_err(|e| FieldErrors::one(format!("{field}.crs"), e.to_string()))?;
    let helmert = input
        .helmert
        .as_deref()
        .map(Helmert::parse)
        .transpose()
        .map_err(|e| FieldErrors::one(format!("{field}.helmert"), e.to_string()))?;
    let (lon, lat) = convert_with(crs, Crs::Cgcs2000, input.x, input.y, helmert.as_ref())
        .map_err(|e| FieldErrors::one(format!("{field}.{}", e.field()), e.to_string()))?;
    let (lon, lat) = (Crs::Cgcs2000.round(lon), Crs::Cgcs2000.round(lat));
    let registered = round
        .basis
        .marker(number)
        .ok_or_else(|| FieldErrors::one(field, format!("marker {number} is not in the basis")))?;
    let offset_m = geodesic_offset_m((registered.lon, registered.lat), (lon, lat));
    Ok(MeasuredPosition {
        crs: crs.to_string(),
        x: input.x,
        y: input.y,
        lon,
        lat,
        offset_m,
        exceeds_tolerance: offset_m > round.tolerance_m,
    })
}

/// Whether the caller sees `side`'s findings: the coordinator always, anyone from
/// reconciliation on; before, each side sees its own only (the teams record independently).
fn sees(access: &RoundAccess, side: &str) -> bool {
    let compared = matches!(
        access.round.state,
        RoundState::Reconciliation
            | RoundState::Signing
            | RoundState::Signed
            | RoundState::Cancelled
    );
    compared
        || access.who.coordinator
        || access.who.speaks_for() == Some(side)
        || access.who.signs_for.iter().any(|s| s == side)
}

/// Both sides' current findings the caller may see.
pub async fn current(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Vec<FindingRecord>, InspectionError> {
    let access = access(state, identity.actor.as_ref(), id).await?;
    let records = state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))?;
    Ok(records
        .findings
        .into_iter()
        .filter(|f| sees(&access, &f.side))
        .collect())
}

/// Every version of the findings of one subject the caller may see, oldest first.
pub async fn history(
    state: &AppState,
    identity: &Identity,
    id: i64,
    subject: &str,
) -> Result<Vec<FindingRecord>, InspectionError> {
    let access = access(state, identity.actor.as_ref(), id).await?;
    let subject =
        Subject::parse(subject).map_err(|message| FieldErrors::one("subject", message))?;
    Ok(state
        .store
        .finding_history(id, &subject.to_string())
        .await?
        .into_iter()
        .filter(|f| sees(&access, &f.side))
        .collect())
}
