//! GeoPackage geometry blobs (OGC 12-128r18 §2.1.3): the `GP` header with the system's id and
//! the envelope, then the geometry as ISO WKB, little-endian. Written and read here so that the
//! GeoPackage tables can go through the service's own SQLite driver.

use geo::{
    BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};

/// Encodes a geometry as a GeoPackage blob in system `srs_id`, with its XY envelope.
///
/// ```
/// use diming::domain::exchange::gpkg_blob::{decode, encode};
/// let point = geo::Geometry::Point(geo::Point::new(120.89, 30.94));
/// let blob = encode(&point, 4490);
/// assert_eq!(&blob[..2], b"GP");
/// assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4490);
/// assert_eq!(decode(&blob).unwrap(), (point, 4490));
/// ```
pub fn encode(geometry: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0); // version 1
    let envelope = geometry.bounding_rect();
    // Bit 0: little-endian; bits 1–3: envelope [minx, maxx, miny, maxy] (1) or none (0).
    let flags: u8 = if envelope.is_some() {
        0b0000_0011
    } else {
        0b0001_0001
    };
    out.push(flags);
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(rect) = envelope {
        for value in [rect.min().x, rect.max().x, rect.min().y, rect.max().y] {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    write_wkb(geometry, &mut out);
    out
}

/// Decodes a GeoPackage blob into the geometry and its system's id; a blob that is not one is
/// refused with why.
pub fn decode(blob: &[u8]) -> Result<(Geometry<f64>, i32), String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("not a GeoPackage geometry (no GP header)".into());
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err("an extended GeoPackage geometry, which the register does not read".into());
    }
    let little = flags & 1 == 1;
    let srs_bytes: [u8; 4] = blob[4..8].try_into().map_err(|_| "a short header")?;
    let srs_id = if little {
        i32::from_le_bytes(srs_bytes)
    } else {
        i32::from_be_bytes(srs_bytes)
    };
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("envelope code {other} is not defined")),
    };
    let start = 8 + envelope_len;
    if blob.len() < start {
        return Err("a truncated GeoPackage geometry header".into());
    }
    let mut reader = Wkb {
        bytes: &blob[start..],
        at: 0,
    };
    let geometry = reader.geometry()?;
    Ok((geometry, srs_id))
}

fn write_wkb(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    let header = |out: &mut Vec<u8>, kind: u32| {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    };
    let coord = |out: &mut Vec<u8>, c: &Coord<f64>| {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    };
    let count = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u32).to_le_bytes());
    let line = |out: &mut Vec<u8>, line: &LineString<f64>| {
        count(out, line.0.len());
        for c in &line.0 {
            coord(out, c);
        }
    };
    let rings = |out: &mut Vec<u8>, polygon: &Polygon<f64>| {
        count(out, 1 + polygon.interiors().len());
        line(out, polygon.exterior());
        for ring in polygon.interiors() {
            line(out, ring);
        }
    };
    match geometry {
        Geometry::Point(p) => {
            header(out, 1);
            coord(out, &p.0);
        }
        Geometry::LineString(l) => {
            header(out, 2);
            line(out, l);
        }
        Geometry::Polygon(p) => {
            header(out, 3);
            rings(out, p);
        }
        Geometry::MultiPoint(m) => {
            header(out, 4);
            count(out, m.0.len());
            for p in &m.0 {
                write_wkb(&Geometry::Point(*p), out);
            }
        }
        Geometry::MultiLineString(m) => {
            header(out, 5);
            count(out, m.0.len());
            for l in &m.0 {
                header(out, 2);
                line(out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            header(out, 6);
            count(out, m.0.len());
            for p in &m.0 {
                header(out, 3);
                rings(out, p);
            }
        }
        Geometry::GeometryCollection(c) => {
            header(out, 7);
            count(out, c.0.len());
            for g in &c.0 {
                write_wkb(g, out);
            }
        }
        Geometry::Line(l) => write_wkb(&Geometry::LineString(LineString::from(*l)), out),
        Geometry::Rect(r) => write_wkb(&Geometry::Polygon(r.to_polygon()), out),
        Geometry::Triangle(t) => write_wkb(&Geometry::Polygon(t.to_polygon()), out),
    }
}

struct Wkb<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.at + N;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or("the geometry's WKB is truncated")?;
        self.at = end;
        Ok(slice.try_into().expect("N bytes"))
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let bytes = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let bytes = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(bytes)
        } else {
            f64::from_be_bytes(bytes)
        })
    }

    fn count(&mut self, little: bool) -> Result<usize, String> {
        let n = self.u32(little)? as usize;
        // Each item takes at least 8 bytes: a count beyond what is left is a broken blob.
        if n > self.bytes.len().saturating_sub(self.at) {
            return Err("the geometry's WKB is truncated".into());
        }
        Ok(n)
    }

    fn coords(&mut self, little: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(little)?;
        let y = self.f64(little)?;
        for _ in 2..dims {
            self.f64(little)?;
        }
        Ok(Coord { x, y })
    }

    fn line(&mut self, little: bool, dims: usize) -> Result<LineString<f64>, String> {
        let n = self.count(little)?;
        (0..n)
            .map(|_| self.coords(little, dims))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    }

    fn polygon(&mut self, little: bool, dims: usize) -> Result<Polygon<f64>, String> {
        let n = self.count(little)?;
        let mut rings = (0..n)
            .map(|_| self.line(little, dims))
            .collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString::new(Vec::new()), Vec::new()));
        }
        let exterior = rings.remove(0);
        Ok(Polygon::new(exterior, rings))
    }

    fn geometry(&mut self) -> Result<Geometry<f64>, String> {
        let little = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            other => return Err(format!("byte order {other} is not WKB")),
        };
        let code = self.u32(little)?;
        // ISO codes: 1000s add Z, 2000s M, 3000s ZM; the register keeps X and Y.
        let (kind, dims) = match code / 1000 {
            0 => (code, 2),
            1 | 2 => (code % 1000, 3),
            3 => (code % 1000, 4),
            _ => return Err(format!("WKB geometry type {code} is not known")),
        };
        Ok(match kind {
            1 => Geometry::Point(Point(self.coords(little, dims)?)),
            2 => Geometry::LineString(self.line(little, dims)?),
            3 => Geometry::Polygon(self.polygon(little, dims)?),
            4..=7 => {
                let n = self.count(little)?;
                let parts = (0..n)
                    .map(|_| self.geometry())
                    .collect::<Result<Vec<_>, _>>()?;
                let wrong = || format!("a WKB collection of type {kind} holds another type");
                match kind {
                    4 => Geometry::MultiPoint(MultiPoint(
                        parts
                            .into_iter()
                            .map(|g| match g {
                                Geometry::Point(p) => Ok(p),
                                _ => Err(wrong()),
                            })
                            .collect::<Result<_, _>>()?,
                    )),
                    5 => Geometry::MultiLineString(MultiLineString(
                        parts
                            .into_iter()
                            .map(|g| match g {
                                Geometry::LineString(l) => Ok(l),
                                _ => Err(wrong()),
                            })
                            .collect::<Result<_, _>>()?,
                    )),
                    6 => Geometry::MultiPolygon(MultiPolygon(
                        parts
                            .into_iter()
                            .map(|g| match g {
                                Geometry::Polygon(p) => Ok(p),
                                _ => Err(wrong()),
                            })
                            .collect::<Result<_, _>>()?,
                    )),
                    _ => Geometry::GeometryCollection(geo::GeometryCollection(parts)),
                }
            }
            other => return Err(format!("WKB geometry type {other} is not read")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_polygon_with_a_hole_and_a_multipolygon_read_back() {
        let square = polygon![
            exterior: [(x: 120.0, y: 30.0), (x: 121.0, y: 30.0), (x: 121.0, y: 31.0), (x: 120.0, y: 30.0)],
            interiors: [[(x: 120.2, y: 30.2), (x: 120.4, y: 30.2), (x: 120.4, y: 30.4), (x: 120.2, y: 30.2)]],
        ];
        for geometry in [
            Geometry::Polygon(square.clone()),
            Geometry::MultiPolygon(MultiPolygon(vec![square.clone(), square])),
        ] {
            let blob = encode(&geometry, 4490);
            assert_eq!(decode(&blob).unwrap().0, geometry);
        }
    }

    #[test]
    fn a_truncated_blob_is_refused() {
        let line = Geometry::LineString(LineString::from(vec![(120.0, 30.0), (121.0, 31.0)]));
        let blob = encode(&line, 4490);
        assert!(decode(&blob[..blob.len() - 3]).is_err());
        assert!(decode(b"XX").is_err());
    }

    #[test]
    fn the_envelope_is_minx_maxx_miny_maxy() {
        let line = Geometry::LineString(LineString::from(vec![(120.0, 30.0), (121.0, 31.0)]));
        let blob = encode(&line, 4490);
        let value = |i: usize| f64::from_le_bytes(blob[8 + 8 * i..16 + 8 * i].try_into().unwrap());
        assert_eq!(
            [value(0), value(1), value(2), value(3)],
            [120.0, 121.0, 30.0, 31.0]
        );
    }
}
