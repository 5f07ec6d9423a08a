//! Time the phases of a batch assessment (parse, rules, assess, serialise)
//! on a file from `bench/subsidy_gen.py`: a diagnostic for the CLI figure.
//!
//!   cargo run --release -p ecommerce --example batch_phases -- /tmp/subsidy_100000.json
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE.json");
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap();
    let read = t.elapsed();
    let t = Instant::now();
    let list = ecommerce::parse_applicants(&text).unwrap();
    let parse = t.elapsed();
    let params = kernel::ParamSet::embedded().unwrap();
    let t = Instant::now();
    let rules = ecommerce::rules_for(&params, &list).unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let out: Vec<_> = list.iter().map(|a| ecommerce::assess(rules.iter().find(|r| r.year == a.year).unwrap(), a)).collect();
    let assess = t.elapsed();
    let t = Instant::now();
    let mut buf = Vec::with_capacity(200 << 20);
    for x in &out {
        serde_json::to_writer(&mut buf, x).unwrap();
        buf.push(b'\n');
    }
    let ser = t.elapsed();
    drop(out);
    let t = Instant::now();
    let mut buf2 = Vec::with_capacity(200 << 20);
    for a in &list {
        let x = ecommerce::assess_contract(rules.iter().find(|r| r.year == a.year).unwrap(), a);
        serde_json::to_writer(&mut buf2, &x).unwrap();
        buf2.push(b'\n');
    }
    let streamed = t.elapsed();
    eprintln!("streamed assess+serialise {streamed:?}");
    eprintln!(
        "{} applicants: read {read:?}, parse {parse:?}, rules {load:?}, assess {assess:?}, serialise {ser:?} ({} MB out)",
        list.len(),
        buf.len() >> 20
    );
}
