//! `Idempotency-Key`: a client that retries a POST (a timeout, a dropped
//! connection) with the same key gets the first answer again, and the work
//! is done once.
//!
//! Rules: keys are scoped to the API key that sent them (another tenant's
//! key never replays); the same key with another method, path or body is a
//! mistake (422); while the first request runs, a duplicate gets 409; only
//! successful (2xx) answers are kept, since a refusal or failure changed
//! nothing and the retry may as well run; keys expire after 24 hours,
//! removed whenever a new key is claimed.

use super::error::{Conflict, Refusal};
use super::AppError;
use crate::auth::KeyId;
use crate::db::idempotency::{Claim, IdempotentRequest, StoredResponse};
use crate::db::Database;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

/// How long a key's answer is kept.
pub const KEY_LIFETIME: Duration = Duration::hours(24);

/// A claim older than this with no answer is taken to be a request that
/// died (its server stopped, its client's connection was dropped mid-way):
/// the key is freed. Far above any synchronous route's run time.
pub const ABANDONED_AFTER: Duration = Duration::minutes(10);

/// What to do with a request that names a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First use of the key: serve it, then [`finish`].
    Proceed,
    /// A retry: answer with this, do nothing else.
    Replay(StoredResponse),
}

/// Lowercase hex SHA-256 of a request body.
pub fn body_hash(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Claims the request's key, or says why not.
pub fn begin(db: &Database, request: &IdempotentRequest) -> Result<Begin, AppError> {
    let now = Utc::now();
    let claim =
        db.claim_idempotency_key(request, now, now - KEY_LIFETIME, now - ABANDONED_AFTER)?;
    let earlier = match claim {
        Claim::Claimed => return Ok(Begin::Proceed),
        Claim::Taken(earlier) => earlier,
    };
    if earlier.method != request.method
        || earlier.path != request.path
        || earlier.body_hash != request.body_hash
    {
        return Err(Refusal::IdempotencyKeyReused {
            method: earlier.method,
            path: earlier.path,
        }
        .into());
    }
    match earlier.response {
        Some(response) => Ok(Begin::Replay(response)),
        None => Err(Conflict::IdempotencyInFlight.into()),
    }
}

/// Keeps a successful answer for the key's retries; frees the key otherwise.
pub fn finish(
    db: &Database,
    key_id: KeyId,
    key: &str,
    response: Option<&StoredResponse>,
) -> Result<(), AppError> {
    match response {
        Some(r) if (200..300).contains(&r.status) => {
            db.store_idempotent_response(key_id, key, r)?
        }
        _ => db.release_idempotency_key(key_id, key)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::body_hash;

    #[test]
    fn bodies_are_hashed_as_hex_sha256() {
        assert_eq!(
            body_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(body_hash(b"{\"a\":1}"), body_hash(b"{\"a\":2}"));
    }
}
