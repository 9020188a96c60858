//! GeoPackage files (OGC 12-128r18) of the place register through the service's own SQLite
//! driver: the feature table `places` (fid = the record id, every column of the flat record,
//! the geometry as GeoPackage blobs) in EPSG:4490, registered in `gpkg_spatial_ref_sys`, and the
//! reading of such a table (or the first feature table of any GeoPackage) back into rows.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Column as _, Connection, Row, SqliteConnection, TypeInfo, ValueRef};

use super::{Store, StoreError, StoreResult};
use crate::domain::exchange::columns::{
    Cell, FIELDS, IDENTITY, Kind, REQUIRED, flatten, unflatten,
};
use crate::domain::exchange::gpkg_blob;
use crate::domain::exchange::{ImportRow, ReadRows, RowError, RowGeometry};

/// The layer's name in exports.
pub const PLACES_TABLE: &str = "places";

const CGCS2000_WKT: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#;
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

const SCHEMA: &str = r#"
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"#;

fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Integer => "INTEGER",
        Kind::Real => "REAL",
        Kind::Text => "TEXT",
        Kind::Date => "DATE",
    }
}

/// Grows `extent` (min x, min y, max x, max y) by the bounding box of `geometry`.
pub(super) fn extend(extent: &mut Option<[f64; 4]>, geometry: &geo::Geometry<f64>) {
    if let Some(rect) = geo::BoundingRect::bounding_rect(geometry) {
        let e = extent.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
        e[0] = e[0].min(rect.min().x);
        e[1] = e[1].min(rect.min().y);
        e[2] = e[2].max(rect.max().x);
        e[3] = e[3].max(rect.max().y);
    }
}

/// Records a layer's extent in `gpkg_contents` (nothing when it has no geometry).
pub(super) async fn set_extent(
    tx: &mut SqliteConnection,
    table: &str,
    extent: Option<[f64; 4]>,
) -> StoreResult<()> {
    if let Some([min_x, min_y, max_x, max_y]) = extent {
        sqlx::query("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?")
            .bind(min_x)
            .bind(min_y)
            .bind(max_x)
            .bind(max_y)
            .bind(table)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Opens a GeoPackage to read (never written, never locked).
pub(super) async fn open_to_read(path: &Path) -> Result<SqliteConnection, String> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("not a readable GeoPackage (truncated or damaged?): {e}"))
}

fn failed(path: &Path, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}: {error}", path.display()))
}

impl Store {
    /// Writes the current records (those in a division below `division_prefix`, or all) to a
    /// new GeoPackage at `path` (replacing a file there), in one transaction. Returns how many.
    pub async fn write_places_gpkg(
        &self,
        path: &Path,
        division_prefix: Option<&str>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> StoreResult<u64> {
        if path.exists() {
            std::fs::remove_file(path).map_err(|e| failed(path, e))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        sqlx::raw_sql(SCHEMA).execute(&mut conn).await?;
        let mut tx = conn.begin().await?;
        for (name, id, org_id, wkt, description) in [
            (
                "Undefined cartesian SRS",
                -1,
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                4326,
                WGS84_WKT,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
            (
                "China Geodetic Coordinate System 2000",
                4490,
                4490,
                CGCS2000_WKT,
                "CGCS2000 longitude/latitude, the system of the place-name register",
            ),
        ] {
            sqlx::query("INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(name)
                .bind(id)
                .bind(if id > 0 { "EPSG" } else { "NONE" })
                .bind(org_id)
                .bind(wkt)
                .bind(description)
                .execute(&mut *tx)
                .await?;
        }
        let columns: Vec<_> = IDENTITY.iter().chain(FIELDS.iter()).collect();
        let definitions: Vec<String> = columns
            .iter()
            .map(|c| format!("\"{}\" {}", c.name, sql_type(c.kind)))
            .collect();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {PLACES_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY, {})",
            definitions.join(", ")
        )))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, 'features', ?, ?, 4490)")
            .bind(PLACES_TABLE)
            .bind(PLACES_TABLE)
            .bind("地名普查登记 place-name census records (current versions)")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'GEOMETRY', 4490, 0, 0)")
            .bind(PLACES_TABLE)
            .execute(&mut *tx)
            .await?;
        let placeholders = vec!["?"; columns.len() + 2].join(", ");
        let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let insert = format!(
            "INSERT INTO {PLACES_TABLE} (fid, geom, {}) VALUES ({placeholders})",
            names.join(", ")
        );
        let mut extent: Option<[f64; 4]> = None;
        let (mut after, mut count) = (0i64, 0u64);
        loop {
            let page = self.places_after(after, division_prefix, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for place in &page {
                let geometry = crate::domain::exchange::geometry_of(place.geometry.as_ref());
                let blob = geometry.as_ref().map(|g| {
                    extend(&mut extent, g);
                    gpkg_blob::encode(g, 4490)
                });
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                    .bind(place.id)
                    .bind(blob)
                    .bind(place.id)
                    .bind(place.code.clone())
                    .bind(place.current_version);
                for cell in flatten(&place.properties) {
                    query = match cell {
                        Cell::Null => query.bind(None::<String>),
                        Cell::Integer(n) => query.bind(n),
                        Cell::Real(x) => query.bind(x),
                        Cell::Text(t) => query.bind(t),
                    };
                }
                query.execute(&mut *tx).await?;
                count += 1;
            }
            progress(count);
        }
        set_extent(&mut tx, PLACES_TABLE, extent).await?;
        tx.commit().await?;
        conn.close().await?;
        Ok(count)
    }
}

/// Reads the place table of a GeoPackage: `places`, or the first feature table. The file
/// itself failing (not a GeoPackage, truncated, another system than EPSG:4490/4326) is an
/// error of row 0; each bad row is an error of its fid.
pub async fn read_places_gpkg(path: &Path, file: &str) -> ReadRows {
    match read(path, file).await {
        Ok(read) => read,
        Err(message) => ReadRows {
            rows: Vec::new(),
            errors: vec![RowError::new(file, 0, "", message)],
        },
    }
}

async fn read(path: &Path, file: &str) -> Result<ReadRows, String> {
    let not_gpkg =
        |e: sqlx::Error| format!("not a readable GeoPackage (truncated or damaged?): {e}");
    let mut conn = open_to_read(path).await?;
    let layers: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c
           JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
         WHERE c.data_type = 'features' ORDER BY c.table_name = 'places' DESC, c.table_name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(not_gpkg)?;
    let Some((table, geometry_column, srs_id)) = layers.into_iter().next() else {
        return Err("the GeoPackage has no feature table".into());
    };
    if srs_id != 4490 && srs_id != 4326 {
        return Err(format!(
            "layer {table} is in system {srs_id}; the register takes EPSG:4490 (CGCS2000) or EPSG:4326: convert it first (ogr2ogr -t_srs EPSG:4490)"
        ));
    }
    let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let rows: Vec<SqliteRow> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM {} ORDER BY 1",
        quoted(&table)
    )))
    .fetch_all(&mut conn)
    .await
    .map_err(not_gpkg)?;
    let _ = conn.close().await;
    let mut read = ReadRows::default();
    let Some(first) = rows.first() else {
        return Ok(read);
    };
    let names: Vec<String> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    for required in REQUIRED {
        if !names.iter().any(|n| n == required) {
            read.errors.push(RowError::new(
                file,
                0,
                required,
                format!("layer {table} has no column {required}"),
            ));
        }
    }
    if !read.errors.is_empty() {
        return Ok(read);
    }
    for row in &rows {
        let fid: i64 = row.try_get(0).unwrap_or_default();
        let line = usize::try_from(fid).unwrap_or(0);
        let text = |name: &str| -> Option<String> {
            let raw = row.try_get_raw(name).ok()?;
            if raw.is_null() {
                return None;
            }
            let kind = raw.type_info().name().to_string();
            match kind.as_str() {
                "INTEGER" => row.try_get::<i64, _>(name).ok().map(|n| n.to_string()),
                "REAL" => row.try_get::<f64, _>(name).ok().map(|x| x.to_string()),
                _ => row.try_get::<String, _>(name).ok(),
            }
        };
        let mut problems: Vec<(String, String)> = Vec::new();
        let id = match text("id") {
            None => None,
            Some(t) => match crate::domain::exchange::parse_id(&t) {
                Ok(id) => Some(id),
                Err(message) => {
                    problems.push(("id".into(), message));
                    None
                }
            },
        };
        let version = text("version").and_then(|t| t.parse::<i64>().ok());
        let geometry = match row.try_get::<Option<Vec<u8>>, _>(geometry_column.as_str()) {
            Ok(None) => RowGeometry::None,
            Ok(Some(blob)) => match gpkg_blob::decode(&blob) {
                Ok((geometry, _)) => {
                    RowGeometry::GeoJson(crate::domain::exchange::geojson_of(&geometry))
                }
                Err(message) => {
                    problems.push((geometry_column.clone(), message));
                    RowGeometry::None
                }
            },
            Err(e) => {
                problems.push((geometry_column.clone(), format!("not a geometry blob: {e}")));
                RowGeometry::None
            }
        };
        match unflatten(text) {
            Ok(properties) if problems.is_empty() => read.rows.push(ImportRow {
                row: line,
                part: None,
                id,
                code: text("code"),
                version,
                properties,
                geometry,
            }),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
        read.errors.extend(
            problems
                .into_iter()
                .map(|(field, message)| RowError::new(file, line, field, message)),
        );
    }
    Ok(read)
}

/// What the version tables of an exchange package hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionCounts {
    /// Rows of `place_versions`: every version of every record exported.
    pub versions: u64,
    /// Rows of `place_approvals`: the versions that carry an approval.
    pub approvals: u64,
}

impl Store {
    /// Adds the tables of the exchange package to a GeoPackage written by
    /// [`Store::write_places_gpkg`]: `place_versions` (every version of the records exported —
    /// who, when, why — with every field and the geometry as GeoJSON) and `place_approvals`
    /// (the approval of each version that has one), registered as attribute tables.
    pub async fn write_versions_gpkg(
        &self,
        path: &Path,
        division_prefix: Option<&str>,
    ) -> StoreResult<VersionCounts> {
        let options = SqliteConnectOptions::new().filename(path);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        let mut tx = conn.begin().await?;
        let definitions: Vec<String> = FIELDS
            .iter()
            .map(|c| format!("\"{}\" {}", c.name, sql_type(c.kind)))
            .collect();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE place_versions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
               place_id INTEGER NOT NULL, code TEXT, version INTEGER NOT NULL, action TEXT NOT NULL,
               effective_on DATE NOT NULL, recorded_at DATETIME NOT NULL, recorded_by TEXT, comment TEXT,
               {}, geometry_geojson TEXT, UNIQUE (place_id, version));
             CREATE TABLE place_approvals (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
               place_id INTEGER NOT NULL, version INTEGER NOT NULL, standard_name TEXT NOT NULL,
               authority TEXT, approved_on DATE, document_number TEXT);
             INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
               ('place_versions', 'attributes', 'place_versions', '每条记录的全部版本 every version of each record'),
               ('place_approvals', 'attributes', 'place_approvals', '批准机关、批准时间、文号 the approvals of the versions');",
            definitions.join(", ")
        )))
        .execute(&mut *tx)
        .await?;
        let names: Vec<String> = FIELDS.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let insert = format!(
            "INSERT INTO place_versions (place_id, code, version, action, effective_on, recorded_at, recorded_by, comment, {}, geometry_geojson) VALUES ({})",
            names.join(", "),
            vec!["?"; FIELDS.len() + 9].join(", ")
        );
        let mut counts = VersionCounts::default();
        let mut after = 0i64;
        loop {
            let page = self.versions_after(after, division_prefix, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for place in &page {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                    .bind(place.id)
                    .bind(place.code.clone())
                    .bind(place.meta.version)
                    .bind(place.meta.action.as_str())
                    .bind(place.meta.effective_on.to_string())
                    .bind(super::instant_text(place.meta.recorded_at))
                    .bind(place.meta.recorded_by.clone())
                    .bind(place.meta.comment.clone());
                for cell in flatten(&place.properties) {
                    query = match cell {
                        Cell::Null => query.bind(None::<String>),
                        Cell::Integer(n) => query.bind(n),
                        Cell::Real(x) => query.bind(x),
                        Cell::Text(t) => query.bind(t),
                    };
                }
                query
                    .bind(place.geometry.as_ref().map(ToString::to_string))
                    .execute(&mut *tx)
                    .await?;
                counts.versions += 1;
                if let Some(approval) = place
                    .properties
                    .approval
                    .as_ref()
                    .filter(|a| **a != crate::domain::place::Approval::default())
                {
                    sqlx::query("INSERT INTO place_approvals (place_id, version, standard_name, authority, approved_on, document_number) VALUES (?, ?, ?, ?, ?, ?)")
                        .bind(place.id)
                        .bind(place.meta.version)
                        .bind(place.properties.standard_name.clone())
                        .bind(approval.authority.clone())
                        .bind(approval.approved_on.map(|d| d.to_string()))
                        .bind(approval.document_number.clone())
                        .execute(&mut *tx)
                        .await?;
                    counts.approvals += 1;
                }
            }
        }
        tx.commit().await?;
        conn.close().await?;
        Ok(counts)
    }

    /// Every version of the next `limit` records after id `after` (those whose current version
    /// lies below `division_prefix`, or all), by record and version.
    async fn versions_after(
        &self,
        after: i64,
        division_prefix: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<super::places::StoredPlace>> {
        let ids: Vec<i64> = self
            .places_after(after, division_prefix, limit)
            .await?
            .iter()
            .map(|p| p.id)
            .collect();
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "SELECT {} FROM places p JOIN place_versions v ON v.place_id = p.id WHERE p.id >= ",
            super::places::VERSION_COLUMNS
        ));
        query
            .push_bind(*first)
            .push(" AND p.id <= ")
            .push_bind(*last)
            .push(" AND p.id IN (");
        let mut list = query.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        query.push(") ORDER BY p.id, v.version");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(super::places::read_place).collect()
    }
}
