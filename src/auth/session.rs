//! The workspace's browser secrets: a session cookie and a one-time login
//! link, each 256 random bits stored only as a SHA-256 (like API keys),
//! and the CSRF token of a session, derived from its secret.

use super::key::{random_secret, well_formed};
use super::KeyHash;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::fmt;

/// A session cookie's value starts with this.
pub const SESSION_PREFIX: &str = "scs_";
/// A one-time login link's token starts with this.
pub const LINK_PREFIX: &str = "scl_";

/// A browser secret: a session or a one-time link (by its prefix).
#[derive(Clone, PartialEq, Eq)]
pub struct BrowserSecret(String);

impl BrowserSecret {
    pub fn new_session() -> Self {
        BrowserSecret(random_secret(SESSION_PREFIX))
    }

    pub fn new_link() -> Self {
        BrowserSecret(random_secret(LINK_PREFIX))
    }

    /// A session cookie as a browser sent it, if it has our shape.
    pub fn parse_session(raw: &str) -> Option<Self> {
        well_formed(raw, SESSION_PREFIX).then(|| BrowserSecret(raw.to_string()))
    }

    /// A link token as it came in a URL, if it has our shape.
    pub fn parse_link(raw: &str) -> Option<Self> {
        well_formed(raw, LINK_PREFIX).then(|| BrowserSecret(raw.to_string()))
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }

    /// The session's CSRF token: a hash of its secret, so it is fixed for
    /// the session, needs no storage, and cannot be made without the
    /// cookie (which pages of other sites can neither read nor send).
    pub fn csrf_token(&self) -> String {
        let digest = Sha256::digest(format!("staffcast csrf\0{}", self.0).as_bytes());
        URL_SAFE_NO_PAD.encode(digest)
    }

    /// Whether `sent` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        constant_time_eq(self.csrf_token().as_bytes(), sent.as_bytes())
    }

    /// The secret itself, for the cookie or the link (never logged).
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

/// Equal bytes, in a time that depends only on the lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Debug for BrowserSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.0.starts_with(LINK_PREFIX) {
            LINK_PREFIX
        } else {
            SESSION_PREFIX
        };
        write!(f, "BrowserSecret({prefix}…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_and_links_are_told_apart_and_never_print() {
        let s = BrowserSecret::new_session();
        let l = BrowserSecret::new_link();
        assert_eq!(BrowserSecret::parse_session(s.reveal()), Some(s.clone()));
        assert_eq!(BrowserSecret::parse_link(s.reveal()), None);
        assert_eq!(BrowserSecret::parse_link(l.reveal()), Some(l.clone()));
        assert_eq!(BrowserSecret::parse_session(l.reveal()), None);
        assert!(!format!("{s:?}").contains(&s.reveal()[4..]));
        assert_ne!(s.hash(), l.hash());
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let a = BrowserSecret::new_session();
        let b = BrowserSecret::new_session();
        assert_eq!(a.csrf_token(), a.csrf_token());
        assert_ne!(a.csrf_token(), b.csrf_token());
        assert!(a.csrf_matches(&a.csrf_token()));
        assert!(!a.csrf_matches(&b.csrf_token()));
        assert!(!a.csrf_matches(""));
        assert!(!a.csrf_token().contains(&a.reveal()[4..]));
    }
}
