//! Parser for the Technion "Anonymous Bank" per-call records (February 1999,
//! tab-separated, header `vru+line call_id customer_id priority type date
//! vru_entry vru_exit vru_time q_start q_exit q_time outcome ser_start
//! ser_exit ser_time server`). Takes the text, does no I/O.
//!
//! Rules:
//! - `PHANTOM` rows are skipped; `AGENT` = answered, `HANG` = hung up.
//! - Arrival (to the agent queue) = `q_start` when the call queued
//!   (`q_start ≠ 0:00:00`), else `vru_exit`. Clock times are on the row's
//!   date; a time earlier than `vru_entry` by more than an hour is taken to be
//!   after midnight (next day).
//! - `wait_seconds = q_time`, `service_seconds = ser_time`.
//! - A `HANG` call that never queued hung up in the voice-response unit: it
//!   never reached the agents (`reached_agents = false`).
//! - Patience: a `HANG` call that queued shows its patience (`q_time`, an
//!   observed event); an answered call's patience is only known to exceed its
//!   wait (censored) — see [`CallRecord::patience_observation`].
//! - Rows with a negative `vru_time` (data errors) are kept and flagged.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CallOutcome {
    Answered,
    HungUp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    pub call_id: u64,
    pub customer_id: u64,
    pub priority: u8,
    pub call_type: String,
    pub vru_entry: NaiveDateTime,
    /// When the call reached the agent queue (see module doc).
    pub arrival: NaiveDateTime,
    pub queued: bool,
    pub wait_seconds: f64,
    pub outcome: CallOutcome,
    /// Talk time (0 for hang-ups).
    pub service_seconds: f64,
    /// Service start, for answered calls with a recorded start.
    pub service_start: Option<NaiveDateTime>,
    /// Agent's name; `None` for `NO_SERVER`.
    pub server: Option<String>,
    /// Answered, or hung up while queued (not in the VRU).
    pub reached_agents: bool,
    /// `vru_time < 0`: a data error in the source.
    pub negative_vru_time: bool,
}

impl CallRecord {
    /// `(duration, observed)` for Kaplan–Meier: hung up in queue → `(wait,
    /// true)`; answered → `(wait, false)` (censored); `None` if the call never
    /// reached the agents.
    pub fn patience_observation(&self) -> Option<(f64, bool)> {
        match (self.reached_agents, self.outcome) {
            (false, _) => None,
            (true, CallOutcome::HungUp) => Some((self.wait_seconds, true)),
            (true, CallOutcome::Answered) => Some((self.wait_seconds, false)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn clock(s: &str) -> Option<NaiveTime> {
    let mut it = s.split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let sec: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(h % 24, m, sec)
}

/// Parses the whole file (header first). PHANTOM rows are skipped.
pub fn parse_bank_calls(tsv: &str) -> Result<Vec<CallRecord>, ParseError> {
    let mut lines = tsv.lines().enumerate();
    let header_ok = lines
        .next()
        .is_some_and(|(_, h)| h.split('\t').nth(15) == Some("ser_time"));
    if !header_ok {
        return Err(ParseError {
            line: 1,
            message: "expected the Anonymous Bank header (17 tab-separated columns)".into(),
        });
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let err = |m: &str| ParseError {
            line: i + 1,
            message: m.to_string(),
        };
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        if f.len() != 17 {
            return Err(err(&format!("{} columns, expected 17", f.len())));
        }
        let outcome = match f[12] {
            "PHANTOM" => continue,
            "AGENT" => CallOutcome::Answered,
            "HANG" => CallOutcome::HungUp,
            o => return Err(err(&format!("unknown outcome {o}"))),
        };
        let num = |j: usize, what: &str| -> Result<f64, ParseError> {
            f[j].parse::<f64>()
                .map_err(|_| err(&format!("{what}: '{}' is not a number", f[j])))
        };
        let date = NaiveDate::parse_from_str(&format!("19{}", f[5]), "%Y%m%d")
            .map_err(|_| err(&format!("date '{}'", f[5])))?;
        let t =
            |j: usize, what: &str| clock(f[j]).ok_or_else(|| err(&format!("{what}: '{}'", f[j])));
        let vru_entry = date.and_time(t(6, "vru_entry")?);
        let on_day = |tm: NaiveTime| {
            let x = date.and_time(tm);
            if x < vru_entry - Duration::hours(1) {
                x + Duration::days(1)
            } else {
                x
            }
        };
        let vru_exit = on_day(t(7, "vru_exit")?);
        let vru_time = num(8, "vru_time")?;
        let q_start = t(9, "q_start")?;
        let queued = f[9] != "0:00:00";
        let arrival = if queued { on_day(q_start) } else { vru_exit };
        let ser_start = t(13, "ser_start")?;
        let service_seconds = num(15, "ser_time")?;
        let service_start =
            (outcome == CallOutcome::Answered && f[13] != "0:00:00").then(|| on_day(ser_start));
        out.push(CallRecord {
            call_id: num(1, "call_id")? as u64,
            customer_id: num(2, "customer_id")? as u64,
            priority: num(3, "priority")? as u8,
            call_type: f[4].to_string(),
            vru_entry,
            arrival,
            queued,
            wait_seconds: num(11, "q_time")?,
            outcome,
            service_seconds,
            service_start,
            server: (f[16] != "NO_SERVER").then(|| f[16].to_string()),
            reached_agents: outcome == CallOutcome::Answered || queued,
            negative_vru_time: vru_time < 0.0,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver
AA0101\t34536\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT
AA0101\t34539\t23317894\t2\tPS\t990201\t8:09:16\t8:09:22\t6\t8:09:22\t8:09:27\t5\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER
AA0101\t34585\t0\t0\tPS\t990201\t17:16:03\t17:17:16\t73\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER
AA0102\t30456\t25627027\t2\tPS\t990207\t9:48:14\t9:47:17\t-57\t9:47:17\t9:50:11\t174\tAGENT\t9:50:11\t9:51:28\t77\tKAZAV
AA0101\t1\t0\t0\tPS\t990201\t7:00:00\t7:00:01\t1\t0:00:00\t0:00:00\t0\tPHANTOM\t0:00:00\t0:00:00\t0\tNO_SERVER
AA0101\t2\t0\t0\tPS\t990201\t23:59:50\t23:59:58\t8\t0:00:02\t0:00:40\t38\tAGENT\t0:00:40\t0:01:00\t20\tDORIT
";

    #[test]
    fn parses_the_sample_rows() {
        let c = parse_bank_calls(SAMPLE).unwrap();
        assert_eq!(c.len(), 5, "PHANTOM skipped");
        let d = |h, m, s| {
            NaiveDate::from_ymd_opt(1999, 2, 1)
                .unwrap()
                .and_hms_opt(h, m, s)
                .unwrap()
        };
        assert_eq!(c[0].arrival, d(7, 2, 56)); // not queued: vru_exit
        assert!(!c[0].queued && c[0].reached_agents);
        assert_eq!(c[0].service_seconds, 166.0);
        assert_eq!(c[0].server.as_deref(), Some("DORIT"));
        assert_eq!(c[0].patience_observation(), Some((0.0, false)));
        assert_eq!(c[1].arrival, d(8, 9, 22)); // queued: q_start
        assert_eq!(c[1].outcome, CallOutcome::HungUp);
        assert_eq!(c[1].patience_observation(), Some((5.0, true)));
        assert_eq!(c[1].server, None);
        assert!(!c[2].reached_agents, "hung up in the VRU");
        assert_eq!(c[2].patience_observation(), None);
        assert!(c[3].negative_vru_time && !c[0].negative_vru_time);
        assert_eq!(c[3].patience_observation(), Some((174.0, false)));
        // Crossing midnight.
        let next = NaiveDate::from_ymd_opt(1999, 2, 2).unwrap();
        assert_eq!(c[4].arrival, next.and_hms_opt(0, 0, 2).unwrap());
        assert_eq!(
            c[4].service_start,
            Some(next.and_hms_opt(0, 0, 40).unwrap())
        );
    }

    #[test]
    fn rejects_bad_input_with_the_line() {
        assert!(parse_bank_calls("a\tb\n").is_err());
        let bad = SAMPLE.replace("\t166\t", "\tx\t");
        let e = parse_bank_calls(&bad).unwrap_err();
        assert_eq!(e.line, 2);
        let bad = SAMPLE.replace("AGENT\t7:02:55", "MAYBE\t7:02:55");
        assert!(parse_bank_calls(&bad).is_err());
    }
}
