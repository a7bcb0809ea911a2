//! The one place that decides whether a request is served: the `Host` it
//! names, its API key and the key's role, plus what every answer carries
//! (browser-safety headers, CORS when configured) and the audit log of writes.
//!
//! Two layers, both wired in `api::run`/`api::routes`:
//! - [`shield`] wraps the whole app: `Host` check (DNS rebinding), CORS,
//!   security headers on every response, and the audit record of each write.
//! - [`check`] wraps every route, with the [`Access`] the route table gives
//!   it: 401 without a valid key, 403 when the key's role does not allow it.
//!   It runs on the route actix dispatched to, so no second path matcher
//!   can disagree with the router.

use super::blocking;
use super::cache::BodyCache;
use super::error::{ApiError, Unauthenticated};
use crate::app::access;
use crate::auth::{Access, ApiKey, KeyId, Role};
use crate::db::audit_log::AuditRecord;
use crate::db::Database;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse};
use std::net::SocketAddr;
use std::rc::Rc;

/// Who is calling: set on the request once its key checks out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub key: KeyId,
    pub role: Role,
}

/// Per route: lets the request through only with a key that may use `access`.
pub async fn check(
    access: Access,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // A secret URL's handler checks its own secret (and answers 404).
    if matches!(access, Access::Public | Access::SecretUrl) {
        return next.call(req).await;
    }
    // A workspace page: a browser session (cookie), not a bearer key.
    if let Access::Page(needs) = access {
        return crate::web::session::check(needs, req, next).await;
    }
    let caller = match identify(&req).await {
        Ok(caller) => caller,
        Err(e) => return Ok(req.error_response(e)),
    };
    // Set before a refusal too, so a refused write is audited under its key.
    req.extensions_mut().insert(caller);
    match access {
        Access::Requires(needs) if !caller.role.allows(needs) => {
            Ok(req.error_response(ApiError::Forbidden {
                role: caller.role,
                needs,
            }))
        }
        _ => next.call(req).await,
    }
}

/// The caller named by `Authorization: Bearer <key>`.
async fn identify(req: &ServiceRequest) -> Result<Caller, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated(Unauthenticated::NoKey))?;
    let secret = bearer(value).ok_or(ApiError::Unauthenticated(Unauthenticated::Malformed))?;
    let db = database(req)?;
    let key = blocking(move || access::authenticate(&db, &secret))
        .await?
        .ok_or(ApiError::Unauthenticated(Unauthenticated::Rejected))?;
    Ok(Caller {
        key: key.id,
        role: key.role,
    })
}

/// The key in `Bearer <key>` (the scheme is case-insensitive, RFC 9110).
fn bearer(value: &HeaderValue) -> Option<ApiKey> {
    let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    ApiKey::parse(token.trim())
}

pub(super) fn database(req: &ServiceRequest) -> Result<std::sync::Arc<Database>, ApiError> {
    req.app_data::<web::Data<Database>>()
        .map(|db| db.clone().into_inner())
        .ok_or_else(|| ApiError::WorkerFailed("no database configured".into()))
}

/// The names this server answers to: `host:port`, or a bare `host` for any port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts(Vec<(String, Option<u16>)>);

impl AllowedHosts {
    /// The bound address, `localhost`, `127.0.0.1` and `[::1]` on its port,
    /// and each of `extra` (`name`, `name:port`, `[v6]:port`).
    pub fn new(bound: SocketAddr, extra: &[String]) -> Result<Self, String> {
        let port = bound.port();
        let mut hosts = vec![
            (bound_host(bound), Some(port)),
            ("localhost".to_string(), Some(port)),
            ("127.0.0.1".to_string(), Some(port)),
            ("[::1]".to_string(), Some(port)),
        ];
        for entry in extra {
            hosts.push(
                split_host(entry.trim())
                    .ok_or_else(|| format!("allowed host '{entry}': use name or name:port"))?,
            );
        }
        hosts.dedup();
        Ok(AllowedHosts(hosts))
    }

    /// Whether a `Host` header names this server (no port means 80).
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        let port = port.unwrap_or(80);
        self.0
            .iter()
            .any(|(n, p)| *n == name && p.is_none_or(|p| p == port))
    }

    /// `a:1, b` for the log.
    pub fn describe(&self) -> String {
        let names: Vec<String> = self
            .0
            .iter()
            .map(|(n, p)| p.map_or(n.clone(), |p| format!("{n}:{p}")))
            .collect();
        names.join(", ")
    }
}

fn bound_host(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    }
}

/// `name[:port]` or `[v6][:port]`, the name lowercased; `None` if it is
/// not a host (empty, a bad port, stray characters).
fn split_host(raw: &str) -> Option<(String, Option<u16>)> {
    let raw = raw.to_ascii_lowercase();
    let (name, port) = if raw.starts_with('[') {
        let end = raw.find(']')?;
        let (name, rest) = raw.split_at(end + 1);
        match rest {
            "" => (name.to_string(), None),
            _ => (name.to_string(), Some(rest.strip_prefix(':')?)),
        }
    } else {
        match raw.split_once(':') {
            Some((name, port)) => (name.to_string(), Some(port)),
            None => (raw.clone(), None),
        }
    };
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    if !valid_name {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    Some((name, port))
}

/// What [`shield`] needs: the names to answer to and the origins that may
/// call from a browser.
#[derive(Debug, Clone)]
pub struct Shield {
    pub hosts: AllowedHosts,
    /// Exact origins (`https://hr.example.com`); empty: no CORS headers at all.
    pub origins: Vec<String>,
}

/// Headers every response carries: no MIME sniffing (a CSV roster is never
/// run as a script), no caching of rosters and personal data, no framing.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CACHE_CONTROL, "no-store"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The whole app: refuses a foreign `Host`, answers CORS preflights from
/// allowed origins, adds the security headers, audits writes.
pub async fn shield(
    shield: Rc<Shield>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)").to_string());
    if !host.as_deref().is_some_and(|h| shield.hosts.allows(h)) {
        let named = host.unwrap_or_else(|| "(none)".into());
        let path = super::published::redact_feed_path(req.path());
        tracing::warn!(host = %named, path = %path, "refused: Host not allowed");
        let mut res = req.error_response(ApiError::HostNotAllowed(named));
        secure(res.headers_mut());
        return Ok(res);
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| shield.origins.iter().any(|allowed| allowed == o))
        .map(str::to_string);
    if let Some(origin) = &origin {
        if req.method() == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            let mut res = req.into_response(preflight(origin));
            secure(res.headers_mut());
            return Ok(res);
        }
    }
    let write = [Method::POST, Method::PUT, Method::DELETE, Method::PATCH].contains(req.method());
    let db = database(&req).ok();
    if write {
        // Before the write runs: a read racing it re-reads its version.
        if let Some(cache) = req.app_data::<web::Data<BodyCache>>() {
            cache.forget_versions();
        }
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    secure(res.headers_mut());
    if let Some(origin) = origin {
        allow_origin(res.headers_mut(), &origin);
    }
    if write {
        // And after it: a version read while it ran may predate it.
        if let Some(cache) = res.request().app_data::<web::Data<BodyCache>>() {
            cache.forget_versions();
        }
        if let (Some(record), Some(db)) = (audit_record(&res), db) {
            // Awaited, so a write is in the log before its answer is sent.
            if let Err(e) = blocking(move || access::record_write(&db, &record)).await {
                tracing::error!(error = %e, "audit record not written");
            }
        }
    }
    Ok(res)
}

/// The audit record of a write, when a valid key made it.
fn audit_record(res: &ServiceResponse<BoxBody>) -> Option<AuditRecord> {
    let req = res.request();
    let caller = *req.extensions().get::<Caller>()?;
    Some(AuditRecord {
        at: chrono::Utc::now(),
        key_id: caller.key,
        method: req.method().to_string(),
        route: req.match_pattern().unwrap_or_else(|| "*".into()),
        path: req.path().to_string(),
        params: req
            .match_info()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        status: res.status().as_u16(),
    })
}

fn secure(headers: &mut HeaderMap) {
    for (name, value) in SECURITY_HEADERS {
        // A page that sets its own policy (the docs) keeps it; it still forbids framing.
        if name == header::CONTENT_SECURITY_POLICY && headers.contains_key(&name) {
            continue;
        }
        headers.insert(name, HeaderValue::from_static(value));
    }
}

fn preflight(origin: &str) -> HttpResponse {
    let mut res = HttpResponse::NoContent().finish();
    let headers = res.headers_mut();
    allow_origin(headers, origin);
    for (name, value) in [
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            "GET, POST, PUT, DELETE",
        ),
        (
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "Authorization, Content-Type, Idempotency-Key",
        ),
        (header::ACCESS_CONTROL_MAX_AGE, "600"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    res
}

fn allow_origin(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(extra: &[&str]) -> AllowedHosts {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        AllowedHosts::new("127.0.0.1:8080".parse().unwrap(), &extra).unwrap()
    }

    #[test]
    fn the_bound_address_and_loopback_names_on_its_port() {
        let h = hosts(&[]);
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for refused in [
            "localhost:8081",
            "localhost", // port 80
            "evil.example:8080",
            "127.0.0.1.evil.example:8080",
            "",
            "localhost:8080/x",
            "localhost:http",
        ] {
            assert!(!h.allows(refused), "{refused}");
        }
        let v6 = AllowedHosts::new("[::1]:9000".parse().unwrap(), &[]).unwrap();
        assert!(v6.allows("[::1]:9000") && v6.allows("localhost:9000"));
    }

    #[test]
    fn configured_names_with_or_without_a_port() {
        let h = hosts(&["wfm.example.com", "10.0.0.5:8443"]);
        assert!(h.allows("wfm.example.com"));
        assert!(h.allows("wfm.example.com:443"));
        assert!(h.allows("10.0.0.5:8443"));
        assert!(!h.allows("10.0.0.5:8080"));
        assert!(!h.allows("other.example.com"));
        let bad = vec!["wfm.example.com:x".to_string()];
        assert!(AllowedHosts::new("127.0.0.1:1".parse().unwrap(), &bad).is_err());
    }

    #[test]
    fn only_bearer_keys_of_our_shape() {
        let key = ApiKey::generate();
        let value = |s: String| HeaderValue::from_str(&s).unwrap();
        assert_eq!(
            bearer(&value(format!("Bearer {}", key.reveal()))),
            Some(key.clone())
        );
        assert_eq!(
            bearer(&value(format!("bearer  {}", key.reveal()))),
            Some(key.clone())
        );
        assert_eq!(bearer(&value(format!("Basic {}", key.reveal()))), None);
        assert_eq!(bearer(&value(key.reveal().to_string())), None);
        assert_eq!(bearer(&value("Bearer sc_short".into())), None);
    }
}
