//! `meeting decide` and `POST /api/v1/meeting/decide`: the request JSON.

const SEEDS: &[&str] = &[
    r#"{"member_units":["区财政局","区住建局","区税务局","区人社局","区审批服务局","区教体局","区发改局","区自然资源局","山亭管理部"],"meeting_date":"2026-12-10","materials_sent_on":"2026-12-04","attendance":{"区财政局":"present","区住建局":"proxy","区税务局":"absent"},"items":[{"title":"调整缴存基数","votes":{"区财政局":"for","区住建局":"against","区税务局":"abstain"}}]}"#,
    r#"{"member_units":["甲","乙","丙"],"meeting_date":"2023-02-28","attendance":{"甲":"present","乙":"present"},"items":[]}"#,
];

const KEYS: &[&str] = &["member_units", "meeting_date", "materials_sent_on", "attendance", "items", "title", "votes", "区财政局", "甲"];

fn check(input: &str) {
    match meeting::parse_request(input) {
        Ok(req) => {
            if let Ok(rules) = meeting::Rules::load(fuzz::params(), req.meeting_date) {
                let _ = meeting::decide(&rules, &req);
            }
        }
        Err(e) => fuzz::assert_bounded(&e),
    }
}

fuzz::json_contract_targets!(SEEDS, KEYS, check);
