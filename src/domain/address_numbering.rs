//! Numbering doors along a road by a jurisdiction's rule: which end a road is numbered from and
//! which side takes the odd numbers (Beijing DB11/T 856-2012: east–west roads from east to west,
//! odd on the north; north–south roads from north to south, odd on the west; dead-end lanes from
//! the entrance, odd on the right — in every case odd on the right of the numbering direction),
//! by sequence or by distance in metres from the start, with a number kept in reserve per
//! length of frontage, and a suffix (12-1, 12之一) for a door between two numbers. Pure: the
//! road's line and the doors already numbered come in, a proposal with its reason goes out.

use serde::{Deserialize, Serialize};

use super::account::Role;
use super::address::{HouseNumber, SuffixStyle};

/// Which way a road runs, which decides the end it is numbered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Numbered from its eastern end westward.
    EastWest,
    /// Numbered from its northern end southward.
    NorthSouth,
    /// A dead-end lane, numbered from its entrance (the road's recorded start) inward.
    DeadEnd,
}

/// How numbers follow the doors of a side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scheme {
    /// One number after the other, door by door (with reserved numbers, see
    /// [`NumberingRules::reserve_every_m`]).
    Sequence,
    /// The number tells the distance from the road's start: one pair of numbers (odd and even)
    /// per `metres_per_pair` metres.
    Distance {
        /// Metres of road per pair of numbers.
        metres_per_pair: f64,
    },
}

/// Which side of the numbering direction takes the odd numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Left of someone walking from the road's numbering start.
    Left,
    /// Right of someone walking from the road's numbering start.
    Right,
}

impl Side {
    /// The name in Chinese (左侧, 右侧).
    pub fn zh(self) -> &'static str {
        match self {
            Self::Left => "左侧",
            Self::Right => "右侧",
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "left" => Some(Self::Left),
            "right" => Some(Self::Right),
            _ => None,
        }
    }
}

/// A jurisdiction's numbering rule: local rules differ, so each is a setting.
///
/// ```
/// use diming::domain::address_numbering::{NumberingRules, Scheme, Side};
///
/// let rules = NumberingRules::default(); // DB11/T 856-2012
/// assert_eq!(rules.scheme, Scheme::Sequence);
/// assert_eq!(rules.odd_side, Side::Right);
/// let json = r#"{"scheme": {"kind": "distance", "metres_per_pair": 10}, "suffix_style": "zhi"}"#;
/// let by_distance: NumberingRules = serde_json::from_str(json).unwrap();
/// assert_eq!(by_distance.scheme, Scheme::Distance { metres_per_pair: 10.0 });
/// assert!(by_distance.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NumberingRules {
    /// Sequence or distance in metres.
    pub scheme: Scheme,
    /// With a sequence: one number is kept per this many metres of frontage, so a gap between
    /// two doors keeps numbers free for the doors that will be built in it.
    pub reserve_every_m: Option<f64>,
    /// The side of the numbering direction with the odd numbers.
    pub odd_side: Side,
    /// How a door between two numbers is written.
    pub suffix_style: SuffixStyle,
    /// How far from its road's line a door may stand, in metres.
    pub max_offset_m: f64,
    /// The roles that may assign numbers here (the public security bureau in some cities,
    /// civil affairs in others: who the office's accounts are).
    pub assigning_roles: Vec<Role>,
    /// The working days within which an owner's application is decided.
    pub decision_working_days: u32,
    /// The days within which a renamed road's plates are replaced once its new numbers apply.
    pub replacement_days: u32,
    /// Whether a renamed road is renumbered only once its renaming is announced through the
    /// naming procedure (the rule in most places); off where renamings decided before this
    /// register existed are entered in the road's record directly.
    pub renumber_after_announcement: bool,
}

impl Default for NumberingRules {
    fn default() -> Self {
        Self {
            scheme: Scheme::Sequence,
            reserve_every_m: None,
            odd_side: Side::Right,
            suffix_style: SuffixStyle::Hyphen,
            max_offset_m: 100.0,
            assigning_roles: vec![Role::Admin, Role::Editor],
            decision_working_days: 10,
            replacement_days: 90,
            renumber_after_announcement: true,
        }
    }
}

impl NumberingRules {
    /// Checks the numbers of the rule are usable; the message names the setting.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if let Scheme::Distance { metres_per_pair } = self.scheme
            && !(metres_per_pair.is_finite() && (1.0..=1000.0).contains(&metres_per_pair))
        {
            return Err((
                "scheme.metres_per_pair",
                "between 1 and 1000 metres of road per pair of numbers".into(),
            ));
        }
        if let Some(m) = self.reserve_every_m
            && !(m.is_finite() && (1.0..=1000.0).contains(&m))
        {
            return Err((
                "reserve_every_m",
                "between 1 and 1000 metres of frontage per number".into(),
            ));
        }
        if !(self.max_offset_m.is_finite() && (1.0..=5000.0).contains(&self.max_offset_m)) {
            return Err(("max_offset_m", "between 1 and 5000 metres".into()));
        }
        if !(1..=60).contains(&self.decision_working_days) {
            return Err((
                "decision_working_days",
                "between 1 and 60 working days".into(),
            ));
        }
        if !(1..=3650).contains(&self.replacement_days) {
            return Err((
                "replacement_days",
                "between 1 and 3650 days to replace a renamed road's plates".into(),
            ));
        }
        if self.assigning_roles.is_empty() {
            return Err((
                "assigning_roles",
                "at least one role assigns numbers".into(),
            ));
        }
        Ok(())
    }

    /// Whether a side takes odd numbers.
    pub fn odd_on(&self, side: Side) -> bool {
        side == self.odd_side
    }

    /// The first number of a side: 1 on the odd side, 2 on the even.
    fn first(&self, side: Side) -> u32 {
        if self.odd_on(side) { 1 } else { 2 }
    }

    /// Checks a number belongs on `side`: `None` when it does, the reason when not.
    ///
    /// ```
    /// use diming::domain::address::HouseNumber;
    /// use diming::domain::address_numbering::{NumberingRules, Side};
    ///
    /// let rules = NumberingRules::default();
    /// assert!(rules.wrong_side(HouseNumber::plain(7), Side::Right).is_none());
    /// assert!(rules.wrong_side(HouseNumber::with_suffix(8, 1), Side::Right).unwrap().contains("odd"));
    /// ```
    pub fn wrong_side(&self, number: HouseNumber, side: Side) -> Option<String> {
        let odd = self.odd_on(side);
        (number.is_odd() != odd).then(|| {
            format!(
                "{} is {} but the door stands on the {} side ({}) of the road's numbering direction, which takes {} numbers",
                number.bare(self.suffix_style),
                if number.is_odd() { "odd" } else { "even" },
                side.as_str(),
                side.zh(),
                if odd { "odd" } else { "even" },
            )
        })
    }
}

/// What a road record says about its own numbering: stored with the road.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RoadNumbering {
    /// How the road runs; taken from its line's ends when not given.
    pub orientation: Option<Orientation>,
    /// The point numbering starts from (its nearer end of the line is the start); by the
    /// orientation's rule when not given (the eastern or northern end; a lane's first vertex).
    pub start: Option<[f64; 2]>,
    /// For a road with doors on one side only (a river or a railway on the other): that side.
    /// Its doors take that side's parity and a door on the other side is refused.
    pub doors_on: Option<Side>,
}

/// Why a road's line cannot be numbered along.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    /// The geometry is not a line of at least two distinct points.
    #[error("the road's geometry is not a line of at least two distinct points")]
    NotALine,
}

/// Mean Earth radius (metres), for the local plane a road is measured in.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A road's line turned the way it is numbered, in a local plane in metres (equirectangular
/// about its start: over a few kilometres of road its lengths are within a fraction of a
/// per mille, far below the spacing of doors).
#[derive(Debug, Clone)]
pub struct NumberingLine {
    origin: (f64, f64),
    metres_per_degree_lon: f64,
    points: Vec<(f64, f64)>,
    cumulative_m: Vec<f64>,
    orientation: Orientation,
    doors_on: Option<Side>,
}

/// Where a door point lies relative to its road.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Placement {
    /// The side of the numbering direction.
    pub side: Side,
    /// How far along the road from its numbering start, in metres.
    pub distance_m: f64,
    /// How far off the line, in metres.
    pub offset_m: f64,
}

impl NumberingLine {
    /// Refuses a door on the side a one-sided road has no doors on.
    ///
    /// ```
    /// use diming::domain::address_numbering::{NumberingLine, RoadNumbering, Side};
    ///
    /// let road = RoadNumbering { doors_on: Some(Side::Left), ..Default::default() };
    /// let line = NumberingLine::new(&[(120.90, 30.84), (120.91, 30.84)], &road).unwrap();
    /// // Numbered from the east: left is the south side.
    /// assert!(line.check_side(line.place(120.905, 30.8399)).is_ok());
    /// assert!(line.check_side(line.place(120.905, 30.8401)).is_err());
    /// ```
    pub fn check_side(&self, placement: Placement) -> Result<(), ProposalError> {
        match self.doors_on {
            Some(side) if side != placement.side => Err(ProposalError::OtherSide {
                doors_on: side.as_str(),
                side: placement.side.as_str(),
            }),
            _ => Ok(()),
        }
    }

    /// The line `coordinates` (longitude, latitude) as numbered by `road`'s settings.
    ///
    /// ```
    /// use diming::domain::address_numbering::{NumberingLine, Orientation, RoadNumbering, Side};
    ///
    /// // An east–west road drawn from west to east: it is numbered from its eastern end.
    /// let line = NumberingLine::new(&[(120.90, 30.84), (120.91, 30.84)], &RoadNumbering::default()).unwrap();
    /// assert_eq!(line.orientation(), Orientation::EastWest);
    /// let north_side = line.place(120.909, 30.8401);
    /// assert_eq!(north_side.side, Side::Right); // walking west, north is on the right
    /// assert!((north_side.distance_m - 95.6).abs() < 0.5);
    /// assert!((north_side.offset_m - 11.1).abs() < 0.2);
    /// ```
    pub fn new(coordinates: &[(f64, f64)], road: &RoadNumbering) -> Result<Self, LineError> {
        let mut coordinates: Vec<(f64, f64)> = coordinates.to_vec();
        coordinates.dedup();
        if coordinates.len() < 2
            || coordinates
                .iter()
                .any(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            return Err(LineError::NotALine);
        }
        let (first, last) = (coordinates[0], coordinates[coordinates.len() - 1]);
        let cos = first.1.to_radians().cos();
        let orientation = road.orientation.unwrap_or_else(|| {
            if ((last.0 - first.0) * cos).abs() >= (last.1 - first.1).abs() {
                Orientation::EastWest
            } else {
                Orientation::NorthSouth
            }
        });
        let reverse = match road.start {
            Some([lon, lat]) => {
                let d = |p: (f64, f64)| ((p.0 - lon) * cos).powi(2) + (p.1 - lat).powi(2);
                d(last) < d(first)
            }
            None => match orientation {
                Orientation::EastWest => last.0 > first.0,
                Orientation::NorthSouth => last.1 > first.1,
                Orientation::DeadEnd => false,
            },
        };
        if reverse {
            coordinates.reverse();
        }
        let origin = coordinates[0];
        let metres_per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let metres_per_degree_lon = metres_per_degree * origin.1.to_radians().cos();
        let points: Vec<(f64, f64)> = coordinates
            .iter()
            .map(|&(lon, lat)| {
                (
                    (lon - origin.0) * metres_per_degree_lon,
                    (lat - origin.1) * metres_per_degree,
                )
            })
            .collect();
        let mut cumulative_m = vec![0.0];
        for pair in points.windows(2) {
            let length = (pair[1].0 - pair[0].0).hypot(pair[1].1 - pair[0].1);
            cumulative_m.push(cumulative_m.last().copied().unwrap_or(0.0) + length);
        }
        if cumulative_m.last().copied().unwrap_or(0.0) <= 0.0 {
            return Err(LineError::NotALine);
        }
        Ok(Self {
            origin,
            metres_per_degree_lon,
            points,
            cumulative_m,
            orientation,
            doors_on: road.doors_on,
        })
    }

    /// How the road runs.
    pub fn orientation(&self) -> Orientation {
        self.orientation
    }

    /// The road's length in metres.
    pub fn length_m(&self) -> f64 {
        self.cumulative_m.last().copied().unwrap_or(0.0)
    }

    /// Where the numbering starts (longitude, latitude).
    pub fn start(&self) -> (f64, f64) {
        self.origin
    }

    /// Where a point lies: side, distance along and distance off the line (measured to the
    /// nearest segment).
    pub fn place(&self, lon: f64, lat: f64) -> Placement {
        let metres_per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let p = (
            (lon - self.origin.0) * self.metres_per_degree_lon,
            (lat - self.origin.1) * metres_per_degree,
        );
        let mut best = (f64::INFINITY, 0.0, Side::Right);
        for (i, pair) in self.points.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let length2 = dx * dx + dy * dy;
            if length2 == 0.0 {
                continue;
            }
            let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0);
            let closest = (a.0 + t * dx, a.1 + t * dy);
            let offset = (p.0 - closest.0).hypot(p.1 - closest.1);
            if offset < best.0 {
                // Left of a→b when the cross product is positive.
                let cross = dx * (p.1 - a.1) - dy * (p.0 - a.0);
                let side = if cross > 0.0 { Side::Left } else { Side::Right };
                best = (offset, self.cumulative_m[i] + t * length2.sqrt(), side);
            }
        }
        Placement {
            side: best.2,
            distance_m: best.1,
            offset_m: best.0,
        }
    }
}

/// A door already numbered on the same side of the same road.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Neighbour {
    /// Its number.
    pub number: HouseNumber,
    /// How far along the road it stands, in metres.
    pub distance_m: f64,
}

/// A number put forward for a door, with the neighbours it falls between and why: staff confirm
/// or change it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// Where the door lies.
    pub placement: Placement,
    /// Whether its side takes odd numbers.
    pub odd: bool,
    /// The number proposed.
    pub number: HouseNumber,
    /// The numbered door before it on its side, if any.
    pub after: Option<Neighbour>,
    /// The numbered door after it on its side, if any.
    pub before: Option<Neighbour>,
    /// Why this number, in words.
    pub reason: String,
}

/// Why no number can be proposed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProposalError {
    /// The point is farther from the road than the rule allows.
    #[error(
        "the door stands {offset_m:.0} m from the road's line, farther than the {max_m:.0} m a door may stand off its road (max_offset_m)"
    )]
    FarFromRoad {
        /// Measured offset.
        offset_m: f64,
        /// The rule's limit.
        max_m: f64,
    },
    /// The road has doors on one side only, and the door stands on the other.
    #[error(
        "the road has doors on its {doors_on} side only (a one-sided road, numbered with that side's parity), but the door stands on its {side} side: check the point or the road's doors_on setting"
    )]
    OtherSide {
        /// The side the road's doors are on.
        doors_on: &'static str,
        /// The side the door stands on.
        side: &'static str,
    },
    /// Before the first number of its side there is no number left.
    #[error(
        "the door stands before {first} on its side, which is already the side's first number: there is no number before it; renumber the side"
    )]
    NoRoomBefore {
        /// The side's first number, already taken.
        first: HouseNumber,
    },
}

/// Proposes a number for a door at `placement`, among `neighbours` (the numbered doors on the
/// same side of the road, in any order).
///
/// ```
/// use diming::domain::address::HouseNumber;
/// use diming::domain::address_numbering::{propose, Neighbour, NumberingRules, Placement, Side};
///
/// let rules = NumberingRules::default();
/// let at = |n: u32, d: f64| Neighbour { number: HouseNumber::plain(n), distance_m: d };
/// let door = Placement { side: Side::Right, distance_m: 45.0, offset_m: 8.0 };
/// // Between 11 and 13 there is no odd number left: the new door is 11-1.
/// let proposal = propose(&rules, door, &[at(11, 40.0), at(13, 50.0)]).unwrap();
/// assert_eq!(proposal.number, HouseNumber::with_suffix(11, 1));
/// assert!(proposal.reason.contains("between 11 and 13"));
/// ```
pub fn propose(
    rules: &NumberingRules,
    placement: Placement,
    neighbours: &[Neighbour],
) -> Result<Proposal, ProposalError> {
    if placement.offset_m > rules.max_offset_m {
        return Err(ProposalError::FarFromRoad {
            offset_m: placement.offset_m,
            max_m: rules.max_offset_m,
        });
    }
    let side = placement.side;
    let odd = rules.odd_on(side);
    let first = rules.first(side);
    let d = placement.distance_m;
    let mut sorted: Vec<Neighbour> = neighbours.to_vec();
    sorted.sort_by_key(|a| a.number);
    let taken = |n: HouseNumber| sorted.iter().any(|x| x.number == n);
    let after = sorted
        .iter()
        .filter(|n| n.distance_m <= d)
        .max_by(|a, b| a.number.cmp(&b.number))
        .copied();
    let before = sorted
        .iter()
        .filter(|n| n.distance_m > d && after.is_none_or(|a| n.number > a.number))
        .min_by(|a, b| a.number.cmp(&b.number))
        .copied();
    let style = rules.suffix_style;
    let parity = if odd { "odd" } else { "even" };
    let side_words = format!("{} side ({}), {parity} numbers", side.as_str(), side.zh());
    let next_suffix = |n: u32| {
        let used = sorted
            .iter()
            .filter(|x| x.number.number == n)
            .filter_map(|x| x.number.suffix)
            .max()
            .unwrap_or(0);
        HouseNumber::with_suffix(n, used + 1)
    };

    let (number, reason) = match rules.scheme {
        Scheme::Distance { metres_per_pair } => {
            let n = first + 2 * (d / metres_per_pair).floor() as u32;
            let plain = HouseNumber::plain(n);
            if !taken(plain) {
                (
                    plain,
                    format!(
                        "{d:.0} m from the road's start on the {side_words}: one pair of numbers per {metres_per_pair} m gives {}",
                        plain.bare(style)
                    ),
                )
            } else {
                let number = next_suffix(n);
                (
                    number,
                    format!(
                        "{d:.0} m from the road's start on the {side_words}: {} is already a door in the same {metres_per_pair} m, so this one takes the suffix {}",
                        plain.bare(style),
                        number.bare(style)
                    ),
                )
            }
        }
        Scheme::Sequence => {
            let wanted = match (after, rules.reserve_every_m) {
                (Some(a), Some(every)) => {
                    a.number.number + 2 * (((d - a.distance_m) / every).round() as u32).max(1)
                }
                (Some(a), None) => a.number.number + 2,
                (None, Some(every)) => first + 2 * (d / every).floor() as u32,
                (None, None) => first,
            };
            let limit = before.map(|b| b.number.number);
            match (after, limit) {
                (_, Some(limit)) if wanted < limit => (
                    HouseNumber::plain(wanted),
                    between_words(after, before, &side_words, wanted, rules),
                ),
                (Some(a), Some(limit)) if a.number.number + 2 < limit => {
                    let n = limit - 2;
                    (
                        HouseNumber::plain(n),
                        between_words(after, before, &side_words, n, rules),
                    )
                }
                (None, Some(limit)) if first < limit => {
                    let n = limit - 2;
                    (
                        HouseNumber::plain(n),
                        between_words(after, before, &side_words, n, rules),
                    )
                }
                (Some(a), Some(_)) => {
                    let number = next_suffix(a.number.number);
                    let b = before.map(|b| b.number.bare(style)).unwrap_or_default();
                    (
                        number,
                        format!(
                            "on the {side_words}, between {} and {b}: no number is free between them, so the door takes the suffix {}",
                            a.number.bare(style),
                            number.bare(style)
                        ),
                    )
                }
                (None, Some(_)) => {
                    return Err(ProposalError::NoRoomBefore {
                        first: before.map_or(HouseNumber::plain(first), |b| b.number),
                    });
                }
                (_, None) => (
                    HouseNumber::plain(wanted),
                    match after {
                        Some(a) => format!(
                            "on the {side_words}, after {} (the last door of the side){}: {wanted}",
                            a.number.bare(style),
                            reserve_words(rules, d - a.distance_m)
                        ),
                        None => format!(
                            "the first door on the {side_words}{}: {wanted}",
                            reserve_words(rules, d)
                        ),
                    },
                ),
            }
        }
    };
    Ok(Proposal {
        placement,
        odd,
        number,
        after,
        before,
        reason,
    })
}

fn reserve_words(rules: &NumberingRules, gap_m: f64) -> String {
    match rules.reserve_every_m {
        Some(every) => format!(", {gap_m:.0} m of frontage with a number kept per {every} m"),
        None => String::new(),
    }
}

fn between_words(
    after: Option<Neighbour>,
    before: Option<Neighbour>,
    side_words: &str,
    n: u32,
    rules: &NumberingRules,
) -> String {
    let style = rules.suffix_style;
    let a = after.map_or_else(|| "the road's start".to_string(), |a| a.number.bare(style));
    let b = before.map_or_else(|| "the road's end".to_string(), |b| b.number.bare(style));
    let reserve = match (after, rules.reserve_every_m) {
        (Some(_), Some(every)) => format!(" (a number kept per {every} m of frontage)"),
        _ => String::new(),
    };
    format!("on the {side_words}, between {a} and {b}{reserve}: {n} is free")
}

/// A door of a road being numbered as a whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoorPoint {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// Numbers every door of a new road at once: each side in order of distance from the start,
/// by the rule. The answer is in the order of `doors`; a door too far from the road is an
/// error in its place and takes no number.
///
/// ```
/// use diming::domain::address::HouseNumber;
/// use diming::domain::address_numbering::{number_road, DoorPoint, NumberingLine, NumberingRules, RoadNumbering};
///
/// // A north–south road: numbered from the north, odd on the west.
/// let line = NumberingLine::new(&[(120.9, 30.85), (120.9, 30.84)], &RoadNumbering::default()).unwrap();
/// let doors = [
///     DoorPoint { lon: 120.8999, lat: 30.8490 }, // west, 111 m from the north end
///     DoorPoint { lon: 120.9001, lat: 30.8495 }, // east
///     DoorPoint { lon: 120.8999, lat: 30.8480 }, // west, farther south
/// ];
/// let numbers: Vec<HouseNumber> = number_road(&line, &NumberingRules::default(), &doors)
///     .into_iter()
///     .map(|p| p.unwrap().number)
///     .collect();
/// assert_eq!(numbers, [HouseNumber::plain(1), HouseNumber::plain(2), HouseNumber::plain(3)]);
/// ```
pub fn number_road(
    line: &NumberingLine,
    rules: &NumberingRules,
    doors: &[DoorPoint],
) -> Vec<Result<Proposal, ProposalError>> {
    let placements: Vec<Placement> = doors.iter().map(|d| line.place(d.lon, d.lat)).collect();
    let mut answers: Vec<Option<Result<Proposal, ProposalError>>> = vec![None; doors.len()];
    for side in [Side::Left, Side::Right] {
        let mut order: Vec<usize> = (0..doors.len())
            .filter(|&i| placements[i].side == side)
            .collect();
        order.sort_by(|&a, &b| {
            placements[a]
                .distance_m
                .total_cmp(&placements[b].distance_m)
        });
        let mut numbered: Vec<Neighbour> = Vec::new();
        for i in order {
            // Each door is proposed among those before it: the last of the side so far.
            let answer = line
                .check_side(placements[i])
                .and_then(|()| propose(rules, placements[i], &numbered));
            if let Ok(proposal) = &answer {
                numbered.push(Neighbour {
                    number: proposal.number,
                    distance_m: proposal.placement.distance_m,
                });
            }
            answers[i] = Some(answer);
        }
    }
    answers.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: u32, d: f64) -> Neighbour {
        Neighbour {
            number: HouseNumber::plain(n),
            distance_m: d,
        }
    }

    fn right(d: f64) -> Placement {
        Placement {
            side: Side::Right,
            distance_m: d,
            offset_m: 5.0,
        }
    }

    fn left(d: f64) -> Placement {
        Placement {
            side: Side::Left,
            distance_m: d,
            offset_m: 5.0,
        }
    }

    // A road drawn west to east at latitude 30.84, 1 km long.
    fn east_west() -> NumberingLine {
        NumberingLine::new(
            &[(120.90, 30.84), (120.9104, 30.84)],
            &RoadNumbering::default(),
        )
        .unwrap()
    }

    #[test]
    fn east_west_roads_are_numbered_from_the_east_with_odd_numbers_north() {
        let line = east_west();
        assert_eq!(line.orientation(), Orientation::EastWest);
        assert_eq!(line.start(), (120.9104, 30.84));
        let north = line.place(120.9100, 30.8401);
        let south = line.place(120.9100, 30.8399);
        assert_eq!((north.side, south.side), (Side::Right, Side::Left));
        let rules = NumberingRules::default();
        assert!(rules.odd_on(north.side) && !rules.odd_on(south.side));
        // Nearer the east end, smaller distance.
        assert!(north.distance_m < line.place(120.905, 30.8401).distance_m);
    }

    #[test]
    fn north_south_roads_are_numbered_from_the_north_with_odd_numbers_west() {
        // Drawn from south to north: turned round.
        let line = NumberingLine::new(&[(120.9, 30.84), (120.9, 30.85)], &RoadNumbering::default())
            .unwrap();
        assert_eq!(line.orientation(), Orientation::NorthSouth);
        assert_eq!(line.start(), (120.9, 30.85));
        let west = line.place(120.8999, 30.845);
        assert_eq!(west.side, Side::Right);
        assert!((west.distance_m - 556.0).abs() < 1.0);
    }

    #[test]
    fn a_dead_end_lane_is_numbered_from_its_entrance_odd_on_the_right() {
        // The lane leaves its road at (120.905, 30.84) going north; drawn from the entrance.
        let road = RoadNumbering {
            orientation: Some(Orientation::DeadEnd),
            start: None,
            doors_on: None,
        };
        let line = NumberingLine::new(&[(120.905, 30.84), (120.905, 30.842)], &road).unwrap();
        assert_eq!(line.start(), (120.905, 30.84));
        // Walking north, east is on the right.
        assert_eq!(line.place(120.9051, 30.841).side, Side::Right);
        // A stored start point turns a line drawn the other way.
        let road = RoadNumbering {
            orientation: Some(Orientation::DeadEnd),
            start: Some([120.905, 30.8399]),
            doors_on: None,
        };
        let drawn_inward =
            NumberingLine::new(&[(120.905, 30.842), (120.905, 30.84)], &road).unwrap();
        assert_eq!(drawn_inward.start(), (120.905, 30.84));
    }

    #[test]
    fn a_one_sided_road_numbers_its_side_with_one_parity_and_refuses_the_other() {
        // West to east, numbered from the east: north is on the right, odd.
        let road = RoadNumbering {
            doors_on: Some(Side::Right),
            ..Default::default()
        };
        let line = NumberingLine::new(&[(120.90, 30.84), (120.9104, 30.84)], &road).unwrap();
        let doors = [
            DoorPoint {
                lon: 120.909,
                lat: 30.8401,
            },
            DoorPoint {
                lon: 120.905,
                lat: 30.8401,
            },
            DoorPoint {
                lon: 120.907,
                lat: 30.8399,
            },
        ];
        let answers = number_road(&line, &NumberingRules::default(), &doors);
        let numbers: Vec<_> = answers[..2]
            .iter()
            .map(|a| a.as_ref().unwrap().number)
            .collect();
        assert_eq!(numbers, [HouseNumber::plain(1), HouseNumber::plain(3)]);
        assert!(matches!(
            answers[2],
            Err(ProposalError::OtherSide {
                doors_on: "right",
                side: "left"
            })
        ));
    }

    #[test]
    fn sequence_numbers_follow_the_doors_of_each_side() {
        let rules = NumberingRules::default();
        assert_eq!(
            propose(&rules, right(10.0), &[]).unwrap().number,
            HouseNumber::plain(1)
        );
        assert_eq!(
            propose(&rules, left(10.0), &[]).unwrap().number,
            HouseNumber::plain(2)
        );
        let after = propose(&rules, right(80.0), &[at(1, 10.0), at(3, 30.0)]).unwrap();
        assert_eq!(after.number, HouseNumber::plain(5));
        assert_eq!(after.after.unwrap().number, HouseNumber::plain(3));
        assert!(after.before.is_none());
    }

    #[test]
    fn reserved_numbers_keep_room_in_the_frontage() {
        // One number kept per 10 m: a door 40 m after 3 skips three numbers of its side.
        let rules = NumberingRules {
            reserve_every_m: Some(10.0),
            ..Default::default()
        };
        let proposal = propose(&rules, right(70.0), &[at(1, 10.0), at(3, 30.0)]).unwrap();
        assert_eq!(proposal.number, HouseNumber::plain(11));
        assert!(proposal.reason.contains("kept per 10 m"));
        // The first door 55 m from the start: five frontages in.
        assert_eq!(
            propose(&rules, left(55.0), &[]).unwrap().number,
            HouseNumber::plain(12)
        );
        // A door later built in the gap takes a reserved number, no suffix.
        let infill = propose(
            &rules,
            right(50.0),
            &[at(1, 10.0), at(3, 30.0), at(11, 70.0)],
        )
        .unwrap();
        assert_eq!(infill.number, HouseNumber::plain(7));
        // Reserved numbers all taken: the largest free one below the next door.
        let crowded = propose(&rules, right(68.0), &[at(3, 30.0), at(11, 70.0)]).unwrap();
        assert_eq!(crowded.number, HouseNumber::plain(9));
    }

    #[test]
    fn a_door_between_two_numbers_takes_a_suffix() {
        let rules = NumberingRules::default();
        let neighbours = [at(10, 40.0), at(12, 60.0), at(14, 80.0)];
        let first = propose(&rules, left(65.0), &neighbours).unwrap();
        assert_eq!(first.number, HouseNumber::with_suffix(12, 1));
        assert_eq!(first.number.written(rules.suffix_style), "12-1号");
        // A second door after 12-1 takes 12-2.
        let mut more = neighbours.to_vec();
        more.push(Neighbour {
            number: first.number,
            distance_m: 65.0,
        });
        let second = propose(&rules, left(70.0), &more).unwrap();
        assert_eq!(second.number, HouseNumber::with_suffix(12, 2));
        let zhi = NumberingRules {
            suffix_style: SuffixStyle::Zhi,
            ..rules.clone()
        };
        assert_eq!(second.number.written(zhi.suffix_style), "12之二号");
        // Between 10 and 14 with 12 free: 12, no suffix.
        let free = propose(&rules, left(50.0), &[at(10, 40.0), at(14, 80.0)]).unwrap();
        assert_eq!(free.number, HouseNumber::plain(12));
    }

    #[test]
    fn nothing_before_the_first_number_of_a_side() {
        let rules = NumberingRules::default();
        assert_eq!(
            propose(&rules, right(5.0), &[at(1, 10.0)]),
            Err(ProposalError::NoRoomBefore {
                first: HouseNumber::plain(1)
            })
        );
        // With room before the first door, the side's first number.
        assert_eq!(
            propose(&rules, right(5.0), &[at(5, 10.0)]).unwrap().number,
            HouseNumber::plain(1)
        );
    }

    #[test]
    fn distance_numbers_tell_the_metres_from_the_start() {
        let rules = NumberingRules {
            scheme: Scheme::Distance {
                metres_per_pair: 10.0,
            },
            ..Default::default()
        };
        // 125 m on the odd side: the 13th pair, number 25; on the even side 26.
        assert_eq!(
            propose(&rules, right(125.0), &[]).unwrap().number,
            HouseNumber::plain(25)
        );
        assert_eq!(
            propose(&rules, left(125.0), &[]).unwrap().number,
            HouseNumber::plain(26)
        );
        // A second door in the same 10 m takes a suffix.
        let second = propose(&rules, right(128.0), &[at(25, 125.0)]).unwrap();
        assert_eq!(second.number, HouseNumber::with_suffix(25, 1));
        assert!(second.reason.contains("same 10 m"));
    }

    #[test]
    fn a_door_far_from_its_road_gets_no_number() {
        let rules = NumberingRules::default();
        let far = Placement {
            offset_m: 250.0,
            ..right(10.0)
        };
        assert!(matches!(
            propose(&rules, far, &[]),
            Err(ProposalError::FarFromRoad { .. })
        ));
    }

    #[test]
    fn the_wrong_side_is_named() {
        let rules = NumberingRules::default();
        assert!(
            rules
                .wrong_side(HouseNumber::plain(12), Side::Left)
                .is_none()
        );
        let message = rules
            .wrong_side(HouseNumber::plain(12), Side::Right)
            .unwrap();
        assert!(
            message.contains("12 is even") && message.contains("右侧"),
            "{message}"
        );
        // A rule with odd numbers on the left turns it round.
        let left_odd = NumberingRules {
            odd_side: Side::Left,
            ..rules
        };
        assert!(
            left_odd
                .wrong_side(HouseNumber::plain(12), Side::Right)
                .is_none()
        );
    }

    #[test]
    fn a_whole_road_numbered_both_conventions() {
        let line = east_west();
        // Doors every 50 m along both sides, given in no order.
        let mut doors = Vec::new();
        for k in (0..10).rev() {
            let lon = 120.9100 - 0.0005 * f64::from(k);
            doors.push(DoorPoint { lon, lat: 30.8401 });
            doors.push(DoorPoint { lon, lat: 30.8399 });
        }
        let sequence: Vec<HouseNumber> = number_road(&line, &NumberingRules::default(), &doors)
            .into_iter()
            .map(|p| p.unwrap().number)
            .collect();
        // The easternmost pair (k = 0) is last in `doors`: 1 north, 2 south.
        assert_eq!(
            sequence[18..],
            [HouseNumber::plain(1), HouseNumber::plain(2)]
        );
        assert_eq!(
            sequence[..2],
            [HouseNumber::plain(19), HouseNumber::plain(20)]
        );
        let by_distance = NumberingRules {
            scheme: Scheme::Distance {
                metres_per_pair: 10.0,
            },
            ..Default::default()
        };
        let numbers: Vec<u32> = number_road(&line, &by_distance, &doors)
            .into_iter()
            .map(|p| p.unwrap().number.number)
            .collect();
        // The road starts 0.0004° (38 m) east of the easternmost doors: pair 3.
        assert_eq!(numbers[18..], [7, 8]);
        // Each step of 0.0005° (47.8 m) moves about five pairs.
        assert_eq!(numbers[16..18], [17, 18]);
    }

    #[test]
    fn rules_check_their_settings() {
        let bad = NumberingRules {
            reserve_every_m: Some(0.0),
            ..Default::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "reserve_every_m");
        let nobody = NumberingRules {
            assigning_roles: vec![],
            ..Default::default()
        };
        assert_eq!(nobody.check().unwrap_err().0, "assigning_roles");
    }
}
