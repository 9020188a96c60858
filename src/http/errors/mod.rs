//! Every error of the use cases turned into problem+json, one file per area: the only place
//! where an `app` error meets an HTTP status.

mod boundaries;
mod markers;
mod places;
mod romanize;
