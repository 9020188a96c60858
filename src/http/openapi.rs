//! The OpenAPI 3.1 document of the whole HTTP API, served at `GET /api/v1/openapi.json`: collected
//! from the `#[utoipa::path]` annotation on each handler and the `ToSchema`/`IntoParams` derives
//! on the types they read and write, so the document changes with the code. This module holds
//! only the glue: the list of operations, the shared problem responses, the security schemes,
//! and the schemas of bodies that are not one Rust type (forms, files).

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::identity::SESSION_COOKIE;
use super::query::{NoParams, Query};

/// The whole API but the staff application's files (`/`, `/app/**`: a web page and its
/// bundles, not an API) and HEAD (answered by every GET handler, without the body).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "diming",
        description = "The place-name office's register: places, divisions, boundaries and markers, signs, joint inspections, the naming procedure, house numbers; OGC API - Features and vector tiles. Every error is `application/problem+json` (`Problem`). Sign in with `POST /api/v1/auth/login` and send the token as `Authorization: Bearer <token>`; the staff pages use the session cookie instead. Operations without security are public.",
    ),
    paths(
        document,
        ogc_landing_slash,
        crate::http::signs::qr::qr,
        crate::http::signs::inventory::list,
        crate::http::signs::inventory::create,
        crate::http::signs::qr::qr_sheet,
        crate::http::signs::reports::reports,
        crate::http::signs::reports::handle_report,
        crate::http::signs::maintenance::photo,
        crate::http::signs::inventory::read,
        crate::http::signs::inventory::update,
        crate::http::signs::maintenance::maintenance_log,
        crate::http::signs::maintenance::record_maintenance,
        crate::http::signs::maintenance::upload_photo,
        crate::http::signs::maintenance::scans,
        crate::http::places::list,
        crate::http::places::create,
        crate::http::exchange::export,
        crate::http::exchange::import,
        crate::http::spatial::nearest,
        crate::http::places::read,
        crate::http::places::update,
        crate::http::places::retire,
        crate::http::places::history,
        crate::http::places::read_version,
        crate::http::addresses::list,
        crate::http::addresses::create,
        crate::http::addresses::propose,
        crate::http::addresses::geocode,
        crate::http::addresses::reverse,
        crate::http::addresses::plates,
        crate::http::plates::orders,
        crate::http::plates::create_order,
        crate::http::plates::order,
        crate::http::plates::move_plates,
        crate::http::plates::sheet,
        crate::http::plates::resolve_flag,
        crate::http::addresses::applications,
        crate::http::addresses::file_application,
        crate::http::addresses::application,
        crate::http::addresses::documents,
        crate::http::addresses::add_document,
        crate::http::addresses::document,
        crate::http::addresses::decide_application,
        crate::http::addresses::read_rules,
        crate::http::addresses::set_rules,
        crate::http::addresses::road_numbering,
        crate::http::addresses::number_road,
        crate::http::addresses::renumber_road,
        crate::http::addresses::read,
        crate::http::addresses::update,
        crate::http::addresses::retire,
        crate::http::plates::raise_flag,
        crate::http::addresses::certificate,
        crate::http::addresses::history,
        crate::http::addresses::read_version,
        crate::http::auth::login,
        crate::http::auth::logout,
        crate::http::auth::me,
        crate::http::divisions::list,
        crate::http::divisions::read,
        crate::http::division_events::list,
        crate::http::division_events::propose,
        crate::http::division_events::read,
        crate::http::division_events::approve,
        crate::http::division_events::reject,
        crate::http::romanize::romanize,
        crate::http::romanize::check,
        crate::http::search::search,
        crate::http::markers::list,
        crate::http::markers::create,
        crate::http::markers::photo,
        crate::http::markers::read,
        crate::http::markers::record_condition,
        crate::http::markers::upload_photo,
        crate::http::inspections::list,
        crate::http::inspections::open,
        crate::http::inspections::worklist,
        crate::http::inspections::read,
        crate::http::inspections::move_to,
        crate::http::inspections::findings_list,
        crate::http::inspections::record_finding,
        crate::http::inspections::record_batch,
        crate::http::inspections::reconciliation,
        crate::http::inspections::thread,
        crate::http::inspections::comment,
        crate::http::inspections::accept,
        crate::http::inspections::disputes,
        crate::http::inspections::open_dispute,
        crate::http::inspections::claim,
        crate::http::inspections::dispute_status,
        crate::http::inspections::tasks_list,
        crate::http::inspections::create_task,
        crate::http::inspections::complete_task,
        crate::http::inspections::upload_photo,
        crate::http::inspections::photo,
        crate::http::inspections::report,
        crate::http::inspections::report_html,
        crate::http::inspections::report_pdf,
        crate::http::inspections::register_html,
        crate::http::inspections::findings_csv,
        crate::http::inspections::map_svg,
        crate::http::inspections::sign,
        crate::http::inspections::verify,
        crate::http::boundaries::between,
        crate::http::boundaries::create,
        crate::http::boundaries::read,
        crate::http::boundaries::update,
        crate::http::boundaries::history,
        crate::http::transform::transform,
        crate::http::spatial::reverse,
        crate::http::meta::health,
        crate::http::meta::version,
        crate::http::meta::categories,
        crate::http::audit::list,
        crate::http::naming::list,
        crate::http::naming::file,
        crate::http::naming::overdue,
        crate::http::naming::read,
        crate::http::naming::add_report,
        crate::http::naming::start_notice,
        crate::http::naming::approve,
        crate::http::naming::reject,
        crate::http::naming::record_filing,
        crate::http::naming::announce,
        crate::http::naming::checks,
        crate::http::naming::announcements,
        crate::http::naming::campaigns_list,
        crate::http::naming::start_campaign,
        crate::http::naming::campaign,
        crate::http::naming::campaign_items,
        crate::http::naming::campaign_export,
        crate::http::naming::decide_item,
        crate::http::heritage::list,
        crate::http::heritage::nominate,
        crate::http::heritage::read,
        crate::http::heritage::put_on_list,
        crate::http::heritage::reject,
        crate::http::heritage::delist,
        crate::http::gazetteer::book,
        crate::http::accounts::list,
        crate::http::accounts::create,
        crate::http::accounts::read,
        crate::http::accounts::update,
        crate::http::accounts::reset_password,
        crate::http::naming::notices_page,
        crate::http::naming::comment,
        crate::http::naming::announcements_page,
        crate::http::naming::announcements_feed,
        crate::http::heritage::public_list,
        crate::http::heritage::public_page,
        crate::http::plates::public_renumberings,
        crate::http::plates::public_renumbering,
        crate::http::tiles::tile_json,
        crate::http::tiles::xyz,
        crate::http::public::sign_page,
        crate::http::public::report,
        crate::http::ogc::landing::landing,
        crate::http::ogc::landing::conformance,
        crate::http::ogc::openapi::definition,
        crate::http::ogc::collections::list,
        crate::http::ogc::collections::read,
        crate::http::ogc::collections::queryables,
        crate::http::ogc::items::list,
        crate::http::ogc::edits::create,
        crate::http::ogc::edits::collection_options,
        crate::http::tiles::ogc,
        crate::http::ogc::items::read,
        crate::http::ogc::edits::replace,
        crate::http::ogc::edits::update,
        crate::http::ogc::edits::retire,
        crate::http::ogc::edits::feature_options,
    ),
    components(
        schemas(super::problem::Problem),
        responses(
            BadRequest,
            Unauthenticated,
            Forbidden,
            NotFound,
            Conflict,
            PreconditionFailed,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            PreconditionRequired,
            TooManyRequests,
            Busy
        )
    ),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default())
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "document",
    tag = "meta",
    responses(
        (status = 200, description = "the OpenAPI 3.1 document of this API", body = Object, content_type = "application/json"),
        (status = 400, response = BadRequest)
    ),
    security(())
)]
pub async fn document(_query: Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}

/// `GET /ogc/`: the landing page again (the same handler as `/ogc`; some clients add the slash).
#[utoipa::path(
    get,
    path = "/ogc/",
    operation_id = "ogc_landing_slash",
    tag = "ogc",
    params(crate::http::ogc::landing::FormatQuery),
    responses(
        (status = 200, description = "the landing page (`f=html` or `Accept: text/html`: a page)", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = BadRequest)
    ),
    security(())
)]
#[allow(dead_code)] // only its annotation is used: the route calls `ogc::landing::landing`
fn ogc_landing_slash() {}

/// The bearer token of `POST /api/v1/auth/login` and the session cookie of the staff pages.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the token of POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "the session cookie the staff pages sign in with; writes must come from this site",
            ))),
        );
    }
}

/// A problem response: `Problem` as `application/problem+json`.
fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
            .build(),
    )
}

/// Declares a problem response that operations name by its type.
macro_rules! problem_response {
    ($name:ident, $description:literal) => {
        problem_response!($name, $description, |response| response);
    };
    ($name:ident, $description:literal, $extend:expr) => {
        #[doc = $description]
        pub struct $name;

        impl<'s> utoipa::ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<Response>) {
                let extend: fn(ResponseBuilder) -> ResponseBuilder = $extend;
                (
                    stringify!($name),
                    extend(problem($description)).build().into(),
                )
            }
        }
    };
}

problem_response!(
    BadRequest,
    "A parameter or the body is not valid (an unknown query parameter included): `errors` names each field."
);
problem_response!(
    Unauthenticated,
    "No valid bearer token or session: sign in with POST /api/v1/auth/login.",
    |response| response.header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(String::schema())
            .description(Some("`Bearer`"))
            .build()
    )
);
problem_response!(
    Forbidden,
    "The account may not do this (its role or jurisdiction), or a cookie-signed write came from another site."
);
problem_response!(NotFound, "No such record, or one the caller may not see.");
problem_response!(
    Conflict,
    "The record is not in a state that allows this, or it already exists."
);
problem_response!(
    PreconditionFailed,
    "`If-Match` names an older version: reload the record, reapply the change and send the new ETag."
);
problem_response!(
    PayloadTooLarge,
    "The body (or a photo in it, by bytes or by pixels) is larger than this route takes."
);
problem_response!(
    UnsupportedMediaType,
    "The body is not of a media type this route takes."
);
problem_response!(
    Unprocessable,
    "Well-formed but at odds with the record (a position outside the divisions named), or a JSON key given twice: `errors` names each field."
);
problem_response!(
    PreconditionRequired,
    "An update needs `If-Match` with the ETag of the version read."
);
problem_response!(
    TooManyRequests,
    "Too many attempts: `Retry-After` says when to try again.",
    |response| response.header(
        "Retry-After",
        HeaderBuilder::new()
            .schema(i64::schema())
            .description(Some("seconds to wait"))
            .build()
    )
);
problem_response!(
    Busy,
    "The register is busy writing other changes; nothing was written: send it again.",
    |response| response.header(
        "Retry-After",
        HeaderBuilder::new()
            .schema(i64::schema())
            .description(Some("seconds to wait"))
            .build()
    )
);

/// A GeoJSON geometry (RFC 7946).
pub struct Geometry;

impl PartialSchema for Geometry {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        let kinds = [
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
            "GeometryCollection",
        ];
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(kinds)),
            )
            .required("type")
            .property(
                "coordinates",
                ArrayBuilder::new().description(Some(
                    "positions (x, y), nested as the type says; absent in a GeometryCollection",
                )),
            )
            .property(
                "geometries",
                ArrayBuilder::new().items(utoipa::openapi::Ref::from_schema_name("Geometry")),
            )
            .into()
    }
}

impl ToSchema for Geometry {}

/// A link of a list: `self`, `next`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by the handlers; this is its schema
pub struct Link {
    rel: String,
    href: String,
}

/// A page of places: a GeoJSON FeatureCollection with the count of all that match.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code, non_snake_case)] // built as JSON by `http::places::list`; this is its schema
pub struct PlaceCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    kind: String,
    #[schema(value_type = Vec<super::features::PlaceFeature>)]
    features: Vec<()>,
    numberMatched: i64,
    numberReturned: i64,
    #[schema(value_type = Vec<Link>)]
    links: Vec<()>,
}

/// `GET /api/v1/health`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::meta`; this is its schema
pub struct Health {
    /// `ok` when the database answers.
    status: String,
    version: String,
}

/// `GET /api/v1/version`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::meta`; this is its schema
pub struct ServiceVersion {
    /// `diming`.
    service: String,
    version: String,
}

/// `GET /api/v1/categories`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::meta`; this is its schema
pub struct Categories {
    categories: Vec<crate::domain::category::Category>,
}

/// A new session: `POST /api/v1/auth/login`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::auth`; this is its schema
pub struct SignedIn {
    /// Send it as `Authorization: Bearer <token>`.
    token: String,
    /// `Bearer`.
    token_type: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    user: crate::domain::account::Actor,
}

/// Who is signed in: `GET /api/v1/auth/me`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::auth`; this is its schema
pub struct SignedInUser {
    user: crate::domain::account::Actor,
}

/// A sign as the API shows it (`http::signs::sign_json`): the record, the URL its QR code
/// carries, and its QR images.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::signs`; this is its schema
pub struct SignAnswer {
    sign: crate::domain::sign::Sign,
    /// The public page the QR code opens (`/s/{code}`).
    url: String,
    qr: QrLinks,
}

/// The QR images of a sign.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::signs`; this is its schema
pub struct QrLinks {
    svg: String,
    png: String,
}

/// A page of signs: `GET /api/v1/signs`.
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)] // built as JSON by `http::signs::list`; this is its schema
pub struct SignList {
    signs: Vec<SignAnswer>,
    numberMatched: i64,
    numberReturned: i64,
}

/// The divisions in force on a day: `GET /api/v1/divisions`.
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)] // built as JSON by `http::divisions::list`; this is its schema
pub struct DivisionList {
    as_of: chrono::NaiveDate,
    numberMatched: i64,
    numberReturned: i64,
    divisions: Vec<crate::store::divisions::DivisionRecord>,
}

/// Every version of a place: `GET /api/v1/places/{id}/history`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::places::history`; this is its schema
pub struct PlaceHistory {
    place_id: i64,
    versions: Vec<crate::domain::version::VersionMeta>,
}

/// Names (and addresses) found: `GET /api/v1/search`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::search::search`; this is its schema
pub struct SearchAnswer {
    /// The text searched for.
    query: String,
    hits: Vec<crate::app::search::Hit>,
    /// The register's addresses matching a text with a number in it.
    addresses: Vec<crate::search::addresses::IndexedAddress>,
}

/// An account as administrators see it: `GET /api/v1/users/{id}` and the writes.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::accounts`; this is its schema
pub struct UserAnswer {
    user: crate::store::accounts::UserRecord,
}

/// The accounts inside the administrator's jurisdiction: `GET /api/v1/users`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::accounts::list`; this is its schema
pub struct UserList {
    users: Vec<crate::store::accounts::UserRecord>,
}

/// One coordinate converted: `GET /api/v1/transform`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::transform`; this is its schema
pub struct Transformed {
    /// The system converted from, as `EPSG:<code>`.
    from: String,
    /// The system converted to.
    to: String,
    /// The coordinate as given (x, y).
    input: [f64; 2],
    x: f64,
    y: f64,
}

/// A place near a point, with its distance: `GET /api/v1/places/nearest`.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)] // built as JSON by `http::spatial::nearest`; this is its schema
pub struct NearPlace {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$")]
    kind: String,
    id: i64,
    #[schema(value_type = Option<Geometry>)]
    geometry: Option<()>,
    properties: crate::domain::place::PlaceProperties,
    /// Geodesic, in metres (0 inside a polygon).
    distance_m: f64,
}

/// The nearest places: a GeoJSON FeatureCollection.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code, non_snake_case)] // built as JSON by `http::spatial::nearest`; this is its schema
pub struct NearPlaces {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    kind: String,
    features: Vec<NearPlace>,
    numberReturned: i64,
}

/// The markers of a boundary line: `GET /api/v1/markers?line=`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::markers::list`; this is its schema
pub struct MarkerList {
    line_code: String,
    markers: Vec<crate::app::markers::MarkerSummary>,
}

/// The GeoJSON export of the register: `GET /api/v1/exchange/places` (`format=geojson`).
#[derive(ToSchema)]
#[allow(dead_code)] // streamed by `app::exchange::export_stream`; this is its schema
pub struct ExportCollection {
    /// Always `FeatureCollection`.
    #[schema(rename = "type", pattern = "^FeatureCollection$")]
    kind: String,
    features: Vec<ExportFeature>,
}

/// One record of an export: its current version with its identity in the properties.
#[derive(ToSchema)]
#[allow(dead_code)] // part of `ExportCollection`
pub struct ExportFeature {
    /// Always `Feature`.
    #[schema(rename = "type", pattern = "^Feature$")]
    kind: String,
    /// The record's id.
    id: i64,
    /// The geometry in CGCS2000 lon/lat, or null.
    #[schema(value_type = Option<Object>)]
    geometry: Option<()>,
    /// `id`, `code`, `version`, then every field of the census record.
    #[schema(value_type = Object)]
    properties: (),
}

/// What an import did: `POST /api/v1/exchange/places`.
#[derive(ToSchema)]
#[allow(dead_code)] // built as JSON by `http::exchange::import`; this is its schema
pub struct ImportAnswer {
    /// The file's name.
    file: String,
    /// Rows that registered a new record.
    created: u64,
    /// Rows that appended a version to their record.
    updated: u64,
    /// Rows equal to their record's current version.
    unchanged: u64,
    /// What a GeoPackage's `markers` layer did, when it has one.
    markers: Option<ImportedMarkers>,
}

/// What the markers layer of an import did.
#[derive(ToSchema)]
#[allow(dead_code)] // part of `ImportAnswer`
pub struct ImportedMarkers {
    /// Markers registered.
    created: u64,
    /// Rows equal to their registered marker.
    unchanged: u64,
}

/// A file: a photo, a PDF, an image, a page or a tile, as bytes.
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/octet-stream")
            .into()
    }
}

impl ToSchema for Binary {}

/// A photo upload: the form's `photo` field, a JPEG or PNG (re-encoded, metadata removed).
#[derive(ToSchema)]
#[allow(dead_code)] // the form is read field by field (`http::photos`); this is its schema
pub struct PhotoForm {
    #[schema(value_type = String, content_media_type = "image/jpeg")]
    photo: Vec<u8>,
}

/// The public's report from a sign's page (`/s/{code}`).
#[derive(ToSchema)]
#[allow(dead_code)] // the form is read field by field (`http::public`); this is its schema
pub struct ReportForm {
    /// What is wrong: `damaged`, `missing`, `wrong`, `other`.
    kind: String,
    /// What the reporter saw.
    text: String,
    /// Left empty by people (a field hidden from them); a robot filling it is ignored.
    website: Option<String>,
    /// `zh` or `en`: the language of the answer page.
    lang: Option<String>,
    #[schema(value_type = Option<String>, content_media_type = "image/jpeg")]
    photo: Option<Vec<u8>>,
}

/// A comment on a naming notice, from the public page's form.
#[derive(ToSchema)]
#[allow(dead_code)] // read by `http::naming::comment`; this is its schema
pub struct CommentForm {
    text: String,
    name: Option<String>,
    contact: Option<String>,
}

#[cfg(test)]
mod tests {
    /// utoipa names a schema after its type and keeps the last of two with one name, so two
    /// documented types of one name would silently share a schema: each needs its own name
    /// (`#[schema(as = …)]`).
    #[test]
    fn no_two_documented_types_share_a_schema_name() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut sources = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let mut seen = std::collections::BTreeMap::<String, String>::new();
        for file in sources {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !(line.trim_start().starts_with("#[derive(") || line.trim() == "#[derive(") {
                    continue;
                }
                // The derive, its attributes and the item they decorate.
                let rest = &lines[i..(i + 20).min(lines.len())];
                let Some(item) = rest.iter().position(|l| {
                    let l = l
                        .trim_start()
                        .trim_start_matches("pub ")
                        .trim_start_matches("pub(crate) ");
                    l.starts_with("struct ") || l.starts_with("enum ")
                }) else {
                    continue;
                };
                let head = rest[..item].join(" ");
                if !head.contains("ToSchema") {
                    continue;
                }
                let name = match head.split("#[schema(as = ").nth(1) {
                    Some(after) => after.split(')').next().unwrap().to_string(),
                    None => rest[item]
                        .split_whitespace()
                        .skip_while(|w| *w != "struct" && *w != "enum")
                        .nth(1)
                        .unwrap()
                        .trim_end_matches(['{', '(', ';'])
                        .split('<')
                        .next()
                        .unwrap()
                        .to_string(),
                };
                let place = format!("{}:{}", file.display(), i + 1);
                if let Some(other) = seen.insert(name.clone(), place.clone()) {
                    panic!("two documented types are named {name}: {other} and {place}");
                }
            }
        }
        assert!(seen.contains_key("Problem"), "{seen:?}");
    }

    #[test]
    fn the_document_is_openapi_3_1_and_names_the_problem_schema() {
        let document: serde_json::Value = serde_json::from_str(super::json()).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["components"]["schemas"]["Problem"].is_object());
    }
}
