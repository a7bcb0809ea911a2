//! A queue's calendar of special days: holidays, closures, campaigns and
//! outlier days, read from `date,kind,name[,effect_percent]` CSV.
//!
//! * `Closed`: the queue is closed all day; forecast 0 (band 0–0).
//! * `Holiday` / `Campaign`: the normal forecast times an effect, either set
//!   by the planner (`effect_percent`, e.g. `+30` or `-60`) or learned from
//!   earlier special days in the history (see [`crate::forecast::calendar_effects`]).
//! * `Outlier`: history on that date is left out of fitting and scoring; the
//!   forecast for it is the normal one.
//!
//! Every special day's history is left out when fitting the normal-day
//! models, so a holiday does not pull down the following weeks' forecasts.

use chrono::NaiveDate;
use std::collections::HashMap;

/// What kind of day it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialDayKind {
    Holiday,
    Closed,
    Campaign,
    /// Excluded from fitting and scoring (e.g. an outage or imputed data).
    Outlier,
}

impl std::str::FromStr for SpecialDayKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "holiday" => Ok(Self::Holiday),
            "closed" => Ok(Self::Closed),
            "campaign" => Ok(Self::Campaign),
            "outlier" | "exclude" => Ok(Self::Outlier),
            other => Err(format!(
                "'{other}' is not a kind (holiday, closed, campaign, outlier)"
            )),
        }
    }
}

/// One special day. `effect` is a multiplier of the normal forecast set by
/// the planner (1.3 = +30%); `None` means "learn it from history".
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: SpecialDayKind,
    pub name: String,
    #[serde(default)]
    pub effect: Option<f64>,
}

impl SpecialDay {
    /// The family used to learn effects when no earlier day has the same
    /// name: the first word of the name, lower-cased ("Erev Pesach" and
    /// "Erev Yom Kippur" share the family "erev").
    pub fn family(&self) -> String {
        self.name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase()
    }
}

/// A bad special-days file: `line` is 1-based and counts the header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SpecialDayError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

fn err(line: usize, column: &str, message: impl Into<String>) -> SpecialDayError {
    SpecialDayError {
        line,
        column: column.to_string(),
        message: message.into(),
    }
}

/// Reads `date,kind,name[,effect_percent]` CSV with a header row. Lines
/// starting with `#` are comments. `effect_percent` is a signed change in
/// percent (`+30` → ×1.3, `-100` → ×0); empty means "learn it". A date may
/// appear only once.
pub fn parse_special_days(bytes: &[u8]) -> Result<Vec<SpecialDay>, SpecialDayError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| err(1, "", format!("unreadable header: {e}")))?
        .clone();
    let expected = ["date", "kind", "name", "effect_percent"];
    for (i, h) in headers.iter().enumerate() {
        if i >= expected.len() || expected[i] != h {
            return Err(err(
                1,
                h,
                "expected the header date,kind,name[,effect_percent]",
            ));
        }
    }
    if headers.len() < 3 {
        return Err(err(
            1,
            "",
            "expected the header date,kind,name[,effect_percent]",
        ));
    }
    let mut out: Vec<SpecialDay> = Vec::new();
    let mut seen: HashMap<NaiveDate, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            err(line, "", e.to_string())
        })?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.len() < 3 || record.len() > headers.len() {
            return Err(err(
                line,
                "",
                format!("expected 3 or 4 fields, got {}", record.len()),
            ));
        }
        let date = NaiveDate::parse_from_str(&record[0], "%Y-%m-%d").map_err(|_| {
            err(
                line,
                "date",
                format!("'{}' is not a YYYY-MM-DD date", &record[0]),
            )
        })?;
        let kind: SpecialDayKind = record[1].parse().map_err(|m| err(line, "kind", m))?;
        let name = record[2].to_string();
        if name.is_empty() {
            return Err(err(line, "name", "empty name"));
        }
        let effect = match record.get(3) {
            None | Some("") => None,
            Some(s) => {
                let p: f64 = s
                    .trim_start_matches('+')
                    .trim_end_matches('%')
                    .parse()
                    .map_err(|_| err(line, "effect_percent", format!("'{s}' is not a number")))?;
                if !p.is_finite() || p < -100.0 {
                    return Err(err(
                        line,
                        "effect_percent",
                        format!("{p} must be a finite change of -100% or more"),
                    ));
                }
                Some(1.0 + p / 100.0)
            }
        };
        if effect.is_some() && matches!(kind, SpecialDayKind::Closed | SpecialDayKind::Outlier) {
            return Err(err(
                line,
                "effect_percent",
                "closed and outlier days take no effect",
            ));
        }
        if let Some(first) = seen.insert(date, line) {
            return Err(err(
                line,
                "date",
                format!("{date} is already on line {first}"),
            ));
        }
        out.push(SpecialDay {
            date,
            kind,
            name,
            effect,
        });
    }
    out.sort_by_key(|d| d.date);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kinds_effects_and_comments() {
        let csv = "date,kind,name,effect_percent\n# a comment\n2026-12-25,closed,Christmas\n2026-11-27,campaign,Black Friday,+30\n2026-05-01,holiday,Labour day,-60\n2026-03-02,outlier,Outage,\n";
        let days = parse_special_days(csv.as_bytes()).unwrap();
        assert_eq!(days.len(), 4);
        assert_eq!(days[0].kind, SpecialDayKind::Outlier);
        assert_eq!(days[0].effect, None);
        let bf = days.iter().find(|d| d.name == "Black Friday").unwrap();
        assert!((bf.effect.unwrap() - 1.3).abs() < 1e-12);
        let labour = days
            .iter()
            .find(|d| d.kind == SpecialDayKind::Holiday)
            .unwrap();
        assert!((labour.effect.unwrap() - 0.4).abs() < 1e-12);
        // Three columns are enough.
        let days = parse_special_days(b"date,kind,name\n2026-01-01,holiday,New Year\n").unwrap();
        assert_eq!(days[0].family(), "new");
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse_special_days(b"date,kind,name\n2026-01-01,holiday,A\n2026-13-01,holiday,B\n")
            .unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "date"));
        let e = parse_special_days(b"date,kind,name\n2026-01-01,party,A\n").unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "kind"));
        let e = parse_special_days(b"date,kind,name,effect_percent\n2026-01-01,holiday,A,lots\n")
            .unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "effect_percent"));
        let e = parse_special_days(b"date,kind,name,effect_percent\n2026-01-01,closed,A,10\n")
            .unwrap_err();
        assert_eq!(e.column, "effect_percent");
        let e = parse_special_days(b"date,kind,name\n2026-01-01,holiday,A\n2026-01-01,closed,B\n")
            .unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "date"));
        let e = parse_special_days(b"day,kind,name\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn the_bundled_israel_1999_calendar_parses() {
        let days = crate::test_support::israel_1999_special_days();
        let yk = days
            .iter()
            .find(|d| d.date == NaiveDate::from_ymd_opt(1999, 9, 20).unwrap())
            .unwrap();
        assert_eq!(yk.kind, SpecialDayKind::Holiday);
        assert!(days.iter().any(|d| d.kind == SpecialDayKind::Outlier));
    }
}
