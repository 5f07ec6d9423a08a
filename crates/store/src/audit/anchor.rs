//! Anchors for the head of the audit trail.
//!
//! The hash chain shows an entry changed or removed in the middle, but a
//! chain cut short at the end is still a whole chain: nothing inside the
//! database remembers how long it was. An anchor does: the head's sequence
//! number and hash, appended to a file that lives away from the database
//! host. `verify` then names an anchored entry that is gone, or whose hash
//! is no longer the one anchored (a rewritten tail, hashes recomputed).
//!
//! # File format (version 1)
//!
//! UTF-8 text, one anchor per line, each line ended by LF, only ever appended:
//!
//! ```text
//! # shanting audit anchors v1: seq<TAB>hash<TAB>at<TAB>mac
//! 42<TAB>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08<TAB>2024-05-01T10:00:00.000+08:00<TAB>-
//! ```
//!
//! - `seq`: the head entry's sequence number (a positive integer);
//! - `hash`: that entry's hash, 64 lowercase hex digits;
//! - `at`: when the anchor was taken (RFC 3339, China Standard Time);
//! - `mac`: HMAC-SHA256, keyed with `SHANTING_AUDIT_KEY`, over the bytes
//!   `seq<TAB>hash<TAB>at` exactly as written, in 64 lowercase hex digits;
//!   `-` when no key was set.
//!
//! Lines starting with `#` and empty lines are comments. The MAC makes a
//! forged anchor (one written to match a rewritten database) detectable by
//! whoever holds the key; without a key, the file's protection is only
//! where it is kept. The chain itself stays unkeyed on purpose: anyone can
//! check it without a secret.

use std::collections::BTreeMap;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{AuditEntry, VerifyReport};
use crate::{Store, StoreError};

/// The environment variable that holds the anchors' MAC key.
pub const KEY_ENV: &str = "SHANTING_AUDIT_KEY";

/// The first line of a new anchor file: says what the lines are.
pub const HEADER: &str = "# shanting audit anchors v1: seq<TAB>hash<TAB>at<TAB>mac (mac is - without SHANTING_AUDIT_KEY)";

/// How often `serve` looks whether the head moved.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("读取锚点文件 {} 失败：{source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("写入锚点文件 {} 失败：{source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("锚点文件第 {line} 行格式错误：{reason}")]
    Malformed { line: usize, reason: String },
    #[error("锚点文件第 {line} 行没有 MAC（设置了 {KEY_ENV} 时每行都应带 MAC）")]
    MissingMac { line: usize },
    #[error("锚点文件第 {line} 行的 MAC 不符：该行被改动或伪造，或密钥不对")]
    BadMac { line: usize },
    #[error("{KEY_ENV} 已设置但为空")]
    EmptyKey,
    #[error("审计日志最新一条（第 {0} 条）的哈希与内容不符，不予锚定；请先运行 shanting audit verify")]
    HeadTampered(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The secret the anchor lines are MAC'd with.
#[derive(Clone)]
pub struct AnchorKey(Vec<u8>);

impl std::fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnchorKey(…)")
    }
}

impl AnchorKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<AnchorKey, AnchorError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(AnchorError::EmptyKey);
        }
        Ok(AnchorKey(bytes))
    }

    /// The key from `SHANTING_AUDIT_KEY`, its bytes as given; None when unset.
    pub fn from_env() -> Result<Option<AnchorKey>, AnchorError> {
        match std::env::var_os(KEY_ENV) {
            None => Ok(None),
            Some(v) => AnchorKey::new(v.into_encoded_bytes()).map(Some),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length; the error case cannot occur.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }
}

/// One anchored head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// HMAC-SHA256 in hex, or None (`-` in the file) when made without a key.
    pub mac: Option<String>,
}

impl Anchor {
    /// An anchor for `head`, taken at `at`, MAC'd when a key is given.
    pub fn new(seq: i64, hash: &str, at: &str, key: Option<&AnchorKey>) -> Anchor {
        let mut a = Anchor { seq, hash: hash.to_string(), at: at.to_string(), mac: None };
        a.mac = key.map(|k| {
            let mut m = k.mac();
            m.update(a.signed_text().as_bytes());
            hex::encode(m.finalize().into_bytes())
        });
        a
    }

    /// The bytes the MAC covers: the line's first three fields as written.
    fn signed_text(&self) -> String {
        format!("{}\t{}\t{}", self.seq, self.hash, self.at)
    }

    /// The line for the file, without its LF.
    pub fn to_line(&self) -> String {
        format!("{}\t{}", self.signed_text(), self.mac.as_deref().unwrap_or("-"))
    }

    /// Whether the MAC is present and right for `key` (constant-time compare).
    pub fn mac_matches(&self, key: &AnchorKey) -> bool {
        let Some(tag) = self.mac.as_deref().and_then(|m| hex::decode(m).ok()) else { return false };
        let mut m = key.mac();
        m.update(self.signed_text().as_bytes());
        m.verify_slice(&tag).is_ok()
    }
}

/// The anchors of a file with their (1-based) line numbers.
pub type Anchors = Vec<(usize, Anchor)>;

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parse an anchor file's text; the first malformed line is an error naming it.
pub fn parse(text: &str) -> Result<Anchors, AnchorError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        // Tolerate a file that passed through an editor with CRLF: the MAC
        // covers the fields, not the line ending.
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let bad = |reason: String| AnchorError::Malformed { line, reason };
        let fields: Vec<&str> = l.split('\t').collect();
        let [seq, hash, at, mac] = fields[..] else {
            return Err(bad(format!("应有 4 个以制表符分隔的字段（seq、hash、at、mac），实有 {} 个", fields.len())));
        };
        let seq = match seq.parse::<i64>() {
            Ok(n) if n >= 1 && seq.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(bad(format!("序号 {seq:?} 不是正整数"))),
        };
        if !is_hex64(hash) {
            return Err(bad(format!("哈希 {hash:?} 不是 64 位小写十六进制数")));
        }
        if at.parse::<jiff::Timestamp>().is_err() {
            return Err(bad(format!("时间 {at:?} 不是 RFC 3339 时间")));
        }
        let mac = match mac {
            "-" => None,
            m if is_hex64(m) => Some(m.to_string()),
            m => return Err(bad(format!("MAC {m:?} 既不是 - 也不是 64 位小写十六进制数"))),
        };
        out.push((line, Anchor { seq, hash: hash.to_string(), at: at.to_string(), mac }));
    }
    Ok(out)
}

/// Read and parse an anchor file.
pub fn read(path: &Path) -> Result<Anchors, AnchorError> {
    let text = std::fs::read_to_string(path).map_err(|source| AnchorError::Read { path: path.to_path_buf(), source })?;
    parse(&text)
}

/// Check every anchor's MAC with `key`; the first line without one or with a
/// wrong one is the error. A key turned on midway therefore needs a new file:
/// an unMAC'd line accepted next to MAC'd ones would be a forger's way in.
pub fn check_macs(anchors: &[(usize, Anchor)], key: &AnchorKey) -> Result<(), AnchorError> {
    for (line, a) in anchors {
        if a.mac.is_none() {
            return Err(AnchorError::MissingMac { line: *line });
        }
        if !a.mac_matches(key) {
            return Err(AnchorError::BadMac { line: *line });
        }
    }
    Ok(())
}

/// Append one anchor line to `path`, creating the file (with its header) if
/// needed, and fsync it before returning: an anchor that a crash can lose
/// anchors nothing. Earlier lines are never rewritten; the file is opened in
/// append mode, so it also works under `chattr +a`.
pub fn append(path: &Path, anchor: &Anchor) -> Result<(), AnchorError> {
    let werr = |source| AnchorError::Write { path: path.to_path_buf(), source };
    let existed = path.exists();
    let mut f = std::fs::OpenOptions::new().read(true).append(true).create(true).open(path).map_err(werr)?;
    let len = f.metadata().map_err(werr)?.len();
    let mut text = String::new();
    if len == 0 {
        text.push_str(HEADER);
        text.push('\n');
    } else {
        // A line cut short by a crash must not swallow this one: start on a
        // line of our own, leaving the torn one for verify to name.
        let mut last = [0u8; 1];
        f.seek(SeekFrom::End(-1)).map_err(werr)?;
        f.read_exact(&mut last).map_err(werr)?;
        if last[0] != b'\n' {
            text.push('\n');
        }
    }
    text.push_str(&anchor.to_line());
    text.push('\n');
    // One write: with O_APPEND the line lands whole at the end.
    f.write_all(text.as_bytes()).map_err(werr)?;
    f.sync_all().map_err(werr)?;
    if !existed {
        sync_parent(path).map_err(werr)?;
    }
    Ok(())
}

/// A new file's name is in its directory: fsync that too, or a crash can
/// lose the whole file.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Appends the head of one store's audit trail to one file; remembers what
/// it last anchored so that the background task writes only when the head
/// moved.
#[derive(Debug)]
pub struct Anchorer {
    path: PathBuf,
    key: Option<AnchorKey>,
    last: Mutex<Option<(i64, String)>>,
}

impl Anchorer {
    pub fn new(path: impl Into<PathBuf>, key: Option<AnchorKey>) -> Anchorer {
        Anchorer { path: path.into(), key, last: Mutex::new(None) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn key_is_set(&self) -> bool {
        self.key.is_some()
    }

    /// Anchor the current head, whether or not it moved. None: the trail is empty.
    pub async fn anchor(&self, store: &Store) -> Result<Option<Anchor>, AnchorError> {
        match store.audit_head().await? {
            Some(head) => self.write(head).await.map(Some),
            None => Ok(None),
        }
    }

    /// Anchor the current head only if it differs from the last one this
    /// anchorer wrote. None: nothing written.
    pub async fn anchor_if_moved(&self, store: &Store) -> Result<Option<Anchor>, AnchorError> {
        let Some(head) = store.audit_head().await? else { return Ok(None) };
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((seq, hash)) = last {
            if seq == head.seq && hash == head.hash {
                return Ok(None);
            }
            // A head behind the one anchored, or the same entry with another
            // hash, is what the anchors exist for: say so now, not at the
            // next verify. The new anchor is written all the same; the old
            // line keeps the evidence.
            if head.seq < seq || (head.seq == seq && head.hash != hash) {
                tracing::error!(
                    anchored = seq,
                    now = head.seq,
                    "审计日志最新记录倒退或被改写：已锚定第 {seq} 条，现在最新为第 {} 条",
                    head.seq
                );
            }
        }
        self.write(head).await.map(Some)
    }

    async fn write(&self, head: AuditEntry) -> Result<Anchor, AnchorError> {
        // Anchoring a head whose own hash is wrong would vouch for an edit.
        if head.compute_hash() != head.hash {
            return Err(AnchorError::HeadTampered(head.seq));
        }
        let anchor = Anchor::new(head.seq, &head.hash, &crate::now_text(), self.key.as_ref());
        let (path, a) = (self.path.clone(), anchor.clone());
        // fsync blocks; keep it off the async workers.
        tokio::task::spawn_blocking(move || append(&path, &a))
            .await
            .map_err(|e| AnchorError::Write { path: self.path.clone(), source: std::io::Error::other(e) })??;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((anchor.seq, anchor.hash.clone()));
        Ok(anchor)
    }

    /// The background task of `serve`: every `every`, anchor the head if it
    /// moved. Runs until aborted; a failed round is logged and retried on the
    /// next one, so a full disk does not stop the server.
    pub async fn run(self: Arc<Self>, store: Store, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            match self.anchor_if_moved(&store).await {
                Ok(Some(a)) => tracing::debug!(seq = a.seq, file = %self.path.display(), "audit head anchored"),
                Ok(None) => {}
                Err(e) => tracing::error!(file = %self.path.display(), "审计日志锚定失败：{e}"),
            }
        }
    }
}

/// Anchors by sequence number: (line, hash) of each, for the chain walk.
pub(super) fn index(anchors: &[(usize, Anchor)]) -> BTreeMap<i64, Vec<(usize, &str)>> {
    let mut by_seq: BTreeMap<i64, Vec<(usize, &str)>> = BTreeMap::new();
    for (line, a) in anchors {
        by_seq.entry(a.seq).or_default().push((*line, a.hash.as_str()));
    }
    by_seq
}

/// The problem with an anchor past the end of a chain of `entries`, if any.
pub(super) fn beyond_end(by_seq: &BTreeMap<i64, Vec<(usize, &str)>>, entries: i64) -> Option<VerifyReport> {
    let (&seq, list) = by_seq.range(entries + 1..).next()?;
    let line = list.first().map_or(0, |(l, _)| *l);
    Some(VerifyReport::Broken {
        seq,
        reason: format!(
            "第 {seq} 条记录缺失（锚点文件第 {line} 行记录了它）：审计日志只有 {entries} 条，末尾至少 {} 条被删除",
            seq - entries
        ),
    })
}
