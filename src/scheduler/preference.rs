//! Score plugins that say which nodes a pod prefers, in kube-scheduler's arithmetic:
//! TaintToleration (`plugins/tainttoleration/taint_toleration.go`), NodeAffinity's
//! preferred terms (`plugins/nodeaffinity/node_affinity.go`), ImageLocality
//! (`plugins/imagelocality/image_locality.go`), and the normalisation the first two share
//! (`plugins/helper/normalize_score.go`). All pure.

use super::filter::tolerates;
use super::score::MAX_NODE_SCORE;
use crate::api::node::Taint;
use crate::api::pod::Toleration;
use std::borrow::Cow;

/// `DefaultNormalizeScore`: scales `[0, max(scores)]` to `[0, max_priority]` (integer
/// division), then reverses if asked. All zeros stay zero, or become `max_priority` when
/// reversed.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for s in scores.iter_mut() {
        let scaled = max_priority * *s / max;
        *s = if reverse { max_priority - scaled } else { scaled };
    }
}

// ---------------------------------------------------------------------------------
// TaintToleration

/// TaintToleration's raw score: how many `PreferNoSchedule` taints of the node the pod
/// does not tolerate. Only tolerations with effect `PreferNoSchedule` or no effect count
/// (`getAllTolerationPreferNoSchedule`). Normalised reversed: fewest → 100.
pub fn intolerable_prefer_no_schedule(taints: &[Taint], tolerations: &[Toleration]) -> i64 {
    let soft = |t: &&Toleration| t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "PreferNoSchedule");
    taints
        .iter()
        .filter(|taint| taint.effect == "PreferNoSchedule")
        .filter(|taint| !tolerations.iter().filter(soft).any(|t| tolerates(t, taint)))
        .count() as i64
}

// ---------------------------------------------------------------------------------
// NodeAffinity

// NodeAffinity's preferred terms are compiled with the template
// (`cluster::template::PreferredTerms`); their raw score is `PreferredTerms::score`.

// ---------------------------------------------------------------------------------
// ImageLocality

const MB: i64 = 1024 * 1024;
/// `minThreshold`: below this the sum of image scores counts as nothing.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`: the sum saturates at this times the number of containers.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;
/// podsim's size for an image whose size nobody gave (no `sizeBytes` in a Node manifest,
/// no `imageSize` in the behavior of the containers that pulled it). Kubernetes always
/// knows it from the kubelet; 100 MiB is a typical application image: one on every node
/// adds 7 points, on half of them 2.
pub const DEFAULT_IMAGE_SIZE: i64 = 100 * MB;

/// `normalizedImageName`: adds `:latest` to a name with no tag (and no digest).
pub fn normalized_image_name(name: &str) -> Cow<'_, str> {
    let colon = name.rfind(':').map_or(-1, |i| i as i64);
    let slash = name.rfind('/').map_or(-1, |i| i as i64);
    if colon <= slash { Cow::Owned(format!("{name}:latest")) } else { Cow::Borrowed(name) }
}

/// `scaledImageScore`: the image's size times the share of nodes that hold it (computed in
/// float64 as Go does; IEEE division and multiplication are exactly rounded everywhere).
pub fn scaled_image_score(size: i64, nodes_with_image: usize, total_nodes: usize) -> i64 {
    if total_nodes == 0 {
        return 0;
    }
    let spread = nodes_with_image as f64 / total_nodes as f64;
    (size as f64 * spread) as i64
}

/// `calculatePriority`: the sum of scaled image scores clamped to
/// `[minThreshold, maxContainerThreshold × containers]`, scaled to 0–100.
pub fn image_locality_priority(sum: i64, num_containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * num_containers.max(1) as i64;
    let clamped = sum.clamp(MIN_THRESHOLD, max);
    MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::{Affinity, NodeAffinity, NodeSelectorTerm, PodSpec, PreferredSchedulingTerm};
    use crate::cluster::template::PreferredTerms;
    use serde_json::Value;
    use std::collections::BTreeMap;

    fn table(text: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(v["source"].as_str().unwrap().contains("kubernetes/kubernetes"));
        v["cases"].as_array().unwrap().clone()
    }

    fn names(case: &Value) -> Vec<String> {
        case["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap().to_string()).collect()
    }

    fn expected(case: &Value) -> Vec<i64> {
        names(case).iter().map(|n| case["expected"][n].as_i64().unwrap()).collect()
    }

    #[test]
    fn taint_toleration_matches_kubernetes_cases() {
        let cases =
            table(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/taint_toleration.json")));
        assert_eq!(cases.len(), 5);
        for case in cases {
            let tolerations: Vec<Toleration> = serde_json::from_value(case["tolerations"].clone()).unwrap();
            let mut scores: Vec<i64> = case["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    let taints: Vec<Taint> = serde_json::from_value(n["taints"].clone()).unwrap();
                    intolerable_prefer_no_schedule(&taints, &tolerations)
                })
                .collect();
            default_normalize_score(MAX_NODE_SCORE, true, &mut scores);
            assert_eq!(scores, expected(&case), "{}", case["name"]);
        }
    }

    #[test]
    fn node_affinity_matches_kubernetes_cases() {
        let cases = table(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/node_affinity.json")));
        assert_eq!(cases.len(), 4);
        for case in cases {
            let preferred: Vec<PreferredSchedulingTerm> = serde_json::from_value(case["preferred"].clone()).unwrap();
            let spec = PodSpec {
                affinity: Some(Box::new(Affinity {
                    node_affinity: Some(NodeAffinity {
                        preferred_during_scheduling_ignored_during_execution: preferred,
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
                ..Default::default()
            };
            let terms = PreferredTerms::compile(&spec);
            let mut scores: Vec<i64> = case["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    let labels: BTreeMap<String, String> = serde_json::from_value(n["labels"].clone()).unwrap();
                    terms.score(&labels, n["name"].as_str().unwrap())
                })
                .collect();
            default_normalize_score(MAX_NODE_SCORE, false, &mut scores);
            assert_eq!(scores, expected(&case), "{}", case["name"]);
        }
    }

    #[test]
    fn empty_preferred_term_matches_nothing() {
        let spec = PodSpec {
            affinity: Some(Box::new(Affinity {
                node_affinity: Some(NodeAffinity {
                    preferred_during_scheduling_ignored_during_execution: vec![PreferredSchedulingTerm {
                        weight: 5,
                        preference: NodeSelectorTerm::default(),
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(PreferredTerms::compile(&spec).score(&BTreeMap::new(), "n"), 0);
    }

    /// Each case: the pod's images (init containers first), nodes with (name, size in MiB)
    /// images; the size an image has is the one its nodes report.
    #[test]
    fn image_locality_matches_kubernetes_cases() {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/scheduler/image_locality.json"
        )))
        .unwrap();
        let cases = all["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 7);
        for case in cases {
            let images: Vec<String> = serde_json::from_value(case["images"].clone()).unwrap();
            let nodes = case["nodes"].as_array().unwrap();
            let on = |n: &Value, image: &str| -> Option<i64> {
                let held = n["images"].as_object().unwrap();
                held.get(&*normalized_image_name(image)).map(|mib| mib.as_i64().unwrap() * MB)
            };
            for n in nodes {
                let sum: i64 = images
                    .iter()
                    .filter_map(|img| {
                        let size = on(n, img)?;
                        let holders = nodes.iter().filter(|m| on(m, img).is_some()).count();
                        Some(scaled_image_score(size, holders, nodes.len()))
                    })
                    .sum();
                let want = case["expected"][n["name"].as_str().unwrap()].as_i64().unwrap();
                assert_eq!(image_locality_priority(sum, images.len()), want, "{} / {}", case["name"], n["name"]);
            }
        }
        for c in all["normalizedImageName"].as_array().unwrap() {
            assert_eq!(normalized_image_name(c["input"].as_str().unwrap()), c["output"].as_str().unwrap());
        }
    }

    #[test]
    fn normalize_scales_to_the_maximum() {
        let mut s = vec![2, 11, 7];
        default_normalize_score(100, false, &mut s);
        assert_eq!(s, vec![18, 100, 63]);
        let mut z = vec![0, 0];
        default_normalize_score(100, false, &mut z);
        assert_eq!(z, vec![0, 0]);
    }
}
