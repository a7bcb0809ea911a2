//! Encoded bodies of reads that cannot change: a finished schedule's roster
//! and a stored forecast, in every format. Each key carries the resource's
//! version (read from the database, so every instance agrees), so an entry
//! is never stale, only unused; the least recently used go when the byte
//! budget is spent. Answers carry a strong `ETag`, and `If-None-Match`
//! gets 304 with no body.
//!
//! Reading a version costs a query or two, as much as the rest of a cached
//! read; so a version read is remembered for [`VERSION_TTL`]. Any write
//! through this instance forgets them all at once (`guard::shield`), so
//! its own clients never read a stale body; a write through another
//! instance on the same database shows within [`VERSION_TTL`].

use super::blocking;
use super::error::ApiError;
use crate::app::AppError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a resource's version read from the database is trusted.
pub const VERSION_TTL: Duration = Duration::from_secs(1);

/// A resource's version as read from the database, with the time it last
/// changed when the answer states one (`Last-Modified`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub tag: String,
    pub modified: Option<DateTime<Utc>>,
}

/// An encoded body, ready to send.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub body: Bytes,
    pub content_type: &'static str,
    pub etag: String,
}

impl Encoded {
    pub fn new(content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Self {
            body,
            content_type,
            etag,
        }
    }

    /// 200 with the body and its ETag, or 304 when the client holds it already.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        self.respond_since(req, None, None)
    }

    /// Like [`Encoded::respond`], with `Last-Modified` when known; without
    /// `If-None-Match`, `since` (the client's last pull) at or after
    /// `modified` also answers 304. `If-None-Match` decides alone when sent
    /// (RFC 9110 section 13.2.2).
    pub fn respond_since(
        &self,
        req: &HttpRequest,
        modified: Option<DateTime<Utc>>,
        since: Option<DateTime<Utc>>,
    ) -> HttpResponse {
        let unchanged = match if_none_match(req) {
            Some(tags) => matches_etag(&tags, &self.etag),
            None => matches!((modified, since), (Some(m), Some(s)) if m <= s),
        };
        let mut resp = if unchanged {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        resp.insert_header((header::ETAG, self.etag.clone()));
        if let Some(t) = modified {
            resp.insert_header((
                header::LAST_MODIFIED,
                t.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ));
        }
        if unchanged {
            resp.finish()
        } else {
            resp.content_type(self.content_type).body(self.body.clone())
        }
    }
}

/// The entity tags of `If-None-Match`, when sent.
fn if_none_match(req: &HttpRequest) -> Option<Vec<String>> {
    let tags: Vec<String> = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    (!tags.is_empty()).then_some(tags)
}

/// If-None-Match compares weakly: `W/"x"` matches `"x"`; `*` matches any.
fn matches_etag(tags: &[String], etag: &str) -> bool {
    tags.iter()
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// A bounded map of encoded bodies, least recently used out first.
pub struct BodyCache {
    budget_bytes: usize,
    inner: Mutex<Inner>,
    versions: Mutex<HashMap<String, (Version, Instant)>>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, (Encoded, u64)>,
    bytes: usize,
    clock: u64,
}

impl BodyCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            budget_bytes,
            inner: Mutex::new(Inner::default()),
            versions: Mutex::new(HashMap::new()),
        }
    }

    /// The version of `resource` read less than [`VERSION_TTL`] ago, if any.
    pub fn recent_version(&self, resource: &str) -> Option<Version> {
        let versions = self.versions.lock().ok()?;
        let (version, read_at) = versions.get(resource)?;
        (read_at.elapsed() < VERSION_TTL).then(|| version.clone())
    }

    /// The version of `resource`: remembered, or read with `read` (on the
    /// blocking pool) and remembered. `None` (the resource may still
    /// change, or does not exist) is never remembered.
    pub async fn version_of<F>(&self, resource: &str, read: F) -> Result<Option<Version>, ApiError>
    where
        F: FnOnce() -> Result<Option<Version>, AppError> + Send + 'static,
    {
        if let Some(v) = self.recent_version(resource) {
            return Ok(Some(v));
        }
        let version = blocking(read).await?;
        if let Some(v) = &version {
            self.remember_version(resource.to_string(), v);
        }
        Ok(version)
    }

    /// Remembers a version just read from the database.
    pub fn remember_version(&self, resource: String, version: &Version) {
        if let Ok(mut versions) = self.versions.lock() {
            // Stale entries go as they are found; the map holds at most
            // what was read in the last second or so.
            if versions.len() > 10_000 {
                versions.retain(|_, (_, at)| at.elapsed() < VERSION_TTL);
            }
            versions.insert(resource, (version.clone(), Instant::now()));
        }
    }

    /// After a write: every version must be read again.
    pub fn forget_versions(&self) {
        if let Ok(mut versions) = self.versions.lock() {
            versions.clear();
        }
    }

    pub fn get(&self, key: &str) -> Option<Encoded> {
        let mut inner = self.inner.lock().ok()?;
        inner.clock += 1;
        let now = inner.clock;
        let (hit, used) = inner.entries.get_mut(key)?;
        *used = now;
        Some(hit.clone())
    }

    /// Keeps `encoded` under `key` unless it alone exceeds the budget.
    pub fn put(&self, key: String, encoded: &Encoded) {
        let size = encoded.body.len() + key.len();
        if size > self.budget_bytes {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.clock += 1;
        let now = inner.clock;
        if let Some((old, _)) = inner.entries.insert(key.clone(), (encoded.clone(), now)) {
            inner.bytes -= old.body.len() + key.len();
        }
        inner.bytes += size;
        while inner.bytes > self.budget_bytes {
            // A scan per eviction: entries are whole rosters and forecasts,
            // so there are few of them and evictions are rare.
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((gone, _)) = inner.entries.remove(&oldest) {
                inner.bytes -= gone.body.len() + oldest.len();
            }
        }
    }

    /// Entries and bytes held (for tests and logs).
    pub fn usage(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|i| (i.entries.len(), i.bytes))
            .unwrap_or((0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_goes_when_the_budget_is_spent() {
        let cache = BodyCache::new(30);
        cache.put("a".into(), &Encoded::new("text/csv", "0123456789"));
        cache.put("b".into(), &Encoded::new("text/csv", "0123456789"));
        assert!(cache.get("a").is_some()); // a is now the most recent
        cache.put("c".into(), &Encoded::new("text/csv", "0123456789"));
        assert!(cache.get("a").is_some());
        assert!(cache.get("b").is_none());
        assert!(cache.get("c").is_some());
        assert_eq!(cache.usage(), (2, 22));
        // Too big for the whole budget: not kept, nothing evicted.
        cache.put("d".into(), &Encoded::new("text/csv", "x".repeat(40)));
        assert_eq!(cache.usage(), (2, 22));
    }

    #[test]
    fn versions_are_trusted_for_a_moment_and_forgotten_on_writes() {
        let cache = BodyCache::new(100);
        let v = Version {
            tag: "3".into(),
            modified: None,
        };
        assert_eq!(cache.recent_version("roster:1"), None);
        cache.remember_version("roster:1".into(), &v);
        assert_eq!(cache.recent_version("roster:1"), Some(v.clone()));
        cache.forget_versions();
        assert_eq!(cache.recent_version("roster:1"), None);
        cache.remember_version("roster:1".into(), &v);
        std::thread::sleep(VERSION_TTL + Duration::from_millis(50));
        assert_eq!(cache.recent_version("roster:1"), None);
    }

    #[test]
    fn the_etag_follows_the_bytes() {
        let a = Encoded::new("application/json", "{}");
        assert_eq!(a.etag, Encoded::new("text/csv", "{}").etag);
        assert_ne!(a.etag, Encoded::new("application/json", "[]").etag);
        assert!(a.etag.starts_with('"') && a.etag.len() == 34);
        let tag = a.etag.clone();
        assert!(matches_etag(std::slice::from_ref(&tag), &tag));
        assert!(matches_etag(&[format!("W/{tag}")], &tag));
        assert!(matches_etag(&["*".into()], &tag));
        assert!(!matches_etag(&["\"other\"".into()], &tag));
    }
}
