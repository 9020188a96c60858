//! Every error of the use cases turned into problem+json, one file per area: the only place
//! where an `app` error meets an HTTP status.

mod accounts;
mod boundaries;
mod divisions;
mod markers;
mod naming;
mod ogc;
mod places;
mod romanize;
mod signs;
