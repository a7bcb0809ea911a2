//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the request and response types they name. Served at
//! `/api/v1/openapi.json`; `tests/api/openapi.rs` fails when a route of
//! [`super::endpoints`] is missing from it.

use super::{
    agents, calendar, calls, capacity, error, forecasts, health, keys, opening_hours, published,
    queues, schedules, staffing,
};
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "staffcast",
        description = "Contact-centre workforce management: history in, forecasts, staffing, rosters, capacity plans. \
Every route but `/healthz` takes `Authorization: Bearer <key>`; which role may call what is in the README. \
Errors are RFC 9457 problem documents whose `field` names the offending input.",
        license(name = "MIT")
    ),
    paths(
        health::healthz,
        queues::create, queues::list, queues::get, queues::update, queues::import_history, queues::history,
        opening_hours::get, opening_hours::replace,
        calls::import, calls::summary,
        calendar::list, calendar::import, calendar::delete,
        agents::create, agents::list, agents::get, agents::replace, agents::upsert, agents::sync,
        forecasts::create, forecasts::list, forecasts::get, forecasts::requirements,
        forecasts::accuracy, forecasts::add_adjustments, forecasts::list_adjustments,
        forecasts::delete_adjustment,
        capacity::create, capacity::list, capacity::get,
        staffing::calculate,
        schedules::create, schedules::get, schedules::cancel, schedules::roster,
        schedules::check, schedules::shortfall, schedules::simulate,
        calls::replay,
        published::list, published::publish, published::roster,
        published::create_calendar_feed, published::revoke_calendar_feed, published::calendar_feed,
        keys::create, keys::list, keys::revoke, keys::log,
        openapi_json,
    ),
    components(schemas(error::Problem)),
    modifiers(&BearerKeys, &ProblemResponses, &IdempotencyKeys),
    security(("bearer" = [])),
    tags(
        (name = "queues", description = "Queues: channel, goal, time zone, opening hours, weekend"),
        (name = "history", description = "Interval volumes and handle times"),
        (name = "calls", description = "Per-call records of a past window, to replay rosters against"),
        (name = "calendar", description = "Holidays and events the forecast aligns by name"),
        (name = "agents", description = "The people rosters are built for"),
        (name = "forecasts", description = "Forecast runs, requirements, accuracy, adjustments"),
        (name = "capacity", description = "Long-range capacity plans for the peak"),
        (name = "staffing", description = "What-if staffing"),
        (name = "schedules", description = "Roster jobs and what they give"),
        (name = "publishing", description = "Published rosters and calendar feeds: what HR tools pull"),
        (name = "keys", description = "API keys and the audit log (admin)"),
        (name = "service", description = "Health and this document")
    )
)]
struct ApiDoc;

/// The document, built once per call (cheap: a few hundred structs).
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// Declares the bearer API key every operation asks for unless it says `security(())`.
struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sc_<43 base64url characters>")
                    .description(Some(
                        "An API key made with `staffcast keys create` or POST /api/v1/keys",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every operation can answer a problem document: 4XX for the caller's
/// mistakes (including 401/403 on auth, 413 on size, 415 on content type,
/// 421 on Host), 5XX for ours. One place instead of one line per handler.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, doc: &mut Document) {
        let problem = |what: &str| -> RefOr<Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            for op in operations(item) {
                let mut responses = ResponsesBuilder::new().build();
                std::mem::swap(&mut responses, &mut op.responses);
                responses.responses.insert(
                    "4XX".into(),
                    problem("The request is refused: the problem names the field"),
                );
                responses.responses.insert(
                    "5XX".into(),
                    problem("The service failed (logged with its cause)"),
                );
                op.responses = responses;
            }
        }
    }
}

/// Every POST but key creation takes an `Idempotency-Key` (see
/// `api::idempotency`): a retry with the same key and body replays the
/// first answer instead of doing the work again.
struct IdempotencyKeys;

impl Modify for IdempotencyKeys {
    fn modify(&self, doc: &mut Document) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::Required;
        for (path, item) in doc.paths.paths.iter_mut() {
            let Some(op) = item.post.as_mut() else {
                continue;
            };
            if !super::idempotency::honoured(path) {
                continue;
            }
            op.parameters.get_or_insert_with(Vec::new).push(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "1 to 255 printable ASCII characters. A retry with the same key and body \
                         within 24 h gets the first answer again (header Idempotency-Replayed: true); \
                         the same key with another body is 422 idempotency_key_reused",
                    ))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255)),
                    ))
                    .build(),
            );
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// This document, so clients and `schemathesis` can read the API's shape.
/// Any valid key may read it; it is encoded once per process.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> actix_web::HttpResponse {
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = BODY.get_or_init(|| {
        document()
            .to_json()
            .expect("the OpenAPI document is plain data and always encodes")
    });
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}
