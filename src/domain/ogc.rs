//! The rules of OGC API - Features that need no service: which collections there are and how
//! they are named, the coordinate reference systems offered by URI with their axis order (Part 2),
//! the `bbox`, `datetime`, `limit` and `offset` parameters (Part 1), the methods a caller may use
//! (Part 4) and JSON merge patch (RFC 7396), which a Part 4 PATCH applies to a feature.
#![warn(missing_docs)]

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;

use super::crs::Crs;
use super::ogc_filter::{Queryable, QueryableType};

/// The URI of WGS84 longitude/latitude, the default of every answer.
pub const CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 10;

/// The largest page; a larger `limit` is answered with pages of this size (Part 1 lets the
/// server cap it, and clients that ask for "everything" still get an answer).
pub const MAX_LIMIT: i64 = 10_000;

/// A collection of the service.
///
/// ```
/// use diming::domain::ogc::CollectionId;
///
/// assert_eq!(CollectionId::parse("places"), Some(CollectionId::Places { class: None }));
/// let settlements = CollectionId::parse("places-24").unwrap();
/// assert_eq!(settlements, CollectionId::Places { class: Some("24".into()) });
/// assert_eq!(settlements.to_string(), "places-24");
/// assert_eq!(CollectionId::parse("boundary-lines"), Some(CollectionId::BoundaryLines));
/// // A 大类 code has two digits.
/// assert_eq!(CollectionId::parse("places-241"), None);
/// assert_eq!(CollectionId::parse("roads"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CollectionId {
    /// The place-name records, all of them or those of one 大类 (top-level category code).
    Places {
        /// The two-digit code of the 大类, if the collection is one class.
        class: Option<String>,
    },
    /// The divisions, each with its own record's area.
    Divisions,
    /// The recorded boundary lines.
    BoundaryLines,
    /// The boundary markers.
    Markers,
    /// The sign inventory.
    Signs,
}

impl CollectionId {
    /// Reads a collection id as the paths carry it; `None` for an id of no collection.
    pub fn parse(id: &str) -> Option<Self> {
        Some(match id {
            "places" => Self::Places { class: None },
            "divisions" => Self::Divisions,
            "boundary-lines" => Self::BoundaryLines,
            "markers" => Self::Markers,
            "signs" => Self::Signs,
            other => {
                let code = other.strip_prefix("places-")?;
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Self::Places {
                    class: Some(code.to_string()),
                }
            }
        })
    }

    /// Whether features of the collection may be written (Part 4): the place-name records.
    pub fn is_writable(&self) -> bool {
        matches!(self, Self::Places { class: None })
    }

    /// The properties a filter may name (Part 3), as the features' properties name them; the
    /// public may filter signs only by what a sign's public page shows. Every collection also
    /// has the queryable `geometry`.
    pub fn queryables(&self, public: bool) -> &'static [Queryable] {
        use QueryableType::{Date, Integer, Number, String};
        const fn q(name: &'static str, kind: QueryableType, title: &'static str) -> Queryable {
            Queryable { name, kind, title }
        }
        const PLACES: &[Queryable] = &[
            q("standard_name", String, "标准名称 Standard name"),
            q("romanization", String, "罗马字母拼写 Romanization"),
            q("category", String, "类别代码 Category code (GB/T 18521)"),
            q(
                "status",
                String,
                "状态 Status (in_use, proposed, historical, retired)",
            ),
            q("code", String, "地名代码 Place-name code"),
            q("named_on", Date, "命名日期 Named on"),
            q("established_year", Integer, "设立年份 Year established"),
            q("version", Integer, "版本 Version"),
        ];
        const DIVISIONS: &[Queryable] = &[
            q("code", String, "区划代码 Division code"),
            q("name", String, "名称 Name"),
            q("level", String, "级别 Level"),
            q("kind", String, "类型 Kind (县, 县级市, 镇, 街道 …)"),
            q("parent_code", String, "上级区划代码 Parent code"),
            q("valid_from", Date, "起始日期 In force from"),
        ];
        const LINES: &[Queryable] = &[
            q("line_code", String, "界线代码 Line code"),
            q("length_m", Number, "长度（米） Length in metres"),
        ];
        const MARKERS: &[Queryable] = &[
            q(
                "marker_number",
                String,
                "界桩编号 Marker number (GB/T 17796)",
            ),
            q("line_code", String, "界线代码 Line code"),
            q("marker_type", String, "界桩类型 Marker type"),
            q("material", String, "材质 Material"),
            q("installed_on", Date, "埋设日期 Installed on"),
        ];
        const PUBLIC_SIGNS: &[Queryable] = &[
            q("kind", String, "标志类型 Sign kind"),
            q("status", String, "状态 Status"),
            q("place_id", Integer, "地名记录编号 Place record id"),
            q("address", String, "地址 Address"),
        ];
        const SIGNS: &[Queryable] = &[
            q("kind", String, "标志类型 Sign kind"),
            q("status", String, "状态 Status"),
            q("place_id", Integer, "地名记录编号 Place record id"),
            q("address", String, "地址 Address"),
            q("division_code", String, "区划代码 Division code"),
            q("sign_number", String, "标志编号 Sign number"),
            q("material", String, "材质 Material"),
            q("installed_on", Date, "安装日期 Installed on"),
            q("last_maintained_on", Date, "上次维护 Last maintained on"),
            q("version", Integer, "版本 Version"),
        ];
        match self {
            Self::Places { .. } => PLACES,
            Self::Divisions => DIVISIONS,
            Self::BoundaryLines => LINES,
            Self::Markers => MARKERS,
            Self::Signs if public => PUBLIC_SIGNS,
            Self::Signs => SIGNS,
        }
    }
}

impl fmt::Display for CollectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Places { class: None } => f.write_str("places"),
            Self::Places { class: Some(code) } => write!(f, "places-{code}"),
            Self::Divisions => f.write_str("divisions"),
            Self::BoundaryLines => f.write_str("boundary-lines"),
            Self::Markers => f.write_str("markers"),
            Self::Signs => f.write_str("signs"),
        }
    }
}

/// A coordinate reference system an answer may be given in, or a `bbox` given in.
///
/// ```
/// use diming::domain::crs::Crs;
/// use diming::domain::ogc::OgcCrs;
///
/// let cgcs2000 = OgcCrs::parse("http://www.opengis.net/def/crs/EPSG/0/4490").unwrap();
/// assert_eq!(cgcs2000, OgcCrs::Epsg(Crs::Cgcs2000));
/// // EPSG:4490 is latitude first, as its EPSG definition says; CRS84 is longitude first.
/// assert!(cgcs2000.north_first());
/// assert!(!OgcCrs::Crs84.north_first());
/// assert_eq!(OgcCrs::parse("[EPSG:3857]").unwrap().uri(), "http://www.opengis.net/def/crs/EPSG/0/3857");
/// // A Gauss–Krüger zone is northing first (X north, Y east).
/// assert!(OgcCrs::parse("EPSG:4549").unwrap().north_first());
/// // Legacy datums need transformation parameters the standard has no place for.
/// assert!(OgcCrs::parse("http://www.opengis.net/def/crs/EPSG/0/2416").is_err());
/// assert!(OgcCrs::parse("http://www.opengis.net/def/crs/EPSG/0/9999").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OgcCrs {
    /// WGS84 longitude/latitude (the default). The register stores CGCS2000, which agrees with WGS84 to a few
    /// centimetres (PROJ relates them by a null transformation): the stored numbers are given.
    #[default]
    Crs84,
    /// A system by its EPSG code, in the axis order of its EPSG definition.
    Epsg(Crs),
}

/// Why a CRS given by a client is not one the service offers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a coordinate reference system offered here: use {CRS84_URI}, or http://www.opengis.net/def/crs/EPSG/0/ with 4490, 4326, 3857 or a CGCS2000 3-degree Gauss–Krüger zone (4513–4554); each collection lists them under \"crs\""
)]
pub struct UnknownCrs(pub String);

impl OgcCrs {
    /// CGCS2000, the system the register stores (its `storageCrs`).
    pub const STORAGE: OgcCrs = OgcCrs::Epsg(Crs::Cgcs2000);

    /// Reads a CRS as a URI (`http://www.opengis.net/def/crs/EPSG/0/4490`), a safe CURIE
    /// (`[EPSG:4490]`) or a short code (`EPSG:4490`, `OGC:CRS84`).
    pub fn parse(text: &str) -> Result<Self, UnknownCrs> {
        let unknown = || UnknownCrs(text.to_string());
        let trimmed = text.trim();
        let curie = trimmed
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(trimmed);
        let path = curie
            .strip_prefix("http://www.opengis.net/def/crs/")
            .or_else(|| curie.strip_prefix("https://www.opengis.net/def/crs/"));
        let (authority, code) = match path {
            Some(path) => {
                let mut parts = path.split('/');
                let (Some(authority), Some(_version), Some(code), None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(unknown());
                };
                (authority, code)
            }
            None => curie.split_once(':').ok_or_else(unknown)?,
        };
        match (authority.to_ascii_uppercase().as_str(), code) {
            ("OGC", "CRS84") => Ok(Self::Crs84),
            ("EPSG", code) if code.bytes().all(|b| b.is_ascii_digit()) => {
                let crs = Crs::parse(code).map_err(|_| unknown())?;
                if crs.legacy_datum().is_some() {
                    return Err(unknown());
                }
                Ok(Self::Epsg(crs))
            }
            _ => Err(unknown()),
        }
    }

    /// Every system offered: CRS84 first (as Part 1 asks), then CGCS2000, WGS84, Web Mercator
    /// and the CGCS2000 3-degree Gauss–Krüger zones with and without the zone prefix.
    pub fn offered() -> Vec<OgcCrs> {
        let mut all = vec![
            Self::Crs84,
            Self::Epsg(Crs::Cgcs2000),
            Self::Epsg(Crs::Wgs84),
            Self::Epsg(Crs::WebMercator),
        ];
        for code in 4513..=4554 {
            if let Ok(crs) = Crs::parse(&code.to_string()) {
                all.push(Self::Epsg(crs));
            }
        }
        all
    }

    /// The URI that names the system.
    pub fn uri(self) -> String {
        match self {
            Self::Crs84 => CRS84_URI.to_string(),
            Self::Epsg(crs) => format!("http://www.opengis.net/def/crs/EPSG/0/{}", crs.epsg()),
        }
    }

    /// The system coordinates are converted to (east or longitude first); CRS84 gives the
    /// stored CGCS2000 numbers.
    pub fn system(self) -> Crs {
        match self {
            Self::Crs84 => Crs::Cgcs2000,
            Self::Epsg(crs) => crs,
        }
    }

    /// Whether positions are written north (latitude, or X of a Gauss–Krüger zone) first, as the
    /// EPSG definitions of 4490, 4326 and the zones 4513–4554 say; CRS84 and Web Mercator are
    /// east first.
    pub fn north_first(self) -> bool {
        match self {
            Self::Crs84 => false,
            Self::Epsg(crs) => !matches!(crs, Crs::WebMercator),
        }
    }
}

/// The time a `datetime` parameter asks about, in calendar days of China (UTC+8), the days the
/// register counts effective dates in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporal {
    /// One day.
    Instant(NaiveDate),
    /// From a day to a day, each end open when `None`.
    Interval {
        /// The first day, if bounded.
        start: Option<NaiveDate>,
        /// The last day, if bounded.
        end: Option<NaiveDate>,
    },
}

impl Temporal {
    /// The first and last day asked about (an instant is both), each `None` when open.
    pub fn bounds(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            Self::Instant(day) => (Some(day), Some(day)),
            Self::Interval { start, end } => (start, end),
        }
    }
}

/// Reads `datetime`: an instant (`2024-05-01`, `2024-05-01T08:00:00Z`) or an interval of two
/// of them joined by `/`, where `..` or nothing leaves an end open (RFC 3339 and Part 1).
///
/// ```
/// use chrono::NaiveDate;
/// use diming::domain::ogc::{Temporal, parse_datetime};
///
/// let day = |text| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
/// assert_eq!(parse_datetime("2024-05-01"), Ok(Temporal::Instant(day("2024-05-01"))));
/// // An instant of time is the day it falls on in China: 20:00 UTC is 04:00 the next day.
/// assert_eq!(parse_datetime("2024-05-01T20:00:00Z"), Ok(Temporal::Instant(day("2024-05-02"))));
/// assert_eq!(
///     parse_datetime("2015-01-01/.."),
///     Ok(Temporal::Interval { start: Some(day("2015-01-01")), end: None })
/// );
/// assert_eq!(
///     parse_datetime("/2020-12-31"),
///     Ok(Temporal::Interval { start: None, end: Some(day("2020-12-31")) })
/// );
/// assert!(parse_datetime("2020-12-31/2015-01-01").unwrap_err().contains("before"));
/// assert!(parse_datetime("yesterday").is_err());
/// ```
pub fn parse_datetime(text: &str) -> Result<Temporal, String> {
    let text = text.trim();
    let Some((start, end)) = text.split_once('/') else {
        return parse_instant(text).map(Temporal::Instant);
    };
    let bound = |part: &str| match part.trim() {
        "" | ".." => Ok(None),
        other => parse_instant(other).map(Some),
    };
    let (start, end) = (bound(start)?, bound(end)?);
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        return Err(format!(
            "the interval's start {start} comes after its end {end}: the start comes before the end"
        ));
    }
    Ok(Temporal::Interval { start, end })
}

fn parse_instant(text: &str) -> Result<NaiveDate, String> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day);
    }
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&china).date_naive())
        .map_err(|_| {
            format!(
                "{text:?} is not a date (2024-05-01), an RFC 3339 time (2024-05-01T08:00:00Z) or an interval of them (2015-01-01/2024-01-01, 2015-01-01/..)"
            )
        })
}

/// Reads `bbox`: four numbers (lower corner, upper corner) or six (with heights, which are
/// dropped), in the axis order of the CRS they are given in. Returns [first axis low, second
/// axis low, first axis high, second axis high].
///
/// ```
/// use diming::domain::ogc::parse_bbox;
///
/// assert_eq!(parse_bbox("120.5,30.5,121,31"), Ok([120.5, 30.5, 121.0, 31.0]));
/// assert_eq!(parse_bbox("120.5,30.5,0,121,31,100"), Ok([120.5, 30.5, 121.0, 31.0]));
/// assert!(parse_bbox("121,30.5,120.5,31").unwrap_err().contains("lower"));
/// assert!(parse_bbox("1,2,3").is_err());
/// assert!(parse_bbox("a,b,c,d").is_err());
/// ```
pub fn parse_bbox(text: &str) -> Result<[f64; 4], String> {
    const SHAPE: &str = "four numbers (lower corner, then upper corner: 120.5,30.5,121,31) or six with heights, in the axis order of bbox-crs";
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| SHAPE.to_string())?;
    let corners = match numbers[..] {
        [a, b, c, d] => [a, b, c, d],
        [a, b, _, d, e, _] => [a, b, d, e],
        _ => return Err(SHAPE.to_string()),
    };
    if !numbers.iter().all(|n| n.is_finite()) {
        return Err(SHAPE.to_string());
    }
    if corners[0] > corners[2] || corners[1] > corners[3] {
        return Err(
            "the lower corner comes first and lies below the upper corner on both axes (a box across the antimeridian is not taken: the register lies within China)"
                .to_string(),
        );
    }
    Ok(corners)
}

/// Reads `limit`: the page size, [`DEFAULT_LIMIT`] when not given; a value above
/// [`MAX_LIMIT`] is served as the largest page.
///
/// ```
/// use diming::domain::ogc::{MAX_LIMIT, parse_limit};
///
/// assert_eq!(parse_limit(None), Ok(10));
/// assert_eq!(parse_limit(Some("500")), Ok(500));
/// assert_eq!(parse_limit(Some("1000000")), Ok(MAX_LIMIT));
/// assert!(parse_limit(Some("0")).is_err());
/// assert!(parse_limit(Some("unlimited")).is_err());
/// ```
pub fn parse_limit(text: Option<&str>) -> Result<i64, String> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(i64::try_from(n).unwrap_or(i64::MAX).min(MAX_LIMIT)),
        _ => Err(format!(
            "{text:?} is not a whole number from 1 (pages hold at most {MAX_LIMIT})"
        )),
    }
}

/// Reads `offset`: how many matching features to skip, 0 when not given.
///
/// ```
/// use diming::domain::ogc::parse_offset;
///
/// assert_eq!(parse_offset(None), Ok(0));
/// assert_eq!(parse_offset(Some("20")), Ok(20));
/// assert!(parse_offset(Some("-1")).is_err());
/// ```
pub fn parse_offset(text: Option<&str>) -> Result<i64, String> {
    let Some(text) = text else {
        return Ok(0);
    };
    text.trim()
        .parse::<u32>()
        .map(i64::from)
        .map_err(|_| format!("{text:?} is not a whole number from 0"))
}

/// The HTTP methods a caller may use on a collection or a feature (the `Allow` of OPTIONS).
///
/// ```
/// use diming::domain::ogc::Allowed;
///
/// assert_eq!(Allowed::READ.header(), "GET, HEAD, OPTIONS");
/// assert_eq!(Allowed::CREATE.header(), "GET, HEAD, OPTIONS, POST");
/// assert_eq!(Allowed::EDIT.header(), "GET, HEAD, OPTIONS, PUT, PATCH, DELETE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    /// POST a new feature to the collection.
    pub create: bool,
    /// PUT, PATCH and DELETE (retire) the feature.
    pub edit: bool,
}

impl Allowed {
    /// Reading only.
    pub const READ: Allowed = Allowed {
        create: false,
        edit: false,
    };
    /// Reading and adding features (a collection).
    pub const CREATE: Allowed = Allowed {
        create: true,
        edit: false,
    };
    /// Reading and changing the feature.
    pub const EDIT: Allowed = Allowed {
        create: false,
        edit: true,
    };

    /// The value of the `Allow` header.
    pub fn header(self) -> String {
        let mut methods = vec!["GET", "HEAD", "OPTIONS"];
        if self.create {
            methods.push("POST");
        }
        if self.edit {
            methods.extend(["PUT", "PATCH", "DELETE"]);
        }
        methods.join(", ")
    }
}

/// Applies a JSON merge patch (RFC 7396) to `target`: members of an object patch replace the
/// target's, `null` removes a member, and anything else replaces the target whole.
///
/// ```
/// use diming::domain::ogc::merge_patch;
/// use serde_json::json;
///
/// let mut feature = json!({ "properties": { "standard_name": "西塘镇", "meaning": "旧义", "sign_count": 2 } });
/// merge_patch(&mut feature, &json!({ "properties": { "meaning": null, "sign_count": 3 } }));
/// assert_eq!(feature, json!({ "properties": { "standard_name": "西塘镇", "sign_count": 3 } }));
/// ```
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(members) = target {
        for (key, value) in patch {
            if value.is_null() {
                members.remove(key);
            } else {
                merge_patch(members.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_crs_reads_back_from_its_uri() {
        let offered = OgcCrs::offered();
        assert_eq!(offered[0], OgcCrs::Crs84);
        assert_eq!(offered.len(), 4 + 42);
        for crs in offered {
            assert_eq!(OgcCrs::parse(&crs.uri()), Ok(crs));
        }
    }

    #[test]
    fn crs_spellings() {
        assert_eq!(OgcCrs::parse("[OGC:CRS84]"), Ok(OgcCrs::Crs84));
        assert_eq!(
            OgcCrs::parse("https://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            Ok(OgcCrs::Crs84)
        );
        assert!(OgcCrs::parse("http://www.opengis.net/def/crs/EPSG/0/4490/x").is_err());
        assert!(OgcCrs::parse("CRS84").is_err());
        assert!(OgcCrs::parse("").is_err());
        let error = OgcCrs::parse("EPSG:1").unwrap_err();
        assert!(error.to_string().contains("\"EPSG:1\""));
    }

    #[test]
    fn an_open_interval_on_both_ends_is_every_day() {
        assert_eq!(
            parse_datetime("../.."),
            Ok(Temporal::Interval {
                start: None,
                end: None
            })
        );
        assert!(parse_datetime("2020-01-01/later").is_err());
    }

    #[test]
    fn a_patch_that_is_not_an_object_replaces_the_target() {
        let mut target = serde_json::json!({ "a": 1 });
        merge_patch(&mut target, &serde_json::json!([1, 2]));
        assert_eq!(target, serde_json::json!([1, 2]));
        let mut target = serde_json::json!("text");
        merge_patch(
            &mut target,
            &serde_json::json!({ "a": { "b": null, "c": 1 } }),
        );
        assert_eq!(target, serde_json::json!({ "a": { "c": 1 } }));
    }
}
