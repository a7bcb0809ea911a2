//! `/docs`: Swagger UI over the OpenAPI document, served from files
//! committed in `docs/swagger-ui/` (fetched once by
//! `scripts/vendor_swagger_ui.sh`), so it works offline and loads nothing
//! from elsewhere. The page asks for an API key and sends it as a bearer
//! header with every call, the document's included; the key stays in the
//! tab's session storage.

use actix_web::http::header;
use actix_web::HttpResponse;

/// Scripts and styles from this server only; Swagger UI's icons are data URIs.
const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

fn asset(content_type: &str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .body(body)
}

pub async fn page() -> HttpResponse {
    asset("text/html; charset=utf-8", PAGE.as_bytes())
}

pub async fn init_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", INIT_JS.as_bytes())
}

pub async fn bundle_js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("docs/swagger-ui/swagger-ui-bundle.js"),
    )
}

pub async fn css() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("docs/swagger-ui/swagger-ui.css"),
    )
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>staffcast API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<form id="key-form" hidden>
  <p>The API documentation is read with an API key (any role).</p>
  <label>API key <input id="key" type="password" autocomplete="off" size="50" placeholder="sc_..."></label>
  <button type="submit">Open</button>
</form>
<p id="key-bar" hidden><button id="forget" type="button">Forget the key</button></p>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

const INIT_JS: &str = r##""use strict";
(function () {
  var store = window.sessionStorage;
  var form = document.getElementById("key-form");
  var bar = document.getElementById("key-bar");
  function start(key) {
    form.hidden = true;
    bar.hidden = false;
    window.ui = SwaggerUIBundle({
      url: "/api/v1/openapi.json",
      dom_id: "#swagger-ui",
      requestInterceptor: function (req) {
        req.headers["Authorization"] = "Bearer " + key;
        return req;
      }
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var key = document.getElementById("key").value.trim();
    if (key) { store.setItem("staffcast-key", key); start(key); }
  });
  document.getElementById("forget").addEventListener("click", function () {
    store.removeItem("staffcast-key");
    window.location.reload();
  });
  var saved = store.getItem("staffcast-key");
  if (saved) { start(saved); } else { form.hidden = false; }
})();
"##;
