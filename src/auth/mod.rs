//! Who may call what: API keys, roles and the permission each route needs.
//!
//! Plain Rust like the core (no HTTP, no SQL): the API attaches an
//! [`Access`] to every route and asks [`Role::allows`]; the app layer stores
//! keys by their [`KeyHash`] only. The role matrix lives in one function,
//! [`Role::allows`], so the README table, the server and the tests agree.

mod key;
mod session;

pub use key::{ApiKey, FeedToken, KeyHash, FEED_TOKEN_PREFIX, KEY_PREFIX};
pub use session::{constant_time_eq, BrowserSecret, LINK_PREFIX, SESSION_PREFIX};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stored key's id (the secret is never stored, only its hash).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct KeyId(pub i32);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a key may do, as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including key management and the audit log.
    Admin,
    /// Reads and writes everything but keys and the audit log.
    Planner,
    /// What an HR tool needs: queues, agents (read and write), schedules
    /// and their roster exports (read).
    Hr,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Planner, Role::Hr];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Hr => "hr",
        }
    }

    /// The role matrix: the one place that says which role holds which permission.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Planner => !matches!(permission, Administer),
            Role::Hr => matches!(permission, ReadRosters | WriteAgents),
        }
    }

    /// Whether a key of this role may use a route with `access`.
    pub fn may(self, access: Access) -> bool {
        match access {
            Access::Public | Access::SecretUrl | Access::AnyKey => true,
            Access::Requires(p) | Access::Page(p) => self.allows(p),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = crate::domain::InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                crate::domain::InvalidValue::new(
                    "role",
                    format!("'{s}' is not a role (use admin, planner or hr)"),
                )
            })
    }
}

/// What a route does, in the terms the role matrix grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Queues, agents, schedules and their roster exports (JSON, CSV, iCalendar).
    ReadRosters,
    /// Create and replace agents.
    WriteAgents,
    /// History, calendars, forecasts and their adjustments, requirements,
    /// accuracy, capacity plans, a schedule's service check and shortfall.
    ReadPlanning,
    /// Create queues, import history and calendars, forecast, adjust,
    /// plan capacity, what-if staffing, build, cancel and simulate rosters.
    WritePlanning,
    /// API keys and the audit log.
    Administer,
}

impl Permission {
    pub const ALL: [Permission; 5] = [
        Permission::ReadRosters,
        Permission::WriteAgents,
        Permission::ReadPlanning,
        Permission::WritePlanning,
        Permission::Administer,
    ];

    /// A phrase for refusals: "a key with role hr may not {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ReadRosters => "read queues, agents and rosters",
            Permission::WriteAgents => "change agents",
            Permission::ReadPlanning => "read planning data (history, forecasts, capacity, checks)",
            Permission::WritePlanning => "change planning data",
            Permission::Administer => "manage API keys or read the audit log",
        }
    }

    /// The roles that hold this permission, in [`Role::ALL`] order.
    pub fn roles(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| r.allows(self)).collect()
    }
}

/// What a route asks of its caller. Every route of the API is registered
/// with one (see `api::endpoints`), so none can be added without deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// No key: the health check.
    Public,
    /// No key either, but the URL holds a secret the handler checks (a
    /// calendar feed's token: calendar apps cannot send headers). Unknown
    /// or revoked secrets answer 404, so the route tells nothing to guessers.
    SecretUrl,
    /// Any valid key, whatever its role: unknown paths answer 404 only to
    /// a caller with a key, so the route list cannot be probed without one.
    AnyKey,
    /// A valid key whose role holds the permission.
    Requires(Permission),
    /// A page of the planner workspace: a signed-in browser session (its
    /// cookie names the key that signed in) whose role holds the
    /// permission. Without one, the browser is sent to `/login`; a form
    /// posted to it must carry the session's CSRF token.
    Page(Permission),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_matrix() {
        use Permission::*;
        let table = [
            (Role::Admin, [true, true, true, true, true]),
            (Role::Planner, [true, true, true, true, false]),
            (Role::Hr, [true, true, false, false, false]),
        ];
        for (role, row) in table {
            for (permission, allowed) in Permission::ALL.into_iter().zip(row) {
                assert_eq!(role.allows(permission), allowed, "{role} {permission:?}");
            }
        }
        assert_eq!(Administer.roles(), [Role::Admin]);
        assert_eq!(ReadRosters.roles(), Role::ALL);
    }

    #[test]
    fn public_and_any_key_routes_take_every_role() {
        for role in Role::ALL {
            assert!(role.may(Access::Public) && role.may(Access::AnyKey));
            assert!(role.may(Access::SecretUrl));
        }
        assert!(!Role::Hr.may(Access::Requires(Permission::WritePlanning)));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        let e = "boss".parse::<Role>().unwrap_err();
        assert_eq!(e.field, "role");
        assert!("Admin".parse::<Role>().is_err(), "names are lowercase");
    }
}
