//! The staff web application: `/` answers its page and `/app/…` its built files, which build.rs
//! embedded from web/dist so that the one binary still deploys alone. The application itself
//! talks to the API under /api/v1 with the session cookie.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::problem::Problem;
use crate::http::query::{NoParams, Query};

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// What the page may load: only this service (no CDN, no inline script). OpenLayers positions
/// its overlays with inline styles; photos and drawn canvases come back as blob:/data: URLs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// A file to answer: its bytes (compiled in, or read from DIMING_WEB_DIR), type and tag.
struct Served {
    bytes: std::borrow::Cow<'static, [u8]>,
    content_type: &'static str,
    tag: String,
}

/// A file of the application by its path under /app/. While developing the front-end,
/// `DIMING_WEB_DIR=web/dist` serves the folder as it is now instead of the copy compiled in,
/// so `npm run build` needs no cargo build (the variable is for development only).
fn asset_named(path: &str) -> Option<Served> {
    if let Some(dir) = std::env::var_os("DIMING_WEB_DIR") {
        return from_folder(std::path::Path::new(&dir), path);
    }
    WEB_ASSETS
        .iter()
        .find(|(name, ..)| *name == path)
        .map(|(_, bytes, content_type, tag)| Served {
            bytes: std::borrow::Cow::Borrowed(bytes),
            content_type,
            tag: (*tag).to_string(),
        })
}

fn from_folder(dir: &std::path::Path, path: &str) -> Option<Served> {
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return None;
    }
    let bytes = std::fs::read(dir.join(path)).ok()?;
    let content_type = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    Some(Served {
        tag: format!("{:016x}", bytes.len()),
        bytes: std::borrow::Cow::Owned(bytes),
        content_type,
    })
}

/// `GET /`: the application's page (sign-in first), never cached so a new build is picked up.
pub async fn index(_query: Query<NoParams>, request: HttpRequest) -> HttpResponse {
    match asset_named("index.html") {
        Some(asset) => answer(&request, &asset, "no-cache"),
        None => HttpResponse::ServiceUnavailable()
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT),
    }
}

/// `GET /app/{path}`: a built file; the bundles carry a content hash in their names, so they
/// are cached for good.
pub async fn asset(
    _query: Query<NoParams>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let asset = asset_named(path.as_str()).ok_or_else(|| {
        Problem::not_found(format!(
            "/app/{} is not a file of the application",
            path.as_str()
        ))
    })?;
    let caching = if path.starts_with("assets/") && path.contains('-') {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = answer(&request, &asset, caching);
    if path.as_str() == "sw.js" {
        // The service worker lives under /app/ but keeps the page at / for offline field work.
        response.headers_mut().insert(
            header::HeaderName::from_static("service-worker-allowed"),
            HeaderValue::from_static("/"),
        );
    }
    Ok(response)
}

fn answer(request: &HttpRequest, asset: &Served, caching: &'static str) -> HttpResponse {
    let etag = format!("\"{}\"", asset.tag);
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, caching))
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("Referrer-Policy", "same-origin"));
    if unchanged {
        response.finish()
    } else {
        let body = match &asset.bytes {
            std::borrow::Cow::Borrowed(bytes) => actix_web::web::Bytes::from_static(bytes),
            std::borrow::Cow::Owned(bytes) => actix_web::web::Bytes::copy_from_slice(bytes),
        };
        response.content_type(asset.content_type).body(body)
    }
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>diming</title>\
<h1>网页应用尚未构建 · The web application was not built</h1>\
<p>这个程序编译时没有 web/dist。请先运行 <code>npm ci --prefix web &amp;&amp; npm run build --prefix web</code>，再重新编译（<code>bash .ci/serve</code> 会自动完成）。</p>\
<p>This binary was compiled without web/dist. Run <code>npm ci --prefix web &amp;&amp; npm run build --prefix web</code>, then build again (<code>bash .ci/serve</code> does both). The API is under <a href=\"/api/v1/version\">/api/v1</a>.</p></html>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_has_a_content_type_and_a_tag() {
        for (name, _, content_type, tag) in WEB_ASSETS {
            assert!(!content_type.is_empty(), "{name}");
            assert_eq!(tag.len(), 16, "{name}");
        }
    }
}
