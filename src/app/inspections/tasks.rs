//! Actions (art. 6): a marker to repair, rebuild, move or add becomes a task for the side that
//! leads its segment; completing it records the day, photos and who of the other side was
//! present (art. 16(4) punishes repairs made without the neighbour). A moved or new marker
//! enters the marker register only when the report carrying the completed task is signed.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{InspectionError, access, check_photos, gated, text};
use crate::app::{AppState, Identity, Staff, today};
use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{RecordKind, RoundState, TaskAction};
use crate::domain::inspection_finding::PositionInput;
use crate::domain::inspection_records::{NewPosition, TaskRecord, TaskStatus};
use crate::domain::marker::MarkerId;
use crate::spatial::reproject::convert_with;
use crate::store::inspections::{NewTask, TaskCompletion};

/// A task as recorded.
#[derive(Debug, Clone)]
pub struct TaskInput {
    /// The marker (a new number for `add`).
    pub marker_number: String,
    /// What to do.
    pub action: TaskAction,
    /// Why.
    pub reason: Option<String>,
    /// Where a moved or new marker is set, in any supported system.
    pub new_position: Option<PositionInput>,
}

/// A task's completion.
#[derive(Debug, Clone, Default)]
pub struct CompletionInput {
    /// The day the work was done.
    pub completed_on: Option<NaiveDate>,
    /// Who of each side was present: the other side must be.
    pub present: BTreeMap<String, Vec<String>>,
    /// Photos of the work (the doing side's own).
    pub photo_ids: Vec<i64>,
    /// Notes.
    pub notes: Option<String>,
}

/// Records a task for the side that leads the marker's segment (the lead side of the round
/// where the agreement assigns none). Either side's team or the coordinator records it.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: TaskInput,
) -> Result<TaskRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Task)?;
    access.expect_team_or_coordinator()?;
    let round = &access.round;
    let mut errors = FieldErrors::default();
    let number = match input.marker_number.parse::<MarkerId>() {
        Ok(number) if number.line_code() != round.line_code => {
            errors.push(
                "marker_number",
                format!("{number} is not a marker of line {}", round.line_code),
            );
            None
        }
        Ok(number) => Some(number),
        Err(e) => {
            errors.push("marker_number", e.to_string());
            None
        }
    };
    if let Some(number) = &number {
        // A new number must be free in the basis and in the register (which may have gained
        // markers since the round opened).
        let registered = round.basis.marker(&number.to_string()).is_some()
            || state.store.marker(&number.to_string()).await?.is_some();
        match (input.action, registered) {
            (TaskAction::Add, true) => errors.push(
                "marker_number",
                format!("{number} is registered already: a new marker needs a new number"),
            ),
            (TaskAction::Add, false) => {}
            (_, _) if round.basis.marker(&number.to_string()).is_none() => errors.push(
                "marker_number",
                format!("{number} is not a marker of this round's basis"),
            ),
            _ => {}
        }
    }
    let reason = input
        .reason
        .as_deref()
        .and_then(|r| text(r, "reason", 1000, &mut errors));
    let new_position = match (input.action.changes_the_register(), &input.new_position) {
        (true, Some(position)) => match converted(position, "new_position") {
            Ok(position) => Some(position),
            Err(problems) => {
                errors.extend(problems);
                None
            }
        },
        (true, None) => {
            errors.push(
                "new_position",
                "required for a move or a new marker: the position surveyed jointly",
            );
            None
        }
        (false, Some(_)) => {
            errors.push(
                "new_position",
                "a repair or rebuild keeps the marker where it stood",
            );
            None
        }
        (false, None) => None,
    };
    let Some(number) = number.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let stop = number.to_string();
    let stop = stop.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let side = round
        .basis
        .lead_of_stop(stop)
        .unwrap_or(&round.lead_side)
        .to_string();
    let task = NewTask {
        marker_number: number.to_string(),
        action: input.action,
        side,
        reason,
        new_position,
    };
    let task_id = gated(
        state
            .store
            .create_inspection_task(
                id,
                &task,
                &RoundState::taking(RecordKind::Task),
                &staff.author(),
            )
            .await?,
        RecordKind::Task,
    )?;
    one(state, id, task_id).await
}

/// A position surveyed in any supported system, converted to CGCS2000 and kept as surveyed.
fn converted(input: &PositionInput, field: &str) -> Result<NewPosition, FieldErrors> {
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
    Ok(NewPosition {
        lon: Crs::Cgcs2000.round(lon),
        lat: Crs::Cgcs2000.round(lat),
        crs: crs.to_string(),
        x: input.x,
        y: input.y,
    })
}

async fn one(state: &AppState, id: i64, task_id: i64) -> Result<TaskRecord, InspectionError> {
    state
        .store
        .inspection_tasks(id, Some(task_id))
        .await?
        .pop()
        .ok_or_else(|| InspectionError::NotFound(format!("round {id} has no task {task_id}")))
}

/// A round's tasks.
pub async fn list(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Vec<TaskRecord>, InspectionError> {
    access(state, identity.actor.as_ref(), id).await?;
    Ok(state.store.inspection_tasks(id, None).await?)
}

/// Records that a task is done: only the team of the side doing it, with someone of the other
/// side present.
pub async fn complete(
    state: &AppState,
    staff: &Staff,
    id: i64,
    task_id: i64,
    input: CompletionInput,
) -> Result<TaskRecord, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Task)?;
    let task = one(state, id, task_id).await?;
    let side = access.team_side(Some(&task.side))?;
    if task.status == TaskStatus::Done {
        return Err(InspectionError::Conflict(format!(
            "task {task_id} was completed on {}",
            task.completed_on.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    let mut errors = FieldErrors::default();
    match input.completed_on {
        None => errors.push("completed_on", "required: the day the work was done"),
        Some(day) if day > today() => errors.push("completed_on", "cannot lie in the future"),
        _ => {}
    }
    let other = access.round.other_side(&side).to_string();
    let mut present = BTreeMap::new();
    for (code, names) in &input.present {
        if access.round.side_index(code).is_none() {
            errors.push(
                format!("present.{code}"),
                format!("{code} is not a side of this line"),
            );
            continue;
        }
        let names: Vec<String> = names
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() || names.len() > 20 || names.iter().any(|n| n.chars().count() > 50) {
            errors.push(
                format!("present.{code}"),
                "1 to 20 names of at most 50 characters",
            );
            continue;
        }
        present.insert(code.clone(), names);
    }
    if !input.present.contains_key(&other) {
        errors.push(
            format!("present.{other}"),
            "who of the other side was present: a marker is repaired, rebuilt or moved with the neighbour present (art. 6, art. 16(4))",
        );
    }
    if input.photo_ids.len() > 20 {
        errors.push("photo_ids", "at most 20");
    }
    let photos: Vec<(String, i64)> = input
        .photo_ids
        .iter()
        .enumerate()
        .map(|(j, p)| (format!("photo_ids[{j}]"), *p))
        .collect();
    check_photos(state, id, &side, &photos, &mut errors).await?;
    let notes = input
        .notes
        .as_deref()
        .and_then(|n| text(n, "notes", 1000, &mut errors));
    let Some(completed_on) = input.completed_on.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    gated(
        state
            .store
            .complete_inspection_task(
                id,
                task_id,
                task.version,
                &TaskCompletion {
                    completed_on,
                    present,
                    photo_ids: input.photo_ids,
                    notes,
                },
                &RoundState::taking(RecordKind::Task),
                &staff.author(),
            )
            .await?,
        RecordKind::Task,
    )?;
    one(state, id, task_id).await
}
