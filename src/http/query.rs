//! The query string of every route, read by one extractor: a parameter the endpoint does not
//! know is refused with 400 naming it (a misspelt filter must not silently return everything),
//! and a value that does not parse is refused naming its parameter.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::de::{self, DeserializeOwned, Visitor};

use super::problem::Problem;
use crate::domain::field_error::FieldErrors;

/// The parsed query string of a request, `T` naming every parameter the endpoint takes.
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The parameters of an endpoint that takes none.
#[derive(Debug, serde::Deserialize)]
pub struct NoParams {}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`, refusing parameters `T` does not name.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| {
        Problem::invalid_field("query", format!("the query string cannot be read: {e}"))
    })?;
    if let Some(known) = parameter_names::<T>() {
        let mut errors = FieldErrors::default();
        for (key, _) in &pairs {
            if !known.contains(&key.as_str()) {
                let takes = if known.is_empty() {
                    "this endpoint takes no parameters".to_string()
                } else {
                    format!("this endpoint takes {}", known.join(", "))
                };
                errors.push(key.clone(), format!("unknown parameter {key:?}: {takes}"));
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
    }
    serde_urlencoded::from_str::<T>(query).map_err(|e| {
        let message = e.to_string();
        // serde names the parameter in backticks: "invalid digit ... for `limit`" is rare, but
        // "missing field `name`" is common.
        let field = message
            .split('`')
            .nth(1)
            .filter(|name| parameter_names::<T>().is_some_and(|known| known.contains(name)))
            .unwrap_or("query")
            .to_string();
        Problem::invalid_field(&field, message)
    })
}

/// The parameter names a query struct declares, read from its `Deserialize` implementation
/// (serde hands a struct's field names to the deserializer); `None` for a type that is not a
/// plain struct (a map, a flattened struct), whose names cannot be known in advance.
pub fn parameter_names<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut names = None;
    let _ = T::deserialize(FieldNames { names: &mut names });
    names
}

/// A deserializer that only records the field names of the struct asked of it.
struct FieldNames<'a> {
    names: &'a mut Option<&'static [&'static str]>,
}

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.names = Some(fields);
        Err(de::Error::custom("names recorded"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Filters {
        division: Option<String>,
        limit: Option<u32>,
    }

    #[test]
    fn the_names_come_from_the_struct() {
        assert_eq!(
            parameter_names::<Filters>(),
            Some(&["division", "limit"][..])
        );
        assert_eq!(parameter_names::<NoParams>(), Some(&[][..]));
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        let problem = parse::<Filters>("division=3304&divison=3304").unwrap_err();
        assert_eq!(problem.errors[0].field, "divison");
        assert!(problem.errors[0].message.contains("division, limit"));
        let problem = parse::<NoParams>("x=1").unwrap_err();
        assert!(problem.errors[0].message.contains("no parameters"));
        assert!(parse::<Filters>("division=3304&limit=5").is_ok());
        assert!(parse::<NoParams>("").is_ok());
    }
}
