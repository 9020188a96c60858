//! The Shapefile export of the register: one file set per geometry type (`_point`,
//! `_multipoint`, `_line`, `_polygon` after the base name), each with its `.shx`, `.dbf` (the
//! fields under their 10-byte names, texts cut to fit as `domain::exchange::shapefile` says),
//! `.prj` (CGCS2000) and `.cpg` (the text encoding).

use std::path::{Path, PathBuf};

use ::shapefile::dbase::{self, FieldName, FieldValue, TableWriterBuilder};

use crate::domain::exchange::columns::{Cell, FIELDS, flatten};
use crate::domain::exchange::encoding::TextEncoding;
use crate::domain::exchange::shapefile::{dbf_name, fit};
use crate::domain::exchange::{ExportRecord, geometry_of};

/// The `.prj` of CGCS2000 longitude/latitude (ESRI WKT, as ArcGIS writes it).
pub const CGCS2000_PRJ: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// The geometry types a Shapefile holds one of.
const KINDS: [&str; 4] = ["point", "multipoint", "line", "polygon"];

fn kind_of(geometry: &geo::Geometry<f64>) -> Option<usize> {
    use geo::Geometry::*;
    match geometry {
        Point(_) => Some(0),
        MultiPoint(_) => Some(1),
        LineString(_) | MultiLineString(_) | Line(_) => Some(2),
        Polygon(_) | MultiPolygon(_) | Rect(_) | Triangle(_) => Some(3),
        GeometryCollection(_) => None,
    }
}

fn table(encoding: TextEncoding) -> TableWriterBuilder {
    let mut builder = match encoding {
        TextEncoding::Utf8 => {
            TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::UTF_8))
        }
        TextEncoding::Gb18030 => {
            TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
        }
    };
    let name = |n: &str| FieldName::try_from(n).expect("10-byte dBase names");
    builder = builder
        .add_numeric_field(name("id"), 18, 0)
        .add_character_field(name("code"), 32)
        .add_numeric_field(name("version"), 10, 0);
    for column in FIELDS {
        builder = builder.add_character_field(name(dbf_name(column.name)), 254);
    }
    builder
}

/// What a Shapefile export wrote: each file set's `.shp` and its record count, and the records
/// left out (no geometry, or a geometry collection).
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The `.shp` files with their record counts.
    pub files: Vec<(PathBuf, u64)>,
    /// Records a Shapefile cannot hold.
    pub left_out: u64,
}

/// Writes `records` as Shapefiles named after `base` (`places.shp` → `places_point.shp` …).
pub fn write(
    base: &Path,
    records: &[ExportRecord],
    encoding: TextEncoding,
) -> Result<Written, String> {
    let mut groups: [Vec<(&ExportRecord, geo::Geometry<f64>)>; 4] = Default::default();
    let mut written = Written::default();
    for record in records {
        match geometry_of(record.geometry.as_ref()).and_then(|g| Some((kind_of(&g)?, g))) {
            Some((kind, geometry)) => groups[kind].push((record, geometry)),
            None => written.left_out += 1,
        }
    }
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "places".into());
    let folder = base.parent().unwrap_or(Path::new("."));
    for (kind, group) in groups.iter().enumerate() {
        if group.is_empty() {
            continue;
        }
        let path = folder.join(format!("{stem}_{}.shp", KINDS[kind]));
        let failed = |e: ::shapefile::Error| format!("{}: {e}", path.display());
        let mut writer = ::shapefile::Writer::from_path(&path, table(encoding)).map_err(failed)?;
        for (record, geometry) in group {
            let row = dbf_record(record, encoding);
            let result =
                match geometry {
                    geo::Geometry::Point(p) => {
                        writer.write_shape_and_record(&::shapefile::Point::from(*p), &row)
                    }
                    geo::Geometry::MultiPoint(m) => writer
                        .write_shape_and_record(&::shapefile::Multipoint::from(m.clone()), &row),
                    geo::Geometry::LineString(l) => {
                        writer.write_shape_and_record(&::shapefile::Polyline::from(l.clone()), &row)
                    }
                    geo::Geometry::MultiLineString(m) => {
                        writer.write_shape_and_record(&::shapefile::Polyline::from(m.clone()), &row)
                    }
                    geo::Geometry::Line(l) => {
                        writer.write_shape_and_record(&::shapefile::Polyline::from(*l), &row)
                    }
                    geo::Geometry::Polygon(p) => {
                        writer.write_shape_and_record(&::shapefile::Polygon::from(p.clone()), &row)
                    }
                    geo::Geometry::MultiPolygon(m) => {
                        writer.write_shape_and_record(&::shapefile::Polygon::from(m.clone()), &row)
                    }
                    geo::Geometry::Rect(r) => writer
                        .write_shape_and_record(&::shapefile::Polygon::from(r.to_polygon()), &row),
                    geo::Geometry::Triangle(t) => writer
                        .write_shape_and_record(&::shapefile::Polygon::from(t.to_polygon()), &row),
                    geo::Geometry::GeometryCollection(_) => Ok(()),
                };
            result.map_err(failed)?;
        }
        drop(writer);
        std::fs::write(path.with_extension("prj"), CGCS2000_PRJ)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let cpg = match encoding {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GBK",
        };
        std::fs::write(path.with_extension("cpg"), cpg)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        written.files.push((path, group.len() as u64));
    }
    Ok(written)
}

fn dbf_record(record: &ExportRecord, encoding: TextEncoding) -> dbase::Record {
    let mut row = dbase::Record::default();
    row.insert("id".into(), FieldValue::Numeric(Some(record.id as f64)));
    row.insert(
        "code".into(),
        FieldValue::Character(Some(record.code.clone())),
    );
    row.insert(
        "version".into(),
        FieldValue::Numeric(Some(record.version as f64)),
    );
    for (column, cell) in FIELDS.iter().zip(flatten(&record.properties)) {
        let text = match cell {
            Cell::Null => None,
            other => Some(fit(&other.to_text(), encoding)),
        };
        row.insert(dbf_name(column.name).into(), FieldValue::Character(text));
    }
    row
}
