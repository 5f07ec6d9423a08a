//! The figures of one contribution year, resolved once from the dated, cited
//! parameters into a plain struct so that computing a resident needs no
//! look-up and no allocation.

use kernel::{Date, Money, ParamError, ParamSet, Ratio};

use crate::compute::Clause;
use crate::groups::{Group, Groups};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("{year}年度的参数不一致：{message}")]
    Inconsistent { year: i32, message: String },
}

/// Why a person is outside this collection (参保对象和范围 四).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// Died on or before the reference date.
    Deceased,
    /// Neither household registration (户籍) nor a residence permit (居住证).
    NotResident,
    /// In the urban employee pension / medical insurance (城镇职工养老、医疗保险).
    EmployeeInsurance,
}

impl Exclusion {
    /// The roster's `status` value.
    pub const fn status(self) -> &'static str {
        match self {
            Exclusion::Deceased => "excluded:deceased",
            Exclusion::NotResident => "excluded:not_resident",
            Exclusion::EmployeeInsurance => "excluded:employee_insurance",
        }
    }

    fn from_key(k: &str) -> Option<Exclusion> {
        match k {
            "deceased" => Some(Exclusion::Deceased),
            "not_resident" => Some(Exclusion::NotResident),
            "employee_insurance" => Some(Exclusion::EmployeeInsurance),
            _ => None,
        }
    }
}

/// The collection calendar (五（二）, 七).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start of the medical collection period (医疗保险集中缴费期).
    pub medical_start: Date,
    /// End of the preparation phase (征缴准备阶段).
    pub preparation_end: Date,
    /// Start of centralized collection (集中缴费阶段).
    pub collection_start: Date,
    /// Last day of the window; paying on or before it gives full-year benefits.
    pub end: Date,
    /// Last day of publication (公示阶段).
    pub publication_end: Date,
}

/// Payment-rate targets (三、任务目标).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// 应保尽保.
    pub medical: Ratio,
    /// Pension payment rate for the upper band (45–59: 95%以上).
    pub pension_upper: Ratio,
    pub upper_ages: (i32, i32),
    /// Pension payment rate for the lower band (16–44: 60%以上).
    pub pension_lower: Ratio,
    pub lower_ages: (i32, i32),
}

impl Targets {
    /// The band an age falls in: `Some(true)` upper, `Some(false)` lower.
    pub fn band(&self, age: i32) -> Option<bool> {
        if self.upper_ages.0 <= age && age <= self.upper_ages.1 {
            Some(true)
        } else if self.lower_ages.0 <= age && age <= self.lower_ages.1 {
            Some(false)
        } else {
            None
        }
    }
}

/// Everything the engine needs for one contribution year.
#[derive(Debug, Clone)]
pub struct Rules {
    pub year: i32,
    /// 文号 of the year's document.
    pub document: String,
    /// 缴费档次, ascending.
    pub tiers: Vec<Money>,
    /// 政府补贴 per tier, parallel to `tiers`.
    pub subsidies: Vec<Money>,
    /// The tier open only to the hardship groups (100元档次).
    pub hardship_tier: Money,
    /// 残疾、五保、低保、优抚、扶贫.
    pub hardship_groups: Groups,
    /// Reading: a disability grade puts a person in 残疾.
    pub grade_implies_disabled: bool,
    /// Bit `g` set for severe disability grade `g` (一级、二级).
    pub severe_grades: u8,
    /// What the government pays for the severely disabled (100元).
    pub severe_on_behalf: Money,
    pub default_tier_hardship: Money,
    pub default_tier_general: Money,
    /// Reading: those drawing the pension owe no contribution.
    pub receiving_owes_nothing: bool,
    /// 年满16周岁.
    pub pension_min_age: i32,
    /// Reading: which exclusion is reported first.
    pub exclusion_order: [Exclusion; 3],
    pub medical_total: Money,
    pub medical_individual: Money,
    pub medical_fiscal: Money,
    /// 特困、低保、返贫致贫、低保边缘、监测帮扶.
    pub medical_on_behalf_groups: Groups,
    /// 70岁（含70岁）以上.
    pub medical_on_behalf_age: i32,
    /// 60-69岁 (both ends included).
    pub medical_half_ages: (i32, i32),
    pub medical_half_share: Ratio,
    /// `medical_individual × medical_half_share`, paid on behalf for 60–69.
    pub medical_half_amount: Money,
    pub window: Window,
    /// 3个月的待遇享受等待期.
    pub waiting_months: i8,
    /// Reading: the roster's default reference date.
    pub default_as_of: Date,
    pub targets: Targets,
    /// Full citations, by clause key.
    pub(crate) citations: Citations,
    /// Roster notes, rendered once: one per clause, one per tier.
    pub(crate) notes: Notes,
}

#[derive(Debug, Clone)]
pub(crate) struct Citations {
    pub coverage: String,
    pub pension: String,
    pub medical: String,
    pub window: String,
    /// 五（二）: the day the year's collection window opens.
    pub window_open: String,
    pub readings: Readings,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Readings {
    pub exclusion_order: Option<String>,
    pub grade_implies_disabled: Option<String>,
    pub severe: Option<String>,
    pub default_tier: Option<String>,
    pub receiving: Option<String>,
    pub sponsorship: Option<String>,
    pub as_of: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Notes {
    pub by_clause: Vec<String>,
    pub tier: Vec<String>,
    pub default_tier: Vec<String>,
    /// Whether any note holds a comma, double quote or line break.
    pub needs_csv_quoting: bool,
}

fn list_money(params: &ParamSet, name: &str, on: Date, year: i32) -> Result<Vec<Money>, RulesError> {
    params
        .list(name, on)?
        .iter()
        .map(|s| {
            Money::parse_yuan(s).map_err(|e| RulesError::Inconsistent { year, message: format!("{name} 中的 {s:?} 不是金额: {e}") })
        })
        .collect()
}

fn groups(params: &ParamSet, name: &str, on: Date, year: i32) -> Result<Groups, RulesError> {
    Groups::from_names(&params.list(name, on)?)
        .map_err(|g| RulesError::Inconsistent { year, message: format!("{name} 中的群体 {g:?} 不是九类群体之一") })
}

fn age(params: &ParamSet, name: &str, on: Date) -> Result<i32, RulesError> {
    let v = params.int(name, on)?;
    Ok(i32::try_from(v).unwrap_or(i32::MAX))
}

/// The clause part of a citation (`山政办发〔2022〕4号 五（一）` → `五（一）`), for
/// the compact per-row notes.
fn clause_of<'a>(citation: &'a str, document: &str) -> &'a str {
    citation.strip_prefix(document).map(str::trim_start).filter(|s| !s.is_empty()).unwrap_or(citation)
}

impl Rules {
    /// Resolve the figures of contribution year `year`, looked up on
    /// `year`-01-01 (see `policy/insurance/2023.toml` for the period convention).
    pub fn load(params: &ParamSet, year: i32) -> Result<Rules, RulesError> {
        let bad = |message: String| RulesError::Inconsistent { year, message };
        let on = i16::try_from(year).ok().and_then(|y| Date::new(y, 1, 1).ok()).ok_or_else(|| bad(format!("年度 {year} 无效")))?;

        let tiers = list_money(params, "insurance.pension.tiers", on, year)?;
        if tiers.is_empty() || tiers.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("insurance.pension.tiers 应为递增且不重复的档次".into()));
        }
        let low_tiers = list_money(params, "insurance.pension.subsidy.low.tiers", on, year)?;
        let mid_tiers = list_money(params, "insurance.pension.subsidy.mid.tiers", on, year)?;
        let low = params.money("insurance.pension.subsidy.low", on)?;
        let mid = params.money("insurance.pension.subsidy.mid", on)?;
        let high_from = params.money("insurance.pension.subsidy.high.min_tier", on)?;
        let high = params.money("insurance.pension.subsidy.high", on)?;
        let mut subsidies = Vec::with_capacity(tiers.len());
        for &t in &tiers {
            // Two bands claiming one tier is an error, not a tie.
            let claims: Vec<Money> = [(low_tiers.contains(&t), low), (mid_tiers.contains(&t), mid), (t >= high_from, high)]
                .into_iter()
                .filter_map(|(hit, s)| hit.then_some(s))
                .collect();
            match claims.as_slice() {
                [s] => subsidies.push(*s),
                [] => return Err(bad(format!("档次 {t}元 没有对应的政府补贴"))),
                _ => return Err(bad(format!("档次 {t}元 对应多个政府补贴标准"))),
            }
        }
        let hardship_tier = params.money("insurance.pension.hardship_tier", on)?;
        let severe_on_behalf = params.money("insurance.pension.severe_disability.on_behalf", on)?;
        let default_tier_hardship = params.money("insurance.pension.default_tier.hardship", on)?;
        let default_tier_general = params.money("insurance.pension.default_tier.general", on)?;
        for (what, t) in [
            ("hardship_tier", hardship_tier),
            ("severe_disability.on_behalf", severe_on_behalf),
            ("default_tier.hardship", default_tier_hardship),
            ("default_tier.general", default_tier_general),
        ] {
            if !tiers.contains(&t) {
                return Err(bad(format!("insurance.pension.{what} = {t}元 不是十二个档次之一")));
            }
        }
        if default_tier_general == hardship_tier {
            return Err(bad("其他人员的默认档次不能是困难群体专用档次".into()));
        }
        let mut severe_grades = 0u8;
        for g in params.list("insurance.pension.severe_disability.grades", on)? {
            match g.parse::<u8>() {
                Ok(n @ 1..=4) => severe_grades |= 1 << n,
                _ => return Err(bad(format!("重度残疾等级 {g:?} 应为1–4"))),
            }
        }
        let order = params.list("insurance.coverage.exclusion_order", on)?;
        let parsed: Vec<Exclusion> =
            order.iter().map(|k| Exclusion::from_key(k).ok_or_else(|| bad(format!("未知排除情形 {k:?}")))).collect::<Result<_, _>>()?;
        let exclusion_order: [Exclusion; 3] = match parsed.as_slice() {
            [a, b, c] if a != b && b != c && a != c => [*a, *b, *c],
            _ => return Err(bad("insurance.coverage.exclusion_order 应恰好列出三种排除情形各一次".into())),
        };

        let medical_total = params.money("insurance.medical.total", on)?;
        let medical_individual = params.money("insurance.medical.individual", on)?;
        let medical_fiscal = params.money("insurance.medical.fiscal", on)?;
        if medical_individual.checked_add(medical_fiscal) != Some(medical_total) {
            return Err(bad(format!("医疗保险个人缴费 {medical_individual} + 财政补助 {medical_fiscal} ≠ 总额 {medical_total}")));
        }
        let medical_half_share = params.ratio("insurance.medical.half_share", on)?;
        let medical_half_amount = medical_individual.mul_ratio(medical_half_share);
        if medical_half_amount > medical_individual {
            return Err(bad("60–69岁代缴比例超过100%".into()));
        }

        let window = Window {
            medical_start: params.date("insurance.window.medical_start", on)?,
            preparation_end: params.date("insurance.window.preparation_end", on)?,
            collection_start: params.date("insurance.window.collection_start", on)?,
            end: params.date("insurance.window.end", on)?,
            publication_end: params.date("insurance.window.publication_end", on)?,
        };
        if window.end < window.medical_start {
            return Err(bad("集中缴费期的结束早于开始".into()));
        }
        let waiting_months = i8::try_from(params.int("insurance.late.waiting_months", on)?)
            .ok()
            .filter(|m| (0..=12).contains(m))
            .ok_or_else(|| bad("等待期应为0–12个月".into()))?;

        let targets = Targets {
            medical: params.ratio("insurance.target.medical", on)?,
            pension_upper: params.ratio("insurance.target.pension.upper", on)?,
            upper_ages: (
                age(params, "insurance.target.pension.upper.age_from", on)?,
                age(params, "insurance.target.pension.upper.age_to", on)?,
            ),
            pension_lower: params.ratio("insurance.target.pension.lower", on)?,
            lower_ages: (
                age(params, "insurance.target.pension.lower.age_from", on)?,
                age(params, "insurance.target.pension.lower.age_to", on)?,
            ),
        };

        let cite = |name: &str| params.get(name, on).map(|p| p.citation.clone());
        let reading = |name: &str| params.get(name, on).ok().and_then(|p| p.reading.clone());
        let coverage = cite("insurance.coverage.exclusion_order")?;
        let pension = cite("insurance.pension.tiers")?;
        let medical = cite("insurance.medical.total")?;
        let window_cite = cite("insurance.late.waiting_months")?;
        let window_open = cite("insurance.window.medical_start")?;
        let document = {
            let c = &pension;
            c.split_once(' ').map(|(d, _)| d.to_string()).unwrap_or_else(|| c.clone())
        };
        let readings = Readings {
            exclusion_order: reading("insurance.coverage.exclusion_order"),
            grade_implies_disabled: reading("insurance.pension.disability_grade_implies_disabled"),
            severe: reading("insurance.pension.severe_disability.on_behalf"),
            default_tier: reading("insurance.pension.default_tier.general"),
            receiving: reading("insurance.pension.receiving_owes_nothing"),
            sponsorship: reading("insurance.medical.sponsorship_cap_at_share"),
            as_of: reading("insurance.roster.default_as_of"),
        };

        let mut rules = Rules {
            year,
            document,
            tiers,
            subsidies,
            hardship_tier,
            hardship_groups: groups(params, "insurance.pension.hardship_groups", on, year)?,
            grade_implies_disabled: params.flag("insurance.pension.disability_grade_implies_disabled", on)?,
            severe_grades,
            severe_on_behalf,
            default_tier_hardship,
            default_tier_general,
            receiving_owes_nothing: params.flag("insurance.pension.receiving_owes_nothing", on)?,
            pension_min_age: age(params, "insurance.pension.min_age", on)?,
            exclusion_order,
            medical_total,
            medical_individual,
            medical_fiscal,
            medical_on_behalf_groups: groups(params, "insurance.medical.on_behalf_groups", on, year)?,
            medical_on_behalf_age: age(params, "insurance.medical.on_behalf_age", on)?,
            medical_half_ages: (age(params, "insurance.medical.half_age_from", on)?, age(params, "insurance.medical.half_age_to", on)?),
            medical_half_share,
            medical_half_amount,
            window,
            waiting_months,
            default_as_of: params.date("insurance.roster.default_as_of", on)?,
            targets,
            citations: Citations { coverage, pension, medical, window: window_cite, window_open, readings },
            notes: Notes { by_clause: Vec::new(), tier: Vec::new(), default_tier: Vec::new(), needs_csv_quoting: false },
        };
        rules.notes = rules.render_notes();
        Ok(rules)
    }

    /// Citation of the opening of the collection window (五（二）): no
    /// payment for the year is dated before it.
    pub fn window_open_citation(&self) -> &str {
        &self.citations.window_open
    }

    /// Citation of the late-payment waiting period (五（二）).
    pub fn waiting_citation(&self) -> &str {
        &self.citations.window
    }

    /// The reading behind the default reference date, for a roster drawn up
    /// without an explicit `as_of`.
    pub fn default_as_of_reading(&self) -> Option<&str> {
        self.citations.readings.as_of.as_deref()
    }

    /// Index of a tier among the twelve.
    pub fn tier_index(&self, tier: Money) -> Option<usize> {
        self.tiers.iter().position(|&t| t == tier)
    }

    /// 政府补贴 for a tier, if it is one of the twelve.
    pub fn subsidy(&self, tier: Money) -> Option<Money> {
        self.tier_index(tier).map(|i| self.subsidies[i])
    }

    /// Grade 1–4 counted as severe (一级、二级).
    pub fn is_severe(&self, grade: u8) -> bool {
        grade < 8 && self.severe_grades & (1 << grade) != 0
    }

    /// The groups a resident belongs to once the disability grade is read in.
    pub fn effective_groups(&self, groups: Groups, disability_grade: Option<u8>) -> Groups {
        if self.grade_implies_disabled && disability_grade.is_some() { groups.with(Group::Disabled) } else { groups }
    }

    pub(crate) fn citation(&self, c: Clause) -> &str {
        match c {
            Clause::Covered
            | Clause::CoveredByPermit
            | Clause::ExcludedDeceased
            | Clause::ExcludedNotResident
            | Clause::ExcludedEmployee => &self.citations.coverage,
            Clause::PensionUnder16 | Clause::PensionStudent => &self.citations.coverage,
            Clause::MedicalStandard
            | Clause::MedicalOnBehalfGroup
            | Clause::MedicalOnBehalfAge
            | Clause::MedicalHalf
            | Clause::MedicalSponsored
            | Clause::MedicalSponsorCapped => &self.citations.medical,
            Clause::PensionReceiving
            | Clause::PensionSevereDisability
            | Clause::PensionTier
            | Clause::PensionDefaultTier
            | Clause::SevereChosenTierSet => &self.citations.pension,
        }
    }

    /// Whether any roster note holds a comma, a double quote or a line
    /// break, so that a CSV writer must quote the notes column. The notes
    /// are fixed per year: a writer asks once, not per row.
    pub fn notes_need_csv_quoting(&self) -> bool {
        self.notes.needs_csv_quoting
    }

    fn render_notes(&self) -> Notes {
        let clause = |c: Clause| clause_of(self.citation(c), &self.document).to_string();
        let (h0, h1) = self.medical_half_ages;
        // Compact: a roster has a line per resident, so each note is the
        // clause and a few words; the constant cases (户籍居民, the 960元 split)
        // are left out and shown by `explain`.
        let by_clause = Clause::ALL
            .iter()
            .map(|&c| {
                let body = match c {
                    Clause::Covered | Clause::MedicalStandard | Clause::PensionTier | Clause::PensionDefaultTier => return String::new(),
                    Clause::CoveredByPermit => "居住证参保".to_string(),
                    Clause::ExcludedDeceased => "已死亡".to_string(),
                    Clause::ExcludedNotResident => "无本区户籍且无居住证".to_string(),
                    Clause::ExcludedEmployee => "已参加城镇职工保险".to_string(),
                    Clause::MedicalOnBehalfGroup => "医疗特殊群体代缴".to_string(),
                    Clause::MedicalOnBehalfAge => format!("医疗{}岁以上代缴", self.medical_on_behalf_age),
                    Clause::MedicalHalf => format!("医疗{h0}-{h1}岁代缴{}", self.medical_half_share),
                    Clause::MedicalSponsored => "医疗资助".to_string(),
                    Clause::MedicalSponsorCapped => "资助以应缴为限（解读）".to_string(),
                    Clause::PensionUnder16 => format!("未满{}周岁", self.pension_min_age),
                    Clause::PensionStudent => "在校学生".to_string(),
                    Clause::PensionReceiving => "已领待遇不缴（解读）".to_string(),
                    Clause::PensionSevereDisability => format!(
                        "重度残疾代缴{}元补贴{}元（解读）",
                        yuan(self.severe_on_behalf),
                        self.subsidy(self.severe_on_behalf).map(yuan).unwrap_or_default()
                    ),
                    Clause::SevereChosenTierSet => "所选档次不适用".to_string(),
                };
                format!("{}:{body}", clause(c))
            })
            .collect();
        let pc = clause(Clause::PensionTier);
        let tier = self.tiers.iter().zip(&self.subsidies).map(|(t, s)| format!("{pc}:档次{}元补贴{}元", yuan(*t), yuan(*s))).collect();
        let default_tier = self
            .tiers
            .iter()
            .zip(&self.subsidies)
            .map(|(t, s)| format!("{pc}:未选档次按{}元补贴{}元（解读）", yuan(*t), yuan(*s)))
            .collect();
        let needs_csv_quoting =
            [&by_clause, &tier, &default_tier].into_iter().flatten().any(|n: &String| n.contains([',', '"', '\n', '\r']));
        Notes { by_clause, tier, default_tier, needs_csv_quoting }
    }
}

/// Whole yuan without decimals when exact (`350`), else `175.50`.
pub(crate) fn yuan(m: Money) -> String {
    if m.fen() % 100 == 0 { (m.fen() / 100).to_string() } else { m.to_string() }
}

/// When benefits start after a payment made after the window
/// (待遇享受等待期, 五（二）).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingPeriod {
    /// First day of the first waiting month: the month after payment (次月（含次月）).
    pub first_waiting_month: Date,
    /// First day of the last waiting month.
    pub last_waiting_month: Date,
    /// Benefits start on this day: the first day of month m + waiting_months + 1.
    pub benefits_from: Date,
}

/// The waiting period of a payment made on `paid_on`: `None` when paid
/// on or before the end of the window (full-year benefits).
pub fn waiting_period(rules: &Rules, paid_on: Date) -> Option<WaitingPeriod> {
    if paid_on <= rules.window.end {
        return None;
    }
    let month = paid_on.first_of_month();
    let add = |n: i8| month.checked_add(jiff::Span::new().months(n)).ok();
    let first = add(1)?;
    let last = add(rules.waiting_months.max(1))?;
    let benefits_from = add(rules.waiting_months + 1)?;
    Some(WaitingPeriod { first_waiting_month: first, last_waiting_month: last, benefits_from })
}

/// The waiting period as an explanation step.
pub fn explain_waiting(rules: &Rules, paid_on: Date) -> kernel::Step {
    let step =
        kernel::Step::new(rules.waiting_citation(), "待遇享受等待期").fact("缴费日期", paid_on).fact("集中缴费期截止", rules.window.end);
    match waiting_period(rules, paid_on) {
        None => step.not_applied(format!("在集中缴费期内缴费，享受{}年度全年待遇", rules.year)),
        Some(w) => step.applied(format!(
            "等待期{}个月（{}至{}），自{}起享受待遇",
            rules.waiting_months,
            w.first_waiting_month.strftime("%Y年%m月"),
            w.last_waiting_month.strftime("%Y年%m月"),
            w.benefits_from
        )),
    }
}
