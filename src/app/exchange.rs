//! Import and export of the place register in the formats GIS staff use (see
//! `domain::exchange` for the formats and how a row is matched to a record). An export is the
//! current version of every record (of a division, or all), streamed page by page; an import
//! reads the whole file, checks every row as the API checks a write (the record's rules, its
//! divisions, the caller's role and jurisdiction for the new and the old divisions, the
//! geometry inside them), and writes all rows in one transaction or — with any bad row — none,
//! listing every bad row.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;

use super::exchange_markers::{MarkerImport, check_markers_layer};
use super::places::{DivisionEnds, PlaceError, PlaceInput, checked_place_with};
use super::{AppState, Staff, romanize, today};
use crate::domain::account::AccessError;
use crate::domain::boundary_line::may_read_markers_of;
use crate::domain::crs::Crs;
use crate::domain::division_code::Jurisdiction;
use crate::domain::exchange::archive;
use crate::domain::exchange::csv::PointColumns;
use crate::domain::exchange::encoding::{TextEncoding, decode, encode, encode_more};
use crate::domain::exchange::shapefile::restore_cut;
use crate::domain::exchange::{
    ExportRecord, Format, ImportCounts, ImportRow, MarkerCounts, ReadRows, RowError, RowGeometry,
    geometry_of, same_fields, same_shape,
};
use crate::domain::field_error::FieldErrors;
use crate::domain::place::ValidPlace;
use crate::render::exchange as writer;
use crate::spatial::reproject::convert_with;
use crate::store::StoreError;
use crate::store::exchange::PlaceWrite;
use crate::store::places::{StoredPlace, VersionSelector};

/// Records read per page of an export.
const PAGE: i64 = 500;
/// Above this many written records an import rebuilds the indexes instead of refreshing them
/// record by record.
const BULK_REFRESH: usize = 500;

/// What can go wrong with an import or export.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The request's options are wrong (format, system, encoding); the fields say how.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The caller's role may not change records.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// Rows of the file are bad: every one is listed, and nothing was stored.
    #[error("nothing was imported: {} bad rows", .0.len())]
    BadRows(Vec<RowError>),
    /// A file could not be written or read.
    #[error("{0}")]
    File(String),
    /// The database failed (a record changed meanwhile: `StaleVersion`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where an import's file is.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// In memory (an upload).
    Bytes(&'a [u8]),
    /// On disk (the command line).
    Path(&'a Path),
}

/// An import: the file, its format and how to read it.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// The file's name, for the list of bad rows.
    pub file_name: &'a str,
    /// Its content.
    pub source: Source<'a>,
    /// Its format.
    pub format: Format,
    /// The declared text encoding (CSV); detected when `None`.
    pub encoding: Option<TextEncoding>,
    /// The system of a CSV's point columns; CGCS2000 lon/lat when `None`.
    pub crs: Option<Crs>,
}

/// How far an import or export is: its stage, rows done, rows in all.
pub type Progress<'a> = &'a (dyn Fn(&'static str, u64, u64) + Sync);

/// Imports a file of records, all or nothing (see the module).
pub async fn import(
    state: &AppState,
    staff: &Staff,
    request: ImportRequest<'_>,
    progress: Progress<'_>,
) -> Result<ImportCounts, ExchangeError> {
    // A role that may not change records anywhere is refused before the file is read.
    staff.actor.may_edit_places_in(&[])?;
    // A GeoPackage is read from disk, layer by layer: an upload goes to a temporary file first.
    let uploaded;
    let request = match (request.format, request.source) {
        (Format::Gpkg, Source::Bytes(bytes)) => {
            uploaded = TempFile::new("gpkg");
            std::fs::write(&uploaded.0, bytes)
                .map_err(|e| ExchangeError::File(format!("{}: {e}", request.file_name)))?;
            ImportRequest {
                source: Source::Path(&uploaded.0),
                ..request
            }
        }
        _ => request,
    };
    let read = read_rows(&request).await?;
    let file = request.file_name;
    let mut errors = read.errors;
    let total = read.rows.len() as u64;
    let crs = request.crs.unwrap_or(Crs::Cgcs2000);
    let table = matches!(
        request.format,
        Format::Csv | Format::Gpkg | Format::Shapefile
    );
    let shapefile = request.format == Format::Shapefile;
    let comment = format!("imported from {file}");
    let mut writes = Vec::new();
    let mut counts = ImportCounts::default();
    let mut seen = HashSet::new();
    // What the checks read from the database is read once for all rows: the records the rows
    // name, the names ever corrected, each division's end day.
    let named: Vec<i64> = read.rows.iter().filter_map(|row| row.id).collect();
    let mut context = RowContext {
        records: state.store.current_places_with_ids(&named).await?,
        corrected: state.store.corrected_names().await?,
        ends: DivisionEnds::default(),
        seen: &mut seen,
    };
    for (done, row) in read.rows.into_iter().enumerate() {
        if done % 200 == 0 {
            progress("checked", done as u64, total);
        }
        let number = row.row;
        let part = row.part.clone();
        let file = part.as_deref().unwrap_or(file);
        match check_row(
            state,
            staff,
            row,
            crs,
            (table, shapefile),
            &comment,
            &mut context,
        )
        .await?
        {
            Ok(None) => counts.unchanged += 1,
            Ok(Some(write)) => {
                match write {
                    PlaceWrite::Create { .. } => counts.created += 1,
                    PlaceWrite::Update { .. } => counts.updated += 1,
                }
                writes.push(write);
            }
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|(field, message)| RowError::new(file, number, field, message)),
            ),
        }
    }
    progress("checked", total, total);
    let mut markers = MarkerImport::default();
    if let (Format::Gpkg, Source::Path(path)) = (request.format, request.source) {
        match crate::store::gpkg_layers::read_markers_layer(path).await {
            Ok(None) => {}
            Ok(Some(rows)) => match check_markers_layer(state, staff, file, rows).await? {
                Ok(checked) => markers = checked,
                Err(bad) => errors.extend(bad),
            },
            Err(message) => errors.push(RowError::new(file, 0, "markers", message)),
        }
        counts.markers = Some(MarkerCounts {
            created: markers.new.len() as u64,
            unchanged: markers.unchanged,
        });
    }
    if !errors.is_empty() {
        return Err(ExchangeError::BadRows(errors));
    }
    if writes.is_empty() && markers.new.is_empty() {
        return Ok(counts);
    }
    let author = staff.author();
    let written = writes.len() as u64;
    let ids = state
        .store
        .import_place_writes(&writes, &markers.new, &author, &comment, today(), &|done| {
            progress("written", done, written)
        })
        .await?;
    if !markers.new.is_empty() {
        state.freshness.written(super::freshness::Kind::Markers);
    }
    if ids.len() > BULK_REFRESH {
        // Rebuilding the indexes once costs less than reading back and indexing each record
        // (measured: 4.6 s of a 13 s import of 10,000 records went to the record-by-record way).
        state.build_indexes().await?;
        state.content_changed();
    } else {
        for id in ids {
            if let Some(stored) = state
                .store
                .place(id, VersionSelector::Current, false)
                .await?
            {
                state.place_changed(&stored);
            }
        }
    }
    Ok(counts)
}

async fn read_rows(request: &ImportRequest<'_>) -> Result<ReadRows, ExchangeError> {
    let file = request.file_name;
    let bytes = match request.source {
        Source::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes),
        Source::Path(_) if matches!(request.format, Format::Gpkg | Format::Shapefile) => {
            std::borrow::Cow::Borrowed(&[][..])
        }
        Source::Path(path) => std::borrow::Cow::Owned(
            std::fs::read(path).map_err(|e| ExchangeError::File(format!("{file}: {e}")))?,
        ),
    };
    let text = |declared: Option<TextEncoding>| {
        decode(&bytes, declared).map_err(|message| {
            ExchangeError::BadRows(vec![RowError::new(file, 0, "encoding", message)])
        })
    };
    Ok(match request.format {
        Format::GeoJson => {
            crate::domain::exchange::geojson::read_collection(file, &text(request.encoding)?.0)
        }
        Format::GeoJsonSeq => {
            crate::domain::exchange::geojson::read_sequence(file, &text(request.encoding)?.0)
        }
        Format::Csv => {
            let points = if request.crs.is_none_or(Crs::is_geographic) {
                PointColumns::LonLat
            } else {
                PointColumns::NorthEast
            };
            crate::domain::exchange::csv::read(file, &text(request.encoding)?.0, points)
        }
        Format::Shapefile => match request.source {
            // The zip an HTTP export hands out imports on the command line too.
            Source::Path(path)
                if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("zip")) =>
            {
                let bytes =
                    std::fs::read(path).map_err(|e| ExchangeError::File(format!("{file}: {e}")))?;
                read_zipped_shapefiles(&bytes, file, request.encoding)?
            }
            Source::Path(path) => {
                crate::domain::exchange::shapefile::read(path, file, request.encoding)
            }
            // Inflating and parsing a hostile archive is blocking work: off the async workers.
            Source::Bytes(bytes) => {
                let (bytes, file, encoding) = (bytes.to_vec(), file.to_string(), request.encoding);
                tokio::task::spawn_blocking(move || read_zipped_shapefiles(&bytes, &file, encoding))
                    .await
                    .map_err(|e| ExchangeError::File(e.to_string()))??
            }
        },
        Format::Gpkg => match request.source {
            Source::Path(path) => crate::store::gpkg::read_places_gpkg(path, file).await,
            // `import` has written an uploaded GeoPackage to a file (its layers are read apart).
            Source::Bytes(_) => {
                return Err(ExchangeError::File(format!(
                    "{file}: a GeoPackage is read from a file"
                )));
            }
        },
    })
}

/// What a Shapefile's file set may hold; the rest of a zip is left aside.
const SHAPEFILE_PARTS: [&str; 5] = ["shp", "shx", "dbf", "prj", "cpg"];

/// The rows of every Shapefile in the zip archive `bytes` (named `file`), unpacked into a
/// temporary folder; each row says which `.shp` it came from.
fn read_zipped_shapefiles(
    bytes: &[u8],
    file: &str,
    declared: Option<TextEncoding>,
) -> Result<ReadRows, ExchangeError> {
    let whole =
        |message: String| ExchangeError::BadRows(vec![RowError::new(file, 0, "file", message)]);
    let files = archive::unpack(bytes, &SHAPEFILE_PARTS, MAX_INFLATED_BYTES).map_err(whole)?;
    let folder = TempFile::new("shapefiles");
    std::fs::create_dir_all(&folder.0).map_err(|e| ExchangeError::File(e.to_string()))?;
    for part in &files {
        std::fs::write(folder.0.join(&part.name), &part.bytes)
            .map_err(|e| ExchangeError::File(e.to_string()))?;
    }
    let mut shapes: Vec<&str> = files
        .iter()
        .map(|f| f.name.as_str())
        .filter(|name| name.to_ascii_lowercase().ends_with(".shp"))
        .collect();
    shapes.sort_unstable();
    if shapes.len() > MAX_SHAPEFILES {
        return Err(whole(format!(
            "the zip holds {} Shapefiles; an import takes at most {MAX_SHAPEFILES}",
            shapes.len()
        )));
    }
    if shapes.is_empty() {
        return Err(whole(
            "the zip holds no .shp file (a Shapefile travels as a zip of its .shp, .shx, .dbf, .prj and .cpg)".into(),
        ));
    }
    let mut read = ReadRows::default();
    for shape in shapes {
        let label = format!("{file}/{shape}");
        let mut part =
            crate::domain::exchange::shapefile::read(&folder.0.join(shape), &label, declared);
        for row in &mut part.rows {
            row.part = Some(label.clone());
        }
        read.rows.append(&mut part.rows);
        read.errors.append(&mut part.errors);
    }
    Ok(read)
}

/// The most a zip of Shapefiles may inflate to.
const MAX_INFLATED_BYTES: u64 = 512 << 20;
/// The most Shapefiles (file sets) one zip may hold: an export writes one per geometry type.
const MAX_SHAPEFILES: usize = 20;

/// The problems of one row: (field, why).
type RowProblems = Vec<(String, String)>;

/// What the checks of an import's rows share: read from the database once, not per row.
struct RowContext<'a> {
    /// The current versions of the records the rows name.
    records: HashMap<i64, StoredPlace>,
    /// The names with a learned romanization correction.
    corrected: HashSet<String>,
    /// The end days of the divisions the rows name.
    ends: DivisionEnds,
    /// The record ids met so far (a record named twice is a bad row).
    seen: &'a mut HashSet<i64>,
}

/// Checks one row as the API checks a write: `Ok(Ok(None))` when it equals its record,
/// `Ok(Ok(Some(write)))` when it is to be written, `Ok(Err(problems))` when it is bad.
async fn check_row(
    state: &AppState,
    staff: &Staff,
    row: ImportRow,
    crs: Crs,
    (table, shapefile): (bool, bool),
    comment: &str,
    context: &mut RowContext<'_>,
) -> Result<Result<Option<PlaceWrite>, RowProblems>, ExchangeError> {
    let field = |name: &str| -> String {
        if table {
            name.strip_prefix("properties.").unwrap_or(name).to_string()
        } else {
            name.to_string()
        }
    };
    let mut problems: RowProblems = Vec::new();
    let geometry = match row.geometry {
        RowGeometry::None => None,
        RowGeometry::GeoJson(value) => Some(value),
        RowGeometry::Point { x, y } => match convert_with(crs, Crs::Cgcs2000, x, y, None) {
            Ok((lon, lat)) => Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]})),
            Err(error) => {
                let name = match (crs.is_geographic(), error.field()) {
                    (true, "y") => "lat",
                    (true, _) => "lon",
                    (false, "y") => "north",
                    (false, _) => "east",
                };
                problems.push((name.into(), error.to_string()));
                None
            }
        },
    };
    let current = match row.id {
        None => None,
        Some(id) => {
            if !context.seen.insert(id) {
                problems.push((
                    "id".into(),
                    format!("record {id} appears twice in the file"),
                ));
            }
            match context.records.get(&id).cloned() {
                None => {
                    problems.push((
                        "id".into(),
                        format!("there is no record {id} in the register (leave id empty to register a new one)"),
                    ));
                    None
                }
                Some(current) => Some(current),
            }
        }
    };
    if let Some(current) = &current {
        if let Some(code) = row.code.as_deref()
            && code != current.code
        {
            problems.push((
                field("properties.code"),
                format!(
                    "record {} has the code {}, not {code}",
                    current.id, current.code
                ),
            ));
        }
        if let Some(version) = row.version
            && version != current.meta.version
        {
            problems.push((
                field("properties.version"),
                format!(
                    "record {} is at version {}, the row was exported at version {version}: export again and reapply the change",
                    current.id, current.meta.version
                ),
            ));
        }
        // Changing a record of another jurisdiction is refused like an update through the API.
        if let Ok(old) =
            ValidPlace::parse(current.properties.clone(), None, &state.catalog, today())
            && let Err(error) = staff.actor.may_edit_places_in(old.divisions())
        {
            problems.push((field("properties.division_codes"), error.to_string()));
        }
    }
    let mut properties = row.properties;
    let mut geometry = geometry;
    if let Some(current) = &current {
        if shapefile {
            properties = restore_cut(&properties, &current.properties);
        }
        // The same shape in another form (a Shapefile's multipolygon of one part) keeps the
        // stored form.
        if let (Some(stored), Some(given)) = (
            geometry_of(current.geometry.as_ref()),
            geometry_of(geometry.as_ref()),
        ) && same_shape(&stored, &given)
        {
            geometry = current.geometry.clone();
        }
    }
    let input = PlaceInput {
        properties,
        geometry,
        change: Default::default(),
    };
    let place = match checked_place_with(state, staff, input, &mut context.ends).await {
        Ok((place, _)) => Some(place),
        Err(PlaceError::Invalid(errors) | PlaceError::Inconsistent(errors)) => {
            problems.extend(
                errors
                    .into_vec()
                    .into_iter()
                    .map(|e| (field(&e.field), e.message)),
            );
            None
        }
        Err(PlaceError::Forbidden(error)) => {
            problems.push((field("properties.division_codes"), error.to_string()));
            None
        }
        Err(PlaceError::Store(error)) => return Err(error.into()),
        Err(other) => {
            problems.push((String::new(), other.to_string()));
            None
        }
    };
    let Some(place) = place.filter(|_| problems.is_empty()) else {
        return Ok(Err(problems));
    };
    let previous = current.as_ref().map(|c| &c.properties);
    let corrected = context
        .corrected
        .contains(place.properties().standard_name.trim());
    let settled = romanize::settle_knowing(state, place, previous, Some(comment), corrected).await;
    let (place, correction) = match settled {
        Ok(settled) => settled,
        Err(romanize::RomanizeError::Invalid(errors)) => {
            return Ok(Err(errors
                .into_vec()
                .into_iter()
                .map(|e| (field(&e.field), e.message))
                .collect()));
        }
        Err(romanize::RomanizeError::Store(error)) => return Err(error.into()),
    };
    Ok(Ok(match current {
        None => Some(PlaceWrite::Create { place, correction }),
        Some(current) if unchanged(&place, &current) => None,
        Some(current) => Some(PlaceWrite::Update {
            id: current.id,
            expected: current.meta.version,
            place,
            correction,
        }),
    }))
}

/// Whether a checked row holds exactly what its record's current version holds.
fn unchanged(place: &ValidPlace, current: &StoredPlace) -> bool {
    same_fields(place.properties(), &current.properties)
        && place.geometry() == geometry_of(current.geometry.as_ref()).as_ref()
}

/// An export: its format, which records, the text encoding of a CSV.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The format.
    pub format: Format,
    /// Only the records lying in this division (or below); all when `None`.
    pub division: Option<Jurisdiction>,
    /// The encoding of a CSV (UTF-8 with a BOM by default).
    pub encoding: TextEncoding,
}

fn export_record(place: StoredPlace) -> ExportRecord {
    ExportRecord {
        id: place.id,
        code: place.code,
        version: place.meta.version,
        properties: place.properties,
        geometry: place.geometry,
    }
}

/// Staff of any role read the whole register (as its API shows it to them); the public none.
fn may_export(_staff: &Staff) -> Result<(), ExchangeError> {
    Ok(())
}

enum Cursor {
    Start,
    After(i64),
    Done,
}

/// The export of a text format (GeoJSON, GeoJSON text sequence, CSV) as a stream of chunks,
/// a page of records each, for a response body or a file.
pub fn export_stream(
    state: Arc<AppState>,
    staff: &Staff,
    request: ExportRequest,
) -> Result<impl Stream<Item = Result<Bytes, ExchangeError>> + 'static, ExchangeError> {
    may_export(staff)?;
    if matches!(request.format, Format::Gpkg | Format::Shapefile) {
        return Err(ExchangeError::Invalid(FieldErrors::one(
            "format",
            "a GeoPackage or a Shapefile is written as files (export_gpkg, export_shapefile)",
        )));
    }
    let prefix = request.division.as_ref().map(|d| d.as_str().to_string());
    Ok(futures_util::stream::unfold(
        (state, Cursor::Start),
        move |(state, cursor)| {
            let prefix = prefix.clone();
            let format = request.format;
            let encoding = request.encoding;
            async move {
                let (after, first) = match cursor {
                    Cursor::Done => return None,
                    Cursor::Start => (0, true),
                    Cursor::After(id) => (id, false),
                };
                let page = match state
                    .store
                    .places_after(after, prefix.as_deref(), PAGE)
                    .await
                {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error.into()), (state, Cursor::Done))),
                };
                let last = page.last().map(|p| p.id);
                let mut text = String::new();
                if first {
                    text.push_str(match format {
                        Format::GeoJson => writer::COLLECTION_START,
                        Format::Csv => "",
                        _ => "",
                    });
                    if format == Format::Csv {
                        text.push_str(&writer::csv_header());
                    }
                }
                for (i, place) in page.into_iter().enumerate() {
                    let record = export_record(place);
                    match format {
                        Format::GeoJson => {
                            if !(first && i == 0) {
                                text.push_str(writer::COLLECTION_SEPARATOR);
                            }
                            text.push_str(&writer::feature(&record));
                        }
                        Format::GeoJsonSeq => text.push_str(&writer::sequence_record(&record)),
                        _ => text.push_str(&writer::csv_row(&record)),
                    }
                }
                let next = match last {
                    Some(id) => Cursor::After(id),
                    None => {
                        if format == Format::GeoJson {
                            text.push_str(writer::COLLECTION_END);
                        }
                        Cursor::Done
                    }
                };
                let bytes = match (format, first) {
                    (Format::Csv, true) => encode(&text, encoding),
                    (Format::Csv, false) => encode_more(&text, encoding),
                    _ => text.into_bytes(),
                };
                Some((Ok(Bytes::from(bytes)), (state, next)))
            }
        },
    ))
}

/// Writes the GeoPackage export to `path` (replacing a file there): the layer `places` and the
/// reference layers `divisions`, `boundary_lines` and `markers` (`store::gpkg_layers`). Returns
/// how many place records.
pub async fn export_gpkg(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
    path: &Path,
    progress: Progress<'_>,
) -> Result<u64, ExchangeError> {
    may_export(staff)?;
    let total = state.store.place_count().await? as u64;
    let prefix = division.map(Jurisdiction::as_str);
    let places = state
        .store
        .write_places_gpkg(path, prefix, &|done| progress("exported", done, total))
        .await?;
    // Lines and markers are confidential to the staff of their two sides, as through the API.
    let readable = |line_code: &str| may_read_markers_of(&staff.actor, line_code).is_ok();
    state
        .store
        .write_reference_layers_gpkg(path, prefix, &readable)
        .await?;
    Ok(places)
}

/// The GeoPackage export as bytes (for a download): written to a temporary file and read back.
pub async fn export_gpkg_bytes(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
) -> Result<Vec<u8>, ExchangeError> {
    let temp = TempFile::new("gpkg");
    export_gpkg(state, staff, division, &temp.0, &|_, _, _| {}).await?;
    std::fs::read(&temp.0).map_err(|e| ExchangeError::File(e.to_string()))
}

/// A file (or folder) in the temporary folder, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(extension: &str) -> Self {
        let mut random = [0u8; 12];
        let _ = getrandom::fill(&mut random);
        let name: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Self(std::env::temp_dir().join(format!("diming-exchange-{name}.{extension}")))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
        for suffix in ["-journal", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes the Shapefile export beside `base` (`places.shp` → `places_point.shp`, … one file
/// set per geometry type present); records without a geometry are left out.
pub async fn export_shapefile(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
    base: &Path,
    encoding: TextEncoding,
) -> Result<crate::render::shapefile::Written, ExchangeError> {
    may_export(staff)?;
    let mut records = Vec::new();
    let mut after = 0;
    loop {
        let page = state
            .store
            .places_after(after, division.map(Jurisdiction::as_str), 5000)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        records.extend(page.into_iter().map(export_record));
    }
    crate::render::shapefile::write(base, &records, encoding).map_err(ExchangeError::File)
}

/// The Shapefile export as one zip archive (for a download): every file set of
/// [`export_shapefile`], `places_point.*`, `places_polygon.*` …
pub async fn export_shapefile_zip(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
    encoding: TextEncoding,
) -> Result<Vec<u8>, ExchangeError> {
    let folder = TempFile::new("shapefiles");
    std::fs::create_dir_all(&folder.0).map_err(|e| ExchangeError::File(e.to_string()))?;
    export_shapefile(
        state,
        staff,
        division,
        &folder.0.join("places.shp"),
        encoding,
    )
    .await?;
    zip_folder(&folder.0)
}

/// The files of `folder` as one zip archive, by name.
fn zip_folder(folder: &Path) -> Result<Vec<u8>, ExchangeError> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(folder).map_err(|e| ExchangeError::File(e.to_string()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| ExchangeError::File(e.to_string()))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let bytes = std::fs::read(&path).map_err(|e| ExchangeError::File(e.to_string()))?;
        files.push(archive::ArchivedFile { name, bytes });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    archive::pack(&files).map_err(ExchangeError::File)
}

/// The exchange package (see [`export_package`]) as one zip archive: `places.gpkg` and
/// `manifest.json`.
pub async fn export_package_zip(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
) -> Result<Vec<u8>, ExchangeError> {
    let folder = TempFile::new("package");
    export_package(state, staff, division, &folder.0, &|_, _, _| {}).await?;
    zip_folder(&folder.0)
}

/// Writes the exchange package for the provincial and national place-name databases into
/// `folder` (created if missing): `places.gpkg` — the current records (table `places`), every
/// version of them with who, when and why (`place_versions`) and their approvals
/// (`place_approvals`) — and `manifest.json` with the counts, the SHA-256 of each file, the
/// system, the export time and the service's version. Returns the manifest.
pub async fn export_package(
    state: &AppState,
    staff: &Staff,
    division: Option<&Jurisdiction>,
    folder: &Path,
    progress: Progress<'_>,
) -> Result<serde_json::Value, ExchangeError> {
    use sha2::{Digest, Sha256};
    may_export(staff)?;
    std::fs::create_dir_all(folder)
        .map_err(|e| ExchangeError::File(format!("{}: {e}", folder.display())))?;
    let exported_at = chrono::Utc::now();
    let gpkg = folder.join("places.gpkg");
    let places = export_gpkg(state, staff, division, &gpkg, progress).await?;
    let prefix = division.map(Jurisdiction::as_str);
    let counts = state.store.write_versions_gpkg(&gpkg, prefix).await?;
    let bytes = std::fs::read(&gpkg)
        .map_err(|e| ExchangeError::File(format!("{}: {e}", gpkg.display())))?;
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let manifest = serde_json::json!({
        "package": "diming place-name exchange package",
        "package_version": 1,
        "service": "diming",
        "service_version": env!("CARGO_PKG_VERSION"),
        "exported_at": exported_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "exported_by": staff.actor.username,
        "division": prefix,
        "crs": "EPSG:4490",
        "crs_name": "China Geodetic Coordinate System 2000 (CGCS2000), longitude/latitude",
        "counts": {
            "places": places,
            "versions": counts.versions,
            "approvals": counts.approvals,
        },
        "files": [{
            "name": "places.gpkg",
            "media_type": Format::Gpkg.media_type(),
            "bytes": bytes.len(),
            "sha256": digest,
            "tables": {
                "places": "the current version of each record: every field of the census form, fid = the record id",
                "place_versions": "every version of each record: action, effective_on, recorded_at, recorded_by, comment, every field, the geometry as GeoJSON",
                "place_approvals": "the approval (批准机关、批准时间、文号) of each version that carries one",
            },
        }],
    });
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(folder.join("manifest.json"), text)
        .map_err(|e| ExchangeError::File(format!("{}: {e}", folder.display())))?;
    Ok(manifest)
}
