//! A study's plan: the scenario, the parameters and their values, the seeds, and what
//! each run keeps. Its points are the cartesian product of the parameters' values (the
//! first parameter varies slowest); its runs are every point with every seed, numbered
//! point by point. `sweep.json` writes the plan down: a study folder holds one plan,
//! and the shards of a study hold the same one.

use super::param::{ParamPath, ParamValue, Parameter, parse_value};
use super::seeds;
use serde::{Deserialize, Serialize};

/// What a run of a study keeps in its folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every file `podsim run` writes.
    All,
    /// Every file but those `podsim get` and `describe` read (as `run --no-objects`).
    Trace,
    /// summary.json only: for large studies.
    Summary,
}

impl Keep {
    pub fn parse(text: &str) -> Result<Keep, String> {
        match text {
            "all" => Ok(Keep::All),
            "trace" => Ok(Keep::Trace),
            "summary" => Ok(Keep::Summary),
            _ => Err(format!("--keep {text:?}: expected all, trace or summary")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Keep::All => "all",
            Keep::Trace => "trace",
            Keep::Summary => "summary",
        }
    }
}

/// One share of a study's runs (`--shard I/N`): the runs whose number is I modulo N,
/// so that every shard gets some of every point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad =
            || format!("--shard {text:?}: expected I/N, the shard's number from 0 and the number of shards (0/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (i.trim().parse::<u64>().map_err(|_| bad())?, n.trim().parse::<u64>().map_err(|_| bad())?);
        if count == 0 {
            return Err(format!("--shard {text:?}: the number of shards must be 1 or more"));
        }
        if index >= count {
            return Err(format!(
                "--shard {text:?}: shard {index} is out of range: shards are numbered from 0 to {} (JOB_COMPLETION_INDEX's numbering)",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    pub fn holds(&self, run: usize) -> bool {
        run as u64 % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The scenario's `name`.
    pub scenario: String,
    /// The scenario's file name, without its folder (shards on other machines read it
    /// from elsewhere).
    pub scenario_file: String,
    /// SHA-256 of the scenario file and every file it names (`Scenario::digest`).
    pub scenario_digest: String,
    /// `--duration`, overriding the scenario's for every run.
    pub duration: Option<String>,
    pub parameters: Vec<Parameter>,
    pub seeds: Vec<u64>,
    pub keep: Keep,
    pub check_invariants: bool,
}

/// One run: a point with a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub index: usize,
    pub point: usize,
    pub seed: u64,
}

impl Run {
    /// The run's folder, relative to the study's.
    pub fn dir(&self) -> String {
        format!("runs/point-{}/seed-{}", self.point, self.seed)
    }
}

/// `sweep.json`, field by field in the order written.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct SweepJson {
    podsim_version: String,
    scenario: String,
    scenario_file: String,
    scenario_digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration: Option<String>,
    parameters: Vec<ParameterJson>,
    seeds: String,
    keep: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    check_invariants: bool,
    points: usize,
    runs: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ParameterJson {
    path: String,
    values: Vec<String>,
}

impl Plan {
    /// How many points: the product of the parameters' value counts.
    pub fn points(&self) -> usize {
        self.parameters.iter().map(|p| p.values.len()).product()
    }

    pub fn runs(&self) -> usize {
        self.points() * self.seeds.len()
    }

    /// The number of runs, refused past [`seeds::MAX_RUNS`].
    pub fn check_size(&self) -> Result<(), String> {
        let points = self.parameters.iter().try_fold(1u64, |acc, p| acc.checked_mul(p.values.len() as u64));
        let runs = points.and_then(|p| p.checked_mul(self.seeds.len() as u64));
        match runs {
            Some(r) if r <= seeds::MAX_RUNS => Ok(()),
            _ => Err(format!(
                "the study would hold more than {} runs (the parameters' values multiplied together, times the seeds)",
                seeds::MAX_RUNS
            )),
        }
    }

    pub fn run(&self, index: usize) -> Run {
        let n = self.seeds.len();
        Run { index, point: index / n, seed: self.seeds[index % n] }
    }

    /// The value each parameter takes at `point`.
    pub fn point_values(&self, point: usize) -> Vec<&ParamValue> {
        let mut out = Vec::with_capacity(self.parameters.len());
        let mut rest = point;
        let mut stride = self.points();
        for p in &self.parameters {
            stride /= p.values.len();
            out.push(&p.values[rest / stride]);
            rest %= stride;
        }
        out
    }

    /// `path=value` for each parameter of `point`, as messages show them.
    pub fn point_label(&self, point: usize) -> String {
        let values = self.point_values(point);
        let parts: Vec<String> =
            self.parameters.iter().zip(values).map(|(p, v)| format!("{}={}", p.path, v.text)).collect();
        if parts.is_empty() { "the scenario as written".to_string() } else { parts.join(" ") }
    }

    /// `sweep.json`'s text: the plan, with the shard when this folder holds one share.
    pub fn to_json(&self, shard: Option<Shard>) -> String {
        let j = SweepJson {
            podsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: self.scenario.clone(),
            scenario_file: self.scenario_file.clone(),
            scenario_digest: self.scenario_digest.clone(),
            duration: self.duration.clone(),
            parameters: self
                .parameters
                .iter()
                .map(|p| ParameterJson {
                    path: p.path.text.clone(),
                    values: p.values.iter().map(|v| v.text.clone()).collect(),
                })
                .collect(),
            seeds: seeds::format(&self.seeds),
            keep: self.keep.as_str().to_string(),
            check_invariants: self.check_invariants,
            points: self.points(),
            runs: self.runs(),
            shard: shard.map(|s| s.to_string()),
        };
        serde_json::to_string_pretty(&j).expect("a plan always serializes") + "\n"
    }

    /// Reads `sweep.json` back: the plan, its shard, and the version of podsim that
    /// wrote it.
    pub fn from_json(text: &str) -> Result<(Plan, Option<Shard>, String), String> {
        let j: SweepJson = serde_json::from_str(text).map_err(|e| format!("not a sweep.json podsim wrote: {e}"))?;
        let mut parameters = Vec::new();
        for p in j.parameters {
            let path = ParamPath::parse(&p.path)?;
            let mut values = Vec::new();
            for t in p.values {
                values.push(ParamValue { value: parse_value(&t)?, text: t });
            }
            parameters.push(Parameter::new(path, values)?);
        }
        let plan = Plan {
            scenario: j.scenario,
            scenario_file: j.scenario_file,
            scenario_digest: j.scenario_digest,
            duration: j.duration,
            parameters,
            seeds: seeds::parse(&j.seeds)?,
            keep: Keep::parse(&j.keep)?,
            check_invariants: j.check_invariants,
        };
        if plan.points() != j.points || plan.runs() != j.runs {
            return Err(format!(
                "says {} points and {} runs, but its parameters and seeds make {} and {}",
                j.points,
                j.runs,
                plan.points(),
                plan.runs()
            ));
        }
        let shard = j.shard.as_deref().map(Shard::parse).transpose()?;
        Ok((plan, shard, j.podsim_version))
    }

    /// What differs between two plans, in words (empty when they are the same study).
    pub fn differences(&self, other: &Plan) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name}: {a} against {b}"));
            }
        };
        field("scenario", self.scenario.clone(), other.scenario.clone());
        field("scenario file", self.scenario_file.clone(), other.scenario_file.clone());
        field("scenario digest", self.scenario_digest.clone(), other.scenario_digest.clone());
        let duration = |p: &Plan| p.duration.clone().unwrap_or_else(|| "the scenario's".to_string());
        field("duration", duration(self), duration(other));
        let params = |p: &Plan| {
            let v: Vec<String> = p
                .parameters
                .iter()
                .map(|q| {
                    format!("{}={}", q.path, q.values.iter().map(|v| v.text.as_str()).collect::<Vec<_>>().join(","))
                })
                .collect();
            if v.is_empty() { "none".to_string() } else { v.join(" ") }
        };
        field("parameters", params(self), params(other));
        field("seeds", seeds::format(&self.seeds), seeds::format(&other.seeds));
        field("keep", self.keep.as_str().into(), other.keep.as_str().into());
        field("check invariants", self.check_invariants.to_string(), other.check_invariants.to_string());
        out
    }
}

impl ParamValue {
    /// A value given as YAML data (a sweep file's list), with a text that reads back as
    /// the same value.
    pub fn from_value(value: serde_json::Value) -> ParamValue {
        let text = match &value {
            serde_json::Value::String(s) if parse_value(s).ok().as_ref() == Some(&value) => s.clone(),
            other => other.to_string(),
        };
        ParamValue { text, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            scenario: "s".into(),
            scenario_file: "s.yaml".into(),
            scenario_digest: "d".into(),
            duration: Some("1h".into()),
            parameters: vec![
                Parameter::parse("nodes[worker].count=1,2,3").unwrap(),
                Parameter::parse("behaviors[0].runFor={constant: 1m},5m").unwrap(),
            ],
            seeds: vec![1, 2, 3, 4],
            keep: Keep::Summary,
            check_invariants: false,
        }
    }

    #[test]
    fn points_are_the_cartesian_product_first_parameter_slowest() {
        let p = plan();
        assert_eq!((p.points(), p.runs()), (6, 24));
        let texts = |i| p.point_values(i).iter().map(|v| v.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(0), ["1", "{constant: 1m}"]);
        assert_eq!(texts(1), ["1", "5m"]);
        assert_eq!(texts(5), ["3", "5m"]);
        assert_eq!(p.run(5), Run { index: 5, point: 1, seed: 2 });
        assert_eq!(p.run(5).dir(), "runs/point-1/seed-2");
        assert_eq!(p.point_label(5), "nodes[worker].count=3 behaviors[0].runFor=5m");
        let none = Plan { parameters: vec![], ..plan() };
        assert_eq!((none.points(), none.runs()), (1, 4));
    }

    #[test]
    fn sweep_json_reads_back_as_the_same_plan() {
        let p = plan();
        let shard = Shard::parse("1/3").unwrap();
        let text = p.to_json(Some(shard));
        let (back, s, version) = Plan::from_json(&text).unwrap();
        assert_eq!((back, s, version.as_str()), (p.clone(), Some(shard), env!("CARGO_PKG_VERSION")));
        assert!(!p.to_json(None).contains("shard"));
        let other = Plan { seeds: vec![1, 2], ..p.clone() };
        assert_eq!(p.differences(&other), ["seeds: 1..4 against 1..2"]);
    }

    #[test]
    fn shards_split_the_runs_round_robin() {
        let s = Shard::parse("1/3").unwrap();
        assert_eq!((0..7).filter(|r| s.holds(*r)).collect::<Vec<_>>(), [1, 4]);
        assert!(Shard::parse("3/3").unwrap_err().contains("out of range"));
        assert!(Shard::parse("0/0").is_err() && Shard::parse("1").is_err() && Shard::parse("-1/2").is_err());
    }

    #[test]
    fn values_from_a_file_read_back_as_themselves() {
        for v in [
            serde_json::json!("10"),
            serde_json::json!("5m"),
            serde_json::json!({"constant": "1m"}),
            serde_json::json!(3),
        ] {
            let pv = ParamValue::from_value(v.clone());
            assert_eq!(parse_value(&pv.text).unwrap(), v, "{}", pv.text);
        }
        assert_eq!(ParamValue::from_value(serde_json::json!("5m")).text, "5m");
    }
}
