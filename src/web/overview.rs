//! `/`: every queue with its channel, goal, history span, and links to its
//! latest forecast, roster and capacity plan.

use super::layout::{page, run, PageResult, Scripts};
use super::session::PageSession;
use crate::app::workspace::{overview, QueueOverview};
use crate::auth::Permission;
use crate::db::Database;
use actix_web::web;
use maud::{html, Markup};

pub async fn queues(db: web::Data<Database>, session: PageSession) -> PageResult {
    let db = db.into_inner();
    let planning = session.may(Permission::ReadPlanning);
    let rows = run(move || overview(&db, planning)).await?;
    Ok(page(
        "Queues",
        &session,
        Scripts::Plain,
        render(&rows, &session),
    ))
}

pub fn render(rows: &[QueueOverview], session: &PageSession) -> Markup {
    let planning = session.may(Permission::ReadPlanning);
    let write = session.may(Permission::WritePlanning);
    html! {
        @if rows.is_empty() {
            p { "No queues yet: create one and import its history over the API (see the README)." }
        } @else {
            table #queues {
                thead { tr {
                    th { "Queue" } th { "Channel" } th { "Goal" } th { "History" }
                    @if planning { th { "Latest forecast" } th { "Capacity plan" } }
                    th { "Latest roster" }
                    @if write { th { "Actions" } }
                } }
                tbody {
                    @for row in rows { (queue_row(row, planning, write, session)) }
                }
            }
        }
    }
}

fn queue_row(row: &QueueOverview, planning: bool, write: bool, session: &PageSession) -> Markup {
    let spec = &row.queue.spec;
    let goal = &spec.goal;
    let tz = spec.time_zone;
    let day =
        |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d").to_string();
    html! {
        tr data-queue=(row.queue.id.0) {
            td { (spec.name) br; small { (tz.name()) } }
            td { (spec.channel.as_str()) }
            td { (format!("{:.0} % in {:.0} s", goal.service_level() * 100.0, goal.answer_within_seconds())) }
            td {
                @match (row.history.first, row.history.last) {
                    (Some(first), Some(last)) => { (day(first)) " – " (day(last)) br; small { (row.history.rows) " intervals" } }
                    _ => { "none" }
                }
            }
            @if planning {
                td {
                    @if let Some(f) = &row.latest_forecast {
                        a href=(format!("/forecasts/{}", f.id.0)) { "#" (f.id.0) " " (f.model) }
                        br; small { (day(f.from)) " – " (day(f.to)) }
                    } @else { "none" }
                }
                td {
                    @if let Some(p) = row.latest_capacity_plan {
                        a href=(format!("/capacity-plans/{}", p.0)) { "plan #" (p.0) }
                    } @else { "none" }
                }
            }
            td {
                @if let Some(s) = &row.latest_schedule {
                    @let id = s.schedule.id.0;
                    a href=(format!("/schedules/{id}")) { "#" (id) " " (s.schedule.status.as_str()) }
                    " · " a href=(format!("/schedules/{id}/roster")) { "roster" }
                    @if planning { " · " a href=(format!("/schedules/{id}/coverage")) { "coverage" } }
                    br; small { (s.schedule.first_day) " – " (s.schedule.last_day) }
                } @else { "none" }
            }
            @if write {
                td {
                    form.inline method="post" action=(format!("/queues/{}/forecasts", row.queue.id.0)) {
                        input type="hidden" name="csrf" value=(session.csrf());
                        select name="model" {
                            option value="auto" selected { "best by backtest" }
                            option value="weekly_average" { "weekly average" }
                            option value="seasonal_naive" { "seasonal naive" }
                        }
                        button type="submit" { "Forecast the next week" }
                    }
                }
            }
        }
    }
}
