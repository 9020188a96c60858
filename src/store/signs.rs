//! The sign inventory: signs, maintenance log, photos, public reports (tickets), scan counts and
//! stored QR renderings.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::audit::{Author, append};
use super::{Store, StoreError, StoreResult, instant_text, parse_date, parse_instant};
use crate::domain::sign::{
    Maintenance, MaintenanceEntry, Photo, PublicCode, Report, Sign, SignInput, SignKind, SignStatus,
};

/// Which signs a listing returns, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct SignFilter {
    pub division_prefix: Option<String>,
    pub status: Option<SignStatus>,
    pub kind: Option<SignKind>,
    pub place_id: Option<i64>,
    /// Only signs in service last maintained (or installed) before this day.
    pub maintained_before: Option<NaiveDate>,
    pub ids: Option<Vec<i64>>,
    /// Only signs whose place's current record is public (what the anonymous public may see).
    pub public_places_only: bool,
    /// Only signs standing in this box [min_lon, min_lat, max_lon, max_lat].
    pub bbox: Option<[f64; 4]>,
    pub limit: i64,
    pub offset: i64,
}

const SIGN_COLUMNS: &str = "id, public_code, place_id, division_code, kind, sign_number, address, lon, lat, facing_deg,
    material, width_mm, height_mm, installed_on, status, replaced_by, last_maintained_on, version, created_at, updated_at";

impl Store {
    /// Registers a sign under a new public code (drawn again in the unlikely case it is taken).
    pub async fn create_sign(
        &self,
        sign: &SignInput,
        division_code: &str,
        mut new_code: impl FnMut() -> PublicCode,
        author: &Author,
    ) -> StoreResult<Sign> {
        for _ in 0..5 {
            let code = new_code();
            let mut tx = self.begin_write().await?;
            let now = instant_text(Utc::now());
            let inserted = insert_sign(&mut tx, sign, division_code, &code, &now).await?;
            let Some(id) = inserted else { continue };
            append(
                &mut tx,
                author,
                "sign.create",
                "sign",
                Some(&id.to_string()),
                json!({ "public_code": code.as_str(), "sign": sign }),
            )
            .await?;
            tx.commit().await?;
            return self.sign(id).await?.ok_or(StoreError::NotFound);
        }
        Err(StoreError::AlreadyExists(
            "a fresh sign code after 5 draws".into(),
        ))
    }

    /// Replaces a sign's description if it is still at `expected_version`.
    pub async fn update_sign(
        &self,
        id: i64,
        expected_version: i64,
        sign: &SignInput,
        division_code: &str,
        author: &Author,
    ) -> StoreResult<Sign> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE signs SET place_id = ?, division_code = ?, kind = ?, sign_number = ?, address = ?, lon = ?, lat = ?,
                facing_deg = ?, material = ?, width_mm = ?, height_mm = ?, installed_on = ?, version = version + 1, updated_at = ?
             WHERE id = ? AND version = ?",
        )
        .bind(sign.place_id)
        .bind(division_code)
        .bind(sign.kind.as_str())
        .bind(&sign.sign_number)
        .bind(&sign.address)
        .bind(sign.position.map(|p| p[0]))
        .bind(sign.position.map(|p| p[1]))
        .bind(sign.facing_deg)
        .bind(&sign.material)
        .bind(sign.width_mm.map(i64::from))
        .bind(sign.height_mm.map(i64::from))
        .bind(sign.installed_on.map(|d| d.to_string()))
        .bind(instant_text(Utc::now()))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(stale_or_missing(&mut tx, id, expected_version).await);
        }
        append(
            &mut tx,
            author,
            "sign.update",
            "sign",
            Some(&id.to_string()),
            json!({ "version": expected_version + 1, "sign": sign }),
        )
        .await?;
        tx.commit().await?;
        self.sign(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn sign(&self, id: i64) -> StoreResult<Option<Sign>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SIGN_COLUMNS} FROM signs WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_sign).transpose()
    }

    pub async fn sign_by_code(&self, code: &PublicCode) -> StoreResult<Option<Sign>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SIGN_COLUMNS} FROM signs WHERE public_code = ?"
        )))
        .bind(code.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_sign).transpose()
    }

    pub async fn list_signs(&self, filter: &SignFilter) -> StoreResult<(Vec<Sign>, i64)> {
        let conditions = |query: &mut QueryBuilder<Sqlite>| {
            query.push(" WHERE 1 = 1");
            if let Some(prefix) = &filter.division_prefix {
                query
                    .push(" AND division_code >= ")
                    .push_bind(prefix.clone())
                    .push(" AND division_code < ")
                    .push_bind(format!("{prefix}:"));
            }
            if let Some(status) = filter.status {
                query.push(" AND status = ").push_bind(status.as_str());
            }
            if let Some(kind) = filter.kind {
                query.push(" AND kind = ").push_bind(kind.as_str());
            }
            if let Some(place) = filter.place_id {
                query.push(" AND place_id = ").push_bind(place);
            }
            if let Some(before) = filter.maintained_before {
                query
                    .push(" AND status IN ('installed', 'damaged') AND COALESCE(last_maintained_on, installed_on, substr(created_at, 1, 10)) < ")
                    .push_bind(before.to_string());
            }
            if filter.public_places_only {
                query.push(
                    " AND EXISTS (SELECT 1 FROM places p JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
                       WHERE p.id = signs.place_id AND v.classification = 'public')",
                );
            }
            if let Some([min_lon, min_lat, max_lon, max_lat]) = filter.bbox {
                query
                    .push(" AND lon >= ")
                    .push_bind(min_lon)
                    .push(" AND lon <= ")
                    .push_bind(max_lon)
                    .push(" AND lat >= ")
                    .push_bind(min_lat)
                    .push(" AND lat <= ")
                    .push_bind(max_lat);
            }
            if let Some(ids) = &filter.ids {
                query.push(" AND id IN (");
                let mut separated = query.separated(", ");
                for id in ids {
                    separated.push_bind(*id);
                }
                query.push(")");
            }
        };
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM signs");
        conditions(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut query = QueryBuilder::<Sqlite>::new(format!("SELECT {SIGN_COLUMNS} FROM signs"));
        conditions(&mut query);
        query
            .push(" ORDER BY id LIMIT ")
            .push_bind(filter.limit)
            .push(" OFFSET ")
            .push_bind(filter.offset);
        let rows = query.build().fetch_all(self.pool()).await?;
        Ok((
            rows.iter().map(read_sign).collect::<StoreResult<_>>()?,
            total,
        ))
    }

    /// Records maintenance work and the sign's status after it.
    pub async fn record_maintenance(
        &self,
        id: i64,
        expected_version: i64,
        work: &Maintenance<'_>,
        author: &Author,
    ) -> StoreResult<Sign> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE signs SET status = ?, replaced_by = COALESCE(?, replaced_by),
                last_maintained_on = CASE WHEN ? IN ('cleaned', 'repaired', 'replaced', 'inspected') THEN ? ELSE last_maintained_on END,
                version = version + 1, updated_at = ?
             WHERE id = ? AND version = ?",
        )
        .bind(work.status_after.as_str())
        .bind(work.replaced_by)
        .bind(work.action)
        .bind(work.done_on.to_string())
        .bind(instant_text(Utc::now()))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(stale_or_missing(&mut tx, id, expected_version).await);
        }
        sqlx::query(
            "INSERT INTO sign_maintenance (sign_id, action, done_on, notes, status_after, photo_id, recorded_at, recorded_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(work.action)
        .bind(work.done_on.to_string())
        .bind(work.notes)
        .bind(work.status_after.as_str())
        .bind(work.photo_id)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "action": work.action, "done_on": work.done_on, "status_after": work.status_after, "notes": work.notes });
        append(
            &mut tx,
            author,
            "sign.maintenance",
            "sign",
            Some(&id.to_string()),
            detail,
        )
        .await?;
        tx.commit().await?;
        self.sign(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn maintenance_log(&self, id: i64) -> StoreResult<Vec<MaintenanceEntry>> {
        let rows = sqlx::query(
            "SELECT id, action, done_on, notes, status_after, photo_id, recorded_at, recorded_by
             FROM sign_maintenance WHERE sign_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MaintenanceEntry {
                    id: row.get("id"),
                    action: row.get("action"),
                    done_on: parse_date(row.get("done_on"))?,
                    notes: row.get("notes"),
                    status_after: row.get("status_after"),
                    photo_id: row.get("photo_id"),
                    recorded_at: parse_instant(row.get("recorded_at"))?,
                    recorded_by: row.get("recorded_by"),
                })
            })
            .collect()
    }

    pub async fn add_sign_photo(
        &self,
        sign_id: i64,
        media_type: &str,
        size: (u32, u32),
        bytes: &[u8],
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sign_photos (id, sign_id, media_type, width, height, bytes, uploaded_at, uploaded_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(super::random_file_id()?)
        .bind(sign_id)
        .bind(media_type)
        .bind(i64::from(size.0))
        .bind(i64::from(size.1))
        .bind(bytes)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "sign.photo",
            "sign",
            Some(&sign_id.to_string()),
            json!({ "photo_id": id, "bytes": bytes.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn sign_photo(&self, id: i64) -> StoreResult<Option<Photo>> {
        let row =
            sqlx::query("SELECT id, sign_id, media_type, bytes FROM sign_photos WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|row| Photo {
            id: row.get("id"),
            sign_id: row.get("sign_id"),
            media_type: row.get("media_type"),
            bytes: row.get("bytes"),
        }))
    }

    /// Opens a ticket from a public report, with its photo if one came, in one transaction.
    pub async fn open_report(
        &self,
        sign_id: i64,
        kind: &str,
        text: &str,
        photo: Option<(&str, (u32, u32), &[u8])>,
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let now = instant_text(Utc::now());
        let photo_id: Option<i64> = match photo {
            Some((media_type, (width, height), bytes)) => Some(
                sqlx::query_scalar(
                    "INSERT INTO sign_photos (id, sign_id, media_type, width, height, bytes, uploaded_at, uploaded_by)
                     VALUES (?, ?, ?, ?, ?, ?, ?, 'public report') RETURNING id",
                )
                .bind(super::random_file_id()?)
                .bind(sign_id)
                .bind(media_type)
                .bind(i64::from(width))
                .bind(i64::from(height))
                .bind(bytes)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?,
            ),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sign_reports (sign_id, kind, text, photo_id, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id",
        )
        .bind(sign_id)
        .bind(kind)
        .bind(text)
        .bind(photo_id)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "sign.report",
            "sign_report",
            Some(&id.to_string()),
            json!({ "sign_id": sign_id, "kind": kind }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn reports(
        &self,
        division_prefix: Option<&str>,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Report>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT r.id, r.sign_id, s.public_code, s.division_code, r.kind, r.text, r.photo_id, r.status, r.created_at,
                    r.updated_at, r.resolution, r.handled_by
             FROM sign_reports r JOIN signs s ON s.id = r.sign_id WHERE 1 = 1",
        );
        if let Some(prefix) = division_prefix {
            query
                .push(" AND s.division_code >= ")
                .push_bind(prefix.to_string())
                .push(" AND s.division_code < ")
                .push_bind(format!("{prefix}:"));
        }
        if let Some(status) = status {
            query.push(" AND r.status = ").push_bind(status.to_string());
        }
        query.push(" ORDER BY r.id DESC LIMIT ").push_bind(limit);
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_report).collect()
    }

    pub async fn report(&self, id: i64) -> StoreResult<Option<Report>> {
        let row = sqlx::query(
            "SELECT r.id, r.sign_id, s.public_code, s.division_code, r.kind, r.text, r.photo_id, r.status, r.created_at,
                    r.updated_at, r.resolution, r.handled_by
             FROM sign_reports r JOIN signs s ON s.id = r.sign_id WHERE r.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_report).transpose()
    }

    pub async fn handle_report(
        &self,
        id: i64,
        status: &str,
        resolution: Option<&str>,
        author: &Author,
    ) -> StoreResult<Report> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE sign_reports SET status = ?, resolution = COALESCE(?, resolution), handled_by = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(resolution)
            .bind(&author.username)
            .bind(instant_text(Utc::now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut tx,
            author,
            "sign.report_handled",
            "sign_report",
            Some(&id.to_string()),
            json!({ "status": status, "resolution": resolution }),
        )
        .await?;
        tx.commit().await?;
        self.report(id).await?.ok_or(StoreError::NotFound)
    }

    /// Adds counted scans: (sign id, day, count).
    pub async fn add_scans(&self, counts: &[(i64, NaiveDate, i64)]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for (sign_id, day, count) in counts {
            sqlx::query(
                "INSERT INTO sign_scans (sign_id, day, count) VALUES (?, ?, ?)
                 ON CONFLICT(sign_id, day) DO UPDATE SET count = count + excluded.count",
            )
            .bind(sign_id)
            .bind(day.to_string())
            .bind(count)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn scans(&self, sign_id: i64) -> StoreResult<Vec<(NaiveDate, i64)>> {
        let rows = sqlx::query("SELECT day, count FROM sign_scans WHERE sign_id = ? ORDER BY day")
            .bind(sign_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((parse_date(r.get("day"))?, r.get("count"))))
            .collect()
    }

    pub async fn stored_qr(
        &self,
        sign_id: i64,
        variant: &str,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row =
            sqlx::query("SELECT media_type, bytes FROM sign_qr WHERE sign_id = ? AND variant = ?")
                .bind(sign_id)
                .bind(variant)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| (r.get("media_type"), r.get("bytes"))))
    }

    pub async fn store_qr(
        &self,
        sign_id: i64,
        variant: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sign_qr (sign_id, variant, media_type, bytes) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(sign_id)
            .bind(variant)
            .bind(media_type)
            .bind(bytes)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Why a guarded update of sign `id` changed nothing: it moved on, or it does not exist.
async fn stale_or_missing(conn: &mut SqliteConnection, id: i64, expected: i64) -> StoreError {
    let current: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM signs WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await;
    match current {
        Ok(Some(current)) => StoreError::StaleVersion { expected, current },
        Ok(None) => StoreError::NotFound,
        Err(error) => error.into(),
    }
}

/// Inserts a sign under `code` inside the caller's transaction; `None` when the code is taken.
pub(super) async fn insert_sign(
    tx: &mut SqliteConnection,
    sign: &SignInput,
    division_code: &str,
    code: &PublicCode,
    now: &str,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signs (public_code, place_id, division_code, kind, sign_number, address, lon, lat, facing_deg,
            material, width_mm, height_mm, installed_on, status, last_maintained_on, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT(public_code) DO NOTHING RETURNING id",
    )
    .bind(code.as_str())
    .bind(sign.place_id)
    .bind(division_code)
    .bind(sign.kind.as_str())
    .bind(&sign.sign_number)
    .bind(&sign.address)
    .bind(sign.position.map(|p| p[0]))
    .bind(sign.position.map(|p| p[1]))
    .bind(sign.facing_deg)
    .bind(&sign.material)
    .bind(sign.width_mm.map(i64::from))
    .bind(sign.height_mm.map(i64::from))
    .bind(sign.installed_on.map(|d| d.to_string()))
    .bind(sign.status.unwrap_or(SignStatus::Installed).as_str())
    .bind(sign.installed_on.map(|d| d.to_string()))
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?)
}

fn read_sign(row: &SqliteRow) -> StoreResult<Sign> {
    let kind: &str = row.get("kind");
    let status: &str = row.get("status");
    let date = |column: &str| {
        row.get::<Option<&str>, _>(column)
            .map(parse_date)
            .transpose()
    };
    let lon: Option<f64> = row.get("lon");
    let lat: Option<f64> = row.get("lat");
    Ok(Sign {
        id: row.get("id"),
        public_code: row.get("public_code"),
        place_id: row.get("place_id"),
        division_code: row.get("division_code"),
        kind: SignKind::parse(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("sign kind {kind:?}")))?,
        sign_number: row.get("sign_number"),
        address: row.get("address"),
        position: lon.zip(lat).map(|(x, y)| [x, y]),
        facing_deg: row.get("facing_deg"),
        material: row.get("material"),
        width_mm: row.get("width_mm"),
        height_mm: row.get("height_mm"),
        installed_on: date("installed_on")?,
        status: SignStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("sign status {status:?}")))?,
        replaced_by: row.get("replaced_by"),
        last_maintained_on: date("last_maintained_on")?,
        version: row.get("version"),
        created_at: parse_instant(row.get("created_at"))?,
        updated_at: parse_instant(row.get("updated_at"))?,
    })
}

fn read_report(row: &SqliteRow) -> StoreResult<Report> {
    Ok(Report {
        id: row.get("id"),
        sign_id: row.get("sign_id"),
        public_code: row.get("public_code"),
        division_code: row.get("division_code"),
        kind: row.get("kind"),
        text: row.get("text"),
        photo_id: row.get("photo_id"),
        status: row.get("status"),
        created_at: parse_instant(row.get("created_at"))?,
        updated_at: parse_instant(row.get("updated_at"))?,
        resolution: row.get("resolution"),
        handled_by: row.get("handled_by"),
    })
}
