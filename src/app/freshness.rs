//! When a cached public page is stale: only when something it shows was written after it was
//! drawn. A page shows its sign, its place, the division chain and the names on its map (within
//! `NEIGHBOURHOOD_M` of where the sign stands), so a place write marks stale only the pages of
//! the ground cells near the place (its old and new extent), a sign write only that sign's
//! pages, and a division change (names of divisions in every chain) every page. A scan from a
//! phone then waits for no office edit elsewhere in the county.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use geo::Rect;

/// How far from its sign a page shows names (the map's widest half-width and the search for
/// nearby names), in metres.
pub const NEIGHBOURHOOD_M: f64 = 12_000.0;

/// The side of a ground cell, in degrees (about 28 km north–south).
const CELL_DEGREES: f64 = 0.25;

/// The clock of writes, and when each thing a page depends on was last written.
#[derive(Debug, Default)]
pub struct Freshness {
    clock: AtomicU64,
    everything: AtomicU64,
    /// Pages without a position on the ground depend on every place write.
    any_place: AtomicU64,
    cells: RwLock<HashMap<(i32, i32), u64>>,
    signs: RwLock<HashMap<String, u64>>,
    /// The last write of any sign, boundary line or marker, for what shows many of them (a
    /// vector tile), by `Kind`.
    kinds: [AtomicU64; 3],
}

/// The records other than places that derived things are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Place-name signs.
    Signs = 0,
    /// Boundary lines.
    BoundaryLines = 1,
    /// Boundary markers.
    Markers = 2,
}

/// What a cached vector tile draws: place records (places and divisions, whose areas are
/// their own records) by where they are, or one other kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Draws {
    /// Place records near the tile.
    Places,
    /// Records of one kind, anywhere.
    Other(Kind),
}

/// A tile covering more ground cells than this is checked against every place write instead
/// of cell by cell (a zoom-3 tile covers thousands of cells).
const MAX_CELLS_CHECKED: i64 = 1024;

/// What a page depends on: its sign's public code and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct PageAnchor {
    /// The sign's public code.
    pub code: String,
    /// Longitude and latitude of the sign (or of its place), when known.
    pub at: Option<(f64, f64)>,
}

/// A rendered page with the moment it was drawn and what it depends on.
#[derive(Debug)]
pub struct CachedPage {
    /// The write clock when the page began to be drawn.
    pub drawn_at: u64,
    /// What the page shows.
    pub anchor: PageAnchor,
    /// The HTML.
    pub html: String,
}

fn cell(lon: f64, lat: f64) -> (i32, i32) {
    (
        (lon / CELL_DEGREES).floor() as i32,
        (lat / CELL_DEGREES).floor() as i32,
    )
}

impl Freshness {
    /// The write clock now: take it before reading what a page shows.
    pub fn now(&self) -> u64 {
        self.clock.load(Ordering::SeqCst)
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether a page drawn at `drawn_at` for `anchor` still shows what is recorded.
    ///
    /// ```
    /// use diming::app::freshness::{Freshness, PageAnchor};
    /// use geo::{Rect, coord};
    /// let freshness = Freshness::default();
    /// let jiashan = PageAnchor { code: "K7QX2M".into(), at: Some((120.89, 30.94)) };
    /// let drawn_at = freshness.now();
    /// // A place edited in Beijing leaves the page of a sign in 嘉善 fresh …
    /// freshness.place_written(Some(Rect::new(coord! { x: 116.39, y: 39.9 }, coord! { x: 116.39, y: 39.9 })));
    /// assert!(freshness.is_fresh(drawn_at, &jiashan));
    /// // … one edited 3 km away does not.
    /// freshness.place_written(Some(Rect::new(coord! { x: 120.92, y: 30.93 }, coord! { x: 120.92, y: 30.93 })));
    /// assert!(!freshness.is_fresh(drawn_at, &jiashan));
    /// ```
    pub fn is_fresh(&self, drawn_at: u64, anchor: &PageAnchor) -> bool {
        // A poisoned lock (a writer panicked) makes every page stale: drawn again, not wrong.
        let place = match anchor.at {
            Some((lon, lat)) => self.cells.read().map_or(u64::MAX, |cells| {
                cells.get(&cell(lon, lat)).copied().unwrap_or(0)
            }),
            None => self.any_place.load(Ordering::SeqCst),
        };
        let sign = self.signs.read().map_or(u64::MAX, |signs| {
            signs.get(&anchor.code).copied().unwrap_or(0)
        });
        let latest = self.everything.load(Ordering::SeqCst).max(place).max(sign);
        latest <= drawn_at
    }

    /// Whether a tile of `extent` (in degrees) drawing `draws`, drawn at `drawn_at`, still shows
    /// what is recorded.
    ///
    /// ```
    /// use diming::app::freshness::{Draws, Freshness, Kind};
    /// use geo::{Rect, coord};
    /// let freshness = Freshness::default();
    /// let jiashan = Rect::new(coord! { x: 120.7, y: 30.7 }, coord! { x: 121.1, y: 31.1 });
    /// let drawn_at = freshness.now();
    /// freshness.place_written(Some(Rect::new(coord! { x: 116.39, y: 39.9 }, coord! { x: 116.39, y: 39.9 })));
    /// assert!(freshness.tile_is_fresh(drawn_at, Draws::Places, jiashan));
    /// freshness.written(Kind::Markers);
    /// assert!(freshness.tile_is_fresh(drawn_at, Draws::Other(Kind::Signs), jiashan));
    /// assert!(!freshness.tile_is_fresh(drawn_at, Draws::Other(Kind::Markers), jiashan));
    /// freshness.place_written(Some(Rect::new(coord! { x: 120.92, y: 30.93 }, coord! { x: 120.92, y: 30.93 })));
    /// assert!(!freshness.tile_is_fresh(drawn_at, Draws::Places, jiashan));
    /// ```
    pub fn tile_is_fresh(&self, drawn_at: u64, draws: Draws, extent: Rect<f64>) -> bool {
        let latest = match draws {
            Draws::Other(kind) => self.kinds[kind as usize].load(Ordering::SeqCst),
            Draws::Places => {
                let (west, south) = cell(extent.min().x, extent.min().y);
                let (east, north) = cell(extent.max().x, extent.max().y);
                let count = (i64::from(east) - i64::from(west) + 1)
                    * (i64::from(north) - i64::from(south) + 1);
                if count > MAX_CELLS_CHECKED {
                    self.any_place.load(Ordering::SeqCst)
                } else {
                    self.cells.read().map_or(u64::MAX, |cells| {
                        (west..=east)
                            .flat_map(|x| (south..=north).map(move |y| (x, y)))
                            .filter_map(|c| cells.get(&c).copied())
                            .max()
                            .unwrap_or(0)
                    })
                }
            }
        };
        latest.max(self.everything.load(Ordering::SeqCst)) <= drawn_at
    }

    /// After a record of `kind` was written (a sign, line or marker): what shows many of them
    /// is stale.
    pub fn written(&self, kind: Kind) {
        let now = self.tick();
        self.kinds[kind as usize].store(now, Ordering::SeqCst);
    }

    /// After a write every page may show (a division change): every page is stale.
    pub fn everything_written(&self) {
        let now = self.tick();
        self.everything.store(now, Ordering::SeqCst);
    }

    /// After a sign was written: its pages are stale.
    pub fn sign_written(&self, code: &str) {
        let now = self.tick();
        self.kinds[Kind::Signs as usize].store(now, Ordering::SeqCst);
        if let Ok(mut signs) = self.signs.write() {
            signs.insert(code.to_ascii_uppercase(), now);
        }
    }

    /// After a place was written, with its extent (old and new, one call each): the pages of
    /// signs within the neighbourhood of it are stale. A place without an extent changes only
    /// the pages without a position.
    pub fn place_written(&self, extent: Option<Rect<f64>>) {
        let now = self.tick();
        self.any_place.store(now, Ordering::SeqCst);
        let Some(extent) = extent else {
            return;
        };
        let margin_lat = NEIGHBOURHOOD_M / 111_320.0;
        let middle = extent.center().y.to_radians().cos().max(0.1);
        let margin_lon = margin_lat / middle;
        let (west, south) = cell(extent.min().x - margin_lon, extent.min().y - margin_lat);
        let (east, north) = cell(extent.max().x + margin_lon, extent.max().y + margin_lat);
        // A province-sized area touches a few hundred cells at most: still cheap.
        if let Ok(mut cells) = self.cells.write() {
            for x in west..=east {
                for y in south..=north {
                    cells.insert((x, y), now);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    fn point(lon: f64, lat: f64) -> Option<Rect<f64>> {
        Some(Rect::new(
            coord! { x: lon, y: lat },
            coord! { x: lon, y: lat },
        ))
    }

    #[test]
    fn a_sign_write_stales_only_that_signs_pages() {
        let freshness = Freshness::default();
        let a = PageAnchor {
            code: "AAAAAA".into(),
            at: Some((120.9, 30.9)),
        };
        let b = PageAnchor {
            code: "BBBBBB".into(),
            at: Some((120.9, 30.9)),
        };
        let drawn_at = freshness.now();
        freshness.sign_written("aaaaaa");
        assert!(!freshness.is_fresh(drawn_at, &a));
        assert!(freshness.is_fresh(drawn_at, &b));
        assert!(
            freshness.is_fresh(freshness.now(), &a),
            "drawn again, fresh"
        );
    }

    #[test]
    fn a_place_write_near_a_cell_border_reaches_the_neighbouring_cell() {
        let freshness = Freshness::default();
        // 120.999 and 121.001 lie in different cells, 200 m apart.
        let page = PageAnchor {
            code: "C".into(),
            at: Some((121.001, 30.9)),
        };
        let drawn_at = freshness.now();
        freshness.place_written(point(120.999, 30.9));
        assert!(!freshness.is_fresh(drawn_at, &page));
    }

    #[test]
    fn a_division_change_stales_every_page_and_unplaced_pages_follow_every_place_write() {
        let freshness = Freshness::default();
        let placed = PageAnchor {
            code: "P".into(),
            at: Some((100.0, 30.0)),
        };
        let unplaced = PageAnchor {
            code: "U".into(),
            at: None,
        };
        let drawn_at = freshness.now();
        freshness.place_written(point(120.0, 30.0));
        assert!(freshness.is_fresh(drawn_at, &placed));
        assert!(!freshness.is_fresh(drawn_at, &unplaced));
        let drawn_at = freshness.now();
        freshness.everything_written();
        assert!(!freshness.is_fresh(drawn_at, &placed));
    }
}
