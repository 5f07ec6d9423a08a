//! Input generators for fuzzing the parsers: every byte a user sends ends up
//! in one of them, and none may panic or allocate without bound.
//!
//! Two kinds of input, both from `proptest`:
//! - [`mutated`]: a valid seed (a real request) with random edits — flipped,
//!   inserted, deleted and duplicated bytes, numbers made huge — which keeps
//!   most inputs close enough to valid to reach the checks behind the parser;
//! - [`json_tree`]: random JSON documents whose keys are drawn from the
//!   contract's field names, with hostile values (huge and negative numbers,
//!   long and odd strings, wrong types, deep nesting).
//!
//! [`config`] sets the number of cases: `FUZZ_CASES`, by default 100,000 in
//! an optimised build (CI's release step) and 2,000 in a debug build, so the
//! workspace's `cargo test` checks the targets run without paying for the full
//! size twice.
//! [`json_contract_targets!`] declares the two targets of a JSON contract;
//! [`assert_bounded`] is what every target asks of a refusal.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

#[doc(hidden)]
pub use proptest as __proptest;

/// The longest message a refusal may have: a clerk reads it, and an input
/// echoed whole would be unbounded.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Fails unless the refusal's message is shorter than [`MAX_MESSAGE_CHARS`].
pub fn assert_bounded(e: &dyn std::fmt::Display) {
    let n = e.to_string().chars().count();
    assert!(n < MAX_MESSAGE_CHARS, "unbounded message: {n} chars");
}

/// The embedded policy, loaded once for all the cases of a process.
pub fn params() -> &'static kernel::ParamSet {
    static PARAMS: OnceLock<kernel::ParamSet> = OnceLock::new();
    PARAMS.get_or_init(|| kernel::ParamSet::embedded().expect("embedded policy"))
}

/// The two targets of a JSON contract, each feeding `check` (a `fn(&str)`)
/// [`config`] cases: `mutated_requests`, the `seeds` with random edits, and
/// `hostile_documents`, objects of the contract's field names `keys` with
/// hostile values three levels deep.
#[macro_export]
macro_rules! json_contract_targets {
    ($seeds:expr, $keys:expr, $check:expr) => {
        $crate::__proptest::proptest! {
            #![proptest_config($crate::config())]

            #[test]
            fn mutated_requests(input in $crate::mutated($seeds)) {
                ($check)(&input);
            }

            #[test]
            fn hostile_documents(input in $crate::json_object($keys, 3)) {
                ($check)(&input);
            }
        }
    };
}

/// Cases per target: `FUZZ_CASES`, or 100,000 optimised and 2,000 in a debug build.
pub fn config() -> Config {
    let default = if cfg!(debug_assertions) { 2_000 } else { 100_000 };
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Config { cases, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() }
}

/// Bytes that matter to JSON, CSV and XML parsers, and a few multi-byte ones.
const ALPHABET: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "0",
    "9",
    "-",
    ".",
    "e",
    "E",
    "+",
    "true",
    "false",
    "null",
    "\\",
    "\\u",
    "\\ud800",
    "\n",
    "\r",
    "\t",
    " ",
    "<",
    ">",
    "&",
    "'",
    "=",
    "/",
    "年",
    "元",
    "　",
    "\u{feff}",
    "\u{0}",
    "99999999999999999999",
    "-1",
    "1e308",
    "0.001",
    "2023-02-30",
    "9223372036854775807",
];

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Replace(p, b)),
        (any::<usize>(), 0..ALPHABET.len()).prop_map(|(p, i)| Edit::Insert(p, i)),
        (any::<usize>(), 1usize..16).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Duplicate(p, n)),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match *e {
            Edit::Replace(p, x) if !b.is_empty() => {
                let i = p % b.len();
                b[i] = x;
            }
            Edit::Replace(..) => {}
            Edit::Insert(p, i) => {
                let i0 = at(p, b.len());
                b.splice(i0..i0, ALPHABET[i].bytes());
            }
            Edit::Delete(p, n) => {
                let i0 = at(p, b.len());
                let i1 = (i0 + n).min(b.len());
                b.drain(i0..i1);
            }
            Edit::Duplicate(p, n) => {
                let i0 = at(p, b.len());
                let i1 = (i0 + n).min(b.len());
                let piece = b[i0..i1].to_vec();
                b.splice(i1..i1, piece);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// A seed with 1–8 random edits (the seed itself one time in twenty).
pub fn mutated(seeds: &'static [&'static str]) -> impl Strategy<Value = String> {
    (0..seeds.len(), prop::collection::vec(edit(), 0..8)).prop_map(move |(i, edits)| apply(seeds[i], &edits))
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1_000_000_000i64..1_000_000_000).prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        "[0-9]{1,22}(\\.[0-9]{0,4})?".prop_map(Value::String),
        "-?[0-9,]{0,12}\\.?[0-9]{0,3}".prop_map(Value::String),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(Value::String),
        ".{0,40}".prop_map(Value::String),
        "[一-龥]{0,12}".prop_map(Value::String),
        (0usize..5000).prop_map(|n| Value::String("长".repeat(n))),
    ]
}

/// A JSON document whose object keys are mostly from `keys` (the contract's
/// field names) and whose values are hostile, nested up to `depth` levels.
pub fn json_tree(keys: &'static [&'static str], depth: u32) -> impl Strategy<Value = Value> {
    let key = prop_oneof![8 => (0..keys.len()).prop_map(move |i| keys[i].to_string()), 1 => "[a-z_]{1,12}"];
    leaf().prop_recursive(depth, 256, 12, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..12).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object of the contract's fields (the top level of a request).
pub fn json_object(keys: &'static [&'static str], depth: u32) -> impl Strategy<Value = String> {
    prop::collection::vec((0..keys.len(), json_tree(keys, depth)), 0..keys.len() + 2)
        .prop_map(move |kv| Value::Object(kv.into_iter().map(|(i, v)| (keys[i].to_string(), v)).collect()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_stay_inside_the_input() {
        let edits = [Edit::Delete(1000, 15), Edit::Duplicate(3, 63), Edit::Insert(usize::MAX, 0), Edit::Replace(7, b'x')];
        // Delete everything, duplicate nothing, insert "{", replace it.
        assert_eq!(apply("{\"a\":1}", &edits), "x");
        assert_eq!(apply("ab", &[Edit::Duplicate(0, 1), Edit::Insert(1, 1)]), "a}ab");
        assert_eq!(apply("", &[Edit::Replace(0, 1), Edit::Delete(0, 3)]), "");
    }
}
