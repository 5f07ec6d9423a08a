//! Payments and refunds (缴费、退费): their kinds and channels, and the one
//! rule deciding whether a payment may be recorded (五（二）, 五（三）（四）).

use kernel::{Date, InputError, Money};

use crate::rules::{Rules, yuan};

kernel::labelled_enum! {
    /// 缴费类别: the person's own contribution, or one paid on their behalf
    /// (代缴) by the government or a department.
    pub enum PaymentKind {
        Individual = ("individual", "个人缴费"),
        OnBehalf = ("on_behalf", "政府代缴"),
    }
}

kernel::labelled_enum! {
    /// 缴费渠道 (五（三）（四）): the agents' POS, 裕农通 and UnionPay QR, or
    /// residents paying themselves. The stored code is the name itself.
    pub enum Channel {
        Pos = ("POS", "POS"),
        Yunongtong = ("裕农通", "裕农通"),
        UnionPayQr = ("银联二维码", "银联二维码"),
        WeChat = ("微信", "微信"),
        Alipay = ("支付宝", "支付宝"),
        AiShandong = ("爱山东", "爱山东"),
        Bank = ("银行", "银行"),
        TaxBureauOnline = ("电子税务局", "电子税务局"),
    }
}

/// A payment about to be recorded, with what the roster says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentClaim {
    pub kind: PaymentKind,
    pub amount: Money,
    /// What the roster line says is owed for this kind (本人应缴, or 代缴).
    pub owed: Money,
    /// What is already recorded as paid for this kind, net of refunds.
    pub paid: Money,
    pub paid_on: Date,
}

/// What is still owed: never negative.
pub fn still_owed(owed: Money, paid: Money) -> Money {
    owed.checked_sub(paid).unwrap_or(Money::ZERO).max(Money::ZERO)
}

/// Whether a payment may be recorded: a positive amount, not above what is
/// still owed (the message names it), and paid on a day between the opening
/// of the year's collection window (五（二）: the medical collection period
/// opens first, `insurance.window.medical_start`) and `today`. A payment made
/// after the window is allowed: it starts the waiting period
/// ([`crate::waiting_period`]).
pub fn check_payment(rules: &Rules, p: &PaymentClaim, today: Date) -> Result<(), InputError> {
    let left = still_owed(p.owed, p.paid);
    if left.fen() == 0 {
        return Err(InputError::new("amount", format!("{}已缴清（应缴{}元，已缴{}元），无需再缴", p.kind, yuan(p.owed), yuan(p.paid))));
    }
    if p.amount.fen() <= 0 {
        return Err(InputError::new("amount", "缴费金额应大于0元"));
    }
    if p.amount > left {
        return Err(InputError::new(
            "amount",
            format!("缴费金额{}元超过尚欠的{}元（应缴{}元，已缴{}元）", yuan(p.amount), yuan(left), yuan(p.owed), yuan(p.paid)),
        ));
    }
    let opens = rules.window.medical_start;
    if p.paid_on < opens {
        return Err(InputError::new(
            "paid_on",
            format!("缴费日期{}早于{}年度集中缴费期的开始日{opens}（{}）", p.paid_on, rules.year, rules.window_open_citation()),
        ));
    }
    if p.paid_on > today {
        return Err(InputError::new("paid_on", format!("缴费日期{}晚于今天（{today}）", p.paid_on)));
    }
    Ok(())
}
