//! Sequential request latencies and their percentiles.

use std::time::{Duration, Instant};

/// Latencies of requests, in microseconds.
#[derive(Debug, Default)]
pub struct Samples(Vec<f64>);

impl Samples {
    pub fn record(&mut self, started: Instant) {
        self.0.push(started.elapsed().as_secs_f64() * 1e6);
    }

    pub fn percentile(&mut self, p: f64) -> Duration {
        self.0.sort_by(f64::total_cmp);
        let Some(last) = self.0.len().checked_sub(1) else {
            return Duration::ZERO;
        };
        let at = ((last as f64) * p).round() as usize;
        Duration::from_secs_f64(self.0[at] / 1e6)
    }
}

pub fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

/// The p50, the p99 and the ratio of the p50 to `reference`'s, as cells of a Markdown table.
pub fn cells(samples: &mut Samples, reference: Duration) -> String {
    let p50 = samples.percentile(0.5);
    format!(
        "{} | {} | {:.2}",
        micros(p50),
        micros(samples.percentile(0.99)),
        p50.as_secs_f64() / reference.as_secs_f64()
    )
}
