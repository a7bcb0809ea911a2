//! The workspace's static files, embedded in the binary: its own script
//! and stylesheet, and uPlot (MIT, vendored by `scripts/vendor_uplot.sh`,
//! version in `assets/uplot/VERSION`).

use super::layout::CSP;
use actix_web::http::header;
use actix_web::HttpResponse;

fn asset(content_type: &str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .body(body)
}

pub async fn workspace_js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("assets/workspace.js"),
    )
}

pub async fn workspace_css() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("assets/workspace.css"),
    )
}

pub async fn uplot_js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("assets/uplot/uPlot.iife.min.js"),
    )
}

pub async fn uplot_css() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("assets/uplot/uPlot.min.css"),
    )
}
