//! The JSON request body: size-limited, of a JSON media type, and parsed so that an error names
//! the field at fault (`properties.division_codes[1]`) or the line and column of bad syntax.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// The largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(1 << 20, |l| l.0);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let media_type = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if !(media_type == "application/json" || media_type.ends_with("+json")) {
                return Err(Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "Send JSON",
                    format!(
                        "the body must be JSON (Content-Type: application/json or application/geo+json), not {media_type:?}"
                    ),
                ));
            }
            let too_large = || {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    "The body is too large",
                    format!("a request body may have at most {limit} bytes"),
                )
            };
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "body-unreadable",
                        "The body could not be read",
                        e.to_string(),
                    )
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// Parses JSON, turning serde's error into a problem naming the field or position.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "The body is not well-formed JSON",
                format!(
                    "malformed JSON at line {} column {}: {}",
                    inner.line(),
                    inner.column(),
                    strip_position(&inner.to_string())
                ),
            );
        }
        let message = strip_position(&inner.to_string());
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(missing) if path == "." => missing.to_string(),
            Some(missing) => format!("{path}.{missing}"),
            None if path == "." => "body".to_string(),
            None => path,
        };
        Problem::invalid_field(&field, message)
    })?;
    deserializer.end().map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not well-formed JSON",
            strip_position(&e.to_string()),
        )
    })?;
    Ok(value)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::place::PlaceProperties;

    #[test]
    fn a_wrong_type_names_its_path() {
        let problem = parse_json::<PlaceProperties>(
            br#"{"standard_name": "x", "category": "24", "division_codes": [330421]}"#,
        )
        .unwrap_err();
        assert_eq!(problem.errors[0].field, "division_codes[0]");
    }

    #[test]
    fn a_missing_field_is_named() {
        let problem = parse_json::<PlaceProperties>(br#"{"category": "24", "division_codes": []}"#)
            .unwrap_err();
        assert_eq!(problem.errors[0].field, "standard_name");
    }

    #[test]
    fn broken_syntax_gives_line_and_column() {
        let problem = parse_json::<PlaceProperties>(b"{\n \"standard_name\": ").unwrap_err();
        assert_eq!(problem.status, 400);
        assert!(problem.detail.contains("line 2"), "{}", problem.detail);
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let problem = parse_json::<PlaceProperties>(
            br#"{"standard_nam": "x", "category": "24", "division_codes": []}"#,
        )
        .unwrap_err();
        assert!(
            problem.detail.contains("unknown field"),
            "{}",
            problem.detail
        );
    }
}
