//! Quantity distributions: what the copies of an arrival stream draw their resources from
//! (`arrivals.resources`, see `resources.rs`). A draw is a whole number of the resource's
//! unit, as the API server keeps a quantity and the scheduler reads it: thousandths of a
//! core for `cpu` (`MilliValue`), bytes or items otherwise (`Value`). A listed quantity
//! (a constant, an empirical value, a table cell) is kept as written, so a copy shows
//! `4Gi` where the user wrote `4Gi`.

use crate::api::quantity::{Format, Quantity};
use crate::api::validation::MAX_QUANTITY;
use crate::engine::SimRng;

/// A distribution of one resource's quantity. Bounds and steps are in the resource's
/// unit (see the module's comment).
#[derive(Clone, Debug, PartialEq)]
pub enum QuantityDist {
    /// Always this quantity.
    Constant(Quantity),
    /// A multiple of `step` from `lo * step` to `hi * step`, each as likely.
    Uniform { lo: i64, hi: i64, step: i64 },
    /// Exponential of this mean, rounded to a multiple of `step`, moved into [min, max]
    /// (no `max`: up to the largest quantity podsim takes).
    Exponential { mean: f64, step: i64, min: i64, max: Option<i64> },
    /// Lognormal of this median and sigma (of the log), rounded and bounded likewise.
    LogNormal { median: f64, sigma: f64, step: i64, min: i64, max: Option<i64> },
    /// One of these quantities, each as likely (repeat a value to weigh it).
    Empirical(Vec<Quantity>),
}

/// One resource's distribution, with how its draws are written.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDist {
    /// The resource (`cpu`, `memory`, `example.com/gpu`).
    pub name: String,
    /// The format a drawn quantity is written in: the one the user wrote the
    /// distribution's first quantity in (`BinarySI` for `1Gi`).
    pub format: Format,
    pub dist: QuantityDist,
}

impl ResourceDist {
    /// One draw.
    pub fn sample(&self, rng: &mut SimRng) -> Quantity {
        let units = match &self.dist {
            QuantityDist::Constant(q) => return q.clone(),
            QuantityDist::Empirical(values) => return values[rng.below(values.len() as u64) as usize].clone(),
            QuantityDist::Uniform { lo, hi, step } => (lo + rng.below((hi - lo + 1) as u64) as i64) * step,
            QuantityDist::Exponential { mean, step, min, max } => {
                stepped(-mean * libm::log(rng.unit_open()), *step, *min, top(*max, *step))
            }
            QuantityDist::LogNormal { median, sigma, step, min, max } => {
                let x = median * libm::exp(sigma * crate::engine::dist::standard_normal(rng));
                stepped(x, *step, *min, top(*max, *step))
            }
        };
        to_quantity(&self.name, units, self.format)
    }

    /// The largest value a draw can take, in the resource's unit.
    pub fn max_units(&self) -> i64 {
        match &self.dist {
            QuantityDist::Constant(q) => units(&self.name, q),
            QuantityDist::Empirical(values) => values.iter().map(|q| units(&self.name, q)).max().unwrap_or(0),
            QuantityDist::Uniform { hi, step, .. } => hi * step,
            QuantityDist::Exponential { max, step, .. } | QuantityDist::LogNormal { max, step, .. } => top(*max, *step),
        }
    }

    /// Whether the draws have a maximum the user gave (or one the values imply).
    pub fn bounded(&self) -> bool {
        !matches!(self.dist, QuantityDist::Exponential { max: None, .. } | QuantityDist::LogNormal { max: None, .. })
    }
}

/// The largest draw of a continuous distribution: its `max`, else the largest multiple of
/// `step` podsim takes.
fn top(max: Option<i64>, step: i64) -> i64 {
    max.unwrap_or_else(|| floor_to_step(MAX_QUANTITY, step))
}

/// A quantity in its resource's unit: thousandths of a core for `cpu`, whole units
/// otherwise, rounded up as `MilliValue` and `Value` round.
pub fn units(resource: &str, q: &Quantity) -> i64 {
    if resource == "cpu" { q.milli_value() } else { q.value() }
}

/// `units` of a resource as a quantity: cpu in cores (`1500m`, `2`), others in `format`.
pub fn to_quantity(resource: &str, units: i64, format: Format) -> Quantity {
    if resource == "cpu" { Quantity::new_milli(units, Format::DecimalSI) } else { Quantity::new(units, format) }
}

/// A continuous draw `x` as a whole multiple of `step` within [min, max] (`min` and `max`
/// multiples of `step`); a draw that is not a number, or is below zero, is `min`.
fn stepped(x: f64, step: i64, min: i64, max: i64) -> i64 {
    if x.is_nan() || x <= 0.0 {
        return min;
    }
    let k = libm::round(x / step as f64);
    if k >= (max / step) as f64 { max } else { (k as i64 * step).max(min) }
}

/// The largest multiple of `step` that is at most `max` (and at most `MAX_QUANTITY`).
pub fn floor_to_step(max: i64, step: i64) -> i64 {
    max.min(MAX_QUANTITY) / step * step
}

/// The smallest multiple of `step` that is at least `min`.
pub fn ceil_to_step(min: i64, step: i64) -> i64 {
    min.div_euclid(step) * step + if min.rem_euclid(step) == 0 { 0 } else { step }
}

/// Rows of quantities drawn together (`table:`), each row as likely as its weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The resources of every row, in order.
    pub names: Vec<String>,
    /// Each row's quantities, in the order of `names`.
    pub rows: Vec<Vec<Quantity>>,
    /// The running sum of the rows' weights.
    cumulative: Vec<u64>,
}

impl Table {
    /// `weights[i]` is row i's; every weight is at least 1.
    pub fn new(names: Vec<String>, rows: Vec<Vec<Quantity>>, weights: &[u64]) -> Table {
        let cumulative = weights
            .iter()
            .scan(0u64, |sum, w| {
                *sum += w;
                Some(*sum)
            })
            .collect();
        Table { names, rows, cumulative }
    }

    /// One row, by weight.
    pub fn pick(&self, rng: &mut SimRng) -> &[Quantity] {
        let total = *self.cumulative.last().expect("a table has rows");
        let r = rng.below(total);
        &self.rows[self.cumulative.partition_point(|c| *c <= r)]
    }

    /// The largest value the resource at `column` takes, in its unit.
    pub fn max_units(&self, column: usize) -> i64 {
        let name = &self.names[column];
        self.rows.iter().map(|row| units(name, &row[column])).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Stream, Streams};

    fn rng(seed: u64) -> SimRng {
        Streams::new(seed).keyed(Stream::ArrivalResources, 0)
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn cpu(dist: QuantityDist) -> ResourceDist {
        ResourceDist { name: "cpu".into(), format: Format::DecimalSI, dist }
    }

    fn memory(dist: QuantityDist) -> ResourceDist {
        ResourceDist { name: "memory".into(), format: Format::BinarySI, dist }
    }

    #[test]
    fn uniform_draws_stay_within_bounds_cover_them_and_repeat_with_the_seed() {
        // 500m to 8 cores, by the millicore.
        let d = cpu(QuantityDist::Uniform { lo: 500, hi: 8000, step: 1 });
        let draws: Vec<i64> = {
            let mut r = rng(1);
            (0..20_000).map(|_| d.sample(&mut r).milli_value()).collect()
        };
        assert!(draws.iter().all(|m| (500..=8000).contains(m)));
        assert_eq!(*draws.iter().min().unwrap(), 500, "the ends are drawn too");
        assert_eq!(*draws.iter().max().unwrap(), 8000);
        let mean = draws.iter().sum::<i64>() as f64 / draws.len() as f64;
        assert!((mean - 4250.0).abs() < 50.0, "mean {mean}");
        let again: Vec<i64> = {
            let mut r = rng(1);
            (0..20_000).map(|_| d.sample(&mut r).milli_value()).collect()
        };
        assert_eq!(draws, again, "the same seed gives the same draws");
        let other: Vec<i64> = {
            let mut r = rng(2);
            (0..20).map(|_| d.sample(&mut r).milli_value()).collect()
        };
        assert_ne!(draws[..20], other[..], "another seed, other draws");
    }

    #[test]
    fn uniform_steps_give_multiples_written_as_the_user_wrote_them() {
        // 1Gi to 16Gi in steps of 1Gi: whole gibibytes, written `4Gi`.
        let gi = 1i64 << 30;
        let d = memory(QuantityDist::Uniform { lo: 1, hi: 16, step: gi });
        let mut r = rng(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let drawn = d.sample(&mut r);
            assert_eq!(drawn.value() % gi, 0, "{drawn}");
            assert!(drawn.to_string().ends_with("Gi"), "{drawn}");
            seen.insert(drawn.value() / gi);
        }
        assert_eq!(seen, (1..=16).collect(), "every step is drawn");
        assert_eq!(d.max_units(), 16 * gi);
        // Cores print as Kubernetes prints them.
        assert_eq!(to_quantity("cpu", 2000, Format::DecimalSI).to_string(), "2");
        assert_eq!(to_quantity("cpu", 1500, Format::DecimalSI).to_string(), "1500m");
        assert_eq!(to_quantity("memory", 3 << 20, Format::BinarySI).to_string(), "3Mi");
        assert_eq!(to_quantity("memory", 1_000_001, Format::BinarySI).to_string(), "1000001");
    }

    #[test]
    fn empirical_draws_are_the_listed_quantities_evenly() {
        let d = memory(QuantityDist::Empirical(vec![q("1Gi"), q("2Gi"), q("4Gi"), q("4Gi")]));
        let mut r = rng(4);
        let mut counts = std::collections::BTreeMap::new();
        for _ in 0..40_000 {
            *counts.entry(d.sample(&mut r).to_string()).or_insert(0) += 1;
        }
        assert_eq!(counts.keys().collect::<Vec<_>>(), ["1Gi", "2Gi", "4Gi"]);
        // 4Gi is listed twice: half the draws.
        assert!((counts["4Gi"] as f64 / 40_000.0 - 0.5).abs() < 0.01, "{counts:?}");
        assert!((counts["1Gi"] as f64 / 40_000.0 - 0.25).abs() < 0.01, "{counts:?}");
        assert_eq!(d.max_units(), 4 << 30);
        assert_eq!(cpu(QuantityDist::Constant(q("250m"))).sample(&mut r).to_string(), "250m");
    }

    #[test]
    fn table_rows_come_by_weight() {
        let t = Table::new(
            vec!["cpu".into(), "memory".into()],
            vec![vec![q("1"), q("2Gi")], vec![q("4"), q("16Gi")], vec![q("500m"), q("1Gi")]],
            &[3, 1, 4],
        );
        let mut r = rng(5);
        let mut counts = [0u32; 3];
        for _ in 0..80_000 {
            let row = t.pick(&mut r);
            let i = t.rows.iter().position(|x| x[..] == row[..]).unwrap();
            counts[i] += 1;
        }
        let share = |i: usize| f64::from(counts[i]) / 80_000.0;
        assert!((share(0) - 3.0 / 8.0).abs() < 0.01, "{counts:?}");
        assert!((share(1) - 1.0 / 8.0).abs() < 0.01, "{counts:?}");
        assert!((share(2) - 4.0 / 8.0).abs() < 0.01, "{counts:?}");
        assert_eq!(t.max_units(0), 4000);
        assert_eq!(t.max_units(1), 16 << 30);
    }

    #[test]
    fn continuous_draws_are_rounded_to_the_step_and_kept_in_bounds() {
        let mi = 1i64 << 20;
        let d = memory(QuantityDist::LogNormal {
            median: (2i64 << 30) as f64,
            sigma: 1.0,
            step: mi,
            min: 256 * mi,
            max: Some(16 << 30),
        });
        let mut r = rng(6);
        let draws: Vec<i64> = (0..20_000).map(|_| d.sample(&mut r).value()).collect();
        assert!(draws.iter().all(|v| v % mi == 0 && (256 * mi..=16 << 30).contains(v)));
        assert!(draws.contains(&(16 << 30)) && draws.contains(&(256 * mi)), "draws beyond the bounds move to them");
        let mut sorted = draws.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2] as f64 / (2i64 << 30) as f64;
        assert!((median - 1.0).abs() < 0.03, "median {median} of 2Gi");
        let e = cpu(QuantityDist::Exponential { mean: 1000.0, step: 1, min: 0, max: None });
        let draws: Vec<i64> = (0..50_000).map(|_| e.sample(&mut r).milli_value()).collect();
        let mean = draws.iter().sum::<i64>() as f64 / draws.len() as f64;
        assert!((mean - 1000.0).abs() < 20.0, "mean {mean}m");
        assert_eq!(stepped(f64::INFINITY, 10, 0, 100), 100);
        assert_eq!(stepped(f64::NAN, 10, 20, 100), 20);
        assert_eq!(stepped(44.0, 10, 0, 100), 40);
        assert_eq!((ceil_to_step(1001, 1000), ceil_to_step(1000, 1000), floor_to_step(1999, 1000)), (2000, 1000, 1000));
    }
}
