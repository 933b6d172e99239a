//! Score plugins, each 0 to 100 (`MaxNodeScore`), in kube-scheduler's arithmetic.

use crate::cluster::fit::FitRow;
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::template::PodTemplate;

pub const MAX_NODE_SCORE: i64 = 100;

/// LeastAllocated (`least_allocated.go`) over (requested, allocatable, weight):
/// `Σ w·((alloc − req)·100 / alloc) / Σ w`, integer division, 0 if over-requested,
/// resources with no allocatable skipped.
pub fn least_allocated(resources: &[(i64, i64, i64)]) -> i64 {
    weighted(resources, |req, alloc| if req > alloc { 0 } else { (alloc - req) * MAX_NODE_SCORE / alloc })
}

/// MostAllocated (`most_allocated.go`): `req·100 / alloc`, requested capped at allocatable.
pub fn most_allocated(resources: &[(i64, i64, i64)]) -> i64 {
    weighted(resources, |req, alloc| req.min(alloc) * MAX_NODE_SCORE / alloc)
}

fn weighted(resources: &[(i64, i64, i64)], score: impl Fn(i64, i64) -> i64) -> i64 {
    let (mut sum, mut weights) = (0, 0);
    for &(req, alloc, w) in resources {
        if alloc == 0 {
            continue;
        }
        sum += score(req, alloc) * w;
        weights += w;
    }
    if weights == 0 { 0 } else { sum / weights }
}

/// BalancedAllocation (`balanced_allocation.go`): one minus the standard deviation of
/// the requested fractions, times 100, truncated. Go computes it in float64; IEEE
/// arithmetic and `sqrt` are exactly rounded, so this gives the same bits everywhere.
pub fn balanced_allocation(fractions: &[f64]) -> i64 {
    let std = match fractions.len() {
        0 | 1 => 0.0,
        2 => (fractions[0] - fractions[1]).abs() / 2.0,
        n => {
            let mean = fractions.iter().sum::<f64>() / n as f64;
            let var = fractions.iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / n as f64;
            var.sqrt()
        }
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// The node's LeastAllocated score for a pod, with the non-zero request defaults.
pub fn least_allocated_for(template: &PodTemplate, node: &FitRow) -> i64 {
    least_allocated(&[
        (node.nonzero_cpu + template.nonzero_cpu, node.allocatable_cpu, 1),
        (node.nonzero_memory + template.nonzero_memory, node.allocatable_memory, 1),
    ])
}

/// The node's BalancedAllocation score for a pod (exact requests; `None`: skipped for
/// a pod that requests neither cpu nor memory).
pub fn balanced_for(template: &PodTemplate, node: &FitRow) -> Option<i64> {
    let (cpu, memory) = (template.requests.get(CPU), template.requests.get(MEMORY));
    if cpu == 0 && memory == 0 {
        return None;
    }
    let fraction = |requested: i64, alloc: i64| (alloc > 0).then(|| ((requested as f64) / alloc as f64).min(1.0));
    Some(
        match (
            fraction(node.requested_cpu + cpu, node.allocatable_cpu),
            fraction(node.requested_memory + memory, node.allocatable_memory),
        ) {
            (Some(c), Some(m)) => balanced_allocation(&[c, m]),
            (Some(f), None) | (None, Some(f)) => balanced_allocation(&[f]),
            (None, None) => balanced_allocation(&[]),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// `least_allocated_test.go`: cpu in cores as the test writes them, memory in bytes.
    #[test]
    fn least_allocated_matches_kubernetes_cases() {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        let cases: Vec<&Value> =
            all["8_scheduler"].as_array().unwrap().iter().filter(|c| c["group"] == "leastAllocatedScore").collect();
        assert!(cases.len() >= 10);
        for case in cases {
            let weights = parse_weights(case["resources"].as_str().unwrap());
            let pod = sum_requests(case["incomingPodContainerRequests"].as_array().unwrap());
            for node in case["nodes"].as_array().unwrap() {
                let name = node["name"].as_str().unwrap();
                let mut existing = std::collections::BTreeMap::<String, i64>::new();
                for p in case["existingPods"].as_array().unwrap() {
                    if p["node"] == name {
                        for (k, v) in sum_requests(p["containers"].as_array().unwrap_or(&Vec::new())) {
                            *existing.entry(k).or_default() += v;
                        }
                    }
                }
                // Extended resources count only when the pod requests them.
                let resources: Vec<(i64, i64, i64)> = weights
                    .iter()
                    .filter(|(r, _)| r == "cpu" || r == "memory" || pod.get(r).copied().unwrap_or(0) > 0)
                    .map(|(r, w)| {
                        let alloc = node[r.as_str()].as_i64().unwrap_or(0);
                        let req = pod.get(r).copied().unwrap_or(0) + existing.get(r).copied().unwrap_or(0);
                        (req, alloc, *w)
                    })
                    .collect();
                let want = case["expectedScores"][name].as_i64().unwrap();
                assert_eq!(least_allocated(&resources), want, "{} / {name}", case["name"]);
            }
        }
    }

    fn parse_weights(text: &str) -> Vec<(String, i64)> {
        text.trim_start_matches("default ")
            .split(' ')
            .next()
            .unwrap()
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once(':').unwrap();
                (k.to_string(), v.parse().unwrap())
            })
            .collect()
    }

    fn sum_requests(containers: &[Value]) -> std::collections::BTreeMap<String, i64> {
        let mut out = std::collections::BTreeMap::new();
        for c in containers {
            for (k, v) in c.as_object().unwrap() {
                *out.entry(k.clone()).or_default() +=
                    v.as_i64().unwrap_or_else(|| v.as_str().unwrap().parse().unwrap());
            }
        }
        out
    }

    #[test]
    fn balanced_allocation_is_one_minus_std() {
        assert_eq!(balanced_allocation(&[0.5, 0.5]), 100);
        assert_eq!(balanced_allocation(&[0.2, 0.6]), 80);
        assert_eq!(balanced_allocation(&[0.3]), 100);
        assert_eq!(most_allocated(&[(5, 10, 1), (20, 10, 1)]), 75);
    }
}
