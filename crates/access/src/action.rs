//! What the platform's pages, API routes and commands do, and which duties
//! permit each. Adding an action: one line here; docs/access.md follows
//! (`cargo test -p access` names the difference; `UPDATE_EXPECT=1` rewrites it).

use crate::Duty;
use crate::Duty::*;

/// Whether an action only reads or also changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Read,
    Write,
}

macro_rules! actions {
    ($($(#[$doc:meta])* $v:ident = ($key:literal, $label:literal, $kind:ident, [$($d:path),* $(,)?]),)*) => {
        /// One thing a user can do on the platform (操作).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($(#[$doc])* $v,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$v,)*];

            /// A stable name for logs, tests and docs.
            pub fn key(self) -> &'static str {
                match self { $(Action::$v => $key,)* }
            }

            /// What it is, in Chinese.
            pub fn label(self) -> &'static str {
                match self { $(Action::$v => $label,)* }
            }

            pub fn kind(self) -> ActionKind {
                match self { $(Action::$v => ActionKind::$kind,)* }
            }

            /// The duties any one of which permits the action.
            pub fn duties(self) -> &'static [Duty] {
                match self { $(Action::$v => &[$($d),*],)* }
            }
        }
    };
}

actions! {
    // ---- platform
    AccountsManage = ("platform.accounts", "管理账号（开设、停用、重置密码）", Write, [Accounts]),
    AuditRead = ("platform.audit.read", "查阅审计日志", Read, [AuditLog]),
    ReferenceRead = ("platform.reference.read", "查阅参考数据（镇街、部门、领导小组）", Read, [ReferenceRead]),
    VillagesImport = ("platform.villages.import", "导入村（居）名录", Write, [Reference]),

    // ---- insurance (山政办发〔2022〕4号)
    InsuranceRosterRead = ("insurance.roster.read", "查阅征缴清册和居民缴费情况", Read,
        [InsuranceAgentCollect, InsuranceCollect, InsuranceRegister, InsuranceRefund, InsuranceTown, InsuranceSupervise]),
    InsuranceRosterExport = ("insurance.roster.export", "导出、打印征缴清册", Read,
        [InsuranceAgentCollect, InsuranceCollect, InsuranceRegister, InsuranceTown, InsuranceSupervise]),
    InsurancePaymentRecord = ("insurance.payment.record", "登记代收缴费", Write, [InsuranceAgentCollect]),
    InsuranceRefund = ("insurance.payment.refund", "办理退费", Write, [Duty::InsuranceRefund]),
    InsuranceBulkOnBehalf = ("insurance.payment.bulk", "登记代缴人员批量缴费", Write, [InsuranceCollect]),
    InsuranceResidentsImport = ("insurance.residents.import", "导入参保登记名单", Write, [InsuranceRegister]),
    InsuranceGroupList = ("insurance.lists.groups", "报送资助、代缴人员名单", Write, [InsuranceConfirmGroups]),
    InsuranceDeathList = ("insurance.lists.deaths", "报送死亡、销户人员名单", Write, [InsuranceDeaths]),
    InsuranceJobsRead = ("insurance.jobs.read", "查看导入任务和名单报送", Read,
        [InsuranceCollect, InsuranceRegister, InsuranceConfirmGroups, InsuranceDeaths, InsuranceSupervise]),
    InsurancePublish = ("insurance.publish", "公示村（居）缴费清册", Write, [InsuranceTown]),
    InsuranceReconcile = ("insurance.reconcile", "核对代收款项（钱表相符）", Read,
        [InsuranceAgentCollect, InsuranceCollect, InsuranceTown, InsuranceSupervise]),
    InsuranceStatsRead = ("insurance.stats.read", "查阅征缴统计", Read,
        [InsuranceCollect, InsuranceRegister, InsuranceTown, InsuranceFunds, InsuranceSupervise, InsuranceOversight]),

    // ---- e-commerce support (山政发〔2022〕10号)
    SubsidyDeclare = ("subsidy.declare", "申报扶持、提交证明材料", Write, [Duty::SubsidyDeclare]),
    SubsidyApplicationsRead = ("subsidy.applications.read", "查阅扶持申请", Read,
        [Duty::SubsidyDeclare, Duty::SubsidyReview, Duty::SubsidyPay, SubsidyOversight]),
    SubsidyReview = ("subsidy.review", "审核扶持申请（受理、退回、不予支持、批准）", Write, [Duty::SubsidyReview]),
    SubsidyPay = ("subsidy.pay", "拨付扶持资金", Write, [Duty::SubsidyPay]),
    SubsidyClawback = ("subsidy.clawback", "追回扶持资金", Write, [Duty::SubsidyReview]),
    // Only the enterprise and the reviewer: subsidy.oversight's reading names
    // 申请、预算和目标, subsidy.pay's says 不看企业证明材料 (山政发〔2022〕10号 附件1).
    SubsidyDocumentsRead = ("subsidy.documents.read", "查阅企业证明材料", Read, [Duty::SubsidyDeclare, Duty::SubsidyReview]),
    SubsidyEnterprisesRead = ("subsidy.enterprises.read", "查阅电商企业名录", Read, [Duty::SubsidyReview, SubsidyOversight]),
    SubsidyEnterprisesEdit = ("subsidy.enterprises.edit", "维护电商企业名录", Write, [Duty::SubsidyReview]),
    SubsidyMatches = ("subsidy.matches", "免申即享名单", Read, [Duty::SubsidyReview]),
    SubsidyBudgetRead = ("subsidy.budget.read", "查阅扶持资金预算", Read,
        [Duty::SubsidyReview, Duty::SubsidyPay, SubsidyLeadOffice, SubsidyOversight]),
    SubsidyTargetsRead = ("subsidy.targets.read", "查阅电子商务工作目标", Read,
        [Duty::SubsidyTargets, SubsidyLeadOffice, SubsidyOversight]),
    SubsidyTargetsRecord = ("subsidy.targets.record", "报送目标完成情况", Write, [Duty::SubsidyTargets, SubsidyLeadOffice]),

    // ---- emergency (山政发〔2022〕8号)
    EmergencyRead = ("emergency.read", "查阅突发事件与应急处置", Read,
        [EmergencyReport, EmergencyDepartments, EmergencyCoordinate, EmergencyGovernment]),
    EmergencyReportFile = ("emergency.report", "报送突发事件信息（首报、续报）", Write,
        [EmergencyReport, EmergencyDepartments, EmergencyCoordinate, EmergencyGovernment]),
    EmergencyLevelGovernment = ("emergency.level.government", "决定、调整Ⅰ、Ⅱ、Ⅲ级响应", Write, [EmergencyGovernment]),
    EmergencyLevelLead = ("emergency.level.lead", "决定、调整Ⅳ级响应", Write, [EmergencyLead]),
    EmergencyCommand = ("emergency.command", "指挥处置（现场指挥部、工作组、措施、信息发布、资源调派）", Write,
        [EmergencyCoordinate, EmergencyGovernment, EmergencyLead]),
    EmergencyEnd = ("emergency.end", "宣布应急结束", Write, [EmergencyGovernment, EmergencyLead]),
    EmergencyRecovery = ("emergency.recovery", "善后处置、调查评估与恢复重建", Write,
        [EmergencyCoordinate, EmergencyGovernment, EmergencyLead]),
    WarningRead = ("emergency.warning.read", "查阅预警（含草稿）", Read,
        [EmergencyDepartments, EmergencyCoordinate, EmergencyGovernment, EmergencyReport]),
    WarningDraft = ("emergency.warning.draft", "拟制、修改预警草稿，提交审批", Write, [EmergencyCoordinate]),
    WarningApprove = ("emergency.warning.approve", "批准预警", Write, [EmergencyGovernment]),
    WarningPublish = ("emergency.warning.publish", "发布、调整、解除预警", Write, [EmergencyCoordinate, EmergencyGovernment]),
    WarningMeasure = ("emergency.warning.measure", "落实预警措施", Write, [EmergencyCoordinate, EmergencyMeasures]),
    ResourcesRead = ("emergency.resources.read", "查阅应急资源", Read,
        [EmergencyDepartments, EmergencyCoordinate, EmergencyGovernment, EmergencyReport]),
    ResourcesEdit = ("emergency.resources.edit", "登记应急资源", Write, [EmergencyCoordinate]),
    PlansRead = ("emergency.plans.read", "查阅应急预案", Read,
        [EmergencyDepartments, EmergencyCoordinate, EmergencyGovernment, EmergencyReport]),
    PlanMaintain = ("emergency.plans.maintain", "登记本单位预案及其备案、演练、修订", Write, [EmergencyPlanOwner]),

    // ---- housing fund joint meeting (山政办字〔2022〕19号)
    MeetingRead = ("meeting.read", "查阅联席会议", Read, [MeetingOffice, MeetingMember, MeetingConvener]),
    MeetingPropose = ("meeting.propose", "提议召开联席会议", Write, [MeetingOffice, MeetingMember]),
    MeetingRun = ("meeting.run", "筹备、召开会议，分送材料，记录出席和表决，编发纪要", Write, [MeetingOffice]),
    MeetingRepresentatives = ("meeting.representatives", "登记成员单位代表变更", Write, [MeetingOffice]),
}
