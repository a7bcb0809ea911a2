use crate::config::{api_settings, database_url};
use crate::db::{redact, Database};
use std::net::TcpListener;

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

/// Binds, reports the bound address to `on_bound`, and serves until SIGTERM/SIGINT.
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
        let server = crate::api::run(listener, db, settings)?;
        server.await
    })?;
    tracing::info!("stopped");
    Ok(())
}
