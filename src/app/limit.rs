//! Rate limiting per client IP address. Not per API key: a key is only known to be real once
//! checked against the database, and limiting by whatever a request claims would give anyone
//! guessing keys a fresh allowance with every guess.

use std::{net::IpAddr, net::SocketAddr, sync::Arc, time::Duration};

use axum::{extract::ConnectInfo, http::Request};
use governor::middleware::NoOpMiddleware;
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
};

use crate::config::HttpConfig;

#[derive(Clone, Copy, Debug)]
pub struct ClientKey {
    trust_forwarded: bool,
}

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        let forwarded = self
            .trust_forwarded
            .then(|| request.headers().get("x-forwarded-for")?.to_str().ok())
            .flatten()
            .and_then(|list| list.split(',').next()?.trim().parse::<IpAddr>().ok());
        forwarded
            .or_else(|| {
                let ConnectInfo(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>()?;
                Some(peer.ip())
            })
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

pub type Limits = Arc<GovernorConfig<ClientKey, NoOpMiddleware>>;

/// The limiter, or none when the rate is 0. A task forgets clients quiet for a while, so the
/// limiter's memory does not grow with every address ever seen.
pub fn limits(config: &HttpConfig) -> Option<Limits> {
    let rate = config.rate_limit_per_second;
    if rate == 0 {
        return None;
    }
    let limits = Arc::new(
        GovernorConfigBuilder::default()
            .period(Duration::from_secs(1) / rate)
            .burst_size(config.rate_limit_burst.max(1))
            .key_extractor(ClientKey {
                trust_forwarded: config.trust_forwarded,
            })
            .finish()?,
    );
    let limiter = limits.limiter().clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            limiter.retain_recent();
        }
    });
    Some(limits)
}

pub fn layer(limits: Limits) -> GovernorLayer<ClientKey, NoOpMiddleware, axum::body::Body> {
    GovernorLayer::new(limits)
}
