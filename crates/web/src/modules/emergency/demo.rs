//! Demo data for `serve --demo`, entered through the use cases as the demo
//! accounts would: resources, plans (one filing overdue), a closed past
//! incident with its full record, an active one with a command post, one
//! current warning.

use std::collections::BTreeSet;

use app::emergency::{command, incidents, plans, resources, warnings};
use emergency::{ReportContent, ResponseLevel, Severity, WarningAction};
use store::emergency::{Resource, Warning};

use crate::AppState;
use crate::error::AppError;

/// Idempotent: does nothing once any plan exists.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if !state.store.emergency_plans().await?.is_empty() {
        return Ok(());
    }
    let users = state.store.users().await?;
    let find = |name: &str| {
        users
            .iter()
            .find(|u| u.username == name)
            .map(|u| state.actor_of(u))
            .ok_or_else(|| AppError::Internal(format!("演示账户 {name} 不存在")))
    };
    let (admin, bureau, town) = (find("admin")?, find("emergency")?, find("town")?);
    let app = &state.app;
    let res = |kind: &str, name: &str, town: &str, field: &str, q: i64, min: i64, unit: &str, cap: i64, contact: &str| Resource {
        kind: kind.into(),
        name: name.into(),
        town: town.into(),
        field: field.into(),
        quantity: q,
        minimum: min,
        unit: unit.into(),
        capacity: cap,
        contact: contact.into(),
        ..Default::default()
    };
    for r in [
        res("team", "山亭区综合性消防救援大队", "山亭区", "综合救援", 60, 0, "人", 0, "0632-8811119"),
        res("team", "水泉镇基层应急救援队", "水泉镇", "森林防灭火", 25, 0, "人", 0, "0632-8811201"),
        res("team", "山亭区蓝天救援队", "山亭区", "社会救援力量", 30, 0, "人", 0, "0632-8811302"),
        res("material", "折叠床", "山亭区", "生活类", 500, 300, "张", 0, ""),
        res("material", "帐篷", "山亭区", "生活类", 80, 100, "顶", 0, ""),
        res("material", "风力灭火机", "水泉镇", "森林防灭火", 40, 20, "台", 0, ""),
        res("expert", "王建国", "", "非煤矿山", 0, 0, "", 0, "13800000001"),
        res("expert", "李秀英", "", "森林防灭火", 0, 0, "", 0, "13800000002"),
        res("expert", "赵明", "", "危险化学品", 0, 0, "", 0, "13800000003"),
        res("shelter", "山亭区人民广场应急避难场所", "山亭区", "广场", 0, 0, "", 3000, ""),
        res("shelter", "水泉镇中心小学操场", "水泉镇", "学校操场", 0, 0, "", 800, ""),
    ] {
        resources::add(app, &bureau, &r).await?;
    }
    // Plans: the general plan filed on time; a special plan with a drill and
    // a revision; the town's own plan, overdue.
    let plan = |kind: &str, name: &str, issuer: &str, issued_on: &str, filed_on: Option<&str>| plans::NewPlan {
        kind: kind.into(),
        name: name.into(),
        issuer: issuer.into(),
        issued_on: issued_on.into(),
        filed_on: filed_on.map(str::to_string),
    };
    plans::register(app, &bureau, plan("general", "山亭区突发事件总体应急预案", "山亭区人民政府", "2022-05-20", Some("2022-06-10")))
        .await?;
    let special =
        plans::register(app, &bureau, plan("special", "山亭区森林火灾应急预案", "山亭区人民政府办公室", "2023-03-01", Some("2023-03-20")))
            .await?;
    plans::drill(app, &bureau, special, "2023-04-12", "实战演练", "水泉镇林区").await?;
    plans::revise(app, &bureau, special, "2024-03-15", "应急指挥机构及其职责发生重大调整的", "指挥部成员调整").await?;
    let issued = state.today().checked_sub(jiff::Span::new().days(60)).unwrap_or_else(|_| state.today());
    plans::register(app, &town, plan("town", "水泉镇突发事件总体应急预案", "水泉镇人民政府", &issued.to_string(), None)).await?;
    // A past incident with its full record, reported by the town.
    let full = |deaths: u32, injured: u32, course: &str| ReportContent {
        occurred_at: "2023-05-01T10:20:00+08:00".parse().ok(),
        place: Some("水泉镇石料厂".into()),
        source: Some("企业报告".into()),
        nature: Some("顶板冒落".into()),
        course: Some(course.into()),
        impact_scope: Some("井下一个作业面".into()),
        environmental_impact: Some("无".into()),
        deaths: Some(deaths),
        injured: Some(injured),
        missing: Some(0),
        houses_collapsed: Some(0),
        houses_damaged: Some(0),
        infrastructure_damage: Some("无".into()),
        rescue_status: Some("伤员已送医".into()),
        measures_taken: Some("停产撤人，封闭现场".into()),
        ..Default::default()
    };
    let first = |title: &str, incident_type: &str, severity: Severity, town: Option<&str>, content: ReportContent| incidents::FirstReport {
        title: title.into(),
        incident_type: incident_type.into(),
        severity,
        sensitive: false,
        key_area_or_period: false,
        may_escalate: false,
        drill: false,
        town: town.map(str::to_string),
        content,
    };
    let past = incidents::file_report(
        app,
        &town,
        first("水泉镇某石料厂冒顶事故", "非煤矿山事故", Severity::Large, None, full(0, 2, "井下作业面局部冒顶，2名作业人员受伤")),
    )
    .await?;
    incidents::set_level(app, &admin, past, ResponseLevel::III, "初判较大事故，启动Ⅲ级响应").await?;
    command::city_reported(app, &bureau, past).await?;
    command::open_post(app, &bureau, past, "区政府分管副区长", "石料厂门口", &[1, 2, 3, 4]).await?;
    incidents::follow_up(app, &town, past, full(0, 1, "续报：又发现1名轻伤人员")).await?;
    let d = state.store.emergency_incident_detail(past).await?;
    for m in &d.measures {
        command::tick_measure(app, &bureau, past, m.position).await?;
    }
    command::release(
        app,
        &bureau,
        past,
        "关于水泉镇石料厂冒顶事故的情况通报",
        "5月1日10时许，水泉镇一石料厂发生冒顶，3人受伤，均无生命危险。",
    )
    .await?;
    let all: BTreeSet<usize> = (0..app::emergency::rules(app)?.ending.conditions.len()).collect();
    incidents::end(app, &bureau, past, &all, "现场处置完毕，专家组评估同意结束响应").await?;
    incidents::recovery(
        app,
        &bureau,
        past,
        "伤员医疗费用由企业承担，已赔付。",
        "事故原因为顶板管理不到位，责任单位已依法处理。",
        "企业停产整顿30日，整改验收后复产。",
    )
    .await?;
    // An active incident with a command post, reported through the district.
    let live = ReportContent {
        occurred_at: format!("{}T09:30:00+08:00", state.today()).parse().ok(),
        place: Some("徐庄镇东山林场".into()),
        source: Some("护林员报告".into()),
        nature: Some("林地起火".into()),
        course: Some("上午9时30分发现山林起火，火势向东蔓延".into()),
        impact_scope: Some("过火面积约5公顷".into()),
        deaths: Some(0),
        injured: Some(0),
        missing: Some(0),
        rescue_status: Some("扑救中".into()),
        measures_taken: Some("组织扑火队伍上山扑救".into()),
        ..Default::default()
    };
    let active =
        incidents::file_report(app, &admin, first("徐庄镇东山森林火灾", "森林火灾", Severity::Ordinary, Some("徐庄镇"), live)).await?;
    // 区应急管理局 is a lead department of 森林火灾, so it decides level Ⅳ.
    incidents::set_level(app, &bureau, active, ResponseLevel::IV, "一般森林火灾，启动Ⅳ级响应").await?;
    command::open_post(app, &bureau, active, "徐庄镇镇长", "东山林场护林站", &[1, 3, 4, 6]).await?;
    command::tick_measure(app, &bureau, active, 1).await?;
    // One current warning: drafted and submitted by the bureau, approved by 区政府, issued.
    let w = Warning {
        incident_type: "森林火灾".into(),
        level: 3,
        headline: "山亭区森林火险黄色预警".into(),
        description: "近期气温高、湿度低、风力大，全区森林火险等级较高。".into(),
        duration: "未来3天".into(),
        heed: "严禁野外用火".into(),
        instruction: "加强巡山护林，严管野外火源，做好扑火准备。".into(),
        areas: "山亭区".into(),
        channels: "广播、通信、大喇叭".into(),
        targeted: "老、幼、病、残、孕等特殊人群".into(),
        places: "学校、警报盲区".into(),
        ..Default::default()
    };
    let wid = warnings::draft(app, &bureau, w).await?;
    warnings::transition(app, &bureau, wid, WarningAction::Submit, None).await?;
    warnings::transition(app, &admin, wid, WarningAction::Approve, None).await?;
    warnings::transition(app, &bureau, wid, WarningAction::Issue, None).await?;
    Ok(())
}
