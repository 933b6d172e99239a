//! Running statistics for the summary, kept in constant memory per distinct value.

use serde::Serialize;
use std::collections::BTreeMap;

/// An exact histogram of millisecond values: value -> count, percentiles by nearest
/// rank. Values under `DENSE` (a little over two minutes) are counted in a vector grown
/// to the largest seen: Job durations take tens of thousands of distinct values, and a
/// search tree of them was a tenth of the Job controller's time. Larger values go to a
/// tree; memory stays bounded either way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    dense: Vec<u64>,
    sparse: BTreeMap<u64, u64>,
    n: u64,
    sum: u128,
}

const DENSE: u64 = 1 << 17;

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
        if value < DENSE {
            let i = value as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, 0);
            }
            self.dense[i] += 1;
        } else {
            *self.sparse.entry(value).or_default() += 1;
        }
        self.n += 1;
        self.sum += u128::from(value);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// (value, count) in increasing order of value.
    fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let dense = self.dense.iter().enumerate().filter(|(_, c)| **c > 0).map(|(v, c)| (v as u64, *c));
        dense.chain(self.sparse.iter().map(|(v, c)| (*v, *c)))
    }

    fn max(&self) -> u64 {
        match self.sparse.keys().next_back() {
            Some(v) => *v,
            None => self.dense.iter().rposition(|c| *c > 0).map_or(0, |v| v as u64),
        }
    }

    /// The smallest value with at least `ceil(q * n)` values at or below it.
    pub fn quantile(&self, q_permille: u64) -> u64 {
        if self.n == 0 {
            return 0;
        }
        let rank = (self.n * q_permille).div_ceil(1000).max(1);
        let mut seen = 0;
        for (value, count) in self.counts() {
            seen += count;
            if seen >= rank {
                return value;
            }
        }
        self.max()
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            count: self.n,
            mean: if self.n == 0 { 0.0 } else { round3(self.sum as f64 / self.n as f64) },
            p50: self.quantile(500),
            p90: self.quantile(900),
            p99: self.quantile(990),
            max: self.max(),
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
        let step = i128::from(self.value) * i128::from(now.saturating_sub(self.since));
        self.area = self.area.saturating_add(step);
        self.value = value;
        self.since = now;
    }

    /// Saturating: absurd quantities (a node of 2^64 CPUs) must not overflow the sums.
    pub fn add(&mut self, now: u64, delta: i64) {
        let v = self.value.saturating_add(delta);
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
        let area = self.area.saturating_add(i128::from(self.value) * i128::from(now.saturating_sub(self.since)));
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
    fn percentiles_across_dense_and_sparse_values_match_a_sort() {
        let mut h = Histogram::default();
        let mut all = Vec::new();
        let mut x = 12345u64;
        for _ in 0..5000 {
            // Spread over both sides of DENSE, with repeats.
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = (x >> 33) % (DENSE * 3);
            h.record(v);
            all.push(v);
        }
        h.record(DENSE - 1);
        h.record(DENSE);
        all.extend([DENSE - 1, DENSE]);
        all.sort_unstable();
        let rank = |q: u64| all[((all.len() as u64 * q).div_ceil(1000).max(1) - 1) as usize];
        let p = h.percentiles();
        assert_eq!((p.p50, p.p90, p.p99, p.max), (rank(500), rank(900), rank(990), *all.last().unwrap()));
        assert_eq!(h.quantile(1), rank(1));
        let mut small = Histogram::default();
        small.record(3);
        small.record(0);
        assert_eq!((small.percentiles().max, small.quantile(500)), (3, 0));
    }

    #[test]
    fn time_weighted_mean() {
        let mut t = TimeIntegral::default();
        t.set(0, 10);
        t.set(50, 30);
        assert_eq!(t.mean(100), 20.0);
    }
}
