//! Articles 1–12 of 附件4, one function each: what one article's rule finds
//! for one applicant, before the rules across articles (`super::settle`).

use kernel::{Money, Ratio, Step};

use super::{CaseByCase, Decision, Grant};
use crate::input::{Applicant, Area};
use crate::rules::{Rules, Threshold, Word};

// --- display helpers -----------------------------------------------------------

pub(super) fn yuan(fen: i64) -> String {
    Money::from_fen(fen).chinese()
}

/// The threshold in the source's order of words: `3000万元以上`, `超过5000平方米`, `达到100万元以上`.
fn phrase(t: &Threshold, num: String) -> String {
    let w = t.word();
    if let Some((a, b)) = w.split_once("……") {
        return format!("{a}{num}{b}");
    }
    match t.word {
        Word::Inclusive(_) if w.ends_with("以上") => format!("{num}{w}"),
        _ => format!("{w}{num}"),
    }
}

fn th_money(t: &Threshold) -> String {
    phrase(t, yuan(t.value))
}

fn th_m2(t: &Threshold) -> String {
    phrase(t, Area(t.value).to_string())
}

fn th_count(t: &Threshold, unit: &str) -> String {
    phrase(t, format!("{}{unit}", t.value))
}

fn miss(what: &str, actual: impl std::fmt::Display, needed: String) -> String {
    format!("{what}{actual}，未达到“{needed}”")
}

fn pct(r: Ratio) -> String {
    r.to_string()
}

// --- the articles -----------------------------------------------------------------

pub(super) fn art1(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(1, full);
    let Some(p) = &a.park else {
        return d.absent("未申报园区情况：不是电商综合体运营单位");
    };
    let s = Step::new(&r.citations.articles[0], "第1条 支持电子商务产业园区建设");
    let net = a.net_tax_yuan.unwrap_or(Money::ZERO);
    let s = if full {
        s.fact("建筑面积", p.floor_area_m2)
            .fact("年度投资额", p.annual_investment_yuan.chinese())
            .fact("入驻电商企业", format!("{}家", p.resident_enterprises))
            .fact("运营单位经营税收区级财政净得财力", net.chinese())
    } else {
        s
    };
    if !r.art1_floor_area.met_by(p.floor_area_m2.0) {
        d.no(miss("建筑面积", p.floor_area_m2, th_m2(&r.art1_floor_area)));
    }
    if !r.art1_investment.met_by(p.annual_investment_yuan.fen()) {
        d.no(miss("年度投资额", p.annual_investment_yuan.chinese(), th_money(&r.art1_investment)));
    }
    if !r.art1_enterprises.met_by(i64::from(p.resident_enterprises)) {
        d.no(miss("入驻电商企业", format!("{}家", p.resident_enterprises), th_count(&r.art1_enterprises, "家")));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    let by_share = p.annual_investment_yuan.mul_ratio(r.art1_share);
    let amount = by_share.min(net).min(r.art1_cap);
    d.grant = Some(Grant { tier: 1, amount, one_time: false });
    if full {
        d.steps.push(s.reading(&r.readings.art1).applied(format!(
            "年度投资额×{} = {}，不超过运营单位净得财力{}，最高{}：提出{}",
            pct(r.art1_share),
            by_share.chinese(),
            net.chinese(),
            r.art1_cap.chinese(),
            amount.chinese()
        )));
    }
    d
}

pub(super) fn art2(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(2, full);
    let Some(p) = &a.park else {
        return d.absent("未申报园区情况：不是电商综合体运营单位");
    };
    let s = Step::new(&r.citations.articles[1], "第2条 鼓励电商园区提质增效");
    let s = if full {
        s.fact(
            format!("网上销售额超{}且净得财力超{}的纳统企业", r.art2_enterprise_sales.chinese(), r.art2_enterprise_net_tax.chinese()),
            format!("{}家", p.qualified_enterprises),
        )
        .fact("纳税数据填报", format!("{}个月", p.tax_data_months))
        .reading(&r.readings.art2)
    } else {
        s
    };
    if !r.art2_qualified.met_by(i64::from(p.qualified_enterprises)) {
        d.no(miss("符合条件的纳统企业", format!("{}家", p.qualified_enterprises), format!("累计{}", th_count(&r.art2_qualified, "家"))));
    }
    if !r.art2_tax_months.met_by(i64::from(p.tax_data_months)) {
        d.no(miss("纳税数据填报", format!("{}个月", p.tax_data_months), th_count(&r.art2_tax_months, "个月")));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    d.grant = Some(Grant { tier: 1, amount: r.art2_amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!("给予运营单位{}", r.art2_amount.chinese())));
    }
    d
}

/// 入驻3年期内: the entry year and the following `entry_window_years − 1` years (reading).
fn within_entry_window(r: &Rules, a: &Applicant, d: &mut Decision) {
    match a.entered_on {
        None => d.no("未申报入驻日期，无法判断是否在入驻3年期内"),
        Some(e) => {
            let first = i32::from(e.year());
            let last = first + r.entry_window_years as i32 - 1;
            if r.year < first {
                d.no(format!("入驻日期{e}晚于评估年度{}", r.year));
            } else if r.year > last {
                d.no(format!("入驻日期{e}，{}年度已超出入驻{}年期（{first}—{last}年度）", r.year, r.entry_window_years));
            }
        }
    }
}

pub(super) fn art3(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(3, full);
    let Some(retail) = a.online_retail_yuan else {
        return d.absent("未申报年度网络零售额");
    };
    let s = Step::new(&r.citations.articles[2], "第3条 鼓励电商企业做大做强");
    let net = a.net_tax_yuan.unwrap_or(Money::ZERO);
    let s = if full {
        s.fact("注册地在山亭区", yes(a.registered_in_district))
            .fact("纳入统计", yes(a.statistically_included))
            .fact("入驻日期", a.entered_on.map_or_else(|| "未申报".to_string(), |e| e.to_string()))
            .fact("年度网络零售额", retail.chinese())
            .fact("上年网络零售额", a.online_retail_prev_yuan.map_or_else(|| "未申报".to_string(), Money::chinese))
            .fact("经营税收区级财政净得财力", net.chinese())
            .reading(&r.readings.entry_window)
            .reading(&r.readings.art3_growth)
    } else {
        s
    };
    if !a.registered_in_district {
        d.no("注册地不在山亭区");
    }
    if !a.statistically_included {
        d.no("未纳入统计");
    }
    within_entry_window(r, a, &mut d);
    match a.online_retail_prev_yuan {
        None => d.no("未申报上年网络零售额，无法判断同比增长"),
        Some(prev) if retail <= prev => {
            d.no(format!("网络零售额{}未比上年{}同比增长", retail.chinese(), prev.chinese()));
        }
        Some(_) => {}
    }
    let tier = r.art3_tiers.iter().rposition(|(t, _)| t.met_by(retail.fen()));
    if tier.is_none() {
        d.no(miss("年度网络零售额", retail.chinese(), th_money(&r.art3_tiers[0].0)));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    let Some(i) = tier else { return d };
    let (t, share) = r.art3_tiers[i];
    let amount = net.mul_ratio(share);
    d.grant = Some(Grant { tier: i as u8 + 1, amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!(
            "第{}档（{}且同比增长）：净得财力{}×{} = {}",
            i + 1,
            th_money(&t),
            net.chinese(),
            pct(share),
            amount.chinese()
        )));
    }
    d
}

pub(super) fn art4(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(4, full);
    let Some(f) = &a.platform_fees else {
        return d.absent("未申报第三方平台服务费");
    };
    let s = Step::new(&r.citations.articles[3], "第4条 支持电商主体培育");
    let s = if full {
        s.fact("年交易额", f.annual_transactions_yuan.chinese())
            .fact("已签订服务协议", yes(f.agreement_signed))
            .fact("已支付平台服务费", f.fees_paid_yuan.chinese())
    } else {
        s
    };
    if !r.art4_transactions.met_by(f.annual_transactions_yuan.fen()) {
        d.no(miss("年交易额", f.annual_transactions_yuan.chinese(), th_money(&r.art4_transactions)));
    }
    if !f.agreement_signed {
        d.no("未签订服务协议");
    }
    if f.fees_paid_yuan.is_zero() {
        d.no("未支付平台服务费用");
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    let by_share = f.fees_paid_yuan.mul_ratio(r.art4_share);
    let amount = by_share.min(r.art4_cap);
    d.grant = Some(Grant { tier: 1, amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!(
            "平台服务费{}×{} = {}，最高{}：{}",
            f.fees_paid_yuan.chinese(),
            pct(r.art4_share),
            by_share.chinese(),
            r.art4_cap.chinese(),
            amount.chinese()
        )));
    }
    d
}

pub(super) fn art5(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(5, full);
    let cite = &r.citations.articles[4];
    let Some(p) = &a.platform else {
        return d.absent("未申报电商平台情况");
    };
    let s = Step::new(cite, "第5条 扶持电商平台入驻");
    if p.live_platform_hq {
        let reason = "知名直播平台总部（含区域运营总部）迁入我区，可按“一事一议”给予综合支持".to_string();
        d.steps.push(Step::new(cite, "第5条 知名直播平台总部迁入").fact("直播平台总部迁入", "是").referred("区政府", &reason));
        d.cases.push(CaseByCase { article: 5, tier: None, item: "知名直播平台总部迁入".into(), reason, citation: cite.clone() });
    }
    let s = if full {
        s.fact("纳入规模以上服务业统计", yes(a.above_scale_service))
            .fact("年度交易额", p.annual_transactions_yuan.chinese())
            .fact("年度营业收入", p.annual_revenue_yuan.chinese())
            .fact("上年营业收入", p.annual_revenue_prev_yuan.map_or_else(|| "未申报".to_string(), Money::chinese))
            .fact("首年", yes(p.first_year))
            .reading(&r.readings.art5_growth)
            .reading(&r.readings.art5_either)
            .reading(&r.readings.art5_first_year)
    } else {
        s
    };
    if !a.above_scale_service {
        d.no("未纳入规模以上服务业统计");
    }
    let waived = p.first_year && r.art5_first_year_waives;
    let cur = p.annual_revenue_yuan.fen();
    // Growth is (cur − prev) / prev compared by cross-multiplication; None when it cannot be computed.
    let grows = |g: Ratio| -> Option<bool> {
        match p.annual_revenue_prev_yuan {
            Some(prev) if prev.fen() > 0 => Some(g.reached_by(cur - prev.fen(), prev.fen())),
            _ => None,
        }
    };
    let t2_figure = r.art5_t2_figure.met_by(p.annual_transactions_yuan.fen()) || r.art5_t2_figure.met_by(cur);
    let t1_figure = r.art5_t1_transactions.met_by(p.annual_transactions_yuan.fen());
    let growth_ok = |g: Ratio| waived || grows(g) == Some(true);
    let tier = if t2_figure && growth_ok(r.art5_t2_growth) {
        Some((2u8, r.art5_t2_amount))
    } else if t1_figure && growth_ok(r.art5_t1_growth) {
        Some((1u8, r.art5_t1_amount))
    } else {
        None
    };
    if tier.is_none() {
        if !t1_figure && !t2_figure {
            d.no(format!(
                "年度交易额{}，未{}；交易额、营业额均未{}",
                p.annual_transactions_yuan.chinese(),
                th_money(&r.art5_t1_transactions),
                th_money(&r.art5_t2_figure)
            ));
        } else {
            match grows(r.art5_t2_growth) {
                None => d.no("上年营业收入未申报或为0，无法计算增幅（非首年）"),
                Some(_) => {
                    let needed = if t2_figure { r.art5_t2_growth } else { r.art5_t1_growth };
                    d.no(format!("营业收入增幅未达到{}以上", pct(needed)));
                }
            }
        }
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    let Some((tier, amount)) = tier else { return d };
    d.grant = Some(Grant { tier, amount, one_time: false });
    let why = if tier == 2 {
        format!("交易额或营业额{}、增幅达到{}以上", th_money(&r.art5_t2_figure), pct(r.art5_t2_growth))
    } else {
        format!("交易额{}、增幅{}以上", th_money(&r.art5_t1_transactions), pct(r.art5_t1_growth))
    };
    let waiver = if waived { "（首年不计增幅）" } else { "" };
    if full {
        d.steps.push(s.applied(format!("第{tier}档（{why}）{waiver}：{}", amount.chinese())));
    }
    d
}

pub(super) fn art6(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(6, full);
    let Some(b) = &a.live_base else {
        return d.absent("未申报直播基地情况");
    };
    let s = Step::new(&r.citations.articles[5], "第6条 直播基地入驻扶持");
    let s = if full {
        s.fact("主流平台授牌或认可", yes(b.platform_licensed))
            .fact("基地占地面积", b.area_m2)
            .fact("直播间", format!("{}间", b.studios))
            .fact("注册活跃主播", format!("{}人", b.active_anchors))
            .fact("在我区年度网零额", b.online_retail_yuan.chinese())
    } else {
        s
    };
    if !b.platform_licensed {
        d.no("未获得主流平台授牌或相关认可的牌照");
    }
    if !r.art6_area.met_by(b.area_m2.0) {
        d.no(miss("基地占地面积", b.area_m2, th_m2(&r.art6_area)));
    }
    if !r.art6_studios.met_by(i64::from(b.studios)) {
        d.no(miss("直播间数量", format!("{}间", b.studios), th_count(&r.art6_studios, "间")));
    }
    if !r.art6_anchors.met_by(i64::from(b.active_anchors)) {
        d.no(miss("注册活跃主播", format!("{}人", b.active_anchors), th_count(&r.art6_anchors, "人")));
    }
    if !r.art6_retail.met_by(b.online_retail_yuan.fen()) {
        d.no(miss("年度网零额", b.online_retail_yuan.chinese(), th_money(&r.art6_retail)));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    d.grant = Some(Grant { tier: 1, amount: r.art6_amount, one_time: true });
    if full {
        d.steps.push(s.applied(format!("一次性奖励{}", r.art6_amount.chinese())));
    }
    d
}

pub(super) fn art7(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(7, full);
    let Some(t) = &a.training else {
        return d.absent("未申报直播培训机构情况");
    };
    let s = Step::new(&r.citations.articles[6], "第7条 直播培训机构入驻扶持");
    let s = if full {
        s.fact("在我区注册", yes(a.registered_in_district))
            .fact("年培训主播", format!("{}人", t.anchors_trained))
            .fact("签订一年以上劳动合同并缴社保一年以上的毕业主播", format!("{}人", t.graduates_contracted))
            .fact("关联机构", yes(t.affiliated))
            .reading(&r.readings.art7_graduates)
            .reading(&r.readings.art7_affiliated)
    } else {
        s
    };
    if !a.registered_in_district {
        d.no("不是在我区注册的培训机构");
    }
    if t.affiliated {
        d.no("申请人为培训机构的关联机构，不另行给予");
    }
    if !r.art7_trained.met_by(i64::from(t.anchors_trained)) {
        d.no(miss("年培训主播", format!("{}人", t.anchors_trained), th_count(&r.art7_trained, "人")));
    }
    if !r.art7_graduates.met_by(i64::from(t.graduates_contracted)) {
        d.no(miss("签约毕业主播", format!("{}人", t.graduates_contracted), th_count(&r.art7_graduates, "人")));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    d.grant = Some(Grant { tier: 1, amount: r.art7_amount, one_time: true });
    if full {
        d.steps.push(s.applied(format!("一次性扶持{}", r.art7_amount.chinese())));
    }
    d
}

pub(super) fn art8(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(8, full);
    let cite = &r.citations.articles[7];
    let Some(sp) = &a.service_provider else {
        return d.absent("未申报第三方服务企业情况");
    };
    let s = Step::new(cite, "第8条 第三方服务企业入驻扶持");
    let net = a.net_tax_yuan.unwrap_or(Money::ZERO);
    let s = if full {
        s.fact("在我区设立独立法人", yes(sp.independent_legal_entity))
            .fact("注册地在我区", yes(a.registered_in_district))
            .fact("为区内电商企业提供配套服务", yes(sp.serves_local_ecommerce))
            .fact("入驻日期", a.entered_on.map_or_else(|| "未申报".to_string(), |e| e.to_string()))
            .fact("经营税收年度区级财政净得财力", net.chinese())
            .reading(&r.readings.entry_window)
    } else {
        s
    };
    if !(sp.independent_legal_entity || (a.registered_in_district && sp.serves_local_ecommerce)) {
        d.no("既不是在我区设立独立法人的电商服务类企业，也不是注册地在我区且为区内电商企业提供配套服务的机构");
    }
    within_entry_window(r, a, &mut d);
    let t3 = r.art8_t3.met_by(net.fen());
    let tier = r.art8_tiers.iter().rposition(|(t, _)| t.met_by(net.fen()));
    if !t3 && tier.is_none() {
        d.no(miss("净得财力", net.chinese(), th_money(&r.art8_tiers[0].0)));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    if t3 {
        // The highest tier is 一事一议; the lower tiers are not paid beside it.
        let reason = format!("净得财力{}，{}，按“一事一议”给予支持", net.chinese(), th_money(&r.art8_t3));
        d.steps.push(s.referred("区政府", &reason));
        d.cases.push(CaseByCase {
            article: 8,
            tier: Some(3),
            item: "第三方服务企业净得财力1000万元以上".into(),
            reason,
            citation: cite.clone(),
        });
        return d;
    }
    let Some(i) = tier else { return d };
    let (t, share) = r.art8_tiers[i];
    let amount = net.mul_ratio(share);
    d.grant = Some(Grant { tier: i as u8 + 1, amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!(
            "第{}档（{}）：净得财力{}×{} = {}",
            i + 1,
            th_money(&t),
            net.chinese(),
            pct(share),
            amount.chinese()
        )));
    }
    d
}

pub(super) fn art9(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(9, full);
    let Some(c) = &a.cross_border else {
        return d.absent("未申报跨境电商情况");
    };
    let s = Step::new(&r.citations.articles[8], "第9条 支持跨境电商企业做大做强");
    let s = if full {
        s.fact("注册地在山亭", yes(a.registered_in_district))
            .fact("跨境电商进出口额", c.import_export_usd)
            .fact("数据来源于上级业务部门", yes(c.data_verified))
            .fact("已享受一般贸易奖励", yes(c.general_trade_reward))
            .reading(&r.readings.art9_step)
    } else {
        s
    };
    if !a.registered_in_district {
        d.no("注册地不在山亭");
    }
    if !c.data_verified {
        d.no("进出口数据未经上级业务部门提供或核实");
    }
    if c.general_trade_reward {
        d.no("同一贸易已享受一般贸易奖励，不重复奖励");
    }
    let steps = if r.art9_step_cents > 0 { c.import_export_usd.0 / r.art9_step_cents } else { 0 };
    if steps == 0 {
        d.no(format!("进出口额{}，不足{}美元", c.import_export_usd, r.art9_step_cents / 100));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    let by_step = r.art9_per_step.times(steps);
    let amount = by_step.min(r.art9_cap);
    d.grant = Some(Grant { tier: 1, amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!(
            "每完成{}美元奖励{}：{}×{} = {}，最高{}：{}",
            r.art9_step_cents / 100,
            r.art9_per_step.chinese(),
            steps,
            r.art9_per_step.chinese(),
            by_step.chinese(),
            r.art9_cap.chinese(),
            amount.chinese()
        )));
    }
    d
}

pub(super) fn art10(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(10, full);
    let Some(x) = &a.rural else {
        return d.absent("未申报农村电商情况");
    };
    let s = Step::new(&r.citations.articles[9], "第10条 支持农村电商发展");
    let s = if full {
        s.fact("当年度网上山亭农特产品销售额", x.agri_online_sales_yuan.chinese()).fact("纳入限上企业", yes(a.above_limit))
    } else {
        s
    };
    if !r.art10_sales.met_by(x.agri_online_sales_yuan.fen()) {
        d.no(miss("网上农特产品销售额", x.agri_online_sales_yuan.chinese(), th_money(&r.art10_sales)));
    }
    if !a.above_limit {
        d.no("未纳入限上企业");
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    d.grant = Some(Grant { tier: 1, amount: r.art10_amount, one_time: true });
    if full {
        d.steps.push(s.applied(format!("一次性奖励{}", r.art10_amount.chinese())));
    }
    d
}

pub(super) fn art11(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(11, full);
    let cite = &r.citations.articles[10];
    let Some(l) = &a.logistics else {
        return d.absent("未申报物流配送情况");
    };
    let s = Step::new(cite, "第11条 支持物流配送行业加大投资力度");
    if l.large_hub {
        let reason = "招引的大型物流集散中心在我区投资建设，可按“一事一议”给予支持".to_string();
        d.steps.push(Step::new(cite, "第11条 大型物流集散中心").fact("大型物流集散中心", "是").referred("区政府", &reason));
        d.cases
            .push(CaseByCase { article: 11, tier: None, item: "招引的大型物流集散中心".into(), reason, citation: cite.clone() });
    }
    let s = if full {
        s.fact("仓储面积", l.warehouse_area_m2)
            .fact("服务本地电商企业", format!("{}家", l.local_clients))
            .fact("新建大型智能化公共仓储配送平台", yes(l.new_smart_public_warehouse))
            .fact("总投资（不含土地款）", l.investment_excl_land_yuan.chinese())
    } else {
        s
    };
    let t2 = l.new_smart_public_warehouse
        && r.art11_t2_area.met_by(l.warehouse_area_m2.0)
        && r.art11_t2_investment.met_by(l.investment_excl_land_yuan.fen());
    let t1 = r.art11_t1_area.met_by(l.warehouse_area_m2.0) && r.art11_t1_clients.met_by(i64::from(l.local_clients));
    let (tier, amount, why) = if t2 {
        (
            2,
            r.art11_t2_amount,
            format!("新建{}大型智能化公共仓储配送平台、总投资{}", th_m2(&r.art11_t2_area), th_money(&r.art11_t2_investment)),
        )
    } else if t1 {
        (1, r.art11_t1_amount, format!("仓储面积{}、为本地{}电商企业服务", th_m2(&r.art11_t1_area), th_count(&r.art11_t1_clients, "家")))
    } else {
        if !r.art11_t1_area.met_by(l.warehouse_area_m2.0) {
            d.no(miss("仓储面积", l.warehouse_area_m2, th_m2(&r.art11_t1_area)));
        }
        if !r.art11_t1_clients.met_by(i64::from(l.local_clients)) {
            d.no(miss("服务本地电商企业", format!("{}家", l.local_clients), th_count(&r.art11_t1_clients, "家")));
        }
        if l.new_smart_public_warehouse {
            d.no(format!("新建公共仓储平台未同时达到{}和总投资{}", th_m2(&r.art11_t2_area), th_money(&r.art11_t2_investment)));
        }
        d.fail(s);
        return d;
    };
    d.grant = Some(Grant { tier, amount, one_time: true });
    if full {
        d.steps.push(s.applied(format!("第{tier}档（{why}）：一次性补助{}", amount.chinese())));
    }
    d
}

pub(super) fn art12(r: &Rules, a: &Applicant, full: bool) -> Decision {
    let mut d = Decision::new(12, full);
    let cite = &r.citations.articles[11];
    let Some(x) = &a.express else {
        return d.absent("未申报快递物流情况");
    };
    let s = Step::new(cite, "第12条 支持电商企业快递物流费用补贴");
    let parcels = i64::try_from(x.parcels).unwrap_or(i64::MAX);
    let s = if full {
        s.fact("注册地在山亭区", yes(a.registered_in_district))
            .fact("销售山亭本地产品并在本地发货", yes(x.sells_and_ships_local))
            .fact("年度网络销售快递单数", format!("{parcels}单"))
            .fact("网上销售额", x.online_sales_yuan.chinese())
            .reading(&r.readings.art12_t1)
    } else {
        s
    };
    if !a.registered_in_district {
        d.no("注册地不在山亭区");
    }
    if !x.sells_and_ships_local {
        d.no("未通过电商平台或直播带货销售山亭本地产品并在本地发货");
    }
    let sales = x.online_sales_yuan.fen();
    let t3 = r.art12_t3_sales.met_by(sales);
    let t2 = r.art12_t2_sales.met_by(sales);
    let t1 = r.art12_t1_parcels.met_by(parcels);
    if !t1 && !t2 && !t3 {
        d.no(format!(
            "快递单数{parcels}单，未达到“{}”；网上销售额{}，未达到“{}”",
            th_count(&r.art12_t1_parcels, "单"),
            x.online_sales_yuan.chinese(),
            th_money(&r.art12_t2_sales)
        ));
    }
    if !d.reasons.is_empty() {
        d.fail(s);
        return d;
    }
    if t3 {
        let reason = format!("网上销售额{}，{}，按“一事一议”给予支持", x.online_sales_yuan.chinese(), th_money(&r.art12_t3_sales));
        d.steps.push(s.referred("区政府", &reason));
        d.cases.push(CaseByCase {
            article: 12,
            tier: Some(3),
            item: "网上销售额达10亿元以上的快递物流费用".into(),
            reason,
            citation: cite.clone(),
        });
        return d;
    }
    if t2 {
        d.grant = Some(Grant { tier: 2, amount: r.art12_t2_amount, one_time: true });
        if full {
            d.steps.push(s.applied(format!(
                "第2档（网上销售额{}）：一次性奖励{}",
                th_money(&r.art12_t2_sales),
                r.art12_t2_amount.chinese()
            )));
        }
        return d;
    }
    let above = parcels - r.art12_t1_parcels.value;
    let by_parcel = r.art12_per_parcel.times(above.max(0));
    let amount = by_parcel.min(r.art12_t1_cap);
    d.grant = Some(Grant { tier: 1, amount, one_time: false });
    if full {
        d.steps.push(s.applied(format!(
            "第1档（{}）：超出部分{above}单×{} = {}，单户最高{}：{}",
            th_count(&r.art12_t1_parcels, "单"),
            r.art12_per_parcel,
            by_parcel.chinese(),
            r.art12_t1_cap.chinese(),
            amount.chinese()
        )));
    }
    d
}

fn yes(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Whether a tier of an article is paid once ever (一次性).
pub fn is_one_time(article: u8, tier: u8) -> bool {
    matches!((article, tier), (6, _) | (7, _) | (10, _) | (11, _) | (12, 2))
}
