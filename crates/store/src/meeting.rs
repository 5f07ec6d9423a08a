//! Housing provident fund joint meeting (住房公积金联席会议, 山政办字〔2022〕19号):
//! member units and their representatives over time, meetings with agenda
//! items, materials and their delivery to every unit, attendance with
//! proxies' written opinions, votes, results and minutes. Every change is audited.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unit {
    pub name: String,
    pub position: i64,
    pub note: String,
}

/// Who represented a unit, and when (representatives follow the post).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
    pub stage: String,
    pub materials_sent_on: Option<String>,
    pub summary: String,
    pub minutes_number: Option<String>,
    pub minutes_issued_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub result: String,
    /// (unit, vote)
    pub votes: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Material {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attendance {
    pub unit: String,
    /// present | proxy | absent
    pub status: String,
    pub attendee: String,
    /// The unit head's written opinion, carried by a proxy (受委托人).
    pub opinion: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub items: Vec<Item>,
    pub materials: Vec<Material>,
    /// (unit, sent_on, sent_by)
    pub deliveries: Vec<(String, String, String)>,
    pub attendance: Vec<Attendance>,
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

const MEETING_COLS: &str =
    "id, title, proposed_by, proposed_on, meeting_date, place, stage, materials_sent_on, summary, minutes_number, minutes_issued_on";

fn meeting_row(r: &sqlx::any::AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        proposed_by: r.try_get(2)?,
        proposed_on: r.try_get(3)?,
        meeting_date: r.try_get(4)?,
        place: r.try_get(5)?,
        stage: r.try_get(6)?,
        materials_sent_on: r.try_get(7)?,
        summary: r.try_get(8)?,
        minutes_number: r.try_get(9)?,
        minutes_issued_on: r.try_get(10)?,
    })
}

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

impl Store {
    /// Seed the member units and their representatives once.
    pub async fn meeting_seed_units(&self, units: &[(String, String)], reps: &[Representative]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_units").fetch_one(tx.conn()).await?.try_get(0)?;
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
        let rows = sqlx::query("SELECT name, position, note FROM meeting_units ORDER BY position").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(Unit { name: r.try_get(0)?, position: r.try_get(1)?, note: r.try_get(2)? })).collect()
    }

    /// Every representative ever, by unit then date.
    pub async fn meeting_representatives(&self) -> Result<Vec<Representative>> {
        let rows = sqlx::query(
            "SELECT r.id, r.unit, r.person, r.post, r.role, r.from_date, r.to_date FROM meeting_representatives r \
             JOIN meeting_units u ON u.name = r.unit ORDER BY u.position, r.from_date, r.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Representative {
                    id: r.try_get(0)?,
                    unit: r.try_get(1)?,
                    person: r.try_get(2)?,
                    post: r.try_get(3)?,
                    role: r.try_get(4)?,
                    from_date: r.try_get(5)?,
                    to_date: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// A unit names a successor: the current representative's term ends the day before.
    pub async fn meeting_change_representative(&self, actor: &str, unit: &str, person: &str, post: &str, from: kernel::Date) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let cur = sqlx::query(
            "SELECT id, person, role, from_date FROM meeting_representatives WHERE unit = $1 AND to_date IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(unit)
        .fetch_optional(tx.conn())
        .await?;
        let role = match &cur {
            Some(r) => {
                let since: String = r.try_get(3)?;
                if since.as_str() >= from.to_string().as_str() {
                    return Err(StoreError::Invalid(format!("新代表的任职日期须晚于现任代表的任职日期 {since}")));
                }
                r.try_get::<String, _>(2)?
            }
            None => "成员".to_string(),
        };
        let before = match &cur {
            Some(r) => {
                let id: i64 = r.try_get(0)?;
                let end = from.yesterday().map_err(|e| StoreError::Invalid(e.to_string()))?.to_string();
                sqlx::query("UPDATE meeting_representatives SET to_date = $1 WHERE id = $2").bind(&end).bind(id).execute(tx.conn()).await?;
                Some(serde_json::json!({"person": r.try_get::<String, _>(1)?, "to_date": end}))
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
            "INSERT INTO meeting_meetings (title, proposed_by, proposed_on, meeting_date, place, stage, created_by) VALUES ($1, $2, $3, $4, $5, 'proposed', $6) RETURNING id",
        )
        .bind(m.title.trim())
        .bind(&m.proposed_by)
        .bind(&m.proposed_on)
        .bind(&m.meeting_date)
        .bind(m.place.trim())
        .bind(actor)
        .fetch_one(tx.conn())
        .await?;
        let id: i64 = row.try_get(0)?;
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

    pub async fn meetings(&self) -> Result<Vec<Meeting>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MEETING_COLS} FROM meeting_meetings ORDER BY meeting_date DESC, id DESC")))
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(meeting_row).collect()
    }

    /// The date of the last meeting actually held (opened), if any.
    pub async fn meeting_last_held(&self) -> Result<Option<String>> {
        let r = sqlx::query("SELECT MAX(meeting_date) FROM meeting_meetings WHERE stage NOT IN ('proposed', 'called', 'materials_sent')")
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get(0)?)
    }

    pub async fn meeting_detail(&self, id: i64) -> Result<MeetingDetail> {
        let p = self.pool();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MEETING_COLS} FROM meeting_meetings WHERE id = $1")))
            .bind(id)
            .fetch_optional(p)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("会议 {id}")))?;
        let meeting = meeting_row(&row)?;
        let mut items = Vec::new();
        for r in sqlx::query("SELECT id, position, title, result FROM meeting_items WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(p)
            .await?
        {
            let item_id: i64 = r.try_get(0)?;
            let votes = sqlx::query("SELECT v.unit, v.vote FROM meeting_votes v JOIN meeting_units u ON u.name = v.unit WHERE v.item_id = $1 ORDER BY u.position")
                .bind(item_id)
                .fetch_all(p)
                .await?
                .iter()
                .map(|v| Ok((v.try_get(0)?, v.try_get(1)?)))
                .collect::<Result<Vec<_>>>()?;
            items.push(Item { id: item_id, position: r.try_get(1)?, title: r.try_get(2)?, result: r.try_get(3)?, votes });
        }
        let materials = sqlx::query(
            "SELECT id, filename, content_type, size, uploaded_by, uploaded_at FROM meeting_materials WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            Ok(Material {
                id: r.try_get(0)?,
                filename: r.try_get(1)?,
                content_type: r.try_get(2)?,
                size: r.try_get(3)?,
                uploaded_by: r.try_get(4)?,
                uploaded_at: r.try_get(5)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let deliveries = sqlx::query("SELECT d.unit, d.sent_on, d.sent_by FROM meeting_deliveries d JOIN meeting_units u ON u.name = d.unit WHERE d.meeting_id = $1 ORDER BY u.position")
            .bind(id)
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>>>()?;
        let attendance = sqlx::query(
            "SELECT a.unit, a.status, a.attendee, a.opinion FROM meeting_attendance a JOIN meeting_units u ON u.name = a.unit WHERE a.meeting_id = $1 ORDER BY u.position",
        )
        .bind(id)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| Ok(Attendance { unit: r.try_get(0)?, status: r.try_get(1)?, attendee: r.try_get(2)?, opinion: r.try_get(3)? }))
        .collect::<Result<Vec<_>>>()?;
        Ok(MeetingDetail { meeting, items, materials, deliveries, attendance })
    }

    /// Move a meeting from `from` to `to` (the caller checked the transition is allowed).
    pub async fn meeting_set_stage(&self, actor: &str, id: i64, from: &str, to: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("UPDATE meeting_meetings SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(tx.conn())
            .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!("会议当前不处于“{from}”阶段")));
        }
        tx.audit(
            actor,
            "stage",
            "meeting",
            &id.to_string(),
            Some(&serde_json::json!({"stage": from})),
            Some(&serde_json::json!({"stage": to})),
        )
        .await?;
        tx.commit().await
    }

    pub async fn meeting_add_material(&self, actor: &str, id: i64, filename: &str, content_type: &str, data: &[u8]) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO meeting_materials (meeting_id, filename, content_type, size, data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(filename)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(actor)
        .bind(crate::now_text())
        .fetch_one(tx.conn())
        .await?;
        let mid: i64 = row.try_get(0)?;
        tx.audit(
            actor,
            "upload",
            "meeting_material",
            &mid.to_string(),
            None,
            Some(&serde_json::json!({"meeting": id, "filename": filename, "size": data.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(mid)
    }

    pub async fn meeting_material(&self, id: i64, mid: i64) -> Result<(String, String, Vec<u8>)> {
        let r = sqlx::query("SELECT filename, content_type, data FROM meeting_materials WHERE meeting_id = $1 AND id = $2")
            .bind(id)
            .bind(mid)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("材料 {mid}")))?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }

    /// Record the agenda and materials as sent to every member unit on `sent_on`.
    pub async fn meeting_send_materials(&self, actor: &str, id: i64, sent_on: &str) -> Result<()> {
        let units = self.meeting_units().await?;
        let mut tx = self.begin_write().await?;
        for u in &units {
            sqlx::query(
                "INSERT INTO meeting_deliveries (meeting_id, unit, sent_on, sent_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (meeting_id, unit) DO UPDATE SET sent_on = excluded.sent_on, sent_by = excluded.sent_by",
            )
            .bind(id)
            .bind(&u.name)
            .bind(sent_on)
            .bind(actor)
            .execute(tx.conn())
            .await?;
        }
        let r = sqlx::query("UPDATE meeting_meetings SET materials_sent_on = $1, stage = 'materials_sent' WHERE id = $2 AND stage IN ('called', 'materials_sent')")
            .bind(sent_on)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::Invalid("只有召集人确定召开后才能发送会议材料".into()));
        }
        tx.audit(
            actor,
            "send_materials",
            "meeting",
            &id.to_string(),
            None,
            Some(&serde_json::json!({"sent_on": sent_on, "units": units.len()})),
        )
        .await?;
        tx.commit().await
    }

    /// Replace the attendance record of a meeting.
    pub async fn meeting_record_attendance(&self, actor: &str, id: i64, rows: &[Attendance]) -> Result<()> {
        let units: Vec<String> = self.meeting_units().await?.into_iter().map(|u| u.name).collect();
        for a in rows {
            if !units.contains(&a.unit) {
                return Err(StoreError::Invalid(format!("{} 不是联席会议成员单位", a.unit)));
            }
            if !matches!(a.status.as_str(), "present" | "proxy" | "absent") {
                return Err(StoreError::Invalid(format!("{} 的出席情况 {} 无效", a.unit, a.status)));
            }
            if a.status == "proxy" && a.opinion.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{} 委托他人出席，须附单位主要负责人的书面意见", a.unit)));
            }
        }
        let before = self.meeting_detail(id).await?.attendance;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1").bind(id).execute(tx.conn()).await?;
        for a in rows {
            sqlx::query("INSERT INTO meeting_attendance (meeting_id, unit, status, attendee, opinion) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(&a.unit)
                .bind(&a.status)
                .bind(a.attendee.trim())
                .bind(a.opinion.trim())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "attendance", "meeting", &id.to_string(), json(&before).as_ref(), json(&rows).as_ref()).await?;
        tx.commit().await
    }

    /// Replace the votes on one agenda item.
    pub async fn meeting_record_votes(&self, actor: &str, id: i64, item_id: i64, votes: &[(String, String)]) -> Result<()> {
        let units: Vec<String> = self.meeting_units().await?.into_iter().map(|u| u.name).collect();
        for (u, v) in votes {
            if !units.contains(u) {
                return Err(StoreError::Invalid(format!("{u} 不是联席会议成员单位")));
            }
            if !matches!(v.as_str(), "for" | "against" | "abstain") {
                return Err(StoreError::Invalid(format!("{u} 的表决 {v} 无效")));
            }
        }
        let mut tx = self.begin_write().await?;
        let ok = sqlx::query("SELECT id FROM meeting_items WHERE id = $1 AND meeting_id = $2")
            .bind(item_id)
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        if ok.is_none() {
            return Err(StoreError::NotFound(format!("议题 {item_id}")));
        }
        sqlx::query("DELETE FROM meeting_votes WHERE item_id = $1").bind(item_id).execute(tx.conn()).await?;
        for (u, v) in votes {
            sqlx::query("INSERT INTO meeting_votes (item_id, unit, vote) VALUES ($1, $2, $3)")
                .bind(item_id)
                .bind(u)
                .bind(v)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "votes", "meeting_item", &item_id.to_string(), None, json(&votes).as_ref()).await?;
        tx.commit().await
    }

    /// Store the announced result of each item (宣布表决结果).
    pub async fn meeting_set_results(&self, actor: &str, id: i64, results: &[(i64, String)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (item, result) in results {
            sqlx::query("UPDATE meeting_items SET result = $1 WHERE id = $2 AND meeting_id = $3")
                .bind(result)
                .bind(item)
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "results", "meeting", &id.to_string(), None, json(&results).as_ref()).await?;
        tx.commit().await
    }

    pub async fn meeting_set_summary(&self, actor: &str, id: i64, summary: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE meeting_meetings SET summary = $1 WHERE id = $2").bind(summary).bind(id).execute(tx.conn()).await?;
        tx.audit(actor, "summary", "meeting", &id.to_string(), None, Some(&serde_json::json!({"summary": summary}))).await?;
        tx.commit().await
    }

    /// Issue the minutes: number them within the year and close the meeting.
    pub async fn meeting_issue_minutes(&self, actor: &str, id: i64, issued_on: &str) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let year = &issued_on[..4.min(issued_on.len())];
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_meetings WHERE minutes_number IS NOT NULL AND minutes_issued_on LIKE $1")
            .bind(format!("{year}%"))
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
        let number = format!("山亭区住房公积金联席会议纪要〔{year}〕{}号", n + 1);
        let r = sqlx::query("UPDATE meeting_meetings SET minutes_number = $1, minutes_issued_on = $2, stage = 'minutes_issued' WHERE id = $3 AND stage = 'summarised'")
            .bind(&number)
            .bind(issued_on)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::Invalid("召集人总结后才能印发会议纪要".into()));
        }
        tx.audit(
            actor,
            "issue_minutes",
            "meeting",
            &id.to_string(),
            None,
            Some(&serde_json::json!({"number": number, "issued_on": issued_on})),
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }
}

/// Demo data: the nine member units with their 2022 representatives (seeded by
/// the web layer, which knows the engine's member list), then a past meeting
/// with minutes and an upcoming one with materials sent (see `web::modules::meeting`).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
