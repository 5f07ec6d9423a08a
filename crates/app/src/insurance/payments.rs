//! 缴费、代缴、退费: recording a payment, the payments on behalf in bulk,
//! and refunds, each by the duty that holds it. What a payment may be is the
//! engine's rule ([`insurance::check_payment`]); that it never takes what is
//! paid above what is owed, even when requests race, is the store's
//! conditional write.

use access::{Action, Actor, Target};
use insurance::{Channel, PaymentClaim, PaymentKind, Status, check_payment, still_owed, waiting_period};
use kernel::{Date, Money};
use store::insurance::{NewPayment, Recorded, ResidentRow, RosterFilter};

use super::{current_rules, place, rules_for};
use crate::{App, Error, Result};

/// A payment as the form gives it: text, checked here.
#[derive(Debug, Clone, Default)]
pub struct PayInput {
    pub channel: String,
    pub reference: String,
    pub paid_on: String,
    /// Yuan; empty means what is still owed.
    pub amount: Option<String>,
}

/// What recording did, and what to tell the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub recorded: Recorded,
    pub amount: Money,
    pub message: String,
}

fn channel(text: &str) -> Result<Channel> {
    text.trim().parse().map_err(|_| {
        let all: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        Error::field("channel", format!("缴费渠道“{}”无效（可用：{}）", kernel::echo(text.trim()), all.join("、")))
    })
}

fn date(field: &'static str, text: &str) -> Result<Date> {
    kernel::parse_date(text.trim()).map_err(|e| Error::field(field, format!("缴费日期：{e}")))
}

/// May `actor` record a payment for `r` (for showing the form)?
pub fn may_pay(app: &App, actor: &Actor, r: &ResidentRow) -> bool {
    app.may_on(actor, Action::InsurancePaymentRecord, &place(r)).is_ok()
}

/// May `actor` refund payments of `r` (for showing the buttons)?
pub fn may_refund(app: &App, actor: &Actor, r: &ResidentRow) -> bool {
    app.may_on(actor, Action::InsuranceRefund, &place(r)).is_ok()
}

/// What a payment form offers by default: what is still owed (本人).
pub fn default_amount(r: &ResidentRow) -> Money {
    still_owed(Money::from_fen(r.total_due_fen), Money::from_fen(r.paid_fen))
}

/// 代办员 records a resident's own payment (五（四）4): for a resident of
/// their village, covered on the payment date, alive then, paid within the
/// dates the engine allows and never above what is still owed.
pub async fn record(app: &App, actor: &Actor, resident_id: i64, input: &PayInput) -> Result<Paid> {
    app.may(actor, Action::InsurancePaymentRecord)?;
    let r = app.store.insurance_resident(resident_id).await?;
    app.may_on(actor, Action::InsurancePaymentRecord, &place(&r))?;
    let rules = rules_for(app, r.year)?;
    let channel = channel(&input.channel)?;
    let reference = input.reference.trim();
    if reference.is_empty() {
        return Err(Error::field("reference", "请填写缴费凭证号（流水号）"));
    }
    let given = match input.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => Some(Money::parse_yuan(a).map_err(|e| Error::field("amount", format!("缴费金额：{e}")))?),
        None => None,
    };
    // Idempotent by reference: the same payment posted again records nothing.
    if let Some(p) = app.store.insurance_payment_by_reference(reference).await? {
        if p.resident_id == r.id && p.kind == PaymentKind::Individual && given.is_none_or(|a| a.fen() == p.amount_fen) {
            let message = format!("凭证号 {} 已登记过，未重复记录。", kernel::echo(reference));
            return Ok(Paid { recorded: Recorded::Existing(p.id), amount: Money::from_fen(p.amount_fen), message });
        }
        return Err(Error::Conflict(format!("凭证号 {} 已登记为另一笔缴费", kernel::echo(reference))));
    }
    let paid_on = date("paid_on", &input.paid_on)?;
    if let Some(d) = r.deceased_on.as_deref().and_then(|d| kernel::parse_date(d).ok())
        && d <= paid_on
    {
        return Err(Error::field("paid_on", format!("{} 已于 {d} 死亡，不能在死亡后缴费（{}）", r.name, rules.document)));
    }
    let status: Status = r.status.parse().map_err(Error::internal)?;
    if status != Status::Included {
        return Err(Error::invalid(format!("{} {status}，不能登记缴费", r.name)));
    }
    // Age and status on the payment date (the reference date of a payment).
    let c = insurance::compute(&rules, &super::resident_of(&r)?, paid_on);
    if let Status::Excluded(e) = c.status {
        return Err(Error::invalid(format!("{} 在缴费日不在参保范围（{}），不能登记缴费", r.name, Status::Excluded(e))));
    }
    let amount = given.unwrap_or_else(|| default_amount(&r));
    let claim = PaymentClaim {
        kind: PaymentKind::Individual,
        amount,
        owed: Money::from_fen(r.total_due_fen),
        paid: Money::from_fen(r.paid_fen),
        paid_on,
    };
    check_payment(&rules, &claim, app.today())?;
    let p = NewPayment {
        reference: reference.to_string(),
        resident_id: r.id,
        year: r.year,
        kind: PaymentKind::Individual,
        amount_fen: amount.fen(),
        channel,
        paid_on: paid_on.to_string(),
        note: String::new(),
    };
    // Another payment may have landed since the resident was read: the
    // store's conditional write refuses what no longer fits, naming the amount.
    let recorded = app.store.insurance_record_payment(&actor.username, &p).await.map_err(|e| match e {
        store::StoreError::Invalid(m) => Error::field("amount", m),
        other => other.into(),
    })?;
    let waiting = match waiting_period(&rules, paid_on) {
        Some(w) => {
            format!("集中缴费期后补缴：等待期{}个月，自{}起享受待遇（{}）", rules.waiting_months, w.benefits_from, rules.waiting_citation())
        }
        None => format!("集中缴费期内缴费，享受{}年度全年待遇", rules.year),
    };
    let message = match recorded {
        Recorded::New(_) => format!("已登记缴费 {amount} 元（凭证号 {}）。{waiting}", kernel::echo(reference)),
        Recorded::Existing(_) => format!("凭证号 {} 已登记过，未重复记录。", kernel::echo(reference)),
    };
    Ok(Paid { recorded, amount, message })
}

/// 退费 of one payment, in full, at most once.
pub async fn refund(app: &App, actor: &Actor, payment_id: i64, reason: &str) -> Result<i64> {
    app.may(actor, Action::InsuranceRefund)?;
    let p = app.store.insurance_payment(payment_id).await?;
    app.may_on(actor, Action::InsuranceRefund, &Target::village(&p.town, &p.village))?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field("reason", "请填写退费原因"));
    }
    Ok(app.store.insurance_refund(&actor.username, payment_id, &app.today().to_string(), &kernel::echo(reason)).await?)
}

/// The bulk payments on behalf (代缴) of a town or village.
#[derive(Debug, Clone, Default)]
pub struct BulkInput {
    pub town: String,
    pub village: Option<String>,
    pub channel: String,
    pub paid_on: String,
}

/// 区税务局 records what the government pays on behalf (代缴) for every
/// covered resident of a town or village who owes something on behalf and
/// was alive on the payment date; residents already paid are skipped.
/// Returns (added, skipped).
pub async fn bulk_on_behalf(app: &App, actor: &Actor, input: &BulkInput) -> Result<(i64, i64)> {
    app.may(actor, Action::InsuranceBulkOnBehalf)?;
    let town = input.town.trim();
    if town.is_empty() {
        return Err(Error::field("town", "请选择镇（街）"));
    }
    let village = input.village.as_deref().map(str::trim).filter(|v| !v.is_empty());
    let target = match village {
        Some(v) => Target::village(town, v),
        None => Target::town(town),
    };
    app.may_on(actor, Action::InsuranceBulkOnBehalf, &target)?;
    let channel = channel(&input.channel)?;
    let paid_on = date("paid_on", &input.paid_on)?;
    let rules = current_rules(app)?;
    let filter = RosterFilter {
        year: i64::from(rules.year),
        town: Some(town.to_string()),
        village: village.map(str::to_string),
        status: Some("included".into()),
        limit: 100_000,
        ..Default::default()
    };
    let (rows, _) = app.store.insurance_roster(&filter).await?;
    let today = app.today();
    let mut payments = Vec::new();
    for r in &rows {
        let owed = Money::from_fen(r.medical_on_behalf_fen).checked_add(Money::from_fen(r.pension_on_behalf_fen)).unwrap_or(Money::ZERO);
        if owed.fen() <= 0 || r.deceased_on.as_deref().is_some_and(|d| d <= paid_on.to_string().as_str()) {
            continue;
        }
        let claim = PaymentClaim {
            kind: PaymentKind::OnBehalf,
            amount: owed.checked_sub(Money::from_fen(r.on_behalf_paid_fen)).unwrap_or(Money::ZERO),
            owed,
            paid: Money::from_fen(r.on_behalf_paid_fen),
            paid_on,
        };
        match check_payment(&rules, &claim, today) {
            Ok(()) => {}
            // A date out of bounds is wrong for every row: say so once.
            Err(e) if e.path == "paid_on" => return Err(e.into()),
            Err(_) => continue, // already paid on behalf
        }
        payments.push(NewPayment {
            reference: format!("代缴-{}-{}", rules.year, r.id_number),
            resident_id: r.id,
            year: r.year,
            kind: PaymentKind::OnBehalf,
            amount_fen: claim.amount.fen(),
            channel,
            paid_on: paid_on.to_string(),
            note: "特殊群体代缴".into(),
        });
    }
    Ok(app.store.insurance_record_bulk(&actor.username, &payments).await?)
}
