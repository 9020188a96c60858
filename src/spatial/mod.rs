//! Spatial work on parsed geometry: the in-memory indexes (R-tree, edge indexes) and coordinate
//! conversion through PROJ. Parsing and checking GeoJSON input is `domain::geometry`.

pub mod consistency;
pub mod index;
pub mod reproject;
