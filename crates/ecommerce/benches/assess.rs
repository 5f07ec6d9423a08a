//! One applicant assessed in-process (issue 3 figure: under 10 µs).

use criterion::{Criterion, criterion_group, criterion_main};
use kernel::ParamSet;

const WORKED: &str = r#"{"uscc": "91370406MA3C7K1020", "year": 2023,
 "registered_in_district": true, "statistically_included": true,
 "entered_on": "2022-03-01", "net_tax_yuan": 1200000,
 "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000,
 "platform_fees": {"annual_transactions_yuan": 62000000, "agreement_signed": true, "fees_paid_yuan": 80000},
 "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 62000000}}"#;

fn bench(c: &mut Criterion) {
    let params = ParamSet::embedded().expect("embedded policy");
    let rules = ecommerce::Rules::load(&params, 2023).expect("2023 is valid");
    let applicants = ecommerce::parse_applicants(WORKED).expect("worked example parses");
    let a = &applicants[0];
    c.bench_function("Rules::load 2023", |b| b.iter(|| ecommerce::Rules::load(&params, std::hint::black_box(2023))));
    c.bench_function("parse_applicants (worked example)", |b| b.iter(|| ecommerce::parse_applicants(std::hint::black_box(WORKED))));
    c.bench_function("assess (worked example)", |b| b.iter(|| ecommerce::assess(&rules, std::hint::black_box(a))));
    c.bench_function("assess_contract (worked example)", |b| b.iter(|| ecommerce::assess_contract(&rules, std::hint::black_box(a))));
    c.bench_function("assess + contract JSON", |b| {
        b.iter(|| serde_json::to_string(&ecommerce::assess(&rules, std::hint::black_box(a))).map(|s| s.len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
