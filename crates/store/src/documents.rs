//! Stored files (上传的材料): one shape for every module that keeps uploaded
//! documents in a table of its own — a meeting's materials, an enterprise's
//! supporting documents. Each such table has the columns `id, filename,
//! content_type, size, data, uploaded_by, uploaded_at` plus the columns that
//! name its owner (`meeting_id`; `uscc, year`).
//!
//! The server decides what a file is: its size is capped ([`MAX_BYTES`]), its
//! name is cut to a plain file name, and its content type comes from the
//! name's extension in a short list ([`content_type_for`]), never from the
//! client, so that a download is always an attachment of a known type.

use serde::Serialize;
use sqlx::Row as _;

use crate::{Result, StoreError, WriteTx};

/// The largest file accepted: 20 MiB (a scanned document of some dozens of pages).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// A table of stored files and the columns that name a file's owner.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// e.g. `meeting_materials`
    pub name: &'static str,
    /// e.g. `["meeting_id"]`
    pub owner: &'static [&'static str],
    /// The audit entry's entity, e.g. `meeting_material`.
    pub entity: &'static str,
}

/// One owner column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    Int(i64),
    Text(&'a str),
}

impl Key<'_> {
    fn json(&self) -> serde_json::Value {
        match self {
            Key::Int(n) => (*n).into(),
            Key::Text(s) => (*s).into(),
        }
    }
}

/// A stored file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A stored file with its bytes, for a download.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FileData {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The content type the server gives a file, from its extension; anything
/// not in the list is `application/octet-stream`.
pub fn content_type_for(filename: &str) -> &'static str {
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "wps" => "application/vnd.ms-works",
        "ofd" => "application/ofd",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A client's file name as kept: the last path component, without control
/// characters, at most [`MAX_NAME_CHARS`] characters (the extension kept).
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let base: String = base.chars().filter(|c| !c.is_control()).collect();
    let base = base.trim().trim_start_matches('.').to_string();
    if base.is_empty() {
        return "材料".to_string();
    }
    if base.chars().count() <= MAX_NAME_CHARS {
        return base;
    }
    let ext: String = match base.rsplit_once('.') {
        Some((_, e)) if e.chars().count() <= 8 => format!(".{e}"),
        _ => String::new(),
    };
    let keep = MAX_NAME_CHARS - ext.chars().count();
    format!("{}{ext}", base.chars().take(keep).collect::<String>())
}

/// Refuse an empty file or one over [`MAX_BYTES`], naming it.
pub fn check_size(filename: &str, size: usize) -> Result<()> {
    if size == 0 {
        return Err(StoreError::Invalid(format!("文件“{}”是空的", kernel::echo(filename))));
    }
    if size > MAX_BYTES {
        return Err(StoreError::Invalid(too_large(filename)));
    }
    Ok(())
}

/// The message for a file over the cap.
pub fn too_large(filename: &str) -> String {
    format!("文件“{}”超过 {} MB 的上限，请压缩或拆分后上传", kernel::echo(filename), MAX_BYTES / (1024 * 1024))
}

fn owner_clause(t: &Table, first: usize) -> String {
    t.owner.iter().enumerate().map(|(i, c)| format!("{c} = ${}", first + i)).collect::<Vec<_>>().join(" AND ")
}

fn bind_keys<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    keys: &[Key<'q>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for k in keys {
        q = match *k {
            Key::Int(n) => q.bind(n),
            Key::Text(s) => q.bind(s),
        };
    }
    q
}

/// Store a file for `owner` inside `tx` (the caller commits) and append the
/// audit entry `upload`. The name is cleaned, the size checked and the
/// content type decided here. Returns the new id.
pub async fn insert(tx: &mut WriteTx, t: &Table, owner: &[Key<'_>], actor: &str, filename: &str, data: &[u8]) -> Result<i64> {
    debug_assert_eq!(owner.len(), t.owner.len());
    let filename = clean_name(filename);
    check_size(&filename, data.len())?;
    let content_type = content_type_for(&filename);
    let n = t.owner.len();
    let sql = format!(
        "INSERT INTO {} ({}, filename, content_type, size, data, uploaded_by, uploaded_at) VALUES ({}) RETURNING id",
        t.name,
        t.owner.join(", "),
        (1..=n + 6).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    );
    let q = bind_keys(sqlx::query(sqlx::AssertSqlSafe(sql)), owner)
        .bind(filename.as_str())
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(actor)
        .bind(crate::now_text());
    let id: i64 = q.fetch_one(tx.conn()).await?.try_get("id")?;
    let mut detail = serde_json::Map::new();
    for (c, k) in t.owner.iter().zip(owner) {
        detail.insert((*c).to_string(), k.json());
    }
    detail.insert("filename".into(), filename.into());
    detail.insert("content_type".into(), content_type.into());
    detail.insert("size".into(), data.len().into());
    tx.audit(actor, "upload", t.entity, &id.to_string(), None, Some(&serde_json::Value::Object(detail))).await?;
    Ok(id)
}

/// The files of `owner`, oldest first.
pub async fn list(pool: &sqlx::AnyPool, t: &Table, owner: &[Key<'_>]) -> Result<Vec<StoredFile>> {
    let sql = format!(
        "SELECT id, filename, content_type, size, uploaded_by, uploaded_at FROM {} WHERE {} ORDER BY id",
        t.name,
        owner_clause(t, 1)
    );
    let rows = bind_keys(sqlx::query(sqlx::AssertSqlSafe(sql)), owner).fetch_all(pool).await?;
    Ok(rows.iter().map(<StoredFile as sqlx::FromRow<_>>::from_row).collect::<Result<_, _>>()?)
}

/// How many files `owner` has, read inside `tx`.
pub async fn count(tx: &mut WriteTx, t: &Table, owner: &[Key<'_>]) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE {}", t.name, owner_clause(t, 1));
    Ok(bind_keys(sqlx::query(sqlx::AssertSqlSafe(sql)), owner).fetch_one(tx.conn()).await?.try_get("n")?)
}

/// One file of `owner` with its bytes; a file of another owner is not found.
pub async fn fetch(pool: &sqlx::AnyPool, t: &Table, owner: &[Key<'_>], id: i64) -> Result<FileData> {
    let sql = format!("SELECT filename, content_type, data FROM {} WHERE {} AND id = ${}", t.name, owner_clause(t, 1), owner.len() + 1);
    let row = bind_keys(sqlx::query(sqlx::AssertSqlSafe(sql)), owner)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("材料 {id}")))?;
    Ok(<FileData as sqlx::FromRow<_>>::from_row(&row)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_server_decides_the_type_and_the_name() {
        assert_eq!(content_type_for("方案.PDF"), "application/pdf");
        assert_eq!(content_type_for("a.html"), "application/octet-stream");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
        assert_eq!(clean_name("C:\\Users\\x\\议题.docx"), "议题.docx");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "材料");
        let long = format!("{}.pdf", "长".repeat(300));
        let c = clean_name(&long);
        assert_eq!(c.chars().count(), MAX_NAME_CHARS);
        assert!(c.ends_with(".pdf"));
    }

    #[test]
    fn size_is_capped_at_twenty_mebibytes() {
        assert!(check_size("a.pdf", MAX_BYTES).is_ok());
        let e = check_size("a.pdf", MAX_BYTES + 1).unwrap_err().to_string();
        assert!(e.contains("a.pdf") && e.contains("20 MB"), "{e}");
        assert!(check_size("a.pdf", 0).is_err());
    }
}
