//! Boundary marker (界桩) numbers by GB/T 17796: the line's code, a three-digit sequence number
//! along the line (from 001, west to east or north to south) and the marker's type letter —
//! Q a single marker; A and B the two markers of a pair sharing one number (A on the side of the
//! smaller division code); C, D and E the three markers of a triple.
#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A marker's type letter: which marker of its number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MarkerType {
    /// A single marker.
    Q,
    /// The marker of a pair on the side of the smaller division code.
    A,
    /// The other marker of a pair.
    B,
    /// The first marker of a triple.
    C,
    /// The second marker of a triple.
    D,
    /// The third marker of a triple.
    E,
}

/// How many markers stand together under one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerGroup {
    /// One marker (Q).
    Single,
    /// Two markers, A and B, one on each side.
    Pair,
    /// Three markers, C, D and E, where three divisions meet.
    Triple,
}

impl MarkerType {
    fn parse(letter: char) -> Option<Self> {
        Some(match letter {
            'Q' => Self::Q,
            'A' => Self::A,
            'B' => Self::B,
            'C' => Self::C,
            'D' => Self::D,
            'E' => Self::E,
            _ => return None,
        })
    }

    /// The type letter as marker numbers end.
    pub fn letter(self) -> char {
        match self {
            Self::Q => 'Q',
            Self::A => 'A',
            Self::B => 'B',
            Self::C => 'C',
            Self::D => 'D',
            Self::E => 'E',
        }
    }

    /// How many markers stand together under a number of this type.
    pub fn group(self) -> MarkerGroup {
        match self {
            Self::Q => MarkerGroup::Single,
            Self::A | Self::B => MarkerGroup::Pair,
            Self::C | Self::D | Self::E => MarkerGroup::Triple,
        }
    }

    /// The types that stand with this one under the same number.
    pub fn group_members(self) -> &'static [MarkerType] {
        match self.group() {
            MarkerGroup::Single => &[Self::Q],
            MarkerGroup::Pair => &[Self::A, Self::B],
            MarkerGroup::Triple => &[Self::C, Self::D, Self::E],
        }
    }
}

/// A marker number such as `330421330482007A`: line 330421330482, marker 007, the A of a pair.
///
/// ```
/// use diming::domain::marker::{MarkerGroup, MarkerId, MarkerIdError};
///
/// let id: MarkerId = "330421330482007a".parse().unwrap();
/// assert_eq!((id.line_code(), id.sequence()), ("330421330482", 7));
/// assert_eq!(id.kind().group(), MarkerGroup::Pair);
/// assert_eq!(id.to_string(), "330421330482007A");
/// assert_eq!(id.companions()[0].to_string(), "330421330482007B");
/// assert_eq!("330421330482000Q".parse::<MarkerId>(), Err(MarkerIdError::ZeroSequence));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MarkerId {
    line_code: String,
    sequence: u16,
    kind: MarkerType,
}

/// Why a text is not a marker number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerIdError {
    /// Not digits followed by a type letter.
    #[error(
        "a marker number is the line code, a three-digit sequence number and a type letter (Q, A, B, C, D or E), such as 330421330482007A"
    )]
    Shape,
    /// The last character is not a type letter.
    #[error("the type letter {0:?} is not one of Q (single), A/B (pair), C/D/E (triple)")]
    Type(char),
    /// The line code part is too short or too long.
    #[error("the line code {0:?} must be 2 to 24 digits")]
    LineCode(String),
    /// The sequence number is 000.
    #[error("sequence numbers start at 001")]
    ZeroSequence,
}

impl MarkerId {
    /// The code of the line the marker stands on.
    pub fn line_code(&self) -> &str {
        &self.line_code
    }

    /// The sequence number along the line, from 1.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// The type letter.
    pub fn kind(&self) -> MarkerType {
        self.kind
    }

    /// The other markers of the same pair or triple (none for a single marker).
    pub fn companions(&self) -> Vec<MarkerId> {
        self.kind
            .group_members()
            .iter()
            .filter(|k| **k != self.kind)
            .map(|k| MarkerId {
                kind: *k,
                ..self.clone()
            })
            .collect()
    }
}

impl FromStr for MarkerId {
    type Err = MarkerIdError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim().to_ascii_uppercase();
        let letter = text.chars().last().ok_or(MarkerIdError::Shape)?;
        if letter.is_ascii_digit() {
            return Err(MarkerIdError::Shape);
        }
        let kind = MarkerType::parse(letter).ok_or(MarkerIdError::Type(letter))?;
        let digits = &text[..text.len() - letter.len_utf8()];
        if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MarkerIdError::Shape);
        }
        let (line_code, sequence) = digits.split_at(digits.len() - 3);
        if !(2..=24).contains(&line_code.len()) {
            return Err(MarkerIdError::LineCode(line_code.to_string()));
        }
        let sequence: u16 = sequence.parse().map_err(|_| MarkerIdError::Shape)?;
        if sequence == 0 {
            return Err(MarkerIdError::ZeroSequence);
        }
        Ok(Self {
            line_code: line_code.to_string(),
            sequence,
            kind,
        })
    }
}

impl fmt::Display for MarkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{:03}{}",
            self.line_code,
            self.sequence,
            self.kind.letter()
        )
    }
}

/// 方位物: a landmark by which a lost marker is found again, with the grid bearing (degrees
/// clockwise from grid north) and the distance from the marker to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceObject {
    /// What it is: 电杆, a named tree, a bridge …
    pub name: String,
    /// Grid bearing from the marker, degrees clockwise from grid north (0 up to 360).
    pub bearing_deg: f64,
    /// Distance from the marker in metres (more than 0, at most 2000).
    pub distance_m: f64,
}

impl ReferenceObject {
    /// Problems with the object, each with its field below `prefix` (`references[0]`).
    pub fn check(&self, prefix: &str) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            problems.push((format!("{prefix}.name"), "1 to 100 characters".to_string()));
        }
        if !(0.0..360.0).contains(&self.bearing_deg) {
            problems.push((
                format!("{prefix}.bearing_deg"),
                format!("{} is not a bearing: 0 up to 360 degrees", self.bearing_deg),
            ));
        }
        // A reference object is chosen within sight of the marker.
        if !(self.distance_m > 0.0 && self.distance_m <= 2_000.0) {
            problems.push((
                format!("{prefix}.distance_m"),
                format!("{} m: more than 0 and at most 2000 m", self.distance_m),
            ));
        }
        problems
    }
}

/// What an inspection found at a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkerCondition {
    /// Standing as set.
    Intact,
    /// Leaning.
    Tilted,
    /// Broken or defaced.
    Damaged,
    /// Covered over.
    Buried,
    /// Not found where it stood.
    Missing,
    /// Destroyed.
    Destroyed,
}

impl MarkerCondition {
    /// The condition as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intact => "intact",
            Self::Tilted => "tilted",
            Self::Damaged => "damaged",
            Self::Buried => "buried",
            Self::Missing => "missing",
            Self::Destroyed => "destroyed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_numbers_parse_and_print_back() {
        let id: MarkerId = "330421330482007a".parse().unwrap();
        assert_eq!(id.line_code(), "330421330482");
        assert_eq!(id.sequence(), 7);
        assert_eq!(id.kind(), MarkerType::A);
        assert_eq!(id.to_string(), "330421330482007A");
        assert_eq!(id.kind().group(), MarkerGroup::Pair);
        assert_eq!(
            id.companions()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["330421330482007B"]
        );
        let triple: MarkerId = "3233120D".parse().unwrap();
        assert_eq!(triple.companions().len(), 2);
        let single: MarkerId = "3233001Q".parse().unwrap();
        assert!(single.companions().is_empty());
    }

    #[test]
    fn reference_objects_need_a_bearing_and_a_distance_in_range() {
        let good = ReferenceObject {
            name: "电杆".into(),
            bearing_deg: 45.5,
            distance_m: 12.3,
        };
        assert!(good.check("references[0]").is_empty());
        let bad = ReferenceObject {
            name: " ".into(),
            bearing_deg: 360.0,
            distance_m: 0.0,
        };
        let fields: Vec<String> = bad.check("r").into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["r.name", "r.bearing_deg", "r.distance_m"]);
    }

    #[test]
    fn malformed_marker_numbers_are_refused_with_the_reason() {
        assert_eq!("".parse::<MarkerId>(), Err(MarkerIdError::Shape));
        assert_eq!(
            "3304213304820071".parse::<MarkerId>(),
            Err(MarkerIdError::Shape)
        );
        assert_eq!(
            "330421330482007X".parse::<MarkerId>(),
            Err(MarkerIdError::Type('X'))
        );
        assert_eq!(
            "330421330482000Q".parse::<MarkerId>(),
            Err(MarkerIdError::ZeroSequence)
        );
        assert_eq!("3304-21007Q".parse::<MarkerId>(), Err(MarkerIdError::Shape));
        assert_eq!(
            "1007Q".parse::<MarkerId>(),
            Err(MarkerIdError::LineCode("1".into()))
        );
    }
}
