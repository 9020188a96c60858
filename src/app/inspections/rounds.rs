//! Rounds: opening one (an administrator covering both sides names the round, the lead side,
//! the dates and each side's team and signer) with the snapshot of its basis — the line as
//! recorded, its markers with positions and reference objects, the segment leads, and the open
//! items of the previous signed round of the line, which carry over — reading and listing
//! rounds, moving a round through its states, and each user's worklist.
#![warn(missing_docs)]

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::{InspectionError, RoundAccess, access, part_in, text};
use crate::app::{AppState, Identity, Staff, boundaries};
use crate::domain::account::Role;
use crate::domain::boundary_line::LineCode;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{RoundState, check_move};
use crate::domain::inspection_reconcile::Verdict;
use crate::domain::inspection_records::{
    Basis, BasisLine, BasisMarker, BasisSegment, BasisSide, Carried, CarriedDispute, CarriedTask,
    Member, MemberRole, RoundRecord, SignatureRecord, TaskStatus, unrepaired_markers,
};
use crate::store::StoreError;
use crate::store::inspections::NewRound;

/// Default position tolerance (metres): GNSS point error of a marker survey is at most 1 m.
pub const DEFAULT_TOLERANCE_M: f64 = 1.0;

/// One side's team as named when a round opens.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    /// The side's division code.
    pub side: String,
    /// The usernames of its inspectors.
    pub inspectors: Vec<String>,
    /// The username of its signer.
    pub signer: String,
}

/// A round as an administrator opens it.
#[derive(Debug, Clone, Default)]
pub struct OpenInput {
    /// The line code (two division codes, smaller first).
    pub line_code: String,
    /// 第N轮 of the line, or …
    pub round_number: Option<i64>,
    /// … the cause of an ad-hoc inspection (flood, river diversion, road works).
    pub adhoc_cause: Option<String>,
    /// The lead side (牵头方).
    pub lead_side: String,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// The position tolerance in metres (default 1).
    pub tolerance_m: Option<f64>,
    /// Both sides' teams.
    pub teams: Vec<TeamInput>,
}

/// The caller's part in a round.
#[derive(Debug, Clone, Serialize)]
pub struct YourPart {
    /// An administrator covering both sides.
    pub coordinator: bool,
    /// The side whose team the caller is on.
    pub team_side: Option<String>,
    /// The sides the caller signs for.
    pub signs_for: Vec<String>,
}

/// A round as read.
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    /// The round.
    #[serde(flatten)]
    pub round: RoundRecord,
    /// 第七轮 or 专项（cause）.
    pub label: String,
    /// Its state's name.
    pub state_label: String,
    /// What it inspects, as it stood when the round opened.
    pub basis: Basis,
    /// Both teams and signers.
    pub members: Vec<Member>,
    /// The signatures given, voided ones included.
    pub signatures: Vec<SignatureRecord>,
    /// The caller's part.
    pub your_part: YourPart,
    /// The states the caller may move the round to now.
    pub moves: Vec<RoundState>,
}

/// A round in a list.
#[derive(Debug, Clone, Serialize)]
pub struct RoundSummary {
    /// The round (without its basis).
    #[serde(flatten)]
    pub round: RoundRecord,
    /// 第七轮 or 专项（cause）.
    pub label: String,
    /// The sides' names, smaller code first.
    pub side_names: [String; 2],
    /// Markers in the basis.
    pub markers: usize,
}

/// Opens a round: only an administrator whose jurisdiction covers both sides (or the level
/// above both). Another round of the line still running, or the round number taken, is a
/// conflict.
pub async fn open(
    state: &AppState,
    staff: &Staff,
    input: OpenInput,
) -> Result<RoundView, InspectionError> {
    let line = LineCode::parse(input.line_code.trim())
        .map_err(|e| FieldErrors::one("line_code", e.to_string()))?;
    let [a, b] = line.sides();
    staff.actor.may_change_shared_line(a, b)?;
    let sides = [a.as_str().to_string(), b.as_str().to_string()];
    let mut errors = FieldErrors::default();
    let (number, cause) = match (input.round_number, input.adhoc_cause.as_deref()) {
        (Some(n), None) if (1..=99).contains(&n) => (Some(n), None),
        (Some(_), None) => {
            errors.push("round_number", "a round number from 1 to 99");
            (None, None)
        }
        (None, Some(cause)) => (None, text(cause, "adhoc_cause", 200, &mut errors)),
        _ => {
            errors.push(
                "round_number",
                "give the round number (第N轮 of this line) or, for an ad-hoc inspection, adhoc_cause — one of them",
            );
            (None, None)
        }
    };
    let lead = input.lead_side.trim().to_string();
    if !sides.contains(&lead) {
        errors.push(
            "lead_side",
            format!(
                "the lead side is one of the line's sides: {} or {}",
                sides[0], sides[1]
            ),
        );
    }
    let (start, end) = match (input.planned_start, input.planned_end) {
        (Some(start), Some(end)) if end >= start => (start, end),
        (Some(start), Some(_)) => {
            errors.push(
                "planned_end",
                "the planned end is on or after the planned start",
            );
            (start, start)
        }
        (start, end) => {
            if start.is_none() {
                errors.push("planned_start", "required: YYYY-MM-DD");
            }
            if end.is_none() {
                errors.push("planned_end", "required: YYYY-MM-DD");
            }
            (NaiveDate::MIN, NaiveDate::MIN)
        }
    };
    let tolerance_m = input.tolerance_m.unwrap_or(DEFAULT_TOLERANCE_M);
    if !(tolerance_m > 0.0 && tolerance_m <= 100.0) {
        errors.push("tolerance_m", "more than 0 and at most 100 metres");
    }
    let members = check_teams(state, &input.teams, &sides, &mut errors).await?;
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let cooperating = if lead == sides[0] {
        &sides[1]
    } else {
        &sides[0]
    };
    let (basis, previous) = snapshot(state, staff, &line).await?;
    let round = NewRound {
        line_code: &line.as_string(),
        lead_side: &lead,
        cooperating_side: cooperating,
        number,
        adhoc_cause: cause.as_deref(),
        planned_start: start,
        planned_end: end,
        tolerance_m,
        basis: &basis,
        previous_round_id: previous,
        members: &members,
    };
    let id = state
        .store
        .open_inspection_round(&round, &staff.author())
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists(what) => InspectionError::Conflict(format!(
                "{what} exists already: a line has one round running at a time, and each round number once"
            )),
            other => other.into(),
        })?;
    read_for(state, Some(&staff.actor), id).await
}

/// Checks both teams: one per side, each with 1 to 20 inspectors and a signer, every account
/// existing, active and working in its side, no one on both sides.
async fn check_teams(
    state: &AppState,
    teams: &[TeamInput],
    sides: &[String; 2],
    errors: &mut FieldErrors,
) -> Result<Vec<Member>, InspectionError> {
    let mut members = Vec::new();
    if teams.len() != 2 {
        errors.push("teams", "two teams, one for each side of the line");
        return Ok(members);
    }
    let mut seen_sides = HashSet::new();
    let mut side_of_user = std::collections::HashMap::new();
    for (i, team) in teams.iter().enumerate() {
        let side = team.side.trim().to_string();
        if !sides.contains(&side) {
            errors.push(
                format!("teams[{i}].side"),
                format!("one of the line's sides: {} or {}", sides[0], sides[1]),
            );
            continue;
        }
        if !seen_sides.insert(side.clone()) {
            errors.push(
                format!("teams[{i}].side"),
                format!("{side} has a team already"),
            );
            continue;
        }
        if team.inspectors.is_empty() || team.inspectors.len() > 20 {
            errors.push(format!("teams[{i}].inspectors"), "1 to 20 inspectors");
        }
        let named = team
            .inspectors
            .iter()
            .enumerate()
            .map(|(j, name)| {
                (
                    format!("teams[{i}].inspectors[{j}]"),
                    name,
                    MemberRole::Inspector,
                )
            })
            .chain(std::iter::once((
                format!("teams[{i}].signer"),
                &team.signer,
                MemberRole::Signer,
            )));
        for (field, name, role) in named {
            let Some(account) = state
                .store
                .account_by_username(&name.trim().to_lowercase())
                .await?
                .filter(|a| !a.disabled)
            else {
                errors.push(field, format!("there is no active account {name:?}"));
                continue;
            };
            let actor = account.actor;
            let code = DivisionCode::parse(&side)
                .map_err(|e| FieldErrors::one(field.clone(), e.to_string()))?;
            if !actor.works_in(&code) {
                errors.push(
                    field,
                    format!(
                        "{} does not work in {side}: a side's team and signer are its own staff",
                        actor.username
                    ),
                );
                continue;
            }
            if role == MemberRole::Inspector && actor.role == Role::Reviewer {
                errors.push(
                    field,
                    "a reviewer records no findings: name an inspector, editor or administrator",
                );
                continue;
            }
            if let Some(other) = side_of_user.insert(actor.user_id, side.clone())
                && other != side
            {
                errors.push(
                    field,
                    format!("{} is on the other side's team already", actor.username),
                );
                continue;
            }
            if members
                .iter()
                .any(|m: &Member| m.user_id == actor.user_id && m.role == role)
            {
                errors.push(field, format!("{} is named twice", actor.username));
                continue;
            }
            members.push(Member {
                user_id: actor.user_id,
                username: actor.username,
                side: side.clone(),
                role,
            });
        }
    }
    Ok(members)
}

/// The basis of a new round of `line`, and the previous signed round whose open items it
/// carries over.
async fn snapshot(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
) -> Result<(Basis, Option<i64>), InspectionError> {
    let view = boundaries::between(state, staff, line, None)
        .await
        .map_err(|e| match e {
            boundaries::BoundaryError::NotFound(detail) => {
                InspectionError::Invalid(FieldErrors::one(
                    "line_code",
                    format!("{detail}: there is no line to inspect"),
                ))
            }
            boundaries::BoundaryError::Store(e) => e.into(),
            other => InspectionError::Conflict(other.to_string()),
        })?;
    let code = line.as_string();
    let geometry = serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(
        &view.shape,
    )))
    .map_err(|e| StoreError::Corrupt(format!("line geometry: {e}")))?;
    let [a, b] = line.sides();
    let mut sides = Vec::with_capacity(2);
    for (i, code) in [a, b].into_iter().enumerate() {
        // The in-memory directory first; the register for a division it does not hold yet.
        let name = match view.side_names[i].clone() {
            Some(name) => name,
            None => state
                .store
                .division_as_of(code, crate::app::today())
                .await?
                .map_or_else(|| code.as_str().to_string(), |d| d.name),
        };
        sides.push(BasisSide {
            code: code.as_str().to_string(),
            name,
        });
    }
    let sides: [BasisSide; 2] = sides
        .try_into()
        .map_err(|_| StoreError::Corrupt("a line has two sides".into()))?;
    let mut markers = Vec::new();
    for marker in state.store.line_markers(&code).await? {
        let conditions = state.store.marker_conditions(marker.id).await?;
        markers.push(BasisMarker {
            references: state.store.marker_references(marker.id).await?,
            condition: conditions.last().map(|c| c.condition.clone()),
            position_version: state
                .store
                .marker_position_version(&marker.marker_number)
                .await?
                .unwrap_or(1),
            number: marker.marker_number,
            marker_type: marker.marker_type,
            lon: marker.lon,
            lat: marker.lat,
            surveyed_crs: marker.surveyed_crs,
            surveyed_x: marker.surveyed_x,
            surveyed_y: marker.surveyed_y,
            material: marker.material,
            installed_on: marker.installed_on,
        });
    }
    let segments = view
        .segments
        .iter()
        .map(|s| BasisSegment {
            number: s.number as u32,
            from_marker: s.from_marker.clone(),
            to_marker: s.to_marker.clone(),
            lead: s.lead.clone(),
            length_m: (s.length_m * 1000.0).round() / 1000.0,
        })
        .collect();
    let previous = state.store.latest_signed_round(&code).await?;
    let mut carried = Carried {
        previous_round: previous,
        ..Default::default()
    };
    if let Some(previous) = previous
        && let Some(records) = state.store.inspection_records(previous).await?
    {
        carried.unrepaired_markers = unrepaired_markers(&records.report());
        carried.tasks = records
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Open)
            .map(|t| CarriedTask {
                id: t.id,
                marker_number: t.marker_number.clone(),
                action: t.action,
                side: t.side.clone(),
            })
            .collect();
        carried.disputes = records
            .disputes
            .iter()
            .filter(|d| d.status != crate::domain::inspection::DisputeStatus::Resolved)
            .map(|d| CarriedDispute {
                id: d.id,
                subject: d.subject.clone(),
                description: d.description.clone(),
                status: d.status.as_str().to_string(),
            })
            .collect();
    }
    let recorded = view.recorded.as_ref();
    let basis = Basis {
        line: BasisLine {
            code,
            sides,
            recorded_version: recorded.map(|r| r.version),
            agreement: recorded.and_then(|r| r.agreement.clone()),
            approved_by: recorded.and_then(|r| r.approved_by.clone()),
            length_m: (view.length_m() * 1000.0).round() / 1000.0,
            geometry,
        },
        markers,
        segments,
        carried,
    };
    Ok((basis, previous))
}

/// A round with its basis, members, signatures and the caller's part.
pub async fn read(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<RoundView, InspectionError> {
    read_for(state, identity.actor.as_ref(), id).await
}

async fn read_for(
    state: &AppState,
    actor: Option<&crate::domain::account::Actor>,
    id: i64,
) -> Result<RoundView, InspectionError> {
    let RoundAccess {
        round,
        members,
        who,
    } = access(state, actor, id).await?;
    let signatures = state.store.inspection_signatures(id).await?;
    let moves = RoundState::ALL
        .into_iter()
        .filter(|to| check_move(round.state, *to, &who, &round.lead_side).is_ok())
        .collect();
    Ok(RoundView {
        label: round.label_zh(),
        state_label: round.state.label_zh().to_string(),
        basis: round.basis.clone(),
        members,
        signatures,
        your_part: YourPart {
            coordinator: who.coordinator,
            team_side: who.team_side.clone(),
            signs_for: who.signs_for.clone(),
        },
        moves,
        round,
    })
}

/// The rounds the caller may see (of one line), newest first.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    line: Option<&LineCode>,
) -> Result<Vec<RoundSummary>, InspectionError> {
    let code = line.map(LineCode::as_string);
    let mut summaries = Vec::new();
    for round in state.store.inspection_rounds(code.as_deref()).await? {
        let members = state.store.inspection_members(round.id).await?;
        if !part_in(&staff.actor, &round.line_code, &members).may_read() {
            continue;
        }
        summaries.push(RoundSummary {
            label: round.label_zh(),
            side_names: [
                round.basis.line.sides[0].name.clone(),
                round.basis.line.sides[1].name.clone(),
            ],
            markers: round.basis.markers.len(),
            round,
        });
    }
    Ok(summaries)
}

/// Moves a round to `to` if it is still at version `expected` (its ETag): the lead side's team
/// or the coordinator along the course (and back from signing to reconciliation), only the
/// coordinator cancels (with a reason), only both signatures make it signed.
pub async fn move_to(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    to: RoundState,
    reason: Option<&str>,
) -> Result<RoundView, InspectionError> {
    let RoundAccess { round, who, .. } = access(state, Some(&staff.actor), id).await?;
    check_move(round.state, to, &who, &round.lead_side)?;
    let mut errors = FieldErrors::default();
    let reason = match reason {
        Some(reason) => text(reason, "reason", 500, &mut errors),
        None if to == RoundState::Cancelled => {
            errors.push("reason", "required: why the round is cancelled");
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    crate::store::expect_version(expected, round.version)?;
    state
        .store
        .move_inspection_round(id, expected, to, reason.as_deref(), &staff.author())
        .await?;
    read_for(state, Some(&staff.actor), id).await
}

/// What waits for the caller in one round.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// The round.
    pub round_id: i64,
    /// Its line.
    pub line_code: String,
    /// 第七轮 …
    pub label: String,
    /// Its state.
    pub state: RoundState,
    /// The caller's side, when on a team or signing.
    pub side: Option<String>,
    /// Items the caller's side has not recorded yet (field work and reconciliation).
    pub findings_to_record: Vec<String>,
    /// Differing items the caller's side has not accepted a current finding of.
    pub items_to_answer: Vec<String>,
    /// Open tasks of the caller's side: (task id, marker, action).
    pub tasks: Vec<(i64, String, String)>,
    /// Whether the report waits for the caller's signature.
    pub to_sign: bool,
    /// The states the caller may move the round to.
    pub moves: Vec<RoundState>,
}

/// What waits for the caller: findings to record, items to answer, tasks, reports to sign,
/// rounds to move on.
pub async fn worklist(state: &AppState, staff: &Staff) -> Result<Vec<WorkItem>, InspectionError> {
    let mine: HashSet<i64> = state
        .store
        .inspection_rounds_of_member(staff.actor.user_id)
        .await?
        .into_iter()
        .collect();
    let mut items = Vec::new();
    for round in state.store.inspection_rounds(None).await? {
        if round.state.is_final() {
            continue;
        }
        let members = state.store.inspection_members(round.id).await?;
        let who = part_in(&staff.actor, &round.line_code, &members);
        if !mine.contains(&round.id) && !who.coordinator {
            continue;
        }
        let Some(records) = state.store.inspection_records(round.id).await? else {
            continue;
        };
        let side = who.speaks_for().map(str::to_string);
        let mut item = WorkItem {
            round_id: round.id,
            line_code: round.line_code.clone(),
            label: round.label_zh(),
            state: round.state,
            side: side.clone(),
            findings_to_record: Vec::new(),
            items_to_answer: Vec::new(),
            tasks: Vec::new(),
            to_sign: false,
            moves: RoundState::ALL
                .into_iter()
                .filter(|to| check_move(round.state, *to, &who, &round.lead_side).is_ok())
                .collect(),
        };
        if let Some(team) = who.side() {
            if matches!(
                round.state,
                RoundState::FieldWork | RoundState::Reconciliation
            ) {
                item.findings_to_record = round
                    .basis
                    .subjects()
                    .iter()
                    .map(ToString::to_string)
                    .filter(|s| records.current(team, s).is_none())
                    .collect();
            }
            item.tasks = records
                .tasks
                .iter()
                .filter(|t| t.side == team && t.status == TaskStatus::Open)
                .map(|t| (t.id, t.marker_number.clone(), t.action.as_str().to_string()))
                .collect();
        }
        if let Some(side) = &side
            && matches!(
                round.state,
                RoundState::Reconciliation | RoundState::Signing
            )
        {
            item.items_to_answer = records
                .reconcile()
                .items
                .into_iter()
                .filter(|i| i.verdict == Verdict::Differing)
                .filter(|i| {
                    !records.acceptances.iter().any(|a| {
                        &a.side == side && a.subject == i.subject && {
                            records
                                .current(&a.accepted_side, &i.subject)
                                .is_some_and(|f| f.version == a.accepted_version)
                        }
                    })
                })
                .map(|i| i.subject)
                .collect();
        }
        if round.state == RoundState::Signing {
            let signed = state.store.inspection_signatures(round.id).await?;
            item.to_sign = who.signs_for.iter().any(|s| {
                !signed
                    .iter()
                    .any(|sig| &sig.side == s && sig.voided_at.is_none())
            });
        }
        let pending = !item.findings_to_record.is_empty()
            || !item.items_to_answer.is_empty()
            || !item.tasks.is_empty()
            || item.to_sign
            || !item.moves.is_empty();
        if pending {
            items.push(item);
        }
    }
    Ok(items)
}
