//! What was wrong with a request a user sent, and where: the one error type
//! of every engine's input parser, so that the CLI can exit 2 and the web
//! answer 400 with a message a clerk can act on.

/// Invalid input: `path` names the offending field (`severity`, `areas[2]`,
/// `attendance.区X`, `[0].net_tax_yuan`, …), `message` says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl InputError {
    /// Both parts may carry input (a key, a value in serde's message), so
    /// both are bounded: the path to 200 characters, the message to 600.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { path: crate::clip(&path.into(), 200).into_owned(), message: crate::clip(&message.into(), 600).into_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_message_are_bounded_and_shown_together() {
        let e = InputError::new("k".repeat(300), "m".repeat(1_000));
        assert_eq!((e.path.chars().count(), e.message.chars().count()), (201, 601));
        assert_eq!(InputError::new("severity", "不能为空").to_string(), "severity: 不能为空");
    }
}
