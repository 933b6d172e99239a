//! Capacity planning (`podsim capacity`): the smallest (or largest) whole value of one
//! parameter for which every target on the summary's figures holds, found by a search
//! rather than a grid.
//!
//! The pure parts: the targets (`FIGURE OP VALUE`) and how a point is judged over its
//! seeds (every seed, or a one-sided Student's t bound on the mean), a figure's value in
//! a summary, and the search itself: from LO, values LO, LO+1, LO+3, LO+7, ... (a
//! galloping bracket) until one passes, then bisection between the last failing value
//! and the first passing one. The search is a function of the verdicts known so far, so
//! points already run (a cache, a sweep, another shard) are used as they are and a
//! search started again takes up where it stopped.

use super::figures::Ordered;
use super::param::ParamPath;
use super::stats::{Moments, t_quantile};
use std::collections::BTreeMap;
use std::fmt;

/// A comparison of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }

    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Op::Lt => x < value,
            Op::Le => x <= value,
            Op::Eq => x == value,
            Op::Ge => x >= value,
            Op::Gt => x > value,
        }
    }
}

/// `FIGURE OP VALUE`: a figure of summary.json compared with a value. The value may
/// carry a unit: a duration (`60s`, `5m`, `500ms`) for a figure in milliseconds (a path
/// with a part ending in `_ms`), a percentage (`99.9%`) for a fraction (a figure ending
/// in `_fraction`).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// As the user wrote it.
    pub text: String,
    pub figure: String,
    pub op: Op,
    /// In the figure's own unit (milliseconds, a fraction).
    pub value: f64,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.figure, self.op.as_str(), super::table::number(self.value))
    }
}

/// Whether a figure is in milliseconds: a part of its path ends in `_ms`.
fn in_ms(figure: &str) -> bool {
    figure.split(['.', '[', ']']).any(|part| part.ends_with("_ms"))
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        let bad = |why: String| {
            format!(
                "--target {text:?}: {why} (FIGURE OP VALUE, OP one of < <= == >= >: \
                 'latency_ms.scheduling.p99 <= 60s', 'jobs.failed == 0')"
            )
        };
        let at = text.find(['<', '>', '=', '!']).ok_or_else(|| bad("no comparison".into()))?;
        let rest = &text[at..];
        let (op, len) = if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with("==") {
            (Op::Eq, 2)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else {
            return Err(bad(format!("{:?} is not a comparison", &rest[..rest.len().min(2)])));
        };
        let figure = text[..at].trim();
        let amount = rest[len..].trim();
        if figure.is_empty() {
            return Err(bad("no figure".into()));
        }
        if figure.contains(char::is_whitespace) || figure.contains('*') {
            return Err(bad(format!("{figure:?} is not a figure's path")));
        }
        if amount.is_empty() {
            return Err(bad("no value".into()));
        }
        if amount.starts_with(['<', '>', '=', '!']) {
            return Err(bad(format!("{:?} is not a comparison", &rest[..len + 1])));
        }
        let value = Target::value(figure, amount).map_err(bad)?;
        Ok(Target { text: text.to_string(), figure: figure.to_string(), op, value })
    }

    /// The value in the figure's unit.
    fn value(figure: &str, amount: &str) -> Result<f64, String> {
        if let Ok(v) = amount.parse::<f64>() {
            return if v.is_finite() { Ok(v) } else { Err(format!("{amount:?} is not a number")) };
        }
        if let Some(p) = amount.strip_suffix('%') {
            // Read as `NNe-2`, so that 99.9% is the double nearest 0.999.
            let p = p.trim();
            let v: f64 = match p.parse::<f64>() {
                Ok(_) => format!("{p}e-2").parse().map_err(|_| format!("{amount:?} is not a percentage"))?,
                Err(_) => return Err(format!("{amount:?} is not a percentage")),
            };
            if !figure.ends_with("_fraction") {
                return Err(format!(
                    "{amount:?} is a percentage, but {figure} is not a fraction (figures ending in _fraction are)"
                ));
            }
            return if v.is_finite() { Ok(v) } else { Err(format!("{amount:?} is not a percentage")) };
        }
        match crate::engine::time::parse_duration(amount) {
            Ok(ms) if in_ms(figure) => Ok(ms as f64),
            Ok(_) => Err(format!(
                "{amount:?} is a duration, but {figure} is not in milliseconds (figures with a part ending in _ms are); give a number"
            )),
            Err(_) => Err(format!("{amount:?} is not a number, a duration (60s) or a percentage (99.9%)")),
        }
    }
}

/// How a target is judged over a point's seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Confidence {
    /// Every seed's value meets the target (the default).
    EverySeed,
    /// The one-sided Student's t bound on the mean at this level meets it: for `<` and
    /// `<=` the upper bound `mean + t(level, n−1)·sd/√n`, for `>` and `>=` the lower
    /// bound. `==` is judged seed by seed whatever the level.
    Mean(f64),
}

impl Confidence {
    pub fn parse(text: &str) -> Result<Confidence, String> {
        let level: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("--confidence {text:?}: expected a level between 0.5 and 1, such as 0.95"))?;
        if !(0.5..1.0).contains(&level) {
            return Err(format!("--confidence {text:?}: the level is at least 0.5 and below 1 (0.9, 0.95, 0.99)"));
        }
        Ok(Confidence::Mean(level))
    }

    pub fn describe(&self) -> String {
        match self {
            Confidence::EverySeed => "every seed".to_string(),
            Confidence::Mean(l) => format!("the one-sided {}% bound on the mean", super::table::number(l * 100.0)),
        }
    }
}

/// A target at one point: the runs' values and the verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The runs that gave the figure (and the others: failed runs, or no such figure).
    pub moments: Moments,
    pub missing: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The 95% two-sided confidence interval of the mean (the tables' interval).
    pub interval: Option<(f64, f64)>,
    /// The value judged: the worst seed's (every seed), or the one-sided bound.
    pub judged: Option<f64>,
    pub holds: bool,
}

/// Judges `target` on a point's runs' values (`None`: the run failed or lacks the figure,
/// which fails the target).
pub fn check(target: &Target, values: &[Option<f64>], confidence: Confidence) -> Check {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let missing = values.len() - present.len();
    let moments = Moments::of(&present);
    let min = present.iter().copied().reduce(f64::min);
    let max = present.iter().copied().reduce(f64::max);
    let worst = match target.op {
        Op::Lt | Op::Le => max,
        Op::Gt | Op::Ge => min,
        Op::Eq => present.iter().copied().find(|x| *x != target.value).or(min),
    };
    let judged = match (confidence, target.op) {
        (Confidence::Mean(level), Op::Lt | Op::Le | Op::Gt | Op::Ge) if moments.n >= 2 => {
            let sd = moments.sd.unwrap_or(0.0);
            let half = t_quantile(level, (moments.n - 1) as f64) * sd / (moments.n as f64).sqrt();
            Some(if matches!(target.op, Op::Lt | Op::Le) { moments.mean + half } else { moments.mean - half })
        }
        _ => worst,
    };
    let seeds_hold = match confidence {
        Confidence::EverySeed => present.iter().all(|x| target.op.holds(*x, target.value)),
        Confidence::Mean(_) => true,
    };
    let holds =
        missing == 0 && !present.is_empty() && seeds_hold && judged.is_some_and(|j| target.op.holds(j, target.value));
    Check { moments, missing, min, max, interval: moments.confidence_interval(), judged, holds }
}

/// `PATH=LO..HI`: the parameter and its whole values, both ends included.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub path: ParamPath,
    pub lo: i64,
    pub hi: i64,
}

impl Vary {
    pub fn parse(text: &str) -> Result<Vary, String> {
        let bad = |why: String| format!("--vary {text:?}: {why} (PATH=LO..HI: 'nodes[worker].count=1..64')");
        let eq = super::param::first_equals(text).ok_or_else(|| bad("expected PATH=LO..HI".into()))?;
        let path = ParamPath::parse(&text[..eq]).map_err(bad)?;
        let range = text[eq + 1..].trim();
        let (a, b) = range.split_once("..").ok_or_else(|| bad(format!("{range:?} is not a range LO..HI")))?;
        let number = |s: &str| {
            s.trim().parse::<i64>().map_err(|_| {
                bad(format!(
                    "{:?} is not a whole number: capacity varies a numeric parameter (a count, a size)",
                    s.trim()
                ))
            })
        };
        let (lo, hi) = (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?);
        if hi < lo {
            return Err(bad(format!("{range} is empty (LO comes first)")));
        }
        const LIMIT: i64 = 1 << 53;
        if lo <= -LIMIT || hi >= LIMIT {
            return Err(bad(format!("{range}: the values are between -2^53 and 2^53")));
        }
        Ok(Vary { path, lo, hi })
    }
}

/// Which end of the range the search looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The smallest passing value; larger values are assumed to pass too (more nodes).
    Smallest,
    /// The largest passing value; smaller values are assumed to pass too (`--maximize`).
    Largest,
}

/// What to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Run this value (its verdict is not known yet).
    Try(i64),
    /// The answer: the value found, or `None` when no value of the range passes.
    Done(Option<i64>),
}

/// The search on the verdicts known so far (value → every target held). Values outside
/// the range are ignored. The answer is the smallest passing value above the largest
/// failing one (for `Largest`, the mirror): the end of the range from which on every
/// value tried passes.
pub fn next(lo: i64, hi: i64, goal: Goal, known: &BTreeMap<i64, bool>) -> Step {
    // Searched as the smallest passing value of x = v (or x = -v for the largest).
    let (xlo, xhi) = match goal {
        Goal::Smallest => (lo, hi),
        Goal::Largest => (-hi, -lo),
    };
    let to_x = |v: i64| if goal == Goal::Smallest { v } else { -v };
    let x_known: BTreeMap<i64, bool> =
        known.iter().map(|(v, p)| (to_x(*v), *p)).filter(|(x, _)| (xlo..=xhi).contains(x)).collect();
    let from_x = |x: i64| to_x(x);
    let fail = x_known.iter().filter(|(_, p)| !**p).map(|(x, _)| *x).max();
    let pass = x_known.iter().filter(|(x, p)| **p && fail.is_none_or(|f| **x > f)).map(|(x, _)| *x).min();
    match (fail, pass) {
        (None, Some(p)) if p == xlo => Step::Done(Some(from_x(p))),
        (Some(f), Some(p)) if p == f + 1 => Step::Done(Some(from_x(p))),
        (Some(f), _) if f == xhi => Step::Done(None),
        (f, Some(p)) => {
            // Bisection between the last failure (or below the range) and the first pass.
            let below = f.unwrap_or(xlo - 1);
            Step::Try(from_x(below + (p - below) / 2))
        }
        (f, None) => {
            // The bracket: LO, LO+1, LO+3, LO+7, ... (capped at HI), the first past the
            // last failure.
            let mut offset: i64 = 0;
            loop {
                let x = xlo.saturating_add(offset);
                if x >= xhi {
                    return Step::Try(from_x(xhi));
                }
                if f.is_none_or(|f| x > f) {
                    return Step::Try(from_x(x));
                }
                offset = offset.saturating_mul(2).saturating_add(1);
            }
        }
    }
}

/// Passing values below failing ones (for `Largest`, above): the parameter is not
/// monotone, or the seeds too few to tell. Pairs of (passing, failing) values.
pub fn not_monotone(goal: Goal, known: &BTreeMap<i64, bool>) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for (p, _) in known.iter().filter(|(_, ok)| **ok) {
        let worse = known.iter().filter(|(v, ok)| {
            !**ok
                && match goal {
                    Goal::Smallest => **v > *p,
                    Goal::Largest => **v < *p,
                }
        });
        let nearest = match goal {
            Goal::Smallest => worse.map(|(v, _)| *v).max(),
            Goal::Largest => worse.map(|(v, _)| *v).min(),
        };
        if let Some(f) = nearest {
            out.push((*p, f));
        }
    }
    out
}

/// Parts of the summary that are maps of reasons or phases: a key missing there is a
/// reason that did not occur (0), not a misspelt figure.
const REASON_MAPS: &[&str] = &["pods.by_final_phase", "jobs.failed", "data_loss.by_cause"];

/// A figure's value in a summary: a number; the sum of the numbers under an object
/// (`jobs.failed`: Jobs failed for any reason); 0 for a reason that did not occur;
/// `None` when the summary has no such figure.
pub fn figure_value(summary: &Ordered, figure: &str) -> Option<f64> {
    let mut found: Option<&Ordered> = None;
    let mut parent_is_reasons = false;
    visit(summary, String::new(), &mut |path, node| {
        if path == figure {
            found = Some(node);
        } else if matches!(node, Ordered::Object(_))
            && figure.strip_prefix(path).is_some_and(|r| r.starts_with('.') && !r[1..].contains('.'))
            && REASON_MAPS.iter().any(|m| path == *m || path.starts_with(&format!("{m}.")))
        {
            parent_is_reasons = true;
        }
    });
    match found {
        Some(Ordered::Number(n)) => n.as_f64(),
        Some(node @ (Ordered::Object(_) | Ordered::Array(_))) => {
            let numbers = super::figures::flatten(&Ordered::Object(vec![("x".into(), node.clone())]));
            Some(numbers.iter().filter_map(|(_, n)| n.as_f64()).sum())
        }
        Some(_) => None,
        None if parent_is_reasons => Some(0.0),
        None => None,
    }
}

/// Every path of the summary (numbers and the objects holding them), as figures name
/// them, for messages naming figures close to a misspelt one.
pub fn figure_names(summary: &Ordered) -> Vec<String> {
    let mut out = Vec::new();
    visit(summary, String::new(), &mut |path, node| {
        if matches!(node, Ordered::Number(_) | Ordered::Object(_)) && !path.is_empty() {
            out.push(path.to_string());
        }
    });
    out
}

/// Parts of the summary that are not outcomes (as `figures::flatten` leaves them out).
const NOT_FIGURES: &[&str] = &["seed", "trace_digest", "parameters", "failures.unschedulable_at_end"];

fn visit<'a>(node: &'a Ordered, path: String, f: &mut dyn FnMut(&str, &'a Ordered)) {
    if NOT_FIGURES.contains(&path.as_str()) {
        return;
    }
    f(&path, node);
    match node {
        Ordered::Object(fields) => {
            for (k, v) in fields {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                visit(v, child, f);
            }
        }
        Ordered::Array(list) => {
            for (i, entry) in list.iter().enumerate() {
                let key = entry
                    .get("name")
                    .and_then(Ordered::as_str)
                    .map(|name| match entry.get("namespace").and_then(Ordered::as_str) {
                        Some(ns) => format!("{ns}/{name}"),
                        None => name.to_string(),
                    })
                    .unwrap_or_else(|| i.to_string());
                visit(entry, format!("{path}[{key}]"), f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::figures::parse;

    fn t(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    #[test]
    fn targets_read_with_units() {
        let a = t("latency_ms.scheduling.p99 <= 60s");
        assert_eq!((a.figure.as_str(), a.op, a.value), ("latency_ms.scheduling.p99", Op::Le, 60_000.0));
        assert_eq!(t("jobs.failed==0").op, Op::Eq);
        assert_eq!(t("services[default/web].any_ready_fraction >= 99.9%").value, 0.999);
        assert_eq!(t("x > -1.5").value, -1.5);
        assert_eq!(t("x<2").op, Op::Lt);
        assert_eq!(t("jobs.duration_ms.p50 < 1h").value, 3_600_000.0);
        assert_eq!(t("latency_ms.startup.p99 <= 60s").to_string(), "latency_ms.startup.p99 <= 60000");
        for (bad, why) in [
            ("x", "no comparison"),
            ("x 5", "no comparison"),
            ("<= 5", "no figure"),
            ("x <=", "no value"),
            ("x => 5", "not a comparison"),
            ("x != 5", "not a comparison"),
            ("x <== 5", "not a comparison"),
            ("x <= abc", "not a number"),
            ("jobs.completed >= 60s", "not in milliseconds"),
            ("jobs.completed >= 5%", "not a fraction"),
            ("x y <= 5", "not a figure's path"),
            ("x <= NaN", "not a number"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn every_seed_or_the_bound_on_the_mean() {
        let target = t("x <= 10");
        let v = |xs: &[f64]| xs.iter().map(|x| Some(*x)).collect::<Vec<_>>();
        assert!(check(&target, &v(&[1.0, 10.0, 3.0]), Confidence::EverySeed).holds);
        let one_over = check(&target, &v(&[1.0, 11.0, 3.0]), Confidence::EverySeed);
        assert!(!one_over.holds && one_over.judged == Some(11.0));
        // mean 5, sd 5, n 4: upper 95% bound 5 + 2.3533637 * 5 / 2 = 10.88.
        let c = check(&target, &v(&[0.0, 5.0, 10.0, 5.0]), Confidence::Mean(0.95));
        let sd = (50.0f64 / 3.0).sqrt();
        let want = 5.0 + 2.353363434801823 * sd / 2.0;
        assert!((c.judged.unwrap() - want).abs() < 1e-9, "{c:?}");
        assert!(c.holds == (want <= 10.0));
        assert!(check(&target, &v(&[9.0, 9.5, 10.5, 9.0, 9.2, 9.1]), Confidence::Mean(0.9)).holds);
        assert!(!check(&target, &v(&[9.0, 9.5, 10.5, 9.0, 9.2, 9.1]), Confidence::EverySeed).holds);
        let ge = check(&t("x >= 5"), &v(&[6.0, 7.0, 8.0]), Confidence::Mean(0.95));
        assert!((ge.judged.unwrap() - (7.0 - 2.919985580355516 / 3f64.sqrt())).abs() < 1e-9);
        let eq = t("jobs.failed == 0");
        assert!(check(&eq, &v(&[0.0, 0.0]), Confidence::Mean(0.95)).holds);
        assert!(!check(&eq, &v(&[0.0, 1.0, 0.0]), Confidence::Mean(0.99)).holds, "== is judged seed by seed");
        let missing = check(&target, &[Some(1.0), None], Confidence::EverySeed);
        assert!(!missing.holds && missing.missing == 1);
        assert!(!check(&target, &[], Confidence::EverySeed).holds);
        assert!(Confidence::parse("0.95").is_ok());
        for bad in ["1", "0.2", "x", "1.5"] {
            assert!(Confidence::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_are_whole_numbers() {
        let v = Vary::parse("nodes[worker].count=1..64").unwrap();
        assert_eq!((v.path.text.as_str(), v.lo, v.hi), ("nodes[worker].count", 1, 64));
        assert_eq!(Vary::parse("a=-3..=3").unwrap().lo, -3);
        for (bad, why) in [
            ("nodes[worker].count", "expected PATH=LO..HI"),
            ("a=1-4", "not a range"),
            ("a=1.5..4", "not a whole number"),
            ("a=x..4", "not a whole number"),
            ("a=5..4", "is empty"),
            ("=1..4", "empty parameter path"),
            ("seed=1..4", "cannot be a parameter"),
        ] {
            let e = Vary::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    /// Runs the search against a pass/fail rule, returning the values tried and the answer.
    fn search(lo: i64, hi: i64, goal: Goal, passes: impl Fn(i64) -> bool) -> (Vec<i64>, Option<i64>) {
        let mut known = BTreeMap::new();
        let mut tried = Vec::new();
        loop {
            match next(lo, hi, goal, &known) {
                Step::Try(v) => {
                    assert!((lo..=hi).contains(&v) && !known.contains_key(&v), "{v} {known:?}");
                    tried.push(v);
                    known.insert(v, passes(v));
                }
                Step::Done(answer) => return (tried, answer),
            }
            assert!(tried.len() < 200);
        }
    }

    #[test]
    fn the_search_brackets_then_bisects() {
        assert_eq!(search(1, 64, Goal::Smallest, |v| v >= 7), (vec![1, 2, 4, 8, 6, 7], Some(7)));
        assert_eq!(search(1, 64, Goal::Smallest, |v| v >= 1), (vec![1], Some(1)));
        assert_eq!(search(1, 64, Goal::Smallest, |_| false).1, None);
        assert_eq!(search(1, 64, Goal::Smallest, |v| v >= 64).1, Some(64));
        assert_eq!(
            search(1, 64, Goal::Smallest, |v| v >= 33),
            (vec![1, 2, 4, 8, 16, 32, 64, 48, 40, 36, 34, 33], Some(33))
        );
        assert_eq!(search(5, 5, Goal::Smallest, |_| true), (vec![5], Some(5)));
        assert_eq!(search(5, 5, Goal::Smallest, |_| false), (vec![5], None));
        assert_eq!(
            search(1, 64, Goal::Largest, |v| v <= 20),
            (vec![64, 63, 61, 57, 49, 33, 1, 17, 25, 21, 19, 20], Some(20))
        );
        assert_eq!(search(1, 64, Goal::Largest, |v| v <= 64).1, Some(64));
        assert_eq!(search(-10, 10, Goal::Smallest, |v| v >= -2).1, Some(-2));
        // Every answer, every range: the smallest passing value, in few tries.
        for hi in 1..40 {
            for answer in 1..=hi + 1 {
                let (tried, got) = search(1, hi, Goal::Smallest, |v| v >= answer);
                assert_eq!(got, (answer <= hi).then_some(answer));
                assert!(tried.len() as f64 <= 2.0 * (hi as f64).log2() + 2.0, "{hi} {answer} {tried:?}");
                let (_, got) = search(1, hi, Goal::Largest, |v| v < answer);
                assert_eq!(got, (answer > 1).then_some(answer - 1));
            }
        }
    }

    #[test]
    fn the_search_uses_what_is_known() {
        let known: BTreeMap<i64, bool> = [(4, false), (8, true), (16, true)].into();
        assert_eq!(next(1, 64, Goal::Smallest, &known), Step::Try(6));
        let known: BTreeMap<i64, bool> = [(6, false), (7, true), (100, false)].into();
        assert_eq!(next(1, 64, Goal::Smallest, &known), Step::Done(Some(7)), "outside the range: ignored");
        // Not monotone: a pass at 3 below the failure at 6.
        let known: BTreeMap<i64, bool> = [(3, true), (6, false), (8, true)].into();
        assert_eq!(next(1, 64, Goal::Smallest, &known), Step::Try(7));
        assert_eq!(not_monotone(Goal::Smallest, &known), [(3, 6)]);
        assert!(not_monotone(Goal::Smallest, &[(3, false), (6, true)].into()).is_empty());
        assert_eq!(not_monotone(Goal::Largest, &[(3, false), (6, true)].into()), [(6, 3)]);
    }

    #[test]
    fn figures_are_found_summed_or_zero() {
        let s = parse(
            r#"{"seed": 1, "pods": {"created": 4, "by_final_phase": {"Succeeded": 3, "Failed": 1}},
                "jobs": {"created": 2, "failed": {}},
                "latency_ms": {"scheduling": {"count": 4, "p99": 7}},
                "services": [{"namespace": "default", "name": "web", "any_ready_fraction": 0.5}]}"#,
        )
        .unwrap();
        assert_eq!(figure_value(&s, "pods.created"), Some(4.0));
        assert_eq!(figure_value(&s, "pods.by_final_phase"), Some(4.0));
        assert_eq!(figure_value(&s, "pods.by_final_phase.Pending"), Some(0.0));
        assert_eq!(figure_value(&s, "jobs.failed"), Some(0.0));
        assert_eq!(figure_value(&s, "jobs.failed.BackoffLimitExceeded"), Some(0.0));
        assert_eq!(figure_value(&s, "latency_ms.scheduling.p99"), Some(7.0));
        assert_eq!(figure_value(&s, "latency_ms.scheduling.p9"), None, "a misspelt figure is not 0");
        assert_eq!(figure_value(&s, "services[default/web].any_ready_fraction"), Some(0.5));
        assert_eq!(figure_value(&s, "seed"), None);
        assert_eq!(figure_value(&s, "cronjobs.runs"), None);
        let names = figure_names(&s);
        assert!(names.contains(&"jobs.failed".to_string()) && names.contains(&"latency_ms.scheduling.p99".to_string()));
        assert!(!names.iter().any(|n| n == "seed"));
    }
}
