//! House rules, checked over the workspace by `tests/tidy.rs` and unit-tested
//! here on planted violations. Each check takes file text and returns what it
//! found, so that the same function runs on the tree and on a test string.

/// The crates that hold the documents' rules: no I/O, no clock, no adapters.
pub const DOMAIN_CRATES: &[&str] = &["kernel", "district", "access", "ecommerce", "insurance", "emergency", "meeting"];

/// The crates around the rules, which must get every policy string from `policy/`.
pub const ADAPTER_CRATES: &[&str] = &["app", "store", "web", "shanting"];

/// The library crates below the adapters: the one spreadsheet reader and the
/// roster pipeline (征收清册). They read and write what they are handed
/// (`impl Read`, `impl Write`, a temporary file) and may use threads, but
/// have no runtime, database, server, command line or clock of their own,
/// so that the CLI and the web export call the same code.
pub const LIBRARY_CRATES: &[&str] = &["sheet", "roster"];

/// Dependencies a library crate may not have: async runtimes, databases,
/// servers, the CLI's terminal and allocator, the adapters themselves.
pub const LIBRARY_FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "sqlx",
    "axum",
    "tower",
    "tower-http",
    "hyper",
    "reqwest",
    "askama",
    "tracing-subscriber",
    "futures",
    "store",
    "web",
    "app",
    "clap",
    "indicatif",
    "is-terminal",
    "mimalloc",
];

/// Source text a library crate may not have: the network, processes, the
/// environment, the terminal, the clock.
pub const LIBRARY_IO_PATTERNS: &[&str] = &[
    "std::net",
    "std::process",
    "std::env::var",
    "std::io::stdin",
    "std::io::stdout",
    "Timestamp::now",
    "Zoned::now",
    "SystemTime::now",
    "Instant::now",
    "tokio::",
    "thread::sleep",
];

/// Dependencies a domain crate may not have: they do I/O, or they are adapters.
pub const IO_DEPENDENCIES: &[&str] = &[
    "tokio",
    "sqlx",
    "axum",
    "tower",
    "tower-http",
    "hyper",
    "reqwest",
    "askama",
    "tracing",
    "tracing-subscriber",
    "store",
    "web",
    "app",
    "calamine",
    "rust_xlsxwriter",
    "indicatif",
    "mimalloc",
    "rand",
    "futures",
];

/// Source text that reaches the outside world or the clock.
pub const IO_PATTERNS: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env::var",
    "std::io::stdin",
    "std::io::stdout",
    "File::open",
    "File::create",
    "Timestamp::now",
    "Zoned::now",
    "SystemTime::now",
    "Instant::now",
    "tokio::",
    "thread::sleep",
];

/// The most lines a source file may have: a room one can hold in mind.
pub const MAX_LINES: usize = 800;

/// One finding: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.what)
    }
}

/// The code of a line, without a trailing `//` comment (a `//` inside a
/// string literal is rare enough in this code base to accept the miss).
fn code(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with("//") {
        return "";
    }
    match line.find("// ") {
        Some(i) if !line[..i].contains('"') => &line[..i],
        _ => line,
    }
}

/// `[dependencies]` of a Cargo.toml that a domain crate may not have.
pub fn io_dependencies(path: &str, cargo_toml: &str) -> Vec<Finding> {
    forbidden_dependencies(path, cargo_toml, IO_DEPENDENCIES, "domain crate", "I/O or an adapter")
}

/// `[dependencies]` of a Cargo.toml that a library crate may not have.
pub fn library_dependencies(path: &str, cargo_toml: &str) -> Vec<Finding> {
    forbidden_dependencies(path, cargo_toml, LIBRARY_FORBIDDEN_DEPENDENCIES, "library crate", "a runtime, the CLI or an adapter")
}

fn forbidden_dependencies(path: &str, cargo_toml: &str, forbidden: &[&str], kind: &str, why: &str) -> Vec<Finding> {
    let Ok(doc) = cargo_toml.parse::<toml::Table>() else {
        return vec![Finding { path: path.into(), line: 0, what: "Cargo.toml does not parse".into() }];
    };
    let deps = doc.get("dependencies").and_then(|d| d.as_table()).cloned().unwrap_or_default();
    deps.keys()
        .filter(|k| forbidden.contains(&k.as_str()))
        .map(|k| Finding { path: path.into(), line: 0, what: format!("{kind} depends on `{k}` ({why})") })
        .collect()
}

/// I/O or clock reads in a domain crate's source. Tests may read files (a
/// `tests.rs` file, or what follows `#[cfg(test)]`, by convention at the end).
pub fn io_in_source(path: &str, text: &str) -> Vec<Finding> {
    patterns_in_source(path, text, IO_PATTERNS, "in a domain crate (no I/O, the clock is an argument)")
}

/// The network, processes, the environment, the terminal or the clock in a
/// library crate's source (tests aside, as for [`io_in_source`]).
pub fn library_io_in_source(path: &str, text: &str) -> Vec<Finding> {
    patterns_in_source(path, text, LIBRARY_IO_PATTERNS, "in a library crate (it is handed its input, output and time)")
}

fn patterns_in_source(path: &str, text: &str, patterns: &[&str], why: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if path.ends_with("/tests.rs") {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let c = code(line);
        for p in patterns {
            if c.contains(p) {
                out.push(Finding { path: path.into(), line: i + 1, what: format!("`{p}` {why}") });
            }
        }
    }
    out
}

/// Policy strings (department names, document numbers …) in an adapter's
/// code lines. Doc comments and comments may cite them.
pub fn policy_strings(path: &str, text: &str, strings: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Tests (by convention at the end of a file) may name real places.
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let c = code(line);
        if let Some(s) = strings.iter().find(|s| c.contains(&format!("\"{s}")) || c.contains(&format!("{s}\""))) {
            out.push(Finding {
                path: path.into(),
                line: i + 1,
                what: format!("policy string “{s}” in an adapter: take it from policy/ (access, district or the document's file)"),
            });
        }
    }
    out
}

/// A file longer than [`MAX_LINES`].
pub fn too_long(path: &str, text: &str) -> Option<Finding> {
    let n = text.lines().count();
    (n > MAX_LINES).then(|| Finding { path: path.into(), line: n, what: format!("{n} lines (at most {MAX_LINES}): split it by job") })
}

/// `try_get(3)`: a row read by position, which breaks silently when a column
/// list changes. Read by name or derive `sqlx::FromRow`.
pub fn positional_reads(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let c = code(line);
        let mut rest = c;
        while let Some(at) = rest.find("try_get") {
            rest = &rest[at + "try_get".len()..];
            let args = rest.trim_start_matches(|ch: char| {
                ch == ':' || ch == '<' || ch.is_alphanumeric() || ch == '_' || ch == '>' || ch == ' ' || ch == ','
            });
            if let Some(arg) = args.strip_prefix('(')
                && arg.trim_start().starts_with(|ch: char| ch.is_ascii_digit())
            {
                out.push(Finding {
                    path: path.into(),
                    line: i + 1,
                    what: "row read by position (`try_get(N)`): read it by column name".into(),
                });
            }
        }
    }
    out
}

/// Dependencies of a crate that its code never names (what cargo-machete
/// finds). `sources` is every .rs text of the crate (src, tests, benches,
/// examples, build.rs).
pub fn unused_dependencies(path: &str, cargo_toml: &str, sources: &[String], section: &str) -> Vec<Finding> {
    let Ok(doc) = cargo_toml.parse::<toml::Table>() else {
        return Vec::new();
    };
    let deps = doc.get(section).and_then(|d| d.as_table()).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (name, spec) in &deps {
        let lib = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name).replace('-', "_");
        let used = sources.iter().any(|s| {
            s.contains(&format!("{lib}::"))
                || s.contains(&format!("use {lib}"))
                || s.contains(&format!("extern crate {lib}"))
                || s.contains(&format!("{lib}!"))
                || s.contains(&format!("#[{lib}"))
                || s.contains(&format!("({lib}"))
        });
        if !used {
            out.push(Finding { path: path.into(), line: 0, what: format!("[{section}] `{name}` is never used") });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_io_dependency_is_found() {
        let toml = "[package]\nname = \"insurance\"\n[dependencies]\nkernel = { path = \"../kernel\" }\ntokio = \"1\"\n";
        let f = io_dependencies("crates/insurance/Cargo.toml", toml);
        assert_eq!(f.len(), 1);
        assert!(f[0].what.contains("tokio"));
        assert!(io_dependencies("x", "[dependencies]\nkernel = \"1\"\nserde = \"1\"\n").is_empty());
    }

    #[test]
    fn a_planted_io_call_is_found_and_a_comment_is_not() {
        let src = "fn f() {\n    let t = jiff::Timestamp::now();\n    // std::fs is mentioned here only\n    let x = std::fs::read(\"a\");\n}\n#[cfg(test)]\nmod tests { fn g() { std::fs::read(\"x\"); } }\n";
        let f = io_in_source("crates/meeting/src/x.rs", src);
        assert_eq!(f.iter().map(|x| x.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(io_in_source("crates/access/src/tests.rs", src).is_empty());
    }

    #[test]
    fn a_library_crate_may_read_files_but_not_run_a_runtime_or_read_the_clock() {
        let toml = "[package]\nname = \"roster\"\n[dependencies]\ncsv = \"1\"\nzip = \"4\"\ntokio = \"1\"\nindicatif = \"0.18\"\n";
        let f = library_dependencies("crates/roster/Cargo.toml", toml);
        assert_eq!(f.iter().map(|x| x.what.contains("tokio") || x.what.contains("indicatif")).collect::<Vec<_>>(), vec![true, true]);
        assert!(library_dependencies("x", "[dependencies]\ncalamine = \"1\"\nrust_xlsxwriter = \"1\"\n").is_empty());
        let src = "use std::fs::File;\nfn f() { let t = std::time::Instant::now(); std::process::exit(1); }\n";
        assert_eq!(library_io_in_source("crates/roster/src/x.rs", src).len(), 2);
        assert!(library_io_in_source("crates/sheet/src/x.rs", "use std::fs::File;\n").is_empty());
    }

    #[test]
    fn a_planted_policy_string_is_found_outside_comments() {
        let strings = vec!["区税务局".to_string(), "山政办发〔2022〕4号".to_string()];
        let src = "/// 区税务局 collects (山政办发〔2022〕4号)\nfn f(u: &str) -> bool {\n    u == \"区税务局\"\n}\n";
        let f = policy_strings("crates/web/src/x.rs", src, &strings);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, 3);
    }

    #[test]
    fn long_files_and_positional_reads_are_found() {
        let long = "x\n".repeat(MAX_LINES + 1);
        assert!(too_long("a.rs", &long).is_some());
        assert!(too_long("a.rs", &"x\n".repeat(MAX_LINES)).is_none());
        let src = "let a: i64 = r.try_get(0)?;\nlet b = r.try_get::<String, _>(1)?;\nlet c: i64 = r.try_get(\"seq\")?;\n";
        assert_eq!(positional_reads("s.rs", src).iter().map(|f| f.line).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn an_unused_dependency_is_found() {
        let toml = "[dependencies]\nserde = \"1\"\nsqlx = \"0.9\"\ntower-http = \"0.6\"\n";
        let src = vec!["use serde::Deserialize;\nfn f() { tower_http::trace::TraceLayer::new_for_http(); }".to_string()];
        let f = unused_dependencies("Cargo.toml", toml, &src, "dependencies");
        assert_eq!(f.len(), 1);
        assert!(f[0].what.contains("sqlx"));
    }
}
