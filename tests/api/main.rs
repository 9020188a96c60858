//! Integration tests: the real application on port 0 against a fresh SQLite database each.

mod helpers;

mod accounts;
mod addresses;
mod audit;
mod auth;
mod boundaries;
mod cli;
mod demo;
mod division_events;
mod exchange;
mod gazetteer;
mod geometry_checks;
mod hardening;
mod heritage;
mod inspections;
mod markers;
mod naming;
mod ogc;
mod ogc_filter;
mod openapi;
mod places;
mod plates;
mod romanize;
mod search;
mod signs;
mod spatial;
mod tiles;
mod transform;
mod validation;
mod visibility;
