//! 应急管理 (山政发〔2022〕8号): new reports, incidents without a decided
//! level, warnings awaiting approval or publication, reports a town follows
//! up, and plans whose filing deadline (20 working days, 6.2) or drill after a
//! major revision (6.3) is due.

use access::{Action, Actor, Duty, Scope};
use kernel::Date;

use super::{Todo, cite, holders, holds};
use crate::emergency::{plan_target, rules};
use crate::{App, Error, Result};

pub(super) async fn todos(app: &App, actor: &Actor, overview: bool, today: Date, out: &mut Vec<Todo>) -> Result<()> {
    let coordinate = overview || holds(app, actor, Action::WarningDraft, Duty::EmergencyCoordinate).is_some();
    let government = overview || holds(app, actor, Action::WarningApprove, Duty::EmergencyGovernment).is_some();
    let unit = |d: Duty| overview.then(|| holders(app, d));
    if coordinate {
        out.push(Todo {
            what: "今日新报送的突发事件信息".into(),
            count: app.store.workbench_reports_since(&today.to_string()).await?,
            due: None,
            clause: cite(app, Duty::EmergencyCoordinate),
            link: "/emergency".into(),
            unit: unit(Duty::EmergencyCoordinate),
        });
        out.push(Todo {
            what: "草稿预警（待提交审批）".into(),
            count: app.store.workbench_warnings("draft").await?,
            due: None,
            clause: cite(app, Duty::EmergencyCoordinate),
            link: "/emergency/warnings".into(),
            unit: unit(Duty::EmergencyCoordinate),
        });
        out.push(Todo {
            what: "已批准待发布的预警".into(),
            count: app.store.workbench_warnings("approved").await?,
            due: None,
            clause: cite(app, Duty::EmergencyCoordinate),
            link: "/emergency/warnings".into(),
            unit: unit(Duty::EmergencyCoordinate),
        });
    }
    if coordinate || government {
        out.push(Todo {
            what: "尚未决定响应级别的突发事件".into(),
            count: app.store.workbench_active_incidents(None, true).await?,
            due: None,
            clause: rules(app)?.level_citation,
            link: "/emergency".into(),
            unit: unit(Duty::EmergencyGovernment),
        });
    }
    if government {
        out.push(Todo {
            what: "待批准的预警".into(),
            count: app.store.workbench_warnings("submitted").await?,
            due: None,
            clause: cite(app, Duty::EmergencyGovernment),
            link: "/emergency/warnings".into(),
            unit: unit(Duty::EmergencyGovernment),
        });
    }
    if let Some(Scope::Town(town)) = holds(app, actor, Action::EmergencyReportFile, Duty::EmergencyReport) {
        out.push(Todo {
            what: format!("{town}进行中的突发事件（及时续报）"),
            count: app.store.workbench_active_incidents(Some(&town), false).await?,
            due: None,
            clause: rules(app)?.report_citation,
            link: "/emergency".into(),
            unit: None,
        });
    }
    plans(app, actor, overview, out).await
}

/// Plans the actor keeps (or all, in the overview): filing deadline and drills.
async fn plans(app: &App, actor: &Actor, overview: bool, out: &mut Vec<Todo>) -> Result<()> {
    if !overview && holds(app, actor, Action::PlanMaintain, Duty::EmergencyPlanOwner).is_none() {
        return Ok(());
    }
    let r = rules(app)?;
    let (drills, revisions) = app.store.emergency_plan_history().await?;
    for p in app.store.emergency_plans().await? {
        if !overview && app.may_on(actor, Action::PlanMaintain, &plan_target(&p)).is_err() {
            continue;
        }
        let unit = overview.then(|| p.owners.clone());
        if p.filed_on.is_none() {
            let issued: Date =
                p.issued_on.parse().map_err(|e| Error::internal(format!("预案 {} 的印发日期 {}：{e}", p.id, p.issued_on)))?;
            let due = emergency::plan_filing_deadline(&r, &app.calendar, issued).map_err(Error::internal)?;
            out.push(Todo {
                what: format!("待备案的应急预案：{}（报{}）", p.name, p.filing_body),
                count: 1,
                due: Some(due),
                clause: r.filing_workdays.citation.clone(),
                link: "/emergency/plans".into(),
                unit: unit.clone(),
            });
        }
        // 6.3: after a major revision the plan is drilled again.
        let last_drill = drills.iter().filter(|d| d.plan_id == p.id).map(|d| d.held_on.as_str()).max();
        let last_revision = revisions.iter().filter(|v| v.plan_id == p.id).map(|v| v.revised_on.as_str()).max();
        if r.drills.after_major_revision && last_revision.is_some_and(|v| last_drill.is_none_or(|d| d < v)) {
            out.push(Todo {
                what: format!("修订后待按新预案演练：{}", p.name),
                count: 1,
                due: None,
                clause: format!("{} {}", r.document, r.drills.clause),
                link: "/emergency/plans".into(),
                unit,
            });
        }
    }
    Ok(())
}
