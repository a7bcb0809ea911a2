//! `/schedules/{id}/coverage`: requirement against scheduled agents per
//! interval (server SVG), short intervals highlighted with the rule that
//! binds (the engine's shortfall report), and the service level the
//! roster gives per interval (Erlang check).

use super::layout::{num, page, pct, run, PageResult, Scripts};
use super::session::PageSession;
use super::svg::{c, nice_max, y_axis};
use crate::app::workspace::{coverage, Coverage};
use crate::db::Database;
use crate::domain::ScheduleId;
use actix_web::web;
use maud::{html, Markup};

pub async fn show(db: web::Data<Database>, session: PageSession, id: web::Path<i32>) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let data = run(move || coverage(&db, id)).await?;
    Ok(page(
        &format!("Coverage of schedule #{}", id.0),
        &session,
        Scripts::Plain,
        html! {
            (render(&data))
            @if session.may(crate::auth::Permission::WritePlanning) {
                form.box #replay method="post" action=(format!("/schedules/{}/replay", data.run.id.0)) {
                    input type="hidden" name="csrf" value=(session.csrf());
                    b { "Promise against reality " }
                    "replay the queue's real calls of these days (imported with POST /api/v1/queues/{id}/calls) against this roster "
                    button type="submit" { "Replay" }
                }
            }
        },
    ))
}

const LEFT: f64 = 40.0;
const STEP: f64 = 4.0;
const TOP: f64 = 10.0;
const HEIGHT: f64 = 220.0;

pub fn render(data: &Coverage) -> Markup {
    let tz = data.queue.spec.time_zone;
    let goal = data.queue.spec.goal.service_level();
    let n = data.intervals.len();
    let width = LEFT + STEP * n as f64 + 10.0;
    let bottom = TOP + HEIGHT;
    let max = nice_max(
        data.intervals
            .iter()
            .map(|i| i.required.max(f64::from(i.scheduled)))
            .fold(0.0, f64::max),
    );
    let y = |v: f64| bottom - HEIGHT * v / max;
    let x = |i: usize| LEFT + STEP * i as f64;
    let required: Vec<String> = data
        .intervals
        .iter()
        .enumerate()
        .flat_map(|(i, iv)| {
            [
                format!("{},{}", c(x(i)), c(y(iv.required))),
                format!("{},{}", c(x(i + 1)), c(y(iv.required))),
            ]
        })
        .collect();
    let short: Vec<_> = data
        .intervals
        .iter()
        .filter(|i| i.short.is_some())
        .collect();
    let sl_bottom = bottom + 130.0;
    let sl_y = |v: f64| sl_bottom - 100.0 * v;
    let local =
        |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%a %d %H:%M").to_string();
    html! {
        p {
            "Schedule " a href=(format!("/schedules/{}", data.run.id.0)) { "#" (data.run.id.0) }
            " · " a href=(format!("/schedules/{}/roster", data.run.id.0)) { "roster" }
            " · service level of the roster " b { (pct(Some(data.service_level))) }
            " (goal " (pct(Some(goal))) ") · " (short.len()) " short intervals · "
            span #coin-tosses { (data.intervals.iter().filter(|i| i.chance_of_goal.is_some_and(|c| c < 0.5)).count()) }
            " intervals more likely to miss the goal than to meet it"
        }
        div.chart {
            svg #coverage-chart width=(c(width)) height=(c(sl_bottom + 20.0)) viewBox=(format!("0 0 {} {}", c(width), c(sl_bottom + 20.0))) role="img" {
                title { "Agents required and scheduled per interval; service level per interval below" }
                (y_axis(max, 5, LEFT, width - 10.0, TOP, bottom))
                @for (i, iv) in data.intervals.iter().enumerate() {
                    @if let Some((s, rule)) = &iv.short {
                        rect.short x=(c(x(i))) y=(c(TOP)) width=(c(STEP)) height=(c(HEIGHT)) data-start=(iv.start.to_rfc3339()) {
                            title { (local(iv.start)) ": short " (num(*s, 1)) @if let Some(r) = rule { " — " (r) } }
                        }
                    }
                    @if iv.scheduled > 0 {
                        rect.scheduled x=(c(x(i))) y=(c(y(f64::from(iv.scheduled)))) width=(c(STEP)) height=(c(bottom - y(f64::from(iv.scheduled)))) {}
                    }
                }
                polyline.required points=(required.join(" ")) {}
                // Day boundaries, labelled with the local day.
                @for (i, iv) in data.intervals.iter().enumerate() {
                    @if i == 0 || iv.start.with_timezone(&tz).date_naive() != data.intervals[i - 1].start.with_timezone(&tz).date_naive() {
                        line.grid x1=(c(x(i))) x2=(c(x(i))) y1=(c(TOP)) y2=(c(sl_bottom)) {}
                        text x=(c(x(i) + 3.0)) y=(c(bottom + 14.0)) { (iv.start.with_timezone(&tz).format("%a %d")) }
                    }
                }
                line.grid x1=(c(LEFT)) x2=(c(width - 10.0)) y1=(c(sl_y(goal))) y2=(c(sl_y(goal))) {}
                text x=(c(LEFT - 4.0)) y=(c(sl_y(goal) + 4.0)) text-anchor="end" { "goal" }
                @for (i, iv) in data.intervals.iter().enumerate() {
                    @if let Some(sl) = iv.service_level {
                        rect class=(if sl + 1e-9 >= goal { "sl-ok" } else { "sl-low" }) x=(c(x(i))) y=(c(sl_y(sl))) width=(c(STEP)) height=(c(sl_bottom - sl_y(sl))) {}
                    }
                }
            }
        }
        p.note { "Line: agents required (shrinkage included) · blue: agents scheduled on the phones · red: short intervals (hover for the binding rule) · lower band: service level each interval gets (green at or above the goal)." }
        h2 { "Short intervals" }
        @if short.is_empty() {
            p #no-short { "None: every interval has the agents it needs." }
        } @else {
            table #short-intervals {
                thead { tr { th { "Interval" } th.n { "Required" } th.n { "Scheduled" } th.n { "Short" } th { "Rule that binds" } } }
                tbody { @for iv in &short {
                    tr.short {
                        td { (local(iv.start)) } td.n { (num(iv.required, 0)) } td.n { (iv.scheduled) }
                        td.n { (iv.short.as_ref().map_or("–".into(), |(s, _)| num(*s, 1))) }
                        td { (iv.short.as_ref().and_then(|(_, r)| r.clone()).unwrap_or_else(|| "–".into())) }
                    }
                } }
            }
        }
        details {
            summary { "Every interval: the service level at the forecast and the chance of meeting the goal with the volume anywhere in its band" }
            table #coverage-table {
                thead { tr { th { "Interval" } th.n { "Required" } th.n { "Scheduled" } th.n { "Expected service level" } th.n { "Chance of meeting the goal" } } }
                tbody { @for iv in &data.intervals {
                    tr.short[iv.short.is_some()] {
                        td { (local(iv.start)) } td.n { (num(iv.required, 0)) } td.n { (iv.scheduled) } td.n { (pct(iv.service_level)) } td.n { (pct(iv.chance_of_goal)) }
                    }
                } }
            }
        }
    }
}
