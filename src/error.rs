//! The one error type of the service and how it reaches GraphQL clients.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client asked for something malformed or out of bounds; the message says what.
    #[error("{0}")]
    Invalid(String),
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

/// Client mistakes keep their message and get `BAD_USER_INPUT`; database and internal failures
/// are logged in full and reach the client only as "internal error", so no SQL or schema detail
/// leaks.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            Self::Invalid(message) => {
                async_graphql::Error::new(message).extend_with(|_, e| e.set("code", BAD_USER_INPUT))
            }
            Self::Db(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                async_graphql::Error::new("internal error")
                    .extend_with(|_, e| e.set("code", INTERNAL))
            }
        }
    }
}

pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
pub const INTERNAL: &str = "INTERNAL";
pub const UNAVAILABLE: &str = "UNAVAILABLE";
