//! A feature as a filter reads it (Part 3): each queryable's value taken from the record behind
//! the feature, and its geometry in CGCS2000 degrees, read once from the feature's CRS84 answer.

use std::cell::OnceCell;

use chrono::NaiveDate;
use geo::Geometry;
use serde::Serialize;

use super::items::{Feature, Record};
use crate::domain::ogc_filter::{FilterItem, Scalar};

/// One feature under a filter.
pub struct Candidate<'a> {
    feature: &'a Feature,
    geometry: OnceCell<Option<Geometry<f64>>>,
}

impl<'a> Candidate<'a> {
    /// `feature`, whose geometry is in CRS84 (the system filters are evaluated in).
    pub fn of(feature: &'a Feature) -> Self {
        Self {
            feature,
            geometry: OnceCell::new(),
        }
    }
}

fn text(value: impl Into<String>) -> Option<Scalar> {
    Some(Scalar::Text(value.into()))
}

fn optional_text(value: &Option<String>) -> Option<Scalar> {
    value.as_ref().map(|v| Scalar::Text(v.clone()))
}

/// An enum's name as the features' properties spell it.
fn named(value: &impl Serialize) -> Option<Scalar> {
    serde_json::to_value(value)
        .ok()?
        .as_str()
        .map(|s| Scalar::Text(s.to_string()))
}

fn number(value: impl Into<f64>) -> Option<Scalar> {
    Some(Scalar::Number(value.into()))
}

fn day(value: Option<NaiveDate>) -> Option<Scalar> {
    value.map(Scalar::Date)
}

/// A day stored as text (`2003-05-01`).
fn day_text(value: &Option<String>) -> Option<Scalar> {
    value
        .as_deref()
        .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
        .map(Scalar::Date)
}

impl FilterItem for Candidate<'_> {
    fn value(&self, name: &str) -> Option<Scalar> {
        match &self.feature.record {
            Record::Place(place) => {
                let p = &place.properties;
                match name {
                    "standard_name" => text(p.standard_name.clone()),
                    "romanization" => optional_text(&p.romanization),
                    "category" => text(p.category.clone()),
                    "status" => named(&p.status),
                    "code" => text(place.code.clone()),
                    "named_on" => day(p.named_on),
                    "established_year" => p.established_year.and_then(number),
                    "version" => number(place.meta.version as f64),
                    _ => None,
                }
            }
            Record::Division { division, .. } => match name {
                "code" => text(division.code.clone()),
                "name" => text(division.name.clone()),
                "level" => named(&division.level),
                "kind" => optional_text(&division.kind),
                "parent_code" => optional_text(&division.parent_code),
                "valid_from" => day(division.valid_from),
                _ => None,
            },
            Record::Line(view) => match name {
                "line_code" => text(view.line.as_string()),
                "length_m" => number(view.length_m()),
                _ => None,
            },
            Record::Marker(marker) => match name {
                "marker_number" => text(marker.marker_number.clone()),
                "line_code" => text(marker.line_code.clone()),
                "marker_type" => text(marker.marker_type.clone()),
                "material" => optional_text(&marker.material),
                "installed_on" => day_text(&marker.installed_on),
                _ => None,
            },
            Record::Sign { sign, public } => match name {
                "kind" => named(&sign.kind),
                "status" => named(&sign.status),
                "place_id" => number(sign.place_id as f64),
                "address" => optional_text(&sign.address),
                // What only staff may filter by (the queryables keep the public from naming it).
                _ if *public => None,
                "division_code" => text(sign.division_code.clone()),
                "sign_number" => optional_text(&sign.sign_number),
                "material" => optional_text(&sign.material),
                "installed_on" => day(sign.installed_on),
                "last_maintained_on" => day(sign.last_maintained_on),
                "version" => number(sign.version as f64),
                _ => None,
            },
        }
    }

    fn geometry(&self) -> Option<&Geometry<f64>> {
        self.geometry
            .get_or_init(|| {
                let value = self.feature.geometry.clone()?;
                let geometry: geojson::Geometry = serde_json::from_value(value).ok()?;
                Geometry::<f64>::try_from(&geometry.value).ok()
            })
            .as_ref()
    }
}
