//! Reading the features of a collection: a page of those matching `bbox` and `datetime`, or one
//! by its id, each through the use case or query the rest of the API reads it with and under the
//! same visibility (the public: public records and the signs of public records; staff: what
//! their lists show them, boundary lines and markers of the lines they work on either side of),
//! with its geometry in the system asked for.

use chrono::NaiveDate;
use geo::{BoundingRect, Geometry, Intersects, Rect};
use serde_json::Value;

use super::filter::Candidate;
use super::{CollectionInfo, OgcError, collection};
use crate::app::boundaries::{LineView, recorded_view};
use crate::app::indexes::place_geometry;
use crate::app::{AppState, Identity, Staff, today};
use crate::domain::boundary_line::{LineCode, may_read_line, may_read_markers_of};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::ogc::{CollectionId, OgcCrs, Temporal};
use crate::domain::ogc_filter::{Filter, FilterLang};
use crate::domain::sign::Sign;
use crate::spatial::reproject::{bbox_to_cgcs2000, geometry_in};
use crate::store::divisions::{DivisionFilter, DivisionRecord};
use crate::store::markers::StoredMarker;
use crate::store::places::{PlaceFilter, StoredPlace, VersionSelector};
use crate::store::signs::SignFilter;

/// A filter as sent (Part 3): compiled against the collection's queryables when read.
#[derive(Debug, Clone)]
pub struct FilterQuery {
    /// The expression.
    pub text: String,
    /// Its language.
    pub lang: FilterLang,
    /// Whether its geometries are latitude first (`filter-crs` EPSG:4490).
    pub north_first: bool,
}

/// What a page of items asks for (every value already checked by the edge).
#[derive(Debug, Clone)]
pub struct ItemsQuery {
    /// The box features must overlap, in the axis order of the system it is given in.
    pub bbox: Option<(OgcCrs, [f64; 4])>,
    /// When features must have held.
    pub temporal: Option<Temporal>,
    /// The page size.
    pub limit: i64,
    /// How many matching features to skip.
    pub offset: i64,
    /// The system geometries are answered in.
    pub crs: OgcCrs,
    /// The features must pass this filter too.
    pub filter: Option<FilterQuery>,
}

/// How many records a filtered read takes from the store before the filter keeps its own.
const FILTER_READS_AT_MOST: i64 = 10_000_000;

/// One page of a collection's features and how many match in all.
#[derive(Debug, Clone)]
pub struct Page {
    /// The features of the page.
    pub features: Vec<Feature>,
    /// How many features match the query in all.
    pub matched: i64,
}

/// A feature: its record, and its geometry as a GeoJSON geometry object in the system asked for.
#[derive(Debug, Clone)]
pub struct Feature {
    /// What the feature is.
    pub record: Record,
    /// Its geometry, converted.
    pub geometry: Option<Value>,
}

/// The record behind a feature.
#[derive(Debug, Clone)]
pub enum Record {
    /// A place-name record (the version read).
    Place(Box<StoredPlace>),
    /// A division in force, with the id of its own place-name record when it has one.
    Division {
        /// The division's state on the day read.
        division: DivisionRecord,
        /// Its own record.
        place_id: Option<i64>,
    },
    /// A recorded boundary line with its segments.
    Line(Box<LineView>),
    /// A boundary marker.
    Marker(StoredMarker),
    /// A sign; `public` when the public asked, who sees only what the sign's public page shows.
    Sign {
        /// The sign.
        sign: Sign,
        /// Whether the answer is for the public.
        public: bool,
    },
}

impl Feature {
    /// The feature's id in its collection's paths: the number of a place or sign, the code of a
    /// division or line, the number of a marker.
    pub fn id(&self) -> String {
        match &self.record {
            Record::Place(place) => place.id.to_string(),
            Record::Division { division, .. } => division.code.clone(),
            Record::Line(view) => view.line.as_string(),
            Record::Marker(marker) => marker.marker_number.clone(),
            Record::Sign { sign, .. } => sign.id.to_string(),
        }
    }
}

/// The staff member behind an identity, for the use cases that take one.
fn staff_of(identity: &Identity) -> Option<Staff> {
    Some(Staff {
        actor: identity.actor.clone()?,
        token: identity.token.clone()?,
        remote_addr: identity.remote_addr.clone(),
    })
}

/// The page of collection `id`'s features that `query` asks for, with the collection.
pub async fn items(
    state: &AppState,
    identity: &Identity,
    id: &str,
    query: ItemsQuery,
) -> Result<(CollectionInfo, Page), OgcError> {
    let info = collection(state, identity, id)?;
    let bbox = query.bbox.map(cgcs2000_box).transpose()?;
    let Some(sent) = query.filter.clone() else {
        let page = read(state, identity, &info.id, bbox, query).await?;
        return Ok((info, page));
    };
    let mut filter = Filter::parse(
        &sent.text,
        sent.lang,
        info.id.queryables(identity.is_public()),
    )
    .map_err(|message| FieldErrors::one("filter", message))?;
    if sent.north_first {
        filter.swap_axes();
    }
    // Every record the rest of the query admits (narrowed by the filter's own box when the
    // query gives none), in CRS84, then the filter, then the page.
    let everything = ItemsQuery {
        limit: FILTER_READS_AT_MOST,
        offset: 0,
        crs: OgcCrs::Crs84,
        filter: None,
        ..query.clone()
    };
    let narrowed = bbox.or_else(|| filter.bounding_box());
    let all = read(state, identity, &info.id, narrowed, everything).await?;
    let kept: Vec<Feature> = all
        .features
        .into_iter()
        .filter(|feature| filter.matches(&Candidate::of(feature)))
        .collect();
    let matched = kept.len() as i64;
    let features = kept
        .into_iter()
        .skip(query.offset as usize)
        .take(query.limit as usize)
        .map(|feature| in_system(feature, query.crs))
        .collect::<Result<_, _>>()?;
    Ok((info, Page { features, matched }))
}

/// The page `query` asks for of collection `id` (no filter).
async fn read(
    state: &AppState,
    identity: &Identity,
    id: &CollectionId,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    Ok(match id {
        CollectionId::Places { class } => {
            places(state, identity, class.as_deref(), bbox, query).await?
        }
        CollectionId::Divisions => divisions(state, identity, bbox, query).await?,
        CollectionId::BoundaryLines => lines(state, identity, bbox, query).await?,
        CollectionId::Markers => markers(state, identity, bbox, query).await?,
        CollectionId::Signs => signs(state, identity, bbox, query).await?,
    })
}

/// A feature read in CRS84 with its geometry given in `crs`.
fn in_system(feature: Feature, crs: OgcCrs) -> Result<Feature, OgcError> {
    if crs == OgcCrs::Crs84 {
        return Ok(feature);
    }
    let geometry = feature
        .geometry
        .as_ref()
        .and_then(|value| serde_json::from_value::<geojson::Geometry>(value.clone()).ok())
        .and_then(|g| Geometry::<f64>::try_from(&g.value).ok())
        .map(|g| geometry_value(&g, crs))
        .transpose()?;
    Ok(Feature {
        geometry,
        ..feature
    })
}

/// Feature `feature_id` of collection `id`, with its geometry in `crs`.
pub async fn item(
    state: &AppState,
    identity: &Identity,
    id: &str,
    feature_id: &str,
    crs: OgcCrs,
) -> Result<(CollectionInfo, Feature), OgcError> {
    let info = collection(state, identity, id)?;
    let not_found = || OgcError::NotFound(format!("{id} has no feature {feature_id:?}"));
    let feature = match &info.id {
        CollectionId::Places { class } => {
            let place_id: i64 = feature_id.parse().map_err(|_| not_found())?;
            let place = state
                .store
                .place(place_id, VersionSelector::Current, identity.is_public())
                .await?
                .filter(|p| {
                    class
                        .as_ref()
                        .is_none_or(|c| p.properties.category.starts_with(c))
                })
                .ok_or_else(not_found)?;
            place_feature(place, crs)?
        }
        CollectionId::Divisions => {
            let code = DivisionCode::parse(feature_id).map_err(|_| not_found())?;
            let day = today();
            let division = state
                .store
                .division_as_of(&code, day)
                .await?
                .ok_or_else(not_found)?;
            let own = state
                .store
                .division_places_as_of(&[division.code.as_str()], day, identity.is_public())
                .await?;
            division_feature(division, &own, crs)?
        }
        CollectionId::BoundaryLines => {
            let line = LineCode::parse(feature_id).map_err(|_| not_found())?;
            let staff = staff_of(identity).ok_or_else(|| OgcError::StaffOnly(id.into()))?;
            may_read_line(&staff.actor, &line).map_err(|_| not_found())?;
            let stored = state
                .store
                .boundary_line(&line.as_string(), None)
                .await?
                .ok_or_else(not_found)?;
            line_feature(recorded_view(state, stored).await?, crs)?
        }
        CollectionId::Markers => {
            let staff = staff_of(identity).ok_or_else(|| OgcError::StaffOnly(id.into()))?;
            let marker = state
                .store
                .marker(feature_id)
                .await?
                .filter(|m| may_read_markers_of(&staff.actor, &m.line_code).is_ok())
                .ok_or_else(not_found)?;
            marker_feature(marker, crs)?
        }
        CollectionId::Signs => {
            let sign_id: i64 = feature_id.parse().map_err(|_| not_found())?;
            let sign = state.store.sign(sign_id).await?.ok_or_else(not_found)?;
            if identity.is_public()
                && state
                    .store
                    .place(sign.place_id, VersionSelector::Current, true)
                    .await?
                    .is_none()
            {
                return Err(not_found());
            }
            sign_feature(sign, identity.is_public(), crs)?
        }
    };
    Ok((info, feature))
}

/// A box given in `crs` as CGCS2000 [min_lon, min_lat, max_lon, max_lat].
fn cgcs2000_box((crs, corners): (OgcCrs, [f64; 4])) -> Result<[f64; 4], OgcError> {
    let [a, b, c, d] = corners;
    let east_north = if crs.north_first() {
        [b, a, d, c]
    } else {
        [a, b, c, d]
    };
    let bbox = bbox_to_cgcs2000(crs.system(), east_north)
        .map_err(|e| FieldErrors::one("bbox", format!("in {}: {e}", crs.uri())))?;
    let [min_lon, min_lat, max_lon, max_lat] = bbox;
    if !(-180.0..=180.0).contains(&min_lon)
        || !(-180.0..=180.0).contains(&max_lon)
        || !(-90.0..=90.0).contains(&min_lat)
        || !(-90.0..=90.0).contains(&max_lat)
    {
        return Err(FieldErrors::one(
            "bbox",
            format!(
                "longitudes lie in -180..180 and latitudes in -90..90 (in {}, axis order as its definition says)",
                crs.uri()
            ),
        )
        .into());
    }
    Ok(bbox)
}

/// The day a collection that keeps one state per day is read on: the instant asked for, or
/// today; an interval is refused, as those collections cannot tell which state to give.
fn one_day(query: &ItemsQuery, what: &str) -> Result<Option<NaiveDate>, OgcError> {
    match query.temporal {
        None => Ok(None),
        Some(Temporal::Instant(day)) => Ok(Some(day)),
        Some(Temporal::Interval { .. }) => Err(FieldErrors::one(
            "datetime",
            format!("{what} are read as of one day: give a date (2024-05-01), not an interval"),
        )
        .into()),
    }
}

async fn places(
    state: &AppState,
    identity: &Identity,
    class: Option<&str>,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    let mut filter = PlaceFilter {
        category_code: class.map(str::to_string),
        bbox,
        limit: query.limit,
        offset: query.offset,
        ..Default::default()
    };
    if let Some(temporal) = query.temporal {
        let (start, end) = temporal.bounds();
        filter.in_use_during = Some((start, end));
        // Each record as it stood at the end of the time asked about (now, when it is open).
        filter.as_of = end.filter(|day| *day < today());
    }
    let (places, matched) = crate::app::places::list(state, identity, filter).await?;
    let features = places
        .into_iter()
        .map(|place| place_feature(place, query.crs))
        .collect::<Result<_, _>>()?;
    Ok(Page { features, matched })
}

async fn divisions(
    state: &AppState,
    identity: &Identity,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    let day = one_day(&query, "divisions")?.unwrap_or_else(today);
    let filter = DivisionFilter {
        area_overlaps: bbox.map(|b| (b, identity.is_public())),
        limit: query.limit,
        offset: query.offset,
        ..Default::default()
    };
    let (divisions, matched) = crate::app::divisions::list(state, day, &filter)
        .await
        .map_err(|e| match e {
            crate::app::divisions::DivisionError::Store(e) => OgcError::Store(e),
            crate::app::divisions::DivisionError::NotFound(detail) => OgcError::NotFound(detail),
        })?;
    let codes: Vec<&str> = divisions.iter().map(|d| d.code.as_str()).collect();
    let own = state
        .store
        .division_places_as_of(&codes, day, identity.is_public())
        .await?;
    let features = divisions
        .into_iter()
        .map(|division| division_feature(division, &own, query.crs))
        .collect::<Result<_, _>>()?;
    Ok(Page { features, matched })
}

async fn lines(
    state: &AppState,
    identity: &Identity,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    let staff = staff_of(identity).ok_or_else(|| OgcError::StaffOnly("boundary-lines".into()))?;
    let as_of = one_day(&query, "boundary lines")?;
    let area = bbox.map(|[a, b, c, d]| Rect::new((a, b), (c, d)));
    let mut visible = Vec::new();
    for stored in state.store.boundary_lines(as_of).await? {
        let Ok(line) = LineCode::parse(&stored.line_code) else {
            continue;
        };
        if may_read_line(&staff.actor, &line).is_err() {
            continue;
        }
        if let Some(area) = &area {
            let bounds = stored_geometry(&stored.geometry).and_then(|g| g.bounding_rect());
            if !bounds.is_some_and(|b| b.intersects(area)) {
                continue;
            }
        }
        visible.push(stored);
    }
    let matched = visible.len() as i64;
    let mut features = Vec::new();
    for stored in visible
        .into_iter()
        .skip(query.offset as usize)
        .take(query.limit as usize)
    {
        features.push(line_feature(
            recorded_view(state, stored).await?,
            query.crs,
        )?);
    }
    Ok(Page { features, matched })
}

async fn markers(
    state: &AppState,
    identity: &Identity,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    let staff = staff_of(identity).ok_or_else(|| OgcError::StaffOnly("markers".into()))?;
    let lines: Vec<String> = state
        .store
        .marker_line_codes()
        .await?
        .into_iter()
        .filter(|code| may_read_markers_of(&staff.actor, code).is_ok())
        .collect();
    let (markers, matched) = state
        .store
        .markers_of_lines(&lines, bbox, query.limit, query.offset)
        .await?;
    let features = markers
        .into_iter()
        .map(|marker| marker_feature(marker, query.crs))
        .collect::<Result<_, _>>()?;
    Ok(Page { features, matched })
}

async fn signs(
    state: &AppState,
    identity: &Identity,
    bbox: Option<[f64; 4]>,
    query: ItemsQuery,
) -> Result<Page, OgcError> {
    let filter = SignFilter {
        public_places_only: identity.is_public(),
        bbox,
        limit: query.limit,
        offset: query.offset,
        ..Default::default()
    };
    let (signs, matched) = state.store.list_signs(&filter).await?;
    let features = signs
        .into_iter()
        .map(|sign| sign_feature(sign, identity.is_public(), query.crs))
        .collect::<Result<_, _>>()?;
    Ok(Page { features, matched })
}

fn stored_geometry(text: &str) -> Option<Geometry<f64>> {
    let geometry: geojson::Geometry = serde_json::from_str(text).ok()?;
    Geometry::<f64>::try_from(&geometry.value).ok()
}

/// A geometry of CGCS2000 degrees as a GeoJSON geometry object in `crs`.
pub(crate) fn geometry_value(geometry: &Geometry<f64>, crs: OgcCrs) -> Result<Value, OgcError> {
    let converted = match crs {
        OgcCrs::Crs84 => geometry.clone(),
        OgcCrs::Epsg(system) => geometry_in(geometry, system, crs.north_first())
            .map_err(|e| FieldErrors::one("crs", format!("{}: {e}", crs.uri())))?,
    };
    serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(
        &converted,
    )))
    .map_err(|e| OgcError::Store(crate::store::StoreError::Corrupt(e.to_string())))
}

fn place_feature(place: StoredPlace, crs: OgcCrs) -> Result<Feature, OgcError> {
    let geometry = match crs {
        // The stored GeoJSON is the CRS84 answer as it is.
        OgcCrs::Crs84 => place.geometry.clone(),
        _ => place_geometry(&place)
            .map(|g| geometry_value(&g, crs))
            .transpose()?,
    };
    Ok(Feature {
        record: Record::Place(Box::new(place)),
        geometry,
    })
}

fn division_feature(
    division: DivisionRecord,
    own: &std::collections::HashMap<String, StoredPlace>,
    crs: OgcCrs,
) -> Result<Feature, OgcError> {
    let place = own.get(&division.code);
    let geometry = place
        .and_then(place_geometry)
        .map(|g| geometry_value(&g, crs))
        .transpose()?;
    Ok(Feature {
        record: Record::Division {
            place_id: place.map(|p| p.id),
            division,
        },
        geometry,
    })
}

fn line_feature(view: LineView, crs: OgcCrs) -> Result<Feature, OgcError> {
    let geometry = Some(geometry_value(
        &Geometry::MultiLineString(view.shape.clone()),
        crs,
    )?);
    Ok(Feature {
        record: Record::Line(Box::new(view)),
        geometry,
    })
}

fn marker_feature(marker: StoredMarker, crs: OgcCrs) -> Result<Feature, OgcError> {
    let geometry = Some(geometry_value(
        &Geometry::Point(geo::Point::new(marker.lon, marker.lat)),
        crs,
    )?);
    Ok(Feature {
        record: Record::Marker(marker),
        geometry,
    })
}

fn sign_feature(sign: Sign, public: bool, crs: OgcCrs) -> Result<Feature, OgcError> {
    let geometry = sign
        .position
        .map(|[lon, lat]| geometry_value(&Geometry::Point(geo::Point::new(lon, lat)), crs))
        .transpose()?;
    Ok(Feature {
        record: Record::Sign { sign, public },
        geometry,
    })
}
