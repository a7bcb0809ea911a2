//! One error type for every use case; the API maps it to HTTP statuses in one place.

use crate::db::DbError;
use crate::domain::{ImportError, InvalidValue};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A value the caller sent breaks a rule (422).
    #[error("{0}")]
    Invalid(#[from] InvalidValue),
    /// An import body that cannot be read (400), naming line and column.
    #[error("{0}")]
    Import(#[from] ImportError),
    /// The request cannot be carried out with what is stored (422).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(DbError),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Conflict(message) => AppError::Conflict(message),
            other => AppError::Db(other),
        }
    }
}

impl AppError {
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        AppError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
