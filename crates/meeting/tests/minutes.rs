//! Minutes (会议纪要): attendance, proxies' written opinions, votes and decisions, as HTML and text.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use kernel::{Date, ParamSet};
use meeting::{Attendee, DecideRequest, Minutes, MinutesDetails, Rules, chinese_number, decide, parse_request};
use serde_json::json;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), d("2023-03-10")).unwrap()
}

fn request() -> DecideRequest {
    let v = json!({
        "member_units": ["区政府", "区政府办公室", "枣庄市住房公积金管理中心山亭管理部", "区财政局", "区税务局",
                          "区行政审批服务局", "区人社局", "区住房和城乡建设局", "区教育财务管理结算中心"],
        "meeting_date": "2023-03-10",
        "materials_sent_on": "2023-03-03",
        "attendance": {
            "区政府": "present", "区政府办公室": "present", "枣庄市住房公积金管理中心山亭管理部": "present",
            "区财政局": "proxy", "区税务局": "present", "区行政审批服务局": "present", "区人社局": "present",
            "区住房和城乡建设局": "present"
        },
        "items": [
            {"title": "关于将灵活就业人员纳入住房公积金缴存范围的意见", "votes": {
                "区政府": "for", "区政府办公室": "for", "枣庄市住房公积金管理中心山亭管理部": "for", "区财政局": "for",
                "区税务局": "for", "区行政审批服务局": "for", "区人社局": "abstain", "区住房和城乡建设局": "for"}},
            {"title": "关于对欠缴单位实施联合惩戒的办法", "votes": {
                "区政府": "for", "区政府办公室": "for", "枣庄市住房公积金管理中心山亭管理部": "for",
                "区税务局": "against", "区行政审批服务局": "against", "区人社局": "for"}}
        ]
    });
    parse_request(&v.to_string()).unwrap()
}

fn details() -> MinutesDetails {
    MinutesDetails {
        title: "2023年第一次山亭区住房公积金联席会议".into(),
        number: Some("山政专纪〔2023〕3号".into()),
        place: "区政府三楼会议室".into(),
        chair: "戴娟".into(),
        issued_on: Some(d("2023-03-15")),
        attendees: vec![
            Attendee { unit: "区政府".into(), person: "戴娟".into(), opinion: String::new() },
            Attendee { unit: "区政府办公室".into(), person: "黄中华".into(), opinion: String::new() },
            Attendee {
                unit: "枣庄市住房公积金管理中心山亭管理部".into(), person: "杨源".into(), opinion: String::new()
            },
            Attendee {
                unit: "区财政局".into(), person: "李<明>".into(), opinion: "同意议题一；议题二建议先征求企业意见 & 再定。".into()
            },
            Attendee { unit: "区税务局".into(), person: "贾广彦".into(), opinion: String::new() },
        ],
        resolutions: vec!["自2023年4月1日起，灵活就业人员可自愿缴存住房公积金".into()],
        summary: "各成员单位要加强信息共享，按期完成归集扩面任务。".into(),
    }
}

fn minutes() -> Minutes {
    let r = rules();
    let req = request();
    let dec = decide(&r, &req);
    Minutes::build(&r, &req, &dec, &details()).unwrap()
}

#[test]
fn minutes_carry_attendance_proxies_votes_and_decisions() {
    let m = minutes();
    assert_eq!(m.form, "政府专题会议纪要");
    assert_eq!((m.member_count, m.present_units, m.quorum_required, m.quorum_met), (9, 8, 7, true));
    assert!(m.notice_ok);
    assert_eq!(m.units.len(), 9);
    assert_eq!(m.units[0].role, "召集人");
    assert_eq!(m.units[2].role, "副召集人");
    assert_eq!(m.units[3].opinion, "同意议题一；议题二建议先征求企业意见 & 再定。");
    assert_eq!(m.units[8].attendance, meeting::Attendance::Absent);
    // Item one: 6 valid for (the proxy's vote is invalid), 1 abstention: passes (6 of 9).
    assert_eq!(m.items[0].for_units.len(), 6);
    assert_eq!(m.items[0].abstain_units, vec!["区人社局"]);
    assert_eq!(m.items[0].invalid_units, vec!["区财政局"]);
    assert!(m.items[0].passed);
    // Item two: 4 for, 2 against, 区住房和城乡建设局 present but silent: fails.
    assert_eq!(m.items[1].silent_units, vec!["区住房和城乡建设局"]);
    assert!(!m.items[1].passed);
    assert_eq!(m.recipients.last().map(String::as_str), Some("相关部门"));

    let t = m.text();
    assert!(t.contains("区财政局（受委托人：李<明>，不享有表决权）：同意议题一"), "{t}");
    assert!(t.contains("议题一《关于将灵活就业人员纳入住房公积金缴存范围的意见》通过：自2023年4月1日起"), "{t}");
    assert!(t.contains("议题二《关于对欠缴单位实施联合惩戒的办法》未通过。"), "{t}");
    assert!(t.contains("应出席成员单位9个，实际出席8个（含委托出席1个），法定出席数7个"), "{t}");
    assert!(t.contains("2023年3月3日送达各成员单位，符合会前送达要求"), "{t}");

    let h = m.html();
    assert!(h.contains("李&lt;明&gt;") && !h.contains("李<明>"), "names are escaped");
    assert!(h.contains("&amp; 再定"));
}

#[test]
fn minutes_html_snapshot() {
    insta::assert_snapshot!("minutes_html", minutes().html());
}

#[test]
fn minutes_text_snapshot() {
    insta::assert_snapshot!("minutes_text", minutes().text());
}

#[test]
fn minutes_of_a_meeting_without_quorum_or_proxies() {
    let r = rules();
    let v = json!({"member_units": ["区政府", "区财政局", "区税务局", "区人社局"], "meeting_date": "2023-06-01",
                   "attendance": {"区政府": "present", "区财政局": "present"},
                   "items": [{"title": "议题", "votes": {"区政府": "for", "区财政局": "for"}}]});
    let req = parse_request(&v.to_string()).unwrap();
    let dec = decide(&r, &req);
    let m = Minutes::build(&r, &req, &dec, &MinutesDetails::default()).unwrap();
    let t = m.text();
    assert!(t.contains("不足法定人数，会议不得作出决议"), "{t}");
    assert!(t.contains("本次会议无委托出席单位"), "{t}");
    assert!(t.contains("会议议题及资料的送达未记录"), "{t}");
    assert!(t.contains("（未编号）") && t.contains("（未印发）"), "{t}");
    assert!(m.html().contains("本次会议无委托出席单位"));
}

#[test]
fn an_attendee_of_a_stranger_unit_is_refused() {
    let r = rules();
    let req = request();
    let dec = decide(&r, &req);
    let mut det = details();
    det.attendees.push(Attendee { unit: "区不存在局".into(), person: "某人".into(), opinion: String::new() });
    let e = Minutes::build(&r, &req, &dec, &det).unwrap_err();
    assert_eq!(e.path, "attendees[5].unit");
}

#[test]
fn chinese_numbers() {
    let got: Vec<String> = [1, 9, 10, 11, 19, 20, 21, 99, 100].iter().map(|n| chinese_number(*n)).collect();
    assert_eq!(got, ["一", "九", "十", "十一", "十九", "二十", "二十一", "九十九", "100"]);
}
