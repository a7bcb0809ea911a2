//! Rosters as iCalendar (RFC 5545), for calendar apps and HR tools: one
//! VEVENT per shift, times in UTC, breaks in the description.

use crate::db::schedules::RosterShift;
use crate::domain::ScheduleId;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (backslash, semicolon, comma, newline).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// Folds a content line at 75 octets (continuation lines start with a
/// space), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// One VEVENT: a shift with its UID, and (for published rosters) its
/// version, so a calendar app updates the event in place.
pub struct Event<'a> {
    pub uid: String,
    pub shift: &'a RosterShift,
    /// When the event was made or last changed (`DTSTAMP`).
    pub stamped: DateTime<Utc>,
    /// `SEQUENCE` and `LAST-MODIFIED`: written when known.
    pub sequence: Option<u32>,
}

/// The calendar of `shifts` from schedule `id`; `stamped` is when it was made.
pub fn roster_ics(
    id: ScheduleId,
    shifts: &[RosterShift],
    tz: Tz,
    stamped: DateTime<Utc>,
) -> String {
    let events: Vec<Event> = shifts
        .iter()
        .map(|s| Event {
            uid: format!(
                "schedule-{id}-agent-{}-{}@staffcast",
                s.agent_id,
                stamp(s.start)
            ),
            shift: s,
            stamped,
            sequence: None,
        })
        .collect();
    events_ics(&events, tz)
}

/// A calendar of events (one per shift), times in UTC.
pub fn events_ics(events: &[Event], tz: Tz) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//staffcast//roster//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    for e in events {
        let s = e.shift;
        let breaks: Vec<String> = s
            .breaks
            .iter()
            .map(|b| {
                format!(
                    "{}-{} {}",
                    b.start.with_timezone(&tz).format("%H:%M"),
                    b.end.with_timezone(&tz).format("%H:%M"),
                    if b.paid { "paid break" } else { "unpaid break" }
                )
            })
            .collect();
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", text(&e.uid)), &mut out);
        fold(&format!("DTSTAMP:{}", stamp(e.stamped)), &mut out);
        if let Some(sequence) = e.sequence {
            fold(&format!("SEQUENCE:{sequence}"), &mut out);
            fold(&format!("LAST-MODIFIED:{}", stamp(e.stamped)), &mut out);
        }
        fold(&format!("DTSTART:{}", stamp(s.start)), &mut out);
        fold(&format!("DTEND:{}", stamp(s.end)), &mut out);
        fold(
            &format!("SUMMARY:{}", text(&format!("Shift: {}", s.agent_name))),
            &mut out,
        );
        let description = format!(
            "{} ({}); times in {}; {}",
            s.agent_name,
            s.external_id,
            tz.name(),
            if breaks.is_empty() {
                "no breaks".to_string()
            } else {
                breaks.join(", ")
            }
        );
        fold(&format!("DESCRIPTION:{}", text(&description)), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_and_text_is_escaped() {
        let mut out = String::new();
        fold(&"é".repeat(60), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(60));
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
