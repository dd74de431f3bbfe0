//! The one error type of the service and how it reaches GraphQL clients.

use async_graphql::ErrorExtensions;
use sea_orm::{ActiveEnum, DbErr, SqlErr};

use crate::access::Role;

/// One thing wrong with a client's input: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client asked for something malformed or out of bounds; the message says what.
    #[error("{0}")]
    Invalid(String),
    /// The client's input has these problems; nothing was changed.
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<FieldProblem>),
    #[error("{0}")]
    NotFound(String),
    /// The change would clash with what is stored; the message says with what.
    #[error("{0}")]
    Conflict(String),
    /// No key, or a key that is malformed, unknown or revoked: one message for all, so a
    /// guesser learns nothing.
    #[error("this needs a valid API key, sent as `Authorization: Bearer <key>`")]
    Unauthenticated,
    #[error("this needs a key with the {} role", .0.to_value())]
    Forbidden(Role),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}

/// Client mistakes keep their message and get a code saying which kind they are; database and
/// internal failures are logged in full and reach the client only as "internal error", so no
/// SQL or schema detail leaks.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        let code = match self {
            Self::Invalid(_) | Self::Rejected(_) => BAD_USER_INPUT,
            Self::NotFound(_) => NOT_FOUND,
            Self::Conflict(_) => CONFLICT,
            Self::Unauthenticated => UNAUTHENTICATED,
            Self::Forbidden(_) => FORBIDDEN,
            // Two writes racing for one key: the second loses, as if it had come later.
            Self::Db(error)
                if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                return async_graphql::Error::new(
                    "another write took the same key at the same time; try again",
                )
                .extend_with(|_, e| e.set("code", CONFLICT));
            }
            Self::Db(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                return async_graphql::Error::new("internal error")
                    .extend_with(|_, e| e.set("code", INTERNAL));
            }
        };
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
            e.set("code", code);
            if let Self::Rejected(problems) = self {
                let problems: Vec<async_graphql::Value> = problems
                    .iter()
                    .map(|p| {
                        let mut object = async_graphql::indexmap::IndexMap::new();
                        object.insert(async_graphql::Name::new("field"), p.field.clone().into());
                        object.insert(
                            async_graphql::Name::new("message"),
                            p.message.clone().into(),
                        );
                        async_graphql::Value::Object(object)
                    })
                    .collect();
                e.set("problems", problems);
            }
        })
    }
}

pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
pub const NOT_FOUND: &str = "NOT_FOUND";
pub const CONFLICT: &str = "CONFLICT";
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const INTERNAL: &str = "INTERNAL";
pub const UNAVAILABLE: &str = "UNAVAILABLE";
