//! The in-memory indexes derived from the records: the spatial index, the name index and the
//! division directory. Built from one read of the records at start, and kept current by every
//! write through `AppState::place_changed`.

use std::collections::HashMap;

use geo::{Centroid, Geometry};

use super::AppState;
use crate::domain::division_code::DivisionCode;
use crate::domain::place::{Classification, PlaceStatus};
use crate::search::{NameIndex, NameKind, NameRecord};
use crate::spatial::index::{IndexedPlace, SpatialIndex};
use crate::store::StoreError;
use crate::store::places::StoredPlace;
use crate::store::reference::Division;

/// Divisions by code, for the chains of search and reverse-geocoding answers.
pub type DivisionDirectory = HashMap<String, Division>;

/// A record's geometry, parsed once for every index that needs it.
pub fn place_geometry(place: &StoredPlace) -> Option<Geometry<f64>> {
    let geometry: geojson::Geometry = serde_json::from_value(place.geometry.clone()?).ok()?;
    Geometry::<f64>::try_from(&geometry.value).ok()
}

/// What the spatial index keeps of a stored record: current records with a geometry only.
pub fn index_entry(
    place: &StoredPlace,
    geometry: Option<Geometry<f64>>,
) -> Option<(IndexedPlace, Geometry<f64>)> {
    if place.properties.status != PlaceStatus::Current {
        return None;
    }
    Some((
        IndexedPlace {
            place_id: place.id,
            name: place.properties.standard_name.clone(),
            category: place.properties.category.clone(),
            division_code: place.properties.division_codes.first().cloned(),
            public: place.properties.classification == Classification::Public,
        },
        geometry?,
    ))
}

/// The names of a record the name index keeps: its standard name and every alternate name,
/// placed at the centroid of its (already parsed) geometry.
pub fn name_records(place: &StoredPlace, geometry: Option<&Geometry<f64>>) -> Vec<NameRecord> {
    let properties = &place.properties;
    let position = geometry
        .and_then(Centroid::centroid)
        .map(|p| (p.x(), p.y()));
    let record = |name: &str, kind: NameKind| NameRecord {
        place_id: place.id,
        name: name.into(),
        kind,
        romanization: properties.romanization.as_deref().map(Into::into),
        category: properties.category.as_str().into(),
        division_code: properties.division_codes.first().map(|c| c.as_str().into()),
        public: properties.classification == Classification::Public,
        current: properties.status == PlaceStatus::Current,
        position,
    };
    std::iter::once(record(&properties.standard_name, NameKind::Standard))
        .chain(properties.alternate_names.iter().map(|alternate| {
            let kind = serde_json::to_value(alternate.kind)
                .ok()
                .and_then(|v| v.as_str().map(Into::into))
                .unwrap_or_else(|| "alias".into());
            let standard_name = properties.standard_name.as_str().into();
            record(
                &alternate.name,
                NameKind::Alternate {
                    kind,
                    standard_name,
                },
            )
        }))
        .collect()
}

impl AppState {
    /// Builds the spatial indexes, the name index and the division directory from the database
    /// (at start, and after a change that touches many records), reading the records once and
    /// parsing each geometry once. Returns the number of spatial features and of names.
    pub async fn build_indexes(&self) -> Result<(usize, usize), StoreError> {
        let directory: DivisionDirectory = self
            .store
            .all_divisions()
            .await?
            .into_iter()
            .map(|d| (d.code.as_str().to_string(), d))
            .collect();
        let places = self.store.all_current_versions().await?;
        let mut names = Vec::with_capacity(places.len());
        let mut features = Vec::with_capacity(places.len());
        for place in &places {
            let geometry = place_geometry(place);
            names.extend(name_records(place, geometry.as_ref()));
            features.extend(index_entry(place, geometry));
        }
        let spatial_index = SpatialIndex::build(features);
        let name_index = NameIndex::build(names);
        let counts = (spatial_index.len(), name_index.len());
        if let Ok(mut spatial) = self.spatial.write() {
            *spatial = spatial_index;
        }
        if let Ok(mut names) = self.names.write() {
            *names = name_index;
        }
        if let Ok(mut divisions) = self.divisions.write() {
            *divisions = directory;
        }
        Ok(counts)
    }

    /// After a place record was written: derived pages are stale, and the indexes take its new
    /// state (or drop it, once it is historical or has no geometry).
    pub fn place_changed(&self, place: &StoredPlace) {
        // A road renamed, added or retired reads addresses differently.
        self.addresses_changed();
        let geometry = place_geometry(place);
        let names = name_records(place, geometry.as_ref());
        let new_extent = geometry.as_ref().and_then(geo::BoundingRect::bounding_rect);
        if let Ok(mut index) = self.spatial.write() {
            // The pages near where the record was, and near where it is now, are stale.
            self.freshness.place_written(index.extent(place.id));
            self.freshness.place_written(new_extent);
            match index_entry(place, geometry) {
                Some((entry, geometry)) => index.upsert(entry, geometry),
                None => index.remove(place.id),
            }
        }
        if let Ok(mut index) = self.names.write() {
            index.replace_place(place.id, names);
        }
    }

    /// Province → … → the division `code`. Divisions come from the in-memory directory; a code
    /// it does not know yet (a division added since start) is read from the database once.
    pub async fn division_chain(&self, code: Option<&str>) -> Result<Vec<Division>, StoreError> {
        let Some(code) = code.and_then(|c| DivisionCode::parse(c).ok()) else {
            return Ok(Vec::new());
        };
        let known = |directory: &DivisionDirectory| -> Vec<Division> {
            code.chain()
                .iter()
                .filter_map(|level| directory.get(level.as_str()).cloned())
                .collect()
        };
        if let Ok(directory) = self.divisions.read()
            && directory.contains_key(code.as_str())
        {
            return Ok(known(&directory));
        }
        let read = self.store.division_chain(&code).await?;
        let mut directory = self
            .divisions
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for division in read {
            directory.insert(division.code.as_str().to_string(), division);
        }
        Ok(known(&directory))
    }
}
