//! Query strings as people type them: `/subsidy?year=2023年` or
//! `/insurance?page=abc` must not end on a framework error. A page's query
//! is read leniently — a parameter whose value does not fit is dropped (the
//! page shows its default for it), the rest is kept — and never refused.
//! The JSON API keeps strict parameters (a client wants to know).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A page's query parameters, with those that do not parse dropped.
/// `ignored` names them (for a notice, and the log).
pub struct Lenient<T> {
    pub value: T,
    pub ignored: Vec<String>,
}

/// Parse `query` into `T`, dropping each parameter that does not fit its
/// field until the rest does; `T::default()` if nothing fits.
pub fn parse<T: DeserializeOwned + Default>(query: &str) -> (T, Vec<String>) {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let mut ignored = Vec::new();
    // Each round drops at least one pair, so this ends.
    for _ in 0..=pairs.len() {
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter()).finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => return (v, ignored),
            Err(e) => {
                let key = e.path().to_string();
                let before = pairs.len();
                pairs.retain(|(k, _)| *k != key);
                if pairs.len() == before {
                    // Not one parameter's fault (a missing field): give up on them all.
                    ignored.extend(pairs.drain(..).map(|(k, _)| k));
                    return (T::default(), ignored);
                }
                ignored.push(kernel::echo(&key).into_owned());
            }
        }
    }
    (T::default(), ignored)
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for Lenient<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let (value, ignored) = parse(parts.uri.query().unwrap_or(""));
        if !ignored.is_empty() {
            tracing::debug!(?ignored, "query parameters that do not fit were dropped");
        }
        Ok(Lenient { value, ignored })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    struct Q {
        year: Option<i32>,
        page: Option<i64>,
        town: Option<String>,
    }

    #[test]
    fn a_bad_value_is_dropped_and_the_rest_kept() {
        let (q, ignored) = parse::<Q>("year=2023%E5%B9%B4&page=abc&town=%E6%B0%B4%E6%B3%89%E9%95%87");
        assert_eq!(q, Q { year: None, page: None, town: Some("水泉镇".into()) });
        assert_eq!(ignored, vec!["year".to_string(), "page".to_string()]);
        let (q, ignored) = parse::<Q>("year=2023&page=2");
        assert_eq!(q, Q { year: Some(2023), page: Some(2), town: None });
        assert!(ignored.is_empty());
        let (q, _) = parse::<Q>("%FF%FE=1&page=99999999999999999999999");
        assert_eq!(q.page, None);
    }
}
