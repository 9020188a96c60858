//! A small map drawn from the service's own data as inline SVG: boundaries, the feature, nearby
//! names and the sign's own position, with a scale bar. No tiles, nothing from outside.

use std::fmt::Write;

use super::escape_xml;

use geo::{Coord, Geometry, LineString, Simplify};

/// Metres per degree of latitude (mean); longitude is scaled by cos(latitude).
const METRES_PER_DEGREE: f64 = 111_320.0;
/// Points closer than this on screen are drawn as one.
const MIN_STEP_PX: f64 = 1.0;
/// How far (in pixels) a simplified outline may stray from the recorded one.
const SIMPLIFY_PX: f64 = 1.2;

/// The part of the world the map shows and how big it is drawn.
#[derive(Debug, Clone, Copy)]
pub struct MapView {
    pub center: Coord<f64>,
    pub half_width_m: f64,
    pub width_px: f64,
    pub height_px: f64,
}

impl MapView {
    fn scale(&self) -> f64 {
        self.width_px / 2.0 / self.half_width_m
    }

    fn project(&self, c: Coord<f64>) -> (f64, f64) {
        let metres_per_lon_degree = METRES_PER_DEGREE * self.center.y.to_radians().cos();
        let x = (c.x - self.center.x) * metres_per_lon_degree * self.scale() + self.width_px / 2.0;
        let y = self.height_px / 2.0 - (c.y - self.center.y) * METRES_PER_DEGREE * self.scale();
        (x, y)
    }
}

/// What to draw.
#[derive(Default)]
pub struct MapScene<'a> {
    pub boundaries: Vec<&'a Geometry<f64>>,
    pub feature: Option<&'a Geometry<f64>>,
    pub labels: Vec<(String, Coord<f64>)>,
    pub marker: Option<Coord<f64>>,
}

/// Renders the scene as an `<svg>` element; `title` names it for screen readers.
pub fn render_svg(view: &MapView, scene: &MapScene<'_>, title: &str) -> String {
    let (w, h) = (view.width_px, view.height_px);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{}" class="map"><rect width="{w}" height="{h}" fill="#f4f1ea"/>"##,
        escape_xml(title)
    );
    for boundary in &scene.boundaries {
        let d = path_data(view, boundary);
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="none" stroke="#8a8a8a" stroke-width="1.2" stroke-dasharray="6 3"/>"##
            );
        }
    }
    if let Some(feature) = scene.feature {
        match feature {
            Geometry::Point(p) => {
                let (x, y) = view.project(p.0);
                let _ = write!(
                    svg,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="#1d5fa8"/>"##
                );
            }
            other => {
                let d = path_data(view, other);
                let filled = matches!(other, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
                let fill = if filled { "#1d5fa8" } else { "none" };
                let _ = write!(
                    svg,
                    r##"<path d="{d}" fill="{fill}" fill-opacity="0.12" stroke="#1d5fa8" stroke-width="2.5"/>"##
                );
            }
        }
    }
    for (name, at) in &scene.labels {
        let (x, y) = view.project(*at);
        if (0.0..=w).contains(&x) && (0.0..=h).contains(&y) {
            let _ = write!(
                svg,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#555"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#333">{}</text>"##,
                x + 5.0,
                y - 4.0,
                escape_xml(name)
            );
        }
    }
    if let Some(at) = scene.marker {
        let (x, y) = view.project(at);
        let _ = write!(
            svg,
            r##"<path d="M{x:.1} {y:.1}l-7-14a8 8 0 1 1 14 0z" fill="#c8102e" stroke="#fff" stroke-width="1.5"/>"##
        );
    }
    scale_bar(&mut svg, view);
    svg.push_str("</svg>");
    svg
}

/// A scale bar of a round length near a quarter of the map's width.
fn scale_bar(svg: &mut String, view: &MapView) {
    let target_m = view.half_width_m / 2.0;
    let magnitude = 10f64.powf(target_m.log10().floor());
    let length_m = [5.0, 2.0, 1.0]
        .iter()
        .map(|f| f * magnitude)
        .find(|l| *l <= target_m)
        .unwrap_or(magnitude);
    let length_px = length_m * view.scale();
    let label = if length_m >= 1000.0 {
        format!("{} km", length_m / 1000.0)
    } else {
        format!("{length_m} m")
    };
    let (x, y) = (10.0, view.height_px - 12.0);
    let _ = write!(
        svg,
        r##"<path d="M{x} {:.1}v4h{length_px:.1}v-4" fill="none" stroke="#333" stroke-width="1.5"/><text x="{x}" y="{:.1}" font-size="11" fill="#333">{label}</text>"##,
        y - 4.0,
        y - 7.0,
    );
}

fn path_data(view: &MapView, geometry: &Geometry<f64>) -> String {
    let mut d = String::new();
    let mut rings: Vec<(&LineString<f64>, bool)> = Vec::new();
    match geometry {
        Geometry::LineString(l) => rings.push((l, false)),
        Geometry::MultiLineString(m) => rings.extend(m.0.iter().map(|l| (l, false))),
        Geometry::Polygon(p) => rings.extend(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| (r, true)),
        ),
        Geometry::MultiPolygon(m) => {
            for p in &m.0 {
                rings.extend(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| (r, true)),
                );
            }
        }
        _ => {}
    }
    let margin = 20.0;
    let bounds = (
        -margin,
        -margin,
        view.width_px + margin,
        view.height_px + margin,
    );
    for (line, closed) in rings {
        let projected: Vec<(f64, f64)> = line.0.iter().map(|c| view.project(*c)).collect();
        let points = if closed {
            clip_ring(&projected, bounds)
        } else {
            projected
        };
        // Drop the vertices no screen can show: within a pixel of the line without them.
        let points: Vec<(f64, f64)> = LineString::from(points)
            .simplify(SIMPLIFY_PX)
            .0
            .into_iter()
            .map(|c| (c.x, c.y))
            .collect();
        // Whole pixels, each step relative to the last (`l` once, then bare pairs; a minus sign
        // separates numbers by itself): a phone screen shows no finer detail, and the page
        // stays small on a slow network.
        let mut last: Option<(i64, i64)> = None;
        for (x, y) in points {
            let (x, y) = (x.round() as i64, y.round() as i64);
            match last {
                None => {
                    let _ = write!(d, "M{x} {y}l");
                }
                Some((lx, ly)) => {
                    let (dx, dy) = (x - lx, y - ly);
                    if ((dx * dx + dy * dy) as f64).sqrt() < MIN_STEP_PX {
                        continue;
                    }
                    push_number(&mut d, dx);
                    push_number(&mut d, dy);
                }
            }
            last = Some((x, y));
        }
        if d.ends_with('l') {
            d.pop();
        }
        if closed && last.is_some() {
            d.push('Z');
        }
    }
    d
}

/// Appends a number of path data, with a space before it only where the previous character
/// would run into it (a minus sign needs none).
fn push_number(d: &mut String, n: i64) {
    if n >= 0 && d.chars().last().is_some_and(|c| c.is_ascii_digit()) {
        d.push(' ');
    }
    let _ = write!(d, "{n}");
}

/// Sutherland–Hodgman clipping of a closed ring to a rectangle (min_x, min_y, max_x, max_y).
fn clip_ring(
    ring: &[(f64, f64)],
    (min_x, min_y, max_x, max_y): (f64, f64, f64, f64),
) -> Vec<(f64, f64)> {
    type Edge = (
        fn((f64, f64), f64) -> bool,
        fn((f64, f64), (f64, f64), f64) -> (f64, f64),
    );
    fn cross_x(a: (f64, f64), b: (f64, f64), x: f64) -> (f64, f64) {
        (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0))
    }
    fn cross_y(a: (f64, f64), b: (f64, f64), y: f64) -> (f64, f64) {
        (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y)
    }
    let edges: [(Edge, f64); 4] = [
        ((|p, v| p.0 >= v, cross_x), min_x),
        ((|p, v| p.0 <= v, cross_x), max_x),
        ((|p, v| p.1 >= v, cross_y), min_y),
        ((|p, v| p.1 <= v, cross_y), max_y),
    ];
    let mut output = ring.to_vec();
    for ((inside, cross), value) in edges {
        let input = std::mem::take(&mut output);
        let Some(&last) = input.last() else { break };
        let mut previous = last;
        for &current in &input {
            match (inside(current, value), inside(previous, value)) {
                (true, true) => output.push(current),
                (true, false) => {
                    output.push(cross(previous, current, value));
                    output.push(current);
                }
                (false, true) => output.push(cross(previous, current, value)),
                (false, false) => {}
            }
            previous = current;
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Point, polygon};

    fn view() -> MapView {
        MapView {
            center: Coord { x: 120.9, y: 30.9 },
            half_width_m: 2000.0,
            width_px: 360.0,
            height_px: 240.0,
        }
    }

    #[test]
    fn the_center_is_drawn_in_the_middle() {
        assert_eq!(view().project(Coord { x: 120.9, y: 30.9 }), (180.0, 120.0));
    }

    #[test]
    fn a_huge_ring_is_clipped_to_the_view() {
        let big: Geometry<f64> = polygon![(x: 120.0, y: 30.0), (x: 122.0, y: 30.0), (x: 122.0, y: 32.0), (x: 120.0, y: 32.0), (x: 120.0, y: 30.0)].into();
        let d = path_data(&view(), &big);
        assert!(d.len() < 200, "{d}");
    }

    #[test]
    fn paths_are_whole_pixel_steps() {
        let square: Geometry<f64> = polygon![(x: 120.89, y: 30.89), (x: 120.91, y: 30.89), (x: 120.91, y: 30.91), (x: 120.89, y: 30.91), (x: 120.89, y: 30.89)].into();
        let d = path_data(&view(), &square);
        assert!(d.starts_with('M') && d.ends_with('Z'), "{d}");
        assert!(!d.contains('.'), "{d}");
        // Four sides back to the start: the steps add up to nothing.
        let numbers: Vec<i64> = d[d.find('l').unwrap() + 1..d.len() - 1]
            .replace('-', " -")
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let (sx, sy) = numbers
            .chunks(2)
            .fold((0, 0), |(x, y), c| (x + c[0], y + c[1]));
        assert_eq!((sx, sy), (0, 0), "{d}");
    }

    #[test]
    fn labels_are_escaped() {
        let scene = MapScene {
            labels: vec![("<script>".into(), Coord { x: 120.9, y: 30.9 })],
            feature: None,
            ..Default::default()
        };
        let svg = render_svg(&view(), &scene, "t");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
        let point: Geometry<f64> = Point::new(120.9, 30.9).into();
        let svg = render_svg(
            &view(),
            &MapScene {
                feature: Some(&point),
                ..Default::default()
            },
            "t",
        );
        assert!(svg.contains("<circle"));
    }
}
