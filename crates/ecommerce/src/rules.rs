//! Every figure of 附件4 resolved once for an assessment year.
//!
//! A threshold keeps the word of the source next to its number, because the
//! word decides the boundary: 以上/达到/至少/及以上 include the number,
//! 超过/超/突破 exclude it (spec README, 《民法典》第一千二百五十九条).

use kernel::{Date, Money, ParamError, ParamSet, Ratio};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The assessment year lies outside the 3-year validity (有效期3年).
    #[error(
        "评估年度 {year} 不在本政策有效期内：山政发〔2022〕10号 附件4 自发布之日起施行，有效期{years}年（{from}至{to}，发布日期{assumed}）；只受理 {first}—{last} 年度"
    )]
    OutsideValidity { year: i32, years: i64, from: Date, to: Date, first: i16, last: i16, assumed: &'static str },
    #[error("政策参数错误：{0}")]
    Param(#[from] ParamError),
}

/// How a threshold's word compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// 以上、达到、至少、及以上、不低于: the number itself qualifies.
    Inclusive(&'static str),
    /// 超过、超、突破: the number itself does not qualify.
    Exclusive(&'static str),
}

/// A number with the word that bounds it, e.g. 超过5000平方米.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// In the unit's smallest step: fen for money, hundredths of m² for
    /// areas, units for counts.
    pub value: i64,
    pub word: Word,
}

impl Threshold {
    pub fn met_by(&self, x: i64) -> bool {
        match self.word {
            Word::Inclusive(_) => x >= self.value,
            Word::Exclusive(_) => x > self.value,
        }
    }

    pub fn word(&self) -> &'static str {
        match self.word {
            Word::Inclusive(w) | Word::Exclusive(w) => w,
        }
    }
}

/// The citation of an article, `山政发〔2022〕10号 附件4 第N条`, taken from its parameters.
#[derive(Debug, Clone)]
pub struct Citations {
    pub articles: [String; 12],
    /// 附件4 末段: 同一项目不重复享受 / 就高 / 有效期.
    pub closing: String,
    /// 八、其他.
    pub other: String,
    /// The attachment as a whole: `山政发〔2022〕10号 附件4`.
    pub document: String,
}

/// All parameters of 附件4 for one assessment year, looked up once.
#[derive(Debug, Clone)]
pub struct Rules {
    pub year: i32,
    /// The day on which the parameters were read: 1 January of the year, or
    /// the publication date for the year the policy was published.
    pub on: Date,
    pub valid_from: Date,
    pub valid_to: Date,
    pub entry_window_years: i64,
    /// 就高: on equal amounts the other policy's award stands (reading).
    pub tie_keeps_other: bool,
    pub citations: Citations,
    /// Readings shown in explanations, by parameter.
    pub readings: Readings,

    pub art1_floor_area: Threshold,
    pub art1_investment: Threshold,
    pub art1_enterprises: Threshold,
    pub art1_share: Ratio,
    pub art1_cap: Money,

    pub art2_qualified: Threshold,
    pub art2_tax_months: Threshold,
    pub art2_enterprise_sales: Money,
    pub art2_enterprise_net_tax: Money,
    pub art2_amount: Money,

    /// Tiers 1..=3: (online retail threshold, share of net_tax).
    pub art3_tiers: [(Threshold, Ratio); 3],

    pub art4_transactions: Threshold,
    pub art4_share: Ratio,
    pub art4_cap: Money,

    pub art5_t1_transactions: Threshold,
    pub art5_t1_growth: Ratio,
    pub art5_t1_amount: Money,
    pub art5_t2_figure: Threshold,
    pub art5_t2_growth: Ratio,
    pub art5_t2_amount: Money,
    pub art5_first_year_waives: bool,

    pub art6_area: Threshold,
    pub art6_studios: Threshold,
    pub art6_anchors: Threshold,
    pub art6_retail: Threshold,
    pub art6_amount: Money,

    pub art7_trained: Threshold,
    pub art7_graduates: Threshold,
    pub art7_amount: Money,

    /// Tiers 1 and 2 pay a share of net_tax; tier 3 is 一事一议.
    pub art8_tiers: [(Threshold, Ratio); 2],
    pub art8_t3: Threshold,

    /// Cents of USD per reward step (100 US dollars = 10 000 cents).
    pub art9_step_cents: i64,
    pub art9_per_step: Money,
    pub art9_cap: Money,

    pub art10_sales: Threshold,
    pub art10_amount: Money,

    pub art11_t1_area: Threshold,
    pub art11_t1_clients: Threshold,
    pub art11_t1_amount: Money,
    pub art11_t2_area: Threshold,
    pub art11_t2_investment: Threshold,
    pub art11_t2_amount: Money,

    pub art12_t1_parcels: Threshold,
    pub art12_per_parcel: Money,
    pub art12_t1_cap: Money,
    pub art12_t2_sales: Threshold,
    pub art12_t2_amount: Money,
    pub art12_t3_sales: Threshold,
}

/// The readings (**Reading** in the spec) the engine relies on, as the
/// parameter files state them, so an administrator's edit shows in every explanation.
#[derive(Debug, Clone, Default)]
pub struct Readings {
    pub validity: String,
    pub entry_window: String,
    pub higher_wins: String,
    pub one_time: String,
    pub art1: String,
    pub art2: String,
    pub art3_growth: String,
    pub art5_growth: String,
    pub art5_either: String,
    pub art5_first_year: String,
    pub art7_graduates: String,
    pub art7_affiliated: String,
    pub art9_step: String,
    pub art12_t1: String,
}

const M2_STEP: i64 = 100;
const USD_CENTS: i64 = 100;

struct Lookup<'a> {
    p: &'a ParamSet,
    on: Date,
}

impl Lookup<'_> {
    fn money(&self, n: &str) -> Result<Money, ParamError> {
        self.p.money(&format!("ecommerce.{n}"), self.on)
    }
    fn ratio(&self, n: &str) -> Result<Ratio, ParamError> {
        self.p.ratio(&format!("ecommerce.{n}"), self.on)
    }
    fn int(&self, n: &str) -> Result<i64, ParamError> {
        self.p.int(&format!("ecommerce.{n}"), self.on)
    }
    fn flag(&self, n: &str) -> Result<bool, ParamError> {
        self.p.flag(&format!("ecommerce.{n}"), self.on)
    }
    fn reading(&self, n: &str) -> Result<String, ParamError> {
        Ok(self.p.get(&format!("ecommerce.{n}"), self.on)?.reading.clone().unwrap_or_default())
    }
    fn citation(&self, n: &str) -> Result<String, ParamError> {
        Ok(self.p.get(&format!("ecommerce.{n}"), self.on)?.citation.clone())
    }
    /// Money threshold with its word: `以上` (inclusive) or `超过` (exclusive).
    fn yuan_at(&self, n: &str, word: Word) -> Result<Threshold, ParamError> {
        Ok(Threshold { value: self.money(n)?.fen(), word })
    }
    fn count_at(&self, n: &str, word: Word) -> Result<Threshold, ParamError> {
        Ok(Threshold { value: self.int(n)?, word })
    }
    fn m2_at(&self, n: &str, word: Word) -> Result<Threshold, ParamError> {
        Ok(Threshold { value: self.int(n)?.saturating_mul(M2_STEP), word })
    }
}

use Word::{Exclusive as Ex, Inclusive as In};

impl Rules {
    /// Resolve every parameter for assessment `year`, refusing years outside
    /// the validity window.
    ///
    /// **Reading** (ecommerce.validity_years): a year is accepted when it
    /// overlaps [publication date, publication date + 3 years − 1 day]; with
    /// the assumed publication date 2022-11-01 that is 2022–2025.
    pub fn load(params: &ParamSet, year: i32) -> Result<Rules, RulesError> {
        // The publication date decides which day the figures are read on, so
        // it cannot itself be looked up by date: take its latest entry.
        let published = params
            .all()
            .into_iter()
            .rfind(|p| p.name == "ecommerce.published_on")
            .ok_or_else(|| ParamError::Unknown { name: "ecommerce.published_on".into() })?;
        let valid_from = published.date()?;
        let assumed = if published.assumed { "为假定值" } else { "见出处" };
        let years = params.int("ecommerce.validity_years", valid_from)?;
        let end_excl = valid_from.checked_add(jiff::Span::new().years(years)).map_err(|_| ParamError::WrongType {
            name: "ecommerce.validity_years".into(),
            value: years.to_string(),
            expected: "年数",
        })?;
        let valid_to = end_excl.yesterday().map_err(|_| ParamError::WrongType {
            name: "ecommerce.validity_years".into(),
            value: years.to_string(),
            expected: "年数",
        })?;
        let refuse = || RulesError::OutsideValidity {
            year,
            years,
            from: valid_from,
            to: valid_to,
            first: valid_from.year(),
            last: valid_to.year(),
            assumed,
        };
        let Ok(y16) = i16::try_from(year) else { return Err(refuse()) };
        if y16 < valid_from.year() || y16 > valid_to.year() {
            return Err(refuse());
        }
        let jan1 = Date::new(y16, 1, 1).map_err(|_| refuse())?;
        let on = jan1.max(valid_from);
        let l = Lookup { p: params, on };
        let art = |n: u8| l.citation(&format!("art{n}.amount")).or_else(|_| l.citation(&art_key(n)));
        let citations = Citations {
            articles: [art(1)?, art(2)?, art(3)?, art(4)?, art(5)?, art(6)?, art(7)?, art(8)?, art(9)?, art(10)?, art(11)?, art(12)?],
            closing: l.citation("higher_wins.tie_keeps_other")?,
            other: format!("{} 八、其他", l.citation("higher_wins.tie_keeps_other")?.replace(" 末段", "")),
            document: l.citation("higher_wins.tie_keeps_other")?.replace(" 末段", ""),
        };
        let readings = Readings {
            validity: l.reading("validity_years")?,
            entry_window: l.reading("entry_window_years")?,
            higher_wins: l.reading("higher_wins.tie_keeps_other")?,
            one_time: l.reading("one_time_blocks_lower")?,
            art1: l.reading("art1.share")?,
            art2: l.reading("art2.enterprise_online_sales")?,
            art3_growth: l.reading("art3.tier1_online_retail")?,
            art5_growth: l.reading("art5.tier1_growth")?,
            art5_either: l.reading("art5.tier2_amount_threshold")?,
            art5_first_year: l.reading("art5.first_year_waives_growth")?,
            art7_graduates: l.reading("art7.graduates_contracted")?,
            art7_affiliated: l.reading("art7.amount")?,
            art9_step: l.reading("art9.step_usd")?,
            art12_t1: l.reading("art12.tier1_parcels")?,
        };
        Ok(Rules {
            year,
            on,
            valid_from,
            valid_to,
            entry_window_years: l.int("entry_window_years")?,
            tie_keeps_other: l.flag("higher_wins.tie_keeps_other")?,
            citations,
            readings,
            // 超过5000平方米 / 达200万元以上 / 20家以上
            art1_floor_area: l.m2_at("art1.floor_area_m2", Ex("超过"))?,
            art1_investment: l.yuan_at("art1.annual_investment", In("以上"))?,
            art1_enterprises: l.count_at("art1.resident_enterprises", In("以上"))?,
            art1_share: l.ratio("art1.share")?,
            art1_cap: l.money("art1.cap")?,
            // 累计超过10家 / 半年以上
            art2_qualified: l.count_at("art2.qualified_enterprises", Ex("超过"))?,
            art2_tax_months: l.count_at("art2.tax_data_months", In("以上"))?,
            art2_enterprise_sales: l.money("art2.enterprise_online_sales")?,
            art2_enterprise_net_tax: l.money("art2.enterprise_net_tax")?,
            art2_amount: l.money("art2.amount")?,
            // 3000万元以上 / 5000万元以上 / 1亿元以上
            art3_tiers: [
                (l.yuan_at("art3.tier1_online_retail", In("以上"))?, l.ratio("art3.tier1_share")?),
                (l.yuan_at("art3.tier2_online_retail", In("以上"))?, l.ratio("art3.tier2_share")?),
                (l.yuan_at("art3.tier3_online_retail", In("以上"))?, l.ratio("art3.tier3_share")?),
            ],
            // 年交易额500万元以上
            art4_transactions: l.yuan_at("art4.annual_transactions", In("以上"))?,
            art4_share: l.ratio("art4.share")?,
            art4_cap: l.money("art4.cap")?,
            // 交易额超过1亿元且增幅30%以上 / 交易额、营业额超过3亿元且增幅达到25%以上
            art5_t1_transactions: l.yuan_at("art5.tier1_transactions", Ex("超过"))?,
            art5_t1_growth: l.ratio("art5.tier1_growth")?,
            art5_t1_amount: l.money("art5.tier1_amount")?,
            art5_t2_figure: l.yuan_at("art5.tier2_amount_threshold", Ex("超过"))?,
            art5_t2_growth: l.ratio("art5.tier2_growth")?,
            art5_t2_amount: l.money("art5.tier2_amount")?,
            art5_first_year_waives: l.flag("art5.first_year_waives_growth")?,
            // 占地面积超1000平方米 / 直播间超10间 / 活跃主播超20人 / 网零额2000万元以上
            art6_area: l.m2_at("art6.site_area_m2", Ex("超"))?,
            art6_studios: l.count_at("art6.studios", Ex("超"))?,
            art6_anchors: l.count_at("art6.active_anchors", Ex("超"))?,
            art6_retail: l.yuan_at("art6.online_retail", In("以上"))?,
            art6_amount: l.money("art6.amount")?,
            // 100人以上 / 至少30人
            art7_trained: l.count_at("art7.anchors_trained", In("以上"))?,
            art7_graduates: l.count_at("art7.graduates_contracted", In("至少"))?,
            art7_amount: l.money("art7.amount")?,
            // 达到100万元以上 / 300万元以上 / 1000万元以上
            art8_tiers: [
                (l.yuan_at("art8.tier1_net_tax", In("达到……以上"))?, l.ratio("art8.tier1_share")?),
                (l.yuan_at("art8.tier2_net_tax", In("以上"))?, l.ratio("art8.tier2_share")?),
            ],
            art8_t3: l.yuan_at("art8.tier3_net_tax", In("以上"))?,
            art9_step_cents: l.int("art9.step_usd")?.saturating_mul(USD_CENTS),
            art9_per_step: l.money("art9.per_step")?,
            art9_cap: l.money("art9.cap")?,
            // 突破500万元
            art10_sales: l.yuan_at("art10.agri_online_sales", Ex("突破"))?,
            art10_amount: l.money("art10.amount")?,
            // 3000平方米及以上、5家以上 / 5000平方米及以上、2000万元以上
            art11_t1_area: l.m2_at("art11.tier1_warehouse_m2", In("及以上"))?,
            art11_t1_clients: l.count_at("art11.tier1_local_clients", In("以上"))?,
            art11_t1_amount: l.money("art11.tier1_amount")?,
            art11_t2_area: l.m2_at("art11.tier2_warehouse_m2", In("及以上"))?,
            art11_t2_investment: l.yuan_at("art11.tier2_investment", In("以上"))?,
            art11_t2_amount: l.money("art11.tier2_amount")?,
            // 20万单以上 / 1亿元以上 / 达10亿元以上
            art12_t1_parcels: l.count_at("art12.tier1_parcels", In("以上"))?,
            art12_per_parcel: l.money("art12.per_parcel")?,
            art12_t1_cap: l.money("art12.tier1_cap")?,
            art12_t2_sales: l.yuan_at("art12.tier2_online_sales", In("以上"))?,
            art12_t2_amount: l.money("art12.tier2_amount")?,
            art12_t3_sales: l.yuan_at("art12.tier3_online_sales", In("达……以上"))?,
        })
    }
}

/// A parameter that every article has, to take its citation from.
fn art_key(n: u8) -> String {
    match n {
        1 => "art1.cap",
        3 => "art3.tier1_share",
        4 => "art4.cap",
        5 => "art5.tier1_amount",
        8 => "art8.tier1_share",
        9 => "art9.cap",
        11 => "art11.tier1_amount",
        12 => "art12.tier1_cap",
        _ => "art2.amount",
    }
    .to_string()
}
