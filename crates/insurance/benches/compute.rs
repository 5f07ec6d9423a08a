//! One resident in-process: the figure is under 1 µs.
//!
//! `cargo bench -p insurance --bench compute`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use insurance::{Rules, compute, parse_row};
use kernel::ParamSet;

fn bench(c: &mut Criterion) {
    let Ok(params) = ParamSet::embedded() else { return };
    let Ok(rules) = Rules::load(&params, 2023) else { return };
    let as_of = rules.default_as_of;
    // The worked example's 63-year-old on tier 500, in the input form.
    let line = "370406195812200134,刘丙,山城街道,东关社区,1,0,0,0,0,低保|残疾,3,500,50,";
    let body = &line[..17];
    let Some(check) = kernel::ResidentId::check_char(body) else { return };
    let line = format!("{body}{check}{}", &line[18..]);
    let fields: Vec<&[u8]> = line.split(',').map(str::as_bytes).collect();
    let Ok(resident) = parse_row(&fields) else { return };

    c.bench_function("compute one resident", |b| b.iter(|| compute(black_box(&rules), black_box(&resident), black_box(as_of))));
    c.bench_function("parse + check + compute one row", |b| {
        b.iter(|| {
            let r = parse_row(black_box(&fields)).ok()?;
            rules.check(&r, as_of).ok()?;
            Some(compute(&rules, &r, as_of))
        })
    });
    let id = String::from_utf8_lossy(fields[0]).into_owned();
    c.bench_function("parse ID number", |b| b.iter(|| kernel::ResidentId::parse(black_box(&id)).is_ok()));
    c.bench_function("parse groups", |b| b.iter(|| insurance::Groups::parse(black_box(fields[9])).is_ok()));
    let contribution = compute(&rules, &resident, as_of);
    c.bench_function("explain one resident", |b| b.iter(|| insurance::explain(black_box(&rules), black_box(&resident), as_of)));
    c.bench_function("notes of one resident", |b| b.iter(|| black_box(&contribution).notes(&rules).map(str::len).sum::<usize>()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
