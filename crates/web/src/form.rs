//! Forms that keep what was typed. A form handler takes [`FormData`] (every
//! field as the text the person typed), parses it into its typed input with
//! [`FormData::parse`], and when that or the use case refuses a field, renders
//! the same form again with the values and a [`FormErrors`] — the message
//! beside the field (`aria-describedby`) and a summary at the top linking to
//! it (`templates/macros.html`). Nothing typed is lost and no request ends on
//! a bare status page.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::AppError;

/// The fields of a submitted form, as typed.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> FormData {
        FormData { pairs: pairs.into_iter().collect() }
    }

    /// The first value of `name` (empty when absent).
    pub fn get(&self, name: &str) -> &str {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Every value of `name` (checkboxes, repeated fields).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The names of the fields, in order (repeated names once each).
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (k, _) in &self.pairs {
            if !out.contains(&k.as_str()) {
                out.push(k);
            }
        }
        out
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == name && !v.is_empty() && v != "0" && v != "false")
    }

    /// The typed input, or the field that does not fit and why, in Chinese.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, FormErrors> {
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(self.pairs.iter()).finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|e| {
            let inner = e.inner().to_string();
            // A missing field is reported at the root; its name is in the message.
            let field = match inner.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                Some(f) => f.to_string(),
                None => e.path().to_string(),
            };
            let typed = self.get(&field);
            let message = if typed.is_empty() {
                "请填写此项".to_string()
            } else {
                format!("“{}”不是有效的值：{}", kernel::echo(typed), why(&e.into_inner().to_string()))
            };
            FormErrors::one(field, message)
        })
    }
}

/// serde's reason, said in Chinese where we know the words.
fn why(serde: &str) -> &'static str {
    if serde.contains("invalid digit") || serde.contains("invalid type") || serde.contains("invalid value") {
        "应为数字"
    } else if serde.contains("missing field") {
        "请填写此项"
    } else if serde.contains("unknown variant") {
        "请从列表中选择"
    } else if serde.contains("too large") || serde.contains("too small") {
        "数值超出范围"
    } else {
        "格式不正确"
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        // The body limit of the route applies (axum's default: 2 MB).
        let bytes = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|e| AppError::BadRequest(format!("表单无法读取：{}", kernel::echo(&e.body_text()))))?;
        Ok(FormData::from_pairs(form_urlencoded::parse(&bytes).into_owned()))
    }
}

/// What is wrong with a form, by field; shown beside each field and summed
/// up at the top of the form.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    items: Vec<(String, String)>,
}

impl FormErrors {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> FormErrors {
        FormErrors { items: vec![(field.into(), message.into())] }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.items.push((field.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Every (field, message), for the summary.
    pub fn items(&self) -> &[(String, String)] {
        &self.items
    }

    /// A use case's refusal as form errors: a named field stays on its field,
    /// anything else (a conflict, a rule) goes to the summary under `form`.
    /// Faults of the platform are not form errors: they stay errors.
    pub fn from_error(e: AppError) -> Result<FormErrors, AppError> {
        match e {
            AppError::Field { field, message } => Ok(FormErrors::one(field, message)),
            AppError::BadRequest(m) | AppError::Conflict(m) => Ok(FormErrors::one("form", m)),
            other => Err(other),
        }
    }
}

/// Parse a typed form with Chinese errors naming the field, for handlers that
/// do not (yet) render their form again; prefer [`FormData`] for forms people fill in.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let data = FormData::from_request(req, state).await?;
        data.parse::<T>().map(Form).map_err(|e| match e.items.into_iter().next() {
            Some((field, message)) => AppError::Field { field, message },
            None => AppError::BadRequest("表单有误".into()),
        })
    }
}

/// Values of a form to render, by field name (what was typed, or the defaults).
#[derive(Debug, Clone, Default)]
pub struct Values(HashMap<String, String>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_string(), value.into());
    }
}

impl From<&FormData> for Values {
    fn from(d: &FormData) -> Values {
        let mut v = Values::default();
        for (k, x) in &d.pairs {
            v.0.entry(k.clone()).or_insert_with(|| x.clone());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Count {
        #[allow(dead_code)]
        name: String,
        #[allow(dead_code)]
        count: u32,
    }

    #[test]
    fn a_wrong_field_is_named_in_chinese_and_the_values_kept() {
        let d = FormData::from_pairs([("name".into(), "张三".into()), ("count".into(), "1人".into())]);
        let e = d.parse::<Count>().unwrap_err();
        assert_eq!(e.items()[0].0, "count");
        assert!(e.get("count").unwrap().contains("“1人”不是有效的值：应为数字"), "{e:?}");
        assert_eq!(Values::from(&d).get("count"), "1人");
        let missing = FormData::from_pairs([("name".into(), "张三".into())]).parse::<Count>().unwrap_err();
        assert_eq!(missing.items()[0].0, "count");
        assert!(FormData::from_pairs([("a".into(), "1".into())]).checked("a"));
    }
}
