//! Page rendering: askama templates around a common [`Page`] frame (title,
//! the user, the CSRF token, the role's navigation).

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use store::{Role, User};

use crate::auth::Session;

pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// The entry of the page being shown (`aria-current="page"`).
    pub current: bool,
}

/// What every page frame shows.
pub struct Page {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// Unread notifications (消息), shown in the header.
    pub unread: i64,
}

tokio::task_local! {
    /// The path (and query) of the request being answered, set by `auth::load_session`.
    pub static CURRENT_PATH: String;
}

/// The navigation: an entry per module and page the user has a duty for
/// (the same duties that decide the routes), the current one marked.
pub fn nav_for(session: Option<&Session>) -> Vec<NavItem> {
    use access::Action as A;
    let path = CURRENT_PATH.try_with(|p| p.split('?').next().unwrap_or("").to_string()).unwrap_or_default();
    let mut v: Vec<(&'static str, &'static str)> = Vec::new();
    match session {
        None => v.extend([("/public", "公开信息"), ("/policy", "政策参数"), ("/login", "登录")]),
        Some(s) => {
            let may = |actions: &[A]| actions.iter().any(|a| s.duties.may(&s.actor, *a).is_ok());
            v.push(("/", "工作台"));
            if may(&[A::SubsidyApplicationsRead, A::SubsidyDeclare, A::SubsidyTargetsRead]) {
                v.push(("/subsidy", "电商扶持"));
            }
            if may(&[A::InsuranceRosterRead]) {
                v.push(("/insurance", "社保征缴"));
            } else if may(&[A::InsuranceStatsRead]) {
                v.push(("/insurance/stats", "社保征缴"));
            } else if may(&[A::InsuranceJobsRead]) {
                v.push(("/insurance/import", "社保征缴"));
            }
            if may(&[A::EmergencyRead]) {
                v.push(("/emergency", "应急管理"));
            }
            if may(&[A::MeetingRead]) {
                v.push(("/meeting", "联席会议"));
            }
            if may(&[A::ReferenceRead]) {
                match s.actor.role {
                    Some(Role::Town | Role::Village) => v.push(("/reference/villages", "村（居）")),
                    _ => v.push(("/reference", "参考数据")),
                }
            }
            v.extend([("/policy", "政策参数"), ("/calendar", "工作日历")]);
            if may(&[A::AccountsManage]) {
                v.push(("/admin/users", "用户管理"));
            }
            if may(&[A::AuditRead]) {
                v.push(("/admin/audit", "审计日志"));
            }
            if may(&[A::AccountsManage]) {
                v.push(("/admin/deliveries", "消息投递"));
            }
            v.push(("/public", "公开信息"));
        }
    }
    // The longest entry that is a prefix of the path is the current one.
    let best = v
        .iter()
        .filter(|(h, _)| if *h == "/" { path == "/" } else { path == *h || path.starts_with(&format!("{h}/")) })
        .map(|(h, _)| h.len())
        .max();
    v.into_iter().map(|(href, label)| NavItem { href, label, current: Some(href.len()) == best }).collect()
}

impl Page {
    pub fn new(title: &str, session: Option<&Session>) -> Page {
        Page {
            title: title.to_string(),
            user: session.map(|s| s.user.clone()),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            nav: nav_for(session),
            unread: session.map(|s| s.unread).unwrap_or(0),
        }
    }

    pub fn role_label(&self) -> &'static str {
        self.user.as_ref().map(|u| u.role.label()).unwrap_or("公众")
    }

    pub fn scope(&self) -> String {
        let Some(u) = &self.user else { return String::new() };
        [&u.department, &u.town, &u.village, &u.enterprise_uscc].iter().filter_map(|x| x.as_deref()).collect::<Vec<_>>().join(" · ")
    }
}

/// Render a template into a response (500 with the cause logged on failure).
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => crate::AppError::Internal(e.to_string()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login<'a> {
    page: &'a Page,
    error: Option<&'a str>,
    next: &'a str,
}

pub fn login(page: &Page, error: Option<&str>, next: &str) -> Response {
    html(&Login { page, error, next })
}

/// Pagination links for list pages.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub base: String,
}

impl Pager {
    pub fn new(total: i64, page: i64, per: i64, base: String) -> Pager {
        let pages = ((total + per - 1) / per).max(1);
        Pager { page: page.clamp(1, pages), pages, total, base }
    }

    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}page={}", self.base, self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| format!("{}page={}", self.base, self.page + 1))
    }

    /// The page links to show: the first, the last, and two either side of
    /// the current one, with gaps (`None`) between runs: 1 … 4 5 [6] 7 8 … 40.
    pub fn numbers(&self) -> Vec<Option<PageLink>> {
        let mut out: Vec<Option<PageLink>> = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            let near = (n - self.page).abs() <= 2;
            if n == 1 || n == self.pages || near {
                if n > last + 1 {
                    out.push(None);
                }
                out.push(Some(PageLink { number: n, href: format!("{}page={n}", self.base), current: n == self.page }));
                last = n;
            }
        }
        out
    }

    /// `共 1,234 条`: the total, grouped.
    pub fn total_text(&self) -> String {
        crate::display::grouped(self.total)
    }
}

/// One numbered page link of a [`Pager`].
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}
