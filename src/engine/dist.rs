//! Distributions of durations, sampled identically on every platform.
//!
//! Floating-point transcendental functions differ between C libraries; `libm` is a
//! pure-Rust port with the same bits everywhere, and the result is rounded to whole
//! milliseconds before it reaches the simulation.

use super::rng::SimRng;
use super::time::{Millis, parse_duration};
use serde::Deserialize;
use std::fmt;

/// A distribution of durations, as written in a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Constant(Millis),
    Exponential { mean: Millis },
    Uniform { min: Millis, max: Millis },
    LogNormal { median: Millis, sigma: f64 },
    Weibull { scale: Millis, shape: f64 },
    Empirical(Vec<Millis>),
}

impl Distribution {
    /// Draws one duration in milliseconds.
    pub fn sample(&self, rng: &mut SimRng) -> Millis {
        match self {
            Distribution::Constant(d) => *d,
            Distribution::Exponential { mean } => to_millis(-(*mean as f64) * libm::log(rng.unit_open())),
            Distribution::Uniform { min, max } => min + rng.below(max - min + 1),
            Distribution::LogNormal { median, sigma } => {
                to_millis(*median as f64 * libm::exp(sigma * standard_normal(rng)))
            }
            Distribution::Weibull { scale, shape } => {
                let e = -libm::log(rng.unit_open());
                to_millis(*scale as f64 * libm::pow(e, 1.0 / shape))
            }
            Distribution::Empirical(values) => values[rng.below(values.len() as u64) as usize],
        }
    }

    /// The mean, for summaries and sanity checks.
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Constant(d) => *d as f64,
            Distribution::Exponential { mean } => *mean as f64,
            Distribution::Uniform { min, max } => (*min + *max) as f64 / 2.0,
            Distribution::LogNormal { median, sigma } => *median as f64 * libm::exp(sigma * sigma / 2.0),
            Distribution::Weibull { scale, shape } => *scale as f64 * libm::tgamma(1.0 + 1.0 / shape),
            Distribution::Empirical(v) => v.iter().sum::<u64>() as f64 / v.len() as f64,
        }
    }
}

/// Box–Muller, keeping one of the pair so that each draw uses exactly two uniforms.
pub(crate) fn standard_normal(rng: &mut SimRng) -> f64 {
    let r = libm::sqrt(-2.0 * libm::log(rng.unit_open()));
    r * libm::cos(2.0 * std::f64::consts::PI * rng.unit())
}

fn to_millis(x: f64) -> Millis {
    if x.is_finite() && x > 0.0 { libm::round(x).min(u64::MAX as f64) as u64 } else { 0 }
}

/// The raw form in a scenario: `30s`, or `{exponential: {mean: 2m}}` and friends.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDistribution {
    Plain(String),
    Tagged(TaggedDistribution),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
enum TaggedDistribution {
    Constant(String),
    Exponential { mean: String },
    Uniform { min: String, max: String },
    Lognormal { median: String, sigma: f64 },
    Weibull { scale: String, shape: f64 },
    Empirical(Vec<String>),
}

/// Why a distribution was refused.
#[derive(Debug)]
pub struct DistributionError(String);

impl fmt::Display for DistributionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<TaggedDistribution> for Distribution {
    type Error = DistributionError;
    fn try_from(raw: TaggedDistribution) -> Result<Self, DistributionError> {
        let d = |s: &str| parse_duration(s).map_err(|e| DistributionError(e.0));
        let positive = |name: &str, x: f64| {
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(DistributionError(format!("{name} must be a positive number, got {x}")))
            }
        };
        Ok(match raw {
            TaggedDistribution::Constant(v) => Distribution::Constant(d(&v)?),
            TaggedDistribution::Exponential { mean } => Distribution::Exponential { mean: d(&mean)? },
            TaggedDistribution::Uniform { min, max } => {
                let (min, max) = (d(&min)?, d(&max)?);
                if min > max {
                    return Err(DistributionError(format!(
                        "uniform: min ({}) must not exceed max ({})",
                        super::time::format_duration(min),
                        super::time::format_duration(max)
                    )));
                }
                Distribution::Uniform { min, max }
            }
            TaggedDistribution::Lognormal { median, sigma } => Distribution::LogNormal {
                median: d(&median)?,
                sigma: if sigma == 0.0 { 0.0 } else { positive("lognormal sigma", sigma)? },
            },
            TaggedDistribution::Weibull { scale, shape } => {
                Distribution::Weibull { scale: d(&scale)?, shape: positive("weibull shape", shape)? }
            }
            TaggedDistribution::Empirical(values) => {
                if values.is_empty() {
                    return Err(DistributionError("empirical needs at least one value".into()));
                }
                Distribution::Empirical(values.iter().map(|v| d(v)).collect::<Result<_, _>>()?)
            }
        })
    }
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        const EXPECTED: &str = "a duration (30s) or one of {constant: D}, {exponential: {mean: D}}, \
             {uniform: {min: D, max: D}}, {lognormal: {median: D, sigma: X}}, \
             {weibull: {scale: D, shape: X}}, {empirical: [D, ...]}";
        match RawDistribution::deserialize(d)
            .map_err(|_| D::Error::custom(format!("invalid distribution: expected {EXPECTED}")))?
        {
            RawDistribution::Plain(s) => parse_duration(&s).map(Distribution::Constant).map_err(D::Error::custom),
            RawDistribution::Tagged(t) => Distribution::try_from(t).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Stream, Streams};

    fn mean_of(d: &Distribution, n: usize) -> f64 {
        let mut rng = Streams::new(3).stream(Stream::Behavior);
        (0..n).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_distribution() {
        let cases = [
            Distribution::Exponential { mean: 60_000 },
            Distribution::Uniform { min: 1_000, max: 3_000 },
            Distribution::LogNormal { median: 300_000, sigma: 0.5 },
            Distribution::Weibull { scale: 100_000, shape: 1.5 },
            Distribution::Empirical(vec![1, 2, 3, 10]),
        ];
        for d in cases {
            let (got, want) = (mean_of(&d, 200_000), d.mean());
            assert!((got - want).abs() / want < 0.01, "{d:?}: mean {got} vs {want}");
        }
        assert_eq!(mean_of(&Distribution::Constant(5), 10), 5.0);
    }

    #[test]
    fn parses_every_written_form() {
        let parse = |s: &str| serde_saphyr::from_str::<Distribution>(s).map_err(|e| e.to_string());
        assert_eq!(parse("30s"), Ok(Distribution::Constant(30_000)));
        assert_eq!(parse("{constant: 1m}"), Ok(Distribution::Constant(60_000)));
        assert_eq!(parse("{exponential: {mean: 2m}}"), Ok(Distribution::Exponential { mean: 120_000 }));
        assert_eq!(parse("{uniform: {min: 1s, max: 2s}}"), Ok(Distribution::Uniform { min: 1000, max: 2000 }));
        assert_eq!(
            parse("{lognormal: {median: 5m, sigma: 0.5}}"),
            Ok(Distribution::LogNormal { median: 300_000, sigma: 0.5 })
        );
        assert_eq!(
            parse("{weibull: {scale: 1h, shape: 2}}"),
            Ok(Distribution::Weibull { scale: 3_600_000, shape: 2.0 })
        );
        assert_eq!(parse("{empirical: [1s, 2s]}"), Ok(Distribution::Empirical(vec![1000, 2000])));
        for bad in [
            "5 minutes",
            "{normal: {mean: 1s}}",
            "{uniform: {min: 2s, max: 1s}}",
            "{weibull: {scale: 1h, shape: -1}}",
            "{empirical: []}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
