//! What the `availability` chart needs: each Service's backends over time, from
//! services.csv (a row per change), and its figures from the summary's `services`.
//!
//! The summary names the Services measured (those with a selector) and when each was
//! created, which services.csv cannot tell: a Service's first row comes only once its
//! backends are known, and the time before it is an outage. A Service in only one of
//! the two files is still drawn, with what is known.

use super::input::{PlotError, for_each_row};
use std::collections::BTreeMap;

/// The summary's figures for one Service.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Figures {
    /// Fraction of its life with at least one ready endpoint.
    pub any_ready: f64,
    /// Fraction of its life with every desired backend ready.
    pub all_ready: f64,
    pub longest_outage_ms: u64,
    pub outages: u64,
}

/// A row of services.csv: the Service's backends from `t` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub t: u64,
    pub desired: u64,
    pub ready: u64,
}

#[derive(Debug, PartialEq)]
pub(crate) struct Service {
    /// `namespace/name`.
    pub key: String,
    pub created: u64,
    pub deleted: Option<u64>,
    pub figures: Option<Figures>,
    pub steps: Vec<Step>,
}

impl Service {
    /// Times with no ready endpoint, [from, to), from creation to deletion or `end`.
    pub fn outages(&self, end: u64) -> Vec<(u64, u64)> {
        let stop = self.deleted.unwrap_or(end).max(self.created);
        let mut out = Vec::new();
        let mut since = Some(self.created);
        for s in &self.steps {
            match (since, s.ready > 0) {
                (Some(from), true) => {
                    if s.t.min(stop) > from {
                        out.push((from, s.t.min(stop)));
                    }
                    since = None;
                }
                (None, false) => since = Some(s.t),
                _ => {}
            }
        }
        if let Some(from) = since.filter(|&f| f < stop) {
            out.push((from, stop));
        }
        out
    }

    /// The order "least available first": by time with a ready endpoint, then with all
    /// of them ready (Services without figures last), then by name.
    pub fn rank(&self) -> (u64, u64, &str) {
        let per_mille = |f: f64| (f.clamp(0.0, 1.0) * 1_000_000.0).round() as u64;
        match self.figures {
            Some(f) => (per_mille(f.any_ready), per_mille(f.all_ready), &self.key),
            None => (u64::MAX, u64::MAX, &self.key),
        }
    }
}

/// The Services of the summary (in its order), then any others services.csv names (in
/// the order of their first row), each with its rows.
pub(crate) fn read(summary: &serde_json::Value, csv: Option<&str>) -> Result<Vec<Service>, PlotError> {
    let mut services = from_summary(summary)?;
    let mut index: BTreeMap<String, usize> = services.iter().enumerate().map(|(i, s)| (s.key.clone(), i)).collect();
    let Some(text) = csv else { return Ok(services) };
    const COLUMNS: [&str; 5] = ["time_ms", "namespace", "service", "desired", "ready"];
    let mut key = String::new();
    for_each_row("services.csv", text.as_bytes(), &COLUMNS, &[], |r| {
        let step = Step { t: r.u64(0)?, desired: r.u64(3)?, ready: r.u64(4)? };
        key.clear();
        key.push_str(r.str(1));
        key.push('/');
        key.push_str(r.str(2));
        let i = match index.get(key.as_str()) {
            Some(&i) => i,
            None => {
                services.push(Service {
                    key: key.clone(),
                    created: step.t,
                    deleted: None,
                    figures: None,
                    steps: Vec::new(),
                });
                index.insert(key.clone(), services.len() - 1);
                services.len() - 1
            }
        };
        let steps = &mut services[i].steps;
        if let Some(last) = steps.last()
            && step.t < last.t
        {
            return Err(format!("time {} is before the Service's previous row's {}", step.t, last.t));
        }
        steps.push(step);
        Ok(())
    })?;
    Ok(services)
}

const SUMMARY: &str = "summary.json";

fn from_summary(summary: &serde_json::Value) -> Result<Vec<Service>, PlotError> {
    let Some(list) = summary.get("services") else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| PlotError::new(SUMMARY, None, "`services`: expected a list"))?;
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let bad = |what: &str| PlotError::new(SUMMARY, None, format!("`services[{i}]`: expected {what}"));
            let str_field =
                |name: &str| v.get(name).and_then(|x| x.as_str()).ok_or_else(|| bad(&format!("a string `{name}`")));
            let u64_field =
                |name: &str| v.get(name).and_then(|x| x.as_u64()).ok_or_else(|| bad(&format!("an integer `{name}`")));
            let f64_field =
                |name: &str| v.get(name).and_then(|x| x.as_f64()).ok_or_else(|| bad(&format!("a number `{name}`")));
            Ok(Service {
                key: format!("{}/{}", str_field("namespace")?, str_field("name")?),
                created: u64_field("created_ms")?,
                deleted: v.get("deleted_ms").and_then(|x| x.as_u64()),
                figures: Some(Figures {
                    any_ready: f64_field("any_ready_fraction")?,
                    all_ready: f64_field("all_ready_fraction")?,
                    longest_outage_ms: u64_field("longest_outage_ms")?,
                    outages: v.get("outages").and_then(|x| x.as_u64()).unwrap_or(0),
                }),
                steps: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY_TEXT: &str = r#"{"services": [
        {"namespace": "default", "name": "web", "created_ms": 0, "any_ready_fraction": 0.9,
         "all_ready_fraction": 0.5, "longest_outage_ms": 4000, "outages": 2}]}"#;
    const CSV: &str = "time_ms,namespace,service,desired,endpoints,ready,serving,terminating\n\
        3000,default,web,2,0,0,0,0\n5000,default,web,2,1,1,1,0\n\
        7000,default,db,1,1,1,1,0\n10000,default,web,2,2,0,0,2\n11000,default,web,2,2,2,2,0\n";

    fn services() -> Vec<Service> {
        read(&serde_json::from_str(SUMMARY_TEXT).unwrap(), Some(CSV)).unwrap()
    }

    #[test]
    fn services_come_from_the_summary_then_the_rows() {
        let s = services();
        let keys: Vec<&str> = s.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["default/web", "default/db"]);
        assert_eq!(s[0].figures.map(|f| f.longest_outage_ms), Some(4000));
        assert_eq!((s[1].created, s[1].figures), (7000, None));
        assert_eq!(s[0].steps.len(), 4);
    }

    #[test]
    fn outages_run_from_creation_and_while_nothing_is_ready() {
        let s = services();
        assert_eq!(s[0].outages(20_000), [(0, 5000), (10_000, 11_000)]);
        assert_eq!(s[1].outages(20_000), []);
        let gone = Service { deleted: Some(8000), ..services().remove(0) };
        assert_eq!(gone.outages(20_000), [(0, 5000)]);
    }

    #[test]
    fn the_least_available_rank_first() {
        let s = services();
        assert!(s[0].rank() < s[1].rank(), "a Service without figures ranks last");
    }

    #[test]
    fn bad_rows_are_errors() {
        let e =
            read(&serde_json::Value::Null, Some("time_ms,namespace,service,desired,ready\n1,a,b,x,0\n")).unwrap_err();
        assert_eq!(e.to_string(), "services.csv:2: column `desired`: expected a non-negative integer, found `x`");
        let e = read(&serde_json::json!({"services": [{"name": "x"}]}), None).unwrap_err();
        assert_eq!(e.to_string(), "summary.json: `services[0]`: expected a string `namespace`");
    }
}
