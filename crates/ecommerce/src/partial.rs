//! 企业政策计算器: a partial assessment that says what is still missing.
//!
//! An enterprise often knows only part of what articles 1–12 ask. In the
//! ordinary assessment an undeclared fact takes its default (no, zero), so an
//! article it decides may be "not eligible" only because nothing was said.
//! [`assess_partial`] decides every article that can be decided and lists the
//! others in `missing`, each with the facts still needed (field names and
//! their Chinese labels), so the enterprise knows what to declare. An article
//! listed in `missing` is not in `not_eligible`; every other article is
//! decided exactly as [`crate::assess_contract`] decides it.
//!
//! Reading (documented here and in the calculator's page): a *section* the
//! input leaves out entirely (`park`, `platform_fees`, `express` …) says "this
//! kind of support is not mine", as in the ordinary assessment; only a fact
//! left out of a section that is given, or a fact of the applicant itself
//! (`registered_in_district`, `entered_on`, `online_retail_prev_yuan` …) that an
//! article needs, makes that article undecided — for an article with a
//! section ([`ARTICLE_SECTION`]), only when that section is given. Flags that only add a 一事一议
//! item (`platform.live_platform_hq`, `logistics.large_hub`) and the award
//! history are never "missing": left out, they mean no.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::assess::{Assessment, assess_contract};
use crate::input::{Applicant, InputError};
use crate::rules::Rules;

/// One article still undecided, with the facts it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub article: u8,
    /// Input field names, `section.field` inside a section.
    pub facts: Vec<String>,
    /// The same facts by their Chinese labels, in the same order.
    pub labels: Vec<String>,
}

/// A fact an article's rule reads: its input path and its Chinese label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    pub path: &'static str,
    pub label: &'static str,
}

const fn f(path: &'static str, label: &'static str) -> Fact {
    Fact { path, label }
}

/// The facts each article's rule reads (the functions `art1` … `art12` of
/// `assess/articles.rs`, 附件4 第1–12条), index 0 = article 1.
pub const ARTICLE_FACTS: [&[Fact]; 12] = [
    &[
        f("park.floor_area_m2", "园区建筑面积"),
        f("park.annual_investment_yuan", "园区年度投资额"),
        f("park.resident_enterprises", "入驻电商企业数"),
        f("net_tax_yuan", "经营税收区级财政净得财力"),
    ],
    &[f("park.qualified_enterprises", "符合条件的纳统企业数"), f("park.tax_data_months", "纳税数据填报月数")],
    &[
        f("registered_in_district", "注册地在山亭区"),
        f("statistically_included", "纳入统计"),
        f("entered_on", "入驻日期"),
        f("online_retail_yuan", "年度网络零售额"),
        f("online_retail_prev_yuan", "上年网络零售额"),
        f("net_tax_yuan", "经营税收区级财政净得财力"),
    ],
    &[
        f("platform_fees.annual_transactions_yuan", "通过第三方平台的年交易额"),
        f("platform_fees.agreement_signed", "已签订平台服务协议"),
        f("platform_fees.fees_paid_yuan", "已支付的平台服务费用"),
    ],
    &[
        f("above_scale_service", "纳入规模以上服务业统计"),
        f("platform.annual_transactions_yuan", "平台年度交易额"),
        f("platform.annual_revenue_yuan", "平台年度营业收入"),
        f("platform.first_year", "是否入驻首年"),
        f("platform.annual_revenue_prev_yuan", "平台上年营业收入"),
    ],
    &[
        f("live_base.platform_licensed", "获得主流平台授牌或牌照"),
        f("live_base.area_m2", "直播基地占地面积"),
        f("live_base.studios", "直播间数量"),
        f("live_base.active_anchors", "注册活跃主播人数"),
        f("live_base.online_retail_yuan", "基地在我区的年度网络零售额"),
    ],
    &[
        f("registered_in_district", "注册地在山亭区"),
        f("training.anchors_trained", "年培训主播人数"),
        f("training.graduates_contracted", "签约并缴纳社保的毕业主播人数"),
        f("training.affiliated", "是否为培训机构的关联机构"),
    ],
    &[
        f("registered_in_district", "注册地在山亭区"),
        f("entered_on", "入驻日期"),
        f("net_tax_yuan", "经营税收区级财政净得财力"),
        f("service_provider.independent_legal_entity", "在我区设立独立法人"),
        f("service_provider.serves_local_ecommerce", "为区内电商企业提供配套服务"),
    ],
    &[
        f("registered_in_district", "注册地在山亭区"),
        f("cross_border.import_export_usd", "跨境电商进出口额"),
        f("cross_border.data_verified", "数据由上级业务部门提供或核实"),
        f("cross_border.general_trade_reward", "同一贸易是否已享受一般贸易奖励"),
    ],
    &[f("above_limit", "纳入限上企业"), f("rural.agri_online_sales_yuan", "农产品网络销售额")],
    &[
        f("logistics.warehouse_area_m2", "仓储面积"),
        f("logistics.local_clients", "服务本地电商企业数"),
        f("logistics.new_smart_public_warehouse", "新建智能化公共仓"),
        f("logistics.investment_excl_land_yuan", "总投资（不含土地款）"),
    ],
    &[
        f("registered_in_district", "注册地在山亭区"),
        f("express.sells_and_ships_local", "销售山亭本地产品并在本地发货"),
        f("express.parcels", "年度网络销售快递单数"),
        f("express.online_sales_yuan", "网上销售额"),
    ],
];

/// The section that says an article's kind of support is claimed at all
/// (the engine's "未申报…" when absent); article 3 has none, so an enterprise
/// that says nothing of its online retail is told to declare it.
pub const ARTICLE_SECTION: [Option<&str>; 12] = [
    Some("park"),
    Some("park"),
    None,
    Some("platform_fees"),
    Some("platform"),
    Some("live_base"),
    Some("training"),
    Some("service_provider"),
    Some("cross_border"),
    Some("rural"),
    Some("logistics"),
    Some("express"),
];

/// The keys an applicant object gives: top-level names and `section.field`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared(BTreeSet<String>);

impl Declared {
    /// The keys of each applicant object of the input (one object or an
    /// array of them, already accepted by [`crate::parse_applicants`]). A
    /// `null` value counts as not given.
    pub fn of_input(json: &str) -> Result<Vec<Declared>, InputError> {
        let v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| InputError { path: String::new(), message: kernel::echo(&e.to_string()).into_owned() })?;
        Ok(match &v {
            serde_json::Value::Array(items) => items.iter().map(Declared::of_value).collect(),
            one => vec![Declared::of_value(one)],
        })
    }

    fn of_value(v: &serde_json::Value) -> Declared {
        let mut keys = BTreeSet::new();
        if let Some(o) = v.as_object() {
            for (k, v) in o.iter().filter(|(_, v)| !v.is_null()) {
                keys.insert(k.clone());
                if let Some(inner) = v.as_object() {
                    keys.extend(inner.iter().filter(|(_, v)| !v.is_null()).map(|(f, _)| format!("{k}.{f}")));
                }
            }
        }
        Declared(keys)
    }

    fn has(&self, path: &str) -> bool {
        self.0.contains(path)
    }

    /// Whether `fact` must be given before `article` can be decided (see the
    /// module's reading): never when the article's section is left out.
    fn needs(&self, article: u8, a: &Applicant, fact: &Fact) -> bool {
        let section = ARTICLE_SECTION.get(usize::from(article).wrapping_sub(1)).copied().flatten();
        if self.has(fact.path) || section.is_some_and(|s| !self.has(s)) {
            return false;
        }
        // 第5条: last year's revenue matters only after the first year.
        fact.path != "platform.annual_revenue_prev_yuan" || !a.platform.as_ref().is_some_and(|p| p.first_year)
    }
}

/// The facts `article` still needs from this applicant, or `None` when it can be decided.
pub fn missing_facts(article: u8, a: &Applicant, declared: &Declared) -> Option<Missing> {
    let facts = ARTICLE_FACTS.get(usize::from(article).checked_sub(1)?)?;
    let (facts, labels): (Vec<String>, Vec<String>) =
        facts.iter().filter(|f| declared.needs(article, a, f)).map(|f| (f.path.to_string(), f.label.to_string())).unzip();
    (!facts.is_empty()).then_some(Missing { article, facts, labels })
}

/// The contract result of [`assess_contract`] with `missing` set: every article
/// that grants nothing and needs a fact the input does not give moves from
/// `not_eligible` to `missing`. An article that awards or is referred
/// (一事一议) is decided, whatever else is missing; 八、其他 decides all twelve.
pub fn assess_partial(r: &Rules, a: &Applicant, declared: &Declared) -> Assessment {
    let mut x = assess_contract(r, a);
    let mut missing = Vec::new();
    if !x.one_enterprise_one_policy {
        x.not_eligible.retain(|n| match missing_facts(n.article, a, declared) {
            Some(m) => {
                missing.push(m);
                false
            }
            None => true,
        });
    }
    x.missing = Some(missing);
    x
}
