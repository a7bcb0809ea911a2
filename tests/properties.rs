#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! Properties that must hold for every input, not only for the examples of
//! the unit tests: the interval grid across daylight-saving changes,
//! reading and writing timestamps, and the Erlang C head count.
//!
//! Case counts are modest so the suite stays fast on two cores; set
//! `PROPTEST_CASES` for a deeper run (it overrides the counts below).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use staffcast::domain::time::{format_timestamp, parse_timestamp, TimestampError, TimestampStyle};
use staffcast::domain::{Grid, ServiceGoal};
use staffcast::staffing::{
    erlang_c_metrics, required_agents, Requirement, StaffingTarget, Workload,
};

/// Zones with DST in both hemispheres, one that skips local midnight
/// (Santiago), one with a :45 offset (Chatham) and one without DST.
const ZONES: [Tz; 7] = [
    chrono_tz::Europe::Paris,
    chrono_tz::Europe::London,
    chrono_tz::America::New_York,
    chrono_tz::America::Santiago,
    chrono_tz::Australia::Sydney,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Asia::Kolkata,
];

const GRID_MINUTES: [u32; 3] = [15, 30, 60];

/// `PROPTEST_CASES` if set, else `cases`.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

fn offset_seconds(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Every instant in 2020..=2030 where `tz` changes its UTC offset, found
/// by stepping through the years hour by hour (every zone here changes on
/// a whole UTC hour).
fn transitions(tz: Tz) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut t = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap();
    let mut before = offset_seconds(tz, t);
    while t < end {
        let next = t + Duration::hours(1);
        let after = offset_seconds(tz, next);
        if after != before {
            out.push(next);
            before = after;
        }
        t = next;
    }
    out
}

/// The DST switches of every zone, computed once.
fn all_transitions() -> &'static Vec<(Tz, DateTime<Utc>)> {
    static ALL: std::sync::OnceLock<Vec<(Tz, DateTime<Utc>)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        ZONES
            .iter()
            .flat_map(|&tz| transitions(tz).into_iter().map(move |t| (tz, t)))
            .collect()
    })
}

fn any_zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(ZONES.to_vec())
}

fn any_grid() -> impl Strategy<Value = Grid> {
    (prop::sample::select(GRID_MINUTES.to_vec()), any_zone()).prop_map(|(m, tz)| Grid::new(m, tz))
}

/// A local date: anywhere in 2020..=2030, or within two days of one of
/// the zone's DST switches (half the cases).
fn date_for(tz: Tz) -> BoxedStrategy<NaiveDate> {
    let switches: Vec<NaiveDate> = all_transitions()
        .iter()
        .filter(|(z, _)| *z == tz)
        .map(|(_, t)| t.with_timezone(&tz).date_naive())
        .collect();
    let anywhere = (0i64..4018)
        .prop_map(|d| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Duration::days(d))
        .boxed();
    if switches.is_empty() {
        return anywhere;
    }
    let near = (prop::sample::select(switches), -2i64..=2)
        .prop_map(|(d, k)| d + Duration::days(k))
        .boxed();
    prop_oneof![anywhere, near].boxed()
}

fn grid_and_date() -> impl Strategy<Value = (Grid, NaiveDate)> {
    any_grid().prop_flat_map(|g| (Just(g), date_for(g.tz)))
}

/// The intervals of one local day.
fn day(g: &Grid, d: NaiveDate) -> Vec<DateTime<Utc>> {
    g.intervals(g.start_of_day(d), g.start_of_day(d + Duration::days(1)))
}

proptest! {
    #![proptest_config(config(96))]

    /// A local day is 23, 24 or 25 hours of contiguous intervals, each on
    /// the local grid, all on that day; a day is 24 hours unless the zone
    /// changes its offset during it.
    #[test]
    fn every_local_day_is_whole_contiguous_aligned_intervals((g, d) in grid_and_date()) {
        let ivs = day(&g, d);
        let start = g.start_of_day(d);
        let end = g.start_of_day(d + Duration::days(1));
        prop_assert_eq!(ivs.first().copied(), Some(start));
        let minutes = ivs.len() as i64 * i64::from(g.minutes);
        prop_assert!([23 * 60, 24 * 60, 25 * 60].contains(&minutes), "{} {d}: {minutes} min", g.tz);
        prop_assert_eq!(Duration::minutes(minutes), end - start);
        for pair in ivs.windows(2) {
            prop_assert_eq!(pair[1] - pair[0], g.step());
        }
        for &t in &ivs {
            prop_assert!(g.is_aligned(t), "{t} is off the {}-minute grid in {}", g.minutes, g.tz);
            prop_assert_eq!(g.local_date(t), d);
            let (weekday, minute) = g.weekly_slot(t);
            prop_assert_eq!(weekday, d.weekday());
            prop_assert!(minute < 24 * 60 && minute % g.minutes == 0, "slot {minute}");
        }
        // From local midnight to local midnight, the day is 24 hours less
        // the change of offset (a zone may skip midnight itself: Santiago).
        let midnight = |t: DateTime<Utc>| t.with_timezone(&g.tz).time() == NaiveTime::MIN;
        if midnight(start) && midnight(end) {
            let change = i64::from(offset_seconds(g.tz, end) - offset_seconds(g.tz, start)) / 60;
            prop_assert_eq!(minutes, 24 * 60 - change, "{} {}", g.tz, d);
        }
    }

    /// `floor` puts any whole-second instant on the interval holding it.
    #[test]
    fn floor_finds_the_interval_holding_an_instant(
        g in any_grid(),
        seconds in 1_577_836_800i64..1_924_992_000, // 2020..2031
    ) {
        check_floor(&g, DateTime::from_timestamp(seconds, 0).unwrap())?;
    }

    /// The same for instants with a fraction of a second (this property
    /// found `Grid::floor` taking one second too many off them).
    #[test]
    fn floor_finds_the_interval_holding_a_sub_second_instant(
        g in any_grid(),
        seconds in 1_577_836_800i64..1_924_992_000,
        nanos in 1u32..1_000_000_000,
    ) {
        check_floor(&g, DateTime::from_timestamp(seconds, nanos).unwrap())?;
    }
}

fn check_floor(g: &Grid, t: DateTime<Utc>) -> Result<(), TestCaseError> {
    let f = g.floor(t);
    prop_assert!(f <= t && t < f + g.step(), "{} floored to {}", t, f);
    prop_assert!(g.is_aligned(f), "{} floored to {}, off the grid", t, f);
    prop_assert_eq!(g.floor(f), f);
    Ok(())
}

/// Over each year each DST zone has exactly one 23-hour and one 25-hour
/// day, and Kolkata none; every other day is 24 hours (exhaustive, hourly grid).
#[test]
fn dst_zones_have_one_short_and_one_long_day_a_year() {
    for tz in ZONES {
        let g = Grid::new(60, tz);
        for year in 2020..=2030 {
            let mut lengths = std::collections::BTreeMap::<usize, u32>::new();
            let mut d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while d.year() == year {
                *lengths.entry(day(&g, d).len()).or_default() += 1;
                d += Duration::days(1);
            }
            let days: u32 = lengths.values().sum();
            let expected = if tz == chrono_tz::Asia::Kolkata {
                vec![(24, days)]
            } else {
                vec![(23, 1), (24, days - 2), (25, 1)]
            };
            assert_eq!(
                lengths.into_iter().collect::<Vec<_>>(),
                expected,
                "{tz} {year}"
            );
        }
    }
}

// ---------------------------------------------------------------- timestamps

const STYLES: [TimestampStyle; 3] = [
    TimestampStyle::Offset,
    TimestampStyle::LocalT,
    TimestampStyle::LocalSpace,
];

/// A whole-second instant: anywhere in 1990..2040, or within two hours of
/// a DST switch (where local times are skipped or repeated).
fn instant_in(tz: Tz) -> BoxedStrategy<DateTime<Utc>> {
    let anywhere = (631_152_000i64..2_208_988_800)
        .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
        .boxed();
    let switches: Vec<DateTime<Utc>> = all_transitions()
        .iter()
        .filter(|(z, _)| *z == tz)
        .map(|(_, t)| *t)
        .collect();
    if switches.is_empty() {
        return anywhere;
    }
    let near = (prop::sample::select(switches), -7200i64..=7200)
        .prop_map(|(t, s)| t + Duration::seconds(s))
        .boxed();
    prop_oneof![anywhere, near].boxed()
}

fn zone_and_instant() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    any_zone().prop_flat_map(|tz| (Just(tz), instant_in(tz)))
}

/// True when the wall clock of `tz` shows the same time at `t` and an hour
/// before or after: the local time happens twice (every zone here moves
/// its clocks by one hour).
fn repeated_locally(tz: Tz, t: DateTime<Utc>) -> bool {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    local(t) == local(t + Duration::hours(1)) || local(t) == local(t - Duration::hours(1))
}

proptest! {
    #![proptest_config(config(128))]

    /// What is written is read back: with an offset always (in any zone);
    /// as local time unless that local time happens twice, which is refused.
    #[test]
    fn formatted_timestamps_read_back((tz, t) in zone_and_instant(), style in prop::sample::select(STYLES.to_vec())) {
        let text = format_timestamp(t, tz, style);
        let read = parse_timestamp(&text, tz);
        match style {
            TimestampStyle::Offset => {
                prop_assert_eq!(read, Ok((t, style)), "{}", text);
                // The offset says it all: the zone used to read is irrelevant.
                prop_assert_eq!(parse_timestamp(&text, chrono_tz::UTC), Ok((t, style)));
            }
            _ if repeated_locally(tz, t) => {
                prop_assert!(matches!(read, Err(TimestampError::Ambiguous(..))), "{text}: {read:?}");
            }
            _ => prop_assert_eq!(read, Ok((t, style)), "{} in {}", text, tz),
        }
        // Surrounding blanks do not matter.
        prop_assert_eq!(parse_timestamp(&format!("  {text}\t"), tz), parse_timestamp(&text, tz));
    }

    /// Garbage is refused without a panic; whatever is accepted is a real
    /// instant that reads back the same way it is written.
    #[test]
    fn garbage_is_refused_without_panic(raw in "\\PC{0,40}", tz in any_zone()) {
        check_parse_is_consistent(&raw, tz)?;
        if !raw.chars().any(|c| c.is_ascii_digit()) {
            prop_assert_eq!(
                parse_timestamp(&raw, tz),
                Err(TimestampError::Unreadable(raw.trim().to_string()))
            );
        }
    }

    /// A valid timestamp with one character changed: refused or read
    /// consistently, never a panic.
    #[test]
    fn damaged_timestamps_never_panic(
        (tz, t) in zone_and_instant(),
        style in prop::sample::select(STYLES.to_vec()),
        at in 0usize..25,
        c in prop::char::any(),
    ) {
        let mut chars: Vec<char> = format_timestamp(t, tz, style).chars().collect();
        let i = at % chars.len();
        chars[i] = c;
        let raw: String = chars.into_iter().collect();
        check_parse_is_consistent(&raw, tz)?;
    }
}

/// Whatever `parse_timestamp` accepts is one instant that, written in the
/// style it was read in, reads back as the same instant (to the second:
/// writing drops fractions); a refusal names the input or the zone.
fn check_parse_is_consistent(raw: &str, tz: Tz) -> Result<(), TestCaseError> {
    match parse_timestamp(raw, tz) {
        Ok((t, style)) => {
            // An offset is written in UTC: far in the past a zone's offset
            // has seconds (local mean time), which `%:z` cannot show.
            let zone = match style {
                TimestampStyle::Offset => chrono_tz::UTC,
                _ => tz,
            };
            let again = format_timestamp(t, zone, style);
            let reread = parse_timestamp(&again, zone);
            let whole = t.with_nanosecond(0).unwrap();
            prop_assert_eq!(
                reread.clone(),
                Ok((whole, style)),
                "'{}' read as {}, written '{}', read back {:?}",
                raw,
                t,
                again,
                reread
            );
        }
        Err(TimestampError::Unreadable(s)) => prop_assert_eq!(s, raw.trim()),
        Err(TimestampError::Skipped(_, z) | TimestampError::Ambiguous(_, z)) => {
            prop_assert_eq!(z, tz)
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ Erlang C

/// Goals are compared with this slack, as in `required_agents`.
const TOLERANCE: f64 = 1e-12;

#[derive(Debug, Clone, Copy)]
struct Case {
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    service_level: f64,
    answer_within_seconds: f64,
    max_occupancy: f64,
    shrinkage: f64,
}

impl Case {
    fn goal(&self) -> ServiceGoal {
        ServiceGoal::new(self.service_level, self.answer_within_seconds, None, None)
            .expect("a valid goal")
    }

    fn required(&self) -> Requirement {
        let work = Workload::new(self.volume, self.aht_seconds, self.interval_seconds)
            .unwrap_or_else(|e| panic!("{self:?}: {e}"));
        let target = StaffingTarget::new(self.goal(), self.max_occupancy, self.shrinkage)
            .unwrap_or_else(|e| panic!("{self:?}: {e}"));
        required_agents(&work, &target).unwrap_or_else(|e| panic!("{self:?}: {e}"))
    }

    /// Whether `agents` meet the service level and the occupancy cap.
    fn met_by(&self, agents: u32) -> bool {
        let m = erlang_c_metrics(
            self.volume,
            self.interval_seconds,
            self.aht_seconds,
            agents,
            self.answer_within_seconds,
        );
        let load = self.volume * self.aht_seconds / self.interval_seconds;
        m.service_level >= self.service_level - TOLERANCE
            && load <= self.max_occupancy * f64::from(agents) * (1.0 + TOLERANCE)
    }
}

fn any_case() -> impl Strategy<Value = Case> {
    (
        0.0f64..3000.0,
        prop::sample::select(vec![900.0, 1800.0, 3600.0]),
        5.0f64..1800.0,
        0.05f64..0.95,
        0.0f64..120.0,
        0.5f64..=1.0,
        0.0f64..0.5,
    )
        .prop_map(|(v, i, a, sl, t, occ, s)| Case {
            volume: v,
            interval_seconds: i,
            aht_seconds: a,
            service_level: sl,
            answer_within_seconds: t,
            max_occupancy: occ,
            shrinkage: s,
        })
}

proptest! {
    #![proptest_config(config(64))]

    /// The head count meets the goal and one agent fewer does not.
    #[test]
    fn required_agents_is_the_fewest_that_meet_the_goal(case in any_case()) {
        let r = case.required();
        let n = r.agents_net;
        prop_assert!(case.met_by(n), "{case:?}: {n} agents miss the goal");
        if case.volume == 0.0 {
            prop_assert_eq!(n, 0);
        } else {
            prop_assert!(n >= 1);
            prop_assert!(!case.met_by(n - 1), "{case:?}: {} agents would do", n - 1);
        }
        prop_assert!(r.agents_with_shrinkage >= n);
        // Enough paid agents that `n` remain after shrinkage (up to rounding noise).
        prop_assert!(
            f64::from(r.agents_with_shrinkage) * (1.0 - case.shrinkage) >= f64::from(n) * (1.0 - 1e-9)
        );
        prop_assert!(
            r.agents_raw <= f64::from(n) + 1e-9
                && r.agents_raw >= f64::from(n.saturating_sub(1)) - 1e-9,
            "raw {} for {} agents", r.agents_raw, n
        );
    }

    /// More contacts never need fewer agents.
    #[test]
    fn more_volume_never_needs_fewer_agents(case in any_case(), extra in 0.0f64..500.0) {
        let more = Case { volume: case.volume + extra, ..case };
        prop_assert!(more.required().agents_net >= case.required().agents_net, "{case:?} +{extra}");
        prop_assert!(more.required().agents_with_shrinkage >= case.required().agents_with_shrinkage);
    }

    /// Longer contacts never need fewer agents.
    #[test]
    fn longer_handle_time_never_needs_fewer_agents(case in any_case(), extra in 0.0f64..600.0) {
        let longer = Case { aht_seconds: case.aht_seconds + extra, ..case };
        prop_assert!(longer.required().agents_net >= case.required().agents_net, "{case:?} +{extra} s");
    }

    /// A higher service level target never needs fewer agents.
    #[test]
    fn a_higher_target_never_needs_fewer_agents(case in any_case(), higher in 0.05f64..0.95) {
        let (low, high) = if higher >= case.service_level {
            (case, Case { service_level: higher, ..case })
        } else {
            (Case { service_level: higher, ..case }, case)
        };
        prop_assert!(high.required().agents_net >= low.required().agents_net, "{low:?} vs {high:?}");
    }
}
