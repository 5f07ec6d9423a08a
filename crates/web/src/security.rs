//! Response headers that limit what a page can do in the browser, and the
//! one way a page with its own inline stylesheet is still allowed it.
//!
//! The Content-Security-Policy admits scripts and styles only from this
//! origin: pages carry no inline scripts, `on…=` handlers or `style=`
//! attributes (behaviour lives in `static/app.js`, looks in `static/app.css`).
//! Printable documents are the exception: one self-contained HTML file each,
//! because headless Chromium prints that same file to PDF from disk
//! (`export::html_to_pdf`). Served over HTTP they keep their `<style>`
//! blocks, admitted by hash — the policy stays otherwise the same.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The policy on every response that does not set a stricter-or-equal one of its own.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy with each inline `<style>` block of `html` admitted by its SHA-256.
pub fn policy_for_inline_styles(html: &str) -> String {
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("<style") {
        let after = &rest[open..];
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let Some(close) = body.find("</style>") else { break };
        let digest = Sha256::digest(&body.as_bytes()[..close]);
        hashes.push_str(&format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        rest = &body[close..];
    }
    CONTENT_SECURITY_POLICY.replacen("style-src 'self'", &format!("style-src 'self'{hashes}"), 1)
}

/// A self-contained printable document as a page: its own `<style>` blocks are allowed, nothing else is.
pub fn printable_page(html: String) -> Response {
    let policy = policy_for_inline_styles(&html);
    let mut r = Html(html).into_response();
    match HeaderValue::from_str(&policy) {
        Ok(v) => {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        // Cannot happen (base64 and ASCII); without the header the default policy applies.
        Err(e) => tracing::error!(%e, "policy header"),
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_style_block_is_admitted_by_its_hash() {
        let p = policy_for_inline_styles("<head><style>b{x:1}</style><style media=\"print\">i{}</style></head>");
        // printf 'b{x:1}' | openssl dgst -sha256 -binary | base64
        let one = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"b{x:1}"));
        let two = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"i{}"));
        assert!(p.contains(&format!("style-src 'self' 'sha256-{one}' 'sha256-{two}';")), "{p}");
        assert!(p.contains("script-src 'self';") && p.ends_with("frame-ancestors 'none'"));
        assert_eq!(policy_for_inline_styles("<p>no style</p>"), CONTENT_SECURITY_POLICY);
    }
}
