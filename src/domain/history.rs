//! Interval history (volume and handle time) and its import formats.
//! Any bad row rejects the whole import, with the line and column named.

use super::csv_table::{cell, CsvTable};
use super::grid::Grid;
use super::time::{parse_timestamp, TimestampStyle};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryRow {
    pub start: DateTime<Utc>,
    pub volume: f64,
    pub aht_seconds: Option<f64>,
}

/// Where an import went wrong. `line` is 1-based and counts the header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}, column {column}: {message}")]
    Cell {
        line: usize,
        column: String,
        message: String,
    },
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("{0}")]
    Body(String),
}

impl ImportError {
    pub(crate) fn cell(line: usize, column: &str, message: impl Into<String>) -> Self {
        ImportError::Cell {
            line,
            column: column.to_string(),
            message: message.into(),
        }
    }
}

/// How rows that are not on the grid are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffGrid {
    /// Refuse them (API imports: a misaligned row is a mistake).
    Reject,
    /// Sum them into the interval holding them (the offline CLI, which may
    /// be handed finer data such as 6-minute counts).
    Aggregate,
}

/// Parsed history plus how its timestamps were written.
#[derive(Debug, Clone)]
pub struct ParsedHistory {
    pub rows: Vec<HistoryRow>,
    pub style: TimestampStyle,
    pub has_aht: bool,
}

const COLUMNS: [&str; 3] = ["interval_start", "volume", "aht_seconds"];

/// Reads `interval_start,volume[,aht_seconds]` CSV with a header row.
pub fn parse_history_csv(
    bytes: &[u8],
    grid: &Grid,
    off_grid: OffGrid,
) -> Result<ParsedHistory, ImportError> {
    let mut table = CsvTable::open(bytes, &COLUMNS, "interval_start, volume[, aht_seconds]")?;
    let start_col = table.required("interval_start")?;
    let volume_col = table.required("volume")?;
    let aht_col = table.column("aht_seconds");

    let mut raw = Vec::new();
    let mut style = None;
    for row in table.rows() {
        let (line, record) = row?;
        let cell = |col: usize| cell(&record, col);
        let (start, row_style) = parse_timestamp(cell(start_col), grid.tz)
            .map_err(|e| ImportError::cell(line, "interval_start", e.to_string()))?;
        style.get_or_insert(row_style);
        let volume =
            parse_number(cell(volume_col)).map_err(|m| ImportError::cell(line, "volume", m))?;
        let aht = match aht_col.map(cell) {
            None | Some("") => None,
            Some(s) => {
                Some(parse_aht(s, volume).map_err(|m| ImportError::cell(line, "aht_seconds", m))?)
            }
        };
        raw.push((
            line,
            HistoryRow {
                start,
                volume,
                aht_seconds: aht,
            },
        ));
    }
    let rows = place_on_grid(raw, grid, off_grid)?;
    Ok(ParsedHistory {
        has_aht: rows.iter().any(|r| r.aht_seconds.is_some()),
        rows,
        style: style.unwrap_or(TimestampStyle::Offset),
    })
}

/// One interval of a JSON history import.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRow {
    /// RFC 3339 with an offset, or local time in the queue's zone.
    #[schema(example = "2026-01-05T08:00:00Z")]
    interval_start: String,
    volume: f64,
    #[serde(default)]
    aht_seconds: Option<f64>,
}

/// Reads a JSON array of `{"interval_start", "volume", "aht_seconds"?}`.
/// Errors name the row (1-based) as the line.
pub fn parse_history_json(bytes: &[u8], grid: &Grid) -> Result<ParsedHistory, ImportError> {
    let rows: Vec<JsonRow> = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::Body(format!(
            "body is not a JSON array of {{interval_start, volume, aht_seconds?}}: {e}"
        ))
    })?;
    let mut raw = Vec::with_capacity(rows.len());
    let mut style = None;
    for (i, r) in rows.into_iter().enumerate() {
        let line = i + 1;
        let (start, row_style) = parse_timestamp(&r.interval_start, grid.tz)
            .map_err(|e| ImportError::cell(line, "interval_start", e.to_string()))?;
        style.get_or_insert(row_style);
        check_volume(r.volume).map_err(|m| ImportError::cell(line, "volume", m))?;
        if let Some(aht) = r.aht_seconds {
            check_aht(aht, r.volume).map_err(|m| ImportError::cell(line, "aht_seconds", m))?;
        }
        raw.push((
            line,
            HistoryRow {
                start,
                volume: r.volume,
                aht_seconds: r.aht_seconds,
            },
        ));
    }
    let rows = place_on_grid(raw, grid, OffGrid::Reject)?;
    Ok(ParsedHistory {
        has_aht: rows.iter().any(|r| r.aht_seconds.is_some()),
        rows,
        style: style.unwrap_or(TimestampStyle::Offset),
    })
}

fn parse_number(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    check_volume(v)?;
    Ok(v)
}

fn check_volume(v: f64) -> Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{v} is not a volume (must be a finite number, 0 or more)"
        ))
    }
}

fn parse_aht(s: &str, volume: f64) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    check_aht(v, volume)?;
    Ok(v)
}

fn check_aht(v: f64, volume: f64) -> Result<(), String> {
    if !(v.is_finite() && v >= 0.0) {
        return Err(format!(
            "{v} is not a handle time (must be 0 or more seconds)"
        ));
    }
    if v == 0.0 && volume > 0.0 {
        return Err("handle time 0 with contacts handled".to_string());
    }
    Ok(())
}

/// Checks grid alignment and duplicates, or sums finer rows into intervals.
fn place_on_grid(
    raw: Vec<(usize, HistoryRow)>,
    grid: &Grid,
    off_grid: OffGrid,
) -> Result<Vec<HistoryRow>, ImportError> {
    let mut seen: HashMap<DateTime<Utc>, usize> = HashMap::with_capacity(raw.len());
    let mut rows: Vec<HistoryRow> = Vec::with_capacity(raw.len());
    for (line, row) in raw {
        let start = match off_grid {
            OffGrid::Reject if !grid.is_aligned(row.start) => {
                return Err(ImportError::cell(
                    line,
                    "interval_start",
                    format!(
                        "{} is not on the queue's {}-minute grid in {}",
                        row.start.with_timezone(&grid.tz).to_rfc3339(),
                        grid.minutes,
                        grid.tz
                    ),
                ))
            }
            OffGrid::Reject => row.start,
            OffGrid::Aggregate => grid.floor(row.start),
        };
        match (seen.get(&start), off_grid) {
            (Some(first), OffGrid::Reject) => {
                return Err(ImportError::cell(
                    line,
                    "interval_start",
                    format!("same interval as line {first}"),
                ))
            }
            (Some(&idx), OffGrid::Aggregate) => merge(&mut rows[idx], &row),
            (None, _) => {
                seen.insert(
                    start,
                    if off_grid == OffGrid::Reject {
                        line
                    } else {
                        rows.len()
                    },
                );
                rows.push(HistoryRow { start, ..row });
            }
        }
    }
    rows.sort_by_key(|r| r.start);
    Ok(rows)
}

/// Adds `b` into `a`: volumes sum, handle times average weighted by volume.
fn merge(a: &mut HistoryRow, b: &HistoryRow) {
    let volume = a.volume + b.volume;
    a.aht_seconds = match (a.aht_seconds, b.aht_seconds) {
        (Some(x), Some(y)) if volume > 0.0 => Some((x * a.volume + y * b.volume) / volume),
        (x, y) => x.or(y),
    };
    a.volume = volume;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::paris_grid;

    #[test]
    fn reads_csv_with_and_without_aht() {
        let csv = "interval_start,volume,aht_seconds\n2026-01-05T08:00:00+01:00,10,180\n2026-01-05 08:15,12,\n";
        let parsed = parse_history_csv(csv.as_bytes(), &paris_grid(15), OffGrid::Reject).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].aht_seconds, Some(180.0));
        assert_eq!(parsed.rows[1].aht_seconds, None);
        assert!(parsed.has_aht);
        let plain = parse_history_csv(
            b"interval_start,volume\n2026-01-05T07:00:00Z,3\n",
            &paris_grid(15),
            OffGrid::Reject,
        )
        .unwrap();
        assert!(!plain.has_aht);
    }

    #[test]
    fn errors_name_line_and_column() {
        let csv = "interval_start,volume\n2026-01-05T07:00:00Z,3\n2026-01-05T07:15:00Z,abc\n";
        let err = parse_history_csv(csv.as_bytes(), &paris_grid(15), OffGrid::Reject).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3, column volume: 'abc' is not a number"
        );
        let off = "interval_start,volume\n2026-01-05T07:07:00Z,3\n";
        let err = parse_history_csv(off.as_bytes(), &paris_grid(15), OffGrid::Reject).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2, column interval_start:"),
            "{err}"
        );
        assert!(err.to_string().contains("15-minute grid"), "{err}");
        let dup = "interval_start,volume\n2026-01-05T07:00:00Z,3\n2026-01-05 08:00,4\n";
        let err = parse_history_csv(dup.as_bytes(), &paris_grid(15), OffGrid::Reject).unwrap_err();
        assert!(err.to_string().contains("same interval as line 2"), "{err}");
        let neg = "interval_start,volume\n2026-01-05T07:00:00Z,-1\n";
        assert!(parse_history_csv(neg.as_bytes(), &paris_grid(15), OffGrid::Reject).is_err());
        let extra = "interval_start,calls\n";
        assert!(parse_history_csv(extra.as_bytes(), &paris_grid(15), OffGrid::Reject).is_err());
    }

    #[test]
    fn aggregates_finer_rows_when_asked() {
        let csv = "interval_start,volume,aht_seconds\n2026-01-05 08:00,2,100\n2026-01-05 08:06,6,200\n2026-01-05 08:12,0,\n";
        let parsed =
            parse_history_csv(csv.as_bytes(), &paris_grid(15), OffGrid::Aggregate).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].volume, 8.0);
        assert_eq!(parsed.rows[0].aht_seconds, Some(175.0));
    }

    #[test]
    fn reads_json() {
        let json = r#"[{"interval_start":"2026-01-05T07:00:00Z","volume":4,"aht_seconds":200}]"#;
        let parsed = parse_history_json(json.as_bytes(), &paris_grid(15)).unwrap();
        assert_eq!(parsed.rows[0].volume, 4.0);
        let bad = r#"[{"interval_start":"2026-01-05T07:00:00Z","volume":"x"}]"#;
        assert!(parse_history_json(bad.as_bytes(), &paris_grid(15)).is_err());
    }
}
