//! Supporting documents (证明材料): uploaded by the enterprise for itself,
//! read by it and by the reviewer (区商务和投资促进局) only — not by other
//! departments, not by other enterprises. Bounded in size and number; the
//! content type a download is served with is decided here by the file's
//! extension, never taken from the uploader.

use access::{Action, Actor};
use store::subsidy::Document;

use super::enterprise;
use crate::{App, Error, Result};

/// The largest document accepted (20 MB).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most documents one enterprise keeps.
pub const MAX_PER_ENTERPRISE: i64 = 50;

// The content type and the kept name are the store's rules for every stored
// file (store::documents), shared with meeting materials.
use store::documents::{clean_name, content_type_for as content_type_of};

/// Upload one document of `uscc` for `year`.
pub async fn upload(app: &App, actor: &Actor, uscc: &str, year: i64, filename: &str, data: &[u8]) -> Result<i64> {
    app.may_on(actor, Action::SubsidyDeclare, &enterprise(uscc))?;
    if data.is_empty() {
        return Err(Error::field("file", "请选择要上传的文件"));
    }
    if data.len() > MAX_BYTES {
        return Err(Error::field("file", format!("文件过大：每份证明材料不超过 {} MB", MAX_BYTES / (1024 * 1024))));
    }
    let name = clean_name(filename);
    let doc = store::subsidy::NewDocument { uscc, year, filename: &name, content_type: content_type_of(&name), data };
    Ok(app.store.subsidy_add_document(&actor.username, &doc, MAX_PER_ENTERPRISE).await?)
}

/// The documents of `uscc`.
pub async fn list(app: &App, actor: &Actor, uscc: &str) -> Result<Vec<Document>> {
    app.may_on(actor, Action::SubsidyDocumentsRead, &enterprise(uscc))?;
    Ok(app.store.subsidy_documents(uscc).await?)
}

/// A document to send: its name, the server's content type, its bytes.
pub struct Download {
    pub filename: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

/// Read one document: whose it is is checked before its bytes are read.
pub async fn download(app: &App, actor: &Actor, id: i64) -> Result<Download> {
    app.may(actor, Action::SubsidyDocumentsRead)?;
    let owner = app.store.subsidy_document_owner(id).await?;
    app.may_on(actor, Action::SubsidyDocumentsRead, &enterprise(&owner))?;
    let f = app.store.subsidy_document(id).await?;
    Ok(Download { content_type: content_type_of(&f.filename), filename: f.filename, data: f.data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_follows_the_extension_and_names_are_cleaned() {
        assert_eq!(content_type_of("发票.PDF"), "application/pdf");
        assert_eq!(content_type_of("x.html"), "application/octet-stream");
        assert_eq!(content_type_of("noext"), "application/octet-stream");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\a\\b.pdf"), "b.pdf");
        assert_eq!(clean_name(""), "材料");
        assert_eq!(clean_name(&"长".repeat(500)).chars().count(), store::documents::MAX_NAME_CHARS);
    }
}
