//! Gives every error an `extensions.code`, so clients can tell their own mistakes
//! (`GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `BAD_USER_INPUT`) from ours.

use std::sync::Arc;

use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextValidation,
    },
    parser::types::ExecutableDocument,
};

use crate::error::{BAD_USER_INPUT, INTERNAL};

#[derive(Debug, Default)]
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    /// Refusals before parsing: a persisted query the server does not know (Apollo clients
    /// then send the query itself), or a document the guard refused.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request).await.map_err(|error| {
            let code = if error.message == "PersistedQueryNotFound" {
                "PERSISTED_QUERY_NOT_FOUND"
            } else {
                "GRAPHQL_PARSE_FAILED"
            };
            with_code(error, code)
        })
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|error| with_code(error, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_code(error, "GRAPHQL_VALIDATION_FAILED"))
                .collect()
        })
    }

    /// Errors still without a code at this point either come from coercing the client's
    /// argument values (the client's mistake, kept as it is) or from inside the server, which
    /// are logged and answered as "internal error" so nothing internal leaks.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        response.errors = response
            .errors
            .into_iter()
            .map(|error| {
                if has_code(&error) {
                    error
                } else if is_input_error(&error.message) {
                    with_code(error, BAD_USER_INPUT)
                } else {
                    tracing::error!(error = %error.message, path = ?error.path, "request failed");
                    let mut hidden = with_code(error, INTERNAL);
                    hidden.message = "internal error".into();
                    hidden
                }
            })
            .collect();
        response
    }
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some())
}

/// What async-graphql says when an argument value does not fit its type.
fn is_input_error(message: &str) -> bool {
    [
        "Expected input type",
        "Failed to parse",
        "Invalid value for argument",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// Sets `code` unless the error already has one.
pub fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}
