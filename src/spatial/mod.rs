//! Geometry: parsing and validating GeoJSON input, the extent checks, and (later) measures and
//! the in-memory indexes.

pub mod index;
pub mod reproject;
pub mod validate;
