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

pub async fn import_villages(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    s.may(&state, Action::VillagesImport)?;
    let up = crate::upload::save_upload(&mut mp, "file", state.uploads.files).await?;
    let rows = tokio::task::spawn_blocking(move || {
        let f = up.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
        app::reference::parse_village_file(up.name_or("villages.csv"), std::io::BufReader::new(f), &sheet::Limits::for_upload())
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
    /// What was typed into a refused new account (never the password).
    data: crate::form::FormData,
}

impl Users {
    fn v(&self, name: &str) -> &str {
        self.data.get(name)
    }
    /// The role to show chosen: the typed one, else the least (企业用户).
    fn role_is(&self, code: &str) -> bool {
        match self.data.get("role") {
            "" => code == "enterprise",
            typed => typed == code,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    msg: Option<String>,
}

async fn users_page(
    state: &AppState,
    s: &crate::auth::Session,
    error: Option<String>,
    msg: Option<String>,
    data: crate::form::FormData,
) -> Result<Response, AppError> {
    let users = state.store.accounts().await?;
    let towns = state.district.towns.iter().map(|t| t.name.clone()).collect();
    let page = Page::new("用户管理", Some(s));
    let bad = error.is_some();
    let mut r = html(&Users { page, users, me: s.user.id, towns, error, msg, min_password: store::password::MIN_CHARS, data });
    if bad {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

/// The users page answering 400 with `error` shown above the list.
pub(crate) async fn users_with_error(state: &AppState, s: &crate::auth::Session, error: String) -> Result<Response, AppError> {
    users_page(state, s, Some(error), None, crate::form::FormData::default()).await
}

pub async fn users(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<UsersQuery>,
) -> Result<Response, AppError> {
    s.may(&state, Action::AccountsManage)?;
    users_page(&state, &s, None, q.msg, crate::form::FormData::default()).await
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|x| !x.is_empty())
}

/// The new account a form describes, or why not (in Chinese).
fn new_user(state: &AppState, f: &crate::form::FormData) -> Result<NewUser, String> {
    let role = Role::parse(f.get("role")).ok_or_else(|| format!("角色“{}”无效", kernel::echo(f.get("role"))))?;
    let uscc = opt(f.get("enterprise_uscc"));
    if let Some(c) = &uscc {
        kernel::CreditCode::parse(c).map_err(|e| format!("企业统一社会信用代码：{e}"))?;
    }
    let town = opt(f.get("town"));
    if let Some(t) = &town
        && !state.district.is_town(t)
    {
        return Err(format!("镇（街）“{}”不是本区的镇（街）", kernel::echo(t)));
    }
    let department = opt(f.get("department"));
    if let Some(d) = &department
        && state.district.department(d).is_none()
    {
        return Err(format!("部门“{}”不在部门名录中", kernel::echo(d)));
    }
    Ok(NewUser {
        username: f.get("username").trim().into(),
        password: f.get("password").to_string(),
        display_name: f.get("display_name").trim().into(),
        role,
        department,
        town,
        village: opt(f.get("village")),
        enterprise_uscc: uscc,
    })
}

pub async fn create_user(State(state): State<AppState>, Authed(s): Authed, f: crate::form::FormData) -> Result<Response, AppError> {
    s.may(&state, Action::AccountsManage)?;
    let outcome = match new_user(&state, &f) {
        Ok(nu) => state.store.create_user(&s.user.username, &nu).await.map(|_| ()).map_err(|e| e.to_string()),
        Err(m) => Err(m),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(message) => {
            // Everything typed comes back but the password.
            let kept = crate::form::FormData::from_pairs(
                ["username", "display_name", "role", "department", "town", "village", "enterprise_uscc"]
                    .iter()
                    .map(|k| (k.to_string(), f.get(k).to_string())),
            );
            users_page(&state, &s, Some(message), None, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    entity: Option<String>,
    action: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    /// `csv` or `xlsx`: the filtered entries as a file.
    format: Option<String>,
}

/// 审计日志's operations by their Chinese names (the codes the store writes).
const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("create", "新建"),
    ("update", "修改"),
    ("edit", "修改"),
    ("disable", "停用"),
    ("enable", "启用"),
    ("password", "重置密码"),
    ("seed", "初始化"),
    ("import", "导入"),
    ("upload", "上传"),
    ("declare", "申报数据"),
    ("save", "保存草稿"),
    ("submit", "提交"),
    ("submitted", "提交"),
    ("start", "开始审核"),
    ("under_review", "开始审核"),
    ("approve", "批准"),
    ("approved", "批准"),
    ("return", "退回修改"),
    ("returned", "退回修改"),
    ("reject", "不予支持"),
    ("rejected", "不予支持"),
    ("pay", "拨付"),
    ("paid", "拨付"),
    ("clawback", "追回"),
    ("record_actual", "填报目标实际值"),
    ("report", "报送信息"),
    ("follow_up", "续报"),
    ("set_level", "决定响应级别"),
    ("open_command_post", "成立现场指挥部"),
    ("set_group", "调整工作组"),
    ("tick_measure", "落实措施"),
    ("release", "发布信息"),
    ("report_to_city", "报告市政府"),
    ("request_emergency_state", "请求宣布紧急状态"),
    ("assign_resource", "调用应急资源"),
    ("assign_measure", "指定落实单位"),
    ("end", "宣布应急结束"),
    ("recovery", "善后和恢复重建"),
    ("draft", "拟制预警"),
    ("issued", "发布预警"),
    ("adjusted", "调整预警"),
    ("lifted", "解除预警"),
    ("add_resource", "登记应急资源"),
    ("add_plan", "登记预案"),
    ("file_plan", "预案备案"),
    ("plan_drill", "登记演练"),
    ("plan_revision", "登记修订"),
    ("propose", "提议召开会议"),
    ("stage", "会议环节"),
    ("attendance", "登记出席"),
    ("votes", "登记表决"),
    ("change_representative", "更换成员单位代表"),
    ("import_batch", "导入一批"),
    ("import_finish", "导入完成"),
    ("record_payment", "登记缴费"),
    ("record_bulk_payments", "批量登记缴费"),
    ("seed_payments", "初始化缴费"),
    ("refund_payment", "退费"),
    ("publish_roster", "公示名单"),
];

/// The kinds of object in the log by their Chinese names.
const AUDIT_ENTITIES: &[(&str, &str)] = &[
    ("user", "用户账号"),
    ("reference", "参考数据"),
    ("villages", "村（居）名单"),
    ("enterprise", "电商企业"),
    ("subsidy_declaration", "申报数据"),
    ("subsidy_document", "证明材料"),
    ("subsidy_application", "扶持资金申请"),
    ("subsidy_award", "扶持奖励"),
    ("subsidy_target", "发展目标"),
    ("emergency_incident", "突发事件"),
    ("emergency_warning", "预警"),
    ("emergency_resource", "应急资源"),
    ("emergency_plan", "应急预案"),
    ("meeting", "联席会议"),
    ("meeting_item", "会议议题"),
    ("meeting_unit", "成员单位"),
    ("meeting_units", "成员单位名单"),
    ("meeting_material", "会议材料"),
    ("insurance_residents", "参保人员名单"),
    ("insurance_resident", "参保人员"),
    ("insurance_payment", "缴费记录"),
    ("insurance_job", "导入任务"),
    ("insurance_publication", "公示"),
];

/// States and other codes in the recorded values, by their labels.
const AUDIT_VALUES: &[(&str, &str)] = &[
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("under_review", "审核中"),
    ("approved", "已批准"),
    ("returned", "退回修改"),
    ("rejected", "不予支持"),
    ("paid", "已拨付"),
    ("issued", "已发布"),
    ("adjusted", "已调整"),
    ("lifted", "已解除"),
    ("active", "进行中"),
    ("ended", "已结束"),
    ("present", "出席"),
    ("proxy", "委托出席"),
    ("absent", "缺席"),
    ("Alert", "发布"),
    ("Update", "更新"),
    ("Cancel", "解除"),
];

/// Field names in the recorded changes, as people call them.
const AUDIT_KEYS: &[(&str, &str)] = &[
    ("state", "状态"),
    ("status", "状态"),
    ("stage", "环节"),
    ("level", "级别"),
    ("note", "意见"),
    ("reason", "理由"),
    ("amount", "金额"),
    ("identifier", "消息标识"),
    ("msg_type", "消息类型"),
    ("references", "引用"),
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("role", "角色"),
    ("department", "部门"),
    ("town", "镇（街）"),
    ("village", "村（居）"),
    ("name", "名称"),
    ("title", "标题"),
    ("headline", "标题"),
    ("filename", "文件名"),
    ("size", "大小（字节）"),
    ("year", "年度"),
    ("uscc", "统一社会信用代码"),
    ("active", "启用"),
    ("paid_on", "拨付日期"),
    ("sent_on", "送达日期"),
    ("meeting_date", "会议日期"),
    ("person", "代表"),
    ("post", "职务"),
    ("unit", "单位"),
    ("summary", "总结"),
    ("count", "数量"),
    ("rows", "行数"),
];

fn label_of<'a>(table: &'a [(&'a str, &'a str)], code: &'a str) -> &'a str {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// A recorded change as text people read: `状态：已提交；意见：…`, nested
/// values flattened, codes of states shown by their labels where known.
fn readable(json: Option<&str>) -> String {
    let Some(text) = json else { return String::new() };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else { return kernel::clip(text, 400).into_owned() };
    let out = match &v {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(_, x)| !x.is_null())
            .map(|(k, x)| format!("{}：{}", label_of(AUDIT_KEYS, k), value_text(x)))
            .collect::<Vec<_>>()
            .join("；"),
        other => value_text(other),
    };
    kernel::clip(&out, 400).into_owned()
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => label_of(AUDIT_VALUES, s).to_string(),
        serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        serde_json::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join("、"),
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(_, x)| !x.is_null())
            .map(|(k, x)| format!("{}={}", label_of(AUDIT_KEYS, k), value_text(x)))
            .collect::<Vec<_>>()
            .join("，"),
        other => other.to_string(),
    }
}

/// One entry of the log as the page shows it.
pub struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: String,
    after: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> AuditRow {
        AuditRow {
            seq: e.seq,
            at: crate::display::time(&e.at),
            action: label_of(AUDIT_ACTIONS, &e.action).to_string(),
            entity: label_of(AUDIT_ENTITIES, &e.entity).to_string(),
            entity_id: e.entity_id,
            before: readable(e.before_json.as_deref()),
            after: readable(e.after_json.as_deref()),
            actor: e.actor,
        }
    }
}

/// An option of a filter: its code, its label, whether chosen.
pub struct FilterOption {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

fn options(table: &[(&'static str, &'static str)], chosen: Option<&str>) -> Vec<FilterOption> {
    let mut seen: Vec<&str> = Vec::new();
    table
        .iter()
        .filter(|(_, l)| {
            // One option per label (提交 is written as `submit` and `submitted`).
            let fresh = !seen.contains(l);
            seen.push(l);
            fresh
        })
        .map(|(c, l)| FilterOption { code: c, label: l, selected: chosen == Some(*c) })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    page: Page,
    f: AuditQuery,
    entries: Vec<AuditRow>,
    pager: Pager,
    verify: String,
    actions: Vec<FilterOption>,
    entities: Vec<FilterOption>,
    /// The filters without the page, for the export links.
    query: String,
}

pub async fn audit(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<AuditQuery>,
) -> Result<Response, AppError> {
    s.may(&state, Action::AuditRead)?;
    const PER: i64 = 50;
    const EXPORT_MAX: i64 = 100_000;
    let export = q.format.clone().filter(|f| f == "csv" || f == "xlsx");
    let page_no = q.page.unwrap_or(1).max(1);
    let nonempty = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
    // The action filter names every code that reads the same (提交: submit, submitted).
    let filter = AuditFilter {
        actor: nonempty(&q.actor),
        entity: nonempty(&q.entity),
        action: nonempty(&q.action),
        text: nonempty(&q.q),
        limit: if export.is_some() { EXPORT_MAX } else { PER },
        offset: if export.is_some() { 0 } else { (page_no - 1) * PER },
    };
    let (entries, total) = state.store.audit_entries(&filter).await?;
    let rows: Vec<AuditRow> = entries.into_iter().map(AuditRow::from).collect();
    if let Some(format) = export {
        use crate::export::Cell;
        let headers = ["序号", "时间", "操作人", "操作", "对象", "对象编号", "修改前", "修改后"];
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Int(r.seq),
                    Cell::Text(r.at.clone()),
                    Cell::Text(r.actor.clone()),
                    Cell::Text(r.action.clone()),
                    Cell::Text(r.entity.clone()),
                    Cell::Text(r.entity_id.clone()),
                    Cell::Text(r.before.clone()),
                    Cell::Text(r.after.clone()),
                ]
            })
            .collect();
        return Ok(if format == "xlsx" {
            crate::export::xlsx_response("审计日志.xlsx", "审计日志", &headers, &cells)
        } else {
            crate::export::csv_response("审计日志.csv", &headers, &cells)
        });
    }
    let enc = |v: &Option<String>| form_urlencoded::byte_serialize(v.as_deref().unwrap_or("").as_bytes()).collect::<String>();
    let query = format!("actor={}&entity={}&action={}&q={}", enc(&q.actor), enc(&q.entity), enc(&q.action), enc(&q.q));
    let pager = Pager::new(total, page_no, PER, format!("/admin/audit?{query}&"));
    let verify = match state.store.verify_audit().await? {
        store::VerifyReport::Intact { entries } => format!("哈希链完整（{} 条）", crate::display::grouped(entries)),
        store::VerifyReport::Broken { seq, reason } => format!("哈希链在第 {seq} 条断裂：{reason}"),
    };
    let actions = options(AUDIT_ACTIONS, q.action.as_deref());
    let entities = options(AUDIT_ENTITIES, q.entity.as_deref());
    Ok(html(&Audit { page: Page::new("审计日志", Some(&s)), f: q, entries: rows, pager, verify, actions, entities, query }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_speaks_chinese() {
        assert_eq!(label_of(AUDIT_ACTIONS, "refund_payment"), "退费");
        assert_eq!(label_of(AUDIT_ENTITIES, "emergency_warning"), "预警");
        assert_eq!(label_of(AUDIT_ACTIONS, "unknown_code"), "unknown_code");
        assert_eq!(readable(Some(r#"{"state":"submitted","level":2}"#)), "级别：2；状态：已提交");
        assert_eq!(readable(Some(r#"{"active":false}"#)), "启用：否");
        assert_eq!(readable(None), "");
        assert_eq!(readable(Some("not json")), "not json");
    }
}
