//! API key secrets: made from the OS random source, shown once, stored
//! only as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Every key starts with this, so a leaked one is recognisable in a
/// secret scan or a log.
pub const KEY_PREFIX: &str = "sc_";

/// Random bytes per key: 256 bits.
const KEY_BYTES: usize = 32;

/// Characters after the prefix: 32 bytes in unpadded base64url.
const ENCODED_LEN: usize = 43;

/// A key's secret. It never prints (`Debug` hides it); [`ApiKey::reveal`]
/// is the one way to show it, once, at creation.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// A new key: 32 bytes from the operating system's random source.
    pub fn generate() -> Self {
        ApiKey(random_secret(KEY_PREFIX))
    }

    /// A key as a client sent it, if it has the shape of one of ours
    /// (anything else cannot be a key, and costs no lookup).
    pub fn parse(raw: &str) -> Option<Self> {
        well_formed(raw, KEY_PREFIX).then(|| ApiKey(raw.to_string()))
    }

    /// What is stored and looked up: the key's SHA-256. A key has 256 random
    /// bits, so a plain (unsalted, fast) hash cannot be reversed by guessing.
    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }

    /// The secret itself, to show once to whoever created the key.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({KEY_PREFIX}…)")
    }
}

/// `prefix` and 32 bytes from the operating system's random source, in
/// unpadded base64url (safe in a URL path as it is).
pub(super) fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `raw` has the shape of a secret made by [`random_secret`].
pub(super) fn well_formed(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).is_some_and(|body| {
        body.len() == ENCODED_LEN
            && URL_SAFE_NO_PAD
                .decode(body)
                .is_ok_and(|b| b.len() == KEY_BYTES)
    })
}

/// Every calendar-feed token starts with this (told apart from API keys).
pub const FEED_TOKEN_PREFIX: &str = "scf_";

/// The secret in a calendar feed's URL: calendar apps cannot send headers,
/// so the URL itself is the credential. Made and stored like an [`ApiKey`]
/// (256 random bits, only the SHA-256 kept); it grants one agent's feed
/// and nothing else.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

impl FeedToken {
    pub fn generate() -> Self {
        FeedToken(random_secret(FEED_TOKEN_PREFIX))
    }

    /// A token as it came in a URL, if it has the shape of one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        well_formed(raw, FEED_TOKEN_PREFIX).then(|| FeedToken(raw.to_string()))
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }

    /// The secret itself, shown once in the feed's URL.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FeedToken({FEED_TOKEN_PREFIX}…)")
    }
}

/// The lowercase hex SHA-256 of a key or feed token: what the database holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyHash(String);

impl KeyHash {
    pub(super) fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        KeyHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_has_256_random_bits_behind_a_prefix() {
        let a = ApiKey::generate();
        let b = ApiKey::generate();
        assert_ne!(a, b);
        assert!(a.reveal().starts_with("sc_"));
        assert_eq!(a.reveal().len(), 3 + 43);
        assert_eq!(ApiKey::parse(a.reveal()), Some(a.clone()));
        assert_eq!(a.hash().as_str().len(), 64);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), ApiKey::parse(a.reveal()).unwrap().hash());
    }

    #[test]
    fn the_hash_is_sha256_of_the_whole_key() {
        // sha256("sc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), from sha256sum.
        let key = ApiKey::parse(&format!("sc_{}", "A".repeat(43))).unwrap();
        assert_eq!(
            key.hash().as_str(),
            "4013caa94199412a9bae361245f6f927ba97f9736d64048f21b67e9aebe4c8f0"
        );
    }

    #[test]
    fn only_our_shape_parses() {
        let good = ApiKey::generate();
        for bad in [
            "",
            "sc_",
            &good.reveal()[3..],                       // no prefix
            &good.reveal()[..good.reveal().len() - 1], // one short
            &format!("{}A", good.reveal()),            // one long
            &format!("xx_{}", &good.reveal()[3..]),    // other prefix
            &format!("sc_{}", "!".repeat(43)),         // not base64url
        ] {
            assert!(ApiKey::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn feed_tokens_are_as_random_as_keys_and_never_keys() {
        let t = FeedToken::generate();
        assert!(t.reveal().starts_with("scf_"));
        assert_eq!(t.reveal().len(), 4 + 43);
        assert_eq!(FeedToken::parse(t.reveal()), Some(t.clone()));
        assert_ne!(t, FeedToken::generate());
        assert_eq!(t.hash().as_str().len(), 64);
        assert!(ApiKey::parse(t.reveal()).is_none());
        assert!(FeedToken::parse(ApiKey::generate().reveal()).is_none());
        assert!(FeedToken::parse("999999").is_none());
        assert!(!format!("{t:?}").contains(&t.reveal()[4..]));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = ApiKey::generate();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&key.reveal()[3..]), "{shown}");
    }
}
