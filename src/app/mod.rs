//! Use cases: load from the store, run the core, persist. No HTTP here;
//! callers (the API, the CLI) run these off the async runtime.

pub mod error;
pub mod history;

pub use error::AppError;
