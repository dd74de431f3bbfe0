//! GraphQL over HTTP as clients expect it (the GraphQL-over-HTTP specification): POST and GET,
//! `application/graphql-response+json` when asked for, and HTTP caching of GET reads.

use async_graphql::{Request, ServerError, Value, parser::types::OperationType};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};

use sea_orm::DbErr;

use super::{AppState, Ready, answers};
use crate::{
    access::{self, Caller},
    error::UNAVAILABLE,
    graphql::{guard, reader::Reader, schema},
};

/// The media types a response can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Media {
    /// `application/graphql-response+json`: request errors get HTTP 400.
    GraphqlResponse,
    /// `application/json`, for clients that predate the specification: always HTTP 200.
    Json,
}

impl Media {
    /// The first media type the client accepts that we serve; `application/json` when the
    /// client states no preference.
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Some(Self::Json);
        };
        let ranges: Vec<&str> = accept
            .split(',')
            .map(|range| range.trim())
            .filter(|range| !range.replace(' ', "").contains(";q=0") || range.contains(";q=0."))
            .map(|range| range.split(';').next().unwrap_or_default().trim())
            .collect();
        if ranges.contains(&"application/graphql-response+json") {
            Some(Self::GraphqlResponse)
        } else if ranges
            .iter()
            .any(|r| matches!(*r, "application/json" | "application/*" | "*/*"))
        {
            Some(Self::Json)
        } else {
            None
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    {
        return refuse(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json",
        );
    }
    let Some(ready) = state.ready() else {
        return starting(media);
    };
    let credentials = credentials(&headers);
    // Looked up by the body's exact bytes, before any parsing: a repeated read costs a hash.
    // Requests with a key may see drafts: they are never answered from, or kept in, the cache.
    let key = answers::Now::of(ready).key((media, &body[..]));
    if credentials.is_none()
        && let Some(body) = state.answers.get(key)
    {
        return json_bytes(media, StatusCode::OK, body);
    }
    let request = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(_)) => {
            return refuse(
                media,
                StatusCode::BAD_REQUEST,
                "batched requests are not accepted: send one operation per request",
            );
        }
        Ok(value) if !names_an_operation(&value) => {
            return refuse(
                media,
                StatusCode::BAD_REQUEST,
                "missing the query parameter (or a persisted query's hash)",
            );
        }
        Ok(value) => match serde_json::from_value::<Request>(value) {
            Ok(request) => request,
            Err(error) => return invalid_request(media, error),
        },
        Err(error) => {
            return refuse(
                media,
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {error}"),
            );
        }
    };
    let answer = execute((&state, ready), media, request, credentials).await;
    if let Some(body) = answer.cacheable {
        state.answers.put(key, body);
    }
    answer.response
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return if accepts_html(&headers) {
            graphiql().into_response()
        } else {
            refuse(
                Media::negotiate(&headers).unwrap_or(Media::Json),
                StatusCode::BAD_REQUEST,
                "missing the query parameter",
            )
        };
    };
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable();
    };
    let mut request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(error) => return invalid_request(media, error),
    };
    if is_mutation(&mut request, state.settings.max_nesting) {
        let mut response = refuse(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are only accepted over POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        return response;
    }
    let Some(ready) = state.ready() else {
        return starting(media);
    };
    let credentials = credentials(&headers);
    if credentials.is_some() {
        let mut response = execute((&state, ready), media, request, credentials)
            .await
            .response;
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        return response;
    }
    let now = answers::Now::of(ready);
    let key = now.key((media, &query));
    let tag = now.tag((media, &query));
    let etag = HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cache_control =
        HeaderValue::from_str(&format!("public, max-age={}", state.settings.cache_max_age))
            .unwrap_or_else(|_| HeaderValue::from_static("no-cache"));
    if headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| matches!(candidate.trim().trim_start_matches("W/"), t if t == tag || t == "*"))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, cache_control);
        headers.insert(header::VARY, HeaderValue::from_static("accept"));
        return response;
    }
    let (mut response, cacheable) = match state.answers.get(key) {
        Some(body) => (json_bytes(media, StatusCode::OK, body), true),
        None => {
            let answer = execute((&state, ready), media, request, None).await;
            let cacheable = answer.cacheable.is_some();
            if let Some(body) = answer.cacheable {
                state.answers.put(key, body);
            }
            (answer.response, cacheable)
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    if cacheable {
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, cache_control);
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a request body has a query, or the hash of a persisted one.
fn names_an_operation(body: &serde_json::Value) -> bool {
    !body["query"].is_null() || !body["extensions"]["persistedQuery"].is_null()
}

/// Whether the operation a request would run is a mutation.
fn is_mutation(request: &mut Request, max_nesting: usize) -> bool {
    operation_type(request, max_nesting) == Some(OperationType::Mutation)
}

/// The type of the operation a request would run. Documents too deep to parse safely and
/// unparsable ones have none: they are left to the schema to refuse.
pub fn operation_type(request: &mut Request, max_nesting: usize) -> Option<OperationType> {
    if guard::nesting(&request.query) > max_nesting {
        return None;
    }
    let wanted = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    let mut operations = document.operations.iter();
    let chosen = match wanted {
        Some(wanted) => operations.find(|(name, _)| name.is_some_and(|n| n.as_str() == wanted)),
        None => operations.next(),
    };
    chosen.map(|(_, operation)| operation.node.ty)
}

/// A response, and its body when it may be cached: only answers without errors are.
struct Answer {
    response: Response,
    cacheable: Option<Bytes>,
}

/// The `Authorization` header's value, when the request sends one: a key to check.
fn credentials(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(value.to_str().unwrap_or_default())
}

/// Who `Authorization: Bearer <key>` speaks for; anything else in the header is refused.
async fn caller(ready: &Ready, credentials: Option<&str>) -> Result<Caller, DbErr> {
    let Some(credentials) = credentials else {
        return Ok(Caller::Public);
    };
    match credentials.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            access::authenticate(&ready.writes.db, token.trim()).await
        }
        _ => Ok(Caller::Refused),
    }
}

async fn execute(
    (state, ready): (&AppState, &Ready),
    media: Media,
    mut request: Request,
    credentials: Option<&str>,
) -> Answer {
    // Mutations read the primary as it is, so what they return shows what they wrote.
    let reader = match is_mutation(&mut request, state.settings.max_nesting) {
        true => Ok(Reader::live(ready.writes.db.clone())),
        false => Reader::begin(&ready.reads).await,
    };
    let (reader, caller) = match (reader, caller(ready, credentials).await) {
        (Ok(reader), Ok(caller)) => (reader, caller),
        (Err(error), _) | (_, Err(error)) => {
            tracing::error!(%error, "cannot reach the database");
            return Answer {
                response: unavailable(media, "service unavailable: the database cannot be reached"),
                cacheable: None,
            };
        }
    };
    let cacheable = caller == Caller::Public;
    let response = ready
        .schema
        .execute(schema::for_request(
            request,
            caller,
            ready.writes.clone(),
            reader,
        ))
        .await;
    let request_error = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(is_request_error);
    // Written straight from the response, its fields in the order the query asked for them;
    // only a request error goes through a JSON value, to drop `data`.
    let body = if request_error {
        let mut body = serde_json::to_value(&response).unwrap_or_default();
        if let Some(object) = body.as_object_mut() {
            object.remove("data");
        }
        body.to_string().into_bytes()
    } else {
        serde_json::to_vec(&response).unwrap_or_default()
    };
    let body = Bytes::from(body);
    let status = match (media, request_error) {
        (Media::GraphqlResponse, true) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    for error in &response.errors {
        let code = error_code(error).unwrap_or("NONE").to_owned();
        metrics::counter!(ERRORS_METRIC, "code" => code).increment(1);
    }
    Answer {
        // The cache weighs what it keeps by length: a copy of exactly that length, not the
        // grown buffer the answer was written into.
        cacheable: (cacheable && response.errors.is_empty()).then(|| Bytes::copy_from_slice(&body)),
        response: json_bytes(media, status, body),
    }
}

/// Prometheus counter of GraphQL errors, by `extensions.code`.
pub const ERRORS_METRIC: &str = "vistka_graphql_errors_total";

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}

/// Errors that stop a request before it executes: it has no `data` at all.
fn is_request_error(error: &ServerError) -> bool {
    matches!(
        error_code(error),
        Some("GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED")
    )
}

fn json(media: Media, status: StatusCode, body: &serde_json::Value) -> Response {
    json_bytes(media, status, Bytes::from(body.to_string()))
}

fn json_bytes(media: Media, status: StatusCode, body: Bytes) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// A GraphQL error answer with an HTTP status, for requests that cannot run at all.
fn refuse(media: Media, status: StatusCode, message: &str) -> Response {
    let code = if status == StatusCode::SERVICE_UNAVAILABLE {
        UNAVAILABLE
    } else {
        "BAD_REQUEST"
    };
    json(
        media,
        status,
        &serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }),
    )
}

fn invalid_request(media: Media, error: impl std::fmt::Display) -> Response {
    refuse(
        media,
        StatusCode::BAD_REQUEST,
        &format!("invalid request: {error}"),
    )
}

fn unavailable(media: Media, message: &str) -> Response {
    refuse(media, StatusCode::SERVICE_UNAVAILABLE, message)
}

fn starting(media: Media) -> Response {
    unavailable(
        media,
        "service unavailable: starting, waiting for the database",
    )
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        "acceptable: application/graphql-response+json, application/json",
    )
        .into_response()
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .finish(),
    )
}
