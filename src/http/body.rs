//! The JSON request body: size-limited, of a JSON media type, and parsed so that an error names
//! the field at fault (`properties.division_codes[1]`) or the line and column of bad syntax.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::problem::Problem;
use crate::domain::field_error::FieldError;
use crate::domain::text::first_hidden;

/// The largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body, read (within the limit) when the request is extracted but judged only when the
/// handler calls [`JsonBody::parsed`]. Actix extracts a handler's arguments together, so a body
/// that failed at extraction could answer 400 before the caller was authenticated (401) or its
/// `If-Match` checked (412), differently from one request to the next; a handler asks for the
/// body after those, and the answer no longer depends on which extractor finished first.
pub struct JsonBody<T>(Result<T, Problem>);

impl<T> JsonBody<T> {
    /// The parsed body, or the problem with it (media type, size, syntax, a field).
    pub fn parsed(self) -> Result<T, Problem> {
        self.0
    }
}

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
            Ok(JsonBody(
                read_json(&content_type, declared_length, limit, &mut payload).await,
            ))
        })
    }
}

/// Reads the body within `limit` and parses it; every way it can be wrong is a problem.
async fn read_json<T: DeserializeOwned>(
    content_type: &str,
    declared_length: Option<usize>,
    limit: usize,
    payload: &mut Payload,
) -> Result<T, Problem> {
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
    parse_json(&bytes)
}

/// Parses JSON, turning serde's error into a problem naming the field or position. Before the
/// typed parse, the whole document is walked once: a key given twice in one object (which value
/// would win is undefined) and text with hidden characters (`domain::text`) are refused with
/// 422 naming the path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut found = Vec::new();
    let mut walker = serde_json::Deserializer::from_slice(bytes);
    // A syntax error is reported by the typed parse below, with its line and column.
    if serde::de::DeserializeSeed::deserialize(
        Walk {
            path: String::new(),
            found: &mut found,
        },
        &mut walker,
    )
    .is_ok()
        && !found.is_empty()
    {
        let mut problem = Problem::invalid(found);
        problem.status = StatusCode::UNPROCESSABLE_ENTITY.as_u16();
        return Err(problem);
    }
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

/// Walks a JSON document without building it, collecting duplicate keys and hidden characters
/// with their paths (`properties.standard_name`, `changes[1].name`).
struct Walk<'a> {
    path: String,
    found: &'a mut Vec<FieldError>,
}

impl Walk<'_> {
    fn field(&self) -> String {
        if self.path.is_empty() {
            "body".to_string()
        } else {
            self.path.clone()
        }
    }

    fn child(&mut self, step: &str) -> Walk<'_> {
        let path = if step.starts_with('[') || self.path.is_empty() {
            format!("{}{step}", self.path)
        } else {
            format!("{}.{step}", self.path)
        };
        Walk {
            path,
            found: self.found,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        if let Some(message) = first_hidden(text) {
            self.found.push(FieldError::new(self.field(), message));
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(self.child(&format!("[{index}]")))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if let Some(message) = first_hidden(&key) {
                child
                    .found
                    .push(FieldError::new(child.field(), format!("the key {message}")));
            }
            if !keys.insert(key.clone()) {
                let field = child.field();
                child.found.push(FieldError::new(
                    field,
                    format!("the key {key:?} is given twice; give each field once"),
                ));
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }
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
    fn a_key_given_twice_is_refused_with_422_naming_it() {
        let problem = parse_json::<serde_json::Value>(
            br#"{"properties": {"standard_name": "a", "standard_name": "b"}}"#,
        )
        .unwrap_err();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "properties.standard_name");
        assert!(problem.detail.contains("twice"), "{}", problem.detail);
    }

    #[test]
    fn hidden_characters_anywhere_are_refused_naming_path_and_code_point() {
        let problem = parse_json::<serde_json::Value>(
            "{\"changes\": [{\"name\": \"ok\"}, {\"name\": \"西\u{202E}塘\"}], \"c\": \"\\u0007\"}"
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(problem.status, 422);
        let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["changes[1].name", "c"]);
        assert!(problem.errors[0].message.contains("U+202E"));
        assert!(problem.errors[1].message.contains("U+0007"));
    }

    #[test]
    fn rare_characters_and_line_breaks_pass() {
        let value: serde_json::Value =
            parse_json("{\"name\": \"𠀀村\", \"history\": \"一\\n二\"}".as_bytes()).unwrap();
        assert_eq!(value["name"], "𠀀村");
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
