//! What one resident owes for the year, and why.

use kernel::{Date, Explanation, Money, Step};

use crate::resident::Resident;
use crate::rules::{Exclusion, Rules, yuan};

/// The clauses a computation can apply: static keys, so the hot path records
/// them in a bitset and text is produced only when a roster is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Clause {
    Covered,
    CoveredByPermit,
    ExcludedDeceased,
    ExcludedNotResident,
    ExcludedEmployee,
    MedicalStandard,
    MedicalOnBehalfGroup,
    MedicalOnBehalfAge,
    MedicalHalf,
    MedicalSponsored,
    MedicalSponsorCapped,
    PensionUnder16,
    PensionStudent,
    PensionReceiving,
    PensionSevereDisability,
    SevereChosenTierSet,
    PensionTier,
    PensionDefaultTier,
}

impl Clause {
    /// Every clause, in the order notes are written.
    pub const ALL: [Clause; 18] = [
        Clause::Covered,
        Clause::CoveredByPermit,
        Clause::ExcludedDeceased,
        Clause::ExcludedNotResident,
        Clause::ExcludedEmployee,
        Clause::MedicalStandard,
        Clause::MedicalOnBehalfGroup,
        Clause::MedicalOnBehalfAge,
        Clause::MedicalHalf,
        Clause::MedicalSponsored,
        Clause::MedicalSponsorCapped,
        Clause::PensionUnder16,
        Clause::PensionStudent,
        Clause::PensionReceiving,
        Clause::PensionSevereDisability,
        Clause::SevereChosenTierSet,
        Clause::PensionTier,
        Clause::PensionDefaultTier,
    ];

    /// A stable machine key.
    pub const fn key(self) -> &'static str {
        match self {
            Clause::Covered => "coverage.hukou",
            Clause::CoveredByPermit => "coverage.residence_permit",
            Clause::ExcludedDeceased => "coverage.excluded.deceased",
            Clause::ExcludedNotResident => "coverage.excluded.not_resident",
            Clause::ExcludedEmployee => "coverage.excluded.employee_insurance",
            Clause::MedicalStandard => "medical.standard",
            Clause::MedicalOnBehalfGroup => "medical.on_behalf.group",
            Clause::MedicalOnBehalfAge => "medical.on_behalf.age",
            Clause::MedicalHalf => "medical.on_behalf.half",
            Clause::MedicalSponsored => "medical.sponsored",
            Clause::MedicalSponsorCapped => "medical.sponsored.capped",
            Clause::PensionUnder16 => "pension.under_min_age",
            Clause::PensionStudent => "pension.student",
            Clause::PensionReceiving => "pension.receiving",
            Clause::PensionSevereDisability => "pension.severe_disability",
            Clause::SevereChosenTierSet => "pension.severe_disability.chosen_tier_set_aside",
            Clause::PensionTier => "pension.tier",
            Clause::PensionDefaultTier => "pension.default_tier",
        }
    }
}

/// A set of [`Clause`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Clauses(u32);

impl Clauses {
    pub fn insert(&mut self, c: Clause) {
        self.0 |= 1 << c as u8;
    }

    pub const fn contains(self, c: Clause) -> bool {
        self.0 & (1 << c as u8) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Clause> {
        Clause::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

/// The roster's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Included,
    Excluded(Exclusion),
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Included,
        Status::Excluded(Exclusion::Deceased),
        Status::Excluded(Exclusion::NotResident),
        Status::Excluded(Exclusion::EmployeeInsurance),
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Included => "included",
            Status::Excluded(e) => e.status(),
        }
    }

    /// 参保状态, in Chinese.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Included => "参保",
            Status::Excluded(Exclusion::NotResident) => "不在范围（无户籍、无居住证）",
            Status::Excluded(Exclusion::EmployeeInsurance) => "不在范围（职工保险）",
            Status::Excluded(Exclusion::Deceased) => "不在范围（已死亡）",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = kernel::labelled::UnknownCode;
    /// The stored code; an unknown one is an error, never a guess.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| kernel::labelled::UnknownCode { kind: "Status", code: kernel::echo(s).into_owned() })
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The roster's `pension_status`: the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PensionStatus {
    /// 未满16周岁.
    Under16,
    /// 在校学生.
    Student,
    /// 已领取待遇.
    ReceivingPension,
    /// 重度残疾人，政府代缴.
    PaidOnBehalf,
    Due,
    /// Excluded from the collection.
    NotCovered,
}

impl PensionStatus {
    pub const ALL: [PensionStatus; 6] = [
        PensionStatus::Under16,
        PensionStatus::Student,
        PensionStatus::ReceivingPension,
        PensionStatus::PaidOnBehalf,
        PensionStatus::Due,
        PensionStatus::NotCovered,
    ];

    /// 养老保险状态, in Chinese.
    pub const fn label(self) -> &'static str {
        match self {
            PensionStatus::Under16 => "未满16周岁",
            PensionStatus::Student => "在校学生",
            PensionStatus::ReceivingPension => "已领取待遇",
            PensionStatus::PaidOnBehalf => "政府代缴",
            PensionStatus::Due => "应缴",
            PensionStatus::NotCovered => "不参保",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            PensionStatus::Under16 => "under_16",
            PensionStatus::Student => "student",
            PensionStatus::ReceivingPension => "receiving_pension",
            PensionStatus::PaidOnBehalf => "paid_on_behalf",
            PensionStatus::Due => "due",
            PensionStatus::NotCovered => "not_covered",
        }
    }
}

impl std::str::FromStr for PensionStatus {
    type Err = kernel::labelled::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PensionStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| kernel::labelled::UnknownCode { kind: "PensionStatus", code: kernel::echo(s).into_owned() })
    }
}

impl std::fmt::Display for PensionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for PensionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for PensionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One resident's contribution for the year: the roster line's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    /// 周岁 on the reference date.
    pub age: i32,
    pub status: Status,
    /// What the person pays of the medical individual share.
    pub medical_individual: Money,
    /// 代缴 by the government or a department.
    pub medical_on_behalf: Money,
    /// 资助 by an employer, town, village or person.
    pub medical_sponsored: Money,
    /// 财政补助.
    pub medical_fiscal: Money,
    pub pension_status: PensionStatus,
    /// 缴费档次 (chosen, default, or the on-behalf standard).
    pub pension_tier: Option<Money>,
    pub pension_individual: Money,
    pub pension_on_behalf: Money,
    /// 政府补贴.
    pub pension_subsidy: Money,
    /// What the person pays: medical individual + pension individual.
    pub total_due: Money,
    pub clauses: Clauses,
    /// Index of `pension_tier` among the rules' tiers.
    pub tier_index: Option<u8>,
}

impl Contribution {
    fn zero(age: i32, status: Status) -> Contribution {
        Contribution {
            age,
            status,
            medical_individual: Money::ZERO,
            medical_on_behalf: Money::ZERO,
            medical_sponsored: Money::ZERO,
            medical_fiscal: Money::ZERO,
            pension_status: PensionStatus::NotCovered,
            pension_tier: None,
            pension_individual: Money::ZERO,
            pension_on_behalf: Money::ZERO,
            pension_subsidy: Money::ZERO,
            total_due: Money::ZERO,
            clauses: Clauses::default(),
            tier_index: None,
        }
    }

    pub fn is_included(&self) -> bool {
        self.status == Status::Included
    }

    /// The notes as text pieces, in clause order (no allocation). Constant
    /// cases (户籍居民, the medical split) have no note.
    pub fn notes<'r>(&self, rules: &'r Rules) -> impl Iterator<Item = &'r str> + use<'r> {
        let tier = self.tier_index.map(usize::from);
        let clauses = self.clauses;
        clauses
            .iter()
            .filter_map(move |c| match c {
                Clause::PensionTier => tier.and_then(|i| rules.notes.tier.get(i)).map(String::as_str),
                Clause::PensionDefaultTier => tier.and_then(|i| rules.notes.default_tier.get(i)).map(String::as_str),
                c => rules.notes.by_clause.get(c as usize).map(String::as_str),
            })
            .filter(|s| !s.is_empty())
    }

    /// The notes column: pieces joined by `；`.
    pub fn notes_text(&self, rules: &Rules) -> String {
        self.notes(rules).collect::<Vec<_>>().join("；")
    }
}

/// The exclusion that applies first, in the order the rules give.
fn exclusion(rules: &Rules, r: &Resident<'_>, as_of: Date) -> Option<Exclusion> {
    rules.exclusion_order.into_iter().find(|e| match e {
        Exclusion::Deceased => r.deceased_on.is_some_and(|d| d <= as_of),
        Exclusion::NotResident => !r.hukou_in_district && !r.residence_permit,
        Exclusion::EmployeeInsurance => r.employee_insurance,
    })
}

/// Compute one resident on the reference date `as_of` (age in 周岁 on it).
/// The row is expected to have passed [`Rules::check`]; an unknown tier
/// would get no subsidy.
pub fn compute(rules: &Rules, r: &Resident<'_>, as_of: Date) -> Contribution {
    let age = r.id.age_on(as_of);
    if let Some(e) = exclusion(rules, r, as_of) {
        let mut c = Contribution::zero(age, Status::Excluded(e));
        c.clauses.insert(match e {
            Exclusion::Deceased => Clause::ExcludedDeceased,
            Exclusion::NotResident => Clause::ExcludedNotResident,
            Exclusion::EmployeeInsurance => Clause::ExcludedEmployee,
        });
        return c;
    }
    let mut c = Contribution::zero(age, Status::Included);
    c.clauses.insert(if r.hukou_in_district { Clause::Covered } else { Clause::CoveredByPermit });
    let groups = rules.effective_groups(r.groups, r.disability_grade);

    // Medical (五（一）): on behalf in full for the groups and 70+, half for 60–69.
    c.clauses.insert(Clause::MedicalStandard);
    let share = rules.medical_individual;
    c.medical_on_behalf = if groups.intersects(rules.medical_on_behalf_groups) {
        c.clauses.insert(Clause::MedicalOnBehalfGroup);
        share
    } else if age >= rules.medical_on_behalf_age {
        c.clauses.insert(Clause::MedicalOnBehalfAge);
        share
    } else if rules.medical_half_ages.0 <= age && age <= rules.medical_half_ages.1 {
        c.clauses.insert(Clause::MedicalHalf);
        rules.medical_half_amount
    } else {
        Money::ZERO
    };
    let rest = share.saturating_sub(c.medical_on_behalf);
    if let Some(s) = r.sponsored.filter(|s| !s.is_zero()) {
        c.clauses.insert(Clause::MedicalSponsored);
        if s > rest {
            c.clauses.insert(Clause::MedicalSponsorCapped);
        }
        c.medical_sponsored = s.min(rest);
    }
    c.medical_individual = rest.saturating_sub(c.medical_sponsored);
    c.medical_fiscal = rules.medical_fiscal;

    // Pension (四, 五（一）).
    let severe = r.disability_grade.is_some_and(|g| rules.is_severe(g));
    c.pension_status = if age < rules.pension_min_age {
        c.clauses.insert(Clause::PensionUnder16);
        PensionStatus::Under16
    } else if r.student {
        c.clauses.insert(Clause::PensionStudent);
        PensionStatus::Student
    } else if r.receiving_pension && rules.receiving_owes_nothing {
        c.clauses.insert(Clause::PensionReceiving);
        PensionStatus::ReceivingPension
    } else if severe {
        c.clauses.insert(Clause::PensionSevereDisability);
        if r.pension_tier.is_some_and(|t| t != rules.severe_on_behalf) {
            c.clauses.insert(Clause::SevereChosenTierSet);
        }
        let t = rules.severe_on_behalf;
        c.pension_tier = Some(t);
        c.tier_index = rules.tier_index(t).and_then(|i| u8::try_from(i).ok());
        c.pension_on_behalf = t;
        c.pension_subsidy = rules.subsidy(t).unwrap_or(Money::ZERO);
        PensionStatus::PaidOnBehalf
    } else {
        let t = match r.pension_tier {
            Some(t) => {
                c.clauses.insert(Clause::PensionTier);
                t
            }
            None => {
                c.clauses.insert(Clause::PensionDefaultTier);
                if groups.intersects(rules.hardship_groups) { rules.default_tier_hardship } else { rules.default_tier_general }
            }
        };
        c.pension_tier = Some(t);
        c.tier_index = rules.tier_index(t).and_then(|i| u8::try_from(i).ok());
        c.pension_individual = t;
        c.pension_subsidy = rules.subsidy(t).unwrap_or(Money::ZERO);
        PensionStatus::Due
    };
    c.total_due = c.medical_individual.saturating_add(c.pension_individual);
    c
}

/// The same computation as a trace for the UI: every rule, its facts, and
/// whether it applied.
pub fn explain(rules: &Rules, r: &Resident<'_>, as_of: Date) -> Explanation {
    let c = compute(rules, r, as_of);
    let cz = &rules.citations;
    let mut e = Explanation::new();
    let yes_no = |b: bool| if b { "是" } else { "否" };

    let mut cover = Step::new(&cz.coverage, "参保对象和范围")
        .fact("参照日", as_of)
        .fact("周岁年龄", c.age)
        .fact("本区户籍", yes_no(r.hukou_in_district))
        .fact("居住证", yes_no(r.residence_permit))
        .fact("城镇职工保险", yes_no(r.employee_insurance))
        .fact("死亡日期", r.deceased_on.map(|d| d.to_string()).unwrap_or_else(|| "无".into()));
    if let Some(rd) = &cz.readings.exclusion_order {
        cover = cover.reading(rd);
    }
    let Status::Excluded(ex) = c.status else {
        e.push(cover.applied(if r.hukou_in_district {
            "户籍居民，纳入本年度征缴"
        } else {
            "持居住证的非本区户籍人员，纳入本年度征缴"
        }));
        explain_included(rules, r, &c, &mut e);
        return e;
    };
    let reason = match ex {
        Exclusion::Deceased => "已于参照日或之前死亡".to_string(),
        Exclusion::NotResident => "既无本区户籍也无居住证".to_string(),
        Exclusion::EmployeeInsurance => "已参加城镇职工养老、医疗保险".to_string(),
    };
    e.push(cover.not_applied(format!("{reason}，不纳入（{}）", ex.status())));
    e
}

fn explain_included(rules: &Rules, r: &Resident<'_>, c: &Contribution, e: &mut Explanation) {
    let cz = &rules.citations;
    let groups = rules.effective_groups(r.groups, r.disability_grade);
    let group_text = if groups.is_empty() { "无".to_string() } else { groups.to_string() };
    e.push(Step::new(&cz.medical, "医疗保险筹资标准").fact("总额", yuan(rules.medical_total) + "元").applied(format!(
        "个人缴费{}元，财政补助{}元",
        yuan(rules.medical_individual),
        yuan(rules.medical_fiscal)
    )));
    let named: Vec<&str> = rules.medical_on_behalf_groups.iter().map(|g| g.name()).collect();
    let step = Step::new(&cz.medical, "特殊群体医疗个人缴费代缴").fact("所属群体", &group_text);
    e.push(if c.clauses.contains(Clause::MedicalOnBehalfGroup) {
        step.applied(format!("个人缴费{}元由政府或部门代缴", yuan(c.medical_on_behalf)))
    } else {
        step.not_applied(format!("不属于{}", named.join("、")))
    });
    let step = Step::new(&cz.medical, format!("{}岁（含）以上医疗个人缴费代缴", rules.medical_on_behalf_age)).fact("周岁年龄", c.age);
    e.push(if c.clauses.contains(Clause::MedicalOnBehalfAge) {
        step.applied(format!("个人缴费{}元由政府或部门代缴", yuan(c.medical_on_behalf)))
    } else if c.clauses.contains(Clause::MedicalOnBehalfGroup) {
        step.not_applied("已按特殊群体全额代缴")
    } else {
        step.not_applied(format!("未满{}岁", rules.medical_on_behalf_age))
    });
    let (h0, h1) = rules.medical_half_ages;
    let step = Step::new(&cz.medical, format!("{h0}-{h1}岁医疗个人缴费政府承担{}", rules.medical_half_share)).fact("周岁年龄", c.age);
    e.push(if c.clauses.contains(Clause::MedicalHalf) {
        step.applied(format!(
            "代缴{}元，本人{}元",
            yuan(c.medical_on_behalf),
            yuan(rules.medical_individual.saturating_sub(c.medical_on_behalf))
        ))
    } else if c.medical_on_behalf == rules.medical_individual {
        step.not_applied("已全额代缴")
    } else {
        step.not_applied(format!("年龄不在{h0}-{h1}岁"))
    });
    let mut step =
        Step::new(&cz.medical, "资助个人缴费").fact("资助金额", r.sponsored.map(|s| yuan(s) + "元").unwrap_or_else(|| "无".into()));
    if let Some(rd) = &cz.readings.sponsorship {
        step = step.reading(rd);
    }
    e.push(if c.medical_sponsored.is_zero() {
        step.not_applied(if r.sponsored.is_some_and(|s| !s.is_zero()) {
            "个人缴费部分已全部代缴，无需资助"
        } else {
            "无资助"
        })
    } else {
        step.applied(format!("资助{}元，本人应缴医疗{}元", yuan(c.medical_sponsored), yuan(c.medical_individual)))
    });

    let step = Step::new(&cz.coverage, format!("养老保险须年满{}周岁，不含在校学生", rules.pension_min_age))
        .fact("周岁年龄", c.age)
        .fact("在校学生", yes(r.student));
    e.push(match c.pension_status {
        PensionStatus::Under16 => step.not_applied(format!("未满{}周岁，不参加养老保险", rules.pension_min_age)),
        PensionStatus::Student => step.not_applied("在校学生，不参加养老保险"),
        _ => step.applied("参加养老保险"),
    });
    if matches!(c.pension_status, PensionStatus::Under16 | PensionStatus::Student) {
        e.push(total_step(rules, c));
        return;
    }
    let mut step = Step::new(&cz.pension, "已领取待遇人员").fact("已领取待遇", yes(r.receiving_pension));
    if let Some(rd) = &cz.readings.receiving {
        step = step.reading(rd);
    }
    e.push(if c.pension_status == PensionStatus::ReceivingPension {
        step.applied("不再缴纳养老保险费")
    } else {
        step.not_applied("未领取待遇")
    });
    if c.pension_status != PensionStatus::ReceivingPension {
        let mut step = Step::new(&cz.pension, "重度残疾人养老保险代缴")
            .fact("残疾等级", r.disability_grade.map(|g| format!("{g}级")).unwrap_or_else(|| "无".into()));
        if let Some(rd) = &cz.readings.severe {
            step = step.reading(rd);
        }
        e.push(if c.pension_status == PensionStatus::PaidOnBehalf {
            step.applied(format!("政府代缴{}元，政府补贴{}元，本人应缴0元", yuan(c.pension_on_behalf), yuan(c.pension_subsidy)))
        } else {
            step.not_applied("不是一级、二级残疾人")
        });
    }
    if c.pension_status == PensionStatus::Due
        && let Some(t) = c.pension_tier
    {
        let mut step = Step::new(&cz.pension, "缴费档次与政府补贴")
            .fact("所选档次", r.pension_tier.map(|t| yuan(t) + "元").unwrap_or_else(|| "未选".into()))
            .fact("所属群体", &group_text);
        if r.pension_tier.is_none()
            && let Some(rd) = &cz.readings.default_tier
        {
            step = step.reading(rd);
        }
        if let Some(rd) = &cz.readings.grade_implies_disabled
            && r.disability_grade.is_some()
        {
            step = step.reading(rd);
        }
        e.push(step.applied(format!("档次{}元，政府补贴{}元", yuan(t), yuan(c.pension_subsidy))));
    }
    e.push(total_step(rules, c));
}

fn yes(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn total_step(rules: &Rules, c: &Contribution) -> Step {
    Step::new(&rules.citations.medical, "本人应缴合计")
        .fact("医疗个人", yuan(c.medical_individual) + "元")
        .fact("养老个人", yuan(c.pension_individual) + "元")
        .applied(format!("{}元", yuan(c.total_due)))
}
