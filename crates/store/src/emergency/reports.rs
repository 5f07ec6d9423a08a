//! Information reports and follow-ups (信息报告、续报, 4.4(2)); counts are for
//! the period each report covers, totals are summed over them.

use emergency::{IncidentStep, ReportContent, ReportKind};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{code, invalid, json, raced};
use crate::{Result, Store, WriteTx};

/// One information report or follow-up (4.4(2)): who sent it and when, and
/// its content, one column per field of the engine's [`ReportContent`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub kind: ReportKind,
    pub reporter: String,
    pub reporter_unit: String,
    pub reported_at: String,
    pub content: ReportContent,
    /// Fields the engine found absent, by their labels, joined with 、
    pub missing_fields: String,
}

impl Report {
    /// A report of `kind` by `reporter` of `unit` with `content`.
    pub fn new(kind: ReportKind, reporter: &str, unit: &str, content: ReportContent) -> Report {
        Report {
            id: 0,
            kind,
            reporter: reporter.into(),
            reporter_unit: unit.into(),
            reported_at: String::new(),
            content,
            missing_fields: String::new(),
        }
    }
}

/// The content's columns are its fields: a value read by column name is
/// kept as a number or a text, as the column holds it, and the engine's type
/// takes it from there (an unknown value is an error naming the column).
impl sqlx::FromRow<'_, AnyRow> for Report {
    fn from_row(r: &AnyRow) -> sqlx::Result<Report> {
        let mut m = serde_json::Map::new();
        for name in ReportContent::field_names() {
            let v = match r.try_get::<Option<i64>, _>(name.as_str()) {
                Ok(n) => n.map(serde_json::Value::from),
                Err(_) => r.try_get::<Option<String>, _>(name.as_str())?.map(serde_json::Value::from),
            };
            m.insert(name, v.unwrap_or(serde_json::Value::Null));
        }
        let content: ReportContent =
            serde_json::from_value(serde_json::Value::Object(m)).map_err(|e| sqlx::Error::Decode(format!("报告内容：{e}").into()))?;
        Ok(Report {
            id: r.try_get("id")?,
            kind: code(r, "kind").map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            reporter: r.try_get("reporter")?,
            reporter_unit: r.try_get("reporter_unit")?,
            reported_at: r.try_get("reported_at")?,
            content,
            missing_fields: r.try_get("missing_fields")?,
        })
    }
}

/// Casualty and damage figures summed over all reports so far.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub houses_collapsed: i64,
    pub houses_damaged: i64,
}

impl Totals {
    pub fn add(&mut self, r: &Report) {
        let c = &r.content;
        let add = |t: &mut i64, v: Option<u32>| *t = t.saturating_add(i64::from(v.unwrap_or(0)));
        add(&mut self.deaths, c.deaths);
        add(&mut self.injured, c.injured);
        add(&mut self.missing, c.missing);
        add(&mut self.houses_collapsed, c.houses_collapsed);
        add(&mut self.houses_damaged, c.houses_damaged);
    }
}

/// Insert a report: the fixed columns, then one per content field (absent
/// ones as a bare NULL, which either backend types by its column).
pub(super) async fn insert_report(tx: &mut WriteTx, incident: i64, r: &Report) -> Result<i64> {
    let serde_json::Value::Object(content) = serde_json::to_value(&r.content).map_err(|e| invalid(e.to_string()))? else {
        return Err(invalid("报告内容无效"));
    };
    let mut cols = ["incident_id", "kind", "reporter", "reporter_unit", "reported_at", "missing_fields"].join(", ");
    let mut vals: Vec<String> = (1..=6).map(|i| format!("${i}")).collect();
    let mut binds: Vec<&serde_json::Value> = Vec::new();
    for (name, v) in &content {
        // Names come from the engine's type, never from input.
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(invalid(format!("报告字段名 {name} 无效")));
        }
        cols.push_str(", ");
        cols.push_str(name);
        if v.is_null() {
            vals.push("NULL".into());
        } else {
            binds.push(v);
            vals.push(format!("${}", 6 + binds.len()));
        }
    }
    let sql = format!("INSERT INTO emergency_reports ({cols}) VALUES ({}) RETURNING id", vals.join(", "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(incident)
        .bind(r.kind.as_str())
        .bind(&r.reporter)
        .bind(&r.reporter_unit)
        .bind(crate::now_text())
        .bind(&r.missing_fields);
    for v in binds {
        q = match v {
            serde_json::Value::Number(n) => q.bind(n.as_i64().ok_or_else(|| invalid(format!("数值 {n} 超出范围")))?),
            serde_json::Value::String(s) => q.bind(s.clone()),
            other => q.bind(other.to_string()),
        };
    }
    Ok(q.fetch_one(tx.conn()).await?.try_get("id")?)
}

impl Store {
    /// A follow-up report (续报) on an incident still active when it is written.
    pub async fn emergency_add_report(&self, actor: &str, id: i64, r: &Report) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let status = sqlx::query("SELECT status FROM emergency_incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("事件 {id}")))?;
        if IncidentStep::FollowUp.apply(code(&status, "status")?, None).is_err() {
            return Err(raced("续报"));
        }
        let rid = insert_report(&mut tx, id, r).await?;
        super::incidents::touch(&mut tx, id).await?;
        tx.audit(actor, "follow_up", "emergency_incident", &id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await?;
        Ok(rid)
    }
}
