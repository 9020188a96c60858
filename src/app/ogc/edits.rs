//! Writing place-name records through OGC API - Features Part 4: create (POST), replace (PUT),
//! update by JSON merge patch (PATCH) and retire (DELETE, which keeps the record as history),
//! each through the place use cases with their jurisdiction checks and version checks, and the
//! methods a caller may use on the collection or a record (OPTIONS).

use serde_json::{Map, Value};

use super::{OgcError, collection, may_write_places};
use crate::app::places::{PlaceInput, Retirement};
use crate::app::{AppState, Identity, Staff};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::ogc::{Allowed, OgcCrs, merge_patch};
use crate::domain::place::PlaceProperties;
use crate::domain::version::ChangeNote;
use crate::spatial::reproject::convert;
use crate::store::places::{StoredPlace, VersionSelector};

/// Properties the service adds to a record's feature (its register code and version), and its
/// id, which clients that keep the id as an attribute send back with the others: they are not
/// the client's to write.
pub const READ_ONLY_PROPERTIES: [&str; 3] = ["id", "code", "version"];

/// What a PUT or PATCH that says nothing about itself records as its reason: Part 4 has no
/// place for one, and the register keeps a reason with every version.
pub const DEFAULT_CHANGE_COMMENT: &str =
    "通过 OGC API - Features 修改 (changed through OGC API - Features)";

/// What a DELETE records as its reason.
pub const DEFAULT_RETIRE_COMMENT: &str =
    "通过 OGC API - Features 删除请求退役 (retired by a DELETE through OGC API - Features)";

/// A feature as a Part 4 client sends it.
#[derive(Debug, Clone, Default)]
pub struct FeatureInput {
    /// The properties as sent (nulls and the read-only properties are dropped before they are
    /// read as a record).
    pub properties: Map<String, Value>,
    /// The GeoJSON geometry object, in `content_crs`.
    pub geometry: Option<Value>,
    /// The note about the change, when the client sends one beside the properties.
    pub change: ChangeNote,
    /// The system the geometry is given in (`Content-Crs`; CRS84 when not said).
    pub content_crs: OgcCrs,
}

/// The methods `identity` may use on collection `id`, or on its feature `feature_id`: reading
/// for everyone; POST for those whose role writes records; PUT, PATCH and DELETE for those who
/// may edit the record's divisions.
pub async fn allowed(
    state: &AppState,
    identity: &Identity,
    id: &str,
    feature_id: Option<&str>,
) -> Result<Allowed, OgcError> {
    let info = collection(state, identity, id)?;
    let Some(feature_id) = feature_id else {
        return Ok(if info.id.is_writable() && may_write_places(identity) {
            Allowed::CREATE
        } else {
            Allowed::READ
        });
    };
    // The features of the other collections are read-only; whether one exists is for GET.
    if !info.id.is_writable() {
        return Ok(Allowed::READ);
    }
    let not_found = || OgcError::NotFound(format!("{id} has no feature {feature_id:?}"));
    let place_id: i64 = feature_id.parse().map_err(|_| not_found())?;
    let place = state
        .store
        .place(place_id, VersionSelector::Current, identity.is_public())
        .await?
        .ok_or_else(not_found)?;
    let Some(actor) = identity
        .actor
        .as_ref()
        .filter(|_| may_write_places(identity))
    else {
        return Ok(Allowed::READ);
    };
    let divisions: Vec<DivisionCode> = place
        .properties
        .division_codes
        .iter()
        .filter_map(|code| DivisionCode::parse(code).ok())
        .collect();
    Ok(if actor.may_edit_places_in(&divisions).is_ok() {
        Allowed::EDIT
    } else {
        Allowed::READ
    })
}

/// Registers a new record from a feature POSTed to collection `id`.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    id: &str,
    input: FeatureInput,
) -> Result<StoredPlace, OgcError> {
    writable(state, staff, id)?;
    let input = place_input(input)?;
    Ok(crate::app::places::create(state, staff, input).await?)
}

/// Replaces record `feature_id` (at version `expected`) with a feature PUT to collection `id`.
pub async fn replace(
    state: &AppState,
    staff: &Staff,
    id: &str,
    feature_id: &str,
    expected: i64,
    input: FeatureInput,
) -> Result<StoredPlace, OgcError> {
    writable(state, staff, id)?;
    let place_id = place_id(id, feature_id)?;
    let mut input = place_input(input)?;
    default_comment(&mut input.change);
    Ok(crate::app::places::update(state, staff, place_id, expected, input).await?)
}

/// Changes record `feature_id` (at version `expected`) by a JSON merge patch (RFC 7396) of its
/// feature: `properties` members replace the record's, `null` removes one, a `geometry`
/// replaces the record's (given in `content_crs`), and `change` says why.
pub async fn patch(
    state: &AppState,
    staff: &Staff,
    id: &str,
    feature_id: &str,
    expected: i64,
    patch: Value,
    content_crs: OgcCrs,
) -> Result<StoredPlace, OgcError> {
    writable(state, staff, id)?;
    let place_id = place_id(id, feature_id)?;
    let Value::Object(mut patch) = patch else {
        return Err(FieldErrors::one(
            "body",
            "a JSON merge patch of the feature: an object such as {\"properties\": {\"meaning\": \"…\"}}",
        )
        .into());
    };
    for member in patch.keys() {
        if !matches!(
            member.as_str(),
            "type" | "id" | "geometry" | "properties" | "change" | "links" | "bbox"
        ) {
            return Err(FieldErrors::one(
                member.clone(),
                "a patch of a feature changes its properties or geometry (and may say why in change)",
            )
            .into());
        }
    }
    let change = match patch.remove("change") {
        None | Some(Value::Null) => ChangeNote::default(),
        Some(note) => serde_path_to_error::deserialize(note)
            .map_err(|e| FieldErrors::one(format!("change.{}", e.path()), e.inner().to_string()))?,
    };
    let current = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| OgcError::NotFound(format!("{id} has no feature {feature_id:?}")))?;
    // The patch's geometry is in the request's system; the record's in CGCS2000.
    if let Some(geometry) = patch.get_mut("geometry")
        && !geometry.is_null()
    {
        *geometry = to_cgcs2000(geometry, content_crs)?;
    }
    let mut feature = serde_json::json!({
        "geometry": current.geometry,
        "properties": current.properties,
    });
    merge_patch(&mut feature, &Value::Object(patch));
    let properties = match feature.get_mut("properties").map(Value::take) {
        Some(Value::Object(properties)) => properties,
        _ => {
            return Err(
                FieldErrors::one("properties", "the record's properties are an object").into(),
            );
        }
    };
    let mut input = place_input(FeatureInput {
        properties,
        geometry: feature
            .get_mut("geometry")
            .map(Value::take)
            .filter(|g| !g.is_null()),
        change,
        content_crs: OgcCrs::Crs84,
    })?;
    default_comment(&mut input.change);
    Ok(crate::app::places::update(state, staff, place_id, expected, input).await?)
}

/// Retires record `feature_id` (at version `expected`): a DELETE keeps the record as history.
pub async fn retire(
    state: &AppState,
    staff: &Staff,
    id: &str,
    feature_id: &str,
    expected: i64,
) -> Result<StoredPlace, OgcError> {
    writable(state, staff, id)?;
    let place_id = place_id(id, feature_id)?;
    let retirement = Retirement {
        comment: Some(DEFAULT_RETIRE_COMMENT.to_string()),
        abolished_on: None,
    };
    Ok(crate::app::places::retire(state, staff, place_id, expected, retirement).await?)
}

fn writable(state: &AppState, staff: &Staff, id: &str) -> Result<(), OgcError> {
    let identity = Identity {
        actor: Some(staff.actor.clone()),
        token: Some(staff.token.clone()),
        remote_addr: staff.remote_addr.clone(),
    };
    let info = collection(state, &identity, id)?;
    if info.id.is_writable() {
        Ok(())
    } else {
        Err(OgcError::ReadOnly(id.to_string()))
    }
}

fn place_id(id: &str, feature_id: &str) -> Result<i64, OgcError> {
    feature_id
        .parse()
        .map_err(|_| OgcError::NotFound(format!("{id} has no feature {feature_id:?}")))
}

fn default_comment(change: &mut ChangeNote) {
    if change
        .comment
        .as_deref()
        .is_none_or(|c| c.trim().is_empty())
    {
        change.comment = Some(DEFAULT_CHANGE_COMMENT.to_string());
    }
}

/// The record a feature carries. GIS clients send every attribute they know, unset ones as
/// `null`, and may send the structured ones (alternate names, divisions, approval) as the JSON
/// text they were read as: nulls mean "not given", such text is read as the JSON it holds, and
/// the properties the service adds are dropped.
fn place_input(input: FeatureInput) -> Result<PlaceInput, OgcError> {
    let mut properties = input.properties;
    properties
        .retain(|key, value| !value.is_null() && !READ_ONLY_PROPERTIES.contains(&key.as_str()));
    for key in ["alternate_names", "division_codes", "approval"] {
        if let Some(Value::String(text)) = properties.get(key)
            && let Ok(parsed @ (Value::Array(_) | Value::Object(_))) =
                serde_json::from_str::<Value>(text)
        {
            properties.insert(key.to_string(), parsed);
        }
    }
    let properties: PlaceProperties = serde_path_to_error::deserialize(Value::Object(properties))
        .map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(missing) => format!("properties.{missing}"),
            None if path == "." => "properties".to_string(),
            None => format!("properties.{path}"),
        };
        FieldErrors::one(field, message)
    })?;
    let geometry = input
        .geometry
        .map(|g| to_cgcs2000(&g, input.content_crs))
        .transpose()?;
    Ok(PlaceInput {
        properties,
        geometry,
        change: input.change,
    })
}

/// A GeoJSON geometry given in `crs` as CGCS2000 longitude/latitude: positions north first
/// when the system's definition says so, converted through PROJ. Heights are kept for the
/// record's own check to refuse.
fn to_cgcs2000(geometry: &Value, crs: OgcCrs) -> Result<Value, OgcError> {
    if crs == OgcCrs::Crs84 {
        return Ok(geometry.clone());
    }
    let mut converted = geometry.clone();
    let mut problem = None;
    convert_positions(&mut converted, &mut |position| {
        let [a, b, ..] = position[..] else {
            return;
        };
        let (east, north) = if crs.north_first() { (b, a) } else { (a, b) };
        match convert(crs.system(), crate::domain::crs::Crs::Cgcs2000, east, north) {
            Ok((lon, lat)) => {
                position[0] = lon;
                position[1] = lat;
            }
            Err(e) => problem = Some(e.to_string()),
        }
    });
    match problem {
        Some(message) => Err(FieldErrors::one(
            "geometry",
            format!("in {} (Content-Crs): {message}", crs.uri()),
        )
        .into()),
        None => Ok(converted),
    }
}

/// Calls `f` on every position of a GeoJSON geometry object (its `coordinates`, at any depth,
/// and those of a collection's geometries), writing back what it changed.
fn convert_positions(geometry: &mut Value, f: &mut dyn FnMut(&mut Vec<f64>)) {
    fn walk(value: &mut Value, f: &mut dyn FnMut(&mut Vec<f64>)) {
        let Value::Array(items) = value else {
            return;
        };
        if items.iter().all(Value::is_number) {
            let mut position: Vec<f64> = items.iter().filter_map(Value::as_f64).collect();
            f(&mut position);
            *items = position.into_iter().map(Value::from).collect();
        } else {
            for item in items {
                walk(item, f);
            }
        }
    }
    if let Some(coordinates) = geometry.get_mut("coordinates") {
        walk(coordinates, f);
    }
    if let Some(Value::Array(members)) = geometry.get_mut("geometries") {
        for member in members {
            convert_positions(member, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nulls_and_service_properties_are_dropped_and_json_text_is_read() {
        let properties = json!({
            "standard_name": "西塘镇",
            "category": "24",
            "division_codes": "[\"330421101\"]",
            "meaning": null,
            "code": "330421240000017",
            "version": 3,
        });
        let Value::Object(properties) = properties else {
            unreachable!()
        };
        let input = place_input(FeatureInput {
            properties,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(input.properties.division_codes, ["330421101"]);
        assert_eq!(input.properties.meaning, None);
    }

    #[test]
    fn an_unknown_property_is_named() {
        let Value::Object(properties) = json!({ "standard_name": "西塘镇", "category": "24", "division_codes": [], "colour": "red" })
        else {
            unreachable!()
        };
        let Err(OgcError::Invalid(errors)) = place_input(FeatureInput {
            properties,
            ..Default::default()
        }) else {
            panic!("refused")
        };
        assert_eq!(errors.as_slice()[0].field, "properties.colour");
        assert!(errors.as_slice()[0].message.contains("colour"));
    }

    #[test]
    fn a_geometry_in_a_north_first_system_is_read_back_as_longitude_latitude() {
        let geometry = json!({ "type": "Point", "coordinates": [30.9447, 120.8906] });
        let converted = to_cgcs2000(&geometry, OgcCrs::STORAGE).unwrap();
        assert_eq!(converted["coordinates"], json!([120.8906, 30.9447]));
        let line = json!({ "type": "LineString", "coordinates": [[30.0, 120.0], [31.0, 121.0]] });
        let converted = to_cgcs2000(&line, OgcCrs::STORAGE).unwrap();
        assert_eq!(converted["coordinates"][1], json!([121.0, 31.0]));
    }
}
