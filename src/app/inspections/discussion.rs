//! Reconciliation (对比核对) and what follows it: the comparison of both sides' findings item
//! by item; the discussion of a differing item (each side comments, with photos, until both
//! accept one finding); and disputes (争议) of a segment or the line, with each side's claimed
//! line (red for the side with the smaller code, blue for the other), a status moving open →
//! negotiated → escalated → resolved (with the resolving document) and its history. An open
//! dispute does not stop the report from being signed: the report lists it and the next round
//! carries it over.
#![warn(missing_docs)]

use serde::Serialize;
use serde_json::Value;

use super::{InspectionError, access, check_photos, gated, text};
use crate::app::{AppState, Identity, Staff};
use crate::domain::boundary_line::line_geometry;
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{DisputeStatus, RecordKind, RoundState, Subject};
use crate::domain::inspection_reconcile::{Item, Reconciliation, Verdict};
use crate::domain::inspection_records::{
    AcceptanceRecord, CommentRecord, DisputeRecord, FindingRecord,
};
use crate::store::inspections::NewClaim;

/// The comparison of a round, item by item.
pub async fn reconciliation(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Reconciliation, InspectionError> {
    let access = access(state, identity.actor.as_ref(), id).await?;
    if matches!(
        access.round.state,
        RoundState::Planned | RoundState::OfficeReview | RoundState::FieldWork
    ) && !access.who.coordinator
    {
        return Err(InspectionError::Conflict(format!(
            "the round is in {}: both sides' findings are compared from reconciliation on (until then each side sees its own)",
            access.round.state
        )));
    }
    let records = state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))?;
    Ok(records.reconcile())
}

/// The discussion of one item: how it stands, both findings, the comments and acceptances.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Thread {
    /// The item as reconciled.
    pub item: Item,
    /// Both sides' current findings.
    pub findings: Vec<FindingRecord>,
    /// The comments, oldest first.
    pub comments: Vec<CommentRecord>,
    /// Every acceptance given, oldest first.
    pub acceptances: Vec<AcceptanceRecord>,
}

/// The discussion of one item.
pub async fn thread(
    state: &AppState,
    identity: &Identity,
    id: i64,
    subject: &str,
) -> Result<Thread, InspectionError> {
    let reconciled = reconciliation(state, identity, id).await?;
    let subject = subject_of(subject, "subject")?;
    let item = reconciled
        .items
        .into_iter()
        .find(|i| i.subject == subject)
        .ok_or_else(|| {
            InspectionError::NotFound(format!("{subject} is not an item of round {id}"))
        })?;
    let findings = state
        .store
        .inspection_records(id)
        .await?
        .map(|r| r.findings)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.subject == subject)
        .collect();
    Ok(Thread {
        item,
        findings,
        comments: state.store.inspection_comments(id, &subject).await?,
        acceptances: state.store.inspection_acceptances(id, &subject).await?,
    })
}

fn subject_of(text: &str, field: &str) -> Result<String, InspectionError> {
    Subject::parse(text)
        .map(|s| s.to_string())
        .map_err(|message| FieldErrors::one(field, message).into())
}

/// A comment on an item, by a side's team member or signer, with that side's photos.
pub async fn comment(
    state: &AppState,
    staff: &Staff,
    id: i64,
    subject: &str,
    body: &str,
    photo_ids: &[i64],
) -> Result<CommentRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Discussion)?;
    let side = access.speaking_side()?;
    let subject = subject_of(subject, "subject")?;
    let mut errors = FieldErrors::default();
    if !Subject::parse(&subject).is_ok_and(|s| access.round.basis.has(&s)) {
        errors.push("subject", format!("{subject} is not an item of round {id}"));
    }
    let body = text(body, "body", 2000, &mut errors);
    if photo_ids.len() > 20 {
        errors.push("photo_ids", "at most 20");
    }
    let photos: Vec<(String, i64)> = photo_ids
        .iter()
        .enumerate()
        .map(|(j, p)| (format!("photo_ids[{j}]"), *p))
        .collect();
    check_photos(state, id, &side, &photos, &mut errors).await?;
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let comment_id = gated(
        state
            .store
            .add_inspection_comment(
                id,
                &subject,
                &side,
                &body,
                photo_ids,
                &RoundState::taking(RecordKind::Discussion),
                &staff.author(),
            )
            .await?,
        RecordKind::Discussion,
    )?;
    state
        .store
        .inspection_comments(id, &subject)
        .await?
        .into_iter()
        .find(|c| c.id == comment_id)
        .ok_or_else(|| crate::store::StoreError::NotFound.into())
}

/// The caller's side accepts `accepted_side`'s finding of a differing item at `version` (the
/// current one); when both sides accept the same finding the item is settled.
pub async fn accept(
    state: &AppState,
    staff: &Staff,
    id: i64,
    subject: &str,
    accepted_side: &str,
    version: i64,
) -> Result<Item, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Discussion)?;
    let side = access.speaking_side()?;
    let subject = subject_of(subject, "subject")?;
    if access.round.side_index(accepted_side).is_none() {
        return Err(FieldErrors::one(
            "side",
            format!(
                "whose finding you accept: {} or {}",
                access.round.lead_side, access.round.cooperating_side
            ),
        )
        .into());
    }
    let records = state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))?;
    let item = records
        .reconcile()
        .items
        .into_iter()
        .find(|i| i.subject == subject)
        .ok_or_else(|| {
            FieldErrors::one("subject", format!("{subject} is not an item of round {id}"))
        })?;
    if !matches!(item.verdict, Verdict::Differing | Verdict::Settled) {
        return Err(InspectionError::Conflict(format!(
            "{subject} is {}: only differing findings are settled by acceptance",
            item.verdict.label_zh()
        )));
    }
    gated(
        state
            .store
            .accept_finding(
                id,
                &subject,
                &side,
                accepted_side,
                version,
                &RoundState::taking(RecordKind::Discussion),
                &staff.author(),
            )
            .await?,
        RecordKind::Discussion,
    )?;
    let records = state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))?;
    Ok(records
        .reconcile()
        .items
        .into_iter()
        .find(|i| i.subject == subject)
        .unwrap_or(item))
}

/// A dispute as recorded by a side's team member.
#[derive(Debug, Clone, Default)]
pub struct DisputeInput {
    /// `segment-N` or `line`.
    pub subject: String,
    /// What is disputed.
    pub description: String,
    /// The recording side's claimed line (GeoJSON LineString or MultiLineString).
    pub claim: Option<Value>,
    /// Notes on the claim.
    pub note: Option<String>,
}

fn check_claim(line: &Value, field: &str) -> Result<(), FieldErrors> {
    line_geometry(line, field).map(|_| ())
}

/// Records a dispute of a segment or the line, with the recording side's claim when given.
pub async fn open_dispute(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: DisputeInput,
) -> Result<DisputeRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Dispute)?;
    let side = access.team_side(None)?;
    let mut errors = FieldErrors::default();
    let subject = match Subject::parse(&input.subject) {
        Ok(subject) if !subject.is_marker() && access.round.basis.has(&subject) => {
            Some(subject.to_string())
        }
        Ok(subject) => {
            errors.push(
                "subject",
                format!("{subject}: a dispute is about a segment of this round's line (segment-N) or the whole line"),
            );
            None
        }
        Err(message) => {
            errors.push("subject", message);
            None
        }
    };
    let description = text(&input.description, "description", 2000, &mut errors);
    if let Some(line) = &input.claim
        && let Err(problems) = check_claim(line, "claim")
    {
        errors.extend(problems);
    }
    let note = input
        .note
        .as_deref()
        .and_then(|n| text(n, "note", 1000, &mut errors));
    let (Some(subject), Some(description)) = (subject, description) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let claim = input.claim.map(|line| NewClaim {
        side: side.clone(),
        line,
        note,
    });
    let dispute_id = gated(
        state
            .store
            .open_dispute(
                id,
                &subject,
                &description,
                claim.as_ref(),
                &RoundState::taking(RecordKind::Dispute),
                &staff.author(),
            )
            .await?,
        RecordKind::Dispute,
    )?;
    one_dispute(state, id, dispute_id).await
}

async fn one_dispute(
    state: &AppState,
    id: i64,
    dispute_id: i64,
) -> Result<DisputeRecord, InspectionError> {
    state
        .store
        .inspection_disputes(id, Some(dispute_id))
        .await?
        .pop()
        .ok_or_else(|| InspectionError::NotFound(format!("round {id} has no dispute {dispute_id}")))
}

/// A round's disputes.
pub async fn disputes(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Vec<DisputeRecord>, InspectionError> {
    access(state, identity.actor.as_ref(), id).await?;
    Ok(state.store.inspection_disputes(id, None).await?)
}

/// Sets or revises the caller's side's claimed line of a dispute (never the other side's).
pub async fn claim(
    state: &AppState,
    staff: &Staff,
    id: i64,
    dispute_id: i64,
    side: Option<&str>,
    line: Value,
    note: Option<String>,
) -> Result<DisputeRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Dispute)?;
    let side = access.team_side(side)?;
    let dispute = one_dispute(state, id, dispute_id).await?;
    if dispute.status == DisputeStatus::Resolved {
        return Err(InspectionError::Conflict(format!(
            "dispute {dispute_id} is resolved: its claims are closed"
        )));
    }
    let mut errors = FieldErrors::default();
    if let Err(problems) = check_claim(&line, "line") {
        errors.extend(problems);
    }
    let note = note
        .as_deref()
        .and_then(|n| text(n, "note", 1000, &mut errors));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    gated(
        state
            .store
            .set_dispute_claim(
                id,
                dispute_id,
                dispute.version,
                &NewClaim { side, line, note },
                &RoundState::taking(RecordKind::Dispute),
                &staff.author(),
            )
            .await?,
        RecordKind::Dispute,
    )?;
    one_dispute(state, id, dispute_id).await
}

/// Moves a dispute on: negotiated, escalated to the superior authority, resolved (with the
/// resolving document). Either side's team or the coordinator records it.
pub async fn move_dispute(
    state: &AppState,
    staff: &Staff,
    id: i64,
    dispute_id: i64,
    to: DisputeStatus,
    note: Option<String>,
    document: Option<String>,
) -> Result<DisputeRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Dispute)?;
    access.expect_team_or_coordinator()?;
    let dispute = one_dispute(state, id, dispute_id).await?;
    if !dispute.status.may_become(to) {
        return Err(InspectionError::Conflict(format!(
            "a dispute {} cannot become {}: open → negotiated → escalated → resolved (negotiation may resolve it directly)",
            dispute.status.as_str(),
            to.as_str()
        )));
    }
    let mut errors = FieldErrors::default();
    let note = note
        .as_deref()
        .and_then(|n| text(n, "note", 1000, &mut errors));
    let document = match (to, document.as_deref()) {
        (DisputeStatus::Resolved, Some(d)) => text(d, "document", 200, &mut errors),
        (DisputeStatus::Resolved, None) => {
            errors.push(
                "document",
                "required: the document that resolves the dispute (its title and number)",
            );
            None
        }
        (_, Some(_)) => {
            errors.push(
                "document",
                "a resolving document is given when the dispute is resolved",
            );
            None
        }
        (_, None) => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    gated(
        state
            .store
            .move_dispute(
                id,
                dispute_id,
                dispute.version,
                to,
                note.as_deref(),
                document.as_deref(),
                &RoundState::taking(RecordKind::Dispute),
                &staff.author(),
            )
            .await?,
        RecordKind::Dispute,
    )?;
    one_dispute(state, id, dispute_id).await
}
