//! The import page: resident lists (参保登记), job progress, and the forms of
//! the departments' lists and the bulk payments on behalf.

use super::*;

#[derive(Template)]
#[template(path = "insurance/import.html")]
pub(super) struct ImportPage {
    page: Page,
    jobs: Vec<store::insurance::Job>,
    report: Option<imports::ImportReport>,
    list_errors: Vec<imports::LineError>,
    msg: Option<String>,
    error: Option<String>,
    is_tax: bool,
    towns: Vec<String>,
    channels: Vec<&'static str>,
    today: String,
    residents: i64,
}

impl ImportPage {
    fn is_bank(&self, c: &str) -> bool {
        c == Channel::Bank.as_str()
    }
}

/// What the import page offers: any of these.
pub(super) const IMPORT_ACTIONS: &[Action] = &[
    Action::InsuranceResidentsImport,
    Action::InsuranceGroupList,
    Action::InsuranceDeathList,
    Action::InsuranceBulkOnBehalf,
    Action::InsuranceJobsRead,
];

pub(super) async fn import_view(
    state: &AppState,
    s: &Session,
    report: Option<imports::ImportReport>,
    list_errors: Vec<imports::LineError>,
    msg: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    Ok(html(&ImportPage {
        page: Page::new("居民名单与部门名单导入", Some(s)),
        jobs: state.store.insurance_jobs(20).await?,
        report,
        list_errors,
        msg,
        error,
        is_tax: s.can(state, Action::InsuranceBulkOnBehalf),
        towns: state.district.towns.iter().map(|t| t.name.clone()).collect(),
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        today: state.app.today().to_string(),
        residents: state.store.insurance_resident_count().await?,
    }))
}

pub(super) async fn import_page(State(state): State<AppState>, Authed(s): Authed, Query(m): Query<MsgQuery>) -> Result<Response, AppError> {
    import_view(&state, &s, None, Vec::new(), m.msg, m.error).await
}

pub(super) async fn import_upload(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    let up = upload::save_upload(&mut mp, "file", state.uploads.residents).await?;
    let rules = app::insurance::current_rules(&state.app)?;
    let name = up.name_or("residents.csv").to_string();
    // An XLSX streams into a CSV temporary file; either is hashed for the
    // job's key. Both read the whole file: on a blocking thread.
    let input = tokio::task::spawn_blocking(move || imports::prepare_input(&up.path, &name, &sheet::Limits::for_upload()).map(|p| (p, up)))
        .await
        .map_err(|e| AppError::Internal(format!("准备导入: {e}")))?;
    let (input, up) = input.map_err(upload::sheet_error)?;
    let reader = input.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
    let result = imports::import_residents(
        &state.store,
        &rules,
        &state.district,
        &s.user.username,
        up.name_or("residents.csv"),
        &input.key,
        reader,
        imports::DEFAULT_BATCH,
        |_| {},
    )
    .await;
    match result {
        Ok(rep) => import_view(&state, &s, Some(rep), Vec::new(), None, None).await,
        Err(app::Error::Invalid { message, .. }) => import_view(&state, &s, None, Vec::new(), None, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}
