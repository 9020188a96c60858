//! Things the service draws: QR codes, print sheets, the small map, the public sign page and
//! the gazetteer book.

pub mod gazetteer;
pub mod map;
pub mod naming_pages;
pub mod ogc;
pub mod public_page;
pub mod qr;

/// Escapes text for XML and HTML attributes and content.
pub(crate) fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
