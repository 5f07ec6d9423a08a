//! Housing provident fund joint meeting (住房公积金联席会议, 山政办字〔2022〕19号):
//! member units and their representatives over time, meetings with agenda
//! items, materials and their delivery to every unit, attendance with
//! proxies' written opinions, votes, results and minutes. Every change is audited.
//!
//! The rules are the `meeting` engine's: the caller decides a step
//! ([`meeting::Stage::advance`]) on what it read, and hands the store the
//! meeting's `version` it read. Every write to a meeting bumps that version
//! in the same transaction as a conditional `UPDATE … WHERE stage … AND
//! version …`, so that two requests deciding on the same state cannot both
//! take effect: the second finds the row changed and is a conflict.

use std::str::FromStr;

use kernel::labelled::UnknownCode;
use meeting::{Attendance, Stage, Vote};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row as _};

use crate::documents::{self, FileData, Key, StoredFile};
use crate::{Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Unit {
    pub name: String,
    pub position: i64,
    pub note: String,
}

/// Who represented a unit, and when (representatives follow the post).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Representative {
    pub id: i64,
    pub unit: String,
    pub person: String,
    pub post: String,
    /// 召集人 / 副召集人 / 成员
    pub role: String,
    pub from_date: String,
    pub to_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub title: String,
    pub proposed_by: String,
    pub proposed_on: String,
    pub meeting_date: String,
    pub place: String,
    /// An unknown code in the database is a decode error, never a guess.
    pub stage: Stage,
    pub materials_sent_on: Option<String>,
    pub summary: String,
    pub minutes_number: Option<String>,
    pub minutes_issued_on: Option<String>,
    /// Bumped by every write to the meeting (see the module comment).
    pub version: i64,
}

/// One unit's vote on one item.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CastVote {
    pub unit: String,
    pub vote: Vote,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub position: i64,
    pub title: String,
    /// The announced result (四（六）5), empty until then.
    pub result: String,
    #[sqlx(skip)]
    pub votes: Vec<CastVote>,
}

/// The agenda and materials reaching one unit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub unit: String,
    pub sent_on: String,
    pub sent_by: String,
}

/// How one unit attended.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub unit: String,
    pub status: Attendance,
    pub attendee: String,
    /// The unit head's written opinion, carried by a proxy (受委托人).
    pub opinion: String,
}

/// A stored code read as its enum: an unknown code is a decode error that
/// names the column and the code (sqlx's `try_from` attribute loses the message).
fn code<T: FromStr<Err = UnknownCode>>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let s: String = row.try_get(column)?;
    s.parse().map_err(|e: UnknownCode| sqlx::Error::ColumnDecode { index: column.to_string(), source: Box::new(e) })
}

impl FromRow<'_, AnyRow> for Meeting {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Meeting {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            proposed_by: r.try_get("proposed_by")?,
            proposed_on: r.try_get("proposed_on")?,
            meeting_date: r.try_get("meeting_date")?,
            place: r.try_get("place")?,
            stage: code(r, "stage")?,
            materials_sent_on: r.try_get("materials_sent_on")?,
            summary: r.try_get("summary")?,
            minutes_number: r.try_get("minutes_number")?,
            minutes_issued_on: r.try_get("minutes_issued_on")?,
            version: r.try_get("version")?,
        })
    }
}

impl FromRow<'_, AnyRow> for CastVote {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(CastVote { unit: r.try_get("unit")?, vote: code(r, "vote")? })
    }
}

impl FromRow<'_, AnyRow> for AttendanceRecord {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(AttendanceRecord {
            unit: r.try_get("unit")?,
            status: code(r, "status")?,
            attendee: r.try_get("attendee")?,
            opinion: r.try_get("opinion")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub items: Vec<Item>,
    pub materials: Vec<StoredFile>,
    pub deliveries: Vec<Delivery>,
    pub attendance: Vec<AttendanceRecord>,
}

/// A meeting as proposed by a member unit.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub title: String,
    pub proposed_by: String,
    pub proposed_on: String,
    pub meeting_date: String,
    pub place: String,
    pub items: Vec<String>,
}

/// A step of the procedure, decided by the caller on the meeting as it read it.
pub struct StageChange<'a> {
    pub id: i64,
    pub from: Stage,
    pub to: Stage,
    /// The version the decision was taken on.
    pub version: i64,
    pub effect: Effect<'a>,
}

/// What a step writes besides the stage, in the same transaction.
pub enum Effect<'a> {
    None,
    /// The agenda and materials delivered to every member unit on this day (四（二）).
    SendMaterials {
        sent_on: &'a str,
    },
    /// The announced result of each item (四（六）5): (item id, text).
    Results(&'a [(i64, String)]),
    /// The convener's summing-up (四（六）6).
    Summary(&'a str),
    /// Issue the minutes (四（七）): `number(n)` names the n-th minutes of the year.
    IssueMinutes {
        issued_on: &'a str,
        number: &'a (dyn Fn(i64) -> String + Sync),
    },
}

/// The table of a meeting's materials, in the shape every stored file has.
pub const MATERIALS: documents::Table = documents::Table { name: "meeting_materials", owner: &["meeting_id"], entity: "meeting_material" };

const MEETING_COLS: &str = "id, title, proposed_by, proposed_on, meeting_date, place, stage, materials_sent_on, summary, \
                            minutes_number, minutes_issued_on, version";

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn codes(stages: &[Stage]) -> String {
    stages.iter().map(|s| s.label()).collect::<Vec<_>>().join("、")
}

/// Take the meeting for a write allowed only in `open` stages: bump its
/// version, or say why not. Inside `tx`, so that the stage cannot change
/// before the write commits (SQLite holds the write lock, PostgreSQL the row lock).
async fn take(tx: &mut WriteTx, id: i64, open: &[Stage], what: &str) -> Result<()> {
    let marks = (0..open.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE meeting_meetings SET version = version + 1 WHERE id = $1 AND stage IN ({marks})");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
    for s in open {
        q = q.bind(s.as_str());
    }
    if q.execute(tx.conn()).await?.rows_affected() == 1 {
        return Ok(());
    }
    let stage = current_stage(tx, id).await?;
    Err(StoreError::Invalid(format!("会议处于“{}”阶段，不能{what}（仅限{}阶段）", stage.label(), codes(open))))
}

async fn current_stage(tx: &mut WriteTx, id: i64) -> Result<Stage> {
    let row = sqlx::query("SELECT stage FROM meeting_meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("会议 {id}")))?;
    Ok(code(&row, "stage")?)
}

async fn unit_names(tx: &mut WriteTx) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM meeting_units ORDER BY position").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
}

impl Store {
    /// Seed the member units and their representatives once.
    pub async fn meeting_seed_units(&self, units: &[(String, String)], reps: &[Representative]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM meeting_units").fetch_one(tx.conn()).await?.try_get("n")?;
        if n > 0 {
            return Ok(());
        }
        for (i, (name, note)) in units.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_units (name, position, note) VALUES ($1, $2, $3)")
                .bind(name)
                .bind(i as i64)
                .bind(note)
                .execute(tx.conn())
                .await?;
        }
        for r in reps {
            sqlx::query(
                "INSERT INTO meeting_representatives (unit, person, post, role, from_date, to_date) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.unit)
            .bind(&r.person)
            .bind(&r.post)
            .bind(&r.role)
            .bind(&r.from_date)
            .bind(&r.to_date)
            .execute(tx.conn())
            .await?;
        }
        tx.audit("system", "seed", "meeting_units", "all", None, json(&units.iter().map(|u| &u.0).collect::<Vec<_>>()).as_ref()).await?;
        tx.commit().await
    }

    pub async fn meeting_units(&self) -> Result<Vec<Unit>> {
        Ok(sqlx::query_as::<_, Unit>("SELECT name, position, note FROM meeting_units ORDER BY position").fetch_all(self.pool()).await?)
    }

    /// Every representative ever, by unit then date.
    pub async fn meeting_representatives(&self) -> Result<Vec<Representative>> {
        Ok(sqlx::query_as::<_, Representative>(
            "SELECT r.id, r.unit, r.person, r.post, r.role, r.from_date, r.to_date FROM meeting_representatives r \
             JOIN meeting_units u ON u.name = r.unit ORDER BY u.position, r.from_date, r.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// A unit names a successor: the current representative's term ends the day before.
    pub async fn meeting_change_representative(&self, actor: &str, unit: &str, person: &str, post: &str, from: kernel::Date) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let cur = sqlx::query_as::<_, Representative>(
            "SELECT id, unit, person, post, role, from_date, to_date FROM meeting_representatives \
             WHERE unit = $1 AND to_date IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(unit)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(r) = &cur
            && r.from_date.as_str() >= from.to_string().as_str()
        {
            return Err(StoreError::Invalid(format!("新代表的任职日期须晚于现任代表的任职日期 {}", r.from_date)));
        }
        let role = cur.as_ref().map_or_else(|| "成员".to_string(), |r| r.role.clone());
        let before = match &cur {
            Some(r) => {
                let end = from.yesterday().map_err(|e| StoreError::Invalid(e.to_string()))?.to_string();
                // Conditional on the term still being open: a successor named
                // meanwhile makes this one a conflict, not a second open term.
                let n = sqlx::query("UPDATE meeting_representatives SET to_date = $1 WHERE id = $2 AND to_date IS NULL")
                    .bind(&end)
                    .bind(r.id)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict(format!("{unit} 的代表已被他人更换，请刷新后重试")));
                }
                Some(serde_json::json!({"person": r.person, "to_date": end}))
            }
            None => None,
        };
        sqlx::query("INSERT INTO meeting_representatives (unit, person, post, role, from_date) VALUES ($1, $2, $3, $4, $5)")
            .bind(unit)
            .bind(person)
            .bind(post)
            .bind(&role)
            .bind(from.to_string())
            .execute(tx.conn())
            .await?;
        let after = serde_json::json!({"unit": unit, "person": person, "post": post, "from_date": from.to_string()});
        tx.audit(actor, "change_representative", "meeting_unit", unit, before.as_ref(), Some(&after)).await?;
        tx.commit().await
    }

    pub async fn meeting_create(&self, actor: &str, m: &NewMeeting) -> Result<i64> {
        if m.title.trim().is_empty() {
            return Err(StoreError::Invalid("会议名称不能为空".into()));
        }
        if m.items.iter().all(|i| i.trim().is_empty()) {
            return Err(StoreError::Invalid("至少需要一项议题".into()));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO meeting_meetings (title, proposed_by, proposed_on, meeting_date, place, stage, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(m.title.trim())
        .bind(&m.proposed_by)
        .bind(&m.proposed_on)
        .bind(&m.meeting_date)
        .bind(m.place.trim())
        .bind(Stage::Proposed.as_str())
        .bind(actor)
        .fetch_one(tx.conn())
        .await?;
        let id: i64 = row.try_get("id")?;
        for (i, t) in m.items.iter().filter(|t| !t.trim().is_empty()).enumerate() {
            sqlx::query("INSERT INTO meeting_items (meeting_id, position, title) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64 + 1)
                .bind(t.trim())
                .execute(tx.conn())
                .await?;
        }
        let after = serde_json::json!({"title": m.title, "proposed_by": m.proposed_by, "meeting_date": m.meeting_date, "items": m.items});
        tx.audit(actor, "propose", "meeting", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every meeting, latest first.
    pub async fn meetings(&self) -> Result<Vec<Meeting>> {
        let sql = format!("SELECT {MEETING_COLS} FROM meeting_meetings ORDER BY meeting_date DESC, id DESC");
        Ok(sqlx::query_as::<_, Meeting>(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await?)
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let sql = format!("SELECT {MEETING_COLS} FROM meeting_meetings WHERE id = $1");
        sqlx::query_as::<_, Meeting>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("会议 {id}")))
    }

    pub async fn meeting_detail(&self, id: i64) -> Result<MeetingDetail> {
        let p = self.pool();
        let meeting = self.meeting(id).await?;
        let mut items =
            sqlx::query_as::<_, Item>("SELECT id, position, title, result FROM meeting_items WHERE meeting_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(p)
                .await?;
        let votes = sqlx::query(
            "SELECT v.item_id, v.unit, v.vote FROM meeting_votes v JOIN meeting_items i ON i.id = v.item_id \
             JOIN meeting_units u ON u.name = v.unit WHERE i.meeting_id = $1 ORDER BY u.position",
        )
        .bind(id)
        .fetch_all(p)
        .await?;
        for r in &votes {
            let item: i64 = r.try_get("item_id")?;
            let v = CastVote::from_row(r)?;
            if let Some(it) = items.iter_mut().find(|i| i.id == item) {
                it.votes.push(v);
            }
        }
        let materials = documents::list(p, &MATERIALS, &[Key::Int(id)]).await?;
        let deliveries = sqlx::query_as::<_, Delivery>(
            "SELECT d.unit, d.sent_on, d.sent_by FROM meeting_deliveries d JOIN meeting_units u ON u.name = d.unit \
             WHERE d.meeting_id = $1 ORDER BY u.position",
        )
        .bind(id)
        .fetch_all(p)
        .await?;
        let attendance = sqlx::query_as::<_, AttendanceRecord>(
            "SELECT a.unit, a.status, a.attendee, a.opinion FROM meeting_attendance a JOIN meeting_units u ON u.name = a.unit \
             WHERE a.meeting_id = $1 ORDER BY u.position",
        )
        .bind(id)
        .fetch_all(p)
        .await?;
        Ok(MeetingDetail { meeting, items, materials, deliveries, attendance })
    }

    /// Take one step of the procedure, with what it writes, in one
    /// transaction — only if the meeting is still at `from` and unchanged
    /// since `version`. Returns the minutes' number when they were issued.
    pub async fn meeting_transition(&self, actor: &str, c: &StageChange<'_>) -> Result<Option<String>> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE meeting_meetings SET stage = $1, version = version + 1 WHERE id = $2 AND stage = $3 AND version = $4")
            .bind(c.to.as_str())
            .bind(c.id)
            .bind(c.from.as_str())
            .bind(c.version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            let now = current_stage(&mut tx, c.id).await?;
            return Err(StoreError::Conflict(if now == c.from {
                "会议记录已被他人更新，本次操作未生效，请刷新后重试".to_string()
            } else {
                format!("会议已处于“{}”阶段（可能已由他人办理），本次操作未生效", now.label())
            }));
        }
        let mut after = serde_json::json!({"stage": c.to.as_str()});
        let mut number = None;
        match c.effect {
            Effect::None => {}
            Effect::SendMaterials { sent_on } => {
                if documents::count(&mut tx, &MATERIALS, &[Key::Int(c.id)]).await? == 0 {
                    return Err(StoreError::Invalid("没有可送达的会议议题及有关资料".into()));
                }
                let units = unit_names(&mut tx).await?;
                for u in &units {
                    sqlx::query(
                        "INSERT INTO meeting_deliveries (meeting_id, unit, sent_on, sent_by) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (meeting_id, unit) DO UPDATE SET sent_on = excluded.sent_on, sent_by = excluded.sent_by",
                    )
                    .bind(c.id)
                    .bind(u)
                    .bind(sent_on)
                    .bind(actor)
                    .execute(tx.conn())
                    .await?;
                }
                sqlx::query("UPDATE meeting_meetings SET materials_sent_on = $1 WHERE id = $2")
                    .bind(sent_on)
                    .bind(c.id)
                    .execute(tx.conn())
                    .await?;
                after["sent_on"] = sent_on.into();
                after["units"] = units.len().into();
            }
            Effect::Results(results) => {
                for (item, result) in results {
                    sqlx::query("UPDATE meeting_items SET result = $1 WHERE id = $2 AND meeting_id = $3")
                        .bind(result)
                        .bind(item)
                        .bind(c.id)
                        .execute(tx.conn())
                        .await?;
                }
                after["results"] = json(&results).unwrap_or_default();
            }
            Effect::Summary(summary) => {
                sqlx::query("UPDATE meeting_meetings SET summary = $1 WHERE id = $2").bind(summary).bind(c.id).execute(tx.conn()).await?;
                after["summary"] = summary.into();
            }
            Effect::IssueMinutes { issued_on, number: name } => {
                let year = issued_on.get(..4).ok_or_else(|| StoreError::Invalid(format!("印发日期 {issued_on} 无效")))?;
                let n: i64 = sqlx::query(
                    "SELECT COUNT(*) AS n FROM meeting_meetings WHERE minutes_number IS NOT NULL AND minutes_issued_on LIKE $1",
                )
                .bind(format!("{year}%"))
                .fetch_one(tx.conn())
                .await?
                .try_get("n")?;
                let no = name(n + 1);
                sqlx::query("UPDATE meeting_meetings SET minutes_number = $1, minutes_issued_on = $2 WHERE id = $3")
                    .bind(&no)
                    .bind(issued_on)
                    .bind(c.id)
                    .execute(tx.conn())
                    .await
                    .map_err(|e| match StoreError::from(e) {
                        // Two meetings' minutes numbered at once (PostgreSQL): the unique index refuses the second.
                        StoreError::Conflict(_) => StoreError::Conflict(format!("纪要编号 {no} 刚被另一次会议使用，请重试")),
                        other => other,
                    })?;
                after["number"] = no.as_str().into();
                after["issued_on"] = issued_on.into();
                number = Some(no);
            }
        }
        tx.audit(actor, "stage", "meeting", &c.id.to_string(), Some(&serde_json::json!({"stage": c.from.as_str()})), Some(&after)).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Store a material (the agenda, a draft) for the meeting, in a stage of `open`.
    pub async fn meeting_add_material(&self, actor: &str, id: i64, open: &[Stage], filename: &str, data: &[u8]) -> Result<i64> {
        documents::check_size(filename, data.len())?;
        let mut tx = self.begin_write().await?;
        take(&mut tx, id, open, "上传材料").await?;
        let mid = documents::insert(&mut tx, &MATERIALS, &[Key::Int(id)], actor, filename, data).await?;
        tx.commit().await?;
        Ok(mid)
    }

    /// One material of the meeting, with its bytes.
    pub async fn meeting_material(&self, id: i64, mid: i64) -> Result<FileData> {
        documents::fetch(self.pool(), &MATERIALS, &[Key::Int(id)], mid).await
    }

    /// Replace the attendance record of a meeting, in a stage of `open`.
    pub async fn meeting_record_attendance(&self, actor: &str, id: i64, open: &[Stage], rows: &[AttendanceRecord]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        take(&mut tx, id, open, "登记出席情况").await?;
        let units = unit_names(&mut tx).await?;
        if let Some(a) = rows.iter().find(|a| !units.contains(&a.unit)) {
            return Err(StoreError::Invalid(format!("{} 不是联席会议成员单位", kernel::echo(&a.unit))));
        }
        let before =
            sqlx::query_as::<_, AttendanceRecord>("SELECT unit, status, attendee, opinion FROM meeting_attendance WHERE meeting_id = $1")
                .bind(id)
                .fetch_all(tx.conn())
                .await?;
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1").bind(id).execute(tx.conn()).await?;
        for a in rows {
            sqlx::query("INSERT INTO meeting_attendance (meeting_id, unit, status, attendee, opinion) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(&a.unit)
                .bind(a.status.as_str())
                .bind(a.attendee.trim())
                .bind(a.opinion.trim())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "attendance", "meeting", &id.to_string(), json(&before).as_ref(), json(&rows).as_ref()).await?;
        tx.commit().await
    }

    /// Replace the votes on one agenda item, in a stage of `open`.
    pub async fn meeting_record_votes(&self, actor: &str, id: i64, open: &[Stage], item_id: i64, votes: &[CastVote]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        take(&mut tx, id, open, "登记表决").await?;
        let units = unit_names(&mut tx).await?;
        if let Some(v) = votes.iter().find(|v| !units.contains(&v.unit)) {
            return Err(StoreError::Invalid(format!("{} 不是联席会议成员单位", kernel::echo(&v.unit))));
        }
        let ok = sqlx::query("SELECT id FROM meeting_items WHERE id = $1 AND meeting_id = $2")
            .bind(item_id)
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        if ok.is_none() {
            return Err(StoreError::NotFound(format!("议题 {item_id}")));
        }
        sqlx::query("DELETE FROM meeting_votes WHERE item_id = $1").bind(item_id).execute(tx.conn()).await?;
        for v in votes {
            sqlx::query("INSERT INTO meeting_votes (item_id, unit, vote) VALUES ($1, $2, $3)")
                .bind(item_id)
                .bind(&v.unit)
                .bind(v.vote.as_str())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "votes", "meeting_item", &item_id.to_string(), None, json(&votes).as_ref()).await?;
        tx.commit().await
    }
}

/// Demo data: the nine member units with their 2022 representatives, a past
/// meeting with minutes and an upcoming one are seeded through the use cases
/// (`app::meeting::demo`), which know the engine's member list.
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
