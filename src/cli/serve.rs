use crate::app::jobs::JobRunner;
use crate::config::{api_settings, database_url};
use crate::db::{redact, Database};
use futures_util::future::{select, Either};
use std::net::TcpListener;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let url = database_url();
    let db = Database::open(&url)?;
    tracing::info!(database = %redact(&url), backend = db.backend_name(), "database ready");
    if crate::app::access::active_keys(&db)? == 0 {
        // Nothing is open without a key, so say how to make the first.
        tracing::warn!(
            "no active API key: every /api/v1 request will get 401; create one with `staffcast keys create --name NAME --role admin`"
        );
    }
    serve(db, &args.bind, |_| {})
}

/// How long a stopping server waits for its running jobs to stop and be
/// given back to the queue before it exits anyway (their leases then run out).
const JOBS_STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Binds, reports the bound address to `on_bound`, and serves until
/// SIGTERM/SIGINT. Then: no new jobs are claimed, requests in flight finish
/// (10 s at most), and running jobs stop and go back to the queue, so
/// another instance takes them at its next poll.
pub fn serve(
    db: Database,
    bind: &str,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(bind).map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let settings = api_settings()?;
    tracing::info!(%addr, "listening");
    on_bound(addr);
    actix_web::rt::System::new().block_on(async move {
        let jobs = JobRunner::start(db.clone(), settings.jobs);
        let server = crate::api::run_with_jobs(listener, db, settings, jobs.clone())?;
        let handle = server.handle();
        let mut running = actix_web::rt::spawn(server);
        let signal = Box::pin(shutdown_signal());
        if let Either::Right((ended, _)) = select(signal, &mut running).await {
            // The server ended by itself: an error, not a signal.
            jobs.stop();
            return Ok(ended??);
        }
        // No new jobs from now on; running ones are asked to stop.
        jobs.stop();
        handle.stop(true).await;
        running.await??;
        let wait = move || jobs.wait_stopped(JOBS_STOP_TIMEOUT);
        let all_stopped = actix_web::rt::task::spawn_blocking(wait)
            .await
            .unwrap_or(false);
        if !all_stopped {
            tracing::warn!("schedule jobs still running at exit: their leases will run out");
        }
        Ok::<(), anyhow::Error>(())
    })?;
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM or SIGINT (Ctrl-C) and says which came.
async fn shutdown_signal() {
    use actix_web::rt::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals: stop the server with SIGKILL");
        return std::future::pending().await;
    };
    let name = match select(Box::pin(term.recv()), Box::pin(int.recv())).await {
        Either::Left(_) => "SIGTERM",
        Either::Right(_) => "SIGINT",
    };
    tracing::info!("{name} received; starting graceful shutdown");
}
