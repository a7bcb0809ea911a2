//! Request bodies: a size limit that answers 413 as JSON, and a JSON
//! extractor whose errors name the offending field.

use super::error::ApiError;
use super::ApiSettings;
use crate::app::history::HistoryFormat;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

pub async fn read_limited<S>(
    req: &HttpRequest,
    mut payload: S,
    limit: usize,
) -> Result<Vec<u8>, ApiError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    // Refuse early when the client says up front that it is too big.
    if let Some(len) = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit {
            return Err(ApiError::TooLarge { limit });
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::UnreadableBody(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An upload that may be CSV or JSON, chosen by its Content-Type, read
/// within the body limit.
///
/// Only `text/csv` and `application/json`: a browser sends neither
/// cross-site without a CORS preflight, whereas `text/plain` (accepted
/// before) a page on any site could POST as a simple request.
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(HistoryFormat, Vec<u8>), ApiError> {
    let content_type = req.content_type();
    let format = if content_type.eq_ignore_ascii_case("text/csv") {
        HistoryFormat::Csv
    } else if content_type.eq_ignore_ascii_case("application/json") {
        HistoryFormat::Json
    } else {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type '{content_type}': send text/csv or application/json"
        )));
    };
    Ok((format, read_limited(req, payload, body_limit(req)).await?))
}

pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<ApiSettings>>()
        .map(|s| s.max_body_bytes)
        .unwrap_or_else(|| ApiSettings::default().max_body_bytes)
}

/// Like `web::Json`, but a type error says which field: `volume: invalid type…`.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            read_json(&req, payload, false)
                .await?
                .map(Json)
                .ok_or(ApiError::BodyRequired)
        })
    }
}

/// Reads and parses a JSON body; `None` only when empty bodies are allowed and this one is.
async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
    allow_empty: bool,
) -> Result<Option<T>, ApiError> {
    let bytes = read_limited(req, payload, body_limit(req)).await?;
    if allow_empty && bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if req.content_type() != "application/json" {
        return Err(ApiError::UnsupportedMediaType(
            "expected Content-Type: application/json".into(),
        ));
    }
    parse_json(&bytes).map(Some)
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        malformed(path, e.inner())
    })
}

/// Parses a JSON value already read (e.g. after looking at its shape),
/// naming the field at fault like [`parse_json`].
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        malformed(path, e.inner())
    })
}

/// A body error naming the field at `path` (`.` is the whole body).
pub fn malformed(path: String, cause: impl std::fmt::Display) -> ApiError {
    if path == "?" {
        // A syntax error: serde knows no field to name.
        return ApiError::MalformedBody {
            field: None,
            message: format!("JSON body, field ?: {cause}"),
        };
    }
    if path == "." {
        ApiError::MalformedBody {
            field: None,
            message: format!("JSON body: {cause}"),
        }
    } else {
        ApiError::MalformedBody {
            message: format!("JSON body, field {path}: {cause}"),
            field: Some(path),
        }
    }
}

/// A JSON body that may be left out entirely (no bytes): `None` then.
/// A body that is present must parse, so a typo is never silently ignored.
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move { read_json(&req, payload, true).await.map(OptionalJson) })
    }
}
