//! Whole roster files (征收清册) through the `roster` pipeline, as
//! `insurance roster` reads them: mutated real files, and files built from
//! hostile fields (quotes, line breaks, invalid UTF-8). None may panic; every
//! row is counted once, as written or as rejected by line; strict mode stops
//! at exactly the first rejected row.

use std::sync::OnceLock;

use fuzz::{assert_bounded, config, mutated, params};
use proptest::prelude::*;
use roster::{Rejected, Roster, RosterError};

fn rules() -> &'static insurance::Rules {
    static RULES: OnceLock<insurance::Rules> = OnceLock::new();
    RULES.get_or_init(|| insurance::Rules::load(params(), 2023).expect("2023 rules"))
}

const HEADER: &str = "id_number,name,town,village,hukou_in_district,residence_permit,employee_insurance,student,receiving_pension,groups,disability_grade,pension_tier,sponsored_yuan,deceased_on";

/// Real files: plain rows, a quoted name with a comma and a line break, CRLF
/// and a BOM, a duplicate, a bad check digit, blank lines.
const SEEDS: &[&str] = &[
    "id_number,name,town,village,hukou_in_district,residence_permit,employee_insurance,student,receiving_pension,groups,disability_grade,pension_tier,sponsored_yuan,deceased_on\n370406195511100174,何杰文,城头镇,黄胡山村,1,0,0,0,1,,,,,\n37040619740422017X,中乙,水泉镇,王庄村,是,否,否,否,否,低保,,100,,\n370406201103270172,小丁,店子镇,李家村,1,,,1,,,,,,\n",
    "\u{feff}id_number,name,town,village,hukou_in_district,residence_permit,employee_insurance,student,receiving_pension,groups,disability_grade,pension_tier,sponsored_yuan,deceased_on\r\n370406195511100174,\"刘,\"\"丙\"\"\n二\",山城街道,东关社区,true,false,false,false,false,,,500,,\r\n\r\n370406195511100174,重复,城头镇,苏岭村,1,0,0,0,0,,,,,\r\n370406195511100175,坏号,城头镇,苏岭村,1,0,0,0,0,,,,,\r\n",
    "id_number,name,town,village,hukou_in_district,residence_permit,employee_insurance,student,receiving_pension,groups,disability_grade,pension_tier,sponsored_yuan,deceased_on\n370406202208190173,婴儿,城头镇,黄胡山村,1,0,0,0,0,残疾;特困,1,,75.5,2022-12-01\n370406195511100174,何杰文,城头镇,黄胡山村,1,0,0,0,1,,,,,",
];

fn field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        "3704[0-9]{13}[0-9X]".prop_map(String::into_bytes),
        "[01]|是|否".prop_map(String::into_bytes),
        "[a-z何杰文 ,\"\r\n]{0,8}".prop_map(String::into_bytes),
        // Quoted, possibly badly.
        "\"[a-z,\"\n]{0,6}\"?".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..6),
    ]
}

fn built_file() -> impl Strategy<Value = Vec<u8>> {
    let row = prop::collection::vec(field(), 12..16);
    (prop::collection::vec(row, 0..12), prop::sample::select(vec!["\n", "\r\n"])).prop_map(|(rows, end)| {
        let mut b = format!("{HEADER}{end}").into_bytes();
        for r in rows {
            b.extend_from_slice(&r.join(&b","[..]));
            b.extend_from_slice(end.as_bytes());
        }
        b
    })
}

fn check(input: &[u8]) -> Result<(), TestCaseError> {
    let job = Roster { rules: rules(), as_of: kernel::Date::constant(2022, 10, 1), strict: false, size_hint: input.len() as u64 };
    let (mut out, mut rejected, mut done) = (Vec::new(), Vec::<Rejected>::new(), 0u64);
    let result = job.write(
        input,
        &mut out,
        |e| {
            rejected.push(e.clone());
            Ok(())
        },
        |n| {
            assert!(n > done, "progress goes forward");
            done = n;
        },
    );
    let t = match result {
        Ok(t) => t,
        Err(e @ (RosterError::Header { .. } | RosterError::HeaderTooLong)) => {
            assert_bounded(&e);
            prop_assert!(out.is_empty(), "nothing written after a bad header");
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("unexpected error: {e}"))),
    };
    prop_assert_eq!(t.read, t.included + t.excluded + t.rejected);
    prop_assert_eq!(rejected.len() as u64, t.rejected);
    prop_assert!(rejected.iter().all(|e| e.line >= 2), "data lines start at 2");
    prop_assert!(rejected.windows(2).all(|w| w[0].line <= w[1].line), "rejected rows in input order");
    for e in &rejected {
        assert_bounded(e);
    }
    // The roster is well-formed CSV: the header and one record per row kept.
    let records = csv::ReaderBuilder::new().has_headers(false).from_reader(&out[..]).into_records().collect::<Result<Vec<_>, _>>();
    let records = records.map_err(|e| TestCaseError::fail(format!("roster is not CSV: {e}")))?;
    prop_assert_eq!(records.len() as u64, 1 + t.included + t.excluded);
    prop_assert!(records.iter().all(|r| r.len() == insurance::OUTPUT_COLUMNS.len()));
    // Strict mode stops at exactly the first rejected row, or passes.
    let strict = Roster { strict: true, ..job }.write(input, std::io::sink(), |_| Ok(()), |_| {});
    match (strict, rejected.first()) {
        (Ok(s), None) => prop_assert_eq!(s, t),
        (Err(RosterError::Rejected(e)), Some(first)) => prop_assert_eq!(&e, first),
        (other, first) => return Err(TestCaseError::fail(format!("strict gave {other:?}, first rejected {first:?}"))),
    }
    Ok(())
}

/// Each case runs the whole threaded pipeline twice (a reader, the workers
/// and a writer each time), some milliseconds on a loaded machine: a tenth
/// of `FUZZ_CASES`, 10,000 per target in CI.
fn pipeline_config() -> proptest::test_runner::Config {
    let c = config();
    proptest::test_runner::Config { cases: (c.cases / 10).max(1), ..c }
}

proptest! {
    #![proptest_config(pipeline_config())]

    #[test]
    fn mutated_roster_files(input in mutated(SEEDS)) {
        check(input.as_bytes())?;
    }

    #[test]
    fn built_roster_files(input in built_file()) {
        check(&input)?;
    }
}
