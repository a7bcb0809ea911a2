//! Settings from the environment, with command-line flags on top; and logging.

use crate::api::ApiSettings;
use crate::db::DEFAULT_DATABASE_URL;

/// Where the database is: `DATABASE_URL`, else `staffcast.db` in the working directory.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
}

/// `STAFFCAST_MAX_BODY_BYTES` overrides the request body limit.
pub fn api_settings() -> anyhow::Result<ApiSettings> {
    let mut settings = ApiSettings::default();
    if let Ok(raw) = std::env::var("STAFFCAST_MAX_BODY_BYTES") {
        settings.max_body_bytes = raw
            .parse()
            .map_err(|_| anyhow::anyhow!("STAFFCAST_MAX_BODY_BYTES='{raw}' is not a byte count"))?;
    }
    Ok(settings)
}

/// Structured logs to stderr: `RUST_LOG` filters (default info),
/// `STAFFCAST_LOG_FORMAT=json` writes one JSON object per event.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = if std::env::var("STAFFCAST_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
