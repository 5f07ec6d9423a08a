//! Input errors that name the offending field, so that the CLI can exit 2
//! with a message a clerk can act on.

use serde::de::DeserializeOwned;

/// Invalid input (one type for every engine): `path` names the field (`severity`, `areas[2]`, …).
pub use kernel::InputError;

/// Deserialize JSON, turning serde's error into a field path and message.
/// serde reports missing and unknown fields at the enclosing object, so the
/// field is taken from the message when the path does not already name it.
pub(crate) fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, InputError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    from_deserializer(de)
}

/// [`from_json`] over any JSON deserializer (a parsed value, a string).
pub(crate) fn from_deserializer<'de, T: serde::Deserialize<'de>, D>(de: D) -> Result<T, InputError>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let mut path = e.path().to_string();
        for prefix in ["missing field `", "unknown field `"] {
            if let Some(rest) = message.strip_prefix(prefix)
                && let Some(end) = rest.find('`')
            {
                let field = &rest[..end];
                let at_field = path == field || path.ends_with(&format!(".{field}"));
                if !at_field {
                    path = if path == "." || path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
                }
            }
        }
        if path.is_empty() {
            path = ".".into();
        }
        let message = if message.starts_with("missing field") {
            format!("缺少必填字段（{message}）")
        } else if message.starts_with("unknown field") {
            format!("未知字段（{message}）")
        } else if e.inner().is_syntax() || e.inner().is_eof() {
            format!("不是有效的 JSON（{message}）")
        } else {
            message
        };
        InputError::new(path, message)
    })
}

/// Characters XML 1.0 cannot carry: a text field holding one is refused
/// rather than silently dropped.
pub(crate) fn check_xml_text(path: &str, s: &str) -> Result<(), InputError> {
    match s.chars().find(|&c| (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == '\u{FFFE}' || c == '\u{FFFF}') {
        Some(c) => Err(InputError::new(path, format!("含有 XML 不允许的控制字符 U+{:04X}", c as u32))),
        None => Ok(()),
    }
}
