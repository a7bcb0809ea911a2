//! A queue's calendar of special days (holidays, closures, campaigns,
//! outliers), which the forecast applies.

use super::error::Refusal;
use super::history::{queue, HistoryFormat};
use super::AppError;
use crate::db::special_days::StoredSpecialDay;
use crate::db::Database;
use crate::domain::{ImportError, QueueId};
use crate::forecast::{parse_special_days, SpecialDay, SpecialDayKind};
use chrono::NaiveDate;
use serde::Deserialize;

/// One special day of a JSON calendar import.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonDay {
    date: NaiveDate,
    kind: String,
    name: String,
    #[serde(default)]
    effect_percent: Option<f64>,
}

/// Adds or replaces days by date, all or none. CSV is
/// `date,kind,name[,effect_percent]`; JSON an array of the same fields.
pub fn import_special_days(
    db: &Database,
    id: QueueId,
    body: &[u8],
    format: HistoryFormat,
) -> Result<usize, AppError> {
    queue(db, id)?;
    let days = match format {
        HistoryFormat::Csv => parse_special_days(body).map_err(|e| {
            AppError::Import(ImportError::Cell {
                line: e.line,
                column: e.column,
                message: e.message,
            })
        })?,
        HistoryFormat::Json => parse_json_days(body)?,
    };
    if days.is_empty() {
        return Err(Refusal::Empty {
            message: "no special days given",
        }
        .into());
    }
    let stored: Vec<StoredSpecialDay> = days
        .iter()
        .map(|d| StoredSpecialDay {
            day: d.date,
            kind: kind_name(d.kind).into(),
            name: d.name.clone(),
            effect_percent: d.effect.map(|e| (e - 1.0) * 100.0),
        })
        .collect();
    Ok(db.upsert_special_days(id, &stored)?)
}

/// JSON days are checked by the CSV reader's rules, so both formats agree.
fn parse_json_days(body: &[u8]) -> Result<Vec<SpecialDay>, AppError> {
    let days: Vec<JsonDay> = serde_json::from_slice(body).map_err(|e| {
        AppError::Import(ImportError::Body(format!(
            "body is not a JSON array of {{date, kind, name, effect_percent?}}: {e}"
        )))
    })?;
    let mut csv = String::from("date,kind,name,effect_percent\n");
    for d in &days {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let effect = d.effect_percent.map(|p| p.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{}\n",
            d.date,
            quote(&d.kind),
            quote(&d.name),
            effect
        ));
    }
    parse_special_days(csv.as_bytes()).map_err(|e| {
        AppError::Import(ImportError::Cell {
            line: e.line - 1,
            column: e.column,
            message: e.message,
        })
    })
}

fn kind_name(kind: SpecialDayKind) -> &'static str {
    match kind {
        SpecialDayKind::Holiday => "holiday",
        SpecialDayKind::Closed => "closed",
        SpecialDayKind::Campaign => "campaign",
        SpecialDayKind::Outlier => "outlier",
    }
}

pub fn special_days(db: &Database, id: QueueId) -> Result<Vec<StoredSpecialDay>, AppError> {
    queue(db, id)?;
    Ok(db.special_days(id)?)
}

pub fn delete_special_day(db: &Database, id: QueueId, date: NaiveDate) -> Result<(), AppError> {
    queue(db, id)?;
    if db.delete_special_day(id, date)? {
        Ok(())
    } else {
        Err(AppError::not_found("special day", date))
    }
}
