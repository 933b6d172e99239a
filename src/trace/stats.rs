//! Running statistics for the summary, kept in constant memory per distinct value.

use serde::Serialize;
use std::collections::BTreeMap;

/// An exact histogram of millisecond values: value -> count. Simulated latencies take
/// few distinct values, so this is exact and small; percentiles are nearest-rank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<u64, u64>,
    n: u64,
    sum: u128,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub mean: f64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

impl Histogram {
    pub fn record(&mut self, value: u64) {
        *self.counts.entry(value).or_default() += 1;
        self.n += 1;
        self.sum += u128::from(value);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// The smallest value with at least `ceil(q * n)` values at or below it.
    pub fn quantile(&self, q_permille: u64) -> u64 {
        if self.n == 0 {
            return 0;
        }
        let rank = (self.n * q_permille).div_ceil(1000).max(1);
        let mut seen = 0;
        for (value, count) in &self.counts {
            seen += count;
            if seen >= rank {
                return *value;
            }
        }
        self.counts.keys().next_back().copied().unwrap_or(0)
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            count: self.n,
            mean: if self.n == 0 { 0.0 } else { round3(self.sum as f64 / self.n as f64) },
            p50: self.quantile(500),
            p90: self.quantile(900),
            p99: self.quantile(990),
            max: self.counts.keys().next_back().copied().unwrap_or(0),
        }
    }
}

/// Rounds to 3 decimals so that summaries print short, stable numbers.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A quantity integrated over simulated time (for time-weighted means).
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeIntegral {
    value: i64,
    since: u64,
    area: i128,
}

impl TimeIntegral {
    pub fn set(&mut self, now: u64, value: i64) {
        self.area += i128::from(self.value) * i128::from(now.saturating_sub(self.since));
        self.value = value;
        self.since = now;
    }

    pub fn add(&mut self, now: u64, delta: i64) {
        let v = self.value + delta;
        self.set(now, v);
    }

    pub fn value(&self) -> i64 {
        self.value
    }

    /// The time-weighted mean over [0, now].
    pub fn mean(&self, now: u64) -> f64 {
        if now == 0 {
            return self.value as f64;
        }
        let area = self.area + i128::from(self.value) * i128::from(now.saturating_sub(self.since));
        area as f64 / now as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        let p = h.percentiles();
        assert_eq!((p.p50, p.p90, p.p99, p.max, p.count), (50, 90, 99, 100, 100));
        assert_eq!(p.mean, 50.5);
        assert_eq!(Histogram::default().percentiles().p99, 0);
        let mut one = Histogram::default();
        one.record(7);
        assert_eq!(one.quantile(10), 7);
    }

    #[test]
    fn time_weighted_mean() {
        let mut t = TimeIntegral::default();
        t.set(0, 10);
        t.set(50, 30);
        assert_eq!(t.mean(100), 20.0);
    }
}
