//! The house rules over the whole workspace. A failure names the file and
//! line and says what to do.

use std::path::{Path, PathBuf};

use tidy::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // The tidy crate plants violations in its own tests.
            if p.file_name().is_some_and(|n| n == "target" || n == "node_modules" || n == "tidy") {
                continue;
            }
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn rel(p: &Path) -> String {
    let r = root().canonicalize().unwrap_or_else(|_| root());
    let c = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    c.strip_prefix(&r).unwrap_or(&c).to_string_lossy().replace('\\', "/")
}

fn crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Findings known when a rule was introduced, being worked off (a ratchet):
/// `path` and a part of the message. A new finding fails; so does a known one
/// that is gone (delete its line). The list only shrinks.
const KNOWN: &[(&str, &str)] = &[];

fn report(what: &str, findings: &[Finding]) {
    let known = |f: &Finding| KNOWN.iter().any(|(p, m)| f.path == *p && f.what.contains(m));
    let new: Vec<String> = findings.iter().filter(|f| !known(f)).map(|f| format!("  {f}")).collect();
    if !new.is_empty() {
        panic!("{what}:\n{}", new.join("\n"));
    }
}

#[test]
fn the_known_list_only_shrinks() {
    // Every KNOWN entry must still match a finding of some rule.
    let mut all = Vec::new();
    let mut files = Vec::new();
    rs_files(&root().join("crates"), &mut files);
    let strings = policy_string_list();
    for f in &files {
        let p = rel(f);
        let text = read(f);
        all.extend(too_long(&p, &text));
        all.extend(positional_reads(&p, &text));
        all.extend(policy_strings(&p, &text, &strings));
    }
    for c in crates() {
        let sources = crate_sources(&c);
        let toml = read(&c.join("Cargo.toml"));
        all.extend(unused_dependencies(&rel(&c.join("Cargo.toml")), &toml, &sources, "dependencies"));
    }
    let stale: Vec<String> = KNOWN
        .iter()
        .filter(|(p, m)| !all.iter().any(|f| f.path == *p && f.what.contains(m)))
        .map(|(p, m)| format!("  ({p:?}, {m:?})"))
        .collect();
    assert!(stale.is_empty(), "fixed: delete these entries from KNOWN in crates/tidy/tests/tidy.rs:\n{}", stale.join("\n"));
}

/// Demo seeders and tests may name real units and towns.
fn exempt_from_policy_strings(path: &str) -> bool {
    path.contains("/tests/") || path.ends_with("/demo.rs") || path.contains("/demo/") || path.contains("/benches/")
}

/// The policy strings an adapter must not spell out: every department and
/// alias, every town, and the four documents' numbers.
fn policy_string_list() -> Vec<String> {
    let text = read(&root().join("policy/district/district.toml"));
    let doc: toml::Table = text.parse().expect("district.toml parses");
    let mut out = Vec::new();
    for d in doc["department"].as_array().expect("departments") {
        out.push(d["name"].as_str().expect("name").to_string());
        for a in d.get("aliases").and_then(|a| a.as_array()).into_iter().flatten() {
            out.extend(a.as_str().map(String::from));
        }
    }
    for t in doc["town"].as_array().expect("towns") {
        out.push(t["name"].as_str().expect("name").to_string());
    }
    out.extend(["山政发〔2022〕10号", "山政发〔2022〕8号", "山政办发〔2022〕4号", "山政办字〔2022〕19号"].map(String::from));
    // 区政府 is the name administrators act under (access::GOVERNMENT_UNIT), too short to police by text.
    out.retain(|s| s != "区政府");
    out
}

#[test]
fn domain_crates_do_no_io() {
    let mut findings = Vec::new();
    for c in crates() {
        let name = c.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !DOMAIN_CRATES.contains(&name.as_str()) {
            continue;
        }
        findings.extend(io_dependencies(&rel(&c.join("Cargo.toml")), &read(&c.join("Cargo.toml"))));
        let mut files = Vec::new();
        rs_files(&c.join("src"), &mut files);
        for f in files {
            findings.extend(io_in_source(&rel(&f), &read(&f)));
        }
    }
    report("domain crates must stay pure (ARCHITECTURE.md: no I/O, the clock is an argument)", &findings);
}

#[test]
fn library_crates_have_no_runtime_clock_or_adapter() {
    let mut findings = Vec::new();
    for c in crates() {
        let name = c.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !LIBRARY_CRATES.contains(&name.as_str()) {
            continue;
        }
        findings.extend(library_dependencies(&rel(&c.join("Cargo.toml")), &read(&c.join("Cargo.toml"))));
        let mut files = Vec::new();
        rs_files(&c.join("src"), &mut files);
        for f in files {
            findings.extend(library_io_in_source(&rel(&f), &read(&f)));
        }
    }
    report("library crates are called by the CLI and the web alike (ARCHITECTURE.md: no runtime, clock or adapter)", &findings);
}

#[test]
fn adapters_take_policy_strings_from_policy_files() {
    let strings = policy_string_list();
    let mut findings = Vec::new();
    for c in crates() {
        let name = c.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !ADAPTER_CRATES.contains(&name.as_str()) {
            continue;
        }
        let mut files = Vec::new();
        rs_files(&c.join("src"), &mut files);
        for f in files {
            let p = rel(&f);
            if !exempt_from_policy_strings(&p) {
                findings.extend(policy_strings(&p, &read(&f), &strings));
            }
        }
    }
    report("adapters spell out policy strings", &findings);
}

#[test]
fn no_source_file_is_a_room_too_big_to_hold_in_mind() {
    let mut files = Vec::new();
    rs_files(&root().join("crates"), &mut files);
    let findings: Vec<Finding> = files.iter().filter_map(|f| too_long(&rel(f), &read(f))).collect();
    report("source files over the line limit", &findings);
}

#[test]
fn rows_are_read_by_column_name() {
    let mut files = Vec::new();
    rs_files(&root().join("crates"), &mut files);
    let findings: Vec<Finding> = files.iter().flat_map(|f| positional_reads(&rel(f), &read(f))).collect();
    report("positional row reads", &findings);
}

/// A crate's sources: its own files, and the files they include with
/// `#[path = "…"] mod …;` from elsewhere (shared test helpers).
fn crate_sources(c: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rs_files(c, &mut files);
    let mut sources = Vec::new();
    for f in &files {
        let text = read(f);
        for line in text.lines() {
            if let Some(rest) = line.trim().strip_prefix("#[path = \"")
                && let Some(rel) = rest.split('"').next()
                && let Some(dir) = f.parent()
            {
                sources.push(read(&dir.join(rel)));
            }
        }
        sources.push(text);
    }
    sources
}

#[test]
fn every_dependency_is_used() {
    let mut findings = Vec::new();
    for c in crates() {
        let sources = crate_sources(&c);
        let toml = read(&c.join("Cargo.toml"));
        let path = rel(&c.join("Cargo.toml"));
        findings.extend(unused_dependencies(&path, &toml, &sources, "dependencies"));
        findings.extend(unused_dependencies(&path, &toml, &sources, "dev-dependencies"));
    }
    report("unused dependencies (remove them from Cargo.toml)", &findings);
}
