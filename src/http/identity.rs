//! Who a request acts for: a bearer token, or the session cookie of the web pages, resolved to
//! a staff `Actor`; no credentials is the anonymous public.

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::problem::Problem;
use crate::app::{AppState, Identity, Staff};

pub const SESSION_COOKIE: &str = "diming_session";

impl FromRequest for Identity {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let trusted_proxies = state
            .as_ref()
            .map(|s| s.settings.trusted_proxies.clone())
            .unwrap_or_default();
        let remote_addr = req.peer_addr().map(|a| a.ip().to_string());
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.strip_prefix("Bearer ")
                    .map(|t| t.trim().to_string())
                    .ok_or(())
            });
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let cross_site_write = cookie.is_some()
            && bearer.is_none()
            && !is_safe(req.method())
            && !same_origin(req, &trusted_proxies);
        Box::pin(async move {
            let token = match (bearer, cookie) {
                (Some(Err(())), _) => {
                    return Err(Problem::unauthenticated(
                        "the Authorization header must be \"Bearer <token>\"",
                    ));
                }
                (Some(Ok(token)), _) => token,
                (None, Some(_)) if cross_site_write => {
                    return Err(Problem::forbidden(
                        "a write signed by the session cookie must come from this site's own pages",
                    ));
                }
                (None, Some(token)) => token,
                (None, None) => {
                    return Ok(Identity {
                        actor: None,
                        token: None,
                        remote_addr,
                    });
                }
            };
            let state = state.ok_or_else(Problem::internal)?;
            let actor = crate::app::accounts::session_actor(&state, &token).await?;
            match actor {
                Some(actor) => Ok(Identity {
                    actor: Some(actor),
                    token: Some(token),
                    remote_addr,
                }),
                None => Err(Problem::unauthenticated(
                    "the session has expired or was ended: sign in again",
                )),
            }
        })
    }
}

impl FromRequest for Staff {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let identity = Identity::from_request(req, payload);
        Box::pin(async move {
            let identity = identity.await?;
            match (identity.actor, identity.token) {
                (Some(actor), Some(token)) => Ok(Staff {
                    actor,
                    token,
                    remote_addr: identity.remote_addr,
                }),
                _ => Err(Problem::unauthenticated(
                    "sign in (POST /api/v1/auth/login) to make changes",
                )),
            }
        })
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers send `Origin` with every cross-site write; when it is present it must name this
/// site exactly, scheme included (see [`request_origin`]).
fn same_origin(req: &HttpRequest, trusted_proxies: &[std::net::IpAddr]) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let Some(own) = request_origin(req, trusted_proxies) else {
        return false;
    };
    origin.trim_end_matches('/').eq_ignore_ascii_case(&own)
}

/// The origin (`http://host:port`) the client reached the service at: the connection's own
/// (`Host`, TLS or not) unless the request comes from a configured reverse proxy, whose
/// `X-Forwarded-Host` and `X-Forwarded-Proto` then say what the client used. `None` without a
/// host.
pub fn request_origin(req: &HttpRequest, trusted_proxies: &[std::net::IpAddr]) -> Option<String> {
    let header_text = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let from_proxy = req
        .peer_addr()
        .is_some_and(|peer| trusted_proxies.contains(&peer.ip()));
    let own_scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    let (scheme, host) = if from_proxy {
        (
            header_text("x-forwarded-proto").unwrap_or_else(|| own_scheme.to_string()),
            header_text("x-forwarded-host").or_else(|| header_text("host")),
        )
    } else {
        (own_scheme.to_string(), header_text("host"))
    };
    Some(format!("{}://{}", scheme.to_ascii_lowercase(), host?))
}
