//! `/forecasts/{id}`: history and forecast on one time axis (uPlot, with
//! the p10–p90 band shaded and special days marked, zoom from 18 months to
//! a day), the backtest table, and forecast against actuals once imported.
//! Planners start a roster or a capacity plan from here.

use super::layout::{data_block, num, page, pct, run, PageResult, Scripts};
use super::session::PageSession;
use crate::app::workspace::{forecast_page, ForecastPage};
use crate::auth::Permission;
use crate::db::Database;
use crate::domain::ForecastId;
use crate::forecast::adjustments::{Change, Scope};
use crate::staffing::offered::OfferedSource;
use actix_web::web;
use maud::{html, Markup};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub async fn show(db: web::Data<Database>, session: PageSession, id: web::Path<i32>) -> PageResult {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let data = run(move || forecast_page(&db, id)).await?;
    let title = format!("Forecast #{} · {}", id.0, data.queue.spec.name);
    Ok(page(
        &title,
        &session,
        Scripts::Charts,
        render(&data, &session),
    ))
}

/// The chart's series on one time axis (Unix seconds): history (and
/// actuals), p50, p10, p90, and the adjusted forecast when there is one.
pub fn chart_data(data: &ForecastPage) -> Value {
    let mut rows: BTreeMap<i64, [Option<f64>; 5]> = BTreeMap::new();
    for h in &data.history {
        rows.entry(h.start.timestamp()).or_default()[0] = Some(h.volume);
    }
    for p in &data.view.points {
        let row = rows.entry(p.start.timestamp()).or_default();
        row[1] = Some(p.volume);
        row[2] = Some(p.volume_p10);
        row[3] = Some(p.volume_p90);
    }
    if let Some(adjusted) = &data.view.adjusted {
        for p in adjusted {
            rows.entry(p.start.timestamp()).or_default()[4] = Some(p.volume);
        }
    }
    let column = |i: usize| -> Vec<Option<f64>> { rows.values().map(|r| r[i]).collect() };
    let tz = data.view.time_zone;
    let special: Vec<Value> = data
        .special_days
        .iter()
        .filter_map(|d| {
            let start = d
                .day
                .and_hms_opt(0, 0, 0)?
                .and_local_timezone(tz)
                .earliest()?;
            Some(json!({"t": start.timestamp(), "name": d.name, "kind": d.kind}))
        })
        .collect();
    json!({
        "x": rows.keys().collect::<Vec<_>>(),
        "history": column(0),
        "p50": column(1),
        "p10": column(2),
        "p90": column(3),
        "adjusted": data.view.adjusted.as_ref().map(|_| column(4)),
        "from": data.view.run.from.timestamp(),
        "to": data.view.run.to.timestamp(),
        "special": special,
    })
}

pub fn render(data: &ForecastPage, session: &PageSession) -> Markup {
    let run = &data.view.run;
    let tz = data.view.time_zone;
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    let total: f64 = data.view.points.iter().map(|p| p.volume).sum();
    html! {
        p {
            "Queue " a href="/" { (data.queue.spec.name) } " (" (tz.name()) ") · model " b { (run.model) }
            " · " (local(run.from)) " – " (local(run.to))
            " · " (num(total, 0)) " contacts forecast · history to " (local(run.history_end))
        }
        @if let Some(o) = &run.goal.offered {
            p.note #offered {
                "Staffing takes " b { (pct(Some(o.share))) } " of this forecast, the contacts that reach agents: "
                @match o.source {
                    OfferedSource::Queue => { "the queue's offered_percent." }
                    OfferedSource::CallRecords { calls, counted, .. } => {
                        "learnt from " (calls) " call records before the origin, where the history counts " (num(counted, 0)) "."
                    }
                }
            }
        }
        div.zoom #zoom {
            "Zoom: "
            @for (days, label) in [(548, "18 months"), (91, "3 months"), (28, "4 weeks"), (7, "1 week"), (1, "1 day")] {
                button type="button" data-days=(days) { (label) }
            }
        }
        div.chart #forecast-chart data-points=(data.history.len() + data.view.points.len()) {}
        p.note {
            "Black: history and actuals · blue: forecast (p50) · " span.legend-band {} " p10–p90 · "
            "orange: adjusted · red columns: special days. Drag on the chart to zoom in, double-click to zoom out."
        }
        (data_block("forecast-data", &chart_data(data)))
        @if !data.view.adjustments.is_empty() {
            h2 { "Adjustments" }
            table #adjustments {
                thead { tr { th { "Scope" } th { "Change" } th { "Reason" } } }
                tbody { @for a in &data.view.adjustments {
                    @let adj = &a.adjustment;
                    tr {
                        td { @match adj.scope { Scope::Day(d) => { "day " (d) } Scope::Week(w) => { "week of " (w) } } }
                        td.n { @match adj.change { Change::Percent(p) => { (format!("{p:+} %")) } Change::Absolute(n) => { (format!("{n:+} contacts")) } } }
                        td { (adj.reason) }
                    }
                } }
            }
        }
        @if !data.special_days.is_empty() {
            h2 { "Special days" }
            table #special-days {
                thead { tr { th { "Date" } th { "Kind" } th { "Name" } th.n { "Effect" } } }
                tbody { @for d in &data.special_days {
                    tr { td { (d.day) } td { (d.kind) } td { (d.name) } td.n { (d.effect_percent.map_or("–".into(), |e| format!("{e:+.0} %"))) } }
                } }
            }
        }
        h2 { "Backtest" }
        @if let Some(record) = &data.accuracy.record {
            p.note { (record.reason) " (" (record.backtest.origins.len()) " origins, " (record.backtest.horizon_days) " days ahead)" }
            table #backtest {
                thead { tr { th { "Model" } th.n { "WAPE" } th.n { "Bias" } th.n { "p10–p90 coverage" } } }
                tbody { @for s in &record.backtest.scores {
                    tr.chosen[s.model == record.chosen] {
                        td { (s.model.as_str()) @if s.model == record.chosen { " ✓" } }
                        td.n { (pct(s.wape)) } td.n { (pct(s.bias)) } td.n { (pct(s.coverage_p10_p90)) }
                    }
                } }
            }
        } @else {
            p { "This run was stored without a backtest." }
        }
        h2 { "Forecast against actuals" }
        @if let Some(real) = &data.accuracy.realised {
            @let o = &real.statistical.overall;
            table #realised {
                thead { tr { th { "" } th.n { "Forecast" } th.n { "Actual" } th.n { "WAPE" } th.n { "Bias" } th.n { "p10–p90 coverage" } th.n { "Days with actuals" } } }
                tbody { tr {
                    td { "window so far" } td.n { (num(o.score.forecast, 0)) } td.n { (num(o.score.actual, 0)) }
                    td.n { (pct(o.score.wape)) } td.n { (pct(o.score.bias)) } td.n { (pct(o.score.coverage_p10_p90)) } td.n { (o.days_with_actuals) }
                } }
            }
        } @else {
            p { "No actuals in the window yet: import the history of these days and they are scored here." }
        }
        @if session.may(Permission::WritePlanning) {
            h2 { "Act on it" }
            form.box #start-schedule method="post" action=(format!("/forecasts/{}/schedules", run.id.0)) {
                input type="hidden" name="csrf" value=(session.csrf());
                b { "Build a roster " }
                label { "days " input type="number" name="days" value="7" min="1" max="28"; }
                label { "search seconds " input type="number" name="time_limit_seconds" value="3" min="1" max="300"; }
                button type="submit" { "Start" }
            }
            br;
            form.box #adjust method="post" action=(format!("/forecasts/{}/adjustments", run.id.0)) {
                input type="hidden" name="csrf" value=(session.csrf());
                b { "Adjust a day " }
                label { "date " input type="date" name="date" value=(run.from.with_timezone(&tz).format("%Y-%m-%d")) required; }
                label { "change % " input type="number" name="percent" value="10" min="-100" max="1000" step="any" required; }
                label { "reason " input type="text" name="reason" size="24" placeholder="campaign, outage…" required; }
                button type="submit" { "Adjust" }
            }
            br;
            form.box #start-capacity method="post" action=(format!("/forecasts/{}/capacity-plans", run.id.0)) {
                input type="hidden" name="csrf" value=(session.csrf());
                b { "Capacity what-if " }
                label { "agents now " input type="number" name="headcount" value="30" min="0" max="100000"; }
                label { "attrition % a month " input type="number" name="attrition_percent" value="2" min="0" max="100" step="0.1"; }
                label { "training weeks " input type="number" name="training_weeks" value="4" min="0" max="52"; }
                button type="submit" { "Plan" }
            }
        }
    }
}
