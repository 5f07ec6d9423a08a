//! The departments' lists (资助、代缴、死亡), applied by `app::insurance::lists`.

use super::*;

/// A department list (groups or deaths): every row checked first; nothing is
/// written if a row is wrong or names an unknown resident.
pub(super) async fn list_upload(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    let up = upload::save_upload(&mut mp, "file", state.uploads.files).await?;
    let format = up.format()?;
    let (changes, errors) = tokio::task::spawn_blocking(move || {
        let f = up.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
        imports::parse_list(std::io::BufReader::new(f), format, &sheet::Limits::for_upload()).map_err(AppError::BadRequest)
    })
    .await
    .map_err(|e| AppError::Internal(format!("读取名单: {e}")))??;
    let applied = applied_lists::apply(&state.app, &s.actor, &changes, errors).await?;
    if !applied.errors.is_empty() {
        return import_view(&state, &s, None, applied.errors, None, Some("名单有误，未写入任何数据".into())).await;
    }
    let mut msg = format!("名单 {} 行，更新 {} 名居民", applied.rows, applied.updated);
    if !applied.held.is_empty() {
        let shown: Vec<&str> = applied.held.iter().take(20).map(String::as_str).collect();
        msg.push_str(&format!("；{} 名居民已缴金额超过调整后的应缴金额，须先退费，暂未更新：{}", applied.held.len(), shown.join("、")));
    }
    Ok(Redirect::to(&format!("/insurance/import?msg={}", enc(&msg))).into_response())
}
