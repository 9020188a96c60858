//! The HTTP edge: parses requests into domain types, calls one `app` use case, and turns every
//! error into problem+json. Routes are registered in `router`, which the tests reuse.

pub mod accounts;
pub mod addresses;
pub mod audit;
pub mod auth;
pub mod body;
pub mod boundaries;
pub mod division_events;
pub mod divisions;
mod errors;
pub mod exchange;
pub mod features;
pub mod gazetteer;
pub mod heritage;
pub mod identity;
pub mod inspections;
pub mod markers;
pub mod meta;
pub mod naming;
pub mod ogc;
pub mod openapi;
pub mod photos;
pub mod places;
pub mod plates;
pub mod precondition;
pub mod problem;
pub mod public;
pub mod query;
pub mod romanize;
pub mod search;
pub mod signs;
pub mod spatial;
pub mod tiles;
pub mod transform;
pub mod uri_limit;
pub mod web_app;

use actix_web::{HttpRequest, middleware, web};

pub use crate::app::{AppState, today};
use problem::Problem;

/// A created resource's answer: `response` with a `Location` header naming `path`.
pub fn created_at(
    mut response: actix_web::HttpResponse,
    path: &str,
) -> Result<actix_web::HttpResponse, Problem> {
    let location =
        actix_web::http::header::HeaderValue::from_str(path).map_err(|_| Problem::internal())?;
    *response.status_mut() = actix_web::http::StatusCode::CREATED;
    response
        .headers_mut()
        .insert(actix_web::http::header::LOCATION, location);
    Ok(response)
}

/// Registers every route of the service.
pub fn router(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::PathConfig::default().error_handler(|error, _req: &HttpRequest| {
            Problem::not_found(format!("no such resource: {error}")).into()
        }),
    )
    .service(
        // Nested scopes and one resource per path: a request is matched by prefix first, so it is
        // tested against a handful of patterns rather than every route of the API.
        web::scope("/api/v1")
            .service(
                web::scope("/signs")
                    .service(web::resource("/{id}/qr.{format}").get(signs::qr))
                    .service(web::resource("").get(signs::list).post(signs::create))
                    .service(web::resource("/qr-sheet").get(signs::qr_sheet))
                    .service(web::resource("/reports").get(signs::reports))
                    .service(web::resource("/reports/{id}").post(signs::handle_report))
                    .service(web::resource("/photos/{id}").get(signs::photo))
                    .service(web::resource("/{id}").get(signs::read).put(signs::update))
                    .service(
                        web::resource("/{id}/maintenance")
                            .get(signs::maintenance_log)
                            .post(signs::record_maintenance),
                    )
                    .service(web::resource("/{id}/photos").post(signs::upload_photo))
                    .service(web::resource("/{id}/scans").get(signs::scans)),
            )
            .service(
                web::scope("/places")
                    // GeoJSON lists shrink several times under gzip.
                    .wrap(middleware::Compress::default())
                    .service(web::resource("").get(places::list).post(places::create))
                    .service(web::resource("/nearest").get(spatial::nearest))
                    .service(web::resource("/{id}").get(places::read).put(places::update))
                    .service(web::resource("/{id}/retire").post(places::retire))
                    .service(web::resource("/{id}/history").get(places::history))
                    .service(web::resource("/{id}/versions/{version}").get(places::read_version)),
            )
            .service(
                web::scope("/addresses")
                    .service(
                        web::resource("")
                            .get(addresses::list)
                            .post(addresses::create),
                    )
                    .service(web::resource("/proposals").post(addresses::propose))
                    .service(web::resource("/geocode").get(addresses::geocode))
                    .service(web::resource("/reverse").get(addresses::reverse))
                    .service(web::resource("/plates").get(addresses::plates))
                    .service(
                        web::resource("/plate-orders")
                            .get(plates::orders)
                            .post(plates::create_order),
                    )
                    .service(web::resource("/plate-orders/{id}").get(plates::order))
                    .service(web::resource("/plate-orders/{id}/stage").post(plates::move_plates))
                    .service(web::resource("/plate-orders/{id}/sheet.pdf").get(plates::sheet))
                    .service(web::resource("/plate-flags/{id}/resolve").post(plates::resolve_flag))
                    .service(
                        web::resource("/applications")
                            .get(addresses::applications)
                            .post(addresses::file_application),
                    )
                    .service(web::resource("/applications/{id}").get(addresses::application))
                    .service(
                        web::resource("/applications/{id}/documents")
                            .get(addresses::documents)
                            .post(addresses::add_document),
                    )
                    .service(
                        web::resource("/applications/{id}/documents/{document}")
                            .get(addresses::document),
                    )
                    .service(
                        web::resource("/applications/{id}/decision")
                            .post(addresses::decide_application),
                    )
                    .service(
                        web::resource("/rules/{jurisdiction}")
                            .get(addresses::read_rules)
                            .put(addresses::set_rules),
                    )
                    .service(web::resource("/roads/{road_id}").put(addresses::road_numbering))
                    .service(
                        web::resource("/roads/{road_id}/numbering").post(addresses::number_road),
                    )
                    .service(
                        web::resource("/roads/{road_id}/renumbering")
                            .post(addresses::renumber_road),
                    )
                    .service(
                        web::resource("/{id}")
                            .get(addresses::read)
                            .put(addresses::update),
                    )
                    .service(web::resource("/{id}/retire").post(addresses::retire))
                    .service(web::resource("/{id}/plate-flags").post(plates::raise_flag))
                    .service(web::resource("/{id}/certificate.pdf").get(addresses::certificate))
                    .service(web::resource("/{id}/history").get(addresses::history))
                    .service(
                        web::resource("/{id}/versions/{version}").get(addresses::read_version),
                    ),
            )
            .service(
                web::scope("/auth")
                    .service(web::resource("/login").post(auth::login))
                    .service(web::resource("/logout").post(auth::logout))
                    .service(web::resource("/me").get(auth::me)),
            )
            // Import and export of the place register (issue 15 item 4).
            .service(
                web::scope("/exchange").service(
                    web::resource("/places")
                        .get(exchange::export)
                        .post(exchange::import),
                ),
            )
            .service(
                web::scope("/divisions")
                    .service(web::resource("").get(divisions::list))
                    .service(web::resource("/{code}").get(divisions::read)),
            )
            .service(
                web::scope("/division-events")
                    .service(
                        web::resource("")
                            .get(division_events::list)
                            .post(division_events::propose),
                    )
                    .service(web::resource("/{id}").get(division_events::read))
                    .service(web::resource("/{id}/approve").post(division_events::approve))
                    .service(web::resource("/{id}/reject").post(division_events::reject)),
            )
            .service(web::resource("/romanize").get(romanize::romanize))
            .service(web::resource("/romanize/check").get(romanize::check))
            .service(web::resource("/search").get(search::search))
            .service(
                web::scope("/markers")
                    .service(web::resource("").get(markers::list).post(markers::create))
                    .service(web::resource("/photos/{id}").get(markers::photo))
                    .service(web::resource("/{number}").get(markers::read))
                    .service(web::resource("/{number}/conditions").post(markers::record_condition))
                    .service(web::resource("/{number}/photos").post(markers::upload_photo)),
            )
            .service(
                web::scope("/inspections")
                    .service(
                        web::resource("")
                            .get(inspections::list)
                            .post(inspections::open),
                    )
                    .service(web::resource("/worklist").get(inspections::worklist))
                    .service(web::resource("/{id}").get(inspections::read))
                    .service(web::resource("/{id}/state").post(inspections::move_to))
                    .service(
                        web::resource("/{id}/findings")
                            .get(inspections::findings_list)
                            .post(inspections::record_finding),
                    )
                    .service(web::resource("/{id}/findings/batch").post(inspections::record_batch))
                    .service(web::resource("/{id}/reconciliation").get(inspections::reconciliation))
                    .service(web::resource("/{id}/threads/{subject}").get(inspections::thread))
                    .service(
                        web::resource("/{id}/threads/{subject}/comments")
                            .post(inspections::comment),
                    )
                    .service(
                        web::resource("/{id}/threads/{subject}/acceptance")
                            .post(inspections::accept),
                    )
                    .service(
                        web::resource("/{id}/disputes")
                            .get(inspections::disputes)
                            .post(inspections::open_dispute),
                    )
                    .service(
                        web::resource("/{id}/disputes/{dispute}/claims").post(inspections::claim),
                    )
                    .service(
                        web::resource("/{id}/disputes/{dispute}/status")
                            .post(inspections::dispute_status),
                    )
                    .service(
                        web::resource("/{id}/tasks")
                            .get(inspections::tasks_list)
                            .post(inspections::create_task),
                    )
                    .service(
                        web::resource("/{id}/tasks/{task}/completion")
                            .post(inspections::complete_task),
                    )
                    .service(web::resource("/{id}/photos").post(inspections::upload_photo))
                    .service(web::resource("/{id}/photos/{photo}").get(inspections::photo))
                    .service(web::resource("/{id}/report").get(inspections::report))
                    .service(web::resource("/{id}/report.html").get(inspections::report_html))
                    .service(web::resource("/{id}/report.pdf").get(inspections::report_pdf))
                    .service(web::resource("/{id}/register.html").get(inspections::register_html))
                    .service(web::resource("/{id}/findings.csv").get(inspections::findings_csv))
                    .service(web::resource("/{id}/map.svg").get(inspections::map_svg))
                    .service(web::resource("/{id}/signatures").post(inspections::sign))
                    .service(web::resource("/{id}/verify").get(inspections::verify)),
            )
            .service(web::resource("/boundaries").get(boundaries::between))
            .service(
                web::scope("/boundary-lines")
                    .service(web::resource("").post(boundaries::create))
                    .service(
                        web::resource("/{line_code}")
                            .get(boundaries::read)
                            .put(boundaries::update),
                    )
                    .service(web::resource("/{line_code}/history").get(boundaries::history)),
            )
            .service(web::resource("/transform").get(transform::transform))
            .service(web::resource("/reverse").get(spatial::reverse))
            .service(web::resource("/health").get(meta::health))
            .service(web::resource("/version").get(meta::version))
            .service(web::resource("/openapi.json").get(openapi::document))
            .service(web::resource("/categories").get(meta::categories))
            .service(web::resource("/audit").get(audit::list))
            .service(
                web::scope("/naming")
                    .service(
                        web::resource("/applications")
                            .get(naming::list)
                            .post(naming::file),
                    )
                    .service(web::resource("/applications/overdue").get(naming::overdue))
                    .service(web::resource("/applications/{id}").get(naming::read))
                    .service(web::resource("/applications/{id}/reports").post(naming::add_report))
                    .service(web::resource("/applications/{id}/notice").post(naming::start_notice))
                    .service(web::resource("/applications/{id}/approve").post(naming::approve))
                    .service(web::resource("/applications/{id}/reject").post(naming::reject))
                    .service(web::resource("/applications/{id}/filing").post(naming::record_filing))
                    .service(
                        web::resource("/applications/{id}/announcement").post(naming::announce),
                    )
                    .service(web::resource("/checks").get(naming::checks))
                    .service(web::resource("/announcements").get(naming::announcements))
                    .service(
                        web::resource("/campaigns")
                            .get(naming::campaigns_list)
                            .post(naming::start_campaign),
                    )
                    .service(web::resource("/campaigns/{id}").get(naming::campaign))
                    .service(web::resource("/campaigns/{id}/items").get(naming::campaign_items))
                    .service(
                        web::resource("/campaigns/{id}/items.csv").get(naming::campaign_export),
                    )
                    .service(
                        web::resource("/campaign-items/{id}/decision").post(naming::decide_item),
                    )
                    .service(
                        web::resource("/heritage")
                            .get(heritage::list)
                            .post(heritage::nominate),
                    )
                    .service(web::resource("/heritage/{id}").get(heritage::read))
                    .service(web::resource("/heritage/{id}/list").post(heritage::put_on_list))
                    .service(web::resource("/heritage/{id}/reject").post(heritage::reject))
                    .service(web::resource("/heritage/{id}/delist").post(heritage::delist))
                    .service(web::resource("/gazetteer/{division}").get(gazetteer::book)),
            )
            .service(
                web::scope("/users")
                    .service(web::resource("").get(accounts::list).post(accounts::create))
                    .service(
                        web::resource("/{id}")
                            .get(accounts::read)
                            .put(accounts::update),
                    )
                    .service(web::resource("/{id}/password").post(accounts::reset_password)),
            ),
    )
    .service(
        web::scope("/public")
            .wrap(middleware::Compress::default())
            .service(web::resource("/naming/notices").get(naming::notices_page))
            .service(web::resource("/naming/notices/{id}/comments").post(naming::comment))
            .service(web::resource("/naming/announcements").get(naming::announcements_page))
            .service(web::resource("/naming/announcements.atom").get(naming::announcements_feed))
            .service(web::resource("/naming/heritage").get(heritage::public_list))
            .service(web::resource("/naming/heritage/{id}").get(heritage::public_page))
            .service(web::resource("/addresses/renumberings").get(plates::public_renumberings))
            .service(web::resource("/addresses/renumberings/{id}").get(plates::public_renumbering)),
    )
    // OGC API - Features for GIS clients; its routes are listed in `ogc::routes`.
    .service(
        web::scope("/ogc")
            // GIS clients page through thousands of features; GeoJSON shrinks several times.
            .wrap(middleware::Compress::default())
            .configure(ogc::routes),
    )
    // Vector tiles of the OGC collections; MVT shrinks to about half under gzip.
    .service(
        web::scope("/tiles")
            .wrap(middleware::Compress::default())
            .service(web::resource("/{collection}/tiles.json").get(tiles::tile_json))
            .service(web::resource("/{collection}/{z}/{x}/{y}.mvt").get(tiles::xyz)),
    )
    // The staff application: its page at /, its built files under /app/.
    .service(web::resource("/").get(web_app::index))
    .service(
        web::scope("/app")
            .wrap(middleware::Compress::default())
            .service(web::resource("/{path:.*}").get(web_app::asset)),
    )
    .service(
        web::scope("/s")
            // The page is read on phones, often on slow networks.
            .wrap(middleware::Compress::default())
            .service(web::resource("/{code}").get(public::sign_page))
            .service(web::resource("/{code}/report").post(public::report)),
    )
    .default_service(web::to(meta::not_found));
}
