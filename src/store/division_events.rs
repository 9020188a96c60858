//! Division change events: proposing, deciding and applying them. Applying an event changes
//! the divisions (closing the states it ends) and the place records it affects in one
//! transaction, after checking again that the event still fits the register.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::audit::{Author, append};
use super::divisions::RegisterSnapshot;
use super::places::{Change, append_version, audit_detail, register};
use super::{Store, StoreError, StoreResult, instant_text, parse_date, parse_instant};
use crate::domain::division_code::DivisionCode;
use crate::domain::division_event::plan::PlaceEffect;
use crate::domain::division_event::{
    CheckedEvent, EventApproval, EventKind, EventStatus, ProposedChange, descendants,
    kind_from_name, recode,
};
use crate::domain::field_error::FieldErrors;

/// An event as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredEvent {
    /// Its id (16 hex digits, random).
    pub id: String,
    /// What the approval document calls the change.
    pub kind: EventKind,
    /// Where it stands.
    pub status: EventStatus,
    /// The day it takes (or took) effect.
    pub effective_on: NaiveDate,
    /// One line naming the change.
    pub summary: String,
    /// Each division's part, as proposed.
    pub changes: Vec<ProposedChange>,
    /// When it was proposed.
    pub proposed_at: chrono::DateTime<Utc>,
    /// Who proposed it (username).
    pub proposed_by: String,
    /// The approval, once approved.
    pub approval: Option<EventApproval>,
    /// When it was approved or rejected.
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// Who decided it (username).
    pub decided_by: Option<String>,
    /// Why it was rejected.
    pub decision_comment: Option<String>,
    /// When it was put in force.
    pub applied_at: Option<chrono::DateTime<Utc>>,
    /// User ids of the named reviewers.
    #[serde(skip)]
    pub reviewer_ids: Vec<i64>,
    /// Usernames of the named reviewers.
    pub reviewers: Vec<String>,
}

impl StoredEvent {
    /// The stored event as a checked one (its changes were checked when it was proposed).
    pub fn checked(&self) -> Result<CheckedEvent, FieldErrors> {
        CheckedEvent::parse(self.kind, self.effective_on, &self.summary, &self.changes)
    }
}

/// What an administrator decides about a pending event.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Approve it with this approval.
    Approve(EventApproval),
    /// Reject it for this reason.
    Reject(String),
}

/// Why an event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the event no longer fits the register")]
    /// The divisions changed since it was proposed (the fields say how).
    NoLongerFits(FieldErrors),
    #[error("the event is {0}, not approved")]
    /// It is not approved (its status).
    NotApproved(&'static str),
    #[error(transparent)]
    /// The database failed, or a record was changed meanwhile.
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(error))
    }
}

/// An event's columns and its named reviewers (as a JSON list of [id, username]), in one read.
const EVENT_COLUMNS: &str = "id, kind, status, effective_on, summary, changes, proposed_at, proposed_by_name,
    approval_authority, approval_date, approval_document, decided_at, decided_by_name, decision_comment, applied_at,
    (SELECT json_group_array(json_array(u.id, u.username)) FROM division_event_reviewers r
       JOIN users u ON u.id = r.user_id WHERE r.event_id = division_events.id) AS reviewers";

impl Store {
    /// Records a pending event; returns its (random) id.
    pub async fn propose_division_event(
        &self,
        event: &CheckedEvent,
        changes: &[ProposedChange],
        reviewers: &[i64],
        author: &Author,
    ) -> StoreResult<String> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random)
            .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let id = format!("{:016x}", u64::from_le_bytes(random));
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO division_events (id, kind, status, effective_on, summary, changes, proposed_at, proposed_by, proposed_by_name)
             VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(event.kind.as_str())
        .bind(event.effective_on.to_string())
        .bind(&event.summary)
        .bind(serde_json::to_string(changes).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(instant_text(Utc::now()))
        .bind(author.user_id)
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        for reviewer in reviewers {
            sqlx::query(
                "INSERT OR IGNORE INTO division_event_reviewers (event_id, user_id) VALUES (?, ?)",
            )
            .bind(&id)
            .bind(reviewer)
            .execute(&mut *tx)
            .await?;
        }
        for code in event.codes() {
            sqlx::query(
                "INSERT OR IGNORE INTO division_event_codes (event_id, code) VALUES (?, ?)",
            )
            .bind(&id)
            .bind(code.as_str())
            .execute(&mut *tx)
            .await?;
        }
        // The audit log is for admins only, so it may name the confidential event.
        append(
            &mut tx,
            author,
            "division_event.propose",
            "division_event",
            Some(&id),
            json!({ "kind": event.kind.as_str(), "summary": event.summary, "effective_on": event.effective_on }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Event `id`, whoever may see it (callers decide).
    pub async fn division_event(&self, id: &str) -> StoreResult<Option<StoredEvent>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM division_events WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_event).transpose()
    }

    /// Every event, or those touching a code, newest effective date first. Callers filter by
    /// who may see them.
    pub async fn division_events(&self, code: Option<&str>) -> StoreResult<Vec<StoredEvent>> {
        let rows = match code {
            Some(code) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM division_events WHERE id IN
                       (SELECT event_id FROM division_event_codes WHERE code = ?)
                     ORDER BY effective_on DESC, proposed_at DESC"
                )))
                .bind(code)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM division_events ORDER BY effective_on DESC, proposed_at DESC"
                )))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(read_event).collect()
    }

    /// Approves or rejects a pending event; anything but a pending event is a conflict.
    pub async fn decide_division_event(
        &self,
        id: &str,
        decision: &Decision,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let (status, approval, comment) = match decision {
            Decision::Approve(approval) => ("approved", Some(approval), None),
            Decision::Reject(reason) => ("rejected", None, Some(reason.as_str())),
        };
        let updated = sqlx::query(
            "UPDATE division_events SET status = ?, approval_authority = ?, approval_date = ?, approval_document = ?,
                decided_at = ?, decided_by_name = ?, decision_comment = ?
             WHERE id = ? AND status = 'pending'",
        )
        .bind(status)
        .bind(approval.map(|a| a.authority.clone()))
        .bind(approval.map(|a| a.approved_on.to_string()))
        .bind(approval.map(|a| a.document_number.clone()))
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .bind(comment)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::AlreadyExists(format!(
                "a decision on event {id}"
            )));
        }
        append(
            &mut tx,
            author,
            &format!(
                "division_event.{}",
                if approval.is_some() {
                    "approve"
                } else {
                    "reject"
                }
            ),
            "division_event",
            Some(id),
            json!({ "approval": approval, "comment": comment }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the event fits the divisions in force now (see `CheckedEvent::check_against`).
    pub async fn division_event_fits(
        &self,
        event: &CheckedEvent,
    ) -> StoreResult<Result<(), FieldErrors>> {
        let mut conn = self.pool().acquire().await?;
        let snapshot = RegisterSnapshot::read(&mut conn, &event.codes()).await?;
        Ok(event.check_against(&snapshot))
    }

    /// Approved events whose effective date has come, oldest first.
    pub async fn due_division_events(&self, today: NaiveDate) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM division_events WHERE status = 'approved' AND effective_on <= ?
             ORDER BY effective_on, decided_at",
        )
        .bind(today.to_string())
        .fetch_all(self.pool())
        .await?)
    }

    /// Puts approved event `id` (`checked`, its changes) into force: checks it again against
    /// the register, changes the divisions, applies `effects` to the place records (each must
    /// still be at the version it was built from), and marks the event applied. All of it or
    /// nothing.
    pub async fn apply_division_event(
        &self,
        id: &str,
        checked: &CheckedEvent,
        effects: &[PlaceEffect],
        change: &Change<'_>,
    ) -> Result<(), ApplyError> {
        let mut tx = self.begin_write().await?;
        // Claimed first, so that the clock and an approval racing to apply it cannot both do.
        let claimed = sqlx::query(
            "UPDATE division_events SET status = 'applied', applied_at = ? WHERE id = ? AND status = 'approved'",
        )
        .bind(instant_text(Utc::now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM division_events WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let status = status.ok_or(StoreError::NotFound)?;
            return Err(ApplyError::NotApproved(
                EventStatus::parse(&status).map_or("unknown", EventStatus::as_str),
            ));
        }
        let snapshot = RegisterSnapshot::read(&mut tx, &checked.codes()).await?;
        checked
            .check_against(&snapshot)
            .map_err(ApplyError::NoLongerFits)?;
        let day = checked.effective_on.to_string();
        let mut recoded = 0;
        // Parents before children, so that every new row's parent exists when it is written.
        let mut changes: Vec<_> = checked.changes.iter().collect();
        changes.sort_by_key(|c| c.to.as_ref().map(|t| t.code.level()));
        for change_item in changes {
            match (&change_item.from, &change_item.to) {
                (Some(from), Some(to)) if *from == to.code => {
                    sqlx::query(
                        "INSERT INTO division_periods (code, name, kind, parent_code, seat, valid_from, valid_to, ended_by)
                         SELECT code, name, kind, parent_code, seat, valid_from, ?, ? FROM divisions WHERE code = ?",
                    )
                    .bind(&day)
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE divisions SET name = ?, kind = COALESCE(?, kind), seat = COALESCE(?, seat),
                            valid_from = ?, event_id = ? WHERE code = ?",
                    )
                    .bind(&to.name)
                    .bind(&to.kind)
                    .bind(&to.seat)
                    .bind(&day)
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                (Some(from), Some(to)) => {
                    let mut moved = vec![(from.clone(), to.code.clone())];
                    let mut below = descendants(&snapshot, from);
                    below.sort_by_key(|code| code.as_str().len());
                    moved.extend(
                        below
                            .into_iter()
                            .filter_map(|old| recode(&old, from, &to.code).map(|new| (old, new))),
                    );
                    for (old, new) in &moved {
                        let is_top = old == from;
                        sqlx::query(
                            "INSERT INTO divisions (code, name, level, parent_code, kind, seat, lineage, valid_from, event_id)
                             SELECT ?, CASE WHEN ? THEN ? ELSE name END, level, ?,
                                CASE WHEN ? THEN COALESCE(?, kind) ELSE kind END,
                                CASE WHEN ? THEN COALESCE(?, seat) ELSE seat END,
                                COALESCE(lineage, code), ?, ?
                             FROM divisions WHERE code = ?",
                        )
                        .bind(new.as_str())
                        .bind(is_top)
                        .bind(&to.name)
                        .bind(new.parent().map(|p| p.as_str().to_string()))
                        .bind(is_top)
                        .bind(&to.kind)
                        .bind(is_top)
                        .bind(&to.seat)
                        .bind(&day)
                        .bind(id)
                        .bind(old.as_str())
                        .execute(&mut *tx)
                        .await?;
                        end_division(&mut tx, old, &day, id).await?;
                        add_event_code(&mut tx, id, old).await?;
                        add_event_code(&mut tx, id, new).await?;
                    }
                    recoded += recode_references(&mut tx, from, &to.code).await?;
                }
                (Some(from), None) => end_division(&mut tx, from, &day, id).await?,
                (None, Some(to)) => {
                    let kind = to
                        .kind
                        .clone()
                        .or_else(|| kind_from_name(to.code.level(), &to.name).map(str::to_string));
                    sqlx::query(
                        "INSERT INTO divisions (code, name, level, parent_code, kind, seat, valid_from, event_id)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(to.code.as_str())
                    .bind(&to.name)
                    .bind(to.code.level().as_str())
                    .bind(to.code.parent().map(|p| p.as_str().to_string()))
                    .bind(kind)
                    .bind(&to.seat)
                    .bind(&day)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                (None, None) => {}
            }
        }
        let now = instant_text(Utc::now());
        for effect in effects {
            match effect {
                PlaceEffect::Create(place) => {
                    let place_id = register(&mut tx, place, change, &now).await?;
                    append(
                        &mut tx,
                        change.author,
                        "place.create",
                        "place",
                        Some(&place_id.to_string()),
                        audit_detail(place, 1, change),
                    )
                    .await?;
                }
                PlaceEffect::Append {
                    id: place_id,
                    expected_version,
                    place,
                } => {
                    let version =
                        append_version(&mut tx, *place_id, *expected_version, place, change)
                            .await?;
                    append(
                        &mut tx,
                        change.author,
                        "place.update",
                        "place",
                        Some(&place_id.to_string()),
                        audit_detail(place, version, change),
                    )
                    .await?;
                }
            }
        }
        append(
            &mut tx,
            change.author,
            "division_event.apply",
            "division_event",
            Some(id),
            json!({ "places": effects.len(), "signs_and_jurisdictions_recoded": recoded, "effective_on": checked.effective_on }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn read_event(row: &SqliteRow) -> StoreResult<StoredEvent> {
    let id: String = row.get("id");
    let corrupt = |what: &str| StoreError::Corrupt(format!("event {id}: {what}"));
    let mut reviewers: Vec<(i64, String)> =
        serde_json::from_str(row.get("reviewers")).map_err(|e| corrupt(&e.to_string()))?;
    reviewers.sort_by(|a, b| a.1.cmp(&b.1));
    let kind: String = row.get("kind");
    let status: String = row.get("status");
    let instant = |column: &str| {
        row.get::<Option<String>, _>(column)
            .map(|t| parse_instant(&t))
            .transpose()
    };
    let approval = match (
        row.get::<Option<String>, _>("approval_authority"),
        row.get::<Option<String>, _>("approval_date"),
        row.get::<Option<String>, _>("approval_document"),
    ) {
        (Some(authority), Some(date), Some(document_number)) => Some(EventApproval {
            authority,
            approved_on: parse_date(&date)?,
            document_number,
        }),
        _ => None,
    };
    Ok(StoredEvent {
        kind: EventKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        status: EventStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        effective_on: parse_date(row.get("effective_on"))?,
        summary: row.get("summary"),
        changes: serde_json::from_str(row.get("changes")).map_err(|e| corrupt(&e.to_string()))?,
        proposed_at: parse_instant(row.get("proposed_at"))?,
        proposed_by: row.get("proposed_by_name"),
        approval,
        decided_at: instant("decided_at")?,
        decided_by: row.get("decided_by_name"),
        decision_comment: row.get("decision_comment"),
        applied_at: instant("applied_at")?,
        reviewer_ids: reviewers.iter().map(|(id, _)| *id).collect(),
        reviewers: reviewers.into_iter().map(|(_, name)| name).collect(),
        id,
    })
}

/// Signs and staff jurisdictions under a re-coded division follow it to its new code (a sign's
/// version moves on, so an edit started before the change is refused as stale). Returns how
/// many rows changed.
async fn recode_references(
    tx: &mut sqlx::SqliteConnection,
    from: &DivisionCode,
    to: &DivisionCode,
) -> StoreResult<u64> {
    let (old, new) = (from.significant_prefix(), to.significant_prefix());
    let rest = i64::try_from(old.len()).unwrap_or_default() + 1;
    let signs = sqlx::query(
        "UPDATE signs SET division_code = ? || substr(division_code, ?), version = version + 1, updated_at = ?
         WHERE division_code >= ? AND division_code < ?",
    )
    .bind(new)
    .bind(rest)
    .bind(instant_text(Utc::now()))
    .bind(old)
    .bind(format!("{old}:"))
    .execute(&mut *tx)
    .await?;
    let jurisdictions = sqlx::query(
        "UPDATE user_jurisdictions SET prefix = ? || substr(prefix, ?) WHERE prefix >= ? AND prefix < ?",
    )
    .bind(new)
    .bind(rest)
    .bind(old)
    .bind(format!("{old}:"))
    .execute(&mut *tx)
    .await?;
    Ok(signs.rows_affected() + jurisdictions.rows_affected())
}

async fn end_division(
    tx: &mut sqlx::SqliteConnection,
    code: &DivisionCode,
    day: &str,
    event: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE divisions SET valid_to = ?, event_id = ? WHERE code = ?")
        .bind(day)
        .bind(event)
        .bind(code.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn add_event_code(
    tx: &mut sqlx::SqliteConnection,
    event: &str,
    code: &DivisionCode,
) -> StoreResult<()> {
    sqlx::query("INSERT OR IGNORE INTO division_event_codes (event_id, code) VALUES (?, ?)")
        .bind(event)
        .bind(code.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(())
}
