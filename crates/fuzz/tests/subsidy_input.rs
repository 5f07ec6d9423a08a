//! `subsidy assess` and `POST /api/v1/subsidy/assess`: the applicant JSON.

const SEEDS: &[&str] = &[
    r#"{"uscc":"91370406MA3C7K1020","name":"示例电商","year":2023,"registered_in_district":true,"statistically_included":true,"entered_on":"2022-03-01","net_tax_yuan":1200000,"online_retail_yuan":62000000,"online_retail_prev_yuan":51000000,"platform_fees":{"annual_transactions_yuan":62000000,"agreement_signed":true,"fees_paid_yuan":80000},"express":{"sells_and_ships_local":true,"parcels":260000,"online_sales_yuan":62000000}}"#,
    r#"[{"uscc":"91370406MA3C7K1020","year":2024,"registered_in_district":true,"statistically_included":true,"park":{"resident_enterprises":12,"qualified_enterprises":3,"first_year":2023},"training":{"graduates_contracted":30},"awards_received":[{"article":3,"tier":1,"year":2023}]}]"#,
    r#"{"uscc":"91370406MA3C7K1020","year":2023,"registered_in_district":true,"statistically_included":true,"cross_border":{"import_export_usd":"1500000","general_trade_reward":false},"live_base":{"studios":20,"active_anchors":50,"anchors_trained":100}}"#,
];

const KEYS: &[&str] = &[
    "uscc",
    "name",
    "year",
    "registered_in_district",
    "statistically_included",
    "entered_on",
    "net_tax_yuan",
    "online_retail_yuan",
    "online_retail_prev_yuan",
    "platform_fees",
    "annual_transactions_yuan",
    "agreement_signed",
    "fees_paid_yuan",
    "express",
    "sells_and_ships_local",
    "parcels",
    "online_sales_yuan",
    "park",
    "resident_enterprises",
    "qualified_enterprises",
    "first_year",
    "live_base",
    "studios",
    "active_anchors",
    "anchors_trained",
    "cross_border",
    "import_export_usd",
    "general_trade_reward",
    "rural",
    "agri_online_sales_yuan",
    "training",
    "graduates_contracted",
    "logistics",
    "awards_received",
    "article",
    "tier",
    "competing_claims",
    "policy",
    "amount_yuan",
    "service_provider",
    "platform",
    "annual_revenue_yuan",
    "affiliated",
];

fn check(input: &str) {
    match ecommerce::parse_applicants(input) {
        Ok(applicants) => {
            // Whatever parses must assess without panicking, for every year it names.
            if let Ok(all) = ecommerce::assess_many(fuzz::params(), &applicants) {
                assert_eq!(all.len(), applicants.len());
            }
        }
        Err(e) => fuzz::assert_bounded(&e),
    }
}

fuzz::json_contract_targets!(SEEDS, KEYS, check);
