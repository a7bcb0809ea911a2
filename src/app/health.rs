//! Whether the service can do its work: today, that its database answers.

use super::AppError;
use crate::db::Database;

/// Ok when the database answers a query.
pub fn check(db: &Database) -> Result<(), AppError> {
    db.ping().map_err(Into::into)
}
