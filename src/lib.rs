//! diming (地名): the place-name census, administrative divisions and boundaries, and sign
//! inventory service of a civil-affairs place-name office.

#[warn(missing_docs)]
pub mod app;
pub mod cli;
pub mod demo;
#[warn(missing_docs)]
pub mod domain;
pub mod http;
pub mod layers;
pub mod media;
pub mod render;
pub mod search;
pub mod security;
#[warn(missing_docs)]
pub mod spatial;
pub mod startup;
pub mod store;
