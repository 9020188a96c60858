//! Every error of the use cases turned into problem+json, one file per area: the only place
//! where an `app` error meets an HTTP status.

mod accounts;
mod addresses;
mod boundaries;
mod divisions;
pub(crate) mod exchange;
mod inspections;
mod markers;
mod naming;
mod ogc;
mod pdf;
mod places;
mod romanize;
mod signs;
mod tiles;
