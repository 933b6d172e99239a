//! Comparing two runs, or two studies (a study against a baseline, one policy against
//! another), and the verdicts of `--fail-on`.
//!
//! Two runs: the same trace digests mean the same run; otherwise every figure side by
//! side. Two studies: per point and figure, both means, the difference `B − A` with
//! its 95% confidence interval and Welch's t-test.

use super::figures::{Ordered, flatten, ordered_union};
use super::stats::{Moments, Welch, welch};
use crate::scenario::Glob;
use serde_json::Number;

/// A figure of two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFigure {
    pub figure: String,
    pub a: Option<Number>,
    pub b: Option<Number>,
}

impl RunFigure {
    /// `b − a`, when both have the figure.
    pub fn difference(&self) -> Option<f64> {
        Some(self.b.as_ref()?.as_f64()? - self.a.as_ref()?.as_f64()?)
    }
}

/// Whether two summaries describe the same trace: every file's digest equal.
pub fn same_trace(a: &Ordered, b: &Ordered) -> bool {
    let digests = |s: &Ordered| s.get("trace_digest").cloned();
    matches!((digests(a), digests(b)), (Some(x), Some(y)) if x == y && x != Ordered::Object(Vec::new()))
}

/// The trace files whose digests differ (or that one run has and the other not).
pub fn differing_files(a: &Ordered, b: &Ordered) -> Vec<String> {
    let files = |s: &Ordered| match s.get("trace_digest") {
        Some(Ordered::Object(f)) => f.clone(),
        _ => Vec::new(),
    };
    let (fa, fb) = (files(a), files(b));
    let names =
        ordered_union([fa.iter().map(|(n, _)| n.as_str()).collect(), fb.iter().map(|(n, _)| n.as_str()).collect()]);
    let get = |f: &[(String, Ordered)], n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    names.into_iter().filter(|n| get(&fa, n) != get(&fb, n)).collect()
}

/// Every figure of either run, in the summaries' order.
pub fn run_figures(a: &Ordered, b: &Ordered) -> Vec<RunFigure> {
    let (fa, fb) = (flatten(a), flatten(b));
    let names =
        ordered_union([fa.iter().map(|(n, _)| n.as_str()).collect(), fb.iter().map(|(n, _)| n.as_str()).collect()]);
    let get = |f: &[(String, Number)], n: &str| super::table::value(f, n);
    names.into_iter().map(|n| RunFigure { a: get(&fa, &n), b: get(&fb, &n), figure: n }).collect()
}

/// The first line where two texts differ: its number (from 1) and each side's line
/// (`None` past the end of that side).
pub fn first_difference<A, B>(a: A, b: B) -> Option<(usize, Option<String>, Option<String>)>
where
    A: IntoIterator<Item = String>,
    B: IntoIterator<Item = String>,
{
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    let mut line = 0;
    loop {
        line += 1;
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => return Some((line, x, y)),
        }
    }
}

/// One figure at one point of two studies.
#[derive(Clone, Debug, PartialEq)]
pub struct PointFigure {
    pub point: usize,
    pub figure: String,
    pub a: Moments,
    pub b: Moments,
    /// `None` when a side has fewer than two values.
    pub test: Option<Welch>,
}

impl PointFigure {
    pub fn new(point: usize, figure: String, a: &[f64], b: &[f64]) -> PointFigure {
        let (a, b) = (Moments::of(a), Moments::of(b));
        PointFigure { point, figure, test: welch(&a, &b), a, b }
    }

    /// `b − a` of the means, when both sides have values.
    pub fn difference(&self) -> Option<f64> {
        (self.a.n > 0 && self.b.n > 0).then_some(self.b.mean - self.a.mean)
    }
}

/// The p-value under which a difference counts as significant.
pub const SIGNIFICANCE: f64 = 0.05;

/// Which way a figure gets worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worse {
    /// `FIGURE>AMOUNT`: going up is worse (latencies, failures).
    Up,
    /// `FIGURE<AMOUNT`: going down is worse (completions, availability).
    Down,
}

/// `--fail-on FIGURE>AMOUNT` (or `<`; AMOUNT may be a percentage of A's mean; FIGURE
/// may hold `*` to name several).
#[derive(Clone, Debug, PartialEq)]
pub struct FailOn {
    pub text: String,
    pub figure: Glob,
    pub worse: Worse,
    pub amount: f64,
    pub percent: bool,
}

impl FailOn {
    pub fn parse(text: &str) -> Result<FailOn, String> {
        let bad = |why: &str| {
            format!("--fail-on {text:?}: {why} (`latency_ms.scheduling.p99>500`, `pods.by_final_phase.Succeeded<5%`)")
        };
        let at = text.rfind(['>', '<']).ok_or_else(|| bad("expected FIGURE>AMOUNT or FIGURE<AMOUNT"))?;
        let (figure, amount) = (text[..at].trim(), text[at + 1..].trim());
        if figure.is_empty() {
            return Err(bad("no figure"));
        }
        let worse = if text[at..].starts_with('>') { Worse::Up } else { Worse::Down };
        let (number, percent) = match amount.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (amount, false),
        };
        let amount: f64 = number.parse().map_err(|_| bad(&format!("{amount:?} is not an amount")))?;
        if !amount.is_finite() || amount < 0.0 {
            return Err(bad("the amount is a number, 0 or more"));
        }
        Ok(FailOn { text: text.to_string(), figure: Glob::new(figure), worse, amount, percent })
    }

    pub fn names(&self, figure: &str) -> bool {
        self.figure.matches(figure)
    }

    /// How much worse B is than A (positive: worse), and the amount it may be.
    fn worsening(&self, a_mean: f64, difference: f64) -> (f64, f64) {
        let worse = match self.worse {
            Worse::Up => difference,
            Worse::Down => -difference,
        };
        let allowed = if self.percent { self.amount / 100.0 * a_mean.abs() } else { self.amount };
        (worse, allowed)
    }

    /// Whether two runs' values break this rule.
    pub fn broken_by_runs(&self, f: &RunFigure) -> bool {
        match (f.a.as_ref().and_then(Number::as_f64), f.difference()) {
            (Some(a), Some(d)) => {
                let (worse, allowed) = self.worsening(a, d);
                worse > allowed
            }
            _ => false,
        }
    }

    /// Whether a point's figure breaks this rule: worse by more than the amount, and
    /// significantly so (Welch's p < 0.05). With fewer than two runs on a side there is
    /// no test, and the means decide.
    pub fn broken_by_point(&self, f: &PointFigure) -> bool {
        let Some(d) = f.difference() else { return false };
        let (worse, allowed) = self.worsening(f.a.mean, d);
        worse > allowed && f.test.is_none_or(|t| t.p_value < SIGNIFICANCE)
    }
}

/// The figures a rule names that neither side has: a misspelt rule must not pass
/// silently.
pub fn unknown_rules<'a>(rules: &'a [FailOn], figures: &[String]) -> Vec<&'a FailOn> {
    rules.iter().filter(|r| !figures.iter().any(|f| r.names(f))).collect()
}

/// Figure names close to `wanted` (sharing its last part), for a message.
pub fn suggestions(wanted: &str, figures: &[String]) -> Vec<String> {
    let last = wanted.rsplit(['.', ']']).next().unwrap_or(wanted).trim_matches('*');
    let mut out: Vec<String> =
        figures.iter().filter(|f| !last.is_empty() && f.contains(last)).take(8).cloned().collect();
    if out.is_empty() {
        out = figures.iter().take(8).cloned().collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::figures::parse;

    #[test]
    fn runs_side_by_side() {
        let a = parse(
            r#"{"seed": 1, "trace_digest": {"t.csv": "aa", "e.csv": "bb"}, "pods": {"created": 4, "restarts": 1}}"#,
        )
        .unwrap();
        let b = parse(r#"{"seed": 1, "trace_digest": {"t.csv": "aa", "e.csv": "cc"}, "pods": {"created": 4, "restarts": 3}, "jobs": {"created": 1}}"#).unwrap();
        assert!(same_trace(&a, &a) && !same_trace(&a, &b));
        assert_eq!(differing_files(&a, &b), ["e.csv"]);
        let f = run_figures(&a, &b);
        let shown: Vec<String> = f
            .iter()
            .map(|f| {
                format!(
                    "{} {:?} {:?} {:?}",
                    f.figure,
                    f.a.as_ref().map(|n| n.to_string()),
                    f.b.as_ref().map(|n| n.to_string()),
                    f.difference()
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "pods.created Some(\"4\") Some(\"4\") Some(0.0)",
                "pods.restarts Some(\"1\") Some(\"3\") Some(2.0)",
                "jobs.created None Some(\"1\") None",
            ]
        );
        let rule = FailOn::parse("pods.restarts>1").unwrap();
        assert!(rule.broken_by_runs(&f[1]));
        assert!(!FailOn::parse("pods.restarts>2").unwrap().broken_by_runs(&f[1]));
        assert!(FailOn::parse("pods.restarts>100%").unwrap().broken_by_runs(&f[1]), "3 is 200% above 1");
        assert!(!FailOn::parse("pods.restarts<0").unwrap().broken_by_runs(&f[1]), "up is better here");
    }

    #[test]
    fn traces_part_at_the_first_different_line() {
        let lines = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
        assert_eq!(first_difference(lines("a\nb\nc"), lines("a\nb\nc")), None);
        assert_eq!(first_difference(lines("a\nb\nc"), lines("a\nx\nc")), Some((2, Some("b".into()), Some("x".into()))));
        assert_eq!(first_difference(lines("a\nb"), lines("a\nb\nc")), Some((3, None, Some("c".into()))));
    }

    #[test]
    fn a_rule_fails_on_a_significant_worsening_beyond_its_amount() {
        let rule = FailOn::parse("latency_ms.scheduling.p99>5").unwrap();
        assert_eq!((rule.worse, rule.amount, rule.percent), (Worse::Up, 5.0, false));
        let clear = PointFigure::new(0, "x".into(), &[10.0, 11.0, 12.0, 10.5], &[20.0, 21.0, 19.0, 20.5]);
        assert!(clear.test.unwrap().p_value < 0.001);
        assert!(rule.broken_by_point(&clear));
        assert!(!FailOn::parse("x>15").unwrap().broken_by_point(&clear), "worse, but by less than 15");
        assert!(!FailOn::parse("x<0").unwrap().broken_by_point(&clear), "up is not worse for <");
        let noise = PointFigure::new(0, "x".into(), &[10.0, 30.0, 2.0], &[25.0, 5.0, 40.0]);
        assert!(noise.test.unwrap().p_value > SIGNIFICANCE);
        assert!(!FailOn::parse("x>1").unwrap().broken_by_point(&noise), "not significant");
        let single = PointFigure::new(0, "x".into(), &[10.0], &[20.0]);
        assert!(single.test.is_none() && FailOn::parse("x>5").unwrap().broken_by_point(&single));
        let down = FailOn::parse("pods.by_final_phase.Succeeded < 10%").unwrap();
        assert_eq!((down.worse, down.amount, down.percent), (Worse::Down, 10.0, true));
        let fewer = PointFigure::new(0, "s".into(), &[100.0, 100.0], &[80.0, 80.0]);
        assert!(down.broken_by_point(&fewer), "20% fewer, exactly");
        for bad in ["x", "x>", ">5", "x>-1", "x>abc", "x>5%%"] {
            assert!(FailOn::parse(bad).is_err(), "{bad}");
        }
        let globbed = FailOn::parse("services[*].any_ready_fraction<0.01").unwrap();
        assert!(globbed.names("services[default/web].any_ready_fraction"));
        let figures = vec!["latency_ms.scheduling.p99".to_string()];
        let rules = [FailOn::parse("latency_ms.schedulng.p99>1").unwrap(), rule];
        assert_eq!(unknown_rules(&rules, &figures).len(), 1);
        assert_eq!(suggestions("latency_ms.schedulng.p99", &figures), figures);
    }
}
