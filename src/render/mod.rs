//! Things the service draws: QR codes, print sheets, the small map, the public sign page, the
//! gazetteer book, the joint inspection's report, marker register, findings table and map, and
//! typeset PDF documents; the HTML pages of the OGC API; vector tiles; the plates campaign's
//! chart and the public pages of renumbered roads; the exchange formats' writers.

pub mod address_certificate;
pub mod address_pages;
pub mod exchange;
pub mod gazetteer;
pub mod gazetteer_pdf;
pub mod inspection;
pub mod inspection_pdf;
pub mod map;
pub mod mvt;
pub mod naming_pages;
pub mod ogc;
pub mod pdf;
pub mod plate_chart;
pub mod public_page;
pub mod qr;
pub mod shapefile;

/// Escapes text for XML and HTML attributes and content.
pub(crate) fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
