//! When a queue takes contacts: open ranges per weekday and per date (local
//! wall-clock time in the queue's zone).
//!
//! An interval is open when any minute of it lies in an open range of its
//! local day, so hours off the grid (08:00–17:45 on 30 minutes) still staff
//! the interval they end in. Ranges stay within one day (a range may end at
//! 24:00; a night runs 22:00–24:00 and then 00:00–02:00 the next day). A
//! weekday left out is open all day, so a queue without hours is open 24 h,
//! every day. A date's own hours (or its closure) replace its weekday's.

use super::weekend::weekday_name;
use super::{Grid, InvalidValue};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Minutes in a local day (a range may end at 24:00).
const DAY_MINUTES: u16 = 24 * 60;
/// Most ranges on one day.
pub const MAX_RANGES_PER_DAY: usize = 12;
/// Most dates with their own hours (ten years of holidays and more).
pub const MAX_DATES: usize = 4000;

/// One open range of a local day, in minutes from midnight: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpenRange {
    from: u16,
    to: u16,
}

impl OpenRange {
    /// A range from `"HH:MM"` to `"HH:MM"` (`"24:00"` ends the day).
    pub fn parse(field: &str, from: &str, to: &str) -> Result<Self, InvalidValue> {
        let from_min = parse_clock(field, from)?;
        let to_min = parse_clock(field, to)?;
        if from_min == DAY_MINUTES {
            return Err(InvalidValue::new(
                field,
                "a range cannot start at 24:00 (start the next day at 00:00)",
            ));
        }
        if to_min <= from_min {
            return Err(InvalidValue::new(
                field,
                format!(
                    "ends at {to}, not after it starts at {from} (a range stays within one day: \
                     split a night into 22:00-24:00 and 00:00-02:00 the next day)"
                ),
            ));
        }
        Ok(Self {
            from: from_min,
            to: to_min,
        })
    }

    /// The whole day, 00:00–24:00.
    pub const ALL_DAY: OpenRange = OpenRange {
        from: 0,
        to: DAY_MINUTES,
    };

    /// `from` and `to` as `"HH:MM"`.
    pub fn to_text(self) -> [String; 2] {
        let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        [clock(self.from), clock(self.to)]
    }
}

/// `"HH:MM"` as minutes from midnight, `"24:00"` included.
fn parse_clock(field: &str, text: &str) -> Result<u16, InvalidValue> {
    let bad = || {
        InvalidValue::new(
            field,
            format!("'{text}' is not a time of day \"HH:MM\" from 00:00 to 24:00"),
        )
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h * 60 + m > DAY_MINUTES {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The open ranges of one day, sorted and disjoint; none = closed all day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHours(Vec<OpenRange>);

impl DayHours {
    pub fn closed() -> Self {
        Self(Vec::new())
    }

    pub fn all_day() -> Self {
        Self(vec![OpenRange::ALL_DAY])
    }

    /// Ranges as given (`[["07:00", "14:00"], ...]`): each `[from, to]`,
    /// none overlapping another; errors name `{field}[i]`.
    pub fn parse(field: &str, ranges: &[Vec<String>]) -> Result<Self, InvalidValue> {
        if ranges.len() > MAX_RANGES_PER_DAY {
            return Err(InvalidValue::new(
                field,
                format!(
                    "{} ranges: at most {MAX_RANGES_PER_DAY} a day",
                    ranges.len()
                ),
            ));
        }
        let mut parsed = Vec::with_capacity(ranges.len());
        for (i, r) in ranges.iter().enumerate() {
            let at = format!("{field}[{i}]");
            match r.as_slice() {
                [from, to] => parsed.push((OpenRange::parse(&at, from, to)?, at)),
                _ => {
                    return Err(InvalidValue::new(
                        at,
                        format!(
                            "a range is [\"HH:MM\", \"HH:MM\"] (from, to), not {} value(s)",
                            r.len()
                        ),
                    ))
                }
            }
        }
        parsed.sort_by_key(|(r, _)| *r);
        for pair in parsed.windows(2) {
            let ((a, _), (b, at)) = (&pair[0], &pair[1]);
            if b.from < a.to {
                let ([a_from, a_to], [b_from, b_to]) = (a.to_text(), b.to_text());
                return Err(InvalidValue::new(
                    at.clone(),
                    format!("{b_from}-{b_to} overlaps {a_from}-{a_to}"),
                ));
            }
        }
        Ok(Self(parsed.into_iter().map(|(r, _)| r).collect()))
    }

    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }

    pub fn ranges(&self) -> &[OpenRange] {
        &self.0
    }

    /// Is any minute of `[from, to)` (minutes of the day) open?
    fn open_between(&self, from: u16, to: u16) -> bool {
        self.0.iter().any(|r| r.from < to && from < r.to)
    }

    /// Minutes open in the day.
    pub fn open_minutes(&self) -> u32 {
        self.0.iter().map(|r| u32::from(r.to - r.from)).sum()
    }

    pub fn to_text(&self) -> Vec<Vec<String>> {
        self.0.iter().map(|r| r.to_text().to_vec()).collect()
    }
}

/// A queue's opening hours: per weekday, and per date where a day differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    /// Monday first.
    weekly: [DayHours; 7],
    dates: BTreeMap<NaiveDate, DayHours>,
}

impl Default for OpeningHours {
    /// Open 24 hours, every day.
    fn default() -> Self {
        Self {
            weekly: std::array::from_fn(|_| DayHours::all_day()),
            dates: BTreeMap::new(),
        }
    }
}

impl OpeningHours {
    /// Checks the hours as the API and the store give them.
    pub fn from_doc(doc: &OpeningHoursDoc) -> Result<Self, InvalidValue> {
        let mut hours = Self::default();
        for (day, ranges) in doc.weekly.days() {
            if let Some(ranges) = ranges {
                hours.weekly[day.num_days_from_monday() as usize] =
                    DayHours::parse(&format!("weekly.{}", weekday_name(day)), ranges)?;
            }
        }
        if doc.dates.len() > MAX_DATES {
            return Err(InvalidValue::new(
                "dates",
                format!("{} dates: at most {MAX_DATES}", doc.dates.len()),
            ));
        }
        for (i, d) in doc.dates.iter().enumerate() {
            let at = format!("dates[{i}]");
            let day = match (d.closed, d.hours.as_deref()) {
                (Some(true), None | Some([])) => DayHours::closed(),
                (Some(true), Some(_)) => {
                    return Err(InvalidValue::new(
                        format!("{at}.hours"),
                        "a closed date has no hours (leave out closed, or the hours)",
                    ))
                }
                (_, Some(h)) => DayHours::parse(&format!("{at}.hours"), h)?,
                (_, None) => {
                    return Err(InvalidValue::new(
                        at,
                        format!("{}: give \"closed\": true or its \"hours\"", d.date),
                    ))
                }
            };
            if hours.dates.insert(d.date, day).is_some() {
                return Err(InvalidValue::new(
                    format!("{at}.date"),
                    format!("{} is listed twice", d.date),
                ));
            }
        }
        Ok(hours)
    }

    /// The hours as the API shows them: every weekday, every date.
    pub fn to_doc(&self) -> OpeningHoursDoc {
        let day = |d: Weekday| Some(self.weekly[d.num_days_from_monday() as usize].to_text());
        OpeningHoursDoc {
            weekly: WeeklyDoc {
                mon: day(Weekday::Mon),
                tue: day(Weekday::Tue),
                wed: day(Weekday::Wed),
                thu: day(Weekday::Thu),
                fri: day(Weekday::Fri),
                sat: day(Weekday::Sat),
                sun: day(Weekday::Sun),
            },
            dates: self
                .dates
                .iter()
                .map(|(date, h)| DateHoursDoc {
                    date: *date,
                    closed: Some(h.is_closed()),
                    hours: Some(h.to_text()),
                })
                .collect(),
        }
    }

    /// Open 24 h every day with no date of its own (what an unset queue has).
    pub fn is_always_open(&self) -> bool {
        *self == Self::default()
    }

    /// These hours with `dates` closed, except where a date has hours of
    /// its own (the calendar's closed days close the queue too).
    pub fn with_closed_dates(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        for d in dates {
            self.dates.entry(d).or_insert_with(DayHours::closed);
        }
        self
    }

    /// The hours of a local date: its own, else its weekday's.
    pub fn day(&self, date: NaiveDate) -> &DayHours {
        self.dates
            .get(&date)
            .unwrap_or(&self.weekly[date.weekday().num_days_from_monday() as usize])
    }

    /// Is the interval of `grid` starting at `start` open for any minute?
    pub fn is_open(&self, grid: &Grid, start: DateTime<Utc>) -> bool {
        let local = start.with_timezone(&grid.tz);
        let from = (local.hour() * 60 + local.minute()) as u16;
        let to = (u32::from(from) + grid.minutes).min(u32::from(DAY_MINUTES)) as u16;
        self.day(local.date_naive()).open_between(from, to)
    }

    /// [`Self::is_open`] for each interval start.
    pub fn open_mask(
        &self,
        grid: &Grid,
        starts: impl IntoIterator<Item = DateTime<Utc>>,
    ) -> Vec<bool> {
        starts.into_iter().map(|t| self.is_open(grid, t)).collect()
    }
}

/// Opening hours as they travel in JSON (the API's body and answer, and
/// the stored form): ranges per weekday and dates with their own hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursDoc {
    /// Per weekday; a weekday left out is open 24 h.
    #[serde(default)]
    pub weekly: WeeklyDoc,
    /// Dates whose hours differ from their weekday's (holidays, special days).
    #[serde(default)]
    pub dates: Vec<DateHoursDoc>,
}

/// Open ranges per weekday, `[["07:00", "14:00"], ["20:00", "24:00"]]`, in
/// the queue's local time; `[]` is closed all day; left out, open 24 h.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([["07:00", "24:00"]]))]
    pub mon: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tue: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wed: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thu: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([["07:00", "14:00"]]))]
    pub fri: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([["20:00", "24:00"]]))]
    pub sat: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sun: Option<Vec<Vec<String>>>,
}

impl WeeklyDoc {
    fn days(&self) -> [(Weekday, Option<&Vec<Vec<String>>>); 7] {
        [
            (Weekday::Mon, self.mon.as_ref()),
            (Weekday::Tue, self.tue.as_ref()),
            (Weekday::Wed, self.wed.as_ref()),
            (Weekday::Thu, self.thu.as_ref()),
            (Weekday::Fri, self.fri.as_ref()),
            (Weekday::Sat, self.sat.as_ref()),
            (Weekday::Sun, self.sun.as_ref()),
        ]
    }
}

/// One date's own hours: `closed: true`, or `hours` (`[]` is closed too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DateHoursDoc {
    #[schema(value_type = String, format = Date, example = "1999-02-12")]
    pub date: NaiveDate,
    #[serde(default)]
    pub closed: Option<bool>,
    #[serde(default)]
    #[schema(example = json!([["09:00", "13:00"]]))]
    pub hours: Option<Vec<Vec<String>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn ranges(rs: &[[&str; 2]]) -> Vec<Vec<String>> {
        rs.iter()
            .map(|r| vec![r[0].to_string(), r[1].to_string()])
            .collect()
    }

    /// The bank's week (SOURCE.md): Sun–Thu 07–24, Fri 07–14, Sat 20–24.
    fn bank() -> OpeningHours {
        let long = Some(ranges(&[["07:00", "24:00"]]));
        let doc = OpeningHoursDoc {
            weekly: WeeklyDoc {
                sun: long.clone(),
                mon: long.clone(),
                tue: long.clone(),
                wed: long.clone(),
                thu: long,
                fri: Some(ranges(&[["07:00", "14:00"]])),
                sat: Some(ranges(&[["20:00", "24:00"]])),
            },
            dates: vec![],
        };
        OpeningHours::from_doc(&doc).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn intervals_are_open_when_any_minute_is() {
        let tz: Tz = "Asia/Jerusalem".parse().unwrap();
        let grid = Grid::new(30, tz);
        let h = bank();
        // 1999-02-12 is a Friday; Jerusalem is UTC+2 in February.
        assert!(!h.is_open(&grid, at("1999-02-12T04:30:00Z"))); // 06:30
        assert!(h.is_open(&grid, at("1999-02-12T05:00:00Z"))); // 07:00
        assert!(h.is_open(&grid, at("1999-02-12T11:30:00Z"))); // 13:30
        assert!(!h.is_open(&grid, at("1999-02-12T12:00:00Z"))); // 14:00
        assert!(!h.is_open(&grid, at("1999-02-13T17:30:00Z"))); // Sat 19:30
        assert!(h.is_open(&grid, at("1999-02-13T21:30:00Z"))); // Sat 23:30
                                                               // 17:45 closes mid-interval: the 17:30 interval is still staffed.
        let doc = OpeningHoursDoc {
            weekly: WeeklyDoc {
                mon: Some(ranges(&[["08:00", "17:45"]])),
                ..Default::default()
            },
            dates: vec![],
        };
        let h = OpeningHours::from_doc(&doc).unwrap();
        let utc = Grid::new(30, chrono_tz::UTC);
        assert!(h.is_open(&utc, at("2026-01-05T17:30:00Z")));
        assert!(!h.is_open(&utc, at("2026-01-05T18:00:00Z")));
        // Tuesday was left out: open all day.
        assert!(h.is_open(&utc, at("2026-01-06T03:00:00Z")));
    }

    #[test]
    fn a_date_replaces_its_weekday() {
        let tz: Tz = "Asia/Jerusalem".parse().unwrap();
        let grid = Grid::new(30, tz);
        let doc = OpeningHoursDoc {
            dates: vec![
                DateHoursDoc {
                    date: "1999-02-15".parse().unwrap(),
                    closed: Some(true),
                    hours: None,
                },
                DateHoursDoc {
                    date: "1999-02-16".parse().unwrap(),
                    closed: None,
                    hours: Some(ranges(&[["09:00", "10:00"]])),
                },
            ],
            ..bank().to_doc()
        };
        let h = OpeningHours::from_doc(&doc).unwrap();
        // Monday 1999-02-15 10:00 local: the weekday is open, the date closed.
        assert!(!h.is_open(&grid, at("1999-02-15T08:00:00Z")));
        assert!(h.is_open(&grid, at("1999-02-16T07:30:00Z")));
        assert!(!h.is_open(&grid, at("1999-02-16T08:00:00Z")));
        // Calendar closures add to the dates but never replace one.
        let h = h.with_closed_dates(["1999-02-16".parse().unwrap(), "1999-02-17".parse().unwrap()]);
        assert!(h.is_open(&grid, at("1999-02-16T07:30:00Z")));
        assert!(!h.is_open(&grid, at("1999-02-17T08:00:00Z")));
        // The document reads back to the same hours.
        assert_eq!(OpeningHours::from_doc(&h.to_doc()).unwrap(), h);
    }

    #[test]
    fn bad_hours_name_the_field() {
        let with = |mon: Vec<Vec<String>>| {
            OpeningHours::from_doc(&OpeningHoursDoc {
                weekly: WeeklyDoc {
                    mon: Some(mon),
                    ..Default::default()
                },
                dates: vec![],
            })
        };
        let e = with(ranges(&[["07:00", "12:00"], ["11:00", "14:00"]])).unwrap_err();
        assert_eq!(e.field, "weekly.mon[1]");
        assert!(e.message.contains("overlaps 07:00-12:00"), "{e}");
        let e = with(ranges(&[["14:00", "07:00"]])).unwrap_err();
        assert_eq!(e.field, "weekly.mon[0]");
        assert!(e.message.contains("not after it starts"), "{e}");
        for bad in ["25:00", "7h", "07:60", "24:01", "", "7:5"] {
            let e = with(ranges(&[["06:00", bad]])).unwrap_err();
            assert_eq!(e.field, "weekly.mon[0]", "{bad}");
        }
        let e = with(vec![vec!["07:00".into()]]).unwrap_err();
        assert_eq!(e.field, "weekly.mon[0]");
        assert!(with(ranges(&[["24:00", "24:00"]])).is_err());
        // Touching ranges and a full day are fine.
        let ok = with(ranges(&[["00:00", "12:00"], ["12:00", "24:00"]])).unwrap();
        assert_eq!(ok.day("2026-01-05".parse().unwrap()).open_minutes(), 1440);
        let date = |closed: Option<bool>, hours: Option<Vec<Vec<String>>>| {
            OpeningHours::from_doc(&OpeningHoursDoc {
                weekly: WeeklyDoc::default(),
                dates: vec![DateHoursDoc {
                    date: "2026-12-24".parse().unwrap(),
                    closed,
                    hours,
                }],
            })
        };
        assert_eq!(date(None, None).unwrap_err().field, "dates[0]");
        assert_eq!(
            date(Some(true), Some(ranges(&[["09:00", "12:00"]])))
                .unwrap_err()
                .field,
            "dates[0].hours"
        );
        assert_eq!(
            date(Some(false), Some(ranges(&[["12:00", "09:00"]])))
                .unwrap_err()
                .field,
            "dates[0].hours[0]"
        );
        assert!(date(None, Some(vec![]))
            .unwrap()
            .dates
            .values()
            .all(DayHours::is_closed));
    }
}
