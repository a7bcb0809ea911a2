//! The days of a queue's weekend, and the API's names of weekdays.

use super::InvalidValue;
use chrono::{Datelike, NaiveDate, Weekday};

/// Weekdays Monday first, with the names the API uses.
const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

/// The API's name of a weekday (`mon` … `sun`).
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].1
}

/// A weekday from `mon` … `sun` (any case; full names too).
pub fn parse_weekday(field: &str, name: &str) -> Result<Weekday, InvalidValue> {
    name.trim().parse::<Weekday>().map_err(|_| {
        InvalidValue::new(
            field,
            format!("'{name}' is not a weekday (mon, tue, wed, thu, fri, sat, sun)"),
        )
    })
}

/// The days of a queue's weekend (for rules such as
/// `max_working_weekends`): one run of consecutive days, e.g. Saturday and
/// Sunday, or Friday and Saturday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekendDays {
    /// Bit `n` set: the weekday `n` days from Monday is a weekend day.
    mask: u8,
}

impl Default for WeekendDays {
    /// Saturday and Sunday.
    fn default() -> Self {
        Self {
            mask: (1 << 5) | (1 << 6),
        }
    }
}

impl WeekendDays {
    /// Checks the days: 1 to 6 of them, each once, one run of consecutive
    /// days (Sunday runs on to Monday). Errors name `weekend_days`.
    pub fn new(days: &[Weekday]) -> Result<Self, InvalidValue> {
        let field = "weekend_days";
        let mut mask = 0u8;
        for d in days {
            let bit = 1 << d.num_days_from_monday();
            if mask & bit != 0 {
                return Err(InvalidValue::new(
                    field,
                    format!("{} is listed twice", weekday_name(*d)),
                ));
            }
            mask |= bit;
        }
        if days.is_empty() || days.len() > 6 {
            return Err(InvalidValue::new(
                field,
                format!(
                    "{} day(s): a weekend is 1 to 6 days (e.g. [\"sat\", \"sun\"])",
                    days.len()
                ),
            ));
        }
        // One run: exactly one weekend day follows a day that is not one.
        let starts = (0..7)
            .filter(|&i| mask & (1 << i) != 0 && mask & (1 << ((i + 6) % 7)) == 0)
            .count();
        if starts != 1 {
            return Err(InvalidValue::new(
                field,
                "the days must follow one another (e.g. [\"fri\", \"sat\"]), so each week has one weekend",
            ));
        }
        Ok(Self { mask })
    }

    /// From the API's names (`["fri", "sat"]`); errors name `weekend_days[i]`.
    pub fn parse(names: &[String]) -> Result<Self, InvalidValue> {
        let days = names
            .iter()
            .enumerate()
            .map(|(i, n)| parse_weekday(&format!("weekend_days[{i}]"), n))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(&days)
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.mask & (1 << day.num_days_from_monday()) != 0
    }

    /// The days in weekend order (the first day of the run first).
    pub fn days(&self) -> Vec<Weekday> {
        let first = (0..7u8)
            .find(|&i| self.mask & (1 << i) != 0 && self.mask & (1 << ((i + 6) % 7)) == 0)
            .unwrap_or(0);
        (0..7u8)
            .map(|k| (first + k) % 7)
            .filter(|&i| self.mask & (1 << i) != 0)
            .map(|i| WEEKDAYS[i as usize].0)
            .collect()
    }

    /// The API's names, in weekend order.
    pub fn names(&self) -> Vec<String> {
        self.days()
            .into_iter()
            .map(|d| weekday_name(d).to_string())
            .collect()
    }

    /// The first day of the weekend `date` belongs to (its key: two dates
    /// of one weekend give the same), or `None` on a working day.
    pub fn weekend_of(&self, date: NaiveDate) -> Option<NaiveDate> {
        if !self.contains(date.weekday()) {
            return None;
        }
        let mut first = date;
        // At most 5 steps: a weekend is one run of at most 6 days.
        while let Some(prev) = first.pred_opt().filter(|p| self.contains(p.weekday())) {
            first = prev;
        }
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_are_one_run_of_days() {
        let sat_sun = WeekendDays::default();
        assert_eq!(sat_sun.names(), ["sat", "sun"]);
        let fri_sat = WeekendDays::parse(&["fri".into(), "Sat".into()]).unwrap();
        assert_eq!(fri_sat.names(), ["fri", "sat"]);
        // Sunday runs on to Monday.
        let sun_mon = WeekendDays::parse(&["mon".into(), "sun".into()]).unwrap();
        assert_eq!(sun_mon.names(), ["sun", "mon"]);
        let e = WeekendDays::parse(&["fri".into(), "sun".into()]).unwrap_err();
        assert_eq!(e.field, "weekend_days");
        let e = WeekendDays::parse(&["fri".into(), "caturday".into()]).unwrap_err();
        assert_eq!(e.field, "weekend_days[1]");
        assert!(WeekendDays::parse(&[]).is_err());
        assert!(WeekendDays::parse(&["sat".into(), "sat".into()]).is_err());
        let all: Vec<String> = WEEKDAYS.iter().map(|(_, n)| n.to_string()).collect();
        assert!(WeekendDays::parse(&all).is_err());

        let d = |s: &str| -> NaiveDate { s.parse().unwrap() };
        // 1999-02-12 is a Friday.
        assert_eq!(fri_sat.weekend_of(d("1999-02-12")), Some(d("1999-02-12")));
        assert_eq!(fri_sat.weekend_of(d("1999-02-13")), Some(d("1999-02-12")));
        assert_eq!(fri_sat.weekend_of(d("1999-02-14")), None);
        assert_eq!(sat_sun.weekend_of(d("1999-02-14")), Some(d("1999-02-13")));
        assert_eq!(sat_sun.weekend_of(d("1999-02-12")), None);
        assert_eq!(sun_mon.weekend_of(d("1999-02-15")), Some(d("1999-02-14")));
    }
}
