//! Quorum, two thirds, proxies, notice and input errors of the joint meeting.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use kernel::{Date, ParamSet};
use meeting::{Attendance, DecideRequest, PassBase, Rules, Vote, decide, parse_request};
use proptest::prelude::*;
use serde_json::json;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), d("2023-03-10")).unwrap()
}

/// The contract's example (also the CLI's, `crates/shanting/tests/meeting_cli.rs`):
/// nine units, six in person and one by proxy; five for, one against, and the
/// proxy also for.
fn contract_example() -> serde_json::Value {
    serde_json::from_str(include_str!("data/contract_example.json")).unwrap()
}

#[test]
fn the_contract_example() {
    let req = parse_request(&contract_example().to_string()).unwrap();
    let dec = decide(&rules(), &req);
    let out = serde_json::to_value(&dec).unwrap();
    let explanation = out["explanation"].clone();
    assert_eq!(
        out,
        json!({"quorum_met": true, "present_units": 7, "quorum_required": 7, "notice_ok": true,
               "items": [{"title": "关于扩大住房公积金缴存覆盖面的意见", "votes_for": 5, "votes_against": 1, "abstentions": 0,
                          "votes_required": 6, "passed": false, "invalid_votes": ["区财政局"]}],
               "explanation": explanation})
    );
    let text = dec.explanation.join("\n");
    assert!(text.contains("山政办字〔2022〕19号 四（三）"), "{text}");
    assert!(text.contains("受委托人不享有表决权"), "{text}");
    assert!(text.contains("山政办字〔2022〕19号 四（六）4"), "{text}");
    assert!(text.contains("全体成员单位"), "{text}");
    assert!(text.contains("赞成5个单位，不足6个，未通过"), "{text}");
    assert_eq!(dec.trace.steps.len(), dec.explanation.len());
}

/// `n` member units U1..Un; the first `present` attend in person, the next
/// `proxies` by proxy, the rest are absent. One item: the first `yes` units
/// vote for, every other unit that attends votes against, proxies vote for.
fn meeting(n: usize, present: usize, proxies: usize, yes: usize) -> DecideRequest {
    let units: Vec<String> = (1..=n).map(|i| format!("U{i}")).collect();
    let mut req = DecideRequest::new(units.clone(), d("2023-03-10")).unwrap();
    req.materials_sent_on = Some(d("2023-03-01"));
    let mut votes = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if i < present {
            req.set_attendance(u, Attendance::Present).unwrap();
            votes.push((u.as_str(), if i < yes { Vote::For } else { Vote::Against }));
        } else if i < present + proxies {
            req.set_attendance(u, Attendance::Proxy).unwrap();
            votes.push((u.as_str(), Vote::For));
        }
    }
    req.add_item("议题", votes).unwrap();
    req
}

#[test]
fn quorum_is_three_quarters_inclusive_for_8_9_and_10() {
    let r = rules();
    // (members, smallest quorum): 8 → 6 (24 >= 24), 9 → 7 (28 >= 27), 10 → 8 (32 >= 30).
    for (n, q) in [(8, 6), (9, 7), (10, 8)] {
        let at = decide(&r, &meeting(n, q, 0, 0));
        assert!(at.quorum_met, "{n} members, {q} present");
        assert_eq!((at.present_units, at.quorum_required), (q as u32, q as u32));
        let below = decide(&r, &meeting(n, q - 1, 0, 0));
        assert!(!below.quorum_met, "{n} members, {} present", q - 1);
        assert_eq!(below.quorum_required, q as u32);
        let above = decide(&r, &meeting(n, q + 1, 0, 0));
        assert!(above.quorum_met);
    }
}

#[test]
fn two_thirds_of_all_members_inclusive_for_8_9_and_10() {
    let r = rules();
    // (members, smallest majority): 8 → 6 (18 >= 16), 9 → 6 (18 >= 18), 10 → 7 (21 >= 20).
    for (n, v) in [(8, 6), (9, 6), (10, 7)] {
        let at = decide(&r, &meeting(n, n, 0, v));
        assert_eq!(at.items[0].votes_required, v as u32);
        assert_eq!(at.items[0].votes_for, v as u32);
        assert!(at.items[0].passed, "{n} members, {v} for");
        let below = decide(&r, &meeting(n, n, 0, v - 1));
        assert!(!below.items[0].passed, "{n} members, {} for", v - 1);
        assert_eq!(below.items[0].votes_against, (n - v + 1) as u32);
        assert!(decide(&r, &meeting(n, n, 0, v + 1)).items[0].passed);
    }
}

#[test]
fn two_thirds_counts_all_members_not_those_present() {
    // 9 members, 7 present, 5 for: 5 of 7 present would be over two thirds, 5 of 9 is not.
    let dec = decide(&rules(), &meeting(9, 7, 0, 5));
    assert!(dec.quorum_met);
    assert!(!dec.items[0].passed);
    // Under the other reading (base = units present) the same votes pass.
    let mut other = rules();
    other.pass_base = PassBase::Present;
    let dec = decide(&other, &meeting(9, 7, 0, 5));
    assert_eq!(dec.items[0].votes_required, 5);
    assert!(dec.items[0].passed);
}

#[test]
fn proxies_count_for_the_quorum_and_never_vote() {
    let r = rules();
    for (n, q) in [(8, 6), (9, 7), (10, 8)] {
        // One short in person, made up by a proxy: the quorum is met.
        let dec = decide(&r, &meeting(n, q - 1, 1, 0));
        assert!(dec.quorum_met, "{n}");
        assert_eq!(dec.present_units, q as u32);
        // Proxies' votes "for" never count.
        let dec = decide(&r, &meeting(n, q - 1, n - q + 1, 0));
        assert_eq!(dec.items[0].votes_for, 0);
        assert_eq!(dec.items[0].invalid_votes.len(), n - q + 1);
        assert!(!dec.items[0].passed);
    }
    // 9 members: 5 in person all for, 4 proxies all for: 9 "for" on paper, 5 valid, fails.
    let dec = decide(&r, &meeting(9, 5, 4, 5));
    assert!(dec.quorum_met);
    assert_eq!(dec.items[0].votes_for, 5);
    assert_eq!(dec.items[0].invalid_votes, vec!["U6", "U7", "U8", "U9"]);
    assert!(!dec.items[0].passed);
}

#[test]
fn without_quorum_nothing_passes() {
    // 9 members, 6 present all for: 6 is two thirds of 9, but 6 < 7 is no quorum.
    let dec = decide(&rules(), &meeting(9, 6, 0, 6));
    assert!(!dec.quorum_met);
    assert_eq!(dec.items[0].votes_for, 6);
    assert_eq!(dec.items[0].votes_required, 6);
    assert!(!dec.items[0].passed);
    assert!(dec.explanation.iter().any(|l| l.contains("不足法定人数")), "{:?}", dec.explanation);
}

#[test]
fn absent_units_votes_are_invalid_in_member_order() {
    let mut v = contract_example();
    v["items"][0]["votes"]["区教育财务管理结算中心"] = json!("for");
    v["items"][0]["votes"]["区住房和城乡建设局"] = json!("abstain");
    let dec = decide(&rules(), &parse_request(&v.to_string()).unwrap());
    assert_eq!(dec.items[0].invalid_votes, vec!["区财政局", "区住房和城乡建设局", "区教育财务管理结算中心"]);
    assert_eq!(dec.items[0].abstentions, 0);
    // A unit missing from attendance is absent.
    assert_eq!(dec.present_units, 7);
}

#[test]
fn abstentions_and_silence_are_not_for() {
    let mut v = contract_example();
    v["items"][0]["votes"]["区税务局"] = json!("abstain");
    v["items"][0]["votes"].as_object_mut().unwrap().remove("区人社局");
    let dec = decide(&rules(), &parse_request(&v.to_string()).unwrap());
    let it = &dec.items[0];
    assert_eq!((it.votes_for, it.votes_against, it.abstentions), (4, 0, 1));
    assert!(!it.passed);
    assert!(dec.explanation.iter().any(|l| l.contains("未表决=1（区人社局）")), "{:?}", dec.explanation);
}

#[test]
fn notice_five_days_before_inclusive() {
    let r = rules();
    let with = |sent: Option<&str>| {
        let mut v = contract_example();
        match sent {
            Some(s) => v["materials_sent_on"] = json!(s),
            None => {
                v.as_object_mut().unwrap().remove("materials_sent_on");
            }
        }
        decide(&r, &parse_request(&v.to_string()).unwrap())
    };
    assert!(with(Some("2023-03-05")).notice_ok);
    assert!(with(Some("2023-03-01")).notice_ok);
    let late = with(Some("2023-03-06"));
    assert!(!late.notice_ok);
    assert!(late.explanation.iter().any(|l| l.contains("最迟送达日期=2023-03-05")), "{:?}", late.explanation);
    assert!(!with(None).notice_ok);
    // A late delivery is reported; it does not by itself stop the vote.
    assert!(with(Some("2023-03-09")).quorum_met);
}

#[test]
fn several_items_are_decided_apart() {
    let mut v = contract_example();
    v["items"] = json!([
        {"title": "甲", "votes": {"区政府": "for", "区政府办公室": "for", "枣庄市住房公积金管理中心山亭管理部": "for",
                                 "区税务局": "for", "区行政审批服务局": "for", "区人社局": "for"}},
        {"title": "乙", "votes": {}},
        {"title": "丙"}
    ]);
    let dec = decide(&rules(), &parse_request(&v.to_string()).unwrap());
    let passed: Vec<bool> = dec.items.iter().map(|i| i.passed).collect();
    assert_eq!(passed, vec![true, false, false]);
    assert_eq!(dec.items[1].votes_for, 0);
    assert_eq!(dec.items[2].title, "丙");
}

fn input_error(v: serde_json::Value) -> meeting::InputError {
    parse_request(&v.to_string()).unwrap_err()
}

#[test]
fn input_errors_name_the_place() {
    let mut v = contract_example();
    v["attendance"]["区不存在局"] = json!("present");
    let e = input_error(v);
    assert_eq!(e.path, "attendance.区不存在局");
    assert!(e.message.contains("不是成员单位"), "{e}");

    let mut v = contract_example();
    v["items"][0]["votes"]["区X"] = json!("for");
    assert_eq!(input_error(v).path, "items[0].votes.区X");

    let mut v = contract_example();
    v["attendance"]["区政府"] = json!("late");
    let e = input_error(v);
    assert_eq!(e.path, "attendance.区政府");
    assert!(e.message.contains("late"), "{e}");

    let mut v = contract_example();
    v["items"][0]["votes"]["区政府"] = json!("yes");
    let e = input_error(v);
    assert_eq!(e.path, "items[0].votes.区政府");
    assert!(e.message.contains("yes"), "{e}");

    for bad in ["2023-02-30", "2023/03/10", "10.3.2023", ""] {
        let mut v = contract_example();
        v["meeting_date"] = json!(bad);
        assert_eq!(input_error(v).path, "meeting_date", "{bad}");
    }
    let mut v = contract_example();
    v["materials_sent_on"] = json!("2023-3-5");
    assert_eq!(input_error(v).path, "materials_sent_on");

    let mut v = contract_example();
    v["member_units"] = json!(["区政府", "区财政局", "区政府"]);
    v["attendance"] = json!({});
    v["items"] = json!([]);
    assert_eq!(input_error(v).path, "member_units[2]");

    let mut v = contract_example();
    v["member_units"] = json!([]);
    assert_eq!(input_error(v).path, "member_units");

    let mut v = contract_example();
    v.as_object_mut().unwrap().remove("meeting_date");
    assert!(input_error(v).message.contains("meeting_date"));

    let mut v = contract_example();
    v["attendance"]["区政府"] = json!(1);
    assert_eq!(input_error(v).path, "attendance.区政府");

    let mut v = contract_example();
    v["place"] = json!("区政府三楼会议室");
    assert!(input_error(v).message.contains("place"));

    // A unit named twice in one object.
    let dup = r#"{"member_units":["A","B"],"meeting_date":"2023-03-10","attendance":{"A":"present","A":"absent"}}"#;
    let e = parse_request(dup).unwrap_err();
    assert!(e.path.starts_with("attendance") && e.message.contains('A'), "{e}");

    assert!(parse_request("{not json").is_err());
    assert!(parse_request(&format!("{} {{}}", contract_example())).is_err());
}

#[test]
fn builder_refuses_strangers_too() {
    let mut req = DecideRequest::new(vec!["A".into(), "B".into()], d("2023-03-10")).unwrap();
    assert_eq!(req.set_attendance("C", Attendance::Present).unwrap_err().path, "attendance.C");
    assert_eq!(req.add_item("x", [("C", Vote::For)]).unwrap_err().path, "items[0].votes.C");
    assert_eq!(req.add_item("x", [("A", Vote::For), ("A", Vote::Against)]).unwrap_err().path, "items[0].votes.A");
    assert!(req.items().is_empty());
}

#[test]
fn another_member_list_is_explained() {
    let dec = decide(&rules(), &meeting(8, 8, 0, 8));
    assert!(dec.explanation[0].contains("与通知附件名单不同"), "{}", dec.explanation[0]);
    let dec = decide(&rules(), &parse_request(&contract_example().to_string()).unwrap());
    assert!(dec.explanation[0].contains("按通知所列9个成员单位"), "{}", dec.explanation[0]);
}

fn arb_meeting() -> impl Strategy<Value = (usize, Vec<u8>, Vec<Option<u8>>)> {
    (1usize..16).prop_flat_map(|n| (Just(n), prop::collection::vec(0u8..3, n), prop::collection::vec(prop::option::of(0u8..3), n)))
}

fn build(n: usize, att: &[u8], votes: &[Option<u8>]) -> DecideRequest {
    let units: Vec<String> = (0..n).map(|i| format!("U{i}")).collect();
    let mut req = DecideRequest::new(units.clone(), d("2023-03-10")).unwrap();
    for (i, u) in units.iter().enumerate() {
        req.set_attendance(u, [Attendance::Present, Attendance::Proxy, Attendance::Absent][att[i] as usize]).unwrap();
    }
    let v: Vec<(&str, Vote)> = units
        .iter()
        .zip(votes)
        .filter_map(|(u, v)| v.map(|v| (u.as_str(), [Vote::For, Vote::Against, Vote::Abstain][v as usize])))
        .collect();
    req.add_item("议题", v).unwrap();
    req
}

proptest! {
    #[test]
    fn never_passes_without_quorum((n, att, votes) in arb_meeting()) {
        let r = rules();
        let dec = decide(&r, &build(n, &att, &votes));
        if dec.items[0].passed {
            prop_assert!(dec.quorum_met);
            prop_assert!(dec.items[0].votes_for >= dec.items[0].votes_required);
        }
        // Counts are consistent with the attendance.
        let present = att.iter().filter(|a| **a == 0).count();
        let proxies = att.iter().filter(|a| **a == 1).count();
        prop_assert_eq!(dec.present_units as usize, present + proxies);
        let it = &dec.items[0];
        prop_assert!((it.votes_for + it.votes_against + it.abstentions) as usize <= present);
        let cast = votes.iter().filter(|v| v.is_some()).count();
        prop_assert_eq!((it.votes_for + it.votes_against + it.abstentions) as usize + it.invalid_votes.len(), cast);
    }

    #[test]
    fn a_valid_vote_for_never_undoes_a_pass((n, att, votes) in arb_meeting(), pick in any::<prop::sample::Index>()) {
        let r = rules();
        let before = decide(&r, &build(n, &att, &votes));
        // Turn one present unit's vote (none, against or abstain) into "for".
        let candidates: Vec<usize> = (0..n).filter(|&i| att[i] == 0 && votes[i] != Some(0)).collect();
        prop_assume!(!candidates.is_empty());
        let i = candidates[pick.index(candidates.len())];
        let mut more = votes.clone();
        more[i] = Some(0);
        let after = decide(&r, &build(n, &att, &more));
        prop_assert_eq!(after.items[0].votes_for, before.items[0].votes_for + 1);
        if before.items[0].passed {
            prop_assert!(after.items[0].passed);
        }
    }
}
