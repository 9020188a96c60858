//! The text encodings of tables: UTF-8 (with or without a byte-order mark) and GB18030, the
//! superset of GBK that Excel in China writes CSV in. An import detects the encoding (a BOM,
//! else valid UTF-8, else GB18030) unless it is declared.

use encoding_rs::{GB18030, UTF_8};

/// A text encoding of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// GB18030 (GBK and GB2312 are subsets of it).
    Gb18030,
}

impl TextEncoding {
    /// Reads an encoding's name: `utf-8`, `utf8`, `gb18030`, `gbk`, `gb2312`, `cp936`.
    ///
    /// ```
    /// use diming::domain::exchange::encoding::TextEncoding;
    /// assert_eq!(TextEncoding::parse("GBK"), Some(TextEncoding::Gb18030));
    /// assert_eq!(TextEncoding::parse("latin1"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" | "utf-8-sig" => Some(Self::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" | "gb-18030" => Some(Self::Gb18030),
            _ => None,
        }
    }

    /// The encoding's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Gb18030 => "GB18030",
        }
    }
}

/// Decodes a table's bytes: in the declared encoding, or the one detected. A byte sequence
/// the encoding cannot have is refused with its offset.
///
/// ```
/// use diming::domain::exchange::encoding::{TextEncoding, decode};
/// let (gbk, _, _) = encoding_rs::GB18030.encode("标准名称,西塘镇");
/// assert_eq!(decode(&gbk, None).unwrap(), ("标准名称,西塘镇".to_string(), TextEncoding::Gb18030));
/// let bom = "\u{feff}西塘镇".as_bytes();
/// assert_eq!(decode(bom, None).unwrap(), ("西塘镇".to_string(), TextEncoding::Utf8));
/// // GB18030 bytes declared as UTF-8 are refused.
/// assert!(decode(&gbk, Some(TextEncoding::Utf8)).is_err());
/// ```
pub fn decode(
    bytes: &[u8],
    declared: Option<TextEncoding>,
) -> Result<(String, TextEncoding), String> {
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let encoding = match declared {
        Some(encoding) => encoding,
        None if bom || std::str::from_utf8(bytes).is_ok() => TextEncoding::Utf8,
        None => TextEncoding::Gb18030,
    };
    match encoding {
        TextEncoding::Utf8 => {
            let body = if bom { &bytes[3..] } else { bytes };
            match std::str::from_utf8(body) {
                Ok(text) => Ok((text.to_string(), encoding)),
                Err(error) => Err(format!(
                    "the file is not UTF-8 (byte {} is not): declare its encoding, e.g. GB18030 for a CSV saved by Excel in China",
                    error.valid_up_to() + if bom { 3 } else { 0 }
                )),
            }
        }
        TextEncoding::Gb18030 => {
            match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => Ok((text.into_owned(), encoding)),
                None => Err(
                    "the file is neither UTF-8 nor GB18030 text: save it as CSV UTF-8 (逗号分隔) or CSV (逗号分隔) from Excel"
                        .to_string(),
                ),
            }
        }
    }
}

/// Encodes text for a table file: UTF-8 with a byte-order mark (so that Excel reads it as
/// UTF-8), or GB18030.
///
/// ```
/// use diming::domain::exchange::encoding::{TextEncoding, encode};
/// assert_eq!(&encode("名", TextEncoding::Utf8)[..3], &[0xEF, 0xBB, 0xBF]);
/// assert_eq!(encode("名", TextEncoding::Gb18030), vec![0xC3, 0xFB]);
/// ```
pub fn encode(text: &str, encoding: TextEncoding) -> Vec<u8> {
    match encoding {
        TextEncoding::Utf8 => {
            let mut bytes = Vec::with_capacity(text.len() + 3);
            bytes.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        TextEncoding::Gb18030 => GB18030.encode(text).0.into_owned(),
    }
}

/// Encodes text without a byte-order mark (the continuation of a file).
pub fn encode_more(text: &str, encoding: TextEncoding) -> Vec<u8> {
    match encoding {
        TextEncoding::Utf8 => UTF_8.encode(text).0.into_owned(),
        TextEncoding::Gb18030 => GB18030.encode(text).0.into_owned(),
    }
}
