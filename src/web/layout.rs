//! The one layout every page shares: head (styles and scripts from this
//! server only), a navigation bar, the sign-out form, and the
//! Content-Security-Policy that allows nothing but 'self'.

use super::session::PageSession;
use crate::api::error::ApiError;
use crate::auth::Permission;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Pages load only what this server serves; no inline script or style.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
frame-ancestors 'none'";

/// What a page adds to the head: uPlot for the pages with canvas charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    Plain,
    Charts,
}

/// A whole page for a signed-in session.
pub fn page(title: &str, session: &PageSession, scripts: Scripts, body: Markup) -> HttpResponse {
    let nav = html! {
        nav {
            a.brand href="/" { "staffcast" }
            a href="/" { "Queues" }
            @if session.may(Permission::WritePlanning) {
                a href="/what-if" { "What-if" }
            }
            span.who { (session.key.name) " · " (session.key.role) }
            form.inline method="post" action="/logout" {
                input type="hidden" name="csrf" value=(session.csrf());
                button type="submit" { "Sign out" }
            }
        }
    };
    html_response(StatusCode::OK, document(title, scripts, nav, body))
}

/// A page with no session (sign-in, errors before one).
pub fn bare(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    html_response(status, document(title, Scripts::Plain, html! {}, body))
}

pub fn document(title: &str, scripts: Scripts, nav: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · staffcast" }
                link rel="stylesheet" href="/workspace/workspace.css";
                @if scripts == Scripts::Charts {
                    link rel="stylesheet" href="/workspace/uPlot.min.css";
                    script src="/workspace/uPlot.iife.min.js" defer {}
                }
                script src="/workspace/workspace.js" defer {}
            }
            body {
                (nav)
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .body(markup.into_string())
}

/// Data for a page's script, in a non-executable `<script
/// type="application/json">` block (CSP allows it: it is never run).
pub fn data_block(id: &str, json: &serde_json::Value) -> Markup {
    // `</` cannot end the block early once its slash is escaped.
    let text = json.to_string().replace("</", "<\\/");
    html! { script type="application/json" id=(id) { (PreEscaped(text)) } }
}

/// An error on a page: the API's status and message, as a page.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PageError(#[from] pub ApiError);

impl From<crate::domain::InvalidValue> for PageError {
    fn from(e: crate::domain::InvalidValue) -> Self {
        PageError(ApiError::from(e))
    }
}

impl From<crate::app::AppError> for PageError {
    fn from(e: crate::app::AppError) -> Self {
        PageError(ApiError::from(e))
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        bare(
            status,
            status.canonical_reason().unwrap_or("Error"),
            html! {
                p.error { (self.0.to_string()) }
                p { a href="/" { "Back to the queues" } }
            },
        )
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

/// Runs a use case off the async runtime, as the API does.
pub async fn run<T, F>(f: F) -> Result<T, PageError>
where
    F: FnOnce() -> Result<T, crate::app::AppError> + Send + 'static,
    T: Send + 'static,
{
    Ok(crate::api::blocking(f).await?)
}

/// [`run`] for work worth stopping when the browser goes away (a forecast,
/// a what-if): as the API's `until_disconnect`, the work gets a flag set
/// when the request is dropped.
pub async fn run_stoppable<T, F>(f: F) -> Result<T, PageError>
where
    F: FnOnce(&std::sync::atomic::AtomicBool) -> Result<T, crate::app::AppError> + Send + 'static,
    T: Send + 'static,
{
    Ok(crate::api::until_disconnect(f).await?)
}

/// `12.3` / `4` / `–`: numbers as a planner reads them.
pub fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "–".into()
    }
}

pub fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{:.1} %", v * 100.0))
}
