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
}

/// What every page frame shows.
pub struct Page {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

/// The navigation a role sees. Modules add their entries here.
pub fn nav_for(user: Option<&User>) -> Vec<NavItem> {
    let item = |href, label| NavItem { href, label };
    let Some(u) = user else {
        return vec![item("/public", "公开信息"), item("/login", "登录")];
    };
    let mut v = vec![item("/", "首页")];
    // The four modules: each page checks the role and scope itself.
    let [subsidy, insurance, emergency, meeting] =
        [item("/subsidy", "电商扶持"), item("/insurance", "社保征缴"), item("/emergency", "应急管理"), item("/meeting", "联席会议")];
    match u.role {
        Role::Admin => {
            v.extend([subsidy, insurance, emergency, meeting]);
            v.extend([
                item("/reference", "参考数据"),
                item("/policy", "政策参数"),
                item("/calendar", "工作日历"),
                item("/admin/users", "用户管理"),
                item("/admin/audit", "审计日志"),
            ]);
        }
        Role::Bureau => {
            v.extend([subsidy, insurance, emergency, meeting]);
            v.extend([item("/reference", "参考数据"), item("/policy", "政策参数"), item("/calendar", "工作日历")]);
        }
        Role::Town => v.extend([insurance, emergency, item("/reference/villages", "村（居）"), item("/policy", "政策参数")]),
        Role::Village => v.extend([insurance, emergency, item("/reference/villages", "本村（居）")]),
        Role::Enterprise => v.extend([subsidy, item("/policy", "政策参数")]),
    }
    v.push(item("/public", "公开信息"));
    v
}

impl Page {
    pub fn new(title: &str, session: Option<&Session>) -> Page {
        Page {
            title: title.to_string(),
            user: session.map(|s| s.user.clone()),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            nav: nav_for(session.map(|s| &s.user)),
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
}
