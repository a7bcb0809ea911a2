//! `/schedules/{id}/roster`: the roster as a Gantt chart drawn on the
//! server (one row per agent, one `<rect class="shift">` per shift and
//! one `<rect class="break">` per break), filtered by day and agent, with
//! each agent's hours a week against their contract's bounds.

use super::layout::{num, page, run, PageError, PageResult, Scripts};
use super::session::PageSession;
use super::svg::c;
use crate::app::schedule::{paid_hours, RosterFilter};
use crate::app::workspace::{roster_page, RosterPage};
use crate::db::Database;
use crate::domain::{AgentId, InvalidValue, ScheduleId};
use actix_web::web;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The filter form's fields; an empty one (the "every day" / "everyone"
/// choice) filters nothing.
#[derive(Deserialize)]
pub struct GanttQuery {
    /// Only shifts starting on this local day (YYYY-MM-DD).
    day: Option<String>,
    /// Only this agent's shifts (an agent id).
    agent: Option<String>,
}

impl GanttQuery {
    fn filter(&self) -> Result<RosterFilter, PageError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let date = given(&self.day)
            .map(|d| {
                d.parse::<NaiveDate>().map_err(|_| {
                    InvalidValue::new("day", format!("'{d}' is not a date (YYYY-MM-DD)"))
                })
            })
            .transpose()?;
        let agent = given(&self.agent)
            .map(|a| {
                a.parse::<i32>()
                    .map(AgentId)
                    .map_err(|_| InvalidValue::new("agent", format!("'{a}' is not an agent id")))
            })
            .transpose()?;
        Ok(RosterFilter { agent, date })
    }
}

pub async fn show(
    db: web::Data<Database>,
    session: PageSession,
    id: web::Path<i32>,
    query: web::Query<GanttQuery>,
) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let filter = query.into_inner().filter()?;
    let db = db.into_inner();
    let data = run(move || roster_page(&db, id, filter)).await?;
    Ok(page(
        &format!("Roster of schedule #{}", id.0),
        &session,
        Scripts::Plain,
        render(&data, filter),
    ))
}

const LABEL: f64 = 170.0;
const CHART: f64 = 1100.0;
const ROW: f64 = 16.0;
const TOP: f64 = 22.0;

pub fn render(data: &RosterPage, filter: RosterFilter) -> Markup {
    let r = &data.roster;
    let tz = r.time_zone;
    let first_day = r.run.week_start.with_timezone(&tz).date_naive();
    let days: Vec<NaiveDate> = (0..r.run.days)
        .map(|d| first_day + Duration::days(i64::from(d)))
        .collect();
    let day_start = |d: NaiveDate| -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map_or(r.run.week_start, |t| t.with_timezone(&Utc))
    };
    let (from, to) = match filter.date {
        Some(d) => (day_start(d), day_start(d + Duration::days(1))),
        None => (
            day_start(first_day),
            day_start(first_day + Duration::days(i64::from(r.run.days))),
        ),
    };
    let span = (to - from).num_seconds().max(1) as f64;
    let x =
        |t: DateTime<Utc>| LABEL + CHART * ((t - from).num_seconds() as f64 / span).clamp(0.0, 1.0);
    // One row per agent with shifts here, in name order.
    let mut rows: BTreeMap<(String, i32), Vec<&crate::db::schedules::RosterShift>> =
        BTreeMap::new();
    for s in &r.shifts {
        rows.entry((s.agent_name.clone(), s.agent_id.0))
            .or_default()
            .push(s);
    }
    let height = TOP + ROW * rows.len() as f64 + 4.0;
    let weeks = f64::from(r.run.days) / 7.0;
    let hours: BTreeMap<i32, f64> = r.shifts.iter().fold(BTreeMap::new(), |mut m, s| {
        *m.entry(s.agent_id.0).or_default() += paid_hours(s);
        m
    });
    let base = format!("/schedules/{}/roster", r.run.id.0);
    html! {
        p {
            "Schedule " a href=(format!("/schedules/{}", r.run.id.0)) { "#" (r.run.id.0) }
            " · " (r.shifts.len()) " shifts · " (rows.len()) " agents · times in " (tz.name())
        }
        form.box #roster-filter method="get" action=(base) {
            label { "day "
                select name="day" {
                    option value="" selected[filter.date.is_none()] { "every day" }
                    @for d in &days { option value=(d) selected[filter.date == Some(*d)] { (d.format("%a %Y-%m-%d")) } }
                }
            }
            label { "agent "
                select name="agent" {
                    option value="" selected[filter.agent.is_none()] { "everyone" }
                    @for a in &data.agents { option value=(a.id.0) selected[filter.agent == Some(a.id)] { (a.name) } }
                }
            }
            button type="submit" { "Show" }
        }
        div.chart {
            svg #gantt width=(c(LABEL + CHART + 10.0)) height=(c(height)) viewBox=(format!("0 0 {} {}", c(LABEL + CHART + 10.0), c(height))) data-shifts=(r.shifts.len()) role="img" {
                title { "Shifts per agent; yellow: breaks" }
                @if filter.date.is_some() {
                    @for h in (0..=24).step_by(2) {
                        @let t = from + Duration::hours(h);
                        line.grid x1=(c(x(t))) x2=(c(x(t))) y1="14" y2=(c(height)) {}
                        text x=(c(x(t))) y="12" text-anchor="middle" { (format!("{h:02}")) }
                    }
                } @else {
                    @for d in &days {
                        line.grid x1=(c(x(day_start(*d)))) x2=(c(x(day_start(*d)))) y1="14" y2=(c(height)) {}
                        text x=(c(x(day_start(*d)) + 2.0)) y="12" { (d.format("%a %d")) }
                    }
                }
                @for (row, ((name, _), shifts)) in rows.iter().enumerate() {
                    @let y = TOP + ROW * row as f64;
                    text x="4" y=(c(y + 11.0)) { (name) }
                    @for s in shifts {
                        rect.shift x=(c(x(s.start))) y=(c(y + 1.0)) width=(c((x(s.end) - x(s.start)).max(1.0))) height=(c(ROW - 3.0)) {
                            title { (name) ": " (s.start.with_timezone(&tz).format("%a %H:%M")) "–" (s.end.with_timezone(&tz).format("%H:%M")) }
                        }
                        @for b in &s.breaks {
                            rect.break x=(c(x(b.start))) y=(c(y + 1.0)) width=(c((x(b.end) - x(b.start)).max(1.0))) height=(c(ROW - 3.0)) {}
                        }
                    }
                }
            }
        }
        h2 { "Hours per agent" }
        table #agent-hours {
            thead { tr { th { "Agent" } th.n { "Shifts" } th.n { "Paid hours a week" } th.n { "Contract min" } th.n { "Contract max" } } }
            tbody { @for a in &data.agents {
                @if filter.agent.is_none_or(|f| f == a.id) {
                    @let h = hours.get(&a.id.0).copied().unwrap_or(0.0) / weeks;
                    @let out = filter.date.is_none() && (h + 1e-6 < a.min_week_hours || h > a.max_week_hours + 1e-6);
                    tr.out[out] {
                        td { a href=(format!("{base}?agent={}", a.id.0)) { (a.name) } }
                        td.n { (r.shifts.iter().filter(|s| s.agent_id == a.id).count()) }
                        td.n.hours { (num(h, 1)) }
                        td.n { (num(a.min_week_hours, 1)) }
                        td.n { (num(a.max_week_hours, 1)) }
                    }
                }
            } }
        }
    }
}
