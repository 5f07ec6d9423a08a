//! The duties table: `policy/access/duties.toml`, read and checked.

use std::collections::HashMap;

use serde::Deserialize;

use crate::{Actor, Role, Scope};

#[derive(Debug, thiserror::Error)]
pub enum DutyError {
    #[error("缺少职责表 {0}")]
    Missing(&'static str),
    #[error("职责表 {file} 无效：{message}")]
    Bad { file: &'static str, message: String },
}

macro_rules! duties {
    ($($(#[$doc:meta])* $v:ident = $key:literal,)*) => {
        /// A duty one of the documents assigns (职责), by its key in the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Duty { $($(#[$doc])* $v,)* }

        impl Duty {
            pub const ALL: &'static [Duty] = &[$(Duty::$v,)*];

            /// The duty's key in `policy/access/duties.toml`.
            pub fn key(self) -> &'static str {
                match self { $(Duty::$v => $key,)* }
            }

            pub fn from_key(key: &str) -> Option<Duty> {
                match key { $($key => Some(Duty::$v),)* _ => None }
            }
        }
    };
}

duties! {
    /// 账号与权限管理
    Accounts = "platform.accounts",
    /// 查阅审计日志
    AuditLog = "platform.audit_log",
    /// 维护参考数据（村居名录）
    Reference = "platform.reference",
    /// 查阅参考数据
    ReferenceRead = "platform.reference_read",
    /// 委托代收（代办员）
    InsuranceAgentCollect = "insurance.agent_collect",
    /// 申报受理、费款征收、退费受理、征收清册（区税务局）
    InsuranceCollect = "insurance.collect",
    /// 参保登记、信息维护（区人社局、区医保局）
    InsuranceRegister = "insurance.register",
    /// 退费
    InsuranceRefund = "insurance.refund",
    /// 资助、代缴人员资格确认
    InsuranceConfirmGroups = "insurance.confirm_groups",
    /// 死亡、销户人员信息
    InsuranceDeaths = "insurance.deaths",
    /// 镇（街）组织、督导、公示
    InsuranceTown = "insurance.town",
    /// 代缴补助资金（区财政局）
    InsuranceFunds = "insurance.funds",
    /// 监督征缴全程（区审计局）
    InsuranceSupervise = "insurance.supervise",
    /// 区政府定期通报
    InsuranceOversight = "insurance.oversight",
    /// 企业申报（本企业）
    SubsidyDeclare = "subsidy.declare",
    /// 受理审核（区商务和投资促进局）
    SubsidyReview = "subsidy.review",
    /// 拨付资金（区财政局）
    SubsidyPay = "subsidy.pay",
    /// 报送工作目标完成情况
    SubsidyTargets = "subsidy.targets",
    /// 领导小组办公室
    SubsidyLeadOffice = "subsidy.lead_office",
    /// 领导小组（区政府）与审计监督
    SubsidyOversight = "subsidy.oversight",
    /// 报告本辖区突发事件信息
    EmergencyReport = "emergency.report",
    /// 区直部门按职责参与
    EmergencyDepartments = "emergency.departments",
    /// 综合协调（区应急管理局）
    EmergencyCoordinate = "emergency.coordinate",
    /// 区政府决定Ⅰ–Ⅲ级响应、批准预警、宣布结束
    EmergencyGovernment = "emergency.government",
    /// 牵头部门（Ⅳ级响应、组织指导协调）
    EmergencyLead = "emergency.lead",
    /// 预案编制单位
    EmergencyPlanOwner = "emergency.plan_owner",
    /// 落实分派给本单位的措施
    EmergencyMeasures = "emergency.measures",
    /// 联席会议办公室
    MeetingOffice = "meeting.office",
    /// 联席会议成员单位
    MeetingMember = "meeting.member",
    /// 联席会议总召集人
    MeetingConvener = "meeting.convener",
}

/// Who holds a duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Every account of a role (for its own place when the scope is own).
    Role(Role),
    /// One department, by its full name (administrators act as 区政府).
    Unit(String),
}

impl Holder {
    pub fn label(&self) -> String {
        match self {
            Holder::Role(Role::Admin) => "区级管理员".into(),
            Holder::Role(Role::Bureau) => "各部门".into(),
            Holder::Role(Role::Town) => "镇（街）".into(),
            Holder::Role(Role::Village) => "村（居）代办员".into(),
            Holder::Role(Role::Enterprise) => "企业".into(),
            Holder::Unit(u) => u.clone(),
        }
    }

    /// The scope `actor` gets from holding this, if it does.
    pub(crate) fn scope_for(&self, actor: &Actor, rule: ScopeRule) -> Option<Scope> {
        let role = actor.role?;
        match self {
            Holder::Unit(u) => {
                if actor.acting_unit() != Some(u.as_str()) {
                    return None;
                }
                Some(match rule {
                    ScopeRule::District => Scope::District,
                    ScopeRule::Own => Scope::Unit(u.clone()),
                })
            }
            Holder::Role(r) if *r != role => None,
            Holder::Role(_) => match rule {
                ScopeRule::District => Some(Scope::District),
                ScopeRule::Own => own_scope(actor, role),
            },
        }
    }
}

/// A role's own scope; `None` when the account lacks the scope its role needs.
fn own_scope(actor: &Actor, role: Role) -> Option<Scope> {
    match role {
        Role::Admin => Some(Scope::District),
        Role::Bureau => actor.unit.clone().map(Scope::Unit),
        Role::Town => actor.town.clone().map(Scope::Town),
        Role::Village => match (&actor.town, &actor.village) {
            (Some(t), Some(v)) => Some(Scope::Village { town: t.clone(), village: v.clone() }),
            _ => None,
        },
        Role::Enterprise => actor.enterprise.clone().map(Scope::Enterprise),
    }
}

/// How far a duty reaches for its holders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeRule {
    /// Everything in the district.
    District,
    /// The holder's own town / village / enterprise, or objects naming its unit.
    Own,
}

/// One duty as the table gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyDef {
    pub duty: Duty,
    pub label: String,
    pub document: String,
    pub clause: String,
    pub quote: String,
    pub holders: Vec<Holder>,
    pub scope: ScopeRule,
    pub full_ids: bool,
    pub reading: Option<String>,
}

impl DutyDef {
    /// `山政办发〔2022〕4号 六（四）2、3、4`.
    pub fn citation(&self) -> String {
        format!("{} {}", self.document, self.clause)
    }
}

/// Which unit confirms which groups' lists (4号 六（六）).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GroupConfirmation {
    pub unit: String,
    pub groups: Vec<String>,
    pub clause: String,
    #[serde(default)]
    pub reading: Option<String>,
}

/// The whole table, checked: every duty of the code present once, every unit
/// a department of the district.
#[derive(Debug, Clone)]
pub struct Duties {
    defs: HashMap<Duty, DutyDef>,
    pub groups: Vec<GroupConfirmation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolder {
    role: Option<String>,
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDuty {
    key: String,
    label: String,
    document: String,
    clause: String,
    quote: String,
    holders: Vec<RawHolder>,
    scope: ScopeRule,
    #[serde(default)]
    full_ids: bool,
    #[serde(default)]
    reading: Option<String>,
}

#[derive(Deserialize)]
struct RawFile {
    duty: Vec<RawDuty>,
    #[serde(default)]
    group_confirmation: Vec<GroupConfirmation>,
}

impl Duties {
    pub const FILE: &'static str = "access/duties.toml";

    pub fn load(params: &kernel::ParamSet, district: &district::District) -> Result<Duties, DutyError> {
        let text = params.file(Self::FILE).ok_or(DutyError::Missing(Self::FILE))?;
        Self::parse(text, district)
    }

    pub fn parse(text: &str, district: &district::District) -> Result<Duties, DutyError> {
        let bad = |message: String| DutyError::Bad { file: Self::FILE, message };
        let raw: RawFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let known_unit = |u: &str| u == crate::GOVERNMENT_UNIT || district.departments.iter().any(|d| d.name == u);
        let mut defs = HashMap::new();
        for d in raw.duty {
            let duty = Duty::from_key(&d.key).ok_or_else(|| bad(format!("未知职责 {}", d.key)))?;
            let mut holders = Vec::new();
            for h in d.holders {
                holders.push(match (h.role, h.unit) {
                    (Some(r), None) => Holder::Role(Role::parse(&r).ok_or_else(|| bad(format!("职责 {} 的角色 {r} 未知", d.key)))?),
                    (None, Some(u)) if known_unit(&u) => Holder::Unit(u),
                    (None, Some(u)) => {
                        return Err(bad(format!("职责 {} 的单位 {u} 不在部门名录（district/district.toml）中，请用全称", d.key)));
                    }
                    _ => return Err(bad(format!("职责 {} 的每个 holders 项须且只须有 role 或 unit", d.key))),
                });
            }
            if holders.is_empty() {
                return Err(bad(format!("职责 {} 没有承担者", d.key)));
            }
            let def = DutyDef {
                duty,
                label: d.label,
                document: d.document,
                clause: d.clause,
                quote: d.quote,
                holders,
                scope: d.scope,
                full_ids: d.full_ids,
                reading: d.reading,
            };
            if defs.insert(duty, def).is_some() {
                return Err(bad(format!("职责 {} 重复", d.key)));
            }
        }
        if let Some(missing) = Duty::ALL.iter().find(|d| !defs.contains_key(d)) {
            return Err(bad(format!("缺少职责 {}", missing.key())));
        }
        let confirmers: Vec<String> = defs[&Duty::InsuranceConfirmGroups]
            .holders
            .iter()
            .filter_map(|h| match h {
                Holder::Unit(u) => Some(u.clone()),
                Holder::Role(_) => None,
            })
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for g in &raw.group_confirmation {
            if !confirmers.contains(&g.unit) {
                return Err(bad(format!("{} 确认群体名单，但不是 insurance.confirm_groups 的承担者", g.unit)));
            }
            for name in &g.groups {
                if seen.contains(&name.as_str()) {
                    return Err(bad(format!("群体 {name} 由两个单位确认")));
                }
                seen.push(name);
            }
        }
        Ok(Duties { defs, groups: raw.group_confirmation })
    }

    pub fn def(&self, duty: Duty) -> &DutyDef {
        // Every duty is present: `parse` refuses a table that lacks one.
        &self.defs[&duty]
    }

    /// The units that confirm the list of the group named `group` (e.g. 低保 → 区民政局).
    pub fn group_units(&self, group: &str) -> Vec<&str> {
        self.groups.iter().filter(|g| g.groups.iter().any(|x| x == group)).map(|g| g.unit.as_str()).collect()
    }

    /// The groups whose lists `unit` confirms.
    pub fn groups_of(&self, unit: &str) -> Vec<&str> {
        self.groups.iter().filter(|g| g.unit == unit).flat_map(|g| g.groups.iter().map(String::as_str)).collect()
    }
}
