//! One resident: the figures and their explanation, the payments, the pay
//! form (defaulting to what is still owed) and the refund buttons, by duty.

use super::*;

pub(super) struct PaymentView {
    p: Payment,
    refunded: bool,
    waiting: String,
}

#[derive(Template)]
#[template(path = "insurance/resident.html")]
pub(super) struct ResidentPage {
    page: Page,
    r: ResidentRow,
    explanation: String,
    payments: Vec<PaymentView>,
    can_pay: bool,
    can_refund: bool,
    /// The amount the form offers: what is still owed.
    amount: String,
    channels: Vec<&'static str>,
    today: String,
    msg: Option<String>,
    error: Option<String>,
    window_end: String,
}

impl Labels for ResidentPage {}

impl ResidentPage {
    fn balance(&self) -> String {
        app::insurance::payments::default_amount(&self.r).to_string()
    }
}

pub(super) async fn resident(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    Query(m): Query<MsgQuery>,
) -> Result<Response, AppError> {
    let rosters::Resident { row: r, explanation, payments, rules } = rosters::resident(&state.app, &s.actor, id).await?;
    let views = payments
        .iter()
        .map(|p| {
            let waiting = match kernel::parse_date(&p.paid_on) {
                Ok(d) if p.refund_of.is_none() && p.kind == PaymentKind::Individual => match waiting_period(&rules, d) {
                    Some(w) => format!("补缴：等待期至{}，自{}起享受待遇", w.last_waiting_month.strftime("%Y年%m月"), w.benefits_from),
                    None => "集中缴费期内，享受全年待遇".into(),
                },
                _ => String::new(),
            };
            PaymentView { refunded: payments.iter().any(|x| x.refund_of == Some(p.id)), waiting, p: p.clone() }
        })
        .collect();
    Ok(html(&ResidentPage {
        page: Page::new(&format!("{} 的参保缴费", r.name), Some(&s)),
        can_pay: app::insurance::payments::may_pay(&state.app, &s.actor, &r),
        can_refund: app::insurance::payments::may_refund(&state.app, &s.actor, &r),
        amount: app::insurance::payments::default_amount(&r).to_string(),
        explanation,
        payments: views,
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        today: state.app.today().to_string(),
        msg: m.msg,
        error: m.error,
        window_end: rules.window.end.to_string(),
        r,
    }))
}
