//! Settings from the environment, with command-line flags on top; and logging.

use crate::api::ApiSettings;
use crate::app::jobs::JobSettings;
use crate::db::DEFAULT_DATABASE_URL;
use std::time::Duration;

/// Where the database is: `DATABASE_URL`, else `staffcast.db` in the working directory.
pub fn database_url() -> String {
    configured_database_url().unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
}

/// `DATABASE_URL` when it is set and not blank.
pub fn configured_database_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// `STAFFCAST_MAX_BODY_BYTES` overrides the request body limit and
/// `STAFFCAST_CACHE_MB` the memory for encoded rosters and forecasts;
/// `STAFFCAST_ALLOWED_HOSTS` and `STAFFCAST_ALLOWED_ORIGINS` (comma-separated)
/// add `Host` names to answer to and browser origins to allow (CORS); the
/// schedule workers' settings come from [`job_settings`].
pub fn api_settings() -> anyhow::Result<ApiSettings> {
    let mut settings = ApiSettings::default();
    if let Ok(raw) = std::env::var("STAFFCAST_MAX_BODY_BYTES") {
        settings.max_body_bytes = raw
            .parse()
            .map_err(|_| anyhow::anyhow!("STAFFCAST_MAX_BODY_BYTES='{raw}' is not a byte count"))?;
    }
    if let Ok(raw) = std::env::var("STAFFCAST_CACHE_MB") {
        let mb: usize = raw.parse().map_err(|_| {
            anyhow::anyhow!("STAFFCAST_CACHE_MB='{raw}' is not a number of megabytes")
        })?;
        settings.cache_bytes = mb * 1024 * 1024;
    }
    settings.allowed_hosts = list_var("STAFFCAST_ALLOWED_HOSTS");
    settings.allowed_origins = list_var("STAFFCAST_ALLOWED_ORIGINS")
        .into_iter()
        .map(|o| origin(&o))
        .collect::<anyhow::Result<_>>()?;
    settings.jobs = job_settings()?;
    Ok(settings)
}

/// The non-empty, trimmed items of a comma-separated variable.
fn list_var(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// An origin as browsers send it: `scheme://host[:port]`, no path, no `*`
/// (a wildcard would let any page read what a key can).
fn origin(raw: &str) -> anyhow::Result<String> {
    let trimmed = raw.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '*', '?', '#']) => {
            Ok(trimmed.to_ascii_lowercase())
        }
        _ => anyhow::bail!(
            "STAFFCAST_ALLOWED_ORIGINS: '{raw}' is not an origin (https://host[:port], no path or wildcard)"
        ),
    }
}

/// The schedule workers: `STAFFCAST_SCHEDULE_WORKERS` (threads),
/// `STAFFCAST_JOB_LEASE_SECONDS`, `STAFFCAST_JOB_RENEW_SECONDS` and
/// `STAFFCAST_JOB_POLL_SECONDS` (fractions allowed), checked together.
pub fn job_settings() -> anyhow::Result<JobSettings> {
    let mut jobs = JobSettings::default();
    if let Ok(raw) = std::env::var("STAFFCAST_SCHEDULE_WORKERS") {
        jobs.workers = raw.parse().map_err(|_| {
            anyhow::anyhow!("STAFFCAST_SCHEDULE_WORKERS='{raw}' is not a thread count")
        })?;
    }
    for (name, value) in [
        ("STAFFCAST_JOB_LEASE_SECONDS", &mut jobs.lease),
        ("STAFFCAST_JOB_RENEW_SECONDS", &mut jobs.renew_every),
        ("STAFFCAST_JOB_POLL_SECONDS", &mut jobs.poll_every),
    ] {
        if let Ok(raw) = std::env::var(name) {
            *value = raw
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| anyhow::anyhow!("{name}='{raw}' is not a number of seconds"))?;
        }
    }
    jobs.check()
        .map_err(|e| anyhow::anyhow!("schedule job settings: {e}"))?;
    Ok(jobs)
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

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_are_exact_and_never_wildcards() {
        assert_eq!(
            origin("https://HR.example.com/").unwrap(),
            "https://hr.example.com"
        );
        assert_eq!(
            origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        for bad in [
            "*",
            "https://*.example.com",
            "hr.example.com",
            "https://x/y",
            "https://",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }
}
