//! The public side of warnings: the Atom feed of current warnings, each CAP
//! message at its own URL (both with ETags and 304), and the public page's
//! fragment. The feed is rendered when a warning changes (in the publishing
//! transaction), so serving it is one primary-key read at most per TTL.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use app::emergency::warnings::render_feed;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

use super::rules;
use crate::AppState;
use crate::error::AppError;
use crate::render::escape;

/// The rendered feed, kept for at most [`FEED_TTL`] per server. Every
/// instance re-reads the feed row (one primary-key read) when its copy is
/// older than that, so a warning issued through any instance is served by all
/// of them within the TTL; nothing here is needed by another instance. The
/// entry belongs to the `AppState`'s parameter set (one per server, and one
/// per test app); the weak reference makes sure a reused address is a miss.
type FeedCache = HashMap<usize, (Weak<kernel::ParamSet>, Instant, Bytes, HeaderValue)>;
static FEED_CACHE: RwLock<Option<FeedCache>> = RwLock::new(None);
const FEED_TTL: Duration = Duration::from_millis(250);

fn cached_feed(state: &AppState) -> Option<(Bytes, HeaderValue)> {
    let key = Arc::as_ptr(&state.params) as usize;
    let guard = FEED_CACHE.read().ok()?;
    let (owner, at, bytes, etag) = guard.as_ref()?.get(&key)?;
    let same = owner.upgrade().is_some_and(|p| Arc::ptr_eq(&p, &state.params));
    (same && at.elapsed() < FEED_TTL).then(|| (bytes.clone(), etag.clone()))
}

/// A strong validator from the content: every instance serving the same
/// bytes gives the same tag, so a reader polling through a load balancer
/// gets 304 until a warning changes.
fn content_etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = format!("\"{}\"", hex::encode(&digest[..12]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether the request's `If-None-Match` names this tag (or `*`).
fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(want) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let tag = etag.to_str().unwrap_or_default();
    want.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == tag || t == "*")
}

/// The body with its validator, or 304 when the client already has it.
fn validated(headers: &HeaderMap, content_type: HeaderValue, cache: &'static str, body: Bytes, etag: HeaderValue) -> Response {
    let common = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, HeaderValue::from_static(cache))];
    if not_modified(headers, &etag) {
        return (axum::http::StatusCode::NOT_MODIFIED, common).into_response();
    }
    (common, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

pub(super) async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let (bytes, etag) = match cached_feed(&state) {
        Some(hit) => hit,
        None => {
            let b = match state.store.emergency_feed().await? {
                Some((_, body)) => Bytes::from(body),
                None => Bytes::from(render_feed(&rules(&state)?, &[])),
            };
            let etag = content_etag(&b);
            if let Ok(mut c) = FEED_CACHE.write() {
                let map = c.get_or_insert_with(HashMap::new);
                map.retain(|_, (owner, _, _, _)| owner.strong_count() > 0);
                let entry = (Arc::downgrade(&state.params), Instant::now(), b.clone(), etag.clone());
                map.insert(Arc::as_ptr(&state.params) as usize, entry);
            }
            (b, etag)
        }
    };
    let atom = HeaderValue::from_static("application/atom+xml; charset=utf-8");
    Ok(validated(&headers, atom, "public, max-age=1", bytes, etag))
}

pub(super) async fn cap_file(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(identifier) = file.strip_suffix(".xml") else { return Err(AppError::NotFound(kernel::echo(&file).into_owned())) };
    match state.store.emergency_cap_xml(identifier).await? {
        Some(xml) => {
            let body = Bytes::from(xml);
            let etag = content_etag(&body);
            // A CAP message never changes once stored: an update or a cancel is a message of its own.
            Ok(validated(&headers, HeaderValue::from_static(emergency::atom::CAP_MIME), "public, max-age=60", body, etag))
        }
        None => Err(AppError::NotFound(format!("预警 {}", kernel::echo(identifier)))),
    }
}

/// Current warnings for the public page: headline, level and colour, areas, CAP link.
pub async fn public_fragment(state: &AppState) -> Option<String> {
    let list = state.store.emergency_warnings(true).await.ok()?;
    if list.is_empty() {
        return None;
    }
    let r = rules(state).ok()?;
    let mut out = String::from("<ul class=\"warnings\" id=\"current-warnings\">");
    for w in &list {
        let lvl = u8::try_from(w.level).ok().and_then(|l| r.warning_level(l));
        let (colour, en) = lvl.map(|l| (l.colour.as_str(), l.colour_en.as_str())).unwrap_or(("", ""));
        // A class per colour, not a style attribute: the CSP admits no inline styles.
        let class = match en {
            "red" | "orange" | "yellow" | "blue" => en,
            _ => "none",
        };
        out.push_str(&format!(
            "<li class=\"warning\"><span class=\"badge level-{class}\">{}{}预警</span> <strong>{}</strong>（{}；{}）<br>{} \
             <a href=\"/alerts/{}.xml\">CAP</a></li>",
            escape(colour),
            escape(&w.incident_type),
            escape(&w.headline),
            escape(&w.areas),
            escape(w.issued_at.as_deref().unwrap_or("")),
            escape(&w.instruction),
            escape(w.current_identifier.as_deref().unwrap_or("")),
        ));
    }
    out.push_str("</ul><p><a href=\"/alerts/feed.atom\">Atom 订阅</a></p>");
    Some(out)
}
