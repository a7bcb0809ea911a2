//! `/login` (an API key, or a one-time link's `?token=`) and `/logout`.
//!
//! The sign-in form has no session yet, so its CSRF token is a
//! double-submit one: a random value in a short-lived cookie and in the
//! form, which must match (a page of another site can set neither).

use super::layout::{self, run, PageError, PageResult};
use super::session::{cleared_cookie, local_path, see_other, session_cookie, PageSession};
use crate::app::workspace;
use crate::auth::{constant_time_eq, BrowserSecret};
use crate::db::Database;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "staffcast_login";

#[derive(Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    key: String,
    csrf: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LogoutForm {}

/// The sign-in page, or a one-time link followed.
pub async fn page(db: web::Data<Database>, query: web::Query<LoginQuery>) -> PageResult {
    let query = query.into_inner();
    if let Some(token) = query.token {
        let db = db.into_inner();
        let opened = run(move || workspace::follow_link(&db, &token)).await?;
        return Ok(match opened {
            Some(opened) => {
                let mut resp = see_other("/");
                resp.add_cookie(&session_cookie(&opened))
                    .map_err(|e| PageError(crate::api::error::ApiError::WorkerFailed(e.to_string())))?;
                resp
            }
            None => form(
                StatusCode::UNAUTHORIZED,
                "This sign-in link was already used, has expired, or its key was revoked. Sign in with an API key.",
                None,
            ),
        });
    }
    Ok(form(StatusCode::OK, "", query.next.as_deref()))
}

/// Signs in with a key typed into the form.
pub async fn submit(
    req: HttpRequest,
    db: web::Data<Database>,
    body: web::Form<LoginForm>,
) -> PageResult {
    let body = body.into_inner();
    let expected = req.cookie(LOGIN_CSRF_COOKIE);
    let fresh = expected.as_ref().is_some_and(|c| {
        !c.value().is_empty() && constant_time_eq(c.value().as_bytes(), body.csrf.as_bytes())
    });
    if !fresh {
        return Ok(form(
            StatusCode::FORBIDDEN,
            "The sign-in form expired; please sign in again.",
            body.next.as_deref(),
        ));
    }
    let db = db.into_inner();
    let key = body.key;
    let opened = run(move || workspace::sign_in(&db, &key)).await?;
    let Some(opened) = opened else {
        return Ok(form(
            StatusCode::UNAUTHORIZED,
            "That API key is unknown or revoked.",
            body.next.as_deref(),
        ));
    };
    let to = body.next.as_deref().and_then(local_path).unwrap_or("/");
    let mut resp = see_other(to);
    let add = |resp: &mut HttpResponse, c: &Cookie<'_>| {
        resp.add_cookie(c)
            .map_err(|e| PageError(crate::api::error::ApiError::WorkerFailed(e.to_string())))
    };
    add(&mut resp, &session_cookie(&opened))?;
    let mut used = login_csrf_cookie(String::new());
    used.make_removal();
    add(&mut resp, &used)?;
    Ok(resp)
}

/// Ends the session and clears its cookie.
pub async fn logout(
    db: web::Data<Database>,
    session: PageSession,
    _form: web::Form<LogoutForm>,
) -> PageResult {
    let db = db.into_inner();
    let secret: BrowserSecret = session.secret().clone();
    run(move || workspace::sign_out(&db, &secret)).await?;
    let mut resp = see_other("/login");
    resp.add_cookie(&cleared_cookie())
        .map_err(|e| PageError(crate::api::error::ApiError::WorkerFailed(e.to_string())))?;
    Ok(resp)
}

fn login_csrf_cookie(value: String) -> Cookie<'static> {
    Cookie::build(LOGIN_CSRF_COOKIE, value)
        .path("/login")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::hours(1))
        .finish()
}

/// The sign-in form with a fresh double-submit token.
fn form(status: StatusCode, message: &str, next: Option<&str>) -> HttpResponse {
    // 256 random bits (hashed): the value only this server's page can put
    // in both the form and the cookie.
    let token = BrowserSecret::new_session().csrf_token();
    let next = next.and_then(local_path);
    let mut resp = layout::bare(
        status,
        "Sign in",
        html! {
            p { "The planner workspace opens with an API key (" code { "staffcast keys create" } ", or the demo's " code { "api key:" } " line), or with the one-time " code { "workspace:" } " link the demo prints." }
            @if !message.is_empty() { p.error role="alert" { (message) } }
            form #login method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                @if let Some(next) = next { input type="hidden" name="next" value=(next); }
                label { "API key " input #key type="password" name="key" autocomplete="off" size="50" placeholder="sc_…" required; }
                button type="submit" { "Sign in" }
            }
        },
    );
    let _ = resp.add_cookie(&login_csrf_cookie(token));
    resp
}

/// A request line for the log with a sign-in link's token hidden
/// (`/login?token=[token]`): the token is a credential until it is used.
pub fn redact_link(uri: &str) -> String {
    let Some(at) = uri.find("token=scl_") else {
        return uri.to_string();
    };
    let value = at + "token=".len();
    let end = uri[value..].find('&').map_or(uri.len(), |e| value + e);
    format!("{}[token]{}", &uri[..value], &uri[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_links_token_never_reaches_the_log() {
        assert_eq!(redact_link("/login?token=scl_abc"), "/login?token=[token]");
        assert_eq!(
            redact_link("/login?token=scl_abc&next=%2F"),
            "/login?token=[token]&next=%2F"
        );
        assert_eq!(redact_link("/forecasts/3"), "/forecasts/3");
    }
}
