//! The HTTP API (actix-web). Handlers parse requests into domain values,
//! run a use case off the async runtime, and shape the response; nothing
//! here touches SQL.

mod agents;
mod body;
mod calendar;
mod capacity;
pub mod error;
mod forecasts;
mod health;
mod ical;
mod queues;
mod schedules;
mod staffing;

use crate::app::jobs::JobRunner;
use crate::db::Database;
use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};
use error::ApiError;
use std::net::TcpListener;

/// Limits and knobs of a running server.
#[derive(Debug, Clone, Copy)]
pub struct ApiSettings {
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Threads that build rosters in the background.
    pub schedule_workers: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 32 * 1024 * 1024,
            shutdown_timeout_secs: 10,
            schedule_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Builds the server on an already bound listener (port 0 in tests).
/// Stops gracefully on SIGTERM/SIGINT.
pub fn run(listener: TcpListener, db: Database, settings: ApiSettings) -> std::io::Result<Server> {
    let jobs = web::Data::new(JobRunner::start(db.clone(), settings.schedule_workers));
    let db = web::Data::new(db);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::Logger::new("%r %s %b bytes %D ms"))
            .app_data(db.clone())
            .app_data(jobs.clone())
            .app_data(web::Data::new(settings))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| ApiError::BadPath(e.to_string()).into()),
            )
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| ApiError::BadQuery(e.to_string()).into()),
            )
            .configure(routes)
    })
    .shutdown_timeout(settings.shutdown_timeout_secs)
    .listen(listener)?
    .run();
    Ok(server)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .service(
            web::scope("/api/v1")
                .route("/queues", web::post().to(queues::create))
                .route("/queues", web::get().to(queues::list))
                .route("/queues/{id}", web::get().to(queues::get))
                .route(
                    "/queues/{id}/history",
                    web::post().to(queues::import_history),
                )
                .route("/queues/{id}/history", web::get().to(queues::history))
                .route("/queues/{id}/special-days", web::get().to(calendar::list))
                .route(
                    "/queues/{id}/special-days",
                    web::post().to(calendar::import),
                )
                .route(
                    "/queues/{id}/special-days/{date}",
                    web::delete().to(calendar::delete),
                )
                .route("/queues/{id}/agents", web::post().to(agents::create))
                .route("/queues/{id}/agents", web::get().to(agents::list))
                .route("/agents/{id}", web::get().to(agents::get))
                .route("/agents/{id}", web::put().to(agents::replace))
                .route("/queues/{id}/forecasts", web::post().to(forecasts::create))
                .route("/queues/{id}/forecasts", web::get().to(forecasts::list))
                .route("/forecasts/{id}", web::get().to(forecasts::get))
                .route(
                    "/forecasts/{id}/requirements",
                    web::get().to(forecasts::requirements),
                )
                .route(
                    "/forecasts/{id}/accuracy",
                    web::get().to(forecasts::accuracy),
                )
                .route(
                    "/forecasts/{id}/adjustments",
                    web::post().to(forecasts::add_adjustments),
                )
                .route(
                    "/forecasts/{id}/adjustments",
                    web::get().to(forecasts::list_adjustments),
                )
                .route(
                    "/forecasts/{id}/adjustments/{adjustment_id}",
                    web::delete().to(forecasts::delete_adjustment),
                )
                .route(
                    "/queues/{id}/capacity-plans",
                    web::post().to(capacity::create),
                )
                .route("/queues/{id}/capacity-plans", web::get().to(capacity::list))
                .route("/capacity-plans/{id}", web::get().to(capacity::get))
                .route("/staffing/calculate", web::post().to(staffing::calculate))
                .route("/schedules", web::post().to(schedules::create))
                .route("/schedules/{id}", web::get().to(schedules::get))
                .route("/schedules/{id}", web::delete().to(schedules::cancel))
                .route("/schedules/{id}/roster", web::get().to(schedules::roster))
                .route("/schedules/{id}/check", web::get().to(schedules::check))
                .route(
                    "/schedules/{id}/shortfall",
                    web::get().to(schedules::shortfall),
                )
                .route(
                    "/schedules/{id}/simulate",
                    web::post().to(schedules::simulate),
                )
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(ApiError::NotFoundRoute)
                })),
        );
}

/// Runs blocking work (database, CPU-heavy core) on actix's blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, crate::app::AppError> + Send + 'static,
    T: Send + 'static,
{
    web::block(f)
        .await
        .map_err(|e| ApiError::WorkerFailed(e.to_string()))?
        .map_err(ApiError::from)
}
