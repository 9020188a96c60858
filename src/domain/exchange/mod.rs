//! The exchange of the place register with GIS tools and the provincial database: the formats,
//! one record as it leaves or enters the register (`ExportRecord`, `ImportRow`), the bad rows of
//! an import (`RowError`: file, row, field, why) and how rows are matched to records.
//!
//! A row is matched by its `id` (the register's record id, written by every export): a row
//! with an id is that record — its `code`, when given, must be the record's, and its
//! `version`, when given, must be the record's current version (else the row is stale); a row
//! whose fields equal the record's current version is unchanged, any other is a new version.
//! A row without an id registers a new record. So importing an export changes nothing.

pub mod archive;
pub mod columns;
pub mod csv;
pub mod encoding;
pub mod geojson;
pub mod gpkg_blob;
pub mod shapefile;

use serde::Serialize;
use serde_json::Value;

use super::place::{Approval, PlaceProperties};

/// A file format of the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GeoJSON FeatureCollection (RFC 7946), `application/geo+json`.
    GeoJson,
    /// GeoJSON Text Sequences (RFC 8142), `application/geo+json-seq`: one Feature after each
    /// record separator (0x1E).
    GeoJsonSeq,
    /// CSV: UTF-8 with a byte-order mark on export (Excel opens it); UTF-8 or GB18030 on import.
    Csv,
    /// GeoPackage (OGC 12-128r18): a table `places` in EPSG:4490.
    Gpkg,
    /// ESRI Shapefile with `.dbf`, `.prj` and `.cpg`: one file set per geometry type, the
    /// fields under their 10-byte names (see `shapefile`); over HTTP the file sets travel as one
    /// zip archive (`archive`).
    Shapefile,
}

impl Format {
    /// Reads a format's name: `geojson`, `geojsonseq` (or `geojson-seq`), `csv`, `gpkg`, `shp`.
    ///
    /// ```
    /// use diming::domain::exchange::Format;
    /// assert_eq!(Format::parse("GeoJSONSeq"), Some(Format::GeoJsonSeq));
    /// assert_eq!(Format::parse("shp"), Some(Format::Shapefile));
    /// assert_eq!(Format::parse("kml"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(Self::GeoJson),
            "geojsonseq" | "geojson-seq" | "geojsonl" => Some(Self::GeoJsonSeq),
            "csv" => Some(Self::Csv),
            "gpkg" | "geopackage" => Some(Self::Gpkg),
            "shp" | "shapefile" => Some(Self::Shapefile),
            _ => None,
        }
    }

    /// The format a media type names (parameters ignored), if any.
    ///
    /// ```
    /// use diming::domain::exchange::Format;
    /// assert_eq!(Format::of_media_type("text/csv; charset=gbk"), Some(Format::Csv));
    /// assert_eq!(Format::of_media_type("application/geo+json-seq"), Some(Format::GeoJsonSeq));
    /// ```
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        let base = media_type.split(';').next()?.trim().to_ascii_lowercase();
        match base.as_str() {
            "application/geo+json" | "application/json" => Some(Self::GeoJson),
            "application/geo+json-seq" => Some(Self::GeoJsonSeq),
            "text/csv" => Some(Self::Csv),
            "application/geopackage+sqlite3" => Some(Self::Gpkg),
            // Shapefiles travel over HTTP as a zip of their files.
            "application/zip" | "application/x-zip-compressed" => Some(Self::Shapefile),
            _ => None,
        }
    }

    /// The format a file name's extension says, if any.
    pub fn of_file_name(name: &str) -> Option<Self> {
        let extension = name.rsplit('.').next()?;
        match extension.to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(Self::GeoJson),
            "geojsons" | "geojsonseq" | "geojsonl" => Some(Self::GeoJsonSeq),
            "csv" => Some(Self::Csv),
            "gpkg" => Some(Self::Gpkg),
            "shp" | "zip" => Some(Self::Shapefile),
            _ => None,
        }
    }

    /// The media type of the format's files.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::GeoJson => "application/geo+json",
            Self::GeoJsonSeq => "application/geo+json-seq",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Gpkg => "application/geopackage+sqlite3",
            Self::Shapefile => "application/x-shapefile",
        }
    }

    /// The extension of the format's files.
    pub fn extension(self) -> &'static str {
        match self {
            Self::GeoJson => "geojson",
            Self::GeoJsonSeq => "geojsons",
            Self::Csv => "csv",
            Self::Gpkg => "gpkg",
            Self::Shapefile => "shp",
        }
    }
}

/// One record as an export writes it: the current version of a record with its identity.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRecord {
    /// The register's record id: the key a re-import matches rows by.
    pub id: i64,
    /// The register code (`330421240000017`).
    pub code: String,
    /// The current version number.
    pub version: i64,
    /// Every field of the census record.
    pub properties: PlaceProperties,
    /// The GeoJSON geometry (CGCS2000 lon/lat), if any.
    pub geometry: Option<Value>,
}

/// Where a row's position comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum RowGeometry {
    /// No geometry.
    None,
    /// A GeoJSON geometry in CGCS2000 lon/lat.
    GeoJson(Value),
    /// A point in the import's declared system: east (or lon), north (or lat).
    Point {
        /// East or longitude.
        x: f64,
        /// North or latitude.
        y: f64,
    },
}

/// One row of an import, read but not yet checked against the register's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Its number in the file (a CSV line, a feature's position from 1, a GeoPackage fid).
    pub row: usize,
    /// The file of an archive it was read from (`places.zip/places_point.shp`), when the
    /// import's file is an archive of several.
    pub part: Option<String>,
    /// The record it is, when it names one (see the module's matching rule).
    pub id: Option<i64>,
    /// The register code it names, checked against the record's.
    pub code: Option<String>,
    /// The version it was exported at, checked against the record's current one.
    pub version: Option<i64>,
    /// The fields of the record.
    pub properties: PlaceProperties,
    /// Its position.
    pub geometry: RowGeometry,
}

/// A bad row of an import: the file, the row, the field at fault and why.
///
/// ```
/// use diming::domain::exchange::RowError;
/// let error = RowError::new("村.csv", 3, "category", "not a category");
/// assert_eq!(error.to_string(), "村.csv row 3: category: not a category");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The file's name.
    pub file: String,
    /// The row (0: the file as a whole).
    pub row: usize,
    /// The column or field at fault (empty: the whole row).
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl RowError {
    /// A problem with `field` of row `row` of `file`.
    pub fn new(
        file: impl Into<String>,
        row: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            row,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.field.is_empty()) {
            (0, true) => write!(f, "{}: {}", self.file, self.message),
            (0, false) => write!(f, "{}: {}: {}", self.file, self.field, self.message),
            (row, true) => write!(f, "{} row {row}: {}", self.file, self.message),
            (row, false) => write!(
                f,
                "{} row {row}: {}: {}",
                self.file, self.field, self.message
            ),
        }
    }
}

/// What a file held: the rows read, and the rows that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadRows {
    /// The rows read.
    pub rows: Vec<ImportRow>,
    /// The problems of the rows (and of the file) that could not be read.
    pub errors: Vec<RowError>,
}

/// What an import did (or, refused, would have done).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// Rows that registered a new record.
    pub created: u64,
    /// Rows that appended a version to their record.
    pub updated: u64,
    /// Rows equal to their record's current version.
    pub unchanged: u64,
    /// What the file's `markers` layer did, when it has one (a GeoPackage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markers: Option<MarkerCounts>,
}

/// What the markers layer of an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MarkerCounts {
    /// Markers registered.
    pub created: u64,
    /// Rows equal to their registered marker.
    pub unchanged: u64,
}

/// Whether two versions of a record hold the same fields, an empty approval counting as none
/// (a flat table cannot tell the two apart).
///
/// ```
/// use diming::domain::exchange::same_fields;
/// use diming::domain::place::{Approval, PlaceProperties};
/// let bare = PlaceProperties { standard_name: "西塘镇".into(), ..Default::default() };
/// let empty_approval = PlaceProperties { approval: Some(Approval::default()), ..bare.clone() };
/// assert!(same_fields(&bare, &empty_approval));
/// ```
pub fn same_fields(a: &PlaceProperties, b: &PlaceProperties) -> bool {
    let bare = |p: &PlaceProperties| {
        let mut p = p.clone();
        if p.approval.as_ref() == Some(&Approval::default()) {
            p.approval = None;
        }
        p
    };
    bare(a) == bare(b)
}

/// Reads a record id: a whole number from 1.
pub(crate) fn parse_id(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        _ => Err(format!(
            "{text:?} is not a record id (a whole number from 1)"
        )),
    }
}

/// A stored GeoJSON geometry as a `geo` geometry; `None` when absent or unreadable.
pub fn geometry_of(value: Option<&Value>) -> Option<geo::Geometry<f64>> {
    let geometry: ::geojson::Geometry = serde_json::from_value(value?.clone()).ok()?;
    geo::Geometry::<f64>::try_from(&geometry.value).ok()
}

/// A `geo` geometry as a GeoJSON geometry object.
pub fn geojson_of(geometry: &geo::Geometry<f64>) -> Value {
    serde_json::to_value(::geojson::Geometry::new(::geojson::GeometryValue::from(
        geometry,
    )))
    .unwrap_or(Value::Null)
}

/// Whether two geometries are the same shape: equal once a collection of one part is that part
/// and rings are oriented alike (a Shapefile gives every polygon as a multipolygon with its outer
/// ring clockwise).
///
/// ```
/// use diming::domain::exchange::same_shape;
/// use geo::{Geometry, MultiPolygon, polygon};
/// let square = polygon![(x: 120.0, y: 30.0), (x: 121.0, y: 30.0), (x: 121.0, y: 31.0), (x: 120.0, y: 30.0)];
/// let mut reversed = square.clone();
/// reversed.exterior_mut(|ring| ring.0.reverse());
/// let from_shapefile = Geometry::MultiPolygon(MultiPolygon(vec![reversed]));
/// assert!(same_shape(&Geometry::Polygon(square), &from_shapefile));
/// ```
pub fn same_shape(a: &geo::Geometry<f64>, b: &geo::Geometry<f64>) -> bool {
    use geo::orient::{Direction, Orient};
    fn normal(geometry: &geo::Geometry<f64>) -> geo::Geometry<f64> {
        match geometry {
            geo::Geometry::MultiPolygon(m) if m.0.len() == 1 => {
                geo::Geometry::Polygon(m.0[0].orient(Direction::Default))
            }
            geo::Geometry::MultiLineString(m) if m.0.len() == 1 => {
                geo::Geometry::LineString(m.0[0].clone())
            }
            geo::Geometry::Polygon(p) => geo::Geometry::Polygon(p.orient(Direction::Default)),
            geo::Geometry::MultiPolygon(m) => {
                geo::Geometry::MultiPolygon(m.orient(Direction::Default))
            }
            other => other.clone(),
        }
    }
    a == b || normal(a) == normal(b)
}
