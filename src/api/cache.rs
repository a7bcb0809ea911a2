//! Encoded bodies of reads that cannot change: a finished schedule's roster
//! and a stored forecast, in every format. Each key carries the resource's
//! version (read from the database, so every instance agrees), so an entry
//! is never stale, only unused; the least recently used go when the byte
//! budget is spent. Answers carry a strong `ETag`, and `If-None-Match`
//! gets 304 with no body.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

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
