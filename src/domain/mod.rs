//! The pure rules and types of the register: no I/O, no HTTP, no SQL.

pub mod account;
pub mod boundary;
pub mod boundary_line;
pub mod category;
pub mod crs;
pub mod division_code;
pub mod division_event;
pub mod division_table;
pub mod field_error;
pub mod gazetteer;
pub mod geometry;
pub mod inspection;
pub mod inspection_finding;
pub mod inspection_reconcile;
pub mod inspection_records;
pub mod inspection_report;
pub mod marker;
pub mod naming;
pub mod naming_detect;
pub mod naming_heritage;
pub mod naming_scope;
pub mod place;
pub mod romanize;
pub mod sign;
pub mod text;
pub mod version;
