//! Per-call records of a past window (what really happened to each call)
//! and their CSV import. Any bad row rejects the whole import, with the
//! line, the column and the value named.
//!
//! CSV header `arrival,outcome,wait_seconds,talk_seconds` (any order):
//! - `arrival`: when the call reached the agents' queue; RFC 3339 with an
//!   offset, or local time in the queue's zone (as the history import).
//! - `outcome`: `answered` or `abandoned`.
//! - `wait_seconds`: time in the queue (until answered, or until the caller
//!   hung up), 0 or more.
//! - `talk_seconds`: an answered call's talk time (0 or more, required); an
//!   abandoned call has none (empty).

use super::csv_table::{self, CsvTable};
use super::history::ImportError;
use super::time::parse_timestamp;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What became of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Answered,
    Abandoned,
}

impl CallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Answered => "answered",
            CallOutcome::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "answered" => Some(CallOutcome::Answered),
            "abandoned" => Some(CallOutcome::Abandoned),
            _ => None,
        }
    }
}

/// One real call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallRecord {
    pub arrival: DateTime<Utc>,
    pub outcome: CallOutcome,
    pub wait_seconds: f64,
    /// Talk time; `None` exactly when the call was abandoned.
    pub talk_seconds: Option<f64>,
}

const COLUMNS: [&str; 4] = ["arrival", "outcome", "wait_seconds", "talk_seconds"];

/// Reads the per-call CSV described in the module documentation; local
/// arrival times are read in `tz`. Rows come back in file order.
pub fn parse_calls_csv(bytes: &[u8], tz: Tz) -> Result<Vec<CallRecord>, ImportError> {
    let mut table = CsvTable::open(
        bytes,
        &COLUMNS,
        "arrival, outcome, wait_seconds, talk_seconds",
    )?;
    let (arrival_col, outcome_col, wait_col, talk_col) = (
        table.required("arrival")?,
        table.required("outcome")?,
        table.required("wait_seconds")?,
        table.required("talk_seconds")?,
    );
    let mut calls = Vec::new();
    for row in table.rows() {
        let (line, record) = row?;
        let value = |col: usize| csv_table::cell(&record, col);
        let (arrival, _) = parse_timestamp(value(arrival_col), tz)
            .map_err(|e| ImportError::cell(line, "arrival", e.to_string()))?;
        let outcome = CallOutcome::parse(value(outcome_col)).ok_or_else(|| {
            ImportError::cell(
                line,
                "outcome",
                format!(
                    "'{}' is not an outcome (answered or abandoned)",
                    value(outcome_col)
                ),
            )
        })?;
        let wait_seconds =
            seconds(value(wait_col)).map_err(|m| ImportError::cell(line, "wait_seconds", m))?;
        let talk = value(talk_col);
        let talk_seconds = match (outcome, talk) {
            (CallOutcome::Answered, "") => {
                return Err(ImportError::cell(
                    line,
                    "talk_seconds",
                    "an answered call needs its talk time",
                ))
            }
            (CallOutcome::Answered, s) => {
                Some(seconds(s).map_err(|m| ImportError::cell(line, "talk_seconds", m))?)
            }
            (CallOutcome::Abandoned, "") => None,
            (CallOutcome::Abandoned, s) => {
                return Err(ImportError::cell(
                    line,
                    "talk_seconds",
                    format!("'{s}': an abandoned call has no talk time (leave it empty)"),
                ))
            }
        };
        calls.push(CallRecord {
            arrival,
            outcome,
            wait_seconds,
            talk_seconds,
        });
    }
    Ok(calls)
}

/// A duration in seconds: a finite number, 0 or more.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(_) => Err(format!("'{s}' is not a duration (0 or more seconds)")),
        Err(_) => Err(format!("'{s}' is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::paris;

    #[test]
    fn reads_offsets_local_times_and_both_outcomes() {
        let csv = "arrival,outcome,wait_seconds,talk_seconds\n\
                   2026-01-05T08:00:03+01:00,answered,12,180.5\n\
                   2026-01-05 08:00:03,abandoned,40,\n";
        let calls = parse_calls_csv(csv.as_bytes(), paris()).unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arrival, calls[1].arrival, "same instant");
        assert_eq!(calls[0].arrival.to_rfc3339(), "2026-01-05T07:00:03+00:00");
        assert_eq!(calls[0].talk_seconds, Some(180.5));
        assert_eq!(calls[1].outcome, CallOutcome::Abandoned);
        assert_eq!((calls[1].wait_seconds, calls[1].talk_seconds), (40.0, None));
        // Columns in another order.
        let swapped =
            "outcome,arrival,talk_seconds,wait_seconds\nanswered,2026-01-05T07:00:00Z,3,4\n";
        let c = parse_calls_csv(swapped.as_bytes(), paris()).unwrap();
        assert_eq!((c[0].wait_seconds, c[0].talk_seconds), (4.0, Some(3.0)));
    }

    #[test]
    fn errors_name_line_column_and_value() {
        let head = "arrival,outcome,wait_seconds,talk_seconds\n";
        let ok = "2026-01-05T07:00:00Z,answered,1,2\n";
        let cases = [
            (
                "2026-01-05T07:00:00Z,hung_up,1,\n",
                "line 3, column outcome: 'hung_up' is not an outcome (answered or abandoned)",
            ),
            (
                "2026-01-05T07:00:00Z,answered,-3,2\n",
                "line 3, column wait_seconds: '-3' is not a duration (0 or more seconds)",
            ),
            (
                "2026-01-05T07:00:00Z,answered,1,\n",
                "line 3, column talk_seconds: an answered call needs its talk time",
            ),
            (
                "2026-01-05T07:00:00Z,abandoned,1,30\n",
                "line 3, column talk_seconds: '30': an abandoned call has no talk time (leave it empty)",
            ),
            (
                "soon,answered,1,2\n",
                "line 3, column arrival: 'soon' is not an ISO-8601 timestamp",
            ),
            (
                "2026-03-29 02:30,answered,1,2\n",
                "line 3, column arrival: '2026-03-29 02:30' does not exist in Europe/Paris",
            ),
            (
                "2026-01-05T07:00:00Z,answered,NaN,2\n",
                "line 3, column wait_seconds: 'NaN' is not a duration",
            ),
        ];
        for (row, want) in cases {
            let body = format!("{head}{ok}{row}");
            let err = parse_calls_csv(body.as_bytes(), paris()).unwrap_err();
            assert!(err.to_string().starts_with(want), "{err} / {want}");
        }
        let err = parse_calls_csv(b"arrival,outcome,wait_seconds\n", paris()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column talk_seconds: missing column"
        );
        let err = parse_calls_csv(
            b"arrival,outcome,wait_seconds,talk_seconds,agent\n",
            paris(),
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("line 1, column agent: unknown column"));
        let short = format!("{head}2026-01-05T07:00:00Z,answered\n");
        let err = parse_calls_csv(short.as_bytes(), paris()).unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }
}
