//! A rough estimate of a run's output, to warn before a setting fills a disk
//! (`metricsEvery: 1ms` over 30 days is about 190 GB).

use podsim::scenario::Scenario;

/// Above this estimate a run warns before it starts.
const HEAVY_BYTES: f64 = 5e9;

/// Bytes per metrics sample: a metrics.csv row, and a pool_metrics.csv row per pool.
const METRICS_ROW_BYTES: f64 = 65.0;
const POOL_ROW_BYTES: f64 = 55.0;
/// Bytes per pod over its life, in every file (measured on the example scenarios).
const POD_BYTES: f64 = 2_800.0;
/// Bytes per node failure and repair (node status lines, events).
const FAULT_BYTES: f64 = 1_000.0;

/// What a heavy run is told: its estimated output and the setting that weighs most.
pub fn heavy_output(s: &Scenario) -> Option<String> {
    let duration = s.duration? as f64;
    let pools = s.pool_templates.len().max(1) as f64;
    let samples = duration / s.metrics_every as f64;
    let parts = [
        (
            samples * (METRICS_ROW_BYTES + POOL_ROW_BYTES * pools),
            format!(
                "metricsEvery: {} over {} is {:.0} metrics samples; a larger metricsEvery writes less",
                podsim::engine::time::format_duration(s.metrics_every),
                podsim::engine::time::format_duration(duration as u64),
                samples
            ),
        ),
        (pods(s, duration) * POD_BYTES, "the workload creates that many pods".to_string()),
        (
            node_failures(s, duration) * FAULT_BYTES,
            "random faults fail nodes that often; a longer timeBetween writes less".to_string(),
        ),
    ];
    let total: f64 = parts.iter().map(|(b, _)| b).sum();
    if total < HEAVY_BYTES {
        return None;
    }
    let (_, why) = parts.iter().max_by(|a, b| a.0.total_cmp(&b.0)).expect("three parts");
    Some(format!("this run may write about {} ({why})", human_bytes(total)))
}

/// Pods the arrival streams create within the run (submitted objects count one each).
fn pods(s: &Scenario, duration: f64) -> f64 {
    let streams: f64 = s
        .arrivals
        .iter()
        .map(|a| {
            let until = a.until.map_or(duration, |u| (u as f64).min(duration));
            let by_time = (until - a.start as f64).max(0.0) / a.interarrival.mean().max(1.0);
            a.count.map_or(by_time, |c| (c as f64).min(by_time))
        })
        .sum();
    streams + s.submissions.len() as f64
}

/// Node failures the random fault processes draw within the run.
fn node_failures(s: &Scenario, duration: f64) -> f64 {
    s.random_faults
        .iter()
        .map(|r| {
            let nodes = s.nodes.iter().filter(|n| r.nodes.matches(&n.node.metadata.name)).count() as f64;
            nodes * duration / (r.time_between.mean() + r.repair_time.mean()).max(1.0)
        })
        .sum()
}

/// `190 GB`, `1.2 MB`, `512 B` (decimal units, as disks are sold).
pub fn human_bytes(b: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = b;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 10.0 {
        format!("{value:.0} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_say_them() {
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1_234_567.0), "1.2 MB");
        assert_eq!(human_bytes(190e9), "190 GB");
    }
}
