//! Platform-core pages: dashboard, public home, policy parameters, calendar,
//! reference data and villages, user management, the audit trail.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::users::NewUser;
use store::{AuditEntry, AuditFilter, Role};

use access::Action;

use crate::AppState;
use crate::auth::{Authed, Viewer};
use crate::display::filters;
use crate::error::AppError;
use crate::query::Lenient;
use crate::render::{Page, Pager, html};

pub async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, ctype): (&'static str, &str) = match file.as_str() {
        "app.css" => (include_str!("../static/app.css"), "text/css; charset=utf-8"),
        "app.js" => (include_str!("../static/app.js"), "text/javascript; charset=utf-8"),
        _ => return AppError::NotFound(file).into_response(),
    };
    ([(header::CONTENT_TYPE, ctype), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

pub struct Tile {
    pub title: &'static str,
    pub href: &'static str,
    pub text: String,
}

/// One to-do item as the home page shows it.
pub struct TodoRow {
    pub what: String,
    pub count: i64,
    /// `2026年12月2日`, when the item has a deadline.
    pub due: Option<String>,
    /// `还剩 3 天` / `今天到期` / `已逾期 2 天`.
    pub left: Option<String>,
    pub overdue: bool,
    pub clause: String,
    pub link: String,
    pub unit: Option<String>,
}

impl TodoRow {
    pub fn new(t: &app::workbench::Todo, today: kernel::Date) -> TodoRow {
        let days = t.days_left(today);
        TodoRow {
            what: t.what.clone(),
            count: t.count,
            due: t.due.map(|d| crate::display::date_cn(&d.to_string())),
            left: days.map(|n| match n {
                0 => "今天到期".to_string(),
                n if n > 0 => format!("还剩 {n} 天"),
                n => format!("已逾期 {} 天", -n),
            }),
            overdue: days.is_some_and(|n| n < 0),
            clause: t.clause.clone(),
            link: t.link.clone(),
            unit: t.unit.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    todos: Vec<TodoRow>,
    tiles: Vec<Tile>,
}

/// The dashboard: the to-do list of the user's duties, then what this role can do.
pub async fn home(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let today = state.today();
    let items = app::workbench::todos(&state, &s.actor).await?;
    app::workbench::notify::notify_deadlines(&state, &s.actor, &items).await?;
    let todos = items.iter().map(|t| TodoRow::new(t, today)).collect();
    let page = Page::new("工作台", Some(&s));
    let mut tiles = Vec::new();
    let u = &s.user;
    match u.role {
        Role::Admin => {
            let users = state.store.user_count().await?;
            tiles.push(Tile {
                title: "用户管理", href: "/admin/users", text: format!("共 {users} 个账号；按角色和辖区授权")
            });
            tiles.push(Tile { title: "审计日志", href: "/admin/audit", text: "所有写操作留痕，哈希链防篡改".into() });
            tiles.push(Tile {
                title: "参考数据", href: "/reference", text: "镇（街）、部门、领导小组及成员任职".into()
            });
        }
        Role::Bureau => {
            tiles.push(Tile {
                title: "参考数据",
                href: "/reference",
                text: format!("{} 的工作范围与成员单位", u.department.clone().unwrap_or_default()),
            });
        }
        Role::Town => {
            tiles.push(Tile {
                title: "村（居）",
                href: "/reference/villages",
                text: format!("{} 下辖村（居）", u.town.clone().unwrap_or_default()),
            });
        }
        Role::Village => {
            tiles.push(Tile {
                title: "本村（居）",
                href: "/reference/villages",
                text: format!("{} {}", u.town.clone().unwrap_or_default(), u.village.clone().unwrap_or_default()),
            });
        }
        Role::Enterprise => {
            tiles.push(Tile { title: "政策参数", href: "/policy", text: "电子商务扶持政策的各项标准及出处".into() });
        }
    }
    tiles.push(Tile {
        title: "政策参数", href: "/policy", text: format!("{} 项有出处、有生效期的参数", state.params.all().len())
    });
    tiles.push(Tile { title: "公开信息", href: "/public", text: "已发布的预警和公示名单".into() });
    Ok(html(&Home { page, todos, tiles }))
}

#[derive(Template)]
#[template(path = "public.html")]
struct Public {
    page: Page,
    warnings: Option<String>,
    rosters: Option<String>,
}

/// What the public may see without logging in: published warnings and public rosters.
pub async fn public_home(State(state): State<AppState>, Viewer(s): Viewer) -> Response {
    let warnings = crate::modules::emergency::public_fragment(&state).await;
    let rosters = crate::modules::insurance::public_fragment(&state).await;
    html(&Public { page: Page::new("公开信息", s.as_ref()), warnings, rosters })
}

#[derive(Deserialize, Default)]
pub struct PolicyQuery {
    q: Option<String>,
    readings: Option<String>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct Policy<'a> {
    page: Page,
    q: String,
    readings_only: bool,
    params: Vec<&'a kernel::Param>,
}

/// Every dated, cited parameter; readings (documented defaults) marked.
/// Public (no login): the figures and their sources are the documents' own, and the
/// public calculators link their clauses here.
pub async fn policy(State(state): State<AppState>, Viewer(s): Viewer, Query(q): Query<PolicyQuery>) -> Response {
    let needle = q.q.clone().unwrap_or_default();
    let readings_only = q.readings.is_some();
    let params = state
        .params
        .all()
        .into_iter()
        .filter(|p| !readings_only || p.reading.is_some())
        .filter(|p| {
            needle.is_empty()
                || p.name.contains(&needle)
                || p.citation.contains(&needle)
                || p.quote.as_deref().is_some_and(|x| x.contains(&needle))
        })
        .collect();
    html(&Policy { page: Page::new("政策参数", s.as_ref()), q: needle, readings_only, params })
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    date: Option<String>,
    n: Option<i64>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct Calendar {
    page: Page,
    date: String,
    n: i64,
    result: Option<Result<String, String>>,
}

/// Public (no login): the State Council's working days.
pub async fn calendar(State(state): State<AppState>, Viewer(s): Viewer, Query(q): Query<CalendarQuery>) -> Response {
    let n = q.n.unwrap_or(20);
    let result = q.date.as_deref().filter(|d| !d.is_empty()).map(|d| {
        let date = kernel::parse_date(d)?;
        let work = state.calendar.is_workday(date).map_err(|e| e.to_string())?;
        let after = state.calendar.add_workdays(date, n).map_err(|e| e.to_string())?;
        let why = state.calendar.why(date).map(|w| format!("（{w}）")).unwrap_or_default();
        Ok(format!("{date} {}{why}；其后第 {n} 个工作日为 {after}", if work { "是工作日" } else { "不是工作日" }))
    });
    html(&Calendar { page: Page::new("工作日历", s.as_ref()), date: q.date.unwrap_or_default(), n, result })
}

#[derive(Template)]
#[template(path = "reference.html")]
struct Reference<'a> {
    page: Page,
    district: &'a district::District,
    on: String,
    villages: usize,
}

#[derive(Deserialize, Default)]
pub struct OnQuery {
    on: Option<String>,
}

pub async fn reference(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<OnQuery>,
) -> Result<Response, AppError> {
    s.may(&state, Action::ReferenceRead)?;
    let on = q.on.filter(|d| kernel::parse_date(d).is_ok()).unwrap_or_else(|| store::today().to_string());
    let villages = state.store.villages(None).await?.len();
    Ok(html(&Reference { page: Page::new("参考数据", Some(&s)), district: &state.district, on, villages }))
}

#[derive(Deserialize, Default)]
pub struct VillageQuery {
    town: Option<String>,
    q: Option<String>,
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "villages.html")]
struct Villages {
    page: Page,
    towns: Vec<String>,
    town: String,
    q: String,
    rows: Vec<store::reference::Village>,
    can_import: bool,
    msg: Option<String>,
}

/// The villages a user may list, as the grant of 查阅参考数据 scopes them: a
/// town account its town, a village agent its village, others the district
/// (or the one town they ask for). Shared by the page and the API.
pub(crate) async fn scoped_villages(
    state: &AppState,
    s: &crate::auth::Session,
    asked_town: Option<String>,
) -> Result<(Vec<store::reference::Village>, bool), AppError> {
    let grant = s.may(state, Action::ReferenceRead)?;
    let (town, village) = grant.scope.place();
    let fixed = town.is_some();
    let town = town.map(str::to_string).or_else(|| asked_town.filter(|t| !t.is_empty()));
    let mut rows = state.store.villages(town.as_deref()).await?;
    if let Some(v) = village {
        rows.retain(|x| x.name == v);
    }
    Ok((rows, fixed))
}

/// Villages, scoped: a town user sees their town, a village agent their village.
pub async fn villages(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<VillageQuery>,
) -> Result<Response, AppError> {
    let (mut rows, fixed) = scoped_villages(&state, &s, q.town.clone()).await?;
    let town = if fixed { s.actor.town.clone() } else { q.town.clone().filter(|t| !t.is_empty()) };
    let needle = q.q.clone().unwrap_or_default();
    if !needle.is_empty() {
        rows.retain(|v| v.name.contains(&needle));
    }
    let towns = if fixed { Vec::new() } else { state.district.towns.iter().map(|t| t.name.clone()).collect() };
    Ok(html(&Villages {
        page: Page::new("村（居）", Some(&s)),
        towns,
        town: town.unwrap_or_default(),
        q: needle,
        rows,
        can_import: s.can(&state, Action::VillagesImport),
        msg: q.msg,
    }))
}

/// Read a CSV or XLSX of villages (`sheet`, every limit checked): columns
/// 镇（街）, 村（居）, and optional 类型, after a header line. Rows come with
/// their line (the sheet row for XLSX). Blocking.
pub fn parse_village_file<R: std::io::Read + std::io::Seek + Send>(
    name: &str,
    mut input: R,
    limits: &sheet::Limits,
) -> Result<Vec<(usize, String, String, String)>, String> {
    use std::io::Read as _;
    let mut first = Vec::with_capacity(8);
    (&mut input).take(8).read_to_end(&mut first).map_err(|e| e.to_string())?;
    input.seek(std::io::SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let format = sheet::Format::detect(name, &first).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut records = sheet::read_records(input, format, limits);
    // The header; a refused file's error comes first and must not be skipped.
    if let Some(Err(e)) = records.next() {
        return Err(e.to_string());
    }
    for rec in records {
        let rec = rec.map_err(|e| e.to_string())?;
        if rec.cell(0).is_empty() && rec.cell(1).is_empty() {
            continue;
        }
        out.push((rec.line, rec.cell(0).to_string(), rec.cell(1).to_string(), rec.cell(2).to_string()));
    }
    Ok(out)
}

pub async fn import_villages(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    s.may(&state, Action::VillagesImport)?;
    let up = crate::upload::save_upload(&mut mp, "file", state.uploads.files).await?;
    let rows = tokio::task::spawn_blocking(move || {
        let f = up.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
        parse_village_file(up.name_or("villages.csv"), std::io::BufReader::new(f), &sheet::Limits::for_upload())
            .map_err(AppError::BadRequest)
    })
    .await
    .map_err(|e| AppError::Internal(format!("读取村（居）名单: {e}")))??;
    let r = state.store.import_villages(&s.user.username, &rows).await?;
    let msg = format!("读取 {} 行，新增 {} 个，已存在 {} 个", r.read, r.added, r.unchanged);
    Ok(Redirect::to(&format!("/reference/villages?msg={}", form_urlencoded::byte_serialize(msg.as_bytes()).collect::<String>()))
        .into_response())
}

#[derive(Template)]
#[template(path = "users.html")]
struct Users {
    page: Page,
    /// Every account and whether it is active.
    users: Vec<(store::User, bool)>,
    me: i64,
    towns: Vec<String>,
    error: Option<String>,
    msg: Option<String>,
    min_password: usize,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    msg: Option<String>,
}

async fn users_page(state: &AppState, s: &crate::auth::Session, error: Option<String>, msg: Option<String>) -> Result<Response, AppError> {
    let users = state.store.accounts().await?;
    let towns = state.district.towns.iter().map(|t| t.name.clone()).collect();
    let page = Page::new("用户管理", Some(s));
    let bad = error.is_some();
    let mut r = html(&Users { page, users, me: s.user.id, towns, error, msg, min_password: store::password::MIN_CHARS });
    if bad {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

/// The users page answering 400 with `error` shown above the list.
pub(crate) async fn users_with_error(state: &AppState, s: &crate::auth::Session, error: String) -> Result<Response, AppError> {
    users_page(state, s, Some(error), None).await
}

pub async fn users(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<UsersQuery>,
) -> Result<Response, AppError> {
    s.may(&state, Action::AccountsManage)?;
    users_page(&state, &s, None, q.msg).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    password: String,
    display_name: String,
    role: String,
    department: Option<String>,
    town: Option<String>,
    village: Option<String>,
    enterprise_uscc: Option<String>,
}

fn opt(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

pub async fn create_user(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<NewUserForm>,
) -> Result<Response, AppError> {
    s.may(&state, Action::AccountsManage)?;
    let role = Role::parse(&f.role).ok_or_else(|| AppError::BadRequest(format!("角色 {} 无效", f.role)))?;
    let uscc = opt(f.enterprise_uscc);
    if let Some(c) = &uscc {
        kernel::CreditCode::parse(c).map_err(|e| AppError::BadRequest(format!("企业统一社会信用代码：{e}")))?;
    }
    let town = opt(f.town);
    if let Some(t) = &town
        && !state.district.is_town(t)
    {
        return Err(AppError::BadRequest(format!("镇（街）“{t}”不是本区的镇（街）")));
    }
    let department = opt(f.department);
    if let Some(d) = &department
        && state.district.department(d).is_none()
    {
        return Err(AppError::BadRequest(format!("部门“{d}”不在部门名录中")));
    }
    let nu = NewUser {
        username: f.username.trim().into(),
        password: f.password,
        display_name: f.display_name.trim().into(),
        role,
        department,
        town,
        village: opt(f.village),
        enterprise_uscc: uscc,
    };
    match state.store.create_user(&s.user.username, &nu).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) => users_with_error(&state, &s, e.to_string()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    entity: Option<String>,
    action: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    page: Page,
    f: AuditQuery,
    entries: Vec<AuditEntry>,
    pager: Pager,
    verify: String,
}

pub async fn audit(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<AuditQuery>,
) -> Result<Response, AppError> {
    s.may(&state, Action::AuditRead)?;
    const PER: i64 = 50;
    let page_no = q.page.unwrap_or(1).max(1);
    let filter = AuditFilter {
        actor: q.actor.clone(),
        entity: q.entity.clone(),
        action: q.action.clone(),
        text: q.q.clone(),
        limit: PER,
        offset: (page_no - 1) * PER,
    };
    let (entries, total) = state.store.audit_entries(&filter).await?;
    let enc = |v: &Option<String>| form_urlencoded::byte_serialize(v.as_deref().unwrap_or("").as_bytes()).collect::<String>();
    let base = format!("/admin/audit?actor={}&entity={}&action={}&q={}&", enc(&q.actor), enc(&q.entity), enc(&q.action), enc(&q.q));
    let pager = Pager::new(total, page_no, PER, base);
    let verify = match state.store.verify_audit().await? {
        store::VerifyReport::Intact { entries } => format!("哈希链完整（{entries} 条）"),
        store::VerifyReport::Broken { seq, reason } => format!("哈希链在第 {seq} 条断裂：{reason}"),
    };
    Ok(html(&Audit { page: Page::new("审计日志", Some(&s)), f: q, entries, pager, verify }))
}
