//! The roster/import row: what `insurance roster`, the resident import and
//! the upload read for every resident, fed hostile fields.

use fuzz::config;
use proptest::prelude::*;

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{17}[0-9X]",
        "3704[0-9]{14}",
        "[0-9xX]{0,20}",
        "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "[01]|true|false|是|否|yes",
        "[0-9]{1,6}(\\.[0-9]{1,3})?",
        "-?[0-9]{1,22}",
        "(残疾|五保|低保|优抚|扶贫|特困|返贫致贫|低保边缘|监测帮扶|未知)(;(残疾|低保|特困))?",
        ".{0,30}",
        (0usize..3000).prop_map(|n| "号".repeat(n)),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rows_never_panic(fields in prop::collection::vec(field(), 0..18)) {
        thread_local!(static RULES: insurance::Rules = {
            let params = kernel::ParamSet::embedded().expect("embedded policy");
            insurance::Rules::load(&params, 2023).expect("2023 rules")
        });
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        let bytes: Vec<&[u8]> = fields.iter().map(String::as_bytes).collect();
        let as_of = kernel::Date::constant(2022, 10, 1);
        let by_str = insurance::parse_row_str(&refs);
        let by_bytes = insurance::parse_row(&bytes);
        prop_assert_eq!(by_str.is_ok(), by_bytes.is_ok(), "the two row parsers disagree on {:?}", fields);
        match by_str {
            Ok(r) => RULES.with(|rules| {
                if rules.check(&r, as_of).is_ok() {
                    let c = insurance::compute(rules, &r, as_of);
                    let _ = c.notes_text(rules);
                    let _ = insurance::explain(rules, &r, as_of).text();
                }
            }),
            Err(e) => prop_assert!(e.to_string().chars().count() < 1_000, "unbounded message"),
        }
    }
}
