//! 登记缴费, 退费 and 批量代缴: parse the form, call `app::insurance::payments`,
//! go back to the page with the message.

use super::*;

#[derive(Deserialize)]
pub(super) struct PayForm {
    channel: String,
    reference: String,
    paid_on: String,
    amount: Option<String>,
}

/// 登记缴费: the use case decides (duty, village, the engine's payment rule);
/// a refusal goes back to the page with the message.
pub(super) async fn pay(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PayForm>,
) -> Result<Response, AppError> {
    let input = app::insurance::payments::PayInput { channel: f.channel, reference: f.reference, paid_on: f.paid_on, amount: f.amount };
    let to = match app::insurance::payments::record(&state.app, &s.actor, id, &input).await {
        Ok(p) => format!("/insurance/residents/{id}?msg={}", enc(&p.message)),
        Err(app::Error::Invalid { message, .. } | app::Error::Conflict(message)) => {
            format!("/insurance/residents/{id}?error={}", enc(&kernel::clip(&message, 200)))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub(super) struct RefundForm {
    reason: String,
}

pub(super) async fn refund(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RefundForm>,
) -> Result<Response, AppError> {
    let p = state.store.insurance_payment(id).await?;
    let to = match app::insurance::payments::refund(&state.app, &s.actor, id, &f.reason).await {
        Ok(_) => format!("/insurance/residents/{}?msg={}", p.resident_id, enc(&format!("已退费 {} 元", yuan_of(p.amount_fen)))),
        Err(app::Error::Invalid { message, .. } | app::Error::Conflict(message)) => {
            format!("/insurance/residents/{}?error={}", p.resident_id, enc(&message))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub(super) struct BulkForm {
    town: String,
    village: Option<String>,
    channel: String,
    paid_on: String,
}

/// The tax bureau records the contributions paid on behalf (代缴) of the
/// special groups, 70+ and the severely disabled, for a town or village:
/// one payment per person, referenced so that a repeat records nothing twice.
pub(super) async fn bulk(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<BulkForm>,
) -> Result<Response, AppError> {
    let place = format!("{}{}", kernel::clip(&f.town, 50), kernel::clip(f.village.as_deref().unwrap_or_default(), 50));
    let input = app::insurance::payments::BulkInput { town: f.town, village: f.village, channel: f.channel, paid_on: f.paid_on };
    let (added, skipped) = app::insurance::payments::bulk_on_behalf(&state.app, &s.actor, &input).await?;
    let msg = format!("{place}：登记代缴 {added} 笔，已登记过 {skipped} 笔");
    Ok(Redirect::to(&format!("/insurance/import?msg={}", enc(&msg))).into_response())
}
