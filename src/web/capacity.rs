//! `/capacity-plans/{id}`: weekly FTE required against available (server
//! SVG), the gap, the hiring classes the plan recommends, and its totals.

use super::layout::{num, page, run, PageResult, Scripts};
use super::session::PageSession;
use super::svg::{c, nice_max, y_axis};
use crate::app::capacity::capacity_plan;
use crate::db::capacity_plans::StoredCapacityPlan;
use crate::db::Database;
use crate::domain::CapacityPlanId;
use actix_web::web;
use maud::{html, Markup};

pub async fn show(db: web::Data<Database>, session: PageSession, id: web::Path<i32>) -> PageResult {
    let id = CapacityPlanId(id.into_inner());
    let db = db.into_inner();
    let plan = run(move || capacity_plan(&db, id)).await?;
    Ok(page(
        &format!("Capacity plan #{}", id.0),
        &session,
        Scripts::Plain,
        render(&plan),
    ))
}

pub fn render(stored: &StoredCapacityPlan) -> Markup {
    html! {
        p {
            "From forecast " a href=(format!("/forecasts/{}", stored.forecast_id.0)) { "#" (stored.forecast_id.0) }
            " · " (stored.result.forecast_weeks) " weeks from " (stored.result.forecast_first_week)
        }
        @for s in &stored.result.scenarios {
            h2 { "Scenario: " (s.name) }
            p {
                "Peak " (s.peak.first_week) " – " (s.peak.last_week) ", busiest week " (s.peak.max_week)
                " needs " b { (num(s.peak.max_required_fte, 1)) " FTE" }
            }
            (chart(s))
            p.note { "Line: FTE required · blue: FTE available (pool, classes, flex) · red: the gap." }
            h3 { "Hiring classes" }
            @if s.recommended_classes.is_empty() {
                p { "No class needed." }
            } @else {
                table.classes {
                    thead { tr { th { "Start" } th { "Latest start" } th.n { "Size" } th.n { "Training weeks" } th { "Productive from" } th.n { "Cost" } } }
                    tbody { @for k in &s.recommended_classes {
                        tr { td { (k.start_week) } td { (k.latest_start_week) } td.n { (k.size) } td.n { (k.training_weeks) } td { (k.first_productive_week) } td.n { (num(k.cost, 0)) } }
                    } }
                }
            }
            details {
                summary { "Every week" }
                table.weeks {
                    thead { tr { th { "Week" } th.n { "Required FTE" } th.n { "Available FTE" } th.n { "Gap" } } }
                    tbody { @for w in &s.weeks {
                        tr.short[w.gap_fte > 1e-6] { td { (w.week_start) } td.n { (num(w.required_fte, 1)) } td.n { (num(w.available_fte, 1)) } td.n { (num(w.gap_fte, 1)) } }
                    } }
                }
            }
            @for n in &s.notes { p.note { (n) } }
        }
    }
}

fn chart(s: &crate::capacity::ScenarioResult) -> Markup {
    const LEFT: f64 = 40.0;
    const STEP: f64 = 14.0;
    const TOP: f64 = 10.0;
    const HEIGHT: f64 = 200.0;
    let n = s.weeks.len();
    let width = LEFT + STEP * n as f64 + 10.0;
    let bottom = TOP + HEIGHT;
    let max = nice_max(
        s.weeks
            .iter()
            .map(|w| w.required_fte.max(w.available_fte))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    );
    let y = |v: f64| bottom - HEIGHT * (if v.is_finite() { v } else { 0.0 }) / max;
    let x = |i: usize| LEFT + STEP * i as f64;
    let line: Vec<String> = s
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{},{}", c(x(i) + STEP / 2.0), c(y(w.required_fte))))
        .collect();
    html! {
        div.chart {
            svg.capacity-chart width=(c(width)) height=(c(bottom + 20.0)) viewBox=(format!("0 0 {} {}", c(width), c(bottom + 20.0))) role="img" {
                title { "FTE required and available per week" }
                (y_axis(max, 5, LEFT, width - 10.0, TOP, bottom))
                @for (i, w) in s.weeks.iter().enumerate() {
                    rect.available x=(c(x(i) + 1.0)) y=(c(y(w.available_fte))) width=(c(STEP - 2.0)) height=(c(bottom - y(w.available_fte))) {
                        title { (w.week_start) ": " (num(w.available_fte, 1)) " available, " (num(w.required_fte, 1)) " required" }
                    }
                    @if w.gap_fte > 1e-6 {
                        rect.gap x=(c(x(i) + 1.0)) y=(c(y(w.required_fte))) width=(c(STEP - 2.0)) height=(c(y(w.available_fte) - y(w.required_fte))) {}
                    }
                    @if i % 4 == 0 { text x=(c(x(i))) y=(c(bottom + 14.0)) { (w.week_start.format("%d %b")) } }
                }
                polyline.required points=(line.join(" ")) {}
            }
        }
    }
}
