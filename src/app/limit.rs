//! Rate limiting per client IP address. Not per API key: a key is only known to be real once
//! checked against the database, and limiting by whatever a request claims would give anyone
//! guessing keys a fresh allowance with every guess.
//!
//! The limiter times requests with the standard library's monotonic clock. A TSC clock (what
//! `governor` uses with its `quanta` feature) can step back when a thread moves between cores
//! whose counters are not in step, which makes a limiter refuse requests within their
//! allowance; and building one calibrates it, which a middleware doing so for every refused
//! request paid again each time, in the very flood it was refusing.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

use crate::config::HttpConfig;

/// The allowance of every client address seen lately.
#[derive(Debug)]
pub struct Limits {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    trust_forwarded: bool,
}

impl Limits {
    /// The client's address: the first of `X-Forwarded-For` when the proxy in front is
    /// trusted to set it, else the peer's.
    fn client(&self, request: &Request) -> Option<IpAddr> {
        let forwarded = self
            .trust_forwarded
            .then(|| request.headers().get("x-forwarded-for")?.to_str().ok())
            .flatten()
            .and_then(|list| list.split(',').next()?.trim().parse::<IpAddr>().ok());
        forwarded.or_else(|| {
            let ConnectInfo(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>()?;
            Some(peer.ip())
        })
    }
}

/// The limiter, or none when the rate is 0. A task forgets clients quiet for a while, so the
/// limiter's memory does not grow with every address ever seen.
pub fn limits(config: &HttpConfig) -> Option<Arc<Limits>> {
    let rate = NonZeroU32::new(config.rate_limit_per_second)?;
    let burst = NonZeroU32::new(config.rate_limit_burst).unwrap_or(NonZeroU32::MIN);
    let limits = Arc::new(Limits {
        limiter: DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
        trust_forwarded: config.trust_forwarded,
    });
    let forgetting = Arc::downgrade(&limits);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            let Some(limits) = forgetting.upgrade() else {
                break;
            };
            limits.limiter.retain_recent();
        }
    });
    Some(limits)
}

/// Passes the request on, or answers 429 with `Retry-After` (whole seconds, rounded up) when
/// its client has used up its allowance.
pub async fn limit(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    let Some(client) = limits.client(&request) else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot tell the client's address",
        )
            .into_response();
    };
    match limits.limiter.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(refused) => {
            let wait = refused.wait_time_from(limits.limiter.clock().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, HeaderValue::from(seconds))],
                format!("too many requests from this address; retry in {seconds} s"),
            )
                .into_response()
        }
    }
}
