//! Text that looks like one thing and is another: control characters, bidirectional overrides
//! and isolates, and zero-width characters are refused in every text field, and names are
//! stored in Unicode normalisation form C (so 豈 typed as the compatibility ideograph U+F900 is
//! the same name as U+8C48). Every CJK character Unicode encodes, extensions B–H included, is
//! ordinary text.

use unicode_normalization::UnicodeNormalization;

/// Why a character is refused in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// A C0 or C1 control character other than tab, line feed and carriage return.
    Control,
    /// A bidirectional override, embedding, isolate or mark (U+202A–U+202E, U+2066–U+2069,
    /// U+200E, U+200F, U+061C): it makes text display in another order than it is stored.
    Bidirectional,
    /// A zero-width character (U+200B–U+200D, U+2060, U+FEFF): it makes two names that look
    /// the same differ.
    ZeroWidth,
}

impl Hidden {
    /// What the character is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Control => "a control character",
            Self::Bidirectional => "a bidirectional control character",
            Self::ZeroWidth => "a zero-width character",
        }
    }
}

/// Whether `c` is refused in text, and why.
///
/// ```
/// use diming::domain::text::{Hidden, hidden};
/// assert_eq!(hidden('\u{202E}'), Some(Hidden::Bidirectional));
/// assert_eq!(hidden('\u{200B}'), Some(Hidden::ZeroWidth));
/// assert_eq!(hidden('\u{0007}'), Some(Hidden::Control));
/// assert_eq!(hidden('\n'), None);
/// assert_eq!(hidden('𠀀'), None); // CJK Extension B
/// ```
pub fn hidden(c: char) -> Option<Hidden> {
    match c {
        '\t' | '\n' | '\r' => None,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Some(Hidden::Control),
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => Some(Hidden::Bidirectional),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Some(Hidden::ZeroWidth),
        _ => None,
    }
}

/// The first refused character of `text` with why it is refused, as a message naming its code
/// point; `None` when the text is clean.
///
/// ```
/// use diming::domain::text::first_hidden;
/// assert_eq!(
///     first_hidden("西\u{200B}塘").as_deref(),
///     Some("contains a zero-width character (U+200B) at character 2: type the text again without it")
/// );
/// assert!(first_hidden("西塘镇").is_none());
/// ```
pub fn first_hidden(text: &str) -> Option<String> {
    text.chars().enumerate().find_map(|(at, c)| {
        hidden(c).map(|why| {
            format!(
                "contains {} (U+{:04X}) at character {}: type the text again without it",
                why.describe(),
                u32::from(c),
                at + 1
            )
        })
    })
}

/// A name as it is stored: trimmed and in normalisation form C.
///
/// ```
/// use diming::domain::text::normalised_name;
/// // U+F900 is a compatibility ideograph: NFC maps it to the unified ideograph U+8C48.
/// assert_eq!(normalised_name(" \u{F900}村 "), "\u{8C48}村");
/// assert_eq!(normalised_name("𪚥村"), "𪚥村"); // Extension B stays as it is
/// ```
pub fn normalised_name(text: &str) -> String {
    text.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_characters_of_every_cjk_extension_are_ordinary_text() {
        // Extensions A, B, C, D, E, F, G, H and the compatibility supplement.
        for c in ['㐀', '𠀀', '𪜀', '𫝀', '𫠠', '𬺰', '𰀀', '𱍐', '丽'] {
            assert_eq!(hidden(c), None, "{c}");
        }
        assert!(first_hidden("𠀀村 第二组\n备注").is_none());
    }

    #[test]
    fn c1_controls_and_isolates_are_refused() {
        assert_eq!(hidden('\u{85}'), Some(Hidden::Control));
        assert_eq!(hidden('\u{2067}'), Some(Hidden::Bidirectional));
        assert_eq!(hidden('\u{FEFF}'), Some(Hidden::ZeroWidth));
    }
}
