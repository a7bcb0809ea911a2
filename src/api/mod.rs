//! The HTTP API (actix-web). Handlers parse requests into domain values,
//! run a use case off the async runtime, and shape the response; nothing
//! here touches SQL.

mod agents;
mod body;
pub mod cache;
mod calendar;
mod calls;
mod capacity;
mod docs;
pub mod error;
mod forecasts;
pub mod guard;
mod health;
mod ical;
pub mod idempotency;
mod keys;
pub mod openapi;
mod opening_hours;
pub(crate) mod published;
mod queues;
mod schedules;
mod staffing;

use crate::app::jobs::{JobRunner, JobSettings};
use crate::auth::{Access, Permission};
use crate::db::Database;
use actix_web::body::BoxBody;
use actix_web::dev::{Server, ServiceRequest};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{middleware, web, App, FromRequest, Handler, HttpServer, Responder, Route};
use error::ApiError;
use guard::{AllowedHosts, Shield};
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Limits and knobs of a running server.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// The background workers that build rosters.
    pub jobs: JobSettings,
    /// `Host` names answered besides the bound address and localhost on
    /// its port (`name` for any port, or `name:port`); others get 421.
    pub allowed_hosts: Vec<String>,
    /// Browser origins that may call the API cross-site (CORS); none by default.
    pub allowed_origins: Vec<String>,
    /// Memory for encoded rosters and forecasts (they never change once stored).
    pub cache_bytes: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 32 * 1024 * 1024,
            shutdown_timeout_secs: 10,
            jobs: JobSettings::default(),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Builds the server on an already bound listener (port 0 in tests), with
/// workers of its own. Stops gracefully on SIGTERM/SIGINT.
pub fn run(listener: TcpListener, db: Database, settings: ApiSettings) -> std::io::Result<Server> {
    let jobs = JobRunner::start(db.clone(), settings.jobs);
    server(listener, db, settings, jobs, true)
}

/// Builds the server on `listener` with the given workers and without
/// signal handling: the caller stops it (and the workers) on its signals.
pub fn run_with_jobs(
    listener: TcpListener,
    db: Database,
    settings: ApiSettings,
    jobs: JobRunner,
) -> std::io::Result<Server> {
    server(listener, db, settings, jobs, false)
}

fn server(
    listener: TcpListener,
    db: Database,
    settings: ApiSettings,
    jobs: JobRunner,
    signals: bool,
) -> std::io::Result<Server> {
    let hosts = AllowedHosts::new(listener.local_addr()?, &settings.allowed_hosts)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    tracing::info!(hosts = %hosts.describe(), "answering to these Host names");
    let shield = Shield {
        hosts,
        origins: settings.allowed_origins.clone(),
    };
    let jobs = web::Data::new(jobs);
    let db = web::Data::new(db);
    let cache = web::Data::new(cache::BodyCache::new(settings.cache_bytes));
    let shutdown_timeout = settings.shutdown_timeout_secs;
    let server =
        HttpServer::new(move || {
            let shield = Rc::new(shield.clone());
            App::new()
                .wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                    guard::shield(shield.clone(), req, next)
                }))
                // The request line as `%r` would log it, with a feed's secret token hidden.
                .wrap(
                    middleware::Logger::new("%{request}xi %s %b bytes %D ms")
                        .custom_request_replace("request", |req| {
                            format!(
                                "{} {} {:?}",
                                req.method(),
                                crate::web::login::redact_link(&published::redact_feed_path(
                                    &req.uri().to_string()
                                )),
                                req.version()
                            )
                        }),
                )
                .app_data(db.clone())
                .app_data(jobs.clone())
                .app_data(cache.clone())
                .app_data(web::Data::new(settings.clone()))
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
        .shutdown_timeout(shutdown_timeout)
        // A client that closes its side has gone (HTTP clients do not
        // half-close while they wait): end the connection, which drops the
        // handler's future and so stops its work (see `until_disconnect`).
        .h1_allow_half_closed(false)
        .listen(listener)?;
    Ok(if signals {
        server.run()
    } else {
        server.disable_signals().run()
    })
}

/// One route of the API: method, path pattern, what it asks of the
/// caller, and its handler. [`endpoints`] lists them all; [`routes`]
/// registers only what it lists, each behind its [`Access`] check.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    route: Box<dyn Fn() -> Route>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({:?})", self.method, self.path, self.access)
    }
}

fn endpoint<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> Endpoint
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let route_method = method.clone();
    Endpoint {
        method,
        path,
        access,
        route: Box::new(move || {
            web::route()
                .method(route_method.clone())
                .to(handler.clone())
        }),
    }
}

/// Every route, with the permission it needs (see [`crate::auth::Role::allows`]
/// for which role holds which). A route missing here does not exist.
pub fn endpoints() -> Vec<Endpoint> {
    use crate::web;
    use Access::{AnyKey, Page, Public, Requires, SecretUrl};
    use Permission::{Administer, ReadPlanning, ReadRosters, WriteAgents, WritePlanning};
    // One line per route: METHOD "path" access => handler;
    macro_rules! table {
        ($($method:ident $path:literal $access:expr => $handler:expr;)*) => {
            vec![$(endpoint(Method::$method, $path, $access, $handler)),*]
        };
    }
    table! {
        GET    "/healthz"                                           Public                     => health::healthz;
        // The API's description: the document for any key; Swagger UI's files
        // are public (they hold no data and ask for a key to read the document).
        GET    "/api/v1/openapi.json"                               AnyKey                     => openapi::openapi_json;
        GET    "/docs"                                              Public                     => docs::page;
        GET    "/docs/init.js"                                      Public                     => docs::init_js;
        GET    "/docs/swagger-ui-bundle.js"                         Public                     => docs::bundle_js;
        GET    "/docs/swagger-ui.css"                               Public                     => docs::css;
        // Queues: HR tools list them to find agents; creating one is planning.
        POST   "/api/v1/queues"                                     Requires(WritePlanning)    => queues::create;
        GET    "/api/v1/queues"                                     Requires(ReadRosters)      => queues::list;
        GET    "/api/v1/queues/{id}"                                Requires(ReadRosters)      => queues::get;
        PATCH  "/api/v1/queues/{id}"                                Requires(WritePlanning)    => queues::update;
        GET    "/api/v1/queues/{id}/opening-hours"                  Requires(ReadPlanning)     => opening_hours::get;
        PUT    "/api/v1/queues/{id}/opening-hours"                  Requires(WritePlanning)    => opening_hours::replace;
        POST   "/api/v1/queues/{id}/history"                        Requires(WritePlanning)    => queues::import_history;
        GET    "/api/v1/queues/{id}/history"                        Requires(ReadPlanning)     => queues::history;
        // Real calls of a past window, to replay rosters against (POST /schedules/{id}/replay).
        POST   "/api/v1/queues/{id}/calls"                          Requires(WritePlanning)    => calls::import;
        GET    "/api/v1/queues/{id}/calls/summary"                  Requires(ReadPlanning)     => calls::summary;
        GET    "/api/v1/queues/{id}/special-days"                   Requires(ReadPlanning)     => calendar::list;
        POST   "/api/v1/queues/{id}/special-days"                   Requires(WritePlanning)    => calendar::import;
        DELETE "/api/v1/queues/{id}/special-days/{date}"            Requires(WritePlanning)    => calendar::delete;
        POST   "/api/v1/queues/{id}/agents"                         Requires(WriteAgents)      => agents::create;
        GET    "/api/v1/queues/{id}/agents"                         Requires(ReadRosters)      => agents::list;
        // The HR system's own writes: the whole set of a queue, or one agent by its HR id.
        PUT    "/api/v1/queues/{id}/agents"                         Requires(WriteAgents)      => agents::sync;
        GET    "/api/v1/agents/{id}"                                Requires(ReadRosters)      => agents::get;
        PUT    "/api/v1/agents/{id}"                                Requires(WriteAgents)      => agents::replace;
        PUT    "/api/v1/agents/by-external-id/{hr_id}"              Requires(WriteAgents)      => agents::upsert;
        // An agent's calendar feed: HR hands the secret URL to the agent's calendar app.
        POST   "/api/v1/agents/{id}/calendar-feed"                  Requires(WriteAgents)      => published::create_calendar_feed;
        DELETE "/api/v1/agents/{id}/calendar-feed"                  Requires(WriteAgents)      => published::revoke_calendar_feed;
        GET    "/api/v1/feeds/{token}.ics"                          SecretUrl                  => published::calendar_feed;
        POST   "/api/v1/queues/{id}/forecasts"                      Requires(WritePlanning)    => forecasts::create;
        GET    "/api/v1/queues/{id}/forecasts"                      Requires(ReadPlanning)     => forecasts::list;
        GET    "/api/v1/forecasts/{id}"                             Requires(ReadPlanning)     => forecasts::get;
        GET    "/api/v1/forecasts/{id}/requirements"                Requires(ReadPlanning)     => forecasts::requirements;
        GET    "/api/v1/forecasts/{id}/accuracy"                    Requires(ReadPlanning)     => forecasts::accuracy;
        POST   "/api/v1/forecasts/{id}/adjustments"                 Requires(WritePlanning)    => forecasts::add_adjustments;
        GET    "/api/v1/forecasts/{id}/adjustments"                 Requires(ReadPlanning)     => forecasts::list_adjustments;
        DELETE "/api/v1/forecasts/{id}/adjustments/{adjustment_id}" Requires(WritePlanning)    => forecasts::delete_adjustment;
        POST   "/api/v1/queues/{id}/capacity-plans"                 Requires(WritePlanning)    => capacity::create;
        GET    "/api/v1/queues/{id}/capacity-plans"                 Requires(ReadPlanning)     => capacity::list;
        GET    "/api/v1/capacity-plans/{id}"                        Requires(ReadPlanning)     => capacity::get;
        POST   "/api/v1/staffing/calculate"                         Requires(WritePlanning)    => staffing::calculate;
        POST   "/api/v1/schedules"                                  Requires(WritePlanning)    => schedules::create;
        GET    "/api/v1/schedules"                                  Requires(ReadRosters)      => published::list;
        // A schedule's status and its roster (JSON, CSV, iCalendar) are what HR reads.
        GET    "/api/v1/schedules/{id}"                             Requires(ReadRosters)      => schedules::get;
        DELETE "/api/v1/schedules/{id}"                             Requires(WritePlanning)    => schedules::cancel;
        GET    "/api/v1/schedules/{id}/roster"                      Requires(ReadRosters)      => schedules::roster;
        GET    "/api/v1/schedules/{id}/check"                       Requires(ReadPlanning)     => schedules::check;
        GET    "/api/v1/schedules/{id}/shortfall"                   Requires(ReadPlanning)     => schedules::shortfall;
        POST   "/api/v1/schedules/{id}/simulate"                    Requires(WritePlanning)    => schedules::simulate;
        POST   "/api/v1/schedules/{id}/replay"                      Requires(WritePlanning)    => calls::replay;
        // Publishing makes a done schedule the roster HR tools pull for its week(s).
        POST   "/api/v1/schedules/{id}/publish"                     Requires(WritePlanning)    => published::publish;
        GET    "/api/v1/rosters"                                    Requires(ReadRosters)      => published::roster;
        // Keys and the audit log: admins only.
        POST   "/api/v1/keys"                                       Requires(Administer)       => keys::create;
        GET    "/api/v1/keys"                                       Requires(Administer)       => keys::list;
        DELETE "/api/v1/keys/{id}"                                  Requires(Administer)       => keys::revoke;
        GET    "/api/v1/audit"                                      Requires(Administer)       => keys::log;
        // The planner workspace (src/web): pages behind a browser session
        // opened with an API key, each needing what its API route needs.
        GET    "/"                                                  Page(ReadRosters)          => web::overview::queues;
        GET    "/login"                                             Public                     => web::login::page;
        POST   "/login"                                             Public                     => web::login::submit;
        POST   "/logout"                                            Page(ReadRosters)          => web::login::logout;
        POST   "/queues/{id}/forecasts"                             Page(WritePlanning)        => web::jobs::start_forecast;
        GET    "/forecasts/{id}"                                    Page(ReadPlanning)         => web::forecast::show;
        POST   "/forecasts/{id}/adjustments"                        Page(WritePlanning)        => web::jobs::adjust;
        POST   "/forecasts/{id}/schedules"                          Page(WritePlanning)        => web::jobs::start_schedule;
        POST   "/forecasts/{id}/capacity-plans"                     Page(WritePlanning)        => web::jobs::start_capacity;
        GET    "/schedules/{id}"                                    Page(ReadRosters)          => web::jobs::show;
        GET    "/schedules/{id}/status"                             Page(ReadRosters)          => web::jobs::status;
        POST   "/schedules/{id}/cancel"                             Page(WritePlanning)        => web::jobs::cancel;
        POST   "/schedules/{id}/publish"                            Page(WritePlanning)        => web::jobs::publish;
        GET    "/schedules/{id}/roster"                             Page(ReadRosters)          => web::roster::show;
        GET    "/schedules/{id}/coverage"                           Page(ReadPlanning)         => web::coverage::show;
        POST   "/schedules/{id}/replay"                             Page(WritePlanning)        => web::replay::replay;
        GET    "/capacity-plans/{id}"                               Page(ReadPlanning)         => web::capacity::show;
        GET    "/what-if"                                           Page(WritePlanning)        => web::whatif::form;
        POST   "/what-if"                                           Page(WritePlanning)        => web::whatif::submit;
        GET    "/workspace/workspace.js"                            Public                     => web::assets::workspace_js;
        GET    "/workspace/workspace.css"                           Public                     => web::assets::workspace_css;
        GET    "/workspace/uPlot.iife.min.js"                       Public                     => web::assets::uplot_js;
        GET    "/workspace/uPlot.min.css"                           Public                     => web::assets::uplot_css;
    }
}

/// Registers every endpoint behind its access check, and a 404 for any
/// other path that still asks for a key. POST routes also honour
/// `Idempotency-Key` (inside the check, which names the caller).
pub fn routes(cfg: &mut web::ServiceConfig) {
    for e in endpoints() {
        let access = e.access;
        let mut route = (e.route)();
        if e.method == Method::POST {
            let replayable = idempotency::honoured(e.path);
            route = route.wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                idempotency::keyed(replayable, req, next)
            }));
        }
        cfg.route(
            e.path,
            route.wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                guard::check(access, req, next)
            })),
        );
    }
    cfg.default_service(
        web::to(|| async { Err::<actix_web::HttpResponse, _>(ApiError::NotFoundRoute) }).wrap(
            from_fn(|req: ServiceRequest, next: Next<BoxBody>| {
                guard::check(Access::AnyKey, req, next)
            }),
        ),
    );
}

/// Runs blocking work (database, CPU-heavy core) on actix's blocking pool.
/// [`blocking`] for work worth stopping when its client goes away: `f`
/// gets a flag that is set when the handler's future is dropped, which
/// actix does when the connection closes before the answer (the server does
/// not allow half-closed connections). The work looks at the flag between
/// steps and ends with [`AppError::Stopped`](crate::app::AppError::Stopped).
pub(crate) async fn until_disconnect<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce(&AtomicBool) -> Result<T, crate::app::AppError> + Send + 'static,
    T: Send + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let _on_drop = StopOnDrop(Arc::clone(&stop));
    blocking(move || {
        let out = f(&stop);
        if matches!(out, Err(crate::app::AppError::Stopped)) {
            tracing::info!("work stopped: the client went away");
        }
        out
    })
    .await
}

/// Sets its flag when dropped: with the handler's future, when the client
/// is gone; after the answer, when it no longer matters.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

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
