//! Things the service draws: QR codes, print sheets, the small map and the public sign page.

pub mod map;
pub mod public_page;
pub mod qr;
