//! Vector tiles (MVT) of the OGC collections, one layer per collection, each holding what the
//! caller may see of it: place records (all of them or one 大类's) from the in-memory spatial
//! index, the other collections through the same reads as their OGC items with the tile's box.
//! Encoded tiles are cached per caller's view and served again while no write to what they
//! draw, near where they lie, has happened since (`freshness`).
#![warn(missing_docs)]

use std::sync::Arc;

use geo::{Coord, Geometry, Rect};
use sha2::{Digest, Sha256};

use super::freshness::{Draws, Kind};
use super::ogc::{CollectionInfo, ItemsQuery, OgcError, Record, collection};
use super::{AppState, Identity};
use crate::domain::field_error::FieldErrors;
use crate::domain::ogc::{CollectionId, MAX_LIMIT, OgcCrs};
use crate::domain::tile::{BUFFER, MAX_ZOOM, TileAddress};
use crate::render::mvt::{Property, TileFeature, TileLayer, encode_counted};

/// What can go wrong asking for a tile or a tile set.
///
/// ```
/// use diming::app::tiles::TileError;
/// use diming::domain::field_error::FieldErrors;
/// let error = TileError::from(FieldErrors::one("z", "out of range"));
/// assert!(error.to_string().contains("z"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// The tile's address is not in the matrix (the parameters at fault are named).
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The collection is unknown, or not for this caller, or could not be read.
    #[error(transparent)]
    Collection(#[from] OgcError),
}

/// Who a cached tile was drawn for: the public, staff (who see every record of places,
/// divisions and signs) or one account (lines and markers, seen by jurisdiction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Audience {
    Public,
    Staff,
    Account(i64),
}

/// A tile as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    collection: String,
    address: TileAddress,
    audience: Audience,
}

/// An encoded tile.
#[derive(Debug)]
pub struct EncodedTile {
    /// The MVT bytes; empty when the tile holds no feature.
    pub bytes: Vec<u8>,
    /// A strong entity tag of the bytes.
    pub etag: String,
    /// How many features it holds.
    pub features: usize,
    drawn_at: u64,
    draws: Draws,
    extent: Rect<f64>,
}

/// Weighs a cached tile by its bytes, so that the cache holds a bounded amount of memory
/// whether its tiles are empty or dense.
#[derive(Debug, Clone, Copy)]
pub struct TileBytes;

impl quick_cache::Weighter<TileKey, Arc<EncodedTile>> for TileBytes {
    fn weight(&self, _key: &TileKey, tile: &Arc<EncodedTile>) -> u64 {
        tile.bytes.len() as u64 + 256
    }
}

/// The cache of encoded tiles.
pub type TileCache = quick_cache::sync::Cache<TileKey, Arc<EncodedTile>, TileBytes>;

/// A new cache of about `tiles` tiles holding at most `max_bytes` of them.
pub fn new_cache(tiles: usize, max_bytes: u64) -> TileCache {
    quick_cache::sync::Cache::with_weighter(tiles, max_bytes, TileBytes)
}

/// The tile `z/x/y` of collection `id` as `identity` may see it, from the cache when nothing it
/// draws was written since it was drawn.
pub async fn tile(
    state: &AppState,
    identity: &Identity,
    id: &str,
    z: &str,
    x: &str,
    y: &str,
) -> Result<Arc<EncodedTile>, TileError> {
    // The collection first: an unknown one is 404 whatever the numbers say.
    let info = collection(state, identity, id)?;
    let address = TileAddress::parse(z, x, y)?;
    let draws = draws(&info.id);
    let audience = match (&identity.actor, draws) {
        (None, _) => Audience::Public,
        (Some(actor), Draws::Other(Kind::BoundaryLines | Kind::Markers)) => {
            Audience::Account(actor.user_id)
        }
        (Some(_), _) => Audience::Staff,
    };
    let key = TileKey {
        collection: info.id.to_string(),
        address,
        audience,
    };
    if let Some(cached) = state.tiles.get(&key)
        && state
            .freshness
            .tile_is_fresh(cached.drawn_at, cached.draws, cached.extent)
    {
        return Ok(cached);
    }
    // The clock is read before the records, so a write during drawing makes the tile stale.
    let drawn_at = state.freshness.now();
    let drawn = Arc::new(draw(state, identity, &info, address, draws, drawn_at).await?);
    state.tiles.insert(key, drawn.clone());
    Ok(drawn)
}

/// The tile `address` of collection `info`, drawn from the records now.
async fn draw(
    state: &AppState,
    identity: &Identity,
    info: &CollectionInfo,
    address: TileAddress,
    draws: Draws,
    drawn_at: u64,
) -> Result<EncodedTile, TileError> {
    let [west, south, east, north] = address.lon_lat_bounds(BUFFER);
    let extent = Rect::new(Coord { x: west, y: south }, Coord { x: east, y: north });
    let name = info.id.to_string();
    let (bytes, features) = match &info.id {
        CollectionId::Places { class } => {
            let public = identity.is_public();
            let index = state
                .spatial
                .read()
                .map_err(|_| OgcError::NotFound("the spatial index is being rebuilt".into()))?;
            let found = index.features_meeting(extent, |place| {
                (place.public || !public)
                    && class
                        .as_deref()
                        .is_none_or(|c| place.category.starts_with(c))
            });
            let features = found
                .into_iter()
                .map(|(place, geometry)| TileFeature {
                    id: place.place_id as u64,
                    geometry,
                    properties: vec![
                        ("id", Property::Int(place.place_id)),
                        ("standard_name", Property::Text(place.name.clone())),
                        ("category", Property::Text(place.category.clone())),
                        (
                            "division_code",
                            Property::Text(place.division_code.clone().unwrap_or_default()),
                        ),
                        ("status", Property::Text("current".into())),
                    ],
                })
                .collect();
            encode_counted(address, &[TileLayer { name, features }])
        }
        _ => {
            let drawn = other_features(state, identity, info, [west, south, east, north]).await?;
            let features = drawn
                .iter()
                .map(|(id, geometry, properties)| TileFeature {
                    id: *id,
                    geometry,
                    properties: properties.clone(),
                })
                .collect();
            encode_counted(address, &[TileLayer { name, features }])
        }
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    Ok(EncodedTile {
        bytes,
        etag: format!("\"t{hex}\""),
        features,
        drawn_at,
        draws,
        extent,
    })
}

/// What a collection's tiles are drawn from, for their freshness.
fn draws(id: &CollectionId) -> Draws {
    match id {
        // A division's area is its own place-name record.
        CollectionId::Places { .. } | CollectionId::Divisions => Draws::Places,
        CollectionId::Signs => Draws::Other(Kind::Signs),
        CollectionId::BoundaryLines => Draws::Other(Kind::BoundaryLines),
        CollectionId::Markers => Draws::Other(Kind::Markers),
    }
}

type Drawn = (u64, Geometry<f64>, Vec<(&'static str, Property)>);

/// The features of a collection other than places meeting `bbox`, read as its OGC items are
/// (the same visibility), every page of them.
async fn other_features(
    state: &AppState,
    identity: &Identity,
    info: &CollectionInfo,
    bbox: [f64; 4],
) -> Result<Vec<Drawn>, TileError> {
    let mut drawn = Vec::new();
    let mut offset = 0;
    loop {
        let query = ItemsQuery {
            bbox: Some((OgcCrs::Crs84, bbox)),
            temporal: None,
            limit: MAX_LIMIT,
            offset,
            crs: OgcCrs::Crs84,
            filter: None,
        };
        let (_, page) =
            super::ogc::items::items(state, identity, &info.id.to_string(), query).await?;
        let returned = page.features.len() as i64;
        for feature in page.features {
            let Some(geometry) = feature
                .geometry
                .as_ref()
                .and_then(|g| serde_json::from_value::<geojson::Geometry>(g.clone()).ok())
                .and_then(|g| Geometry::<f64>::try_from(&g.value).ok())
            else {
                continue;
            };
            let text = |v: &str| Property::Text(v.to_string());
            let (id, properties) = match &feature.record {
                Record::Division { division, place_id } => (
                    division.code.parse().unwrap_or(0),
                    vec![
                        ("code", text(&division.code)),
                        ("name", text(&division.name)),
                        ("level", text(&label(&division.level))),
                        ("place_id", Property::Int(place_id.unwrap_or(0))),
                    ],
                ),
                Record::Sign { sign, public } => {
                    let mut properties = vec![
                        ("id", Property::Int(sign.id)),
                        ("public_code", text(&sign.public_code)),
                        ("place_id", Property::Int(sign.place_id)),
                        ("kind", text(&label(&sign.kind))),
                        ("status", text(&label(&sign.status))),
                    ];
                    if !public {
                        properties.push(("division_code", text(&sign.division_code)));
                    }
                    (sign.id as u64, properties)
                }
                Record::Line(view) => (
                    // Two division codes joined: digits, a stable id.
                    view.line.as_string().parse().unwrap_or(0),
                    vec![
                        ("line_code", text(&view.line.as_string())),
                        (
                            "name",
                            text(
                                &view
                                    .side_names
                                    .iter()
                                    .flatten()
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(" — "),
                            ),
                        ),
                    ],
                ),
                Record::Marker(marker) => (
                    marker.id as u64,
                    vec![
                        ("marker_number", text(&marker.marker_number)),
                        ("line_code", text(&marker.line_code)),
                        ("marker_type", text(&marker.marker_type)),
                    ],
                ),
                Record::Place(place) => (
                    place.id as u64,
                    vec![("standard_name", text(&place.properties.standard_name))],
                ),
            };
            drawn.push((id, geometry, properties));
        }
        offset += returned;
        if returned < MAX_LIMIT || offset >= page.matched {
            break;
        }
    }
    Ok(drawn)
}

/// The name serde gives a value (an enum's variant).
fn label(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What a TileJSON document says of a collection's tiles.
#[derive(Debug, Clone)]
pub struct TileSet {
    /// The collection.
    pub info: CollectionInfo,
    /// [west, south, east, north] of what the caller may see, in degrees, if known.
    pub bounds: Option<[f64; 4]>,
    /// The shallowest zoom served.
    pub minzoom: u8,
    /// The deepest zoom served.
    pub maxzoom: u8,
}

/// The tile set of collection `id` as `identity` may see it, with the bounds of its data.
pub async fn tile_set(
    state: &AppState,
    identity: &Identity,
    id: &str,
) -> Result<TileSet, TileError> {
    let info = collection(state, identity, id)?;
    let bounds = match &info.id {
        CollectionId::Places { class } => {
            let public = identity.is_public();
            let index = state
                .spatial
                .read()
                .map_err(|_| OgcError::NotFound("the spatial index is being rebuilt".into()))?;
            index
                .bounds(|place| {
                    (place.public || !public)
                        && class
                            .as_deref()
                            .is_none_or(|c| place.category.starts_with(c))
                })
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        }
        _ => {
            let world = [-180.0, -85.0, 180.0, 85.0];
            let drawn = other_features(state, identity, &info, world).await?;
            drawn
                .iter()
                .filter_map(|(_, g, _)| geo::BoundingRect::bounding_rect(g))
                .reduce(|a, b| {
                    Rect::new(
                        Coord {
                            x: a.min().x.min(b.min().x),
                            y: a.min().y.min(b.min().y),
                        },
                        Coord {
                            x: a.max().x.max(b.max().x),
                            y: a.max().y.max(b.max().y),
                        },
                    )
                })
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        }
    };
    Ok(TileSet {
        info,
        bounds,
        minzoom: 0,
        maxzoom: MAX_ZOOM,
    })
}

/// The properties a collection's tile features carry, with their TileJSON types.
pub fn fields(id: &CollectionId) -> &'static [(&'static str, &'static str)] {
    match id {
        CollectionId::Places { .. } => &[
            ("id", "Number"),
            ("standard_name", "String"),
            ("category", "String"),
            ("division_code", "String"),
            ("status", "String"),
        ],
        CollectionId::Divisions => &[
            ("code", "String"),
            ("name", "String"),
            ("level", "String"),
            ("place_id", "Number"),
        ],
        CollectionId::Signs => &[
            ("id", "Number"),
            ("public_code", "String"),
            ("place_id", "Number"),
            ("kind", "String"),
            ("status", "String"),
        ],
        CollectionId::BoundaryLines => &[("line_code", "String"), ("name", "String")],
        CollectionId::Markers => &[
            ("marker_number", "String"),
            ("line_code", "String"),
            ("marker_type", "String"),
        ],
    }
}
