//! Text that travels from input into messages, jobs and the audit trail.

use std::borrow::Cow;

/// The most characters of one input value any message, job or audit entry
/// repeats: enough to recognise the value, never a 100 MB header line.
pub const ECHO_MAX: usize = 200;

/// `s` cut to `max` characters (not bytes, so never inside a character),
/// marked with `…` when cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
    }
}

/// [`clip`] at [`ECHO_MAX`]: the form every echoed input value takes.
pub fn echo(s: &str) -> Cow<'_, str> {
    clip(s, ECHO_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_cut_on_a_character() {
        assert_eq!(clip("山亭区", 3), "山亭区");
        assert_eq!(clip("山亭区", 2), "山亭…");
        let long = "字".repeat(100_000);
        let e = echo(&long);
        assert_eq!(e.chars().count(), ECHO_MAX + 1);
        assert!(e.ends_with('…'));
    }
}
