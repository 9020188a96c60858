//! One pinyin syllable: its letters and tone, written with a tone mark or without.

use std::fmt;

/// A pinyin syllable such as `zhong1`, `lü4` or the neutral `zi5`: its letters and tone.
///
/// ```
/// use diming::domain::romanize::Syllable;
///
/// let lv = Syllable::parse("lv4").unwrap(); // v is how people type ü
/// assert_eq!(lv.plain(), "lü");
/// assert_eq!(lv.toned(), "lǜ");
/// assert_eq!(lv.to_string(), "lü4");
/// assert_eq!(Syllable::parse("gou3").unwrap().toned(), "gǒu");
/// assert_eq!(Syllable::parse("zi5").unwrap().toned(), "zi");
/// assert!(Syllable::parse("an1").unwrap().starts_with_vowel());
/// assert_eq!(Syllable::parse("zhong6"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Syllable {
    /// Lower-case letters, with `ü` where pinyin writes it.
    letters: String,
    /// 1–4, or 5 for the neutral tone.
    tone: u8,
}

impl Syllable {
    /// Parses the numbered form of the tables (`zhong1`, `lü4`, `de5`).
    pub fn parse(numbered: &str) -> Option<Self> {
        let (letters, tone) = numbered.split_at(numbered.len().checked_sub(1)?);
        let tone: u8 = tone.parse().ok().filter(|t| (1..=5).contains(t))?;
        let letters = letters.replace('v', "ü");
        if letters.is_empty()
            || !letters
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == 'ü' || c == 'ê')
        {
            return None;
        }
        Some(Self { letters, tone })
    }

    /// The letters without tone (ü kept: it is a letter of its own, not a tone mark).
    pub fn plain(&self) -> &str {
        &self.letters
    }

    /// The syllable with its tone mark placed by the pinyin rule: on `a` or `e` if there is
    /// one, on the `o` of `ou`, otherwise on the last vowel.
    pub fn toned(&self) -> String {
        let Some(at) = self.mark_position() else {
            return self.letters.clone();
        };
        self.letters
            .char_indices()
            .map(|(i, c)| if i == at { with_tone(c, self.tone) } else { c })
            .collect()
    }

    /// A syllable that starts with a, o or e needs an apostrophe when it does not begin its
    /// word (Xi'an, Jian'ou).
    pub fn starts_with_vowel(&self) -> bool {
        matches!(self.letters.as_bytes().first(), Some(b'a' | b'o' | b'e'))
    }

    fn mark_position(&self) -> Option<usize> {
        if self.tone == 5 {
            return None;
        }
        let letters = &self.letters;
        if let Some(i) = letters.find('a').or_else(|| letters.find('e')) {
            return Some(i);
        }
        if let Some(i) = letters.find("ou") {
            return Some(i);
        }
        letters
            .char_indices()
            .filter(|(_, c)| matches!(c, 'i' | 'o' | 'u' | 'ü'))
            .map(|(i, _)| i)
            .next_back()
    }
}

impl fmt::Display for Syllable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.letters, self.tone)
    }
}

fn with_tone(vowel: char, tone: u8) -> char {
    const MARKED: [(char, [char; 4]); 6] = [
        ('a', ['ā', 'á', 'ǎ', 'à']),
        ('e', ['ē', 'é', 'ě', 'è']),
        ('i', ['ī', 'í', 'ǐ', 'ì']),
        ('o', ['ō', 'ó', 'ǒ', 'ò']),
        ('u', ['ū', 'ú', 'ǔ', 'ù']),
        ('ü', ['ǖ', 'ǘ', 'ǚ', 'ǜ']),
    ];
    MARKED
        .iter()
        .find(|(plain, _)| *plain == vowel)
        .map(|(_, marks)| marks[usize::from(tone - 1)])
        .unwrap_or(vowel)
}

/// The text without tone marks (and only without them: ü, ê and the like keep their letters).
///
/// ```
/// use diming::domain::romanize::untoned;
///
/// assert_eq!(untoned("Běijīng Shì"), "Beijing Shi");
/// assert_eq!(untoned("Lǜliáng"), "Lüliang");
/// assert_eq!(untoned("Xī'ān"), "Xi'an");
/// ```
pub fn untoned(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ā' | 'á' | 'ǎ' | 'à' => 'a',
            'ē' | 'é' | 'ě' | 'è' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
            'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'ü',
            'Ā' | 'Á' | 'Ǎ' | 'À' => 'A',
            'Ē' | 'É' | 'Ě' | 'È' => 'E',
            'Ī' | 'Í' | 'Ǐ' | 'Ì' => 'I',
            'Ō' | 'Ó' | 'Ǒ' | 'Ò' => 'O',
            'Ū' | 'Ú' | 'Ǔ' | 'Ù' => 'U',
            'Ǖ' | 'Ǘ' | 'Ǚ' | 'Ǜ' => 'Ü',
            other => other,
        })
        .collect()
}

/// The letters a-z of a romanized text, lower-case, for comparisons that ignore spaces, case,
/// apostrophes and every diacritic (Ürümqi and Urumqi agree).
///
/// ```
/// use diming::domain::romanize::letters_only;
///
/// assert_eq!(letters_only("Ürümqi Shi"), letters_only("urumqishi"));
/// assert_eq!(letters_only("Xī'ān"), "xian");
/// ```
pub fn letters_only(text: &str) -> String {
    untoned(text)
        .chars()
        .filter_map(|c| match c {
            'ü' | 'Ü' => Some('u'),
            'ê' | 'Ê' => Some('e'),
            'ö' | 'Ö' => Some('o'),
            'ĕ' | 'Ĕ' => Some('e'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toned(numbered: &str) -> String {
        Syllable::parse(numbered).unwrap().toned()
    }

    #[test]
    fn tone_marks_follow_the_pinyin_placement_rule() {
        assert_eq!(toned("zhong1"), "zhōng");
        assert_eq!(toned("jing3"), "jǐng");
        assert_eq!(toned("gou3"), "gǒu");
        assert_eq!(toned("liu2"), "liú");
        assert_eq!(toned("gui4"), "guì");
        assert_eq!(toned("lü4"), "lǜ");
        assert_eq!(toned("lv4"), "lǜ");
        assert_eq!(toned("xue2"), "xué");
        assert_eq!(toned("zi5"), "zi");
        assert_eq!(toned("er2"), "ér");
    }

    #[test]
    fn malformed_syllables_are_refused() {
        for bad in ["", "1", "zhong", "zhong6", "Zhong1", "zh ong1"] {
            assert_eq!(Syllable::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn untoning_keeps_letters_that_are_not_tone_marks() {
        assert_eq!(untoned("Běijīng Shì"), "Beijing Shi");
        assert_eq!(untoned("Lǜliáng"), "Lüliang");
        assert_eq!(untoned("Nyêmo"), "Nyêmo");
        assert_eq!(letters_only("Ürümqi Shi"), "urumqishi");
        assert_eq!(letters_only("Xī'ān"), "xian");
    }
}
