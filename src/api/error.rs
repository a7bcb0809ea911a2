//! Every error the API returns, and the one place that says which status
//! and code each gets.
//!
//! Bodies are RFC 9457 problem details (`application/problem+json`):
//!
//! ```json
//! {"type": "https://staffcast.dev/problems/no_agents", "title": "No agents to roster",
//!  "status": 422, "detail": "queue 3 has no agents to roster", "code": "no_agents",
//!  "error": "invalid", "message": "queue 3 has no agents to roster"}
//! ```
//!
//! `code` is the specific, stable reason a client can branch on; `field`
//! (when there is one) the path of the value at fault (`goal.service_level`,
//! `templates`, `[1].name`). `error` and `message` are the members clients
//! read before problem details: `error` is the broad class (`invalid`,
//! `bad_request`, `not_found`…) and `message` repeats `detail`.

use crate::app::error::{Conflict, Refusal};
use crate::app::AppError;
use crate::auth::{Permission, Role};
use crate::capacity::CapacityError;
use crate::db::DbError;
use crate::domain::ImportError;
use crate::forecast::ForecastError;
use crate::schedule::ScheduleError;
use crate::simulate::SimError;
use crate::staffing::StaffingError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Where problem types live; each code's URI is this plus the code.
pub const PROBLEM_BASE: &str = "https://staffcast.dev/problems/";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A use case refused or failed.
    #[error("{0}")]
    App(#[from] AppError),
    /// A body that is not the JSON expected; `message` names the field.
    #[error("{message}")]
    MalformedBody {
        field: Option<String>,
        message: String,
    },
    #[error("a JSON body is required")]
    BodyRequired,
    #[error("reading body: {0}")]
    UnreadableBody(String),
    #[error("path: {0}")]
    BadPath(String),
    #[error("query: {0}")]
    BadQuery(String),
    /// A request header that is not what the route accepts.
    #[error("{header}: {message}")]
    BadHeader {
        header: &'static str,
        message: String,
    },
    #[error("format '{0}': use json, csv or ics")]
    BadFormat(String),
    #[error("no such route")]
    NotFoundRoute,
    #[error("request body is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The blocking pool could not run the work.
    #[error("internal error: worker failed: {0}")]
    WorkerFailed(String),
    /// No usable API key (401, with `WWW-Authenticate: Bearer`).
    #[error("{0}")]
    Unauthenticated(Unauthenticated),
    /// A valid key whose role does not hold what the route needs (403).
    #[error("a key with role {role} may not {}: this route needs role {}", needs.describe(), roles_of(*needs))]
    Forbidden { role: Role, needs: Permission },
    /// A workspace form without its session's CSRF token, or posted from
    /// another origin (403).
    #[error("this form must be sent from a workspace page of this server (its CSRF token is missing or wrong): reload the page and try again")]
    CsrfRejected,
    /// A `Host` header this server does not answer to (DNS rebinding).
    #[error("Host '{0}' is not served here: call the server by an allowed name (STAFFCAST_ALLOWED_HOSTS)")]
    HostNotAllowed(String),
}

/// Why a request has no caller. A revoked key and an unknown one read the
/// same, so a refusal tells a key-guesser nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unauthenticated {
    #[error("this route needs an API key: send 'Authorization: Bearer <key>'")]
    NoKey,
    #[error("the Authorization header must be 'Bearer <key>' with a staffcast key (sc_...)")]
    Malformed,
    #[error("the API key is unknown or revoked")]
    Rejected,
}

impl Unauthenticated {
    /// The `WWW-Authenticate` challenge (RFC 6750 section 3).
    fn challenge(self) -> &'static str {
        match self {
            Unauthenticated::NoKey => r#"Bearer realm="staffcast""#,
            Unauthenticated::Malformed => r#"Bearer realm="staffcast", error="invalid_request""#,
            Unauthenticated::Rejected => r#"Bearer realm="staffcast", error="invalid_token""#,
        }
    }
}

/// "admin or planner": the roles that hold a permission.
fn roles_of(permission: Permission) -> String {
    let names: Vec<&str> = permission.roles().into_iter().map(Role::as_str).collect();
    names.join(" or ")
}

impl From<crate::domain::InvalidValue> for ApiError {
    fn from(e: crate::domain::InvalidValue) -> Self {
        ApiError::App(e.into())
    }
}

impl From<Refusal> for ApiError {
    fn from(e: Refusal) -> Self {
        ApiError::App(e.into())
    }
}

/// Every code the API answers with: its status, the broad class kept in
/// `error`, and the problem type's title. Codes are stable: add, never rename.
pub const CODES: &[(&str, u16, &str, &str)] = &[
    (
        "malformed_body",
        400,
        "bad_request",
        "Malformed request body",
    ),
    ("body_required", 400, "bad_request", "Request body required"),
    (
        "unreadable_body",
        400,
        "bad_request",
        "Request body could not be read",
    ),
    ("invalid_path", 400, "bad_request", "Invalid path parameter"),
    (
        "invalid_query",
        400,
        "bad_request",
        "Invalid query parameter",
    ),
    (
        "invalid_header",
        400,
        "bad_request",
        "Invalid request header",
    ),
    (
        "invalid_format",
        400,
        "bad_request",
        "Unknown output format",
    ),
    (
        "invalid_import",
        400,
        "bad_request",
        "Import body cannot be read",
    ),
    (
        "unauthenticated",
        401,
        "unauthenticated",
        "API key missing or not valid",
    ),
    (
        "forbidden",
        403,
        "forbidden",
        "Not allowed for this key's role",
    ),
    (
        "csrf_rejected",
        403,
        "forbidden",
        "Form not sent from a workspace page",
    ),
    ("not_found", 404, "not_found", "Not found"),
    (
        "no_published_roster",
        404,
        "not_found",
        "No roster published for that week",
    ),
    ("duplicate", 409, "conflict", "Already exists"),
    ("already_finished", 409, "conflict", "Job already finished"),
    (
        "idempotency_in_flight",
        409,
        "conflict",
        "Request with this idempotency key in progress",
    ),
    ("no_engine_report", 409, "conflict", "No engine report"),
    (
        "not_publishable",
        409,
        "conflict",
        "Schedule not done, cannot be published",
    ),
    (
        "schedule_not_done",
        409,
        "conflict",
        "Schedule not done, cannot be replayed",
    ),
    (
        "payload_too_large",
        413,
        "payload_too_large",
        "Request body too large",
    ),
    (
        "unsupported_media_type",
        415,
        "unsupported_media_type",
        "Unsupported media type",
    ),
    (
        "host_not_allowed",
        421,
        "misdirected_request",
        "Host not served here",
    ),
    ("invalid_value", 422, "invalid", "Invalid value"),
    ("out_of_range", 422, "invalid", "Value out of range"),
    ("empty_input", 422, "invalid", "Nothing given"),
    ("no_history", 422, "invalid", "No history before the window"),
    (
        "origin_after_from",
        422,
        "invalid",
        "Origin after the window start",
    ),
    ("off_grid", 422, "invalid", "Time not on the queue's grid"),
    ("invalid_window", 422, "invalid", "Invalid forecast window"),
    (
        "window_too_long",
        422,
        "invalid",
        "Forecast window too long",
    ),
    (
        "no_handle_time",
        422,
        "invalid",
        "Forecast without handle time",
    ),
    (
        "no_requirements",
        422,
        "invalid",
        "No requirements to plan from",
    ),
    (
        "forecast_of_other_queue",
        422,
        "invalid",
        "Forecast of another queue",
    ),
    ("forecast_too_short", 422, "invalid", "Forecast too short"),
    (
        "class_after_peak",
        422,
        "invalid",
        "Class starts after the peak",
    ),
    ("solver_failed", 422, "invalid", "Capacity solver failed"),
    ("too_many_agents", 422, "invalid", "Too many agents needed"),
    (
        "too_costly",
        422,
        "invalid",
        "More work than one request may do",
    ),
    ("no_agents", 422, "invalid", "No agents to roster"),
    (
        "no_call_records",
        422,
        "invalid",
        "No call records in the window",
    ),
    (
        "shift_and_templates",
        422,
        "invalid",
        "Both a shift rule and templates",
    ),
    ("invalid_grid", 422, "invalid", "Grid cannot be scheduled"),
    ("invalid_rule", 422, "invalid", "Invalid shift rule"),
    ("invalid_contract", 422, "invalid", "Invalid agent contract"),
    ("duplicate_agent", 422, "invalid", "Agent listed twice"),
    (
        "idempotency_key_reused",
        422,
        "invalid",
        "Idempotency key used for another request",
    ),
    ("invalid_horizon", 422, "invalid", "Invalid horizon"),
    ("invalid_requirement", 422, "invalid", "Invalid requirement"),
    ("invalid_template", 422, "invalid", "Invalid shift template"),
    ("invalid_queues", 422, "invalid", "Invalid queues"),
    ("invalid_weights", 422, "invalid", "Invalid weights"),
    ("internal", 500, "internal", "Internal error"),
    (
        "stored_data_invalid",
        500,
        "internal",
        "Stored data is not valid",
    ),
    ("unavailable", 503, "unavailable", "Service unavailable"),
    // Nobody reads it: the client left before the answer (nginx's 499).
    (
        "client_closed_request",
        499,
        "client_closed",
        "Client closed the request",
    ),
];

/// The specific code of an error and the field it is about, if any.
fn code_and_field(e: &ApiError) -> (&'static str, Option<String>) {
    let field = |f: &str| Some(f.to_string());
    match e {
        ApiError::MalformedBody { field, .. } => ("malformed_body", field.clone()),
        ApiError::BodyRequired => ("body_required", None),
        ApiError::UnreadableBody(_) => ("unreadable_body", None),
        ApiError::BadPath(_) => ("invalid_path", None),
        ApiError::BadQuery(_) => ("invalid_query", None),
        ApiError::BadFormat(_) => ("invalid_format", field("format")),
        ApiError::BadHeader { header, .. } => ("invalid_header", field(header)),
        ApiError::NotFoundRoute => ("not_found", None),
        ApiError::TooLarge { .. } => ("payload_too_large", None),
        ApiError::UnsupportedMediaType(_) => ("unsupported_media_type", None),
        ApiError::WorkerFailed(_) => ("internal", None),
        ApiError::Unauthenticated(_) => ("unauthenticated", None),
        ApiError::Forbidden { .. } => ("forbidden", None),
        ApiError::HostNotAllowed(_) => ("host_not_allowed", None),
        ApiError::CsrfRejected => ("csrf_rejected", field("csrf")),
        ApiError::App(e) => match e {
            AppError::Invalid(v) => ("invalid_value", field(&v.field)),
            AppError::Import(e) => match e {
                ImportError::Cell { column, .. } => ("invalid_import", field(column)),
                ImportError::Line { .. } | ImportError::Body(_) => ("invalid_import", None),
            },
            AppError::Forecast(e) => match e {
                ForecastError::InvalidParams { field: f, .. } => ("invalid_value", field(f)),
                ForecastError::NoHistory { .. } => ("no_history", None),
                ForecastError::InvalidWindow { .. } => ("invalid_window", None),
                ForecastError::Stopped => ("client_closed_request", None),
            },
            AppError::Schedule(e) => match e {
                ScheduleError::InvalidGrid { .. } => ("invalid_grid", None),
                ScheduleError::InvalidRule { field: f, .. } => {
                    ("invalid_rule", Some(format!("shift.{f}")))
                }
                ScheduleError::InvalidContract { .. } => ("invalid_contract", None),
                ScheduleError::DuplicateAgent(_) => ("duplicate_agent", None),
                ScheduleError::NoAgents => ("no_agents", None),
                ScheduleError::InvalidHorizon { .. } => ("invalid_horizon", None),
                ScheduleError::InvalidRequirement { .. } => ("invalid_requirement", None),
                ScheduleError::InvalidTemplate { .. } => ("invalid_template", field("templates")),
                ScheduleError::InvalidQueues { .. } => ("invalid_queues", None),
                ScheduleError::InvalidWeights { .. } => ("invalid_weights", field("weights")),
            },
            AppError::Staffing(e) => match e {
                StaffingError::InvalidInput { field: f, .. } => ("invalid_value", field(f)),
                StaffingError::TooManyAgents { .. } => ("too_many_agents", None),
            },
            AppError::Capacity(e) => {
                let code = match e {
                    CapacityError::Invalid { .. } => "invalid_value",
                    CapacityError::ClassAfterPeak { .. } => "class_after_peak",
                    CapacityError::NoRequirements => "no_requirements",
                    CapacityError::ForecastTooShort { .. } => "forecast_too_short",
                    CapacityError::Solver(_) => "solver_failed",
                };
                (code, field(e.field()))
            }
            AppError::Simulation(SimError::InvalidInput { field: f, .. }) => {
                ("invalid_value", field(f))
            }
            AppError::Refused(r) => match r {
                Refusal::NoAgents { .. } => ("no_agents", None),
                Refusal::OutOfRange { field: f, .. } => ("out_of_range", field(f)),
                Refusal::ShiftAndTemplates => ("shift_and_templates", field("templates")),
                Refusal::OriginAfterFrom => ("origin_after_from", field("origin")),
                Refusal::NoHistory { .. } => ("no_history", None),
                Refusal::OffGrid { .. } => ("off_grid", None),
                Refusal::EmptyWindow { .. } => ("invalid_window", field("to")),
                Refusal::WindowTooLong { .. } => ("window_too_long", field("to")),
                Refusal::NoHandleTime { .. } => ("no_handle_time", field("default_aht_seconds")),
                Refusal::ForecastOfOtherQueue { .. } => {
                    ("forecast_of_other_queue", field("forecast_id"))
                }
                Refusal::NoRequirements { .. } => ("no_requirements", field("forecast_id")),
                Refusal::Empty { .. } => ("empty_input", None),
                Refusal::TooCostly { field: f, .. } => ("too_costly", field(f)),
                Refusal::InvalidAgent { path, .. } => ("invalid_value", field(path)),
                Refusal::DuplicateExternalId { path, .. } => ("duplicate_agent", field(path)),
                Refusal::NoCallRecords { .. } => ("no_call_records", None),
                Refusal::IdempotencyKeyReused { .. } => {
                    ("idempotency_key_reused", field("Idempotency-Key"))
                }
            },
            AppError::NotFound { .. } => ("not_found", None),
            AppError::NotPublished { .. } => ("no_published_roster", None),
            AppError::Conflict(c) => match c {
                Conflict::Duplicate(_) => ("duplicate", None),
                Conflict::ExternalIdTaken { path, .. } => ("duplicate", field(path)),
                Conflict::IdempotencyInFlight => {
                    ("idempotency_in_flight", field("Idempotency-Key"))
                }
                Conflict::AlreadyFinished { .. } => ("already_finished", None),
                Conflict::NoEngineReport { .. } => ("no_engine_report", None),
                Conflict::NotPublishable { .. } => ("not_publishable", None),
                Conflict::NotDone { .. } => ("schedule_not_done", None),
            },
            AppError::Corrupt(_) | AppError::Db(DbError::Corrupt(_)) => {
                ("stored_data_invalid", None)
            }
            AppError::Db(DbError::Pool(_)) => ("unavailable", None),
            AppError::Db(_) => ("internal", None),
            AppError::Stopped => ("client_closed_request", None),
        },
    }
}

/// Status, broad class and title of a code (a code missing from [`CODES`]
/// is a bug: it answers as an internal error).
fn entry(code: &str) -> (StatusCode, &'static str, &'static str) {
    CODES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|&(_, status, class, title)| {
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                class,
                title,
            )
        })
        .unwrap_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
        ))
}

/// An RFC 9457 problem details body, with the two members older clients read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub error: &'static str,
    pub message: String,
}

impl ApiError {
    /// The problem details this error answers with.
    pub fn problem(&self) -> Problem {
        let (code, field) = code_and_field(self);
        let (status, class, title) = entry(code);
        let message = match self {
            // Kept as before: a database failure says it is internal.
            ApiError::App(AppError::Db(e)) if !matches!(e, DbError::Pool(_)) => {
                format!("internal error: {e}")
            }
            ApiError::App(e @ AppError::Corrupt(_)) => format!("internal error: {e}"),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("{PROBLEM_BASE}{code}"),
            title,
            status: status.as_u16(),
            detail: message.clone(),
            code,
            field,
            error: class,
            message,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        entry(code_and_field(self).0).0
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        if problem.status >= 500 {
            // The cause is ours to find: log it whole.
            tracing::error!(code = problem.code, error = %self, "request failed");
        }
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| {
            r#"{"type":"about:blank","title":"Internal error","status":500,"error":"internal","message":"internal error"}"#.into()
        });
        let mut response = HttpResponse::build(
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let ApiError::Unauthenticated(why) = self {
            response.insert_header((actix_web::http::header::WWW_AUTHENTICATE, why.challenge()));
        }
        response.content_type("application/problem+json").body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InvalidValue;

    #[test]
    fn codes_are_unique_and_statuses_valid() {
        let mut seen = std::collections::HashSet::new();
        for (code, status, _, _) in CODES {
            assert!(seen.insert(*code), "{code} listed twice");
            assert!(StatusCode::from_u16(*status).is_ok(), "{code}");
        }
    }

    #[test]
    fn a_core_error_keeps_its_message_and_gets_its_code() {
        let e = ApiError::from(AppError::from(ScheduleError::NoAgents));
        let p = e.problem();
        assert_eq!((p.status, p.code, p.error), (422, "no_agents", "invalid"));
        assert_eq!(p.message, "no agents to schedule");
        assert_eq!(p.detail, p.message);
        assert_eq!(p.problem_type, "https://staffcast.dev/problems/no_agents");
        let e = ApiError::from(InvalidValue::new("goal.service_level", "must be below 1"));
        let p = e.problem();
        assert_eq!(p.field.as_deref(), Some("goal.service_level"));
        assert_eq!(p.message, "goal.service_level: must be below 1");
    }

    #[test]
    fn refusals_of_access_get_their_codes_and_a_challenge() {
        let e = ApiError::Unauthenticated(Unauthenticated::Rejected);
        assert_eq!(
            (e.problem().status, e.problem().code),
            (401, "unauthenticated")
        );
        let resp = e.error_response();
        assert_eq!(
            resp.headers()
                .get(actix_web::http::header::WWW_AUTHENTICATE)
                .unwrap(),
            r#"Bearer realm="staffcast", error="invalid_token""#
        );
        let e = ApiError::Forbidden {
            role: Role::Hr,
            needs: Permission::WritePlanning,
        };
        let p = e.problem();
        assert_eq!((p.status, p.code, p.error), (403, "forbidden", "forbidden"));
        assert_eq!(
            p.detail,
            "a key with role hr may not change planning data: this route needs role admin or planner"
        );
        assert!(!e
            .error_response()
            .headers()
            .contains_key(actix_web::http::header::WWW_AUTHENTICATE));
        let p = ApiError::HostNotAllowed("evil.example".into()).problem();
        assert_eq!((p.status, p.code), (421, "host_not_allowed"));
    }

    #[test]
    fn stored_data_that_does_not_parse_is_ours() {
        let e = ApiError::from(AppError::corrupt("agent 1 profile", "expected a map"));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.problem().code, "stored_data_invalid");
    }
}
