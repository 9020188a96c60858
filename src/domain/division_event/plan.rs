//! What an approved division change does to the place records, decided without I/O: the caller
//! reads the records an event touches (`Affected`), `plan` says what becomes of each.
//!
//! Each changed division's own record takes its new name (the old one kept as a historical
//! name), code, polygon and approval, or is retired; records lying in a re-coded division take
//! the new codes; a division others merge into takes the union of their polygons when the event
//! gives it none; an established division gets a record.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use geo::Geometry;
use serde_json::Value;

use super::{CheckedEvent, EventApproval, category_of, recode};
use crate::domain::boundary::merged_area;
use crate::domain::category::CategoryCatalog;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::place::{
    AlternateName, AlternateNameKind, Approval, PlaceProperties, PlaceStatus, ValidPlace,
};

/// A place record as it stands now, as the plan needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentRecord {
    /// The record's id.
    pub id: i64,
    /// Its current version: the change is written on top of it, or not at all.
    pub version: i64,
    /// Its current properties.
    pub properties: PlaceProperties,
    /// Its current GeoJSON geometry, if any.
    pub geometry: Option<Value>,
}

/// The current records an event touches, read by the caller before planning (see
/// `own_records_needed` and `re_coded_divisions` for which to read).
#[derive(Debug, Clone, Default)]
pub struct Affected {
    /// Each changed division's own record, by the division's code before the event.
    pub own: HashMap<DivisionCode, CurrentRecord>,
    /// The records in use lying in each re-coded division, by its code before the event.
    pub within: HashMap<DivisionCode, Vec<CurrentRecord>>,
}

/// A change an event makes to a place record (the division's own record, or one whose
/// division codes are re-coded).
#[derive(Debug, Clone)]
pub enum PlaceEffect {
    /// A new record, for an established division.
    Create(ValidPlace),
    /// A new version of record `id`, which must still be at `expected_version`.
    Append {
        /// The record changed.
        id: i64,
        /// The version the change was planned on.
        expected_version: i64,
        /// The record as the event leaves it.
        place: ValidPlace,
    },
}

/// The divisions whose own record the plan needs: every division the event changes.
pub fn own_records_needed(event: &CheckedEvent) -> Vec<&DivisionCode> {
    event
        .changes
        .iter()
        .filter_map(|c| c.from.as_ref())
        .collect()
}

/// The divisions whose records in use the plan needs: those the event gives a new code (their
/// records take the new codes).
pub fn re_coded_divisions(event: &CheckedEvent) -> Vec<&DivisionCode> {
    event
        .changes
        .iter()
        .filter_map(|c| match (&c.from, &c.to) {
            (Some(from), Some(to)) if to.code != *from => Some(from),
            _ => None,
        })
        .collect()
}

/// A record being changed: as read, as it will be, and the index of the change it answers to
/// (the path of its errors).
struct Edit {
    read: CurrentRecord,
    properties: PlaceProperties,
    geometry: Option<Value>,
    change: usize,
}

impl Edit {
    fn of(record: &CurrentRecord, change: usize) -> Self {
        Self {
            read: record.clone(),
            properties: record.properties.clone(),
            geometry: record.geometry.clone(),
            change,
        }
    }
}

/// The place records `event` writes, approved by `approval` (none while it is only proposed:
/// the records must already pass the census rules), given the `affected` current records.
/// Every record is checked as `ValidPlace::parse` does on `today`; errors are named by the
/// change they come from (`changes[1].geometry`).
///
/// ```
/// use chrono::NaiveDate;
/// use diming::domain::category::{Category, CategoryCatalog};
/// use diming::domain::division_event::plan::{Affected, PlaceEffect, plan};
/// use diming::domain::division_event::{CheckedEvent, EventKind, ProposedChange};
///
/// let changes: Vec<ProposedChange> = serde_json::from_value(serde_json::json!([
///     {"becomes": {"code": "330483", "name": "新城区"}}
/// ]))
/// .unwrap();
/// let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
/// let event = CheckedEvent::parse(EventKind::Establish, day, "设立新城区", &changes).unwrap();
/// let catalog = CategoryCatalog::new([Category {
///     code: "213".into(),
///     name_zh: "县级行政区".into(),
///     name_en: "County-level divisions".into(),
///     parent_code: None,
/// }]);
/// let effects = plan(&event, None, &Affected::default(), &catalog, day).unwrap();
/// let [PlaceEffect::Create(place)] = effects.as_slice() else { panic!("{effects:?}") };
/// assert_eq!(place.properties().standard_name, "新城区");
/// assert_eq!(place.properties().division_codes, ["330483"]);
/// ```
pub fn plan(
    event: &CheckedEvent,
    approval: Option<&EventApproval>,
    affected: &Affected,
    catalog: &CategoryCatalog,
    today: NaiveDate,
) -> Result<Vec<PlaceEffect>, FieldErrors> {
    let day = event.effective_on;
    let place_approval = approval.map(|a| Approval {
        authority: Some(a.authority.clone()),
        approved_on: Some(a.approved_on),
        document_number: Some(a.document_number.clone()),
    });
    // By record id, so that a record touched by several changes gets one version with all.
    let mut edits: BTreeMap<i64, Edit> = BTreeMap::new();
    let mut created: Vec<(PlaceProperties, Option<Value>, usize)> = Vec::new();
    // Each changed division's own record, by code (its entry in `edits`).
    let mut own_records: HashMap<&DivisionCode, i64> = HashMap::new();
    for (i, change) in event.changes.iter().enumerate() {
        match (&change.from, &change.to) {
            (Some(from), to) => {
                if let Some(to) = to.as_ref().filter(|t| t.code != *from) {
                    for place in affected.within.get(from).into_iter().flatten() {
                        let entry = edits.entry(place.id).or_insert_with(|| Edit::of(place, i));
                        for code in &mut entry.properties.division_codes {
                            if let Some(new) = DivisionCode::parse(code)
                                .ok()
                                .and_then(|c| recode(&c, from, &to.code))
                            {
                                *code = new.as_str().to_string();
                            }
                        }
                    }
                }
                let Some(own) = affected.own.get(from) else {
                    continue;
                };
                own_records.insert(from, own.id);
                let entry = edits.entry(own.id).or_insert_with(|| Edit::of(own, i));
                entry.change = i;
                let properties = &mut entry.properties;
                match to {
                    Some(to) => {
                        if to.name != properties.standard_name {
                            properties.alternate_names.push(AlternateName {
                                name: properties.standard_name.clone(),
                                kind: AlternateNameKind::Historical,
                                language: None,
                                valid_from: None,
                                valid_to: Some(day),
                                note: Some(event.summary.clone()),
                            });
                            properties.standard_name = to.name.clone();
                            // The romanization of the old name is not that of the new one.
                            properties.romanization = None;
                            properties.generic_romanization = None;
                        }
                        if place_approval.is_some() {
                            properties.approval = place_approval.clone();
                        }
                        if change.geometry.is_some() {
                            entry.geometry = change.geometry.clone();
                        }
                    }
                    None => {
                        properties.status = PlaceStatus::Historical;
                        properties.abolished_year = Some(day.year());
                    }
                }
            }
            (None, Some(to)) => {
                let properties = PlaceProperties {
                    standard_name: to.name.clone(),
                    category: category_of(to.code.level(), &to.name).to_string(),
                    division_codes: vec![to.code.as_str().to_string()],
                    named_on: Some(day),
                    established_year: Some(day.year()),
                    approval: place_approval.clone(),
                    history: Some(event.summary.clone()),
                    ..PlaceProperties::default()
                };
                created.push((properties, change.geometry.clone(), i));
            }
            (None, None) => {}
        }
    }
    // A division others merge into takes their area when the event gives it no new polygon.
    for change in &event.changes {
        let Some(to) = &change.to else { continue };
        let absorbed: Vec<&DivisionCode> = event
            .changes
            .iter()
            .filter(|c| c.merged_into.as_ref() == Some(&to.code))
            .filter_map(|c| c.from.as_ref())
            .collect();
        if absorbed.is_empty() || change.geometry.is_some() {
            continue;
        }
        // The polygons as they were read: the merged divisions' areas before the event.
        let parts: Vec<Geometry<f64>> = absorbed
            .into_iter()
            .chain(change.from.as_ref())
            .filter_map(|code| edits.get(own_records.get(code)?))
            .filter_map(|edit| geometry_of(edit.read.geometry.as_ref()?))
            .collect();
        let Some(area) = merged_area(&parts) else {
            continue;
        };
        let Ok(area) =
            serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(&area)))
        else {
            continue;
        };
        let target = change
            .from
            .as_ref()
            .and_then(|from| own_records.get(from))
            .and_then(|id| edits.get_mut(id));
        match target {
            Some(edit) => edit.geometry = Some(area),
            None => {
                if let Some(entry) = created.iter_mut().find(|(p, _, _)| {
                    p.division_codes.first().map(String::as_str) == Some(to.code.as_str())
                }) {
                    entry.1 = Some(area);
                }
            }
        }
    }
    let mut errors = FieldErrors::default();
    let mut effects = Vec::new();
    let mut build =
        |properties: PlaceProperties, geometry: Option<&Value>, i: usize| match ValidPlace::parse(
            properties, geometry, catalog, today,
        ) {
            Ok(place) => Some(place.romanized_by_rules(catalog)),
            Err(problems) => {
                for problem in problems.into_vec() {
                    errors.push(format!("changes[{i}].{}", problem.field), problem.message);
                }
                None
            }
        };
    for edit in edits.into_values() {
        if let Some(place) = build(edit.properties, edit.geometry.as_ref(), edit.change) {
            effects.push(PlaceEffect::Append {
                id: edit.read.id,
                expected_version: edit.read.version,
                place,
            });
        }
    }
    for (properties, geometry, i) in created {
        if let Some(place) = build(properties, geometry.as_ref(), i) {
            effects.push(PlaceEffect::Create(place));
        }
    }
    errors.into_result(effects)
}

/// A stored GeoJSON geometry as `geo` types (None when it is not one).
fn geometry_of(value: &Value) -> Option<Geometry<f64>> {
    let geometry: geojson::Geometry = serde_json::from_value(value.clone()).ok()?;
    Geometry::<f64>::try_from(&geometry.value).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::category::Category;
    use crate::domain::division_event::{EventKind, ProposedChange};

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn catalog() -> CategoryCatalog {
        CategoryCatalog::new(
            [
                ("213", "县级行政区"),
                ("214", "乡级行政区"),
                ("24", "居民点"),
            ]
            .map(|(code, name)| Category {
                code: code.into(),
                name_zh: name.into(),
                name_en: code.into(),
                parent_code: None,
            }),
        )
    }

    fn event(kind: EventKind, changes: Value) -> CheckedEvent {
        let changes: Vec<ProposedChange> = serde_json::from_value(changes).unwrap();
        CheckedEvent::parse(kind, day(), "测试变更", &changes).unwrap()
    }

    fn square(x: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[[x, 30.0], [x + 0.1, 30.0], [x + 0.1, 30.1], [x, 30.1], [x, 30.0]]]})
    }

    fn record(
        id: i64,
        name: &str,
        category: &str,
        code: &str,
        geometry: Option<Value>,
    ) -> CurrentRecord {
        CurrentRecord {
            id,
            version: 3,
            properties: PlaceProperties {
                standard_name: name.into(),
                category: category.into(),
                division_codes: vec![code.into()],
                romanization: Some("Old Name".into()),
                ..PlaceProperties::default()
            },
            geometry,
        }
    }

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    fn appended(effects: &[PlaceEffect]) -> Vec<(i64, i64, &PlaceProperties)> {
        effects
            .iter()
            .filter_map(|e| match e {
                PlaceEffect::Append {
                    id,
                    expected_version,
                    place,
                } => Some((*id, *expected_version, place.properties())),
                PlaceEffect::Create(_) => None,
            })
            .collect()
    }

    fn approval() -> EventApproval {
        EventApproval {
            authority: "浙江省人民政府".into(),
            approved_on: day(),
            document_number: "浙政函〔2026〕1号".into(),
        }
    }

    #[test]
    fn a_rename_keeps_the_old_name_as_historical() {
        let event = event(
            EventKind::Rename,
            json!([{"code": "330421", "becomes": {"code": "330421", "name": "嘉善新县"}}]),
        );
        let affected = Affected {
            own: HashMap::from([(code("330421"), record(7, "嘉善县", "213", "330421", None))]),
            within: HashMap::new(),
        };
        let effects = plan(&event, Some(&approval()), &affected, &catalog(), day()).unwrap();
        let [(7, 3, properties)] = appended(&effects)[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(properties.standard_name, "嘉善新县");
        let old = &properties.alternate_names[0];
        assert_eq!(
            (old.name.as_str(), old.kind, old.valid_to),
            ("嘉善县", AlternateNameKind::Historical, Some(day()))
        );
        assert_ne!(properties.romanization.as_deref(), Some("Old Name"));
        let approval = properties.approval.as_ref().unwrap();
        assert_eq!(approval.authority.as_deref(), Some("浙江省人民政府"));
    }

    #[test]
    fn a_new_code_is_taken_by_the_records_within() {
        let event = event(
            EventKind::ChangeKind,
            json!([{"code": "330421", "becomes": {"code": "330483", "name": "嘉善市", "kind": "县级市"}}]),
        );
        let affected = Affected {
            own: HashMap::from([(code("330421"), record(7, "嘉善县", "213", "330421", None))]),
            within: HashMap::from([(
                code("330421"),
                vec![
                    record(7, "嘉善县", "213", "330421", None),
                    record(9, "西塘", "24", "330421101", None),
                ],
            )]),
        };
        let effects = plan(&event, None, &affected, &catalog(), day()).unwrap();
        let records = appended(&effects);
        assert_eq!(records.len(), 2, "{effects:?}");
        assert_eq!(records[0].2.division_codes, ["330483"]);
        assert_eq!(records[0].2.standard_name, "嘉善市");
        assert_eq!(records[1].2.division_codes, ["330483101"]);
        assert_eq!(records[1].2.standard_name, "西塘");
    }

    #[test]
    fn a_merge_unions_the_polygons_and_retires_the_absorbed() {
        let event = event(
            EventKind::Merge,
            json!([
                {"code": "330421001", "becomes": {"code": "330421001", "name": "罗星街道"}},
                {"code": "330421101", "becomes": null, "merged_into": "330421001"}
            ]),
        );
        let affected = Affected {
            own: HashMap::from([
                (
                    code("330421001"),
                    record(1, "罗星街道", "214", "330421001", Some(square(120.9))),
                ),
                (
                    code("330421101"),
                    record(2, "西塘镇", "214", "330421101", Some(square(121.0))),
                ),
            ]),
            within: HashMap::new(),
        };
        let effects = plan(&event, None, &affected, &catalog(), day()).unwrap();
        let records = appended(&effects);
        let [(1, _, kept), (2, _, absorbed)] = records[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(kept.status, PlaceStatus::Current);
        assert_eq!(absorbed.status, PlaceStatus::Historical);
        assert_eq!(absorbed.abolished_year, Some(2026));
        let PlaceEffect::Append { place, .. } = &effects[0] else {
            unreachable!()
        };
        let area = geo::Area::unsigned_area(place.geometry().unwrap());
        assert!((area - 0.02).abs() < 1e-9, "{area}");
    }

    #[test]
    fn an_abolished_division_is_retired() {
        let event = event(
            EventKind::Abolish,
            json!([{"code": "330421101", "becomes": null}]),
        );
        let affected = Affected {
            own: HashMap::from([(
                code("330421101"),
                record(2, "西塘镇", "214", "330421101", None),
            )]),
            within: HashMap::new(),
        };
        let effects = plan(&event, None, &affected, &catalog(), day()).unwrap();
        let [(2, 3, properties)] = appended(&effects)[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(properties.status, PlaceStatus::Historical);
        assert_eq!(properties.abolished_year, Some(2026));
    }

    #[test]
    fn errors_name_the_change_they_come_from() {
        let event = event(
            EventKind::Establish,
            json!([{"becomes": {"code": "330483", "name": "新城区"}, "geometry": {"type": "Polygon"}}]),
        );
        let errors = plan(&event, None, &Affected::default(), &catalog(), day()).unwrap_err();
        assert!(
            errors
                .as_slice()
                .iter()
                .all(|e| e.field.starts_with("changes[0].geometry")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_records_to_read_are_the_changed_and_re_coded_divisions() {
        let event = event(
            EventKind::ChangeKind,
            json!([{"code": "330421", "becomes": {"code": "330483", "name": "嘉善市", "kind": "县级市"}}]),
        );
        assert_eq!(own_records_needed(&event), [&code("330421")]);
        assert_eq!(re_coded_divisions(&event), [&code("330421")]);
        let rename = self::event(
            EventKind::Rename,
            json!([{"code": "330421", "becomes": {"code": "330421", "name": "嘉善新县"}}]),
        );
        assert!(re_coded_divisions(&rename).is_empty());
    }
}
