//! `/what-if`: volume, handle time, goal and shrinkage in; agents and the
//! service level they give out, through the same use case as `POST
//! /api/v1/staffing/calculate` (one 30-minute voice interval).

use super::layout::{num, page, pct, run_stoppable, PageResult, Scripts};
use super::session::PageSession;
use crate::app::staffing::{calculate, StaffingPlan};
use crate::domain::{Channel, QueueSpec, ServiceGoal};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct WhatIf {
    pub volume: f64,
    pub aht_seconds: f64,
    pub service_level_percent: f64,
    pub answer_within_seconds: f64,
    pub shrinkage_percent: f64,
}

impl Default for WhatIf {
    fn default() -> Self {
        WhatIf {
            volume: 120.0,
            aht_seconds: 300.0,
            service_level_percent: 80.0,
            answer_within_seconds: 20.0,
            shrinkage_percent: 30.0,
        }
    }
}

pub async fn form(session: PageSession) -> PageResult {
    Ok(page(
        "What-if staffing",
        &session,
        Scripts::Plain,
        render(&WhatIf::default(), None, &session),
    ))
}

pub async fn submit(session: PageSession, body: actix_web::web::Form<WhatIf>) -> PageResult {
    let input = body.into_inner();
    let ask = input.clone();
    let plan = run_stoppable(move |stop| {
        let goal = ServiceGoal::new(
            ask.service_level_percent / 100.0,
            ask.answer_within_seconds,
            None,
            None,
        )?;
        let spec = QueueSpec::new(
            "what-if",
            Channel::Voice,
            30,
            "UTC",
            goal,
            ask.shrinkage_percent / 100.0,
            0.85,
        )?;
        calculate(&spec, &[(ask.volume, ask.aht_seconds)], stop)
    })
    .await?;
    Ok(page(
        "What-if staffing",
        &session,
        Scripts::Plain,
        render(&input, Some(&plan), &session),
    ))
}

pub fn render(input: &WhatIf, plan: Option<&StaffingPlan>, session: &PageSession) -> Markup {
    html! {
        form.box #what-if method="post" action="/what-if" {
            input type="hidden" name="csrf" value=(session.csrf());
            label { "contacts in 30 minutes " input type="number" name="volume" value=(input.volume) min="0" step="any" required; }
            label { "handle time (s) " input type="number" name="aht_seconds" value=(input.aht_seconds) min="1" step="any" required; }
            label { "goal: % answered " input type="number" name="service_level_percent" value=(input.service_level_percent) min="1" max="99.9" step="any" required; }
            label { "within (s) " input type="number" name="answer_within_seconds" value=(input.answer_within_seconds) min="0" step="any" required; }
            label { "shrinkage % " input type="number" name="shrinkage_percent" value=(input.shrinkage_percent) min="0" max="99" step="any" required; }
            button type="submit" { "Calculate" }
        }
        @if let Some(plan) = plan {
            @if let Some(r) = plan.intervals.first() {
                div.result #what-if-result {
                    p { b #agents-net { (r.agents_net) } " agents on the phones, " b #agents-rostered { (r.agents_with_shrinkage) } " rostered with shrinkage" }
                    p { "service level " b #service-level { (pct(Some(r.metrics.service_level))) } " · average wait " (num(r.metrics.asa_seconds, 1)) " s · occupancy " (pct(Some(r.metrics.occupancy))) }
                }
            }
        }
    }
}
