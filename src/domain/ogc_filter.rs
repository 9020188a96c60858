//! Filters of OGC API Features Part 3: a CQL2 expression (text or JSON; read by the `cql2`
//! crate, which keeps to the standard's grammar) checked against a collection's queryables and
//! compiled into a predicate evaluated on the service's own records — comparisons, `LIKE`,
//! `IN`, `BETWEEN`, `IS NULL`, `CASEI`, `AND`/`OR`/`NOT`, the spatial predicates on the geometry
//! and the temporal ones on dated properties. Unknown values follow SQL: a comparison with a
//! missing property is unknown, and an unknown filter keeps nothing.
#![warn(missing_docs)]

use chrono::NaiveDate;
use cql2::Expr;
use geo::{BoundingRect, Contains, Geometry, Intersects, Rect};
use serde_json::Value;

/// The type of a queryable, as its JSON Schema says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryableType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// A calendar day (`format: date`).
    Date,
}

impl QueryableType {
    /// The JSON Schema of a property of this type.
    pub fn schema(self) -> Value {
        match self {
            Self::String => serde_json::json!({ "type": "string" }),
            Self::Integer => serde_json::json!({ "type": "integer" }),
            Self::Number => serde_json::json!({ "type": "number" }),
            Self::Date => serde_json::json!({ "type": "string", "format": "date" }),
        }
    }
}

/// A property a filter may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queryable {
    /// Its name, as in the features' properties.
    pub name: &'static str,
    /// Its type.
    pub kind: QueryableType,
    /// What it is, for the queryables document.
    pub title: &'static str,
}

/// The name of the geometry queryable of every collection.
pub const GEOMETRY: &str = "geometry";

/// A value of a record's property, as a filter compares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// A number (whole numbers too).
    Number(f64),
    /// A day.
    Date(NaiveDate),
}

impl Scalar {
    fn compare(&self, other: &Scalar) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Scalar::Text(a), Scalar::Text(b)) => Some(a.cmp(b)),
            (Scalar::Number(a), Scalar::Number(b)) => a.partial_cmp(b),
            (Scalar::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// What a filter reads of one record.
pub trait FilterItem {
    /// The value of queryable `name`, when the record has one.
    fn value(&self, name: &str) -> Option<Scalar>;
    /// The record's geometry in CGCS2000 (CRS84) degrees, when it has one.
    fn geometry(&self) -> Option<&Geometry<f64>>;
}

/// The language a filter is written in (`filter-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterLang {
    /// `cql2-text`, the default.
    Text,
    /// `cql2-json`.
    Json,
}

impl FilterLang {
    /// Reads `filter-lang`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "cql2-text" => Ok(Self::Text),
            "cql2-json" => Ok(Self::Json),
            other => Err(format!(
                "{other:?} is not a filter language of this service: cql2-text or cql2-json"
            )),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `=`.
    Eq,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Comparison {
    fn parse(op: &str) -> Option<Self> {
        Some(match op {
            "=" => Self::Eq,
            "<>" => Self::Ne,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            _ => return None,
        })
    }

    /// The comparison with its sides swapped (`5 < x` is `x > 5`).
    fn flipped(self) -> Self {
        match self {
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            other => other,
        }
    }

    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::Le => ordering != Greater,
            Self::Gt => ordering == Greater,
            Self::Ge => ordering != Less,
        }
    }
}

/// A spatial predicate (the geometry first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spatial {
    /// `S_INTERSECTS`.
    Intersects,
    /// `S_DISJOINT`.
    Disjoint,
    /// `S_WITHIN`: the geometry lies within the literal.
    Within,
    /// `S_CONTAINS`: the geometry contains the literal.
    Contains,
}

/// A temporal predicate (the dated property first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporal {
    /// `T_INTERSECTS`.
    Intersects,
    /// `T_DISJOINT`.
    Disjoint,
    /// `T_BEFORE`.
    Before,
    /// `T_AFTER`.
    After,
    /// `T_EQUALS`.
    Equals,
}

/// A checked, compiled filter.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Every part holds.
    And(Vec<Filter>),
    /// One part holds.
    Or(Vec<Filter>),
    /// The part does not hold.
    Not(Box<Filter>),
    /// A constant (`TRUE`, or a comparison of two literals).
    Constant(bool),
    /// A property compared with a value.
    Compare {
        /// The queryable.
        name: String,
        /// How.
        op: Comparison,
        /// With what.
        value: Scalar,
        /// Case folded on both sides (`CASEI`).
        fold_case: bool,
    },
    /// A text property matching a `LIKE` pattern (`%` any run, `_` one character, `\` escapes).
    Like {
        /// The queryable.
        name: String,
        /// The pattern's parts.
        pattern: Vec<LikeToken>,
        /// Case folded on both sides (`CASEI`).
        fold_case: bool,
    },
    /// A property equal to one of the values.
    In {
        /// The queryable.
        name: String,
        /// The values.
        values: Vec<Scalar>,
    },
    /// A property between two values, both included.
    Between {
        /// The queryable.
        name: String,
        /// The lower bound.
        low: Scalar,
        /// The upper bound.
        high: Scalar,
    },
    /// A property that has no value.
    IsNull {
        /// The queryable.
        name: String,
    },
    /// The geometry related to a literal geometry.
    Spatial {
        /// How.
        op: Spatial,
        /// The literal, in CRS84 degrees.
        geometry: Geometry<f64>,
    },
    /// A dated property related to an instant or an interval (bounds included, open ends `..`).
    Temporal {
        /// The queryable.
        name: String,
        /// How.
        op: Temporal,
        /// The interval's first day (none: open).
        start: Option<NaiveDate>,
        /// Its last day (none: open).
        end: Option<NaiveDate>,
    },
}

/// One part of a `LIKE` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LikeToken {
    /// This character.
    Char(char),
    /// Any one character.
    One,
    /// Any run of characters, none included.
    Any,
}

/// Why a filter was refused: a sentence naming what to change.
pub type FilterError = String;

impl Filter {
    /// Reads `text` in `lang`, checks it against `queryables` and compiles it.
    pub fn parse(
        text: &str,
        lang: FilterLang,
        queryables: &[Queryable],
    ) -> Result<Filter, FilterError> {
        let expr = match lang {
            FilterLang::Text => cql2::parse_text(text)
                .map_err(|e| format!("not CQL2 text ({e}); e.g. standard_name LIKE '西%' AND category = '2110'"))?,
            FilterLang::Json => cql2::parse_json(text)
                .map_err(|e| format!("not CQL2 JSON ({e}); e.g. {{\"op\":\"=\",\"args\":[{{\"property\":\"status\"}},\"in_use\"]}}"))?,
        };
        Compiler { queryables }.filter(&expr)
    }

    /// Whether `item` passes.
    pub fn matches(&self, item: &dyn FilterItem) -> bool {
        self.truth(item) == Some(true)
    }

    /// SQL's three-valued logic: `None` is unknown.
    fn truth(&self, item: &dyn FilterItem) -> Option<bool> {
        match self {
            Filter::And(parts) => {
                let mut unknown = false;
                for part in parts {
                    match part.truth(item) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            Filter::Or(parts) => {
                let mut unknown = false;
                for part in parts {
                    match part.truth(item) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { None } else { Some(false) }
            }
            Filter::Not(part) => part.truth(item).map(|b| !b),
            Filter::Constant(b) => Some(*b),
            Filter::Compare {
                name,
                op,
                value,
                fold_case,
            } => {
                let found = item.value(name)?;
                let (found, value) = if *fold_case {
                    (fold(found), fold(value.clone()))
                } else {
                    (found, value.clone())
                };
                found.compare(&value).map(|o| op.holds(o))
            }
            Filter::Like {
                name,
                pattern,
                fold_case,
            } => match item.value(name)? {
                Scalar::Text(text) => {
                    let text = if *fold_case {
                        text.to_lowercase()
                    } else {
                        text
                    };
                    Some(like(&text.chars().collect::<Vec<_>>(), pattern))
                }
                _ => None,
            },
            Filter::In { name, values } => {
                let found = item.value(name)?;
                Some(
                    values
                        .iter()
                        .any(|v| found.compare(v) == Some(std::cmp::Ordering::Equal)),
                )
            }
            Filter::Between { name, low, high } => {
                let found = item.value(name)?;
                let above = found.compare(low)?;
                let below = found.compare(high)?;
                Some(above != std::cmp::Ordering::Less && below != std::cmp::Ordering::Greater)
            }
            Filter::IsNull { name } => Some(item.value(name).is_none()),
            Filter::Spatial { op, geometry } => {
                let own = item.geometry()?;
                Some(match op {
                    Spatial::Intersects => own.intersects(geometry),
                    Spatial::Disjoint => !own.intersects(geometry),
                    Spatial::Within => geometry.contains(own),
                    Spatial::Contains => own.contains(geometry),
                })
            }
            Filter::Temporal {
                name,
                op,
                start,
                end,
            } => {
                let Scalar::Date(day) = item.value(name)? else {
                    return None;
                };
                let after_start = start.is_none_or(|s| day >= s);
                let before_end = end.is_none_or(|e| day <= e);
                Some(match op {
                    Temporal::Intersects => after_start && before_end,
                    Temporal::Disjoint => !(after_start && before_end),
                    Temporal::Before => start.is_some_and(|s| day < s),
                    Temporal::After => end.is_some_and(|e| day > e),
                    Temporal::Equals => *start == Some(day) && *end == Some(day),
                })
            }
        }
    }

    /// Turns every literal geometry from latitude-first to longitude-first (a `filter-crs` of
    /// EPSG:4490, whose axis order is latitude, longitude).
    pub fn swap_axes(&mut self) {
        use geo::MapCoordsInPlace;
        match self {
            Filter::And(parts) | Filter::Or(parts) => parts.iter_mut().for_each(Filter::swap_axes),
            Filter::Not(part) => part.swap_axes(),
            Filter::Spatial { geometry, .. } => {
                geometry.map_coords_in_place(|c| geo::coord! { x: c.y, y: c.x });
            }
            _ => {}
        }
    }

    /// The box every feature passing the filter must overlap, when the filter says (a
    /// top-level `S_INTERSECTS`/`S_WITHIN` or an `AND` holding one): lets the caller narrow the
    /// records read before evaluating.
    pub fn bounding_box(&self) -> Option<[f64; 4]> {
        match self {
            Filter::Spatial {
                op: Spatial::Intersects | Spatial::Within,
                geometry,
            } => geometry
                .bounding_rect()
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
            Filter::And(parts) => parts.iter().find_map(Filter::bounding_box),
            _ => None,
        }
    }
}

fn fold(value: Scalar) -> Scalar {
    match value {
        Scalar::Text(text) => Scalar::Text(text.to_lowercase()),
        other => other,
    }
}

/// Whether `text` matches the `LIKE` pattern (iterative, with backtracking to the last `%`).
fn like(text: &[char], pattern: &[LikeToken]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikeToken::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(LikeToken::One) => {
                t += 1;
                p += 1;
            }
            Some(LikeToken::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|token| *token == LikeToken::Any)
}

fn like_pattern(text: &str, fold_case: bool) -> Vec<LikeToken> {
    let text = if fold_case {
        text.to_lowercase()
    } else {
        text.to_string()
    };
    let mut tokens = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '%' => LikeToken::Any,
            '_' => LikeToken::One,
            '\\' => LikeToken::Char(chars.next().unwrap_or('\\')),
            other => LikeToken::Char(other),
        });
    }
    tokens
}

const SUPPORTED: &str = "AND, OR, NOT, =, <>, <, <=, >, >=, LIKE, IN, BETWEEN, IS NULL, CASEI, S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS, T_INTERSECTS, T_DISJOINT, T_BEFORE, T_AFTER, T_EQUALS";

struct Compiler<'a> {
    queryables: &'a [Queryable],
}

impl Compiler<'_> {
    fn filter(&self, expr: &Expr) -> Result<Filter, FilterError> {
        match expr {
            Expr::Bool(b) => Ok(Filter::Constant(*b)),
            Expr::Operation { op, args } => self.operation(op, args),
            other => Err(format!(
                "a filter is a condition (a comparison, LIKE, IN, S_INTERSECTS …), not the value {}",
                describe(other)
            )),
        }
    }

    fn operation(&self, op: &str, args: &[Box<Expr>]) -> Result<Filter, FilterError> {
        let arg = |i: usize| -> Result<&Expr, FilterError> {
            args.get(i)
                .map(|a| a.as_ref())
                .ok_or_else(|| format!("{op} lacks its argument {}", i + 1))
        };
        match op {
            "and" | "or" => {
                let parts = args
                    .iter()
                    .map(|a| self.filter(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if op == "and" {
                    Filter::And(parts)
                } else {
                    Filter::Or(parts)
                })
            }
            "not" => Ok(Filter::Not(Box::new(self.filter(arg(0)?)?))),
            "like" => {
                let (name, fold_case) = self.property_of(arg(0)?, "LIKE")?;
                self.expect_type(&name, &[QueryableType::String], "LIKE")?;
                let (pattern, pattern_casei) = text_literal(arg(1)?).ok_or_else(|| {
                    format!(
                        "LIKE takes a text pattern such as '西%', not {}",
                        describe(arg(1).unwrap_or(&Expr::Null))
                    )
                })?;
                let fold_case = fold_case || pattern_casei;
                Ok(Filter::Like {
                    name,
                    pattern: like_pattern(&pattern, fold_case),
                    fold_case,
                })
            }
            "in" => {
                let (name, _) = self.property_of(arg(0)?, "IN")?;
                let Expr::Array(items) = arg(1)? else {
                    return Err(
                        "IN takes a list of values: status IN ('in_use', 'proposed')".into(),
                    );
                };
                let values = items
                    .iter()
                    .map(|v| self.value_for(&name, v))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Filter::In { name, values })
            }
            "between" => {
                let (name, _) = self.property_of(arg(0)?, "BETWEEN")?;
                let low = self.value_for(&name, arg(1)?)?;
                let high = self.value_for(&name, arg(2)?)?;
                Ok(Filter::Between { name, low, high })
            }
            "isNull" => {
                let (name, _) = self.property_of(arg(0)?, "IS NULL")?;
                Ok(Filter::IsNull { name })
            }
            op if Comparison::parse(op).is_some() => {
                let comparison = Comparison::parse(op).expect("just matched");
                let (left, right) = (arg(0)?, arg(1)?);
                if names_property(left) {
                    let (name, fold_case) = self.property_of(left, op)?;
                    let value = self.value_for(&name, right)?;
                    Ok(Filter::Compare {
                        name,
                        op: comparison,
                        value,
                        fold_case,
                    })
                } else if names_property(right) {
                    let (name, fold_case) = self.property_of(right, op)?;
                    let value = self.value_for(&name, left)?;
                    Ok(Filter::Compare {
                        name,
                        op: comparison.flipped(),
                        value,
                        fold_case,
                    })
                } else {
                    Err(format!(
                        "{op} compares a queryable with a value: one side names a property ({})",
                        self.names()
                    ))
                }
            }
            "s_intersects" | "s_disjoint" | "s_within" | "s_contains" => {
                let spatial = match op {
                    "s_intersects" => Spatial::Intersects,
                    "s_disjoint" => Spatial::Disjoint,
                    "s_within" => Spatial::Within,
                    _ => Spatial::Contains,
                };
                let (left, right) = (arg(0)?, arg(1)?);
                let geometry = if is_geometry_property(left) {
                    literal_geometry(right)?
                } else if is_geometry_property(right) {
                    literal_geometry(left)?
                } else {
                    return Err(format!(
                        "{} relates the property \"{GEOMETRY}\" to a geometry: S_INTERSECTS(geometry, BBOX(120.8,30.7,121.0,30.9))",
                        op.to_uppercase()
                    ));
                };
                // S_WITHIN(literal, geometry) is S_CONTAINS(geometry, literal) and back.
                let spatial = match (spatial, is_geometry_property(left)) {
                    (Spatial::Within, false) => Spatial::Contains,
                    (Spatial::Contains, false) => Spatial::Within,
                    (other, _) => other,
                };
                Ok(Filter::Spatial {
                    op: spatial,
                    geometry,
                })
            }
            "t_intersects" | "t_disjoint" | "t_before" | "t_after" | "t_equals" => {
                let temporal = match op {
                    "t_intersects" => Temporal::Intersects,
                    "t_disjoint" => Temporal::Disjoint,
                    "t_before" => Temporal::Before,
                    "t_after" => Temporal::After,
                    _ => Temporal::Equals,
                };
                let (name, _) = self.property_of(arg(0)?, &op.to_uppercase())?;
                self.expect_type(&name, &[QueryableType::Date], &op.to_uppercase())?;
                let (start, end) = literal_interval(arg(1)?)?;
                Ok(Filter::Temporal {
                    name,
                    op: temporal,
                    start,
                    end,
                })
            }
            other => Err(format!(
                "{} is not an operator this service evaluates; it evaluates {SUPPORTED}",
                other.to_uppercase()
            )),
        }
    }

    fn names(&self) -> String {
        self.queryables
            .iter()
            .map(|q| q.name)
            .chain([GEOMETRY])
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn queryable(&self, name: &str) -> Option<&Queryable> {
        self.queryables.iter().find(|q| q.name == name)
    }

    /// The queryable an argument names, and whether it is wrapped in `CASEI`.
    fn property_of(&self, expr: &Expr, op: &str) -> Result<(String, bool), FilterError> {
        match expr {
            Expr::Property { property } => match self.queryable(property) {
                Some(q) => Ok((q.name.to_string(), false)),
                None => Err(format!(
                    "\"{property}\" is not a queryable of this collection: {} (see its /queryables)",
                    self.names()
                )),
            },
            Expr::Operation { op: inner, args } if inner == "casei" && args.len() == 1 => {
                let (name, _) = self.property_of(&args[0], op)?;
                Ok((name, true))
            }
            other => Err(format!(
                "{op} applies to a property, not to {}",
                describe(other)
            )),
        }
    }

    fn expect_type(
        &self,
        name: &str,
        kinds: &[QueryableType],
        op: &str,
    ) -> Result<(), FilterError> {
        match self.queryable(name) {
            Some(q) if kinds.contains(&q.kind) => Ok(()),
            _ => Err(format!("{op} does not apply to \"{name}\"")),
        }
    }

    /// A literal read as a value of queryable `name`'s type.
    fn value_for(&self, name: &str, expr: &Expr) -> Result<Scalar, FilterError> {
        let kind = self
            .queryable(name)
            .map(|q| q.kind)
            .unwrap_or(QueryableType::String);
        let wrong = || {
            format!(
                "\"{name}\" is {}: {} is not one",
                kind_name(kind),
                describe(expr)
            )
        };
        match (kind, expr) {
            (QueryableType::String, _) => text_literal(expr)
                .map(|(t, _)| Scalar::Text(t))
                .ok_or_else(wrong),
            (QueryableType::Integer | QueryableType::Number, Expr::Float(n)) => {
                Ok(Scalar::Number(*n))
            }
            (QueryableType::Integer | QueryableType::Number, Expr::Literal(text)) => {
                text.trim().parse().map(Scalar::Number).map_err(|_| wrong())
            }
            (QueryableType::Date, _) => instant(expr).ok_or_else(wrong).map(Scalar::Date),
            _ => Err(wrong()),
        }
    }
}

fn kind_name(kind: QueryableType) -> &'static str {
    match kind {
        QueryableType::String => "text",
        QueryableType::Integer => "a whole number",
        QueryableType::Number => "a number",
        QueryableType::Date => "a day (DATE('2024-05-01'))",
    }
}

fn describe(expr: &Expr) -> String {
    expr.to_text().unwrap_or_else(|_| format!("{expr:?}"))
}

/// A text literal, and whether it was wrapped in `CASEI`.
fn text_literal(expr: &Expr) -> Option<(String, bool)> {
    match expr {
        Expr::Literal(text) => Some((text.clone(), false)),
        Expr::Operation { op, args } if op == "casei" && args.len() == 1 => {
            text_literal(&args[0]).map(|(t, _)| (t, true))
        }
        _ => None,
    }
}

/// Whether an argument names a property (perhaps under `CASEI`).
fn names_property(expr: &Expr) -> bool {
    match expr {
        Expr::Property { .. } => true,
        Expr::Operation { op, args } if op == "casei" && args.len() == 1 => {
            names_property(&args[0])
        }
        _ => false,
    }
}

fn is_geometry_property(expr: &Expr) -> bool {
    matches!(expr, Expr::Property { property } if property == GEOMETRY)
}

/// A day from `DATE('…')`, `TIMESTAMP('…')` (its day) or a plain literal.
fn instant(expr: &Expr) -> Option<NaiveDate> {
    match expr {
        Expr::Date { date } => instant(date),
        Expr::Timestamp { timestamp } => instant(timestamp),
        Expr::Literal(text) => {
            let day = text.get(..10)?;
            NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
        }
        _ => None,
    }
}

/// The days an instant or interval covers; `..` leaves an end open.
fn literal_interval(expr: &Expr) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FilterError> {
    let bound = |e: &Expr| -> Result<Option<NaiveDate>, FilterError> {
        if matches!(e, Expr::Literal(t) if t == "..") {
            return Ok(None);
        }
        instant(e)
            .map(Some)
            .ok_or_else(|| format!("{} is not a day or '..'", describe(e)))
    };
    match expr {
        Expr::Interval { interval } if interval.len() == 2 => {
            Ok((bound(&interval[0])?, bound(&interval[1])?))
        }
        other => {
            let day = instant(other).ok_or_else(|| {
                format!(
                    "a temporal predicate takes DATE('2024-05-01') or INTERVAL('2020-01-01','..'), not {}",
                    describe(other)
                )
            })?;
            Ok((Some(day), Some(day)))
        }
    }
}

/// A literal geometry (GeoJSON, WKT or BBOX) as a geo geometry in CRS84 degrees.
fn literal_geometry(expr: &Expr) -> Result<Geometry<f64>, FilterError> {
    let unusable = || {
        format!(
            "{} is not a geometry: give POINT(120.9 30.8), POLYGON((…)), BBOX(120.8,30.7,121.0,30.9) or GeoJSON",
            describe(expr)
        )
    };
    match expr {
        Expr::BBox { bbox } => {
            let numbers: Vec<f64> = bbox
                .iter()
                .map(|n| match n.as_ref() {
                    Expr::Float(v) => Some(*v),
                    _ => None,
                })
                .collect::<Option<_>>()
                .ok_or_else(unusable)?;
            let [min_x, min_y, max_x, max_y] = match numbers.as_slice() {
                [a, b, c, d] => [*a, *b, *c, *d],
                [a, b, _, d, e, _] => [*a, *b, *d, *e],
                _ => return Err(unusable()),
            };
            if min_x > max_x || min_y > max_y {
                return Err("BBOX is west, south, east, north: the first corner lies south-west of the second".into());
            }
            Ok(Geometry::Rect(Rect::new((min_x, min_y), (max_x, max_y))))
        }
        Expr::Geometry(_) => {
            // The crate writes its geometry (WKT too) as GeoJSON; read that with this service's
            // own GeoJSON types.
            let value = serde_json::to_value(expr).map_err(|_| unusable())?;
            let geometry: geojson::Geometry =
                serde_json::from_value(value).map_err(|_| unusable())?;
            Geometry::<f64>::try_from(&geometry.value).map_err(|_| unusable())
        }
        _ => Err(unusable()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const QUERYABLES: &[Queryable] = &[
        Queryable {
            name: "standard_name",
            kind: QueryableType::String,
            title: "name",
        },
        Queryable {
            name: "category",
            kind: QueryableType::String,
            title: "category",
        },
        Queryable {
            name: "version",
            kind: QueryableType::Integer,
            title: "version",
        },
        Queryable {
            name: "named_on",
            kind: QueryableType::Date,
            title: "named on",
        },
    ];

    struct Item {
        values: HashMap<&'static str, Scalar>,
        geometry: Option<Geometry<f64>>,
    }

    impl FilterItem for Item {
        fn value(&self, name: &str) -> Option<Scalar> {
            self.values.get(name).cloned()
        }
        fn geometry(&self) -> Option<&Geometry<f64>> {
            self.geometry.as_ref()
        }
    }

    fn item(
        name: &str,
        category: &str,
        version: f64,
        named_on: Option<&str>,
        at: (f64, f64),
    ) -> Item {
        let mut values = HashMap::new();
        values.insert("standard_name", Scalar::Text(name.into()));
        values.insert("category", Scalar::Text(category.into()));
        values.insert("version", Scalar::Number(version));
        if let Some(day) = named_on {
            values.insert("named_on", Scalar::Date(day.parse().unwrap()));
        }
        Item {
            values,
            geometry: Some(Geometry::Point(geo::Point::new(at.0, at.1))),
        }
    }

    fn items() -> Vec<Item> {
        vec![
            item("西塘镇", "2120", 1.0, Some("1990-05-01"), (120.89, 30.94)),
            item("西塘港", "1210", 3.0, None, (120.90, 30.95)),
            item("魏塘街道", "2130", 2.0, Some("2001-01-01"), (120.92, 30.84)),
            item(
                "Xitang Road",
                "2510",
                1.0,
                Some("2015-07-01"),
                (121.30, 30.70),
            ),
        ]
    }

    fn names(text: &str, lang: FilterLang) -> Vec<String> {
        let filter =
            Filter::parse(text, lang, QUERYABLES).unwrap_or_else(|e| panic!("{text}: {e}"));
        items()
            .iter()
            .filter(|i| filter.matches(*i))
            .map(|i| match i.value("standard_name") {
                Some(Scalar::Text(t)) => t,
                _ => unreachable!(),
            })
            .collect()
    }

    fn text(filter: &str) -> Vec<String> {
        names(filter, FilterLang::Text)
    }

    #[test]
    fn comparisons_like_in_between_and_null() {
        assert_eq!(text("category = '2120'"), ["西塘镇"]);
        assert_eq!(text("'2120' = category"), ["西塘镇"]);
        assert_eq!(text("version >= 2"), ["西塘港", "魏塘街道"]);
        assert_eq!(text("2 > version"), ["西塘镇", "Xitang Road"]);
        assert_eq!(text("standard_name LIKE '西塘%'"), ["西塘镇", "西塘港"]);
        assert_eq!(text("standard_name LIKE '_塘镇'"), ["西塘镇"]);
        assert_eq!(
            text("CASEI(standard_name) LIKE CASEI('xitang%')"),
            ["Xitang Road"]
        );
        assert_eq!(text("category IN ('2120', '2130')"), ["西塘镇", "魏塘街道"]);
        assert_eq!(text("version BETWEEN 2 AND 3"), ["西塘港", "魏塘街道"]);
        assert_eq!(text("named_on IS NULL"), ["西塘港"]);
        assert_eq!(text("NOT (standard_name LIKE '%塘%') "), ["Xitang Road"]);
        assert_eq!(
            text("category = '2120' OR category = '1210'"),
            ["西塘镇", "西塘港"]
        );
    }

    #[test]
    fn an_unknown_value_keeps_nothing_even_under_not() {
        // 西塘港 has no naming day: the comparison is unknown, and so is its negation.
        assert_eq!(
            text("named_on > DATE('2000-01-01')"),
            ["魏塘街道", "Xitang Road"]
        );
        assert_eq!(text("NOT (named_on > DATE('2000-01-01'))"), ["西塘镇"]);
    }

    #[test]
    fn spatial_and_temporal_predicates() {
        assert_eq!(
            text("S_INTERSECTS(geometry, BBOX(120.8, 30.8, 121.0, 31.0))"),
            ["西塘镇", "西塘港", "魏塘街道"]
        );
        assert_eq!(
            text(
                "S_WITHIN(geometry, POLYGON((120.85 30.9, 120.95 30.9, 120.95 31.0, 120.85 31.0, 120.85 30.9)))"
            ),
            ["西塘镇", "西塘港"]
        );
        assert_eq!(
            text("S_DISJOINT(geometry, BBOX(120.8, 30.8, 121.0, 31.0))"),
            ["Xitang Road"]
        );
        assert_eq!(
            text("T_INTERSECTS(named_on, INTERVAL('2000-01-01', '..'))"),
            ["魏塘街道", "Xitang Road"]
        );
        assert_eq!(text("T_BEFORE(named_on, DATE('2000-01-01'))"), ["西塘镇"]);
        assert_eq!(text("T_EQUALS(named_on, DATE('2001-01-01'))"), ["魏塘街道"]);
        let filter = Filter::parse(
            "category = '2120' AND S_INTERSECTS(geometry, BBOX(120.8, 30.8, 121.0, 31.0))",
            FilterLang::Text,
            QUERYABLES,
        )
        .unwrap();
        assert_eq!(filter.bounding_box(), Some([120.8, 30.8, 121.0, 31.0]));
    }

    #[test]
    fn json_says_the_same_as_text() {
        let json = r#"{"op":"and","args":[{"op":"like","args":[{"property":"standard_name"},"西塘%"]},{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[120.89,30.94]}]}]}"#;
        assert_eq!(names(json, FilterLang::Json), ["西塘镇"]);
        assert_eq!(
            text("standard_name LIKE '西塘%' AND S_INTERSECTS(geometry, POINT(120.89 30.94))"),
            ["西塘镇"]
        );
    }

    #[test]
    fn refusals_name_what_to_change() {
        let refused = |text: &str| Filter::parse(text, FilterLang::Text, QUERYABLES).unwrap_err();
        assert!(
            refused("colour = 'red'").contains("\"colour\" is not a queryable"),
            "{}",
            refused("colour = 'red'")
        );
        assert!(refused("version = 'two'").contains("whole number"));
        assert!(refused("named_on = 'soon'").contains("a day"));
        assert!(refused("standard_name LIKE").contains("CQL2 text"));
        assert!(refused("S_INTERSECTS(geometry, BBOX(121, 31, 120, 30))").contains("south-west"));
        assert!(refused("S_CROSSES(geometry, POINT(1 2))").contains("is not an operator"));
        assert!(refused("T_BEFORE(standard_name, DATE('2000-01-01'))").contains("does not apply"));
        let json = Filter::parse("{\"op\":", FilterLang::Json, QUERYABLES).unwrap_err();
        assert!(json.contains("CQL2 JSON"), "{json}");
        assert!(FilterLang::parse("ecql").is_err());
    }

    #[test]
    fn like_backtracks() {
        let pattern = like_pattern("%a%b_", false);
        assert!(like(&"xxaxxbz".chars().collect::<Vec<_>>(), &pattern));
        assert!(!like(&"xxaxxb".chars().collect::<Vec<_>>(), &pattern));
        assert!(like(
            &"100%".chars().collect::<Vec<_>>(),
            &like_pattern("100\\%", false)
        ));
    }
}
