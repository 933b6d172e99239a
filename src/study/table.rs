//! The study's tables. `sweep.csv`: one row per run (its number, point, each
//! parameter's value, seed, status and error, then every figure of its summary).
//! `points.csv`, tidy (one row per point and figure): how many runs, the mean, the
//! standard deviation and the 95% confidence interval of the mean.
//!
//! Both are computed from the runs in their order, after every run has ended, so they
//! are the same bytes whatever the number of threads and however the study was split
//! into shards.

use super::figures::ordered_union;
use super::plan::{Plan, Run};
use super::stats::Moments;
use serde_json::Number;

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Its figures, from its summary.
    Ok(Vec<(String, Number)>),
    /// It broke an invariant or podsim failed: the message.
    Failed(String),
    /// Its point's scenario is not valid (a parameter's value): the message.
    Invalid(String),
}

impl Outcome {
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Failed(_) => "failed",
            Outcome::Invalid(_) => "invalid",
        }
    }

    pub fn error(&self) -> &str {
        match self {
            Outcome::Ok(_) => "",
            Outcome::Failed(e) | Outcome::Invalid(e) => e,
        }
    }
}

/// A run's value of a figure. A figure the run's summary lacks while it has others of
/// the same section (the path up to its first `.`) is 0: a summary leaves out the
/// reasons that did not occur (`jobs.failed.BackoffLimitExceeded` in a run whose Jobs
/// all succeeded). A section the run lacks altogether (no Jobs) leaves it empty.
pub fn value(figures: &[(String, Number)], name: &str) -> Option<Number> {
    if let Some((_, v)) = figures.iter().find(|(n, _)| n == name) {
        return Some(v.clone());
    }
    let section = |n: &str| n.split('.').next().unwrap_or(n).to_string();
    let wanted = section(name);
    (wanted != name && figures.iter().any(|(n, _)| section(n) == wanted)).then(|| Number::from(0))
}

/// The columns before the figures in `sweep.csv`.
pub fn sweep_header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["run".to_string(), "point".to_string()];
    h.extend(plan.parameters.iter().map(|p| p.path.text.clone()));
    h.extend(["seed", "status", "error"].map(String::from));
    h
}

/// Every figure of the runs, in their summaries' order.
pub fn figure_names(runs: &[(Run, Outcome)]) -> Vec<String> {
    ordered_union(runs.iter().filter_map(|(_, o)| match o {
        Outcome::Ok(f) => Some(f.iter().map(|(n, _)| n.as_str()).collect()),
        _ => None,
    }))
}

fn csv_text(rows: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    rows(&mut w).expect("writing CSV to memory cannot fail");
    String::from_utf8(w.into_inner().expect("a Vec takes every byte")).expect("the cells are UTF-8")
}

/// `sweep.csv`. `runs` are in the order of their numbers.
pub fn sweep_csv(plan: &Plan, runs: &[(Run, Outcome)]) -> String {
    let figures = figure_names(runs);
    csv_text(|w| {
        let mut header = sweep_header(plan);
        header.extend(figures.iter().cloned());
        w.write_record(&header)?;
        for (run, outcome) in runs {
            let mut row = vec![run.index.to_string(), run.point.to_string()];
            row.extend(plan.point_values(run.point).iter().map(|v| v.text.clone()));
            row.extend([run.seed.to_string(), outcome.status().to_string(), outcome.error().to_string()]);
            if let Outcome::Ok(values) = outcome {
                row.extend(figures.iter().map(|f| value(values, f).map(|v| v.to_string()).unwrap_or_default()));
            } else {
                row.extend(figures.iter().map(|_| String::new()));
            }
            w.write_record(&row)?;
        }
        Ok(())
    })
}

/// The columns of `points.csv`.
pub fn points_header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(plan.parameters.iter().map(|p| p.path.text.clone()));
    h.extend(["runs", "failed", "figure", "n", "mean", "sd", "ci95_low", "ci95_high"].map(String::from));
    h
}

/// `points.csv`: per point (in order) and figure, the statistics of the runs that
/// ended well. A point none of whose runs ended well has one row without a figure.
pub fn points_csv(plan: &Plan, runs: &[(Run, Outcome)]) -> String {
    let figures = figure_names(runs);
    let mut by_point: std::collections::BTreeMap<usize, Vec<&Outcome>> = std::collections::BTreeMap::new();
    for (run, outcome) in runs {
        by_point.entry(run.point).or_default().push(outcome);
    }
    csv_text(|w| {
        w.write_record(points_header(plan))?;
        for (point, outcomes) in &by_point {
            let mut lead = vec![point.to_string()];
            lead.extend(plan.point_values(*point).iter().map(|v| v.text.clone()));
            let failed = outcomes.iter().filter(|o| !matches!(o, Outcome::Ok(_))).count();
            lead.extend([outcomes.len().to_string(), failed.to_string()]);
            let mut any = false;
            for f in &figures {
                let values: Vec<f64> = outcomes
                    .iter()
                    .filter_map(|o| match o {
                        Outcome::Ok(v) => value(v, f).and_then(|x| x.as_f64()),
                        _ => None,
                    })
                    .collect();
                if values.is_empty() {
                    continue;
                }
                any = true;
                let m = Moments::of(&values);
                let ci = m.confidence_interval();
                let mut row = lead.clone();
                row.extend([
                    f.clone(),
                    m.n.to_string(),
                    number(m.mean),
                    m.sd.map(number).unwrap_or_default(),
                    ci.map(|c| number(c.0)).unwrap_or_default(),
                    ci.map(|c| number(c.1)).unwrap_or_default(),
                ]);
                w.write_record(&row)?;
            }
            if !any {
                let mut row = lead.clone();
                row.extend(["", "0", "", "", "", ""].map(String::from));
                w.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// A statistic as tables write it: whole numbers as such, others to 6 decimals
/// without trailing zeros (a summary's fractions have 3).
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// A statistic for a person to read: four significant digits before the point are
/// enough for a mean or an interval (`4273255.231418` reads `4273255`), smaller numbers
/// keep up to 3 decimals. The tables keep `number`'s precision.
pub fn readable(x: f64) -> String {
    if !x.is_finite() || x == x.trunc() {
        return number(x);
    }
    let digits = x.abs().log10().floor() as i32 + 1;
    let decimals = (4 - digits).clamp(0, 3) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::super::param::Parameter;
    use super::super::plan::Keep;
    use super::*;

    fn plan() -> Plan {
        Plan {
            scenario: "s".into(),
            scenario_file: "s.yaml".into(),
            scenario_digest: "d".into(),
            duration: None,
            parameters: vec![Parameter::parse("nodes[worker].count=1,2").unwrap()],
            seeds: vec![1, 2, 3],
            keep: Keep::Summary,
            check_invariants: false,
        }
    }

    fn ok(pairs: &[(&str, i64)]) -> Outcome {
        Outcome::Ok(pairs.iter().map(|(n, v)| (n.to_string(), Number::from(*v))).collect())
    }

    #[test]
    fn tables_of_a_small_study() {
        let p = Plan { seeds: vec![1, 2, 3, 4], ..plan() };
        let runs = vec![
            (p.run(0), ok(&[("a", 1), ("c", 10)])),
            (p.run(1), ok(&[("a", 2), ("b", 5), ("c", 20), ("j.failed.x", 1), ("j.created", 2)])),
            (p.run(2), ok(&[("j.created", 2)])),
            (p.run(3), Outcome::Failed("invariant broken,\nseed 4".into())),
            (p.run(4), Outcome::Invalid("bad count".into())),
            (p.run(5), Outcome::Invalid("bad count".into())),
            (p.run(6), Outcome::Invalid("bad count".into())),
            (p.run(7), Outcome::Invalid("bad count".into())),
        ];
        assert_eq!(
            sweep_csv(&p, &runs),
            "run,point,nodes[worker].count,seed,status,error,a,b,c,j.failed.x,j.created\n\
             0,0,1,1,ok,,1,,10,,\n\
             1,0,1,2,ok,,2,5,20,1,2\n\
             2,0,1,3,ok,,,,,0,2\n\
             3,0,1,4,failed,\"invariant broken,\nseed 4\",,,,,\n\
             4,1,2,1,invalid,bad count,,,,,\n\
             5,1,2,2,invalid,bad count,,,,,\n\
             6,1,2,3,invalid,bad count,,,,,\n\
             7,1,2,4,invalid,bad count,,,,,\n"
        );
        let t95_1 = 12.706204736174705 * 0.5f64.sqrt() / 2f64.sqrt();
        assert_eq!(
            points_csv(&p, &runs),
            format!(
                "point,nodes[worker].count,runs,failed,figure,n,mean,sd,ci95_low,ci95_high\n\
                 0,1,4,1,a,2,1.5,0.707107,{},{}\n\
                 0,1,4,1,b,1,5,,,\n\
                 0,1,4,1,c,2,15,7.071068,{},{}\n\
                 0,1,4,1,j.failed.x,2,0.5,0.707107,{},{}\n\
                 0,1,4,1,j.created,2,2,0,2,2\n\
                 1,2,4,4,,0,,,,\n",
                number(1.5 - t95_1),
                number(1.5 + t95_1),
                number(15.0 - 10.0 * t95_1),
                number(15.0 + 10.0 * t95_1),
                number(0.5 - t95_1),
                number(0.5 + t95_1),
            )
        );
    }

    #[test]
    fn a_reason_that_did_not_occur_counts_0() {
        let f =
            |pairs: &[(&str, i64)]| pairs.iter().map(|(n, v)| (n.to_string(), Number::from(*v))).collect::<Vec<_>>();
        let run = f(&[("jobs.created", 3), ("jobs.failed.DeadlineExceeded", 1), ("pods.created", 4)]);
        assert_eq!(value(&run, "jobs.failed.BackoffLimitExceeded"), Some(Number::from(0)));
        assert_eq!(value(&run, "jobs.created"), Some(Number::from(3)));
        assert_eq!(value(&run, "cronjobs.runs"), None, "no CronJobs in this run");
        assert_eq!(value(&run, "events_processed"), None);
        assert_eq!(value(&f(&[("pods.created", 4)]), "jobs.failed.BackoffLimitExceeded"), None);
    }

    #[test]
    fn readable_numbers_keep_four_digits() {
        assert_eq!(readable(4273255.231418), "4273255");
        assert_eq!(readable(-945.719399), "-945.7");
        assert_eq!(readable(71138.2), "71138");
        assert_eq!(readable(12.3456), "12.35");
        assert_eq!(readable(0.01234), "0.012");
        assert_eq!(readable(-0.0001), "0");
        assert_eq!(readable(7.0), "7");
        assert_eq!(readable(f64::NAN), "NaN");
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(2.0f64.sqrt()), "1.414214");
        assert_eq!(number(-1e-9), "0");
        assert_eq!(number(1e20), "100000000000000000000");
    }
}
