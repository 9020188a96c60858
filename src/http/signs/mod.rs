//! `/api/v1/signs`: the sign inventory for staff (register, edit, list), the maintenance log
//! with photos and scan counts, tickets from public reports, and QR codes and print sheets.
//! The handlers parse the request, call one `app::signs` use case and shape the answer.

pub mod inventory;
pub mod maintenance;
pub mod qr;
pub mod reports;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use serde_json::json;

use super::AppState;
use crate::domain::sign::Sign;
use crate::domain::version::entity_tag;

pub use inventory::{create, list, read, update};
pub use maintenance::{maintenance_log, photo, record_maintenance, scans, upload_photo};
pub use qr::{qr, qr_sheet};
pub use reports::{handle_report, reports};

/// The kind letter of a sign's entity tag (`"s12-3"`).
pub(crate) const TAG_KIND: char = 's';

/// A sign as the API shows it: the record, the URL its QR code carries, and its QR images.
fn sign_json(state: &AppState, sign: &Sign) -> serde_json::Value {
    let url = state.settings.public_url(&sign.public_code);
    json!({ "sign": sign, "url": url, "qr": { "svg": format!("/api/v1/signs/{}/qr.svg", sign.id), "png": format!("/api/v1/signs/{}/qr.png", sign.id) } })
}

/// A sign with its entity tag.
fn sign_response(state: &AppState, status: StatusCode, sign: &Sign) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, entity_tag(TAG_KIND, sign.id, sign.version)))
        .json(sign_json(state, sign))
}
