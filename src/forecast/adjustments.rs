//! Planner adjustments on top of a statistical forecast: a local day or a
//! week (Monday start) raised or lowered by a percentage or by a number of
//! contacts, each with the planner's reason. The statistical forecast is
//! never changed: [`Window::apply`] derives an adjusted series from it.
//!
//! How several adjustments combine, whatever order they were made in:
//! every percentage covering an interval multiplies its statistical volume
//! (+10 % on the week and −20 % on a day of it give ×1.1 × 0.8 that day);
//! then every absolute adjustment adds its contacts spread over its scope
//! in proportion to the *statistical* forecast, so it changes the scope's
//! total by exactly that many contacts. p10 and p90 move by the interval's
//! own ratio (adjusted / statistical), so the band keeps its shape; nothing
//! goes below zero.

use super::realised::monday_of;
use super::ForecastPoint;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Longest reason kept with an adjustment (characters).
pub const MAX_REASON_CHARS: usize = 500;
/// Highest percentage accepted (×11): beyond that a typo is likelier than a plan.
pub const MAX_PERCENT: f64 = 1000.0;

/// A stored adjustment's id (typed so a forecast id cannot stand in for it).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct AdjustmentId(pub i32);

impl std::fmt::Display for AdjustmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Which part of the window an adjustment covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One local day.
    Day(NaiveDate),
    /// The local week starting on this Monday (the part of it inside the window).
    Week(NaiveDate),
}

impl Scope {
    pub fn kind(self) -> &'static str {
        match self {
            Scope::Day(_) => "day",
            Scope::Week(_) => "week",
        }
    }

    /// The day, or the Monday of the week.
    pub fn date(self) -> NaiveDate {
        match self {
            Scope::Day(d) | Scope::Week(d) => d,
        }
    }

    /// The field the planner set: `date` or `week`.
    pub fn field(self) -> &'static str {
        match self {
            Scope::Day(_) => "date",
            Scope::Week(_) => "week",
        }
    }

    /// Reads back the stored form (`kind` is `day` or `week`).
    pub fn from_parts(kind: &str, date: NaiveDate) -> Option<Self> {
        match kind {
            "day" => Some(Scope::Day(date)),
            "week" => Some(Scope::Week(date)),
            _ => None,
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        match self {
            Scope::Day(d) => d == date,
            Scope::Week(monday) => monday_of(date) == monday,
        }
    }
}

/// How an adjustment changes its scope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// +15 raises every interval by 15 %; −10 lowers it by 10 %.
    Percent(f64),
    /// Contacts added to the scope's total (negative removes), spread in
    /// proportion to the statistical forecast.
    Absolute(f64),
}

impl Change {
    pub fn kind(self) -> &'static str {
        match self {
            Change::Percent(_) => "percent",
            Change::Absolute(_) => "absolute",
        }
    }

    pub fn value(self) -> f64 {
        match self {
            Change::Percent(v) | Change::Absolute(v) => v,
        }
    }

    /// Reads back the stored form (`kind` is `percent` or `absolute`).
    pub fn from_parts(kind: &str, value: f64) -> Option<Self> {
        match kind {
            "percent" => Some(Change::Percent(value)),
            "absolute" => Some(Change::Absolute(value)),
            _ => None,
        }
    }
}

/// A checked adjustment.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub scope: Scope,
    pub change: Change,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// What a planner sends: one of `date`/`week`, one of `percent`/`absolute`,
/// and a `reason`. Served back in the same shape (see [`Adjustment`]'s `Serialize`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    pub date: Option<NaiveDate>,
    pub week: Option<NaiveDate>,
    pub percent: Option<f64>,
    pub absolute: Option<f64>,
    /// Optional here so a missing reason is refused with its field named.
    pub reason: Option<String>,
}

/// An adjustment that breaks a rule; `field` is the input field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AdjustmentError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AdjustmentError {
    AdjustmentError {
        field,
        message: message.into(),
    }
}

/// The statistical forecast an adjustment is checked against: its points
/// and the queue's time zone, which decides the local days.
pub struct Window<'a> {
    points: &'a [ForecastPoint],
    dates: Vec<NaiveDate>,
}

impl<'a> Window<'a> {
    pub fn new(points: &'a [ForecastPoint], tz: Tz) -> Self {
        let dates = points
            .iter()
            .map(|p| p.start.with_timezone(&tz).date_naive())
            .collect();
        Self { points, dates }
    }

    fn first_and_last(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((*self.dates.first()?, *self.dates.last()?))
    }

    /// Statistical volume over the scope's intervals in the window.
    pub fn statistical_total(&self, scope: Scope) -> f64 {
        self.points
            .iter()
            .zip(&self.dates)
            .filter(|(_, d)| scope.contains(**d))
            .map(|(p, _)| p.volume)
            .sum()
    }

    /// Checks a planner's input against this window.
    pub fn check(
        &self,
        input: AdjustmentInput,
        created_at: DateTime<Utc>,
    ) -> Result<Adjustment, AdjustmentError> {
        let (first, last) = self
            .first_and_last()
            .ok_or_else(|| invalid("date", "the forecast has no intervals to adjust"))?;
        let span = format!("the forecast covers {first} to {last}");
        let scope = match (input.date, input.week) {
            (Some(_), Some(_)) => {
                return Err(invalid("week", "give either date or week, not both"))
            }
            (None, None) => {
                return Err(invalid(
                    "date",
                    "required: a local day (date) or the Monday of a week (week)",
                ))
            }
            (Some(d), None) if d < first || d > last => {
                return Err(invalid(
                    "date",
                    format!("{d} is outside the window: {span}"),
                ))
            }
            (Some(d), None) => Scope::Day(d),
            (None, Some(w)) if monday_of(w) != w => {
                return Err(invalid(
                    "week",
                    format!(
                        "{w} is a {}: a week starts on a Monday ({})",
                        w.format("%A"),
                        monday_of(w)
                    ),
                ))
            }
            (None, Some(w)) if w > last || w + Duration::days(6) < first => {
                return Err(invalid(
                    "week",
                    format!("the week of {w} is outside the window: {span}"),
                ))
            }
            (None, Some(w)) => Scope::Week(w),
        };
        let change = match (input.percent, input.absolute) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "absolute",
                    "give either percent or absolute, not both",
                ))
            }
            (None, None) => return Err(invalid(
                "percent",
                "required: a percentage (e.g. 15 or -10) or absolute contacts added to the total",
            )),
            (Some(p), None) if !p.is_finite() || p <= -100.0 => {
                return Err(invalid(
                    "percent",
                    format!("must be > -100 (got {p}): a forecast cannot go below zero"),
                ))
            }
            (Some(p), None) if p > MAX_PERCENT => {
                return Err(invalid(
                    "percent",
                    format!("must be at most {MAX_PERCENT} (got {p})"),
                ))
            }
            (Some(p), None) => Change::Percent(p),
            (None, Some(a)) if !a.is_finite() => {
                return Err(invalid("absolute", "must be a finite number"))
            }
            (None, Some(a)) => {
                let total = self.statistical_total(scope);
                let what = format!("{} {}", scope.kind(), scope.date());
                if total <= 0.0 && a != 0.0 {
                    return Err(invalid(
                        "absolute",
                        format!(
                            "the statistical forecast of {what} is 0: there is no shape to spread \
                             contacts over (use another day)"
                        ),
                    ));
                }
                if a < -total {
                    return Err(invalid(
                        "absolute",
                        format!(
                            "{a} would take {what} below zero (its statistical forecast is {total:.1})"
                        ),
                    ));
                }
                Change::Absolute(a)
            }
        };
        let reason = input
            .reason
            .ok_or_else(|| invalid("reason", "required: say why the forecast is changed"))?
            .trim()
            .to_string();
        if reason.is_empty() {
            return Err(invalid("reason", "must not be empty"));
        }
        let chars = reason.chars().count();
        if chars > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters (got {chars})"),
            ));
        }
        Ok(Adjustment {
            scope,
            change,
            reason,
            created_at,
        })
    }

    /// The adjusted series: one point per statistical point, same starts
    /// and handle times (see the module doc for how adjustments combine).
    pub fn apply(&self, adjustments: &[Adjustment]) -> Vec<ForecastPoint> {
        let n = self.points.len();
        let mut factor = vec![1.0; n];
        let mut added = vec![0.0; n];
        for a in adjustments {
            let inside: Vec<usize> = (0..n)
                .filter(|&i| a.scope.contains(self.dates[i]))
                .collect();
            match a.change {
                Change::Percent(p) => {
                    for &i in &inside {
                        factor[i] *= 1.0 + p / 100.0;
                    }
                }
                Change::Absolute(contacts) => {
                    let total: f64 = inside.iter().map(|&i| self.points[i].volume).sum();
                    // A scope with no forecast has no shape to follow: nothing to add.
                    if total > 0.0 {
                        for &i in &inside {
                            added[i] += contacts * self.points[i].volume / total;
                        }
                    }
                }
            }
        }
        self.points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let volume = (p.volume * factor[i] + added[i]).max(0.0);
                let ratio = if p.volume > 0.0 {
                    volume / p.volume
                } else {
                    factor[i]
                };
                ForecastPoint {
                    start: p.start,
                    volume,
                    volume_p10: (p.volume_p10 * ratio).max(0.0),
                    volume_p90: (p.volume_p90 * ratio).max(0.0),
                    aht_seconds: p.aht_seconds,
                }
            })
            .collect()
    }
}

/// Served in the shape it was posted: `date` or `week`, `percent` or
/// `absolute`, `reason`, plus `created_at`.
impl Serialize for Adjustment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Adjustment", 4)?;
        st.serialize_field(self.scope.field(), &self.scope.date())?;
        st.serialize_field(self.change.kind(), &self.change.value())?;
        st.serialize_field("reason", &self.reason)?;
        st.serialize_field("created_at", &self.created_at)?;
        st.end()
    }
}

/// The served shape above, for the OpenAPI document: exactly one of
/// `date`/`week` and one of `percent`/`absolute` is present.
impl utoipa::PartialSchema for Adjustment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        let date = |what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .description(Some(what))
        };
        let number = |what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .description(Some(what))
        };
        ObjectBuilder::new()
            .property("date", date("The local day adjusted"))
            .property("week", date("The Monday of the local week adjusted"))
            .property("percent", number("Change in percent (+15 raises by 15 %)"))
            .property("absolute", number("Contacts added to the scope's total"))
            .property("reason", ObjectBuilder::new().schema_type(Type::String))
            .required("reason")
            .property(
                "created_at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .required("created_at")
            .into()
    }
}

impl utoipa::ToSchema for Adjustment {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::date;

    fn now() -> DateTime<Utc> {
        "2026-02-10T12:00:00Z".parse().unwrap()
    }

    /// Mon 2026-02-16 .. Sun 2026-02-22, UTC, two intervals a day: 10 and 30
    /// (Sunday closed: 0 and 0). p10/p90 at ×0.5 and ×1.5.
    fn week() -> Vec<ForecastPoint> {
        let mut out = Vec::new();
        for d in 0..7 {
            let day = date("2026-02-16") + Duration::days(d);
            for (h, v) in [(9, 10.0), (10, 30.0)] {
                let v = if d == 6 { 0.0 } else { v };
                out.push(ForecastPoint {
                    start: day.and_hms_opt(h, 0, 0).unwrap().and_utc(),
                    volume: v,
                    volume_p10: v * 0.5,
                    volume_p90: v * 1.5,
                    aht_seconds: Some(200.0),
                });
            }
        }
        out
    }

    fn input(scope: (&str, &str), change: (&str, f64), reason: &str) -> AdjustmentInput {
        let mut i = AdjustmentInput {
            reason: Some(reason.into()),
            ..Default::default()
        };
        match scope.0 {
            "date" => i.date = Some(date(scope.1)),
            _ => i.week = Some(date(scope.1)),
        }
        match change.0 {
            "percent" => i.percent = Some(change.1),
            _ => i.absolute = Some(change.1),
        }
        i
    }

    fn check(points: &[ForecastPoint], i: AdjustmentInput) -> Result<Adjustment, AdjustmentError> {
        Window::new(points, chrono_tz::UTC).check(i, now())
    }

    fn day_total(points: &[ForecastPoint], d: &str) -> f64 {
        points
            .iter()
            .filter(|p| p.start.date_naive() == date(d))
            .map(|p| p.volume)
            .sum()
    }

    #[test]
    fn week_percent_and_day_absolute_combine_in_any_order() {
        let points = week();
        let w = Window::new(&points, chrono_tz::UTC);
        let up = check(
            &points,
            input(("week", "2026-02-16"), ("percent", 10.0), "promo"),
        )
        .unwrap();
        let down = check(
            &points,
            input(("date", "2026-02-18"), ("absolute", -20.0), "outage"),
        )
        .unwrap();
        let a = w.apply(&[up.clone(), down.clone()]);
        assert_eq!(a, w.apply(&[down, up]));
        // Wednesday: 40 × 1.1 − 20 = 24, spread 1:3 → 10 × 1.1 − 5 and 30 × 1.1 − 15.
        assert!((day_total(&a, "2026-02-18") - 24.0).abs() < 1e-9);
        assert!((a[4].volume - 6.0).abs() < 1e-9);
        assert!((a[5].volume - 18.0).abs() < 1e-9);
        // Other days: ×1.1. Sunday stays closed.
        assert!((day_total(&a, "2026-02-16") - 44.0).abs() < 1e-9);
        assert_eq!(day_total(&a, "2026-02-22"), 0.0);
        // The week: 6 × 40 × 1.1 − 20.
        let total: f64 = a.iter().map(|p| p.volume).sum();
        assert!((total - 244.0).abs() < 1e-9);
        // Bands move by each interval's ratio: 6 / 10 at Wednesday 09:00.
        assert!((a[4].volume_p10 - 3.0).abs() < 1e-9);
        assert!((a[4].volume_p90 - 9.0).abs() < 1e-9);
        assert_eq!(a[4].aht_seconds, Some(200.0));
        // The statistical points are untouched.
        assert_eq!(points, week());
    }

    #[test]
    fn percents_multiply_and_nothing_goes_below_zero() {
        let points = week();
        let w = Window::new(&points, chrono_tz::UTC);
        let a = |scope, change| check(&points, input(scope, change, "r")).unwrap();
        let adjusted = w.apply(&[
            a(("date", "2026-02-16"), ("percent", 50.0)),
            a(("date", "2026-02-16"), ("percent", -50.0)),
        ]);
        // ×1.5 × 0.5 = ×0.75.
        assert!((day_total(&adjusted, "2026-02-16") - 30.0).abs() < 1e-9);
        // −40 on a 40-contact day after a −50 %: 20 − 40 clamps at zero.
        let adjusted = w.apply(&[
            a(("date", "2026-02-17"), ("percent", -50.0)),
            a(("date", "2026-02-17"), ("absolute", -40.0)),
        ]);
        assert_eq!(day_total(&adjusted, "2026-02-17"), 0.0);
        assert!(adjusted.iter().all(|p| p.volume_p10 >= 0.0));
    }

    #[test]
    fn no_adjustment_gives_the_statistical_series() {
        let points = week();
        assert_eq!(Window::new(&points, chrono_tz::UTC).apply(&[]), points);
    }

    #[test]
    fn weeks_are_local_and_may_run_past_the_window() {
        // The window is one Paris week: Mon 00:00 local is Sun 23:00 UTC.
        let start: DateTime<Utc> = "2026-02-15T23:00:00Z".parse().unwrap();
        let points: Vec<ForecastPoint> = (0..7 * 24)
            .map(|h| ForecastPoint {
                start: start + Duration::hours(h),
                volume: 1.0,
                volume_p10: 0.5,
                volume_p90: 2.0,
                aht_seconds: None,
            })
            .collect();
        let w = Window::new(&points, chrono_tz::Europe::Paris);
        let up = w
            .check(
                input(("week", "2026-02-16"), ("absolute", 168.0), "r"),
                now(),
            )
            .unwrap();
        let adjusted = w.apply(&[up]);
        // Every hour of the local week doubles, the first one included.
        assert!(adjusted.iter().all(|p| (p.volume - 2.0).abs() < 1e-9));
        // The week before is outside; the local Monday is inside.
        assert!(w
            .check(input(("week", "2026-02-09"), ("percent", 5.0), "r"), now())
            .is_err());
        assert!(w
            .check(input(("date", "2026-02-15"), ("percent", 5.0), "r"), now())
            .is_err());
    }

    #[test]
    fn errors_name_the_field() {
        let points = week();
        let field = |i: AdjustmentInput| check(&points, i).unwrap_err().field;
        let base = || input(("date", "2026-02-18"), ("percent", 10.0), "promo");
        assert_eq!(
            check(
                &points,
                AdjustmentInput {
                    percent: Some(-100.0),
                    ..base()
                }
            )
            .unwrap_err()
            .to_string(),
            "percent: must be > -100 (got -100): a forecast cannot go below zero"
        );
        assert_eq!(
            field(AdjustmentInput {
                percent: Some(f64::NAN),
                ..base()
            }),
            "percent"
        );
        assert_eq!(
            field(AdjustmentInput {
                percent: Some(5000.0),
                ..base()
            }),
            "percent"
        );
        assert_eq!(
            field(AdjustmentInput {
                percent: None,
                ..base()
            }),
            "percent"
        );
        assert_eq!(
            field(AdjustmentInput {
                absolute: Some(3.0),
                ..base()
            }),
            "absolute"
        );
        assert_eq!(
            field(AdjustmentInput {
                date: None,
                ..base()
            }),
            "date"
        );
        assert_eq!(
            field(AdjustmentInput {
                week: Some(date("2026-02-16")),
                ..base()
            }),
            "week"
        );
        assert_eq!(
            field(AdjustmentInput {
                date: Some(date("2026-02-23")),
                ..base()
            }),
            "date"
        );
        assert_eq!(
            field(AdjustmentInput {
                reason: None,
                ..base()
            }),
            "reason"
        );
        assert_eq!(
            field(AdjustmentInput {
                reason: Some("  ".into()),
                ..base()
            }),
            "reason"
        );
        assert_eq!(
            field(AdjustmentInput {
                reason: Some("x".repeat(501)),
                ..base()
            }),
            "reason"
        );
        // 500 characters (not bytes) is fine.
        assert!(check(
            &points,
            AdjustmentInput {
                reason: Some("é".repeat(500)),
                ..base()
            }
        )
        .is_ok());
        let wed_week = input(("week", "2026-02-18"), ("percent", 10.0), "r");
        assert!(check(&points, wed_week)
            .unwrap_err()
            .message
            .contains("a week starts on a Monday (2026-02-16)"));
        // Sunday is closed: no shape to spread contacts over.
        assert_eq!(
            field(input(("date", "2026-02-22"), ("absolute", 5.0), "r")),
            "absolute"
        );
        // More removed than forecast.
        assert_eq!(
            field(input(("date", "2026-02-18"), ("absolute", -41.0), "r")),
            "absolute"
        );
        assert!(check(
            &points,
            input(("date", "2026-02-18"), ("absolute", -40.0), "r")
        )
        .is_ok());
    }

    #[test]
    fn serves_the_shape_it_was_given() {
        let points = week();
        let a = check(
            &points,
            input(("week", "2026-02-16"), ("absolute", -5.0), " x "),
        )
        .unwrap();
        assert_eq!(a.reason, "x");
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({"week": "2026-02-16", "absolute": -5.0, "reason": "x",
                               "created_at": "2026-02-10T12:00:00Z"})
        );
        assert_eq!(
            Scope::from_parts(a.scope.kind(), a.scope.date()),
            Some(a.scope)
        );
        assert_eq!(
            Change::from_parts(a.change.kind(), a.change.value()),
            Some(a.change)
        );
        assert_eq!(Scope::from_parts("month", a.scope.date()), None);
    }
}
