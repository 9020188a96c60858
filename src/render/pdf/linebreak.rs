//! Line breaking for Chinese with Latin mixed in: a break may fall between any two CJK
//! characters and at spaces between Latin words (never inside a word, unless the word is wider
//! than the line), with basic 避头尾 (kinsoku): no line starts with a closing mark such as
//! ，。、；：？！）》」』 and none ends with an opening one such as （《「『 — the character before
//! is carried down with it instead. A `\n` ends a line.

/// One line of a paragraph: character indices `start..end` (trailing spaces dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    /// The sum of the advances of `start..end`.
    pub width: f32,
    /// The indices inside the line (`start < i < end`) before which a break was allowed: where
    /// a justified line takes its extra space.
    pub opportunities: Vec<usize>,
    /// The paragraph (or a `\n`) ends here: the line is not justified.
    pub ends_paragraph: bool,
}

/// Marks that may not start a line (closing punctuation, and the marks that follow a word).
pub fn may_not_start_line(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '〗'
            | '］'
            | '｝'
            | '”'
            | '’'
            | '…'
            | '·'
            | '・'
            | '～'
            | '％'
            | '．'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Marks that may not end a line (opening punctuation).
pub fn may_not_end_line(c: char) -> bool {
    matches!(
        c,
        '（' | '《'
            | '「'
            | '『'
            | '【'
            | '〔'
            | '〈'
            | '〖'
            | '［'
            | '｛'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// Chinese, Japanese and Korean characters and marks, each of which is a word of its own for
/// line breaking.
pub fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x2FFF      // radicals, ideographic description
        | 0x3000..=0x303F    // CJK symbols and punctuation, the ideographic space
        | 0x3040..=0x31FF    // kana, bopomofo, strokes
        | 0x3200..=0x4DBF    // enclosed, compatibility, extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // Hangul
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x3FFFF  // extensions B to H: rare characters of place names
    )
}

/// Marks that behave like CJK characters between words: quotation marks, the dash and the
/// ellipsis of Chinese text.
fn is_cjk_like(c: char) -> bool {
    is_cjk(c) || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Whether a line may break between `a` and `b`, two characters that are not spaces.
fn breakable_between(a: char, b: char) -> bool {
    if may_not_start_line(b) || may_not_end_line(a) {
        return false;
    }
    // A doubled dash (——) or ellipsis (……) is one mark.
    if a == b && matches!(a, '—' | '…') {
        return false;
    }
    is_cjk_like(a) || is_cjk_like(b)
}

/// Whether a line may start at `chars[j]`.
fn opportunity(chars: &[char], j: usize) -> bool {
    let (a, b) = (chars[j - 1], chars[j]);
    if is_space(b) || a == '\n' || b == '\n' {
        false
    } else if is_space(a) {
        true
    } else {
        breakable_between(a, b)
    }
}

/// Breaks `chars` (with their `advances`, in any unit) into lines no wider than `width`, the
/// first no wider than `first_width` (a first-line indent makes it narrower). Spaces at a
/// break are dropped; a character wider than a line gets a line of its own.
pub fn break_lines(chars: &[char], advances: &[f32], first_width: f32, width: f32) -> Vec<Line> {
    debug_assert_eq!(chars.len(), advances.len());
    const SLACK: f32 = 1e-3;
    let n = chars.len();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut available = first_width;
    loop {
        let mut x = 0.0;
        let mut j = start;
        let mut last_break = None;
        let (mut end, next, ends_paragraph) = loop {
            if j == n {
                break (n, None, true);
            }
            let c = chars[j];
            if c == '\n' {
                break (j, Some(j + 1), true);
            }
            if j > start && opportunity(chars, j) {
                last_break = Some(j);
            }
            if !is_space(c) && j > start && x + advances[j] > available + SLACK {
                // Back to the last opportunity; a word wider than the line is cut where it
                // overflows.
                let at = last_break.unwrap_or(j);
                break (at, Some(at), false);
            }
            x += advances[j];
            j += 1;
        };
        while end > start && is_space(chars[end - 1]) {
            end -= 1;
        }
        lines.push(Line {
            start,
            end,
            width: advances[start..end].iter().sum(),
            opportunities: (start + 1..end)
                .filter(|&i| opportunity(chars, i))
                .collect(),
            ends_paragraph,
        });
        let Some(mut next) = next else {
            return lines;
        };
        while next < n && is_space(chars[next]) {
            next += 1;
        }
        start = next;
        available = width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CJK one em, spaces a quarter, everything else half an em.
    fn advance(c: char) -> f32 {
        if is_cjk(c) {
            1.0
        } else if c == ' ' {
            0.25
        } else {
            0.5
        }
    }

    fn lines(text: &str, width: f32) -> Vec<String> {
        lines_indented(text, width, width)
    }

    fn lines_indented(text: &str, first_width: f32, width: f32) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let advances: Vec<f32> = chars.iter().map(|&c| advance(c)).collect();
        break_lines(&chars, &advances, first_width, width)
            .iter()
            .map(|line| chars[line.start..line.end].iter().collect())
            .collect()
    }

    #[test]
    fn chinese_breaks_between_any_two_characters() {
        assert_eq!(
            lines("嘉善县位于浙江省东北部", 4.0),
            ["嘉善县位", "于浙江省", "东北部"]
        );
    }

    #[test]
    fn the_first_line_may_be_narrower() {
        assert_eq!(
            lines_indented("嘉善县位于浙江省东北部", 2.0, 4.0),
            ["嘉善", "县位于浙", "江省东北", "部"]
        );
    }

    #[test]
    fn latin_words_break_at_spaces_and_the_space_is_dropped() {
        // "alpha beta" is 2.5 + 0.25 + 2.0 = 4.75 wide.
        assert_eq!(
            lines("alpha beta gamma delta", 5.5),
            ["alpha beta", "gamma delta"]
        );
        assert_eq!(lines("alpha beta", 4.0), ["alpha", "beta"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_where_it_overflows() {
        assert_eq!(lines("abcdefgh", 2.0), ["abcd", "efgh"]);
    }

    #[test]
    fn no_line_starts_with_a_closing_mark() {
        // Set naively, the comma would start the second line; the character before goes with it.
        assert_eq!(lines("一二三，四五", 3.0), ["一二", "三，四", "五"]);
        for mark in ['。', '、', '；', '：', '？', '！', '）', '》', '」', '』'] {
            let text = format!("一二三{mark}四五六");
            for line in lines(&text, 3.0) {
                assert!(!line.starts_with(mark), "{text}: a line starts with {mark}");
            }
        }
    }

    #[test]
    fn no_line_ends_with_an_opening_mark() {
        assert_eq!(lines("一二（三四", 3.0), ["一二", "（三四"]);
        for mark in ['（', '《', '「', '『'] {
            let text = format!("一二{mark}三四五六");
            for line in lines(&text, 3.0) {
                assert!(!line.ends_with(mark), "{text}: a line ends with {mark}");
            }
        }
    }

    #[test]
    fn a_mixed_line_keeps_pinyin_words_whole() {
        let text = "嘉善县 Jiāshàn Xiàn 位于浙江省";
        let broken = lines(text, 6.0);
        assert_eq!(broken, ["嘉善县", "Jiāshàn Xiàn", "位于浙江省"]);
        // Between Chinese and Latin without a space a break is allowed too.
        assert_eq!(lines("西塘镇Xītáng", 4.0), ["西塘镇", "Xītáng"]);
    }

    #[test]
    fn a_newline_ends_a_line_and_is_not_justified() {
        let chars: Vec<char> = "一二\n三四".chars().collect();
        let advances = vec![1.0; chars.len()];
        let broken = break_lines(&chars, &advances, 10.0, 10.0);
        assert_eq!(broken.len(), 2);
        assert!(broken[0].ends_paragraph && broken[1].ends_paragraph);
        assert_eq!((broken[1].start, broken[1].end), (3, 5));
    }

    #[test]
    fn opportunities_are_where_a_justified_line_stretches() {
        let chars: Vec<char> = "一二三 ab cd".chars().collect();
        let advances: Vec<f32> = chars.iter().map(|&c| advance(c)).collect();
        let broken = break_lines(&chars, &advances, 100.0, 100.0);
        // Before 二, 三, a (after the space) and c (after the space); not inside ab or cd.
        assert_eq!(broken[0].opportunities, [1, 2, 4, 7]);
    }

    #[test]
    fn doubled_dashes_stay_together() {
        for line in lines("一二——三四", 3.0) {
            assert_ne!(line, "—");
            assert!(!line.ends_with("二—"));
        }
    }

    #[test]
    fn an_empty_text_is_one_empty_line() {
        assert_eq!(lines("", 3.0), [""]);
    }
}
