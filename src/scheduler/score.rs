//! Score plugins, each 0 to 100 (`MaxNodeScore`), in kube-scheduler's arithmetic.

use super::profile::{MAX_CUSTOM_PRIORITY_SCORE, ScoringStrategy, ScoringType, ShapePoint};
use crate::cluster::Node;
use crate::cluster::fit::FitRow;
use crate::cluster::resources::{CPU, MEMORY, ResourceNames};
use crate::cluster::template::PodTemplate;

pub const MAX_NODE_SCORE: i64 = 100;

/// LeastAllocated (`least_allocated.go`) over (requested, allocatable, weight):
/// `Σ w·((alloc − req)·100 / alloc) / Σ w`, integer division, 0 if over-requested,
/// resources with no allocatable skipped.
#[cfg(test)]
pub fn least_allocated(resources: &[(i64, i64, i64)]) -> i64 {
    weighted(resources, least_requested_score)
}

/// `leastRequestedScore`: the unrequested share of the resource, 0 when over-requested.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// `mostRequestedScore` (`most_allocated.go`): the requested share, requested capped at
/// capacity (the non-zero defaults can exceed it).
pub fn most_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    requested.min(capacity) * MAX_NODE_SCORE / capacity
}

#[cfg(test)]
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

/// `BuildBrokenLinearFunction` (`plugins/helper/shape_score.go`): the first point's score
/// below it, the last point's above it, linear (integer division) in between.
pub fn broken_linear(shape: &[ShapePoint], p: i64) -> i64 {
    for (i, point) in shape.iter().enumerate() {
        if p <= point.utilization {
            let Some(prev) = i.checked_sub(1).map(|j| shape[j]) else { return point.score };
            return prev.score
                + (point.score - prev.score) * (p - prev.utilization) / (point.utilization - prev.utilization);
        }
    }
    shape.last().map_or(0, |last| last.score)
}

/// RequestedToCapacityRatio's score of one resource: its utilisation
/// `requested·100/capacity` (100 when over-requested) through the shape, whose scores
/// are already scaled to 0–100 (`requested_to_capacity_ratio.go`).
pub fn requested_to_capacity_score(scaled_shape: &[ShapePoint], requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return broken_linear(scaled_shape, MAX_NODE_SCORE);
    }
    broken_linear(scaled_shape, requested * MAX_NODE_SCORE / capacity)
}

/// The weighted mean of two always-counted resources, each `(pod, on node, allocatable)`:
/// the general loop unrolled for the default resources.
#[inline(always)]
fn cpu_memory_mean(
    (cpu, cpu_node, cpu_alloc): (i64, i64, i64),
    (mem, mem_node, mem_alloc): (i64, i64, i64),
    (cpu_weight, mem_weight): (i64, i64),
    per: impl Fn(i64, i64) -> i64,
) -> i64 {
    let (mut sum, mut weights) = (0, 0);
    if cpu_alloc != 0 {
        sum += per(cpu + cpu_node, cpu_alloc) * cpu_weight;
        weights += cpu_weight;
    }
    if mem_alloc != 0 {
        sum += per(mem + mem_node, mem_alloc) * mem_weight;
        weights += mem_weight;
    }
    match weights {
        0 => 0,
        // The default weights (1 and 1) sum to 2: a shift, not the divider, which with the
        // two per-resource divisions was the bottleneck of scoring a node (scores and
        // weights are not negative, so the shift is the division).
        w if w & (w - 1) == 0 => sum >> w.trailing_zeros(),
        w => sum / w,
    }
}

/// When a resource of the strategy counts (`calculateResourceAllocatableRequest`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Counted {
    /// cpu, memory, ephemeral-storage: always, when the node has some.
    Always,
    /// Scalar resources (extended, hugepages-, `kubernetes.io/`-prefixed, attachable
    /// volumes): only when the pod requests them.
    WhenRequested,
    /// Any other name: Kubernetes keeps no allocatable for it, so it never counts.
    Never,
}

fn counted(name: &str) -> Counted {
    match name {
        "cpu" | "memory" | "ephemeral-storage" => Counted::Always,
        _ if name.contains('/') || name.starts_with("hugepages-") || name.starts_with("attachable-volumes-") => {
            Counted::WhenRequested
        }
        _ => Counted::Never,
    }
}

/// NodeResourcesFit's score under a scoring strategy, compiled once per run: resource
/// indices instead of names, and the shape already scaled to 0–100.
#[derive(Clone, Debug)]
pub struct FitScorer {
    kind: ScoringType,
    /// The weights of cpu and memory when they are the only resources (the usual case,
    /// scored without walking the list).
    cpu_memory: Option<(i64, i64)>,
    /// (resource index, weight, when it counts).
    resources: Vec<(usize, i64, Counted)>,
    shape: Vec<ShapePoint>,
}

impl FitScorer {
    pub fn compile(strategy: &ScoringStrategy, names: &mut ResourceNames) -> FitScorer {
        let resources: Vec<(usize, i64, Counted)> =
            strategy.resources.iter().map(|r| (names.intern(&r.name), r.weight, counted(&r.name))).collect();
        let scale = MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE;
        let shape =
            strategy.shape.iter().map(|p| ShapePoint { utilization: p.utilization, score: p.score * scale }).collect();
        let cpu_memory = match resources[..] {
            [(CPU, wc, _), (MEMORY, wm, _)] => Some((wc, wm)),
            [(MEMORY, wm, _), (CPU, wc, _)] => Some((wc, wm)),
            _ => None,
        };
        FitScorer { kind: strategy.kind, cpu_memory, resources, shape }
    }

    /// LeastAllocated over cpu and memory alone, weighted alike: the strategy
    /// [`ScoreBound`](super::score_bound::ScoreBound) bounds.
    pub fn least_allocated_even(&self) -> bool {
        self.kind == ScoringType::LeastAllocated && matches!(self.cpu_memory, Some((c, m)) if c == m && c > 0)
    }

    /// The score, given for each resource index `(pod request, requested on the node,
    /// allocatable)` (`resourceAllocationScorer.score`): a resource the node has none of
    /// is skipped; so is a scalar resource the pod does not request. LeastAllocated and
    /// MostAllocated take the weighted mean with integer division; RequestedToCapacityRatio
    /// leaves out resources scoring 0 and rounds the mean half up (Go's `math.Round` of
    /// a non-negative quotient, done here in integers).
    #[inline]
    pub fn score(&self, amounts: impl Fn(usize) -> (i64, i64, i64)) -> i64 {
        // One loop per strategy, so that the per-resource score is inlined (this runs for
        // every feasible node); cpu and memory alone without a loop.
        if let Some(weights) = self.cpu_memory {
            let (cpu, memory) = (amounts(CPU), amounts(MEMORY));
            match self.kind {
                ScoringType::LeastAllocated => return cpu_memory_mean(cpu, memory, weights, least_requested_score),
                ScoringType::MostAllocated => return cpu_memory_mean(cpu, memory, weights, most_requested_score),
                ScoringType::RequestedToCapacityRatio => {}
            }
        }
        match self.kind {
            ScoringType::LeastAllocated => self.weighted_mean(amounts, least_requested_score),
            ScoringType::MostAllocated => self.weighted_mean(amounts, most_requested_score),
            ScoringType::RequestedToCapacityRatio => self.ratio_mean(amounts),
        }
    }

    /// The resources that count for this pod on this node, as (requested with the pod,
    /// allocatable, weight).
    #[inline(always)]
    fn counted(&self, amounts: impl Fn(usize) -> (i64, i64, i64)) -> impl Iterator<Item = (i64, i64, i64)> {
        self.resources.iter().filter_map(move |&(r, weight, counted)| {
            let (pod, on_node, alloc) = amounts(r);
            let skip = alloc == 0
                || match counted {
                    Counted::Always => false,
                    Counted::WhenRequested => pod == 0,
                    Counted::Never => true,
                };
            (!skip).then_some((pod + on_node, alloc, weight))
        })
    }

    #[inline(always)]
    fn weighted_mean(&self, amounts: impl Fn(usize) -> (i64, i64, i64), per: impl Fn(i64, i64) -> i64) -> i64 {
        let (mut sum, mut weights) = (0i64, 0i64);
        for (requested, alloc, weight) in self.counted(amounts) {
            sum += per(requested, alloc) * weight;
            weights += weight;
        }
        if weights == 0 { 0 } else { sum / weights }
    }

    fn ratio_mean(&self, amounts: impl Fn(usize) -> (i64, i64, i64)) -> i64 {
        let (mut sum, mut weights) = (0i64, 0i64);
        for (requested, alloc, weight) in self.counted(amounts) {
            let score = requested_to_capacity_score(&self.shape, requested, alloc);
            if score > 0 {
                sum += score * weight;
                weights += weight;
            }
        }
        if weights == 0 { 0 } else { (2 * sum + weights) / (2 * weights) }
    }

    /// The pod's score on the node: cpu and memory with the non-zero request defaults
    /// (for the pod and the pods already there), other resources as requested.
    #[inline]
    pub fn score_node(&self, template: &PodTemplate, node: &Node) -> i64 {
        self.score(|r| {
            let (pod, on_node) = match r {
                CPU => (template.nonzero_cpu, node.nonzero_cpu),
                MEMORY => (template.nonzero_memory, node.nonzero_memory),
                _ => (template.requests.get(r), node.requested.get(r)),
            };
            (pod, on_node, node.allocatable.get(r))
        })
    }

    /// The same score read from the node's fit row, when the strategy counts only cpu
    /// and memory (the row holds exactly what it reads: allocatable and non-zero
    /// requests). `pod`: the pod's non-zero cpu and memory requests. No pointer to follow
    /// into the node: on a miss of the score cache that was most of the scoring.
    #[inline(always)]
    pub fn score_row(&self, pod: (i64, i64), row: &FitRow) -> Option<i64> {
        let weights = self.cpu_memory?;
        let cpu = (pod.0, row.nonzero_cpu, row.allocatable_cpu);
        let memory = (pod.1, row.nonzero_memory, row.allocatable_memory);
        // The two common strategies written out (through `score` this was a call for
        // every occupied node scored); the ratio's shape takes the general way. `score`
        // has the same two arms: sharing them through a helper giving an `Option` cost
        // 2% more instructions on the 100,000-pod day.
        Some(match self.kind {
            ScoringType::LeastAllocated => cpu_memory_mean(cpu, memory, weights, least_requested_score),
            ScoringType::MostAllocated => cpu_memory_mean(cpu, memory, weights, most_requested_score),
            ScoringType::RequestedToCapacityRatio => self.score(|r| match r {
                CPU => cpu,
                MEMORY => memory,
                // `cpu_memory` is set only when these are the strategy's only resources.
                _ => (0, 0, 0),
            }),
        })
    }
}

/// BalancedAllocation's PreScore: a best-effort pod (no cpu, no memory requested) is
/// skipped, so that such pods do not pile onto one node (kubernetes#129138).
pub fn balanced_applies(template: &PodTemplate) -> bool {
    template.requests.get(CPU) != 0 || template.requests.get(MEMORY) != 0
}

/// The node's BalancedAllocation score for a pod (exact requests; `None`: skipped for
/// a pod that requests neither cpu nor memory).
pub fn balanced_for(template: &PodTemplate, node: &Node) -> Option<i64> {
    if !balanced_applies(template) {
        return None;
    }
    Some(balanced_of(
        (template.requests.get(CPU), template.requests.get(MEMORY)),
        (node.allocatable.get(CPU), node.requested.get(CPU)),
        (node.allocatable.get(MEMORY), node.requested.get(MEMORY)),
    ))
}

/// The same from the node's fit row (which holds its allocatable and requested cpu and
/// memory), for a pod BalancedAllocation does not skip. `pod`: its cpu and memory requests.
#[inline]
pub fn balanced_row(pod: (i64, i64), row: &FitRow) -> i64 {
    balanced_of(pod, (row.allocatable_cpu, row.requested_cpu), (row.allocatable_memory, row.requested_memory))
}

/// BalancedAllocation of a pod asking `pod` (cpu, memory) on a node with (allocatable,
/// requested) of each: a resource the node has none of is left out.
#[inline]
fn balanced_of(pod: (i64, i64), cpu: (i64, i64), memory: (i64, i64)) -> i64 {
    let fraction = |(alloc, requested): (i64, i64), pod: i64| {
        (alloc > 0).then(|| ((requested + pod) as f64 / alloc as f64).min(1.0))
    };
    match (fraction(cpu, pod.0), fraction(memory, pod.1)) {
        (Some(c), Some(m)) => balanced_allocation(&[c, m]),
        (Some(f), None) | (None, Some(f)) => balanced_allocation(&[f]),
        (None, None) => balanced_allocation(&[]),
    }
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

    /// A table of `testdata/scheduler/`: strategy resources, pod containers, nodes with
    /// capacities, existing pods; scored through [`FitScorer`] as the simulation does.
    fn fit_table(file: &str, kind: ScoringType) {
        use crate::api::Quantity;
        use crate::cluster::resources::amount;
        use crate::cluster::template::{DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST};
        use crate::scheduler::profile::ResourceSpec;
        let all: Value = serde_json::from_str(file).unwrap();
        assert!(all["source"].as_str().unwrap().contains("kubernetes/kubernetes"));
        for case in all["cases"].as_array().unwrap() {
            let mut names = ResourceNames::default();
            let strategy = ScoringStrategy {
                kind,
                resources: case["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| ResourceSpec {
                        name: r["name"].as_str().unwrap().into(),
                        weight: r["weight"].as_i64().unwrap(),
                    })
                    .collect(),
                shape: case["shape"]
                    .as_array()
                    .map(|pts| {
                        pts.iter()
                            .map(|p| ShapePoint {
                                utilization: p["utilization"].as_i64().unwrap(),
                                score: p["score"].as_i64().unwrap(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let scorer = FitScorer::compile(&strategy, &mut names);
            // Σ over containers, with the scheduler's defaults for unset cpu and memory.
            let mut sum = |containers: &Value| -> Vec<i64> {
                let mut out = vec![0i64; 8];
                for c in containers.as_array().unwrap() {
                    let c = c.as_object().unwrap();
                    for (r, default) in [(CPU, DEFAULT_MILLI_CPU_REQUEST), (MEMORY, DEFAULT_MEMORY_REQUEST)] {
                        if !c.contains_key(names.name(r)) {
                            out[r] += default;
                        }
                    }
                    for (k, v) in c {
                        let i = names.intern(k);
                        out[i] += amount(i, &Quantity::parse(v.as_str().unwrap()).unwrap());
                    }
                }
                out
            };
            let pod = sum(&case["pod"]);
            let existing: Vec<(String, Vec<i64>)> = case["existing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["node"].as_str().unwrap().to_string(), sum(&e["containers"])))
                .collect();
            for node in case["nodes"].as_array().unwrap() {
                let name = node["name"].as_str().unwrap();
                let mut alloc = [0i64; 8];
                for (k, v) in node["capacity"].as_object().unwrap() {
                    let i = names.intern(k);
                    alloc[i] = amount(i, &Quantity::parse(v.as_str().unwrap()).unwrap());
                }
                let on_node = |r: usize| existing.iter().filter(|(n, _)| n == name).map(|(_, v)| v[r]).sum::<i64>();
                let got = scorer.score(|r| (pod[r], on_node(r), alloc[r]));
                let want = case["expected"][name].as_i64().unwrap();
                assert_eq!(got, want, "{} / {name}", case["name"]);
                // Read from a fit row, as the scheduler does when only cpu and memory count.
                let row = FitRow {
                    allocatable_cpu: alloc[CPU],
                    allocatable_memory: alloc[MEMORY],
                    nonzero_cpu: on_node(CPU),
                    nonzero_memory: on_node(MEMORY),
                    ..FitRow::default()
                };
                if let Some(got) = scorer.score_row((pod[CPU], pod[MEMORY]), &row) {
                    assert_eq!(got, want, "{} / {name} from the row", case["name"]);
                }
            }
        }
    }

    /// The two-resource mean (a shift when the weights sum to a power of two) is the
    /// general loop's integer division, for every pair of valid weights (1 to 100).
    #[test]
    fn the_cpu_memory_mean_is_the_weighted_division() {
        let nodes = [(0, 0), (1, 3), (250, 4_000), (63_999, 64_000), (7, 2), (64_000, 64_000)];
        for cpu_weight in 1..=100 {
            for mem_weight in 1..=100 {
                for &(cpu_used, cpu_alloc) in &nodes {
                    for &(mem_used, mem_alloc) in &nodes {
                        let got = cpu_memory_mean(
                            (cpu_used, 0, cpu_alloc),
                            (mem_used, 0, mem_alloc),
                            (cpu_weight, mem_weight),
                            least_requested_score,
                        );
                        let want =
                            least_allocated(&[(cpu_used, cpu_alloc, cpu_weight), (mem_used, mem_alloc, mem_weight)]);
                        assert_eq!(
                            got, want,
                            "weights {cpu_weight}/{mem_weight}, cpu {cpu_used}/{cpu_alloc}, memory {mem_used}/{mem_alloc}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn most_allocated_matches_kubernetes_cases() {
        fit_table(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/most_allocated.json")),
            ScoringType::MostAllocated,
        );
    }

    #[test]
    fn requested_to_capacity_ratio_matches_kubernetes_cases() {
        let text =
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/requested_to_capacity_ratio.json"));
        fit_table(text, ScoringType::RequestedToCapacityRatio);
        let all: Value = serde_json::from_str(text).unwrap();
        for f in all["brokenLinear"].as_array().unwrap() {
            let shape: Vec<ShapePoint> = f["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| ShapePoint { utilization: p[0].as_i64().unwrap(), score: p[1].as_i64().unwrap() })
                .collect();
            for a in f["assertions"].as_array().unwrap() {
                assert_eq!(
                    broken_linear(&shape, a[0].as_i64().unwrap()),
                    a[1].as_i64().unwrap(),
                    "{shape:?} at {}",
                    a[0]
                );
            }
        }
    }

    /// `balanced_allocation_test.go`, "nothing scheduled, resources requested, differently
    /// sized nodes": the pod asks 3000m and 5000 bytes; machine1 has 4000m / 10000,
    /// machine2 6000m / 10000; and the same pod on machine2 beside one asking 3000m / 0.
    #[test]
    fn balanced_row_matches_kubernetes_cases() {
        let row = |cpu, memory, requested_cpu| FitRow {
            allocatable_cpu: cpu,
            allocatable_memory: memory,
            requested_cpu,
            ..FitRow::default()
        };
        assert_eq!(balanced_row((3000, 5000), &row(4000, 10000, 0)), 87);
        assert_eq!(balanced_row((3000, 5000), &row(6000, 10000, 0)), 100);
        // cpu (3000+3000)/6000 = 1, memory 0.5: one minus half the difference.
        assert_eq!(balanced_row((3000, 5000), &row(6000, 10000, 3000)), 75);
        // A node without memory counts cpu alone.
        assert_eq!(balanced_row((3000, 5000), &row(6000, 0, 0)), 100);
    }

    #[test]
    fn balanced_allocation_is_one_minus_std() {
        assert_eq!(balanced_allocation(&[0.5, 0.5]), 100);
        assert_eq!(balanced_allocation(&[0.2, 0.6]), 80);
        assert_eq!(balanced_allocation(&[0.3]), 100);
    }
}
