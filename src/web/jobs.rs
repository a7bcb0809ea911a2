//! A schedule job's page (`/schedules/{id}`: a progress bar that polls
//! the job's status from `workspace.js`, cancel, publish) and the forms
//! that start work: a forecast, a roster, a capacity what-if. Each runs
//! the same use case as its API route, then sends the browser to the
//! page of what it made.

use super::layout::{num, page, run, run_stoppable, PageError, PageResult, Scripts};
use super::session::{see_other, PageSession};
use crate::api::error::ApiError;
use crate::app::forecast::{create_forecast_from, ForecastInput};
use crate::app::jobs::JobRunner;
use crate::app::publish::{publication_of, publish_schedule};
use crate::app::schedule::{cancel_schedule, schedule_summary, submit_schedule, ScheduleRequest};
use crate::auth::Permission;
use crate::db::schedules::{JobStatus, ScheduleRun};
use crate::db::Database;
use crate::domain::{ForecastId, InvalidValue, QueueId, ScheduleId};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// Longest search a page may start (the API takes what the job bounds take).
const MAX_PAGE_SEARCH_SECONDS: f64 = 300.0;

pub async fn show(db: web::Data<Database>, session: PageSession, id: web::Path<i32>) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let (run_, publication) = run(move || {
        let r = schedule_summary(&db, id)?;
        let p = publication_of(&db, id)?;
        Ok((r, p))
    })
    .await?;
    let state = serde_json::to_value(&publication)
        .ok()
        .and_then(|v| v["state"].as_str().map(str::to_string))
        .unwrap_or_else(|| "draft".into());
    Ok(page(
        &format!("Schedule #{}", id.0),
        &session,
        Scripts::Plain,
        render(&run_, &state, &session),
    ))
}

pub fn render(r: &ScheduleRun, publication: &str, session: &PageSession) -> Markup {
    let id = r.id.0;
    let finished = matches!(
        r.status,
        JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
    );
    let write = session.may(Permission::WritePlanning);
    html! {
        div #job data-id=(id) data-status=(r.status.as_str()) {
            p {
                "Forecast " a href=(format!("/forecasts/{}", r.forecast_id.0)) { "#" (r.forecast_id.0) }
                " · " (r.days) " days · status " b #job-status { (r.status.as_str()) }
                " · publication " b #publication { (publication) }
            }
            progress #job-progress max="100" value=(num(r.progress_percent, 0)) {}
            " " span #job-percent { (num(r.progress_percent, 0)) " %" }
            p #job-summary {
                "rostered hours " span #job-hours { (num(r.rostered_hours, 1)) }
                " · coverage " span #job-coverage { (num(r.coverage_percent, 1)) " %" }
                @if let Some(o) = r.best_objective { " · objective " (num(o, 1)) }
            }
            @if let Some(e) = &r.error { p.error { (e) } }
            // What the engine (or a re-roster for an interval confidence)
            // has to say about the roster; filled in by the page's poll too.
            ul #job-warnings hidden[r.warnings.is_empty()] {
                @for w in &r.warnings { li { (w) } }
            }
            p #job-links hidden[r.status != JobStatus::Done] {
                a href=(format!("/schedules/{id}/roster")) { "Roster" }
                @if session.may(Permission::ReadPlanning) {
                    " · " a href=(format!("/schedules/{id}/coverage")) { "Coverage" }
                }
            }
            @if write {
                form.inline #cancel-job method="post" action=(format!("/schedules/{id}/cancel")) hidden[finished] {
                    input type="hidden" name="csrf" value=(session.csrf());
                    button type="submit" { "Cancel" }
                }
                form.inline #publish-job method="post" action=(format!("/schedules/{id}/publish")) hidden[r.status != JobStatus::Done] {
                    input type="hidden" name="csrf" value=(session.csrf());
                    button type="submit" { "Publish for HR" }
                }
            }
        }
    }
}

/// The job's status for the progress bar: the same JSON as `GET
/// /api/v1/schedules/{id}`, for the signed-in page (cookies, not keys).
pub async fn status(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let r = crate::api::blocking(move || schedule_summary(&db, id)).await?;
    Ok(HttpResponse::Ok().json(r))
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    days: u32,
    time_limit_seconds: f64,
}

pub async fn start_schedule(
    db: web::Data<Database>,
    jobs: web::Data<JobRunner>,
    id: web::Path<i32>,
    form: web::Form<ScheduleForm>,
) -> PageResult {
    let form = form.into_inner();
    if !(1.0..=MAX_PAGE_SEARCH_SECONDS).contains(&form.time_limit_seconds) {
        return Err(PageError(
            InvalidValue::new(
                "time_limit_seconds",
                format!("give 1 to {MAX_PAGE_SEARCH_SECONDS} seconds"),
            )
            .into(),
        ));
    }
    let request = ScheduleRequest {
        time_limit_seconds: form.time_limit_seconds,
        ..ScheduleRequest::new(ForecastId(id.into_inner()), None, form.days)
    };
    let db = db.into_inner();
    let r = run(move || submit_schedule(&db, &request)).await?;
    jobs.submit(r.id);
    tracing::info!(schedule = r.id.0, "schedule job queued from the workspace");
    Ok(see_other(&format!("/schedules/{}", r.id.0)))
}

pub async fn cancel(db: web::Data<Database>, id: web::Path<i32>) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    run(move || cancel_schedule(&db, id)).await?;
    Ok(see_other(&format!("/schedules/{}", id.0)))
}

pub async fn publish(
    db: web::Data<Database>,
    session: PageSession,
    id: web::Path<i32>,
) -> PageResult {
    let id = ScheduleId(id.into_inner());
    let db = db.into_inner();
    let by = Some(session.key.id);
    run(move || publish_schedule(&db, id, by)).await?;
    Ok(see_other(&format!("/schedules/{}", id.0)))
}

#[derive(Deserialize)]
pub struct ForecastForm {
    model: String,
}

pub async fn start_forecast(
    db: web::Data<Database>,
    id: web::Path<i32>,
    form: web::Form<ForecastForm>,
) -> PageResult {
    let id = QueueId(id.into_inner());
    let input = ForecastInput {
        model: Some(form.into_inner().model),
        ..Default::default()
    };
    let db = db.into_inner();
    let created = run_stoppable(move |stop| create_forecast_from(&db, id, input, stop)).await?;
    tracing::info!(
        queue = id.0,
        forecast = created.run.id.0,
        "forecast stored from the workspace"
    );
    Ok(see_other(&format!("/forecasts/{}", created.run.id.0)))
}

#[derive(Deserialize)]
pub struct CapacityForm {
    headcount: f64,
    attrition_percent: f64,
    training_weeks: u32,
}

/// A capacity what-if from a forecast: today's head count, attrition and
/// training, everything else the plan's defaults and the queue's.
pub async fn start_capacity(
    db: web::Data<Database>,
    id: web::Path<i32>,
    form: web::Form<CapacityForm>,
) -> PageResult {
    let forecast = ForecastId(id.into_inner());
    let form = form.into_inner();
    let plan = serde_json::json!({
        "current_fte": form.headcount,
        "attrition_percent_per_month": form.attrition_percent,
        "cost_per_hour": 20.0,
        "new_hires": {"training_weeks": form.training_weeks},
    });
    let plan: crate::capacity::PlanConfig = serde_json::from_value(plan)
        .map_err(|e| PageError(InvalidValue::new("plan", e.to_string()).into()))?;
    let db = db.into_inner();
    let stored = run(move || {
        let queue = crate::app::forecast::forecast_run(&db, forecast)?.queue_id;
        crate::app::capacity::create_capacity_plan(
            &db,
            queue,
            forecast,
            crate::capacity::CapacityRequest {
                plan,
                variants: Vec::new(),
            },
        )
    })
    .await?;
    Ok(see_other(&format!("/capacity-plans/{}", stored.id.0)))
}

#[derive(Deserialize)]
pub struct AdjustForm {
    date: chrono::NaiveDate,
    percent: f64,
    reason: String,
}

/// A planner's override of one day of a forecast (`+15` % for a campaign):
/// the same check and store as `POST /api/v1/forecasts/{id}/adjustments`.
pub async fn adjust(
    db: web::Data<Database>,
    id: web::Path<i32>,
    form: web::Form<AdjustForm>,
) -> PageResult {
    let id = ForecastId(id.into_inner());
    let form = form.into_inner();
    let input = crate::forecast::adjustments::AdjustmentInput {
        date: Some(form.date),
        percent: Some(form.percent),
        reason: Some(form.reason),
        ..Default::default()
    };
    let db = db.into_inner();
    run(move || crate::app::forecast::add_adjustments(&db, id, vec![input])).await?;
    Ok(see_other(&format!("/forecasts/{}", id.0)))
}
