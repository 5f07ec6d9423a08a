//! An Atom (RFC 4287) feed of current warnings, served at
//! `/alerts/feed.atom`; each entry links to its CAP 1.2 alert.

use std::io;

use jiff::Timestamp;

use crate::time::OffsetTime;
use crate::xml::{document, leaf};

pub const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";
pub const CAP_MIME: &str = "application/cap+xml";
const FEED_TITLE: &str = "山亭区当前预警";
const FEED_AUTHOR: &str = "山亭区人民政府";

/// One current warning in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// A permanent IRI for the warning (the CAP URL serves).
    pub id: String,
    pub title: String,
    pub summary: String,
    /// When the current CAP message was sent.
    pub updated: Timestamp,
    /// Where the CAP XML is served.
    pub cap_url: String,
    /// Atom categories, e.g. the colour and the level (`橙色`, `二级`).
    pub categories: Vec<String>,
    /// Areas named by the warning.
    pub areas: Vec<String>,
}

fn write(entries: &[FeedEntry], updated: Timestamp, feed_id: &str, self_url: &str) -> io::Result<Vec<u8>> {
    document(512 + entries.len() * 640, |w| {
        w.create_element("feed").with_attributes([("xmlns", ATOM_NAMESPACE), ("xml:lang", "zh-CN")]).write_inner_content(|w| {
            leaf(w, "id", feed_id)?;
            leaf(w, "title", FEED_TITLE)?;
            leaf(w, "updated", OffsetTime::from_timestamp(updated).as_str())?;
            w.create_element("author").write_inner_content(|w| leaf(w, "name", FEED_AUTHOR))?;
            w.create_element("link")
                .with_attributes([("rel", "self"), ("type", "application/atom+xml"), ("href", self_url)])
                .write_empty()?;
            for e in entries {
                w.create_element("entry").write_inner_content(|w| {
                    leaf(w, "id", &e.id)?;
                    leaf(w, "title", &e.title)?;
                    leaf(w, "updated", OffsetTime::from_timestamp(e.updated).as_str())?;
                    w.create_element("link")
                        .with_attributes([("rel", "alternate"), ("type", CAP_MIME), ("href", e.cap_url.as_str())])
                        .write_empty()?;
                    for c in &e.categories {
                        w.create_element("category").with_attribute(("term", c.as_str())).write_empty()?;
                    }
                    let mut summary = e.summary.clone();
                    if !e.areas.is_empty() {
                        summary.push_str("（区域：");
                        summary.push_str(&e.areas.join("、"));
                        summary.push('）');
                    }
                    leaf(w, "summary", &summary)
                })?;
            }
            Ok(())
        })?;
        Ok(())
    })
}

/// The feed document. Entries are written in the order given (newest first
/// is the caller's choice); `updated` is the feed's last change.
/// `feed_id` must be an absolute IRI (RFC 4287 §4.2.6) that never changes;
/// `self_url` may be relative to where the feed is served.
pub fn feed(entries: &[FeedEntry], updated: Timestamp, feed_id: &str, self_url: &str) -> String {
    // Writing into a Vec cannot fail, and every piece written is a Rust
    // string, so the bytes are UTF-8.
    match write(entries, updated, feed_id, self_url) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        Err(_) => String::new(),
    }
}
