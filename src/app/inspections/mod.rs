//! The joint boundary inspection (界线联检) as use cases: open a round and snapshot its basis,
//! move it through its states (`rounds`), record each side's findings one by one or as an
//! offline batch (`findings`), discuss differing items and record disputes (`discussion`),
//! tasks for the side leading a segment (`tasks`), and the report: its content and hash, the
//! two signatures, the lock, verification and the outputs (`report`).
//!
//! Who sees a round: the two sides' staff and administrators covering both; anyone else gets
//! the answer of an unknown id. Who writes: each side's team its own findings only; the lead
//! side's team or the coordinator (an administrator covering both sides) moves the round on;
//! each side's signer signs for that side.

pub mod discussion;
pub mod findings;
pub mod photos;
pub mod report;
pub mod rounds;
pub mod tasks;

use crate::domain::account::{AccessError, Actor};
use crate::domain::boundary_line::LineCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{Participation, RecordKind, RoundState, TransitionError};
use crate::domain::inspection_records::{Member, RoundRecord, participation};
use crate::store::StoreError;
use crate::store::inspections::Gated;

use super::AppState;

/// What can go wrong with an inspection use case.
#[derive(Debug, thiserror::Error)]
pub enum InspectionError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// No such round (or one the caller may not see: the same answer).
    #[error("{0}")]
    NotFound(String),
    /// The caller sees the round but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller's role or jurisdiction does not allow it (opening a round).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A state move the order or the caller does not allow.
    #[error(transparent)]
    Move(#[from] TransitionError),
    /// The round's state does not take this record.
    #[error(
        "a round in {state} takes no {}: they are recorded in {}",
        kind.noun(),
        RoundState::taking(*kind).iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    )]
    WrongState {
        /// The round's state.
        state: RoundState,
        /// What was to be written.
        kind: RecordKind,
    },
    /// The round is signed (locked) or cancelled: nothing of it changes.
    #[error("the round is {0}: its records are locked and nothing of it changes any more")]
    Locked(RoundState),
    /// The request contradicts what is recorded (a report changed since it was read, a
    /// dispute's status that does not follow, a round already running).
    #[error("{0}")]
    Conflict(String),
    /// The database failed, or an edit was stale.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The report's PDF could not be made (its font, most likely).
    #[error(transparent)]
    Pdf(#[from] crate::app::pdf::PdfError),
}

/// A round as the caller may see it: the round, its members and the caller's part in it.
#[derive(Debug, Clone)]
pub struct RoundAccess {
    /// The round with its basis.
    pub round: RoundRecord,
    /// Its members.
    pub members: Vec<Member>,
    /// The caller's part.
    pub who: Participation,
}

pub(crate) fn not_found(id: i64) -> InspectionError {
    InspectionError::NotFound(format!("there is no inspection round {id}"))
}

/// The caller's part in a round of `line_code`: coordinator when an administrator covering both
/// sides, reader when staff of either side.
pub(crate) fn part_in(actor: &Actor, line_code: &str, members: &[Member]) -> Participation {
    let (coordinator, reader) = match LineCode::parse(line_code) {
        Ok(line) => {
            let [a, b] = line.sides();
            (
                actor.may_change_shared_line(a, b).is_ok(),
                actor.on_either_side(a, b),
            )
        }
        Err(_) => (false, false),
    };
    participation(actor.user_id, members, coordinator, reader)
}

/// The round of `id` with the caller's part in it; the public, and staff of neither side, get
/// the answer of an unknown id.
pub(crate) async fn access(
    state: &AppState,
    actor: Option<&Actor>,
    id: i64,
) -> Result<RoundAccess, InspectionError> {
    let Some(actor) = actor else {
        return Err(not_found(id));
    };
    let round = state
        .store
        .inspection_round(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let members = state.store.inspection_members(id).await?;
    let who = part_in(actor, &round.line_code, &members);
    if !who.may_read() {
        return Err(not_found(id));
    }
    Ok(RoundAccess {
        round,
        members,
        who,
    })
}

impl RoundAccess {
    /// Refuses any change of a signed or cancelled round, and a record its state does not take.
    pub(crate) fn expect_takes(&self, kind: RecordKind) -> Result<(), InspectionError> {
        let state = self.round.state;
        if state.is_final() {
            return Err(InspectionError::Locked(state));
        }
        if !state.takes(kind) {
            return Err(InspectionError::WrongState { state, kind });
        }
        Ok(())
    }

    /// The side the caller records for: their team's, which must be `requested` when one is
    /// named (one side never writes the other's records).
    pub(crate) fn team_side(&self, requested: Option<&str>) -> Result<String, InspectionError> {
        let Some(mine) = self.who.side() else {
            return Err(InspectionError::Forbidden(format!(
                "you are on neither side's team of round {}: only the named inspectors of {} and {} record its findings",
                self.round.id, self.round.lead_side, self.round.cooperating_side
            )));
        };
        match requested {
            Some(side) if side != mine => Err(InspectionError::Forbidden(format!(
                "you are on the team of {mine}: the records of {side} are that side's own, and no one of another side writes, changes or deletes them"
            ))),
            _ => Ok(mine.to_string()),
        }
    }

    /// The side the caller speaks for in a discussion: their team's or the side they sign for.
    pub(crate) fn speaking_side(&self) -> Result<String, InspectionError> {
        self.who.speaks_for().map(str::to_string).ok_or_else(|| {
            InspectionError::Forbidden(
                "only the members of either side's team, and their signers, take part in the discussion".into(),
            )
        })
    }

    /// Whether the caller may manage the round's disputes and tasks: a team member of either
    /// side or the coordinator.
    pub(crate) fn expect_team_or_coordinator(&self) -> Result<(), InspectionError> {
        if self.who.coordinator || self.who.side().is_some() {
            Ok(())
        } else {
            Err(InspectionError::Forbidden(
                "only either side's team or an administrator covering both sides records this"
                    .into(),
            ))
        }
    }
}

/// A store write the round's state refused, as the error it is.
pub(crate) fn gated<T>(result: Gated<T>, kind: RecordKind) -> Result<T, InspectionError> {
    result.map_err(|state| {
        if state.is_final() {
            InspectionError::Locked(state)
        } else {
            InspectionError::WrongState { state, kind }
        }
    })
}

/// Trims a text and refuses it empty or longer than `max` characters.
pub(crate) fn text(
    value: &str,
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(field, "required");
        None
    } else if trimmed.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// Checks that every photo of `ids` belongs to the round and was uploaded by `side`.
pub(crate) async fn check_photos(
    state: &AppState,
    round_id: i64,
    side: &str,
    ids: &[(String, i64)],
    errors: &mut FieldErrors,
) -> Result<(), InspectionError> {
    if ids.is_empty() {
        return Ok(());
    }
    let numbers: Vec<i64> = ids.iter().map(|(_, id)| *id).collect();
    let sides = state
        .store
        .inspection_photo_sides(round_id, &numbers)
        .await?;
    for (field, id) in ids {
        match sides.get(id) {
            Some(owner) if owner == side => {}
            Some(owner) => errors.push(
                field.clone(),
                format!("photo {id} was uploaded by {owner}: attach your own side's photos"),
            ),
            None => errors.push(
                field.clone(),
                format!("no photo {id} was uploaded to this round: upload it first"),
            ),
        }
    }
    Ok(())
}
