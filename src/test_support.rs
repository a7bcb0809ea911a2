//! Helpers shared by the unit tests of several modules, kept in one place:
//! the Paris zone and grids most tests are written in, dates and wall-clock
//! times from short literals, and the bundled bank data (a year of
//! 30-minute history from an Israeli bank's call centre, and its calendar).

use crate::domain::history::{parse_history_csv, OffGrid, ParsedHistory};
use crate::domain::Grid;
use crate::forecast::{parse_special_days, SpecialDay};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Europe/Paris: one DST switch at 02:00 in March, one at 03:00 in October.
pub(crate) fn paris() -> Tz {
    chrono_tz::Europe::Paris
}

/// A grid of `minutes`-long intervals on the Paris wall clock.
pub(crate) fn paris_grid(minutes: u32) -> Grid {
    Grid::new(minutes, paris())
}

/// A date from `YYYY-MM-DD`.
pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("date '{s}': {e}"))
}

/// A wall-clock time `h:m`.
pub(crate) fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_else(|| panic!("no time {h}:{m}"))
}

/// Paris wall-clock time `YYYY-MM-DD HH:MM` → the UTC instant (it must
/// exist and be unambiguous).
pub(crate) fn at(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    paris()
        .from_local_datetime(&naive)
        .single()
        .unwrap_or_else(|| panic!("'{s}' is not one instant in Paris"))
        .with_timezone(&Utc)
}

/// The bundled sample history (`data/sample/bank_1999_30min.csv`), read
/// on its own grid: 30 minutes, Asia/Jerusalem.
pub(crate) fn bank_1999() -> (ParsedHistory, Grid) {
    let grid = Grid::new(30, chrono_tz::Asia::Jerusalem);
    let parsed = parse_history_csv(
        include_bytes!("../data/sample/bank_1999_30min.csv"),
        &grid,
        OffGrid::Reject,
    )
    .expect("the bundled bank history parses");
    (parsed, grid)
}

/// The bundled calendar of the bank's year (`data/special-days/israel_1999.csv`).
pub(crate) fn israel_1999_special_days() -> Vec<SpecialDay> {
    parse_special_days(include_bytes!("../data/special-days/israel_1999.csv"))
        .expect("the bundled Israel 1999 calendar parses")
}
