//! Every API path, built from typed parts, so no test spells out
//! `/api/v1/...` by hand. Ids are anything that prints (an `i64`, a
//! `ScheduleId`, or a deliberately bad `"abc"`).

use std::fmt::Display;

const API: &str = "/api/v1";

pub const HEALTH: &str = "/healthz";

/// `path?key=value&...` (values are plain: ids, dates and format names).
pub fn with_query(path: impl Into<String>, params: &[(&str, &dyn Display)]) -> String {
    let mut out = path.into();
    for (i, (key, value)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&format!("{key}={value}"));
    }
    out
}

pub fn queues() -> String {
    format!("{API}/queues")
}

pub fn queue(queue: impl Display) -> String {
    format!("{API}/queues/{queue}")
}

pub fn queue_history(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/history")
}

pub fn queue_calls(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/calls")
}

pub fn queue_calls_summary(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/calls/summary")
}

pub fn queue_special_days(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/special-days")
}

pub fn queue_special_day(queue: impl Display, date: impl Display) -> String {
    format!("{API}/queues/{queue}/special-days/{date}")
}

pub fn queue_agents(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/agents")
}

pub fn agent(agent: impl Display) -> String {
    format!("{API}/agents/{agent}")
}

pub fn agent_by_external_id(hr_id: impl Display) -> String {
    format!("{API}/agents/by-external-id/{hr_id}")
}

pub fn queue_forecasts(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/forecasts")
}

pub fn forecast(forecast: impl Display) -> String {
    format!("{API}/forecasts/{forecast}")
}

pub fn forecast_requirements(forecast: impl Display) -> String {
    format!("{API}/forecasts/{forecast}/requirements")
}

pub fn forecast_accuracy(forecast: impl Display) -> String {
    format!("{API}/forecasts/{forecast}/accuracy")
}

pub fn forecast_adjustments(forecast: impl Display) -> String {
    format!("{API}/forecasts/{forecast}/adjustments")
}

pub fn forecast_adjustment(forecast: impl Display, adjustment: impl Display) -> String {
    format!("{API}/forecasts/{forecast}/adjustments/{adjustment}")
}

pub fn queue_capacity_plans(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/capacity-plans")
}

pub fn capacity_plan(plan: impl Display) -> String {
    format!("{API}/capacity-plans/{plan}")
}

pub fn staffing_calculate() -> String {
    format!("{API}/staffing/calculate")
}

pub fn schedules() -> String {
    format!("{API}/schedules")
}

pub fn schedule(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}")
}

pub fn schedule_roster(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/roster")
}

pub fn schedule_check(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/check")
}

pub fn schedule_shortfall(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/shortfall")
}

pub fn schedule_simulate(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/simulate")
}

pub fn schedule_replay(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/replay")
}

pub fn keys() -> String {
    format!("{API}/keys")
}

pub fn key(key: impl Display) -> String {
    format!("{API}/keys/{key}")
}

pub fn audit() -> String {
    format!("{API}/audit")
}

pub fn schedule_publish(schedule: impl Display) -> String {
    format!("{API}/schedules/{schedule}/publish")
}

pub fn rosters() -> String {
    format!("{API}/rosters")
}

pub fn agent_calendar_feed(agent: impl Display) -> String {
    format!("{API}/agents/{agent}/calendar-feed")
}

pub fn queue_opening_hours(queue: impl Display) -> String {
    format!("{API}/queues/{queue}/opening-hours")
}
