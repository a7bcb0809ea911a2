//! The `Idempotency-Key` middleware on POST routes: a retry with the same
//! key (from the same API key, to the same path, with the same body) gets
//! the first answer again, with `Idempotency-Replayed: true`, and nothing
//! is done twice. The rules live in `app::idempotency`; this reads the
//! header and the body, and keeps or replays the answer.

use super::blocking;
use super::body::{body_limit, read_limited};
use super::error::ApiError;
use super::guard::{database, Caller};
use crate::app::idempotency::{begin, body_hash, finish, Begin};
use crate::db::idempotency::{IdempotentRequest, StoredResponse};
use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse};

pub const HEADER: &str = "Idempotency-Key";
pub const REPLAYED: &str = "Idempotency-Replayed";

/// Longest key accepted (the IETF draft's keys are UUIDs; 255 leaves room).
const MAX_KEY_CHARS: usize = 255;

/// Whether a POST route honours the header. Not `POST /keys`: its answer
/// holds the new key's secret, which is never stored.
pub fn honoured(path: &str) -> bool {
    path != "/api/v1/keys"
}

/// The key: 1 to 255 printable ASCII characters.
fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let bad = |message: String| ApiError::BadHeader {
        header: HEADER,
        message,
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_CHARS {
        return Err(bad(format!(
            "must be 1 to {MAX_KEY_CHARS} characters, got {}",
            bytes.len()
        )));
    }
    if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(bad("must be printable ASCII characters only".into()));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// Wraps one POST route (inside `guard::check`, so the caller is known).
pub async fn keyed(
    replayable: bool,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(value) = req.headers().get(HEADER) else {
        return next.call(req).await;
    };
    let key = match parse_key(value) {
        Ok(key) => key,
        Err(e) => return Ok(req.error_response(e)),
    };
    if !replayable {
        let e = ApiError::BadHeader {
            header: HEADER,
            message: format!(
                "not honoured on {} {}: its answer holds a secret that is never stored",
                req.method(),
                req.path()
            ),
        };
        return Ok(req.error_response(e));
    }
    let Some(caller) = req.extensions().get::<Caller>().copied() else {
        return next.call(req).await;
    };
    let db = match database(&req) {
        Ok(db) => db,
        Err(e) => return Ok(req.error_response(e)),
    };
    // The body is read here to hash it, then handed back to the route.
    let limit = body_limit(req.request());
    let payload = req.take_payload();
    let body = match read_limited(req.request(), payload, limit).await {
        Ok(body) => Bytes::from(body),
        Err(e) => return Ok(req.error_response(e)),
    };
    let request = IdempotentRequest {
        key_id: caller.key,
        key: key.clone(),
        method: req.method().to_string(),
        // With the query: `?dry_run=true` and the like make another request.
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_string(), |p| p.as_str().to_string()),
        body_hash: body_hash(&body),
    };
    req.set_payload(Payload::from(body));
    let claim_db = db.clone();
    match blocking(move || begin(&claim_db, &request)).await {
        Err(e) => return Ok(req.error_response(e)),
        Ok(Begin::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(Begin::Proceed) => {}
    }
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(e) => {
            release(db, caller, key).await;
            return Err(e);
        }
    };
    if !res.status().is_success() {
        release(db, caller, key).await;
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(e) => {
            release(db, caller, key).await;
            let e = ApiError::WorkerFailed(format!("reading the answer: {e}"));
            return Ok(ServiceResponse::new(
                req,
                actix_web::ResponseError::error_response(&e),
            ));
        }
    };
    let text = |name| {
        head.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let stored = StoredResponse {
        status: head.status().as_u16(),
        content_type: text(header::CONTENT_TYPE),
        location: text(header::LOCATION),
        body: bytes.to_vec(),
    };
    // Awaited, so a retry sent right after this answer finds it.
    if let Err(e) = blocking(move || finish(&db, caller.key, &key, Some(&stored))).await {
        tracing::error!(error = %e, "idempotent answer not stored");
    }
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// Frees the key of a request that answered with a refusal or failed.
async fn release(db: std::sync::Arc<crate::db::Database>, caller: Caller, key: String) {
    if let Err(e) = blocking(move || finish(&db, caller.key, &key, None)).await {
        tracing::error!(error = %e, "idempotency key not released");
    }
}

/// The stored answer, as it was first sent, marked as a replay.
fn replay(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    if let Some(ct) = stored.content_type {
        res.insert_header((header::CONTENT_TYPE, ct));
    }
    if let Some(location) = stored.location {
        res.insert_header((header::LOCATION, location));
    }
    res.insert_header((REPLAYED, "true"));
    res.body(stored.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_printable_ascii() {
        let ok = HeaderValue::from_static("retry-7f1c 2026-12-11");
        assert_eq!(parse_key(&ok).unwrap(), "retry-7f1c 2026-12-11");
        let long = HeaderValue::from_str(&"k".repeat(256)).unwrap();
        let e = parse_key(&long).unwrap_err();
        assert_eq!(e.problem().field.as_deref(), Some(HEADER));
        assert_eq!(e.problem().status, 400);
        assert!(parse_key(&HeaderValue::from_str(&"k".repeat(255)).unwrap()).is_ok());
        let tab = HeaderValue::from_bytes(b"a\tb").unwrap();
        assert!(parse_key(&tab).is_err());
        let latin = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert!(parse_key(&latin).is_err());
        assert!(!honoured("/api/v1/keys") && honoured("/api/v1/queues"));
    }
}
