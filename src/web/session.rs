//! The workspace's session check, run by `api::guard::check` for every
//! route with `Access::Page`: a live session cookie whose key's role holds
//! the page's permission, and on a form post the session's CSRF token (and
//! a same-origin `Origin` when the browser sends one).

use crate::api::blocking;
use crate::api::error::ApiError;
use crate::api::guard::Caller;
use crate::app::workspace;
use crate::auth::{BrowserSecret, Permission};
use crate::db::api_keys::StoredKey;
use crate::db::Database;
use actix_web::body::BoxBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, Error, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use std::future::{ready, Ready};

/// The session cookie (HttpOnly, Secure, SameSite=Strict).
pub const COOKIE: &str = "staffcast_session";

/// Largest form a page accepts.
pub const FORM_LIMIT: usize = 64 * 1024;

/// A signed-in browser, as a page handler sees it.
#[derive(Debug, Clone)]
pub struct PageSession {
    pub key: StoredKey,
    secret: BrowserSecret,
}

impl PageSession {
    /// The token every form of this session carries (`csrf` field).
    pub fn csrf(&self) -> String {
        self.secret.csrf_token()
    }

    pub fn secret(&self) -> &BrowserSecret {
        &self.secret
    }

    pub fn may(&self, p: Permission) -> bool {
        self.key.role.allows(p)
    }
}

impl FromRequest for PageSession {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Set by `check`, which runs before every page handler.
        ready(
            req.extensions()
                .get::<PageSession>()
                .cloned()
                .ok_or(ApiError::Unauthenticated(
                    crate::api::error::Unauthenticated::NoKey,
                )),
        )
    }
}

/// The cookie that holds a new session.
pub fn session_cookie(opened: &workspace::Opened) -> Cookie<'static> {
    Cookie::build(COOKIE, opened.secret.reveal().to_string())
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::hours(
            workspace::SESSION_HOURS,
        ))
        .finish()
}

/// A cookie that clears the session cookie.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, "")
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .finish();
    c.make_removal();
    c
}

/// `303 See Other` to `to` (a local path).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// A path that may follow a sign-in: local only (no `//host`, no scheme).
pub fn local_path(raw: &str) -> Option<&str> {
    // Browsers drop tabs and newlines from a URL, so "/\t/evil" would be "//evil".
    let plain = raw.chars().all(|c| c.is_ascii_graphic());
    (plain && raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\')).then_some(raw)
}

/// The check in front of every page (see the module doc).
pub async fn check(
    needs: Permission,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let secret = req
        .cookie(COOKIE)
        .and_then(|c| BrowserSecret::parse_session(c.value()));
    let key = match (&secret, req.app_data::<web::Data<Database>>()) {
        (Some(s), Some(db)) => {
            let (s, db) = (s.clone(), db.clone().into_inner());
            match blocking(move || workspace::session_key(&db, &s)).await {
                Ok(key) => key,
                Err(e) => return Ok(req.error_response(e)),
            }
        }
        _ => None,
    };
    let (Some(secret), Some(key)) = (secret, key) else {
        let here = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let to = if req.method() == Method::GET && here != "/" {
            format!("/login?next={}", urlencode(&here))
        } else {
            "/login".to_string()
        };
        return Ok(req.into_response(see_other(&to)));
    };
    req.extensions_mut().insert(Caller {
        key: key.id,
        role: key.role,
    });
    if !key.role.allows(needs) {
        return Ok(req.error_response(ApiError::Forbidden {
            role: key.role,
            needs,
        }));
    }
    if req.method() != Method::GET {
        if let Err(e) = same_origin(&req) {
            return Ok(req.error_response(e));
        }
        match read_form(&mut req).await {
            Ok(body) => {
                let sent = csrf_field(&body);
                if !sent.as_deref().is_some_and(|t| secret.csrf_matches(t)) {
                    return Ok(req.error_response(ApiError::CsrfRejected));
                }
                req.set_payload(actix_web::dev::Payload::from(body));
            }
            Err(e) => return Ok(req.error_response(e)),
        }
    }
    req.extensions_mut().insert(PageSession { key, secret });
    next.call(req).await
}

/// A form post must come from this server's own pages: browsers send
/// `Origin` on every POST, and it must name the `Host` it was sent to.
fn same_origin(req: &ServiceRequest) -> Result<(), ApiError> {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let ours = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| o.eq_ignore_ascii_case(host));
    if ours {
        Ok(())
    } else {
        Err(ApiError::CsrfRejected)
    }
}

/// The form body of a page post (urlencoded only, at most [`FORM_LIMIT`]).
async fn read_form(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(ApiError::UnsupportedMediaType(
            "a workspace form is posted as application/x-www-form-urlencoded".into(),
        ));
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::UnreadableBody(e.to_string()))?;
        if body.len() + chunk.len() > FORM_LIMIT {
            return Err(ApiError::TooLarge { limit: FORM_LIMIT });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn csrf_field(body: &[u8]) -> Option<String> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    fields
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

/// Percent-encodes a query value.
pub fn urlencode(raw: &str) -> String {
    serde_urlencoded::to_string([("v", raw)])
        .map(|s| s[2..].to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_follow_a_sign_in() {
        assert_eq!(local_path("/forecasts/3"), Some("/forecasts/3"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "evil",
            "/\\evil",
            "/\t/evil.example",
            "/\n/x",
            "/ /x",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_csrf_field_is_read_from_the_form() {
        assert_eq!(csrf_field(b"a=1&csrf=x%2By"), Some("x+y".into()));
        assert_eq!(csrf_field(b"a=1"), None);
        assert_eq!(urlencode("/a?b=c&d"), "%2Fa%3Fb%3Dc%26d");
    }
}
