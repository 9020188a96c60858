//! Joint boundary inspections: rounds with their basis and members, both sides' findings in
//! append-only versions (batches recognised by the device's ids), acceptances, comments,
//! disputes with claims and steps, tasks, photos and signatures — and the marker register's
//! position versions written when a signed report moves or adds a marker.
//!
//! Every write checks, inside its transaction, that the round is in a state that takes it
//! (`takes`): a round signed or moved on meanwhile refuses it (`Err(state)` inside `Ok`) with
//! nothing written. A write of what the report is made of counts the round's content version
//! and voids any signature given before it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::audit::{Author, append};
use super::{
    Store, StoreError, StoreResult, expect_version, instant_text, parse_date, parse_instant,
    random_file_id,
};
use crate::domain::inspection::{DisputeStatus, RoundState, TaskAction};
use crate::domain::inspection_finding::Finding;
use crate::domain::inspection_records::{
    AcceptanceRecord, Basis, ClaimRecord, CommentRecord, DisputeRecord, DisputeStepRecord,
    FindingRecord, Member, MemberRole, NewPosition, PhotoRecord, RoundRecord, RoundRecords,
    SignatureRecord, TaskRecord, TaskStatus,
};
use crate::domain::marker::MarkerId;

/// A write refused because the round is in a state that does not take it: the state it is in.
pub type Gated<T> = Result<T, RoundState>;

/// A round as opened.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    pub line_code: &'a str,
    pub lead_side: &'a str,
    pub cooperating_side: &'a str,
    pub number: Option<i64>,
    pub adhoc_cause: Option<&'a str>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub tolerance_m: f64,
    pub basis: &'a Basis,
    pub previous_round_id: Option<i64>,
    pub members: &'a [Member],
}

/// One finding sent by a side: `base_version` is the version of that side's finding of the
/// subject the sender last saw (0: none).
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub subject: String,
    pub base_version: i64,
    pub finding: Finding,
    pub client_id: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
}

/// What became of one finding sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingOutcome {
    /// Stored as this version.
    Recorded(i64),
    /// Stored before under the same client id (the batch was sent again): nothing changed.
    Unchanged(i64),
    /// The side's finding changed on the server since the sender saw it: not stored.
    Conflict { current: i64 },
    /// The client id was used before for another finding: not stored.
    ClientIdTaken,
}

/// A side's claimed line.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub side: String,
    pub line: Value,
    pub note: Option<String>,
}

/// A task as created.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub marker_number: String,
    pub action: TaskAction,
    pub side: String,
    pub reason: Option<String>,
    pub new_position: Option<NewPosition>,
}

/// A task's completion.
#[derive(Debug, Clone)]
pub struct TaskCompletion {
    pub completed_on: NaiveDate,
    pub present: BTreeMap<String, Vec<String>>,
    pub photo_ids: Vec<i64>,
    pub notes: Option<String>,
}

/// A change of the marker register that a signed report carries.
#[derive(Debug, Clone)]
pub enum RegisterChange {
    /// The marker was set at a new position: its next position version.
    Move {
        number: String,
        position: NewPosition,
    },
    /// A new marker.
    Add {
        number: MarkerId,
        position: NewPosition,
    },
}

/// What a signature did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignOutcome {
    /// Both sides have now signed the same content: the round is signed and locked.
    pub complete: bool,
}

const ROUND_COLUMNS: &str = "id, line_code, lead_side, cooperating_side, round_number, adhoc_cause,
    planned_start, planned_end, tolerance_m, state, cancel_reason, version, content_version, basis,
    previous_round_id, signed_hash, created_at, created_by_name";

const TASK_COLUMNS: &str =
    "id, marker_number, action, side, reason, new_lon, new_lat, new_surveyed,
    status, completed_on, present, photo_ids, notes, carried_from, created_at, created_by_name,
    completed_by_name, version";

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

fn to_json<T: serde::Serialize>(what: &str, value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| corrupt(what, e))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

/// The round's state, read inside the write's transaction; `Err(state)` when it takes none of
/// the write.
async fn gate(
    tx: &mut SqliteConnection,
    round_id: i64,
    takes: &[RoundState],
) -> StoreResult<Gated<()>> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM inspection_rounds WHERE id = ?")
            .bind(round_id)
            .fetch_optional(&mut *tx)
            .await?;
    let state = state.ok_or(StoreError::NotFound)?;
    let state = RoundState::parse(&state).ok_or_else(|| corrupt("round state", &state))?;
    Ok(if takes.contains(&state) {
        Ok(())
    } else {
        Err(state)
    })
}

/// Counts a change of the report's content and voids the signatures given before it.
async fn content_changed(tx: &mut SqliteConnection, round_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE inspection_rounds SET content_version = content_version + 1 WHERE id = ?")
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE inspection_signatures SET voided_at = ? WHERE round_id = ? AND voided_at IS NULL",
    )
    .bind(instant_text(Utc::now()))
    .bind(round_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn audit(
    tx: &mut SqliteConnection,
    author: &Author,
    action: &str,
    round_id: i64,
    detail: Value,
) -> StoreResult<()> {
    append(
        tx,
        author,
        action,
        "inspection_round",
        Some(&round_id.to_string()),
        detail,
    )
    .await
}

impl Store {
    /// Opens a round with its members, carrying over the open tasks and unresolved disputes
    /// (with their claims) of the previous round; answers its (random) id. Another round of
    /// the line not yet signed or cancelled, or a round number already used on the line, is
    /// `AlreadyExists`.
    pub async fn open_inspection_round(
        &self,
        round: &NewRound<'_>,
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let running: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM inspection_rounds WHERE line_code = ? AND state NOT IN ('signed', 'cancelled')",
        )
        .bind(round.line_code)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = running {
            return Err(StoreError::AlreadyExists(format!(
                "round {id} of line {}, not yet signed or cancelled,",
                round.line_code
            )));
        }
        if let Some(number) = round.number {
            let used: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM inspection_rounds WHERE line_code = ? AND round_number = ? AND state <> 'cancelled'",
            )
            .bind(round.line_code)
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?;
            if used.is_some() {
                return Err(StoreError::AlreadyExists(format!(
                    "round {number} of line {}",
                    round.line_code
                )));
            }
        }
        let id = random_file_id()?;
        let now = instant_text(Utc::now());
        sqlx::query(
            "INSERT INTO inspection_rounds (id, line_code, lead_side, cooperating_side, round_number, adhoc_cause,
                planned_start, planned_end, tolerance_m, state, basis, previous_round_id, created_at, created_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(round.line_code)
        .bind(round.lead_side)
        .bind(round.cooperating_side)
        .bind(round.number)
        .bind(round.adhoc_cause)
        .bind(round.planned_start.to_string())
        .bind(round.planned_end.to_string())
        .bind(round.tolerance_m)
        .bind(to_json("basis", round.basis)?)
        .bind(round.previous_round_id)
        .bind(&now)
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        for member in round.members {
            sqlx::query(
                "INSERT INTO inspection_members (round_id, user_id, username, side, role) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(member.user_id)
            .bind(&member.username)
            .bind(&member.side)
            .bind(member.role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let mut carried = (0, 0);
        if let Some(previous) = round.previous_round_id {
            carried = carry_over(&mut tx, previous, id, &now, &author.username).await?;
        }
        audit(
            &mut tx,
            author,
            "inspection.open",
            id,
            json!({
                "line_code": round.line_code, "lead_side": round.lead_side,
                "round_number": round.number, "adhoc_cause": round.adhoc_cause,
                "members": round.members.iter().map(|m| json!({"user": m.username, "side": m.side, "role": m.role})).collect::<Vec<_>>(),
                "carried_disputes": carried.0, "carried_tasks": carried.1,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A round.
    pub async fn inspection_round(&self, id: i64) -> StoreResult<Option<RoundRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM inspection_rounds WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_round).transpose()
    }

    /// Every round (of one line), newest first.
    pub async fn inspection_rounds(
        &self,
        line_code: Option<&str>,
    ) -> StoreResult<Vec<RoundRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM inspection_rounds WHERE ?1 IS NULL OR line_code = ?1
             ORDER BY created_at DESC, id"
        )))
        .bind(line_code)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_round).collect()
    }

    /// The latest signed round of a line.
    pub async fn latest_signed_round(&self, line_code: &str) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM inspection_rounds WHERE line_code = ? AND state = 'signed'
             ORDER BY planned_start DESC, created_at DESC LIMIT 1",
        )
        .bind(line_code)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The members of a round.
    pub async fn inspection_members(&self, round_id: i64) -> StoreResult<Vec<Member>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT user_id, username, side, role FROM inspection_members WHERE round_id = ? ORDER BY side, role, username",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(user_id, username, side, role)| {
                Ok(Member {
                    user_id,
                    username,
                    side,
                    role: MemberRole::parse(&role).ok_or_else(|| corrupt("member role", &role))?,
                })
            })
            .collect()
    }

    /// The rounds a user is a member of.
    pub async fn inspection_rounds_of_member(&self, user_id: i64) -> StoreResult<Vec<i64>> {
        Ok(
            sqlx::query_scalar(
                "SELECT DISTINCT round_id FROM inspection_members WHERE user_id = ?",
            )
            .bind(user_id)
            .fetch_all(self.pool())
            .await?,
        )
    }

    /// Everything a round's report is made of, read in one snapshot.
    pub async fn inspection_records(&self, round_id: i64) -> StoreResult<Option<RoundRecords>> {
        // One read transaction: in WAL mode it sees one state of the database throughout.
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM inspection_rounds WHERE id = ?"
        )))
        .bind(round_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let round = read_round(&row)?;
        let members = {
            let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT user_id, username, side, role FROM inspection_members WHERE round_id = ? ORDER BY side, role, username",
            )
            .bind(round_id)
            .fetch_all(&mut *tx)
            .await?;
            rows.into_iter()
                .map(|(user_id, username, side, role)| {
                    Ok(Member {
                        user_id,
                        username,
                        side,
                        role: MemberRole::parse(&role)
                            .ok_or_else(|| corrupt("member role", &role))?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?
        };
        let findings = sqlx::query(
            "SELECT f.side, f.subject, f.version, f.content, f.client_id, f.captured_at, f.recorded_at, f.author_name
             FROM inspection_findings f
             JOIN (SELECT side, subject, MAX(version) AS version FROM inspection_findings WHERE round_id = ?1
                   GROUP BY side, subject) c
               ON c.side = f.side AND c.subject = f.subject AND c.version = f.version
             WHERE f.round_id = ?1 ORDER BY f.subject, f.side",
        )
        .bind(round_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(read_finding)
        .collect::<StoreResult<Vec<_>>>()?;
        let acceptances = sqlx::query(
            "SELECT subject, side, accepted_side, accepted_version, created_at, author_name
             FROM inspection_acceptances a WHERE round_id = ?1 AND id =
               (SELECT MAX(id) FROM inspection_acceptances b WHERE b.round_id = ?1 AND b.subject = a.subject AND b.side = a.side)
             ORDER BY subject, side",
        )
        .bind(round_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            Ok(AcceptanceRecord {
                subject: row.get("subject"),
                side: row.get("side"),
                accepted_side: row.get("accepted_side"),
                accepted_version: row.get("accepted_version"),
                at: parse_instant(row.get("created_at"))?,
                author: row.get("author_name"),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let disputes = read_disputes(&mut tx, round_id, None).await?;
        let tasks = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM inspection_tasks WHERE round_id = ? ORDER BY id"
        )))
        .bind(round_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(read_task)
        .collect::<StoreResult<Vec<_>>>()?;
        let photos = sqlx::query(
            "SELECT id, side, media_type, width, height, sha256, uploaded_at, uploaded_by
             FROM inspection_photos WHERE round_id = ? ORDER BY id",
        )
        .bind(round_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            Ok(PhotoRecord {
                id: row.get("id"),
                side: row.get("side"),
                media_type: row.get("media_type"),
                width: row.get("width"),
                height: row.get("height"),
                sha256: row.get("sha256"),
                uploaded_at: parse_instant(row.get("uploaded_at"))?,
                uploaded_by: row.get("uploaded_by"),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await?;
        Ok(Some(RoundRecords {
            round,
            members,
            findings,
            acceptances,
            disputes,
            tasks,
            photos,
        }))
    }

    /// Every version of both sides' findings of one subject, oldest first.
    pub async fn finding_history(
        &self,
        round_id: i64,
        subject: &str,
    ) -> StoreResult<Vec<FindingRecord>> {
        sqlx::query(
            "SELECT side, subject, version, content, client_id, captured_at, recorded_at, author_name
             FROM inspection_findings WHERE round_id = ? AND subject = ? ORDER BY side, version",
        )
        .bind(round_id)
        .bind(subject)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(read_finding)
        .collect()
    }

    /// Stores a side's findings in one transaction, each judged apart (see [`FindingOutcome`]).
    pub async fn record_findings(
        &self,
        round_id: i64,
        side: &str,
        items: &[NewFinding],
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<Vec<FindingOutcome>>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let now = instant_text(Utc::now());
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            let content = to_json("finding", &item.finding)?;
            if let Some(client_id) = &item.client_id {
                let earlier: Option<(String, i64, String)> = sqlx::query_as(
                    "SELECT subject, version, content FROM inspection_findings WHERE round_id = ? AND side = ? AND client_id = ?",
                )
                .bind(round_id)
                .bind(side)
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((subject, version, stored)) = earlier {
                    outcomes.push(if subject == item.subject && stored == content {
                        FindingOutcome::Unchanged(version)
                    } else {
                        FindingOutcome::ClientIdTaken
                    });
                    continue;
                }
            }
            let current: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) FROM inspection_findings WHERE round_id = ? AND side = ? AND subject = ?",
            )
            .bind(round_id)
            .bind(side)
            .bind(&item.subject)
            .fetch_one(&mut *tx)
            .await?;
            if current != item.base_version {
                outcomes.push(FindingOutcome::Conflict { current });
                continue;
            }
            sqlx::query(
                "INSERT INTO inspection_findings (round_id, side, subject, version, content, client_id, captured_at,
                    recorded_at, author_id, author_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(round_id)
            .bind(side)
            .bind(&item.subject)
            .bind(current + 1)
            .bind(&content)
            .bind(&item.client_id)
            .bind(item.captured_at.map(instant_text))
            .bind(&now)
            .bind(author.user_id)
            .bind(&author.username)
            .execute(&mut *tx)
            .await?;
            outcomes.push(FindingOutcome::Recorded(current + 1));
        }
        let recorded: Vec<Value> = items
            .iter()
            .zip(&outcomes)
            .filter_map(|(item, outcome)| match outcome {
                FindingOutcome::Recorded(v) => Some(
                    json!({"subject": item.subject, "version": v, "client_id": item.client_id}),
                ),
                _ => None,
            })
            .collect();
        if !recorded.is_empty() {
            content_changed(&mut tx, round_id).await?;
            audit(
                &mut tx,
                author,
                "inspection.findings",
                round_id,
                json!({ "side": side, "recorded": recorded, "sent": items.len() }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(outcomes))
    }

    /// Moves a round to `to` if it is still at `expected_version`; a move from signing back to
    /// reconciliation voids the signatures given.
    pub async fn move_inspection_round(
        &self,
        round_id: i64,
        expected_version: i64,
        to: RoundState,
        reason: Option<&str>,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let (current, from): (i64, String) =
            sqlx::query_as("SELECT version, state FROM inspection_rounds WHERE id = ?")
                .bind(round_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        expect_version(expected_version, current)?;
        sqlx::query(
            "UPDATE inspection_rounds SET state = ?, version = version + 1,
                cancel_reason = CASE WHEN ? = 'cancelled' THEN ? ELSE cancel_reason END
             WHERE id = ?",
        )
        .bind(to.as_str())
        .bind(to.as_str())
        .bind(reason)
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        if from == RoundState::Signing.as_str() {
            sqlx::query(
                "UPDATE inspection_signatures SET voided_at = ? WHERE round_id = ? AND voided_at IS NULL",
            )
            .bind(instant_text(Utc::now()))
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            author,
            "inspection.state",
            round_id,
            json!({ "from": from, "to": to.as_str(), "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a side's acceptance of the current version of one side's finding.
    #[allow(clippy::too_many_arguments)]
    pub async fn accept_finding(
        &self,
        round_id: i64,
        subject: &str,
        side: &str,
        accepted_side: &str,
        accepted_version: i64,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<()>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let current: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM inspection_findings WHERE round_id = ? AND side = ? AND subject = ?",
        )
        .bind(round_id)
        .bind(accepted_side)
        .bind(subject)
        .fetch_one(&mut *tx)
        .await?;
        expect_version(accepted_version, current)?;
        sqlx::query(
            "INSERT INTO inspection_acceptances (round_id, subject, side, accepted_side, accepted_version, created_at, author_name)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(round_id)
        .bind(subject)
        .bind(side)
        .bind(accepted_side)
        .bind(accepted_version)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.accept",
            round_id,
            json!({ "subject": subject, "side": side, "accepted_side": accepted_side, "accepted_version": accepted_version }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Adds a comment to the discussion of an item; answers its id. Comments are not part of
    /// the report's content.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_inspection_comment(
        &self,
        round_id: i64,
        subject: &str,
        side: &str,
        body: &str,
        photo_ids: &[i64],
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<i64>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspection_comments (round_id, subject, side, body, photo_ids, created_at, author_name)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(round_id)
        .bind(subject)
        .bind(side)
        .bind(body)
        .bind(to_json("photo ids", &photo_ids)?)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            author,
            "inspection.comment",
            round_id,
            json!({ "subject": subject, "side": side, "comment_id": id, "photo_ids": photo_ids }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// The discussion of an item, oldest first.
    pub async fn inspection_comments(
        &self,
        round_id: i64,
        subject: &str,
    ) -> StoreResult<Vec<CommentRecord>> {
        sqlx::query(
            "SELECT id, subject, side, body, photo_ids, created_at, author_name FROM inspection_comments
             WHERE round_id = ? AND subject = ? ORDER BY id",
        )
        .bind(round_id)
        .bind(subject)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CommentRecord {
                id: row.get("id"),
                subject: row.get("subject"),
                side: row.get("side"),
                body: row.get("body"),
                photo_ids: from_json("photo ids", row.get("photo_ids"))?,
                at: parse_instant(row.get("created_at"))?,
                author: row.get("author_name"),
            })
        })
        .collect()
    }

    /// Every acceptance of an item, oldest first (the discussion's record).
    pub async fn inspection_acceptances(
        &self,
        round_id: i64,
        subject: &str,
    ) -> StoreResult<Vec<AcceptanceRecord>> {
        sqlx::query(
            "SELECT subject, side, accepted_side, accepted_version, created_at, author_name
             FROM inspection_acceptances WHERE round_id = ? AND subject = ? ORDER BY id",
        )
        .bind(round_id)
        .bind(subject)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(AcceptanceRecord {
                subject: row.get("subject"),
                side: row.get("side"),
                accepted_side: row.get("accepted_side"),
                accepted_version: row.get("accepted_version"),
                at: parse_instant(row.get("created_at"))?,
                author: row.get("author_name"),
            })
        })
        .collect()
    }

    /// Records a dispute, with the claim of the side recording it when given; answers its id.
    pub async fn open_dispute(
        &self,
        round_id: i64,
        subject: &str,
        description: &str,
        claim: Option<&NewClaim>,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<i64>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let now = instant_text(Utc::now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspection_disputes (round_id, subject, description, status, created_at, created_by_name)
             VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
        )
        .bind(round_id)
        .bind(subject)
        .bind(description)
        .bind(&now)
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        add_step(
            &mut tx,
            id,
            DisputeStatus::Open,
            None,
            None,
            &now,
            &author.username,
        )
        .await?;
        if let Some(claim) = claim {
            write_claim(&mut tx, id, claim, &now, &author.username).await?;
        }
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.dispute",
            round_id,
            json!({ "dispute_id": id, "subject": subject, "description": description, "claim_by": claim.map(|c| &c.side) }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// A round's disputes (or one of them).
    pub async fn inspection_disputes(
        &self,
        round_id: i64,
        dispute_id: Option<i64>,
    ) -> StoreResult<Vec<DisputeRecord>> {
        let mut conn = self.pool().acquire().await?;
        read_disputes(&mut conn, round_id, dispute_id).await
    }

    /// Sets (or revises) a side's claimed line of a dispute still at `expected_version`.
    pub async fn set_dispute_claim(
        &self,
        round_id: i64,
        dispute_id: i64,
        expected_version: i64,
        claim: &NewClaim,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<()>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        bump_dispute(&mut tx, round_id, dispute_id, expected_version).await?;
        let now = instant_text(Utc::now());
        write_claim(&mut tx, dispute_id, claim, &now, &author.username).await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.claim",
            round_id,
            json!({ "dispute_id": dispute_id, "side": claim.side, "note": claim.note }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Moves a dispute still at `expected_version` to `to`, with its step in the history.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_dispute(
        &self,
        round_id: i64,
        dispute_id: i64,
        expected_version: i64,
        to: DisputeStatus,
        note: Option<&str>,
        document: Option<&str>,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<()>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        bump_dispute(&mut tx, round_id, dispute_id, expected_version).await?;
        sqlx::query(
            "UPDATE inspection_disputes SET status = ?, resolving_document = COALESCE(?, resolving_document) WHERE id = ?",
        )
        .bind(to.as_str())
        .bind(if to == DisputeStatus::Resolved { document } else { None })
        .bind(dispute_id)
        .execute(&mut *tx)
        .await?;
        let now = instant_text(Utc::now());
        add_step(
            &mut tx,
            dispute_id,
            to,
            note,
            document,
            &now,
            &author.username,
        )
        .await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.dispute_status",
            round_id,
            json!({ "dispute_id": dispute_id, "to": to.as_str(), "note": note, "document": document }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Records a task; answers its id.
    pub async fn create_inspection_task(
        &self,
        round_id: i64,
        task: &NewTask,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<i64>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let id = insert_task(
            &mut tx,
            round_id,
            task,
            None,
            &instant_text(Utc::now()),
            &author.username,
        )
        .await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.task",
            round_id,
            json!({ "task_id": id, "marker_number": task.marker_number, "action": task.action.as_str(), "side": task.side, "new_position": task.new_position }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// A round's tasks (or one of them).
    pub async fn inspection_tasks(
        &self,
        round_id: i64,
        task_id: Option<i64>,
    ) -> StoreResult<Vec<TaskRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM inspection_tasks WHERE round_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id"
        )))
        .bind(round_id)
        .bind(task_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(read_task)
        .collect()
    }

    /// Records that an open task still at `expected_version` is done.
    pub async fn complete_inspection_task(
        &self,
        round_id: i64,
        task_id: i64,
        expected_version: i64,
        completion: &TaskCompletion,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<()>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let current: i64 = sqlx::query_scalar(
            "SELECT version FROM inspection_tasks WHERE id = ? AND round_id = ?",
        )
        .bind(task_id)
        .bind(round_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        expect_version(expected_version, current)?;
        sqlx::query(
            "UPDATE inspection_tasks SET status = 'done', completed_on = ?, present = ?, photo_ids = ?, notes = ?,
                completed_by_name = ?, version = version + 1 WHERE id = ?",
        )
        .bind(completion.completed_on.to_string())
        .bind(to_json("present", &completion.present)?)
        .bind(to_json("photo ids", &completion.photo_ids)?)
        .bind(&completion.notes)
        .bind(&author.username)
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.task_done",
            round_id,
            json!({ "task_id": task_id, "completed_on": completion.completed_on, "present": completion.present, "photo_ids": completion.photo_ids }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Stores a (cleaned) photo for a side of a round; answers its random id.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_inspection_photo(
        &self,
        round_id: i64,
        side: &str,
        media_type: &str,
        size: (u32, u32),
        bytes: &[u8],
        sha256: &str,
        takes: &[RoundState],
        author: &Author,
    ) -> StoreResult<Gated<i64>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, takes).await? {
            return Ok(Err(state));
        }
        let id = random_file_id()?;
        sqlx::query(
            "INSERT INTO inspection_photos (id, round_id, side, media_type, width, height, sha256, bytes, uploaded_at, uploaded_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(round_id)
        .bind(side)
        .bind(media_type)
        .bind(i64::from(size.0))
        .bind(i64::from(size.1))
        .bind(sha256)
        .bind(bytes)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        content_changed(&mut tx, round_id).await?;
        audit(
            &mut tx,
            author,
            "inspection.photo",
            round_id,
            json!({ "photo_id": id, "side": side, "sha256": sha256, "bytes": bytes.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// A photo: its round, side, media type and bytes.
    pub async fn inspection_photo(
        &self,
        id: i64,
    ) -> StoreResult<Option<(i64, String, String, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT round_id, side, media_type, bytes FROM inspection_photos WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The sides that uploaded each of `ids` to the round (an id of no photo of the round is
    /// left out).
    pub async fn inspection_photo_sides(
        &self,
        round_id: i64,
        ids: &[i64],
    ) -> StoreResult<BTreeMap<i64, String>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, side FROM inspection_photos WHERE round_id = ? AND id IN (SELECT value FROM json_each(?))",
        )
        .bind(round_id)
        .bind(to_json("photo ids", &ids)?)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// A round's signatures, oldest first.
    pub async fn inspection_signatures(&self, round_id: i64) -> StoreResult<Vec<SignatureRecord>> {
        sqlx::query(
            "SELECT side, signer_name, hash, signed_at, voided_at FROM inspection_signatures WHERE round_id = ? ORDER BY id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(SignatureRecord {
                side: row.get("side"),
                signer: row.get("signer_name"),
                hash: row.get("hash"),
                signed_at: parse_instant(row.get("signed_at"))?,
                voided_at: row
                    .get::<Option<String>, _>("voided_at")
                    .as_deref()
                    .map(parse_instant)
                    .transpose()?,
            })
        })
        .collect()
    }

    /// Records a side's signature of `hash`, the report of content version
    /// `expected_content_version` (a later change is `StaleVersion`). When the other side has
    /// signed the same hash, the round becomes signed and locked, and `register` — the markers
    /// the report moves or adds — enters the marker register in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_inspection_report(
        &self,
        round_id: i64,
        side: &str,
        signer_id: i64,
        hash: &str,
        expected_content_version: i64,
        register: &[RegisterChange],
        author: &Author,
    ) -> StoreResult<Gated<SignOutcome>> {
        let mut tx = self.begin_write().await?;
        if let Err(state) = gate(&mut tx, round_id, &[RoundState::Signing]).await? {
            return Ok(Err(state));
        }
        let content_version: i64 =
            sqlx::query_scalar("SELECT content_version FROM inspection_rounds WHERE id = ?")
                .bind(round_id)
                .fetch_one(&mut *tx)
                .await?;
        expect_version(expected_content_version, content_version)?;
        let signed: Option<String> = sqlx::query_scalar(
            "SELECT signer_name FROM inspection_signatures WHERE round_id = ? AND side = ? AND voided_at IS NULL",
        )
        .bind(round_id)
        .bind(side)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(signer) = signed {
            return Err(StoreError::AlreadyExists(format!(
                "the signature of {side} (by {signer})"
            )));
        }
        let now = instant_text(Utc::now());
        sqlx::query(
            "INSERT INTO inspection_signatures (round_id, side, signer_id, signer_name, hash, signed_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(round_id)
        .bind(side)
        .bind(signer_id)
        .bind(&author.username)
        .bind(hash)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        // A signature of other content than this one's is void (a change came between them).
        sqlx::query(
            "UPDATE inspection_signatures SET voided_at = ? WHERE round_id = ? AND voided_at IS NULL AND hash <> ?",
        )
        .bind(&now)
        .bind(round_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
        let valid: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT side) FROM inspection_signatures WHERE round_id = ? AND voided_at IS NULL",
        )
        .bind(round_id)
        .fetch_one(&mut *tx)
        .await?;
        let complete = valid == 2;
        sqlx::query(
            "UPDATE inspection_rounds SET version = version + 1,
                state = CASE WHEN ? THEN 'signed' ELSE state END,
                signed_hash = CASE WHEN ? THEN ? ELSE signed_hash END
             WHERE id = ?",
        )
        .bind(complete)
        .bind(complete)
        .bind(hash)
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            author,
            "inspection.sign",
            round_id,
            json!({ "side": side, "hash": hash, "complete": complete }),
        )
        .await?;
        if complete {
            for change in register {
                apply_register_change(&mut tx, round_id, change, &now, author).await?;
            }
        }
        tx.commit().await?;
        Ok(Ok(SignOutcome { complete }))
    }

    /// Every registered position of a marker, oldest first: (version, lon, lat, round).
    pub async fn marker_positions(
        &self,
        number: &str,
    ) -> StoreResult<Vec<(i64, f64, f64, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT p.version, p.lon, p.lat, p.round_id FROM marker_positions p JOIN markers m ON m.id = p.marker_id
             WHERE m.marker_number = ? ORDER BY p.version",
        )
        .bind(number)
        .fetch_all(self.pool())
        .await?)
    }

    /// The version of a marker's registered position.
    pub async fn marker_position_version(&self, number: &str) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT position_version FROM markers WHERE marker_number = ?")
                .bind(number)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// Copies the previous round's unresolved disputes (with claims) and open tasks into a new
/// round; answers how many of each.
async fn carry_over(
    tx: &mut SqliteConnection,
    previous: i64,
    round_id: i64,
    now: &str,
    by: &str,
) -> StoreResult<(usize, usize)> {
    let disputes: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, subject, description, status, resolving_document FROM inspection_disputes
         WHERE round_id = ? AND status <> 'resolved' ORDER BY id",
    )
    .bind(previous)
    .fetch_all(&mut *tx)
    .await?;
    for (old, subject, description, status, _) in &disputes {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspection_disputes (round_id, subject, description, status, carried_from, created_at, created_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(round_id)
        .bind(subject)
        .bind(description)
        .bind(status)
        .bind(old)
        .bind(now)
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO inspection_dispute_claims (dispute_id, side, line, note, claimed_at, author_name)
             SELECT ?, side, line, note, claimed_at, author_name FROM inspection_dispute_claims WHERE dispute_id = ?",
        )
        .bind(id)
        .bind(old)
        .execute(&mut *tx)
        .await?;
        let status =
            DisputeStatus::parse(status).ok_or_else(|| corrupt("dispute status", status))?;
        add_step(
            tx,
            id,
            status,
            Some(&format!(
                "carried over from dispute {old} of round {previous}"
            )),
            None,
            now,
            by,
        )
        .await?;
    }
    let tasks = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLUMNS} FROM inspection_tasks WHERE round_id = ? AND status = 'open' ORDER BY id"
    )))
    .bind(previous)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(read_task)
    .collect::<StoreResult<Vec<_>>>()?;
    for task in &tasks {
        let new = NewTask {
            marker_number: task.marker_number.clone(),
            action: task.action,
            side: task.side.clone(),
            reason: task.reason.clone(),
            new_position: task.new_position.clone(),
        };
        insert_task(tx, round_id, &new, Some(task.id), now, by).await?;
    }
    Ok((disputes.len(), tasks.len()))
}

async fn insert_task(
    tx: &mut SqliteConnection,
    round_id: i64,
    task: &NewTask,
    carried_from: Option<i64>,
    now: &str,
    by: &str,
) -> StoreResult<i64> {
    let surveyed = task
        .new_position
        .as_ref()
        .map(|p| to_json("surveyed", &json!({ "crs": p.crs, "x": p.x, "y": p.y })))
        .transpose()?;
    Ok(sqlx::query_scalar(
        "INSERT INTO inspection_tasks (round_id, marker_number, action, side, reason, new_lon, new_lat, new_surveyed,
            status, carried_from, created_at, created_by_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
    )
    .bind(round_id)
    .bind(&task.marker_number)
    .bind(task.action.as_str())
    .bind(&task.side)
    .bind(&task.reason)
    .bind(task.new_position.as_ref().map(|p| p.lon))
    .bind(task.new_position.as_ref().map(|p| p.lat))
    .bind(surveyed)
    .bind(carried_from)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?)
}

async fn bump_dispute(
    tx: &mut SqliteConnection,
    round_id: i64,
    dispute_id: i64,
    expected_version: i64,
) -> StoreResult<()> {
    let current: i64 =
        sqlx::query_scalar("SELECT version FROM inspection_disputes WHERE id = ? AND round_id = ?")
            .bind(dispute_id)
            .bind(round_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    expect_version(expected_version, current)?;
    sqlx::query("UPDATE inspection_disputes SET version = version + 1 WHERE id = ?")
        .bind(dispute_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn write_claim(
    tx: &mut SqliteConnection,
    dispute_id: i64,
    claim: &NewClaim,
    now: &str,
    by: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO inspection_dispute_claims (dispute_id, side, line, note, claimed_at, author_name)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (dispute_id, side) DO UPDATE SET line = excluded.line, note = excluded.note,
            claimed_at = excluded.claimed_at, author_name = excluded.author_name",
    )
    .bind(dispute_id)
    .bind(&claim.side)
    .bind(claim.line.to_string())
    .bind(&claim.note)
    .bind(now)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn add_step(
    tx: &mut SqliteConnection,
    dispute_id: i64,
    status: DisputeStatus,
    note: Option<&str>,
    document: Option<&str>,
    now: &str,
    by: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO inspection_dispute_steps (dispute_id, status, note, document, at, author_name) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(dispute_id)
    .bind(status.as_str())
    .bind(note)
    .bind(document)
    .bind(now)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn read_disputes(
    conn: &mut SqliteConnection,
    round_id: i64,
    dispute_id: Option<i64>,
) -> StoreResult<Vec<DisputeRecord>> {
    let rows = sqlx::query(
        "SELECT id, subject, description, status, resolving_document, carried_from, version, created_at, created_by_name
         FROM inspection_disputes WHERE round_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id",
    )
    .bind(round_id)
    .bind(dispute_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut disputes = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.get("id");
        let claims = sqlx::query(
            "SELECT side, line, note, claimed_at, author_name FROM inspection_dispute_claims WHERE dispute_id = ? ORDER BY side",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|c| {
            Ok(ClaimRecord {
                side: c.get("side"),
                line: from_json("claimed line", c.get("line"))?,
                note: c.get("note"),
                at: parse_instant(c.get("claimed_at"))?,
                author: c.get("author_name"),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let steps = sqlx::query(
            "SELECT status, note, document, at, author_name FROM inspection_dispute_steps WHERE dispute_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|s| {
            let status: String = s.get("status");
            Ok(DisputeStepRecord {
                status: DisputeStatus::parse(&status)
                    .ok_or_else(|| corrupt("dispute step", &status))?,
                note: s.get("note"),
                document: s.get("document"),
                at: parse_instant(s.get("at"))?,
                author: s.get("author_name"),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let status: String = row.get("status");
        disputes.push(DisputeRecord {
            id,
            subject: row.get("subject"),
            description: row.get("description"),
            status: DisputeStatus::parse(&status).ok_or_else(|| corrupt("dispute", &status))?,
            resolving_document: row.get("resolving_document"),
            carried_from: row.get("carried_from"),
            claims,
            steps,
            version: row.get("version"),
            created_at: parse_instant(row.get("created_at"))?,
            created_by: row.get("created_by_name"),
        });
    }
    Ok(disputes)
}

/// Writes a signed report's change of a marker: the old position kept as a version, the new
/// one the marker's current position; a new marker with its first position.
async fn apply_register_change(
    tx: &mut SqliteConnection,
    round_id: i64,
    change: &RegisterChange,
    now: &str,
    author: &Author,
) -> StoreResult<()> {
    let recorded_by = format!("signed report of round {round_id}");
    match change {
        RegisterChange::Move { number, position } => {
            let row = sqlx::query(
                "SELECT id, lon, lat, surveyed_x, surveyed_y, surveyed_crs, position_version, created_at, created_by_name
                 FROM markers WHERE marker_number = ?",
            )
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            let id: i64 = row.get("id");
            let version: i64 = row.get("position_version");
            let kept: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM marker_positions WHERE marker_id = ? AND version = ?",
            )
            .bind(id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            if kept.is_none() {
                // The position registered before positions were versioned becomes a version.
                insert_position(
                    tx,
                    id,
                    version,
                    &NewPosition {
                        lon: row.get("lon"),
                        lat: row.get("lat"),
                        crs: row.get("surveyed_crs"),
                        x: row.get("surveyed_x"),
                        y: row.get("surveyed_y"),
                    },
                    row.get("created_at"),
                    row.get("created_by_name"),
                    None,
                )
                .await?;
            }
            insert_position(
                tx,
                id,
                version + 1,
                position,
                now,
                &recorded_by,
                Some(round_id),
            )
            .await?;
            sqlx::query(
                "UPDATE markers SET lon = ?, lat = ?, surveyed_x = ?, surveyed_y = ?, surveyed_crs = ?, position_version = ?
                 WHERE id = ?",
            )
            .bind(position.lon)
            .bind(position.lat)
            .bind(position.x)
            .bind(position.y)
            .bind(&position.crs)
            .bind(version + 1)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append(
                tx,
                author,
                "marker.move",
                "marker",
                Some(number),
                json!({ "round_id": round_id, "position_version": version + 1, "lon": position.lon, "lat": position.lat }),
            )
            .await
        }
        RegisterChange::Add { number, position } => {
            let text = number.to_string();
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM markers WHERE marker_number = ?")
                    .bind(&text)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Err(StoreError::AlreadyExists(format!("marker {text}")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO markers (marker_number, line_code, sequence, marker_type, lon, lat, surveyed_x,
                    surveyed_y, surveyed_crs, created_at, created_by_name)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&text)
            .bind(number.line_code())
            .bind(i64::from(number.sequence()))
            .bind(number.kind().letter().to_string())
            .bind(position.lon)
            .bind(position.lat)
            .bind(position.x)
            .bind(position.y)
            .bind(&position.crs)
            .bind(now)
            .bind(&recorded_by)
            .fetch_one(&mut *tx)
            .await?;
            insert_position(tx, id, 1, position, now, &recorded_by, Some(round_id)).await?;
            append(
                tx,
                author,
                "marker.add",
                "marker",
                Some(&text),
                json!({ "round_id": round_id, "lon": position.lon, "lat": position.lat }),
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_position(
    tx: &mut SqliteConnection,
    marker_id: i64,
    version: i64,
    position: &NewPosition,
    at: &str,
    by: &str,
    round_id: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO marker_positions (marker_id, version, lon, lat, surveyed_x, surveyed_y, surveyed_crs, recorded_at, recorded_by, round_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(marker_id)
    .bind(version)
    .bind(position.lon)
    .bind(position.lat)
    .bind(position.x)
    .bind(position.y)
    .bind(&position.crs)
    .bind(at)
    .bind(by)
    .bind(round_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn read_round(row: &SqliteRow) -> StoreResult<RoundRecord> {
    let state: String = row.get("state");
    Ok(RoundRecord {
        id: row.get("id"),
        line_code: row.get("line_code"),
        lead_side: row.get("lead_side"),
        cooperating_side: row.get("cooperating_side"),
        number: row.get("round_number"),
        adhoc_cause: row.get("adhoc_cause"),
        planned_start: parse_date(row.get("planned_start"))?,
        planned_end: parse_date(row.get("planned_end"))?,
        tolerance_m: row.get("tolerance_m"),
        state: RoundState::parse(&state).ok_or_else(|| corrupt("round state", &state))?,
        cancel_reason: row.get("cancel_reason"),
        version: row.get("version"),
        content_version: row.get("content_version"),
        basis: from_json("basis", row.get("basis"))?,
        previous_round_id: row.get("previous_round_id"),
        signed_hash: row.get("signed_hash"),
        created_at: parse_instant(row.get("created_at"))?,
        created_by: row.get("created_by_name"),
    })
}

fn read_finding(row: &SqliteRow) -> StoreResult<FindingRecord> {
    Ok(FindingRecord {
        side: row.get("side"),
        subject: row.get("subject"),
        version: row.get("version"),
        finding: from_json("finding", row.get("content"))?,
        client_id: row.get("client_id"),
        captured_at: row
            .get::<Option<String>, _>("captured_at")
            .as_deref()
            .map(parse_instant)
            .transpose()?,
        recorded_at: parse_instant(row.get("recorded_at"))?,
        author: row.get("author_name"),
    })
}

fn read_task(row: &SqliteRow) -> StoreResult<TaskRecord> {
    let action: String = row.get("action");
    let status: String = row.get("status");
    let new_position = match (
        row.get::<Option<f64>, _>("new_lon"),
        row.get::<Option<f64>, _>("new_lat"),
        row.get::<Option<String>, _>("new_surveyed"),
    ) {
        (Some(lon), Some(lat), Some(surveyed)) => {
            let surveyed: Value = from_json("surveyed", &surveyed)?;
            Some(NewPosition {
                lon,
                lat,
                crs: surveyed["crs"].as_str().unwrap_or("EPSG:4490").to_string(),
                x: surveyed["x"].as_f64().unwrap_or(lon),
                y: surveyed["y"].as_f64().unwrap_or(lat),
            })
        }
        _ => None,
    };
    Ok(TaskRecord {
        id: row.get("id"),
        marker_number: row.get("marker_number"),
        action: TaskAction::parse(&action).ok_or_else(|| corrupt("task action", &action))?,
        side: row.get("side"),
        reason: row.get("reason"),
        new_position,
        status: match status.as_str() {
            "open" => TaskStatus::Open,
            "done" => TaskStatus::Done,
            other => return Err(corrupt("task status", other)),
        },
        completed_on: row
            .get::<Option<String>, _>("completed_on")
            .as_deref()
            .map(parse_date)
            .transpose()?,
        present: from_json("present", row.get("present"))?,
        photo_ids: from_json("photo ids", row.get("photo_ids"))?,
        notes: row.get("notes"),
        carried_from: row.get("carried_from"),
        created_at: parse_instant(row.get("created_at"))?,
        created_by: row.get("created_by_name"),
        completed_by: row.get("completed_by_name"),
        version: row.get("version"),
    })
}
