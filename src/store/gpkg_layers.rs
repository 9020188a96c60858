//! The reference layers of a GeoPackage export beside its `places`: `divisions` (the division
//! table: code, name, level, parent, period), `boundary_lines` (each recorded line's current
//! version with its agreement, as a line in EPSG:4490) and `markers` (each boundary marker as a
//! point in EPSG:4490, with the coordinates as surveyed and their system kept beside it).

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

use super::gpkg::{extend, open_to_read, set_extent};
use super::{Store, StoreResult};
use crate::domain::boundary_line::LineCode;
use crate::domain::division_code::DivisionCode;
use crate::domain::exchange::{geometry_of, gpkg_blob};

/// The layers' names.
pub const DIVISIONS_TABLE: &str = "divisions";
/// See [`DIVISIONS_TABLE`].
pub const LINES_TABLE: &str = "boundary_lines";
/// See [`DIVISIONS_TABLE`].
pub const MARKERS_TABLE: &str = "markers";

/// How many rows each reference layer received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerCounts {
    /// Rows of `divisions`.
    pub divisions: u64,
    /// Rows of `boundary_lines`.
    pub lines: u64,
    /// Rows of `markers`.
    pub markers: u64,
}

const SCHEMA: &str = r#"
CREATE TABLE divisions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL, level TEXT NOT NULL, parent_code TEXT, valid_from DATE, valid_to DATE);
CREATE TABLE boundary_lines (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY,
  line_code TEXT NOT NULL UNIQUE, first_code TEXT NOT NULL, second_code TEXT NOT NULL,
  level TEXT NOT NULL, version INTEGER NOT NULL, effective_on DATE NOT NULL,
  agreement_title TEXT, agreement_number TEXT, agreement_signed_on DATE, approved_by TEXT,
  source TEXT NOT NULL, length_m REAL NOT NULL);
CREATE TABLE markers (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY,
  marker_number TEXT NOT NULL UNIQUE, line_code TEXT NOT NULL, sequence INTEGER NOT NULL,
  marker_type TEXT NOT NULL, surveyed_x REAL NOT NULL, surveyed_y REAL NOT NULL,
  surveyed_crs TEXT NOT NULL, material TEXT, installed_on DATE);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('divisions', 'attributes', 'divisions', '行政区划 the administrative divisions (code, name, level, parent, period)');
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
  ('boundary_lines', 'features', 'boundary_lines', '行政区域界线 the recorded boundary lines (current versions)', 4490),
  ('markers', 'features', 'markers', '界桩 the boundary markers (surveyed coordinates and their system kept beside)', 4490);
INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES
  ('boundary_lines', 'geom', 'GEOMETRY', 4490, 0, 0),
  ('markers', 'geom', 'POINT', 4490, 0, 0);
"#;

/// Whether a line between these two divisions concerns an export limited to `prefix`.
fn line_concerns(line_code: &str, prefix: Option<&str>) -> bool {
    let Some(prefix) = prefix else { return true };
    LineCode::parse(line_code).is_ok_and(|line| {
        line.sides().iter().any(|side| {
            side.as_str().starts_with(prefix) || prefix.starts_with(side.significant_prefix())
        })
    })
}

type DivisionRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

type MarkerRow = (
    String,
    String,
    i64,
    String,
    f64,
    f64,
    f64,
    f64,
    String,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Adds the reference layers to a GeoPackage written by [`Store::write_places_gpkg`]: the
    /// divisions below `division_prefix` and those above it (all when `None`), and the lines
    /// and markers with a side there that `readable` (given a line code) lets through.
    pub async fn write_reference_layers_gpkg(
        &self,
        path: &Path,
        division_prefix: Option<&str>,
        readable: &(dyn Fn(&str) -> bool + Sync),
    ) -> StoreResult<LayerCounts> {
        let divisions: Vec<DivisionRow> = sqlx::query_as(
            "SELECT code, name, level, parent_code, valid_from, valid_to FROM divisions ORDER BY code",
        )
        .fetch_all(self.pool())
        .await?;
        let lines = self.boundary_lines(None).await?;
        let markers: Vec<MarkerRow> = sqlx::query_as(
            "SELECT marker_number, line_code, sequence, marker_type, lon, lat, surveyed_x, surveyed_y,
                    surveyed_crs, material, installed_on FROM markers ORDER BY line_code, sequence, marker_type",
        )
        .fetch_all(self.pool())
        .await?;

        let options = SqliteConnectOptions::new().filename(path);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
        let mut counts = LayerCounts::default();
        for (code, name, level, parent, from, to) in divisions {
            let wanted = division_prefix.is_none_or(|prefix| {
                code.starts_with(prefix)
                    || DivisionCode::parse(&code)
                        .is_ok_and(|above| prefix.starts_with(above.significant_prefix()))
            });
            if !wanted {
                continue;
            }
            sqlx::query("INSERT INTO divisions (code, name, level, parent_code, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(code)
                .bind(name)
                .bind(level)
                .bind(parent)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
            counts.divisions += 1;
        }
        let mut extent = None;
        for line in lines
            .iter()
            .filter(|l| line_concerns(&l.line_code, division_prefix) && readable(&l.line_code))
        {
            let geometry = serde_json::from_str(&line.geometry)
                .ok()
                .and_then(|value| geometry_of(Some(&value)));
            if let Some(geometry) = &geometry {
                extend(&mut extent, geometry);
            }
            let agreement = line.agreement.as_ref();
            sqlx::query("INSERT INTO boundary_lines (geom, line_code, first_code, second_code, level, version, effective_on, agreement_title, agreement_number, agreement_signed_on, approved_by, source, length_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(geometry.as_ref().map(|g| gpkg_blob::encode(g, 4490)))
                .bind(&line.line_code)
                .bind(&line.between[0])
                .bind(&line.between[1])
                .bind(&line.level)
                .bind(line.version)
                .bind(line.effective_on.to_string())
                .bind(agreement.map(|a| a.title.clone()))
                .bind(agreement.map(|a| a.number.clone()))
                .bind(agreement.map(|a| a.signed_on.to_string()))
                .bind(&line.approved_by)
                .bind(&line.source)
                .bind(line.length_m)
                .execute(&mut *tx)
                .await?;
            counts.lines += 1;
        }
        set_extent(&mut tx, LINES_TABLE, extent).await?;
        let mut extent = None;
        for (number, line_code, sequence, kind, lon, lat, x, y, crs, material, installed_on) in
            markers
        {
            if !line_concerns(&line_code, division_prefix) || !readable(&line_code) {
                continue;
            }
            let point = geo::Geometry::Point(geo::Point::new(lon, lat));
            extend(&mut extent, &point);
            sqlx::query("INSERT INTO markers (geom, marker_number, line_code, sequence, marker_type, surveyed_x, surveyed_y, surveyed_crs, material, installed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(gpkg_blob::encode(&point, 4490))
                .bind(number)
                .bind(line_code)
                .bind(sequence)
                .bind(kind)
                .bind(x)
                .bind(y)
                .bind(crs)
                .bind(material)
                .bind(installed_on)
                .execute(&mut *tx)
                .await?;
            counts.markers += 1;
        }
        set_extent(&mut tx, MARKERS_TABLE, extent).await?;
        tx.commit().await?;
        conn.close().await?;
        Ok(counts)
    }
}

/// A row of a GeoPackage's `markers` layer as read.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkerLayerRow {
    /// Its fid, for the list of bad rows.
    pub fid: i64,
    /// The marker's number.
    pub marker_number: String,
    /// Its point (CGCS2000 lon/lat), when the row has a readable one.
    pub position: Option<(f64, f64)>,
    /// The coordinates as surveyed, and their system.
    pub surveyed: Option<(f64, f64, String)>,
    /// What it is made of.
    pub material: Option<String>,
    /// The day it was set.
    pub installed_on: Option<String>,
}

/// The rows of the `markers` layer of the GeoPackage at `path`, or `None` when it has no such
/// layer. The layer must be in EPSG:4490 or EPSG:4326.
pub async fn read_markers_layer(path: &Path) -> Result<Option<Vec<MarkerLayerRow>>, String> {
    use sqlx::Row;
    let not_gpkg =
        |e: sqlx::Error| format!("not a readable GeoPackage (truncated or damaged?): {e}");
    let mut conn = open_to_read(path).await?;
    let layer: Option<(String, i64)> = sqlx::query_as(
        "SELECT g.column_name, g.srs_id FROM gpkg_geometry_columns g WHERE g.table_name = 'markers'",
    )
    .fetch_optional(&mut conn)
    .await
    .map_err(not_gpkg)?;
    let Some((geometry_column, srs_id)) = layer else {
        return Ok(None);
    };
    if srs_id != 4490 && srs_id != 4326 {
        return Err(format!(
            "layer markers is in system {srs_id}; the register takes EPSG:4490 (CGCS2000) or EPSG:4326"
        ));
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT fid, \"{}\" AS geom, marker_number, surveyed_x, surveyed_y, surveyed_crs, material,
                CAST(installed_on AS TEXT) AS installed_on
           FROM markers ORDER BY fid",
        geometry_column.replace('"', "\"\"")
    )))
    .fetch_all(&mut conn)
    .await
    .map_err(|e| format!("layer markers lacks a column the export writes: {e}"))?;
    let _ = conn.close().await;
    Ok(Some(
        rows.iter()
            .map(|row| {
                let position = row
                    .try_get::<Option<Vec<u8>>, _>("geom")
                    .ok()
                    .flatten()
                    .and_then(|blob| gpkg_blob::decode(&blob).ok())
                    .and_then(|(geometry, _)| match geometry {
                        geo::Geometry::Point(p) => Some((p.x(), p.y())),
                        _ => None,
                    });
                let surveyed = match (
                    row.try_get::<Option<f64>, _>("surveyed_x").ok().flatten(),
                    row.try_get::<Option<f64>, _>("surveyed_y").ok().flatten(),
                    row.try_get::<Option<String>, _>("surveyed_crs")
                        .ok()
                        .flatten(),
                ) {
                    (Some(x), Some(y), Some(crs)) => Some((x, y, crs)),
                    _ => None,
                };
                MarkerLayerRow {
                    fid: row.try_get("fid").unwrap_or_default(),
                    marker_number: row
                        .try_get::<Option<String>, _>("marker_number")
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                    position,
                    surveyed,
                    material: row.try_get("material").ok().flatten(),
                    installed_on: row.try_get("installed_on").ok().flatten(),
                }
            })
            .collect(),
    ))
}
