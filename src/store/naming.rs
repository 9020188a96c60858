//! Naming applications with their steps, reports, public comments and announcements. Every
//! write checks the version the caller started from inside its transaction (a stale step
//! changes nothing), appends a step row and an audit entry; an approval writes the place
//! record's new version in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::audit::{Author, append};
use super::places::{Change, append_version, register};
use super::{
    Store, StoreError, StoreResult, expect_version, instant_text, parse_date, parse_instant,
};
use crate::domain::naming::Announcement;
use crate::domain::naming::{ApplicationContent, ApplicationKind, Outcome, ReportKind, Stage};
use crate::domain::naming_heritage::Document;
use crate::domain::place::ValidPlace;

/// A new application as the store takes it (checked by the caller).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub kind: ApplicationKind,
    pub place_id: Option<i64>,
    pub proposed_name: String,
    pub current_name: Option<String>,
    pub category_code: String,
    pub division_codes: Vec<String>,
    pub content: ApplicationContent,
    pub geometry: Option<Value>,
    pub intake_checks: Value,
    pub filed_on: NaiveDate,
}

/// A report as written (one of the three of art. 11).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub kind: ReportKind,
    pub author: String,
    pub written_on: NaiveDate,
    pub outcome: Outcome,
    pub conclusion: String,
    pub files: Vec<Document>,
}

/// A report as read back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredReport {
    #[serde(flatten)]
    pub report: Report,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// An approval: authority, date and document number.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamingApproval {
    pub authority: String,
    pub approved_on: NaiveDate,
    pub document_number: String,
}

/// One step of an application's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepRecord {
    pub version: i64,
    pub action: String,
    pub stage: Stage,
    pub on_day: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub detail: Option<Value>,
}

/// An application as read back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredApplication {
    pub id: i64,
    pub kind: ApplicationKind,
    pub place_id: Option<i64>,
    pub proposed_name: String,
    pub current_name: Option<String>,
    pub category_code: String,
    pub division_code: String,
    pub division_codes: Vec<String>,
    pub content: ApplicationContent,
    pub geometry: Option<Value>,
    pub intake_checks: Value,
    pub stage: Stage,
    pub notice_starts_on: Option<NaiveDate>,
    pub notice_ends_on: Option<NaiveDate>,
    pub approval: Option<NamingApproval>,
    pub rejection_reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub filing_due_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub filing_authority: Option<String>,
    pub filing_reference: Option<String>,
    pub announcement_due_on: Option<NaiveDate>,
    pub announced_on: Option<NaiveDate>,
    pub version: i64,
    pub filed_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reports: Vec<StoredReport>,
    pub comment_count: i64,
}

/// A comment of the public on a name under notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub commenter: Option<String>,
    pub contact: Option<String>,
    pub text: String,
}

/// A comment as it arrives.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub received_on: NaiveDate,
    pub commenter: Option<String>,
    pub contact: Option<String>,
    pub text: String,
    pub remote_addr: Option<String>,
}

/// What a step other than a report or an approval does to an application.
#[derive(Debug, Clone)]
pub enum Transition {
    /// The notice runs from the first to the last day.
    StartNotice {
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    },
    /// Rejected on a day for a reason.
    Reject { on: NaiveDate, reason: String },
    /// Filed (备案) with an authority under a reference.
    File {
        on: NaiveDate,
        authority: String,
        reference: Option<String>,
        stage: Stage,
    },
    /// Announced: the announcement is published.
    Announce {
        announcement: Box<Announcement>,
        stage: Stage,
    },
}

/// What an approval does to the register: a new record, or a record's next version.
#[derive(Debug, Clone)]
pub enum PlaceWrite {
    Create(ValidPlace),
    Rename {
        place_id: i64,
        expected_version: i64,
        place: ValidPlace,
    },
}

/// Which applications to list.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// Only these stages (any when empty).
    pub stages: Vec<Stage>,
    /// Only under this division code prefix.
    pub division_prefix: Option<String>,
}

/// A name of the register in some art. 9 scope: enough to compare it with another.
#[derive(Debug, Clone)]
pub struct ScopeName {
    pub place_id: i64,
    pub version: i64,
    pub name: String,
    pub category_code: String,
    pub division_code: String,
    pub public: bool,
}

const APPLICATION_COLUMNS: &str = "id, kind, place_id, proposed_name, current_name, category_code, division_code,
    division_codes, content, geometry, intake_checks, stage, notice_starts_on, notice_ends_on,
    approval_authority, approved_on, document_number, rejection_reason, decided_on, filing_due_on,
    filed_on, filing_authority, filing_reference, announcement_due_on, announced_on, version,
    filed_by_name, created_at, updated_at,
    (SELECT COUNT(*) FROM naming_comments c WHERE c.application_id = naming_applications.id) AS comment_count";

impl Store {
    /// Files an application: its row, its first step and the audit entry.
    pub async fn create_application(
        &self,
        new: &NewApplication,
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_application(&mut tx, new, author).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One application with its reports, or `None`.
    pub async fn application(&self, id: i64) -> StoreResult<Option<StoredApplication>> {
        // One read transaction: the row and its reports from the same snapshot (a report
        // committed between two separate reads would show beside the version before it).
        let mut snapshot = self.pool().begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {APPLICATION_COLUMNS} FROM naming_applications WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&mut *snapshot)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut application = read_application(&row)?;
        let reports = sqlx::query(
            "SELECT kind, author, written_on, outcome, conclusion, files, recorded_at, recorded_by_name
             FROM naming_reports WHERE application_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *snapshot)
        .await?;
        snapshot.commit().await?;
        application.reports = reports
            .iter()
            .map(read_report)
            .collect::<StoreResult<_>>()?;
        Ok(Some(application))
    }

    /// Applications matching `filter`, newest first (without their reports).
    pub async fn applications(
        &self,
        filter: &ApplicationFilter,
    ) -> StoreResult<Vec<StoredApplication>> {
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {APPLICATION_COLUMNS} FROM naming_applications WHERE 1 = 1"
        ));
        if !filter.stages.is_empty() {
            query.push(" AND stage IN (");
            let mut list = query.separated(", ");
            for stage in &filter.stages {
                list.push_bind(stage.as_str());
            }
            query.push(")");
        }
        if let Some(prefix) = &filter.division_prefix {
            query
                .push(" AND division_code >= ")
                .push_bind(prefix.clone())
                .push(" AND division_code < ")
                .push_bind(format!("{prefix}:"));
        }
        query.push(" ORDER BY id DESC LIMIT 1000");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_application).collect()
    }

    /// The steps of an application, oldest first.
    pub async fn application_steps(&self, id: i64) -> StoreResult<Vec<StepRecord>> {
        let rows = sqlx::query(
            "SELECT version, action, stage, on_day, recorded_at, recorded_by_name, detail
             FROM naming_application_steps WHERE application_id = ? ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StepRecord {
                    version: row.get("version"),
                    action: row.get("action"),
                    stage: stage(row.get("stage"))?,
                    on_day: parse_date(row.get("on_day"))?,
                    recorded_at: parse_instant(row.get("recorded_at"))?,
                    recorded_by: row.get("recorded_by_name"),
                    detail: row
                        .get::<Option<&str>, _>("detail")
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Records a report, moving the application to `stage`, if it is still at `expected`.
    pub async fn add_report(
        &self,
        id: i64,
        expected: i64,
        report: &Report,
        stage: Stage,
        today: NaiveDate,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let version = bump(&mut tx, id, expected, stage).await?;
        let inserted = sqlx::query(
            "INSERT INTO naming_reports (application_id, kind, author, written_on, outcome, conclusion,
                files, recorded_at, recorded_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (application_id, kind) DO NOTHING",
        )
        .bind(id)
        .bind(report.kind.as_str())
        .bind(&report.author)
        .bind(report.written_on.to_string())
        .bind(report.outcome.as_str())
        .bind(&report.conclusion)
        .bind(to_json(&report.files)?)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(StoreError::AlreadyExists(format!(
                "the {} of application {id}",
                report.kind.as_str()
            )));
        }
        let detail =
            json!({ "kind": report.kind, "outcome": report.outcome, "author": report.author });
        record_step(&mut tx, id, version, "report", stage, today, author, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an application on (notice, rejection, filing, announcement), if it is still at
    /// `expected`.
    pub async fn move_application(
        &self,
        id: i64,
        expected: i64,
        transition: &Transition,
        today: NaiveDate,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let action: (i64, &str, Stage, Value) = match transition {
            Transition::StartNotice { starts_on, ends_on } => {
                let version = bump(&mut tx, id, expected, Stage::OnNotice).await?;
                sqlx::query("UPDATE naming_applications SET notice_starts_on = ?, notice_ends_on = ? WHERE id = ?")
                    .bind(starts_on.to_string())
                    .bind(ends_on.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (
                    version,
                    "notice",
                    Stage::OnNotice,
                    json!({ "starts_on": starts_on, "ends_on": ends_on }),
                )
            }
            Transition::Reject { on, reason } => {
                let version = bump(&mut tx, id, expected, Stage::Rejected).await?;
                sqlx::query("UPDATE naming_applications SET rejection_reason = ?, decided_on = ? WHERE id = ?")
                    .bind(reason)
                    .bind(on.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (
                    version,
                    "reject",
                    Stage::Rejected,
                    json!({ "reason": reason, "on": on }),
                )
            }
            Transition::File {
                on,
                authority,
                reference,
                stage,
            } => {
                let version = bump(&mut tx, id, expected, *stage).await?;
                sqlx::query("UPDATE naming_applications SET filed_on = ?, filing_authority = ?, filing_reference = ? WHERE id = ?")
                    .bind(on.to_string())
                    .bind(authority)
                    .bind(reference)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (
                    version,
                    "file_record",
                    *stage,
                    json!({ "on": on, "authority": authority, "reference": reference }),
                )
            }
            Transition::Announce {
                announcement,
                stage,
            } => {
                let version = bump(&mut tx, id, expected, *stage).await?;
                let a = announcement.as_ref();
                sqlx::query("UPDATE naming_applications SET announced_on = ? WHERE id = ?")
                    .bind(a.announced_on.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO naming_announcements (application_id, place_id, standard_name, former_name,
                        romanization, division_code, division_name, location, approving_authority,
                        approved_on, document_number, announced_on, published_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(id)
                .bind(a.place_id)
                .bind(&a.standard_name)
                .bind(&a.former_name)
                .bind(&a.romanization)
                .bind(&a.division_code)
                .bind(&a.division_name)
                .bind(&a.location)
                .bind(&a.approving_authority)
                .bind(a.approved_on.to_string())
                .bind(&a.document_number)
                .bind(a.announced_on.to_string())
                .bind(instant_text(Utc::now()))
                .execute(&mut *tx)
                .await?;
                (
                    version,
                    "announce",
                    *stage,
                    json!({ "on": a.announced_on, "standard_name": a.standard_name }),
                )
            }
        };
        let (version, action, stage, detail) = action;
        record_step(&mut tx, id, version, action, stage, today, author, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approves an application and, in the same transaction, creates or renames its record
    /// (with the approval on the new version). Returns the record's id.
    pub async fn approve_application(
        &self,
        id: i64,
        expected: i64,
        approval: &NamingApproval,
        write: &PlaceWrite,
        change: &Change<'_>,
        today: NaiveDate,
    ) -> StoreResult<(i64, i64)> {
        let mut tx = self.begin_write().await?;
        let version = bump(&mut tx, id, expected, Stage::Approved).await?;
        let (place_id, place_version, place) = match write {
            PlaceWrite::Create(place) => {
                let place_id = register(&mut tx, place, change, &instant_text(Utc::now())).await?;
                (place_id, 1, place)
            }
            PlaceWrite::Rename {
                place_id,
                expected_version,
                place,
            } => {
                let next =
                    append_version(&mut tx, *place_id, *expected_version, place, change).await?;
                (*place_id, next, place)
            }
        };
        let (filing_due, announcement_due) = crate::domain::naming::deadlines(approval.approved_on);
        sqlx::query(
            "UPDATE naming_applications SET place_id = ?, approval_authority = ?, approved_on = ?,
                document_number = ?, decided_on = ?, filing_due_on = ?, announcement_due_on = ?
             WHERE id = ?",
        )
        .bind(place_id)
        .bind(&approval.authority)
        .bind(approval.approved_on.to_string())
        .bind(&approval.document_number)
        .bind(today.to_string())
        .bind(filing_due.to_string())
        .bind(announcement_due.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({
            "authority": approval.authority,
            "approved_on": approval.approved_on,
            "document_number": approval.document_number,
            "place_id": place_id,
            "place_version": place_version,
        });
        record_step(
            &mut tx,
            id,
            version,
            "approve",
            Stage::Approved,
            today,
            change.author,
            detail,
        )
        .await?;
        let place_action = if matches!(write, PlaceWrite::Create(_)) {
            "place.create"
        } else {
            "place.update"
        };
        append(
            &mut tx,
            change.author,
            place_action,
            "place",
            Some(&place_id.to_string()),
            super::places::audit_detail(place, place_version, change),
        )
        .await?;
        tx.commit().await?;
        Ok((place_id, place_version))
    }

    /// Takes a comment on application `id` if it is under notice on `received_on`; `false`
    /// when it is not (nothing stored).
    pub async fn add_comment(&self, id: i64, comment: &NewComment) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let day = comment.received_on.to_string();
        let inserted = sqlx::query(
            "INSERT INTO naming_comments (application_id, received_at, received_on, commenter, contact, text, remote_addr)
             SELECT id, ?, ?, ?, ?, ?, ? FROM naming_applications
              WHERE id = ? AND stage = 'on_notice' AND notice_starts_on <= ? AND notice_ends_on >= ?",
        )
        .bind(instant_text(Utc::now()))
        .bind(&day)
        .bind(&comment.commenter)
        .bind(&comment.contact)
        .bind(&comment.text)
        .bind(&comment.remote_addr)
        .bind(id)
        .bind(&day)
        .bind(&day)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        append(
            &mut tx,
            &Author {
                user_id: None,
                username: "anonymous".into(),
                remote_addr: comment.remote_addr.clone(),
            },
            "naming.comment",
            "naming_application",
            Some(&id.to_string()),
            json!({ "chars": comment.text.chars().count() }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The comments on an application, oldest first.
    pub async fn comments(&self, id: i64) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT id, received_at, received_on, commenter, contact, text FROM naming_comments
             WHERE application_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Comment {
                    id: row.get("id"),
                    received_at: parse_instant(row.get("received_at"))?,
                    received_on: parse_date(row.get("received_on"))?,
                    commenter: row.get("commenter"),
                    contact: row.get("contact"),
                    text: row.get("text"),
                })
            })
            .collect()
    }

    /// Approved applications whose filing or announcement is past its last day on `today`.
    pub async fn overdue_applications(
        &self,
        today: NaiveDate,
    ) -> StoreResult<Vec<StoredApplication>> {
        let day = today.to_string();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {APPLICATION_COLUMNS} FROM naming_applications
             WHERE stage = 'approved'
               AND ((filed_on IS NULL AND filing_due_on < ?) OR (announced_on IS NULL AND announcement_due_on < ?))
             ORDER BY MIN(filing_due_on, announcement_due_on), id"
        )))
        .bind(&day)
        .bind(&day)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_application).collect()
    }

    /// Announcements under a division prefix, between two days (both optional), newest first.
    pub async fn announcements(
        &self,
        division_prefix: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: i64,
    ) -> StoreResult<Vec<Announcement>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT a.* FROM naming_announcements a JOIN places p ON p.id = a.place_id
               JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
             WHERE v.classification = 'public'",
        );
        if let Some(prefix) = division_prefix {
            query
                .push(" AND a.division_code >= ")
                .push_bind(prefix.to_string())
                .push(" AND a.division_code < ")
                .push_bind(format!("{prefix}:"));
        }
        if let Some(from) = from {
            query
                .push(" AND a.announced_on >= ")
                .push_bind(from.to_string());
        }
        if let Some(to) = to {
            query
                .push(" AND a.announced_on <= ")
                .push_bind(to.to_string());
        }
        query
            .push(" ORDER BY a.announced_on DESC, a.id DESC LIMIT ")
            .push_bind(limit);
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_announcement).collect()
    }

    /// Whether the renaming of place `place_id` to `name` has been announced.
    pub async fn renaming_announced(&self, place_id: i64, name: &str) -> StoreResult<bool> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM naming_announcements WHERE place_id = ? AND standard_name = ? AND former_name IS NOT NULL",
        )
        .bind(place_id)
        .bind(name)
        .fetch_one(self.pool())
        .await?
            > 0)
    }

    /// The announcement of an application, if published.
    pub async fn announcement_of(&self, application_id: i64) -> StoreResult<Option<Announcement>> {
        let row = sqlx::query("SELECT * FROM naming_announcements WHERE application_id = ?")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(read_announcement).transpose()
    }

    /// The current names in use under `prefix` whose category starts with one of
    /// `categories`: what a name is compared with in its art. 9 scope.
    pub async fn names_in_scope(
        &self,
        prefix: &str,
        categories: &[&str],
    ) -> StoreResult<Vec<ScopeName>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT p.id, v.version, v.standard_name, v.category_code, v.classification, d.division_code
               FROM places p
               JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
               JOIN place_version_divisions d ON d.place_id = p.id AND d.version = v.version AND d.position = 0
              WHERE v.status = 'current' AND d.division_code >= ",
        );
        query
            .push_bind(prefix.to_string())
            .push(" AND d.division_code < ")
            .push_bind(format!("{prefix}:"))
            .push(" AND (0");
        for category in categories {
            query
                .push(" OR (v.category_code >= ")
                .push_bind(category.to_string())
                .push(" AND v.category_code < ")
                .push_bind(format!("{category}:"))
                .push(")");
        }
        query.push(")");
        let rows = query.build().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|row| ScopeName {
                place_id: row.get("id"),
                version: row.get("version"),
                name: row.get("standard_name"),
                category_code: row.get("category_code"),
                division_code: row.get("division_code"),
                public: row.get::<&str, _>("classification") == "public",
            })
            .collect())
    }
}

/// Files an application inside the caller's transaction (its row, first step, audit entry).
pub(crate) async fn insert_application(
    tx: &mut SqliteConnection,
    new: &NewApplication,
    author: &Author,
) -> StoreResult<i64> {
    let now = instant_text(Utc::now());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO naming_applications (kind, place_id, proposed_name, current_name, category_code,
            division_code, division_codes, content, geometry, intake_checks, stage, version,
            filed_by, filed_by_name, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 1, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.kind.as_str())
    .bind(new.place_id)
    .bind(&new.proposed_name)
    .bind(&new.current_name)
    .bind(&new.category_code)
    .bind(new.division_codes.first())
    .bind(to_json(&new.division_codes)?)
    .bind(to_json(&new.content)?)
    .bind(new.geometry.as_ref().map(Value::to_string))
    .bind(new.intake_checks.to_string())
    .bind(author.user_id)
    .bind(&author.username)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    insert_step(
        &mut *tx,
        id,
        1,
        "file",
        Stage::Received,
        new.filed_on,
        author,
        Some(json!({ "proposed_name": new.proposed_name, "kind": new.kind })),
    )
    .await?;
    append(
        &mut *tx,
        author,
        "naming.file",
        "naming_application",
        Some(&id.to_string()),
        json!({ "proposed_name": new.proposed_name, "kind": new.kind, "place_id": new.place_id }),
    )
    .await?;
    Ok(id)
}

/// A value as the text of a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Moves application `id` to `stage` and its next version if it is still at `expected`;
/// returns the new version.
pub(crate) async fn bump(
    tx: &mut SqliteConnection,
    id: i64,
    expected: i64,
    stage: Stage,
) -> StoreResult<i64> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT version FROM naming_applications WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let current = current.ok_or(StoreError::NotFound)?;
    expect_version(expected, current)?;
    sqlx::query("UPDATE naming_applications SET version = ?, stage = ?, updated_at = ? WHERE id = ? AND version = ?")
        .bind(current + 1)
        .bind(stage.as_str())
        .bind(instant_text(Utc::now()))
        .bind(id)
        .bind(current)
        .execute(&mut *tx)
        .await?;
    Ok(current + 1)
}

#[allow(clippy::too_many_arguments)]
async fn insert_step(
    tx: &mut SqliteConnection,
    id: i64,
    version: i64,
    action: &str,
    stage: Stage,
    on_day: NaiveDate,
    author: &Author,
    detail: Option<Value>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO naming_application_steps (application_id, version, action, stage, on_day,
            recorded_at, recorded_by, recorded_by_name, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(version)
    .bind(action)
    .bind(stage.as_str())
    .bind(on_day.to_string())
    .bind(instant_text(Utc::now()))
    .bind(author.user_id)
    .bind(&author.username)
    .bind(detail.map(|d| d.to_string()))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a step of application `id` (now at `version`) in its history and in the audit log
/// (as `naming.<action>`), with one `detail` for both.
#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &mut SqliteConnection,
    id: i64,
    version: i64,
    action: &str,
    stage: Stage,
    on_day: NaiveDate,
    author: &Author,
    detail: Value,
) -> StoreResult<()> {
    insert_step(
        tx,
        id,
        version,
        action,
        stage,
        on_day,
        author,
        Some(detail.clone()),
    )
    .await?;
    append(
        tx,
        author,
        &format!("naming.{action}"),
        "naming_application",
        Some(&id.to_string()),
        detail,
    )
    .await
}

fn stage(text: &str) -> StoreResult<Stage> {
    Stage::parse(text).ok_or_else(|| StoreError::Corrupt(format!("stage {text:?}")))
}

fn optional_date(row: &SqliteRow, column: &str) -> StoreResult<Option<NaiveDate>> {
    row.get::<Option<&str>, _>(column)
        .map(parse_date)
        .transpose()
}

fn json_column<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn read_application(row: &SqliteRow) -> StoreResult<StoredApplication> {
    let kind: &str = row.get("kind");
    let approval = match (
        row.get::<Option<String>, _>("approval_authority"),
        optional_date(row, "approved_on")?,
    ) {
        (Some(authority), Some(approved_on)) => Some(NamingApproval {
            authority,
            approved_on,
            document_number: row
                .get::<Option<String>, _>("document_number")
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(StoredApplication {
        id: row.get("id"),
        kind: ApplicationKind::parse(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("kind {kind:?}")))?,
        place_id: row.get("place_id"),
        proposed_name: row.get("proposed_name"),
        current_name: row.get("current_name"),
        category_code: row.get("category_code"),
        division_code: row.get("division_code"),
        division_codes: json_column(row.get("division_codes"))?,
        content: json_column(row.get("content"))?,
        geometry: row
            .get::<Option<&str>, _>("geometry")
            .map(json_column)
            .transpose()?,
        intake_checks: json_column(row.get("intake_checks"))?,
        stage: stage(row.get("stage"))?,
        notice_starts_on: optional_date(row, "notice_starts_on")?,
        notice_ends_on: optional_date(row, "notice_ends_on")?,
        approval,
        rejection_reason: row.get("rejection_reason"),
        decided_on: optional_date(row, "decided_on")?,
        filing_due_on: optional_date(row, "filing_due_on")?,
        filed_on: optional_date(row, "filed_on")?,
        filing_authority: row.get("filing_authority"),
        filing_reference: row.get("filing_reference"),
        announcement_due_on: optional_date(row, "announcement_due_on")?,
        announced_on: optional_date(row, "announced_on")?,
        version: row.get("version"),
        filed_by: row.get("filed_by_name"),
        created_at: parse_instant(row.get("created_at"))?,
        updated_at: parse_instant(row.get("updated_at"))?,
        reports: Vec::new(),
        comment_count: row.get("comment_count"),
    })
}

fn read_report(row: &SqliteRow) -> StoreResult<StoredReport> {
    let kind: &str = row.get("kind");
    let outcome: &str = row.get("outcome");
    Ok(StoredReport {
        report: Report {
            kind: ReportKind::parse(kind)
                .ok_or_else(|| StoreError::Corrupt(format!("report {kind:?}")))?,
            author: row.get("author"),
            written_on: parse_date(row.get("written_on"))?,
            outcome: Outcome::parse(outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("outcome {outcome:?}")))?,
            conclusion: row.get("conclusion"),
            files: json_column(row.get("files"))?,
        },
        recorded_at: parse_instant(row.get("recorded_at"))?,
        recorded_by: row.get("recorded_by_name"),
    })
}

fn read_announcement(row: &SqliteRow) -> StoreResult<Announcement> {
    Ok(Announcement {
        id: row.get("id"),
        application_id: row.get("application_id"),
        place_id: row.get("place_id"),
        standard_name: row.get("standard_name"),
        former_name: row.get("former_name"),
        romanization: row.get("romanization"),
        division_code: row.get("division_code"),
        division_name: row.get("division_name"),
        location: row.get("location"),
        approving_authority: row.get("approving_authority"),
        approved_on: parse_date(row.get("approved_on"))?,
        document_number: row.get("document_number"),
        announced_on: parse_date(row.get("announced_on"))?,
        published_at: parse_instant(row.get("published_at"))?,
    })
}
