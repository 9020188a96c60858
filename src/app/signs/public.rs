//! The public side of a sign, no sign-in: the page its QR code opens (the sign, its place with
//! the division chain, a small map with the nearest public names, the replacement of a retired
//! sign), cached per language until the next write; and a problem report on it, limited per
//! address and per sign. Only public records are ever shown.
#![warn(missing_docs)]

use crate::app::freshness::{CachedPage, PageAnchor};
use std::net::IpAddr;
use std::sync::Arc;

use geo::{Coord, Geometry};

use crate::app::{AppState, today};
use crate::domain::place::{PlaceStatus, ValidPlace};
use crate::domain::sign::{
    PublicCode, REPORT_KINDS, Sign, SignRuleError, SignStatus, report_text_fits,
};
use crate::media::{PhotoError, clean_photo_bounded};
use crate::render::map::{MapScene, MapView, render_svg};
use crate::render::public_page::{self, Lang, PlaceView, SignPage};
use crate::spatial::index::IndexedPlace;
use crate::store::StoreError;
use crate::store::audit::Author;
use crate::store::places::{StoredPlace, VersionSelector};

/// How far around the sign nearby names are looked for, and the map's narrowest and widest
/// half-width: the map widens until it shows the nearest few names.
const SEARCH_RADIUS_M: f64 = 12_000.0;
const MIN_HALF_WIDTH_M: f64 = 1_000.0;
const MAX_HALF_WIDTH_M: f64 = 10_000.0;
const NEARBY_NAMES: usize = 6;
const NAMES_TO_FIT: usize = 3;

/// What can go wrong on the public side of a sign.
///
/// ```
/// use diming::app::signs::public::{PublicError, Refusal};
/// let error = PublicError::Refused { code: "7K3QX9M2D".into(), reason: Refusal::NoKind };
/// assert_eq!(error.to_string(), "report on 7K3QX9M2D refused: no kind of problem chosen");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum PublicError {
    /// No public sign has that code; `typo` when the check character says it was mistyped.
    #[error("no public sign has that code")]
    UnknownCode {
        /// The code is of the right shape but its check character does not match.
        typo: bool,
    },
    /// A report on the sign with `code` was not accepted.
    #[error("report on {code} refused: {reason}")]
    Refused {
        /// The sign's code, as printed.
        code: String,
        /// Why the report was refused.
        reason: Refusal,
    },
    /// Work off the async threads stopped.
    #[error("{0}")]
    Internal(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a public report was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The form could not be read (the edge says why, with the status to answer).
    #[error("{0}")]
    Form(FormRefused),
    /// The honeypot field was filled in: a robot sent it.
    #[error("the form was not filled in by a person")]
    NotAPerson,
    /// Too many reports from the address or on the sign this hour.
    #[error("too many reports")]
    TooMany,
    /// The kind of problem is not one of `REPORT_KINDS`.
    #[error("no kind of problem chosen")]
    NoKind,
    /// The text is empty or longer than 1000 characters.
    #[error("the text is empty or too long")]
    BadText,
    /// The photo is not acceptable.
    #[error(transparent)]
    Photo(#[from] PhotoError),
}

/// A form the edge could not read: the status to answer with and what to tell the reporter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct FormRefused {
    /// The HTTP status of the refusal (the edge's business; kept as a number here).
    pub status: u16,
    /// What went wrong.
    pub detail: String,
}

/// A problem report as the public sends it.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// One of `REPORT_KINDS`.
    pub kind: String,
    /// What is wrong, 1 to 1000 characters.
    pub text: String,
    /// The honeypot field: invisible to people, so empty unless a robot filled it in.
    pub website: String,
    /// A photo of the problem, as uploaded.
    pub photo: Option<Vec<u8>>,
}

/// The sign behind a code and its public place.
async fn public_sign(state: &AppState, code: &str) -> Result<(Sign, StoredPlace), PublicError> {
    let code = PublicCode::parse(code).map_err(|error| PublicError::UnknownCode {
        typo: error == SignRuleError::CheckFailed,
    })?;
    let unknown = || PublicError::UnknownCode { typo: false };
    let sign = state.store.sign_by_code(&code).await?.ok_or_else(unknown)?;
    // A sign of a record that is not public shows nothing of it.
    let place = state
        .store
        .place(sign.place_id, VersionSelector::Current, true)
        .await?
        .ok_or_else(unknown)?;
    Ok((sign, place))
}

/// The page of the sign with `code` in `lang`, counting the scan: from the cache while nothing
/// was written since it was drawn, else drawn again.
pub async fn page(state: &AppState, code: &str, lang: Lang) -> Result<String, PublicError> {
    let code = code.to_ascii_uppercase();
    let key = (code.clone(), lang == Lang::En);
    let drawn_at = state.freshness.now();
    let cached = state.page_cache.get(&key);
    let mut redraw = None;
    if let Some(cached) = &cached {
        // Fresh, or stale while another request draws it again: this one takes the copy drawn
        // before rather than queueing a redraw of its own.
        let serve_cached = state.freshness.is_fresh(cached.drawn_at, &cached.anchor) || {
            redraw = Redraw::claim(state, &key);
            redraw.is_none()
        };
        if serve_cached {
            if let Some(sign_id) = state.sign_ids.get(&code) {
                state.count_scan(sign_id);
            }
            return Ok(cached.html.clone());
        }
    }
    let _redraw = redraw;
    let (sign, place) = public_sign(state, &code).await?;
    state.count_scan(sign.id);
    let page = public_page::sign_page(&page_model(state, lang, &sign, &place).await?);
    let at = sign.position.map(|[lon, lat]| (lon, lat)).or_else(|| {
        crate::app::indexes::place_geometry(&place)
            .and_then(|g| geo::Centroid::centroid(&g))
            .map(|p| (p.x(), p.y()))
    });
    state.page_cache.insert(
        key,
        Arc::new(CachedPage {
            drawn_at,
            anchor: PageAnchor {
                code: code.clone(),
                at,
            },
            html: page.clone(),
        }),
    );
    state.sign_ids.insert(code, sign.id);
    Ok(page)
}

/// Marks a page as being drawn again while it lives (also when the drawing fails).
struct Redraw<'a> {
    state: &'a AppState,
    key: (String, bool),
}

impl<'a> Redraw<'a> {
    /// Claims the redraw of a page; `None` when another request is drawing it already.
    fn claim(state: &'a AppState, key: &(String, bool)) -> Option<Self> {
        let claimed = state
            .pages_in_redraw
            .lock()
            .map_or(true, |mut pages| pages.insert(key.clone()));
        claimed.then(|| Self {
            state,
            key: key.clone(),
        })
    }
}

impl Drop for Redraw<'_> {
    fn drop(&mut self) {
        if let Ok(mut pages) = self.state.pages_in_redraw.lock() {
            pages.remove(&self.key);
        }
    }
}

/// What the page of `sign` shows of it and its `place`.
async fn page_model(
    state: &AppState,
    lang: Lang,
    sign: &Sign,
    place: &StoredPlace,
) -> Result<SignPage, PublicError> {
    let properties = &place.properties;
    let category = state.catalog.get(&properties.category);
    let chain = state
        .division_chain(properties.division_codes.first().map(String::as_str))
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let geometry: Option<Geometry<f64>> = place
        .geometry
        .as_ref()
        .and_then(|g| ValidPlace::parse(properties.clone(), Some(g), &state.catalog, today()).ok())
        .and_then(|v| v.geometry().cloned());
    let center = sign.position.map(|[x, y]| Coord { x, y }).or_else(|| {
        geometry
            .as_ref()
            .and_then(geo::Centroid::centroid)
            .map(|p| p.0)
    });
    let (map_svg, nearby) = match center {
        Some(center) => surroundings(
            state,
            place.id,
            center,
            geometry.as_ref(),
            &properties.standard_name,
            sign.position.is_some(),
        ),
        None => (None, Vec::new()),
    };
    let retired = if sign.status == SignStatus::Retired {
        let replacement = match sign.replaced_by {
            Some(id) => state
                .store
                .sign(id)
                .await?
                .map(|s| format!("/s/{}", s.public_code)),
            None => None,
        };
        Some(replacement)
    } else {
        None
    };
    let heritage = crate::app::naming::heritage::page_of_place(state, place.id).await?;
    Ok(SignPage {
        lang,
        code: sign.public_code.clone(),
        sign_kind: (
            sign.kind.name_zh().to_string(),
            sign.kind.as_str().replace('_', " "),
        ),
        address: sign.address.clone(),
        place: PlaceView {
            standard_name: properties.standard_name.clone(),
            romanization: properties.romanization.clone(),
            english_name: properties
                .alternate_names
                .iter()
                .find(|a| a.language.as_deref() == Some("en"))
                .map(|a| a.name.clone()),
            minority_script_name: properties.minority_script_name.clone(),
            category: category
                .map_or_else(Default::default, |c| (c.name_zh.clone(), c.name_en.clone())),
            division_chain: chain,
            meaning: properties.meaning.clone(),
            history: properties.history.clone(),
            description: properties.description.clone(),
            historical: properties.status == PlaceStatus::Historical,
        },
        position: center.map(|c| (c.x, c.y)),
        map_svg,
        nearby,
        retired,
        heritage,
    })
}

/// A name near the sign: what it is called, how far in metres, where.
type NearbyName = (String, f64, Coord<f64>);

/// The map around `center` and the nearest public names with their distances in metres, from
/// the in-memory spatial index (current records only): a redraw after an edit reads no rows.
fn surroundings(
    state: &AppState,
    place_id: i64,
    center: Coord<f64>,
    feature: Option<&Geometry<f64>>,
    name: &str,
    marker: bool,
) -> (Option<String>, Vec<(String, f64)>) {
    let degrees_lat = SEARCH_RADIUS_M / 111_320.0;
    let degrees_lon = degrees_lat / center.y.to_radians().cos();
    let around = geo::Rect::new(
        Coord {
            x: center.x - degrees_lon,
            y: center.y - degrees_lat,
        },
        Coord {
            x: center.x + degrees_lon,
            y: center.y + degrees_lat,
        },
    );
    let shown = |p: &IndexedPlace| p.public && p.place_id != place_id;
    // Copied out so that the index is not held while the map is drawn.
    let (nearby, boundaries): (Vec<NearbyName>, Vec<Geometry<f64>>) = match state.spatial.read() {
        Ok(index) => (
            index
                .nearest_points(center, NEARBY_NAMES, Some(SEARCH_RADIUS_M), shown)
                .into_iter()
                .map(|hit| (hit.place.name.clone(), hit.distance_m, hit.at))
                .collect(),
            index
                .areas_meeting(around, shown)
                .into_iter()
                .map(|area| Geometry::MultiPolygon(area.shape().clone()))
                .collect(),
        ),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let fit = nearby
        .get(NAMES_TO_FIT.min(nearby.len()).saturating_sub(1))
        .map_or(MIN_HALF_WIDTH_M, |n| n.1 * 1.3);
    let view = MapView {
        center,
        half_width_m: fit.clamp(MIN_HALF_WIDTH_M, MAX_HALF_WIDTH_M),
        width_px: 360.0,
        height_px: 240.0,
    };
    let scene = MapScene {
        boundaries: boundaries.iter().collect(),
        feature: feature.filter(|g| !matches!(g, Geometry::Point(_)) || !marker),
        labels: nearby.iter().map(|(n, _, at)| (n.clone(), *at)).collect(),
        marker: marker.then_some(center),
    };
    let svg = render_svg(&view, &scene, name);
    (
        Some(svg),
        nearby.into_iter().map(|(n, m, _)| (n, m)).collect(),
    )
}

/// Accepts a problem report on the sign with `code` from `address` and opens a ticket; returns
/// the sign's code as printed. The sign is looked up before the form is judged, so an unknown
/// code is answered as such whatever was sent.
pub async fn accept_report(
    state: &AppState,
    code: &str,
    address: Option<IpAddr>,
    form: Result<ReportInput, FormRefused>,
) -> Result<String, PublicError> {
    let (sign, _) = public_sign(state, code).await?;
    let refused = |reason: Refusal| PublicError::Refused {
        code: sign.public_code.clone(),
        reason,
    };
    let form = form.map_err(|e| refused(Refusal::Form(e)))?;
    if !form.website.is_empty() {
        return Err(refused(Refusal::NotAPerson));
    }
    let limited = address.is_some_and(|ip| state.reports_per_address.check_key(&ip).is_err())
        || state.reports_per_sign.check_key(&sign.id).is_err();
    if limited {
        return Err(refused(Refusal::TooMany));
    }
    if !REPORT_KINDS.contains(&form.kind.as_str()) {
        return Err(refused(Refusal::NoKind));
    }
    if !report_text_fits(&form.text) {
        return Err(refused(Refusal::BadText));
    }
    let photo = match form.photo {
        Some(bytes) => {
            let cleaned = clean_photo_bounded(bytes, state.settings.report_photo_limits()).await;
            Some(cleaned.map_err(|e| refused(Refusal::Photo(e)))?)
        }
        None => None,
    };
    let author = Author {
        user_id: None,
        username: "public".into(),
        remote_addr: None,
    };
    state
        .store
        .open_report(
            sign.id,
            &form.kind,
            &form.text,
            photo
                .as_ref()
                .map(|p| (p.media_type, (p.width, p.height), p.bytes.as_slice())),
            &author,
        )
        .await?;
    Ok(sign.public_code)
}
