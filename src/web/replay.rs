//! `POST /schedules/{id}/replay` (a form on the coverage page): the
//! roster's promise next to reality. The queue's real calls of the
//! roster's days are replayed against it (the same use case as `POST
//! /api/v1/schedules/{id}/replay`), and each interval shows what the check
//! promised beside what the calls got.

use super::layout::{num, page, pct, run, PageResult, Scripts};
use super::session::PageSession;
use crate::app::replay::{replay_schedule, ReplayOptions, ReplayReport};
use crate::db::Database;
use crate::domain::ScheduleId;
use actix_web::web;
use maud::{html, Markup};

pub async fn replay(
    db: web::Data<Database>,
    session: PageSession,
    id: web::Path<i32>,
) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let report = run(move || replay_schedule(&db, id, &ReplayOptions::default())).await?;
    Ok(page(
        &format!("Schedule #{}: promise and real calls", id.0),
        &session,
        Scripts::Plain,
        render(&report),
    ))
}

pub fn render(r: &ReplayReport) -> Markup {
    let tz: chrono_tz::Tz = r.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let t = &r.totals;
    html! {
        p {
            a href=(format!("/schedules/{}/coverage", r.schedule_id.0)) { "Coverage" }
            " · " (r.replications) " replications · goal " (pct(Some(r.goal_service_level))) " in " (num(r.answer_within_seconds, 0)) " s"
        }
        table #replay-totals {
            thead { tr { th { "" } th.n { "Service level" } th.n { "Share of intervals meeting the goal" } } }
            tbody {
                tr { td { "promised (roster check)" } td.n { (pct(Some(t.promised_service_level))) } td.n { (pct(Some(t.promised_share_meeting_goal))) } }
                tr { td { "real calls replayed" } td.n #replayed-sl { (pct(Some(t.replayed.service_level))) } td.n { (pct(Some(t.replayed_share_meeting_goal))) } }
            }
        }
        p.note { (t.intervals_compared) " open intervals compared." }
        table #replay-intervals {
            thead { tr { th { "Interval" } th.n { "Agents" } th.n { "Calls" } th.n { "Promised SL" } th.n { "Chance of goal" } th.n { "Replayed SL" } th.n { "Abandoned" } } }
            tbody { @for i in &r.intervals {
                @let p = i.promised.as_ref();
                tr.short[p.is_some_and(|p| p.open) && i.replayed.service_level + 1e-9 < r.goal_service_level] {
                    td { (i.start.with_timezone(&tz).format("%a %d %H:%M")) }
                    td.n { (i.replayed.agents) }
                    td.n { (i.replayed.offered) }
                    td.n { (pct(p.map(|p| p.service_level))) }
                    td.n { (pct(p.and_then(|p| p.goal_probability))) }
                    td.n { (pct(Some(i.replayed.service_level))) }
                    td.n { (num(i.replayed.abandoned, 1)) }
                }
            } }
        }
    }
}
